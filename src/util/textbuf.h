/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Text built piece by piece into a fixed buffer, cut at its end, never past it. */
#ifndef NFLAB_TEXTBUF_H
#define NFLAB_TEXTBUF_H

#include <stddef.h>

/*
 * Appends fmt to buf (len bytes, *n of them used so far) and advances *n. Past
 * the end the text is cut (buf stays NUL-terminated) and *n stays at len, so
 * later calls add nothing.
 */
void textbuf_appendf(char *buf, size_t len, size_t *n, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

#endif
