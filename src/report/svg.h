/* SPDX-License-Identifier: GPL-2.0-or-later */
/* SVG writing shared by the pictures: XML-safe text, measured in monospace, and wrapped. */
#ifndef NFLAB_SVG_H
#define NFLAB_SVG_H

#include <stddef.h>
#include <stdio.h>

/* Every picture uses one monospace font, so a text's width is its length times this. */
#define SVG_CHAR_EM 0.6 /* advance of DejaVu Sans Mono, in em */

/*
 * Writes s as XML character data or attribute text: & < > " ' as entities,
 * control bytes and bytes that are not UTF-8 as '?', so any lab text keeps the
 * document well formed.
 */
void svg_escape(FILE *f, const char *s);
/* The same into buf (always terminated, cut at a whole character). Returns buf. */
const char *svg_escape_buf(const char *s, char *buf, size_t len);

/* Columns s takes: its UTF-8 characters. */
size_t svg_text_cols(const char *s);
/* Width in px of s at font size px. */
double svg_text_width(const char *s, double px);

/*
 * Opens a w x h document with a white background and the given CSS (borrowed,
 * may be NULL), for f.
 */
void svg_begin(FILE *f, double w, double h, const char *css);
void svg_end(FILE *f);

/* <text x y class text-anchor>s</text>; cls and anchor may be NULL. */
void svg_text(FILE *f, double x, double y, const char *cls, const char *anchor, const char *s);

/* Lines of wrapped text: owned strings. */
struct svg_lines {
	char **v;
	size_t n, cap;
};

/*
 * Appends s to l, broken at spaces into lines of at most cols columns (a longer
 * word is cut), and at every '\n'.
 */
void svg_wrap(struct svg_lines *l, const char *s, size_t cols);
/* Appends one line as it is. */
void svg_lines_add(struct svg_lines *l, const char *s);
/* Columns of the widest line. */
size_t svg_lines_cols(const struct svg_lines *l);
void svg_lines_release(struct svg_lines *l);

#endif
