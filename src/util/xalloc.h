/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Allocation that aborts on exhaustion: a lab harness has nothing better to do without memory. */
#ifndef NFLAB_XALLOC_H
#define NFLAB_XALLOC_H

#include <stddef.h>

void *xmalloc(size_t size);
void *xzalloc(size_t size);
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *ptr, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* Returns a new string; caller frees. */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Grows *arr (of *cap elements of size elem) so that index n fits. */
#define XGROW(arr, n, cap)                                            \
	do {                                                          \
		if ((size_t)(n) >= (cap)) {                           \
			size_t _c = (cap) ? (cap)*2 : 8;              \
			while (_c <= (size_t)(n))                     \
				_c *= 2;                              \
			(arr) = xrealloc((arr), _c * sizeof(*(arr))); \
			(cap) = _c;                                   \
		}                                                     \
	} while (0)

#endif
