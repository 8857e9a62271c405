// SPDX-License-Identifier: GPL-2.0-or-later
/* Text built piece by piece into a fixed buffer, cut at its end, never past it. */
#include "util/textbuf.h"

#include <stdarg.h>
#include <stdio.h>

void textbuf_appendf(char *buf, size_t len, size_t *n, const char *fmt, ...)
{
	va_list ap;
	int k;

	if (*n >= len)
		return;
	va_start(ap, fmt);
	k = vsnprintf(buf + *n, len - *n, fmt, ap);
	va_end(ap);
	*n = k < 0 ? *n : *n + (size_t)k < len ? *n + (size_t)k : len;
}
