// SPDX-License-Identifier: GPL-2.0-or-later
#include "util/regex.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

/* The end of the bracket expression starting at s ('['), or NULL when it has none. */
static const char *bracket_end(const char *s)
{
	s++;
	if (*s == '^')
		s++;
	if (*s == ']') /* a ']' first is a member */
		s++;
	for (; *s && *s != ']'; s++)
		if (*s == '[' && (s[1] == ':' || s[1] == '.' || s[1] == '=')) {
			char close = s[1];

			for (s += 2; *s && !(s[0] == close && s[1] == ']'); s++)
				;
			if (!*s)
				return NULL;
			s++;
		}
	return *s ? s : NULL;
}

/* The copies an interval "{n}", "{n,}" or "{n,m}" at s implies, and its end in *end. */
static unsigned long interval_copies(const char *s, const char **end)
{
	char *e;
	unsigned long n = strtoul(s + 1, &e, 10), m = n;

	if (*e == ',')
		m = e[1] == '}' ? n + 1 : strtoul(e + 1, &e, 10);
	while (*e && *e != '}')
		e++;
	*end = *e ? e : e - 1;
	return (m > n ? m : n) ? (m > n ? m : n) : 1;
}

int regex_compile(regex_t *re, const char *s, int flags, char *err, size_t errlen)
{
	unsigned long copies = 1;
	bool after_rep = false;
	const char *p;
	int rc;

	for (p = s; *p; p++) {
		unsigned long f = 0;

		if (*p == '\\' && p[1]) {
			p++;
		} else if (*p == '[' && bracket_end(p)) {
			p = bracket_end(p);
		} else if (*p == '*' || *p == '?') {
			f = 1;
		} else if (*p == '+') {
			f = 2;
		} else if (*p == '{' && p != s) {
			f = interval_copies(p, &p);
		}
		if (f && after_rep) {
			snprintf(err, errlen,
				 "a repetition of a repetition at character %zu (\"a++\" is "
				 "undefined in POSIX): group it, \"(a+)+\"",
				 (size_t)(p - s) + 1);
			return -1;
		}
		if (f && (copies *= f) > REGEX_COPIES_MAX) {
			snprintf(err, errlen,
				 "its repetitions imply more than %d copies of a subexpression "
				 "(each \"+\" doubles, \"{n,m}\" multiplies by m): simplify it",
				 REGEX_COPIES_MAX);
			return -1;
		}
		after_rep = f != 0;
	}
	rc = regcomp(re, s, REG_EXTENDED | flags);
	if (rc) {
		regerror(rc, re, err, errlen); /* nothing to regfree() after a failure */
		return -1;
	}
	return 0;
}
