// SPDX-License-Identifier: GPL-2.0-or-later
/* UTF-8 made valid for reports, and XML 1.0's forbidden characters. */
#include "util/utf8.h"

#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"

/*
 * The well-formed sequences are those of the Unicode Standard's table 3-7:
 * the lead byte fixes the length, and the range of the second byte rules out
 * overlong forms (after 0xe0, 0xf0), surrogates (after 0xed) and code points
 * above U+10FFFF (after 0xf4). Later bytes are 0x80..0xbf.
 */
int32_t utf8_decode(const char *s, size_t n, size_t *len)
{
	const unsigned char *p = (const unsigned char *)s;
	unsigned char lo = 0x80, hi = 0xbf;
	size_t need, i;
	uint32_t cp;

	*len = 1;
	if (p[0] < 0x80)
		return p[0];
	if (p[0] >= 0xc2 && p[0] <= 0xdf) {
		need = 2;
		cp = p[0] & 0x1f;
	} else if (p[0] >= 0xe0 && p[0] <= 0xef) {
		need = 3;
		cp = p[0] & 0x0f;
		if (p[0] == 0xe0)
			lo = 0xa0;
		else if (p[0] == 0xed)
			hi = 0x9f;
	} else if (p[0] >= 0xf0 && p[0] <= 0xf4) {
		need = 4;
		cp = p[0] & 0x07;
		if (p[0] == 0xf0)
			lo = 0x90;
		else if (p[0] == 0xf4)
			hi = 0x8f;
	} else {
		return -1;
	}
	for (i = 1; i < need; i++) {
		if (i >= n || p[i] < lo || p[i] > hi) {
			*len = i;
			return -1;
		}
		cp = cp << 6 | (p[i] & 0x3f);
		lo = 0x80;
		hi = 0xbf;
	}
	*len = need;
	return (int32_t)cp;
}

size_t utf8_encode(uint32_t cp, char buf[UTF8_MAX])
{
	if (cp < 0x80) {
		buf[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		buf[0] = (char)(0xc0 | cp >> 6);
		buf[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if ((cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	if (cp < 0x10000) {
		buf[0] = (char)(0xe0 | cp >> 12);
		buf[1] = (char)(0x80 | (cp >> 6 & 0x3f));
		buf[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	buf[0] = (char)(0xf0 | cp >> 18);
	buf[1] = (char)(0x80 | (cp >> 12 & 0x3f));
	buf[2] = (char)(0x80 | (cp >> 6 & 0x3f));
	buf[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

bool utf8_valid(const char *s, size_t n)
{
	while (n) {
		size_t len;

		if (utf8_decode(s, n, &len) < 0)
			return false;
		s += len;
		n -= len;
	}
	return true;
}

char *utf8_sanitize(const char *s)
{
	size_t n = s ? strlen(s) : 0, o = 0;
	/* At worst each byte becomes a U+FFFD of three. */
	char *out = xmalloc(3 * n + 1);

	while (n) {
		size_t len;

		if (utf8_decode(s, n, &len) < 0) {
			memcpy(out + o, UTF8_REPLACEMENT_STR, 3);
			o += 3;
		} else {
			memcpy(out + o, s, len);
			o += len;
		}
		s += len;
		n -= len;
	}
	out[o] = '\0';
	return out;
}

bool utf8_xml_char(uint32_t cp)
{
	if (cp < 0x20)
		return cp == '\t' || cp == '\n' || cp == '\r';
	return cp <= 0xd7ff || (cp >= 0xe000 && cp <= 0xfffd) || (cp >= 0x10000 && cp <= 0x10ffff);
}

void utf8_write(FILE *f, const char *s, utf8_escape_fn *esc, void *arg)
{
	size_t n = s ? strlen(s) : 0;

	while (n) {
		size_t len;
		int32_t c = utf8_decode(s, n, &len);

		if (!esc || !esc(f, c < 0 ? UTF8_REPLACEMENT : (uint32_t)c, arg)) {
			if (c < 0)
				fputs(UTF8_REPLACEMENT_STR, f);
			else
				fwrite(s, 1, len, f);
		}
		s += len;
		n -= len;
	}
}

static bool term_escape(FILE *f, uint32_t cp, void *arg)
{
	bool newlines = *(const bool *)arg;

	if (cp == '\t' || (cp == '\n' && newlines) || (cp >= 0x20 && cp < 0x7f) || cp > 0x9f)
		return false;
	if (cp == '\n')
		fputs("\\n", f);
	else if (cp == '\r')
		fputs("\\r", f);
	else if (cp == 0x1b)
		fputs("\\e", f);
	else if (cp <= 0x7f)
		fprintf(f, "\\x%02x", (unsigned int)cp);
	else
		fprintf(f, "\\u%04x", (unsigned int)cp);
	return true;
}

void utf8_write_term(FILE *f, const char *s, bool newlines)
{
	utf8_write(f, s, term_escape, &newlines);
}

void utf8_write_term_lines(FILE *f, const char *s, const char *indent, bool first)
{
	const char *p = s ? s : "";

	for (;;) {
		const char *eol = strchr(p, '\n');
		char *line = eol ? xstrndup(p, (size_t)(eol - p)) : xstrdup(p);

		if ((p != s || first) && *line && *line != ' ' && *line != '\t')
			fputs(indent, f);
		utf8_write_term(f, line, false);
		free(line);
		if (!eol)
			break;
		fputc('\n', f);
		p = eol + 1;
	}
}
