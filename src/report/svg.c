// SPDX-License-Identifier: GPL-2.0-or-later
/* SVG writing shared by the pictures: XML-safe text, measured in monospace, and wrapped. */
#include "report/svg.h"

#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"

/* Length of the UTF-8 character at s, or 0 when s does not start a valid one. */
static size_t utf8_len(const unsigned char *s)
{
	size_t n, i;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4;
	else
		return 0;
	for (i = 1; i < n; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	return n;
}

/*
 * The escaped form of the character at s: an entity, "?" or s itself (*n bytes).
 * Returns NULL when s itself is to be copied.
 */
static const char *escape_one(const unsigned char *s, size_t *n)
{
	*n = utf8_len(s);
	if (!*n) {
		*n = 1;
		return "?";
	}
	switch (*s) {
	case '&':
		return "&amp;";
	case '<':
		return "&lt;";
	case '>':
		return "&gt;";
	case '"':
		return "&quot;";
	case '\'':
		return "&apos;";
	default:
		/* XML 1.0 has no place for control characters, even as references. */
		return *s < 0x20 || *s == 0x7f ? "?" : NULL;
	}
}

void svg_escape(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	while (*p) {
		size_t n;
		const char *e = escape_one(p, &n);

		if (e)
			fputs(e, f);
		else
			fwrite(p, 1, n, f);
		p += n;
	}
}

const char *svg_escape_buf(const char *s, char *buf, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t o = 0;

	if (!len)
		return buf;
	while (*p) {
		size_t n;
		const char *e = escape_one(p, &n);
		const char *from = e ? e : (const char *)p;
		size_t m = e ? strlen(e) : n;

		if (o + m >= len)
			break;
		memcpy(buf + o, from, m);
		o += m;
		p += n;
	}
	buf[o] = '\0';
	return buf;
}

size_t svg_text_cols(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t cols = 0;

	while (*p) {
		size_t n = utf8_len(p);

		p += n ? n : 1;
		cols++;
	}
	return cols;
}

double svg_text_width(const char *s, double px)
{
	return (double)svg_text_cols(s) * SVG_CHAR_EM * px;
}

void svg_begin(FILE *f, double w, double h, const char *css)
{
	fprintf(f,
		"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" "
		"viewBox=\"0 0 %.0f %.0f\" font-family=\"DejaVu Sans Mono, monospace\">\n",
		w, h, w, h);
	if (css)
		fprintf(f, "<style>\n%s</style>\n", css);
	fprintf(f, "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n");
}

void svg_end(FILE *f)
{
	fputs("</svg>\n", f);
}

void svg_text(FILE *f, double x, double y, const char *cls, const char *anchor, const char *s)
{
	fprintf(f, "<text x=\"%.1f\" y=\"%.1f\"", x, y);
	if (cls)
		fprintf(f, " class=\"%s\"", cls);
	if (anchor)
		fprintf(f, " text-anchor=\"%s\"", anchor);
	fputc('>', f);
	svg_escape(f, s);
	fputs("</text>\n", f);
}

void svg_lines_add(struct svg_lines *l, const char *s)
{
	XGROW(l->v, l->n, l->cap);
	l->v[l->n++] = xstrdup(s);
}

/* Bytes of the first cols characters of s (all of s when shorter). */
static size_t cols_bytes(const char *s, size_t len, size_t cols)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t o = 0;

	while (o < len && cols--) {
		size_t n = utf8_len(p + o);

		o += n ? n : 1;
	}
	return o < len ? o : len;
}

/* Appends one paragraph (no '\n') of len bytes, wrapped. */
static void wrap_para(struct svg_lines *l, const char *s, size_t len, size_t cols)
{
	while (len) {
		size_t take = cols_bytes(s, len, cols), cut = take;

		if (take < len) {
			/* Break at the last space that fits; a word longer than a line is cut. */
			while (cut > 0 && s[cut] != ' ')
				cut--;
			if (!cut)
				cut = take;
		}
		XGROW(l->v, l->n, l->cap);
		l->v[l->n++] = xstrndup(s, cut);
		s += cut;
		len -= cut;
		while (len && *s == ' ') {
			s++;
			len--;
		}
	}
}

void svg_wrap(struct svg_lines *l, const char *s, size_t cols)
{
	if (cols < 8)
		cols = 8;
	for (;;) {
		const char *nl = strchr(s, '\n');
		size_t len = nl ? (size_t)(nl - s) : strlen(s);

		if (len)
			wrap_para(l, s, len, cols);
		else if (nl)
			svg_lines_add(l, "");
		if (!nl)
			break;
		s = nl + 1;
	}
}

size_t svg_lines_cols(const struct svg_lines *l)
{
	size_t i, max = 0;

	for (i = 0; i < l->n; i++) {
		size_t c = svg_text_cols(l->v[i]);

		if (c > max)
			max = c;
	}
	return max;
}

void svg_lines_release(struct svg_lines *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	memset(l, 0, sizeof(*l));
}
