/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * UTF-8 for text that leaves nflab in reports: any bytes made valid UTF-8, and
 * which characters XML 1.0 has no place for.
 *
 * An ill-formed sequence becomes one U+FFFD per maximal subpart, the Unicode
 * Standard's recommended practice (chapter 3, "U+FFFD Substitution of Maximal
 * Subparts"; Python's errors="replace", ICU and browsers do the same): each
 * bad lead byte (0x80..0xc1, 0xf5..0xff), each byte of an overlong form, of a
 * surrogate (U+D800..U+DFFF) or of a code point above U+10FFFF gives one
 * U+FFFD; the valid start of a sequence cut short (by the end of the text or
 * by a byte that does not continue it) gives one U+FFFD in all.
 */
#ifndef NFLAB_UTF8_H
#define NFLAB_UTF8_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define UTF8_REPLACEMENT     0xfffd	    /* U+FFFD REPLACEMENT CHARACTER */
#define UTF8_REPLACEMENT_STR "\xef\xbf\xbd" /* the same, encoded */
#define UTF8_MAX	     4		    /* bytes of one character, at most */

/*
 * The character at s, of which n > 0 bytes may be read: returns its code point
 * and sets *len to its length (1 to 4). For an ill-formed sequence returns -1
 * and sets *len to the bytes to replace by one U+FFFD (1 to 3).
 */
int32_t utf8_decode(const char *s, size_t n, size_t *len);

/*
 * Encodes cp into buf and returns its length (1 to 4), or 0 when cp is no
 * Unicode scalar value (a surrogate, or above U+10FFFF).
 */
size_t utf8_encode(uint32_t cp, char buf[UTF8_MAX]);

/* True when the n bytes at s are well-formed UTF-8. */
bool utf8_valid(const char *s, size_t n);

/* A copy of s (NULL as "") in valid UTF-8, ill-formed sequences replaced. Caller frees. */
char *utf8_sanitize(const char *s);

/*
 * True when XML 1.0 allows cp in a document (its Char production): \t, \n,
 * \r, U+0020..U+D7FF, U+E000..U+FFFD and U+10000..U+10FFFF. Not the other C0
 * controls, surrogates, U+FFFE or U+FFFF, not even as character references.
 */
bool utf8_xml_char(uint32_t cp);

/*
 * Called by utf8_write() for each character: returns true when it wrote its
 * own form of cp to f (an escape), false to have cp written as it is.
 */
typedef bool utf8_escape_fn(FILE *f, uint32_t cp, void *arg);

/*
 * Writes s (NULL as "") to f as valid UTF-8, ill-formed sequences as U+FFFD.
 * Each character, U+FFFD for a replaced sequence, is first offered to esc
 * with arg, unless esc is NULL.
 */
void utf8_write(FILE *f, const char *s, utf8_escape_fn *esc, void *arg);

/*
 * Writes s (NULL as "") for a terminal: as utf8_write(), with every control
 * character shown as an escape instead of acting (a lab's text could move the
 * cursor, clear a line or print a fake "result: PASS"): ESC as \e, CR as \r,
 * other C0 controls and DEL as \xHH, C1 controls (U+0080..U+009F) as \uHHHH;
 * backslashes pass as they are. Tabs pass; newlines pass when newlines is
 * true, else are written \n.
 */
void utf8_write_term(FILE *f, const char *s, bool newlines);

/*
 * As utf8_write_term() with newlines, for text of several lines under a
 * heading (a report's step line, a diagnostic): every line after the first,
 * and the first too when first is true, that does not start with a space or
 * a tab is written after indent. So no line of it starts at the first column,
 * where nflab's own lines ("result: PASS") are: a lab's newline cannot fake
 * one.
 */
void utf8_write_term_lines(FILE *f, const char *s, const char *indent, bool first);

#endif
