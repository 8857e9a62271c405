// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Reports CI servers can trust: any bytes made valid UTF-8, JSON strings that
 * always parse, and JUnit XML with nothing XML 1.0 forbids, whatever a lab's
 * programs printed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/json.h"
#include "report/suite_report.h"
#include "util/utf8.h"

#define R UTF8_REPLACEMENT_STR

/*
 * Well-formed UTF-8 by the Unicode Standard's table 3-7, written apart from
 * utf8_decode() so that one checks the other.
 */
static bool well_formed(const unsigned char *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		const unsigned char *p = s + i;
		size_t left = n - i;
#define IN(k, lo, hi) (left > (k) && p[k] >= (lo) && p[k] <= (hi))
		if (p[0] <= 0x7f)
			i += 1;
		else if (p[0] >= 0xc2 && p[0] <= 0xdf && IN(1, 0x80, 0xbf))
			i += 2;
		else if (p[0] == 0xe0 && IN(1, 0xa0, 0xbf) && IN(2, 0x80, 0xbf))
			i += 3;
		else if (((p[0] >= 0xe1 && p[0] <= 0xec) || p[0] == 0xee || p[0] == 0xef) &&
			 IN(1, 0x80, 0xbf) && IN(2, 0x80, 0xbf))
			i += 3;
		else if (p[0] == 0xed && IN(1, 0x80, 0x9f) && IN(2, 0x80, 0xbf))
			i += 3;
		else if (p[0] == 0xf0 && IN(1, 0x90, 0xbf) && IN(2, 0x80, 0xbf) &&
			 IN(3, 0x80, 0xbf))
			i += 4;
		else if (p[0] >= 0xf1 && p[0] <= 0xf3 && IN(1, 0x80, 0xbf) && IN(2, 0x80, 0xbf) &&
			 IN(3, 0x80, 0xbf))
			i += 4;
		else if (p[0] == 0xf4 && IN(1, 0x80, 0x8f) && IN(2, 0x80, 0xbf) &&
			 IN(3, 0x80, 0xbf))
			i += 4;
		else
			return false;
#undef IN
	}
	return true;
}

static void assert_sanitized(const char *in, const char *want)
{
	char *out = utf8_sanitize(in);

	assert_string_equal(out, want);
	assert_true(well_formed((const unsigned char *)out, strlen(out)));
	assert_true(utf8_valid(out, strlen(out)));
	free(out);
}

static void test_valid_unchanged(void **state)
{
	/* ASCII, é, →, 🐧, the last BMP scalar before the surrogates, the first after, U+10FFFF. */
	static const char text[] = "caf\xc3\xa9 \xe2\x86\x92 \xf0\x9f\x90\xa7 \xed\x9f\xbf "
				   "\xee\x80\x80 \xf4\x8f\xbf\xbf \xef\xbf\xbd \x7f\t\n";

	(void)state;
	assert_true(utf8_valid(text, strlen(text)));
	assert_sanitized(text, text);
	assert_sanitized("", "");
	assert_sanitized(NULL, "");
}

static void test_invalid_replaced(void **state)
{
	(void)state;
	/* Latin-1 and bytes that never occur in UTF-8: one U+FFFD each. */
	assert_false(utf8_valid("caf\351", 4));
	assert_sanitized("caf\351 \377\376", "caf" R " " R R);
	assert_sanitized("\x80\xbf", R R); /* continuation bytes alone */
	/* Overlong forms of '/' (and of NUL): one U+FFFD per byte. */
	assert_sanitized("\xc0\xaf", R R);
	assert_sanitized("\xc1\xbf", R R);
	assert_sanitized("a\xe0\x80\xaf", "a" R R R);
	assert_sanitized("\xf0\x80\x80\xaf", R R R R);
	/* Surrogates U+D800 and U+DFFF, CESU-8 style pairs too. */
	assert_sanitized("\xed\xa0\x80", R R R);
	assert_sanitized("\xed\xbf\xbf!", R R R "!");
	assert_sanitized("\xed\xa0\xbd\xed\xb0\xa7", R R R R R R);
	/* Beyond U+10FFFF: U+110000 and the old 5- and 6-byte forms. */
	assert_sanitized("\xf4\x90\x80\x80", R R R R);
	assert_sanitized("\xf5\x80\x80\x80", R R R R);
	assert_sanitized("\xf8\x88\x80\x80\x80", R R R R R);
	assert_sanitized("\xfc\x84\x80\x80\x80\x80", R R R R R R);
}

static void test_truncated(void **state)
{
	(void)state;
	/* The valid start of a sequence cut short is one U+FFFD (its maximal subpart). */
	assert_sanitized("ok\xc3", "ok" R);
	assert_sanitized("ok\xe2\x86", "ok" R);
	assert_sanitized("ok\xf0\x9f\x90", "ok" R);
	/* Cut short by a byte that does not continue it: that byte is kept. */
	assert_sanitized("\xe2\x86x\xf0\x9f\xc3\xa9", R "x" R "\xc3\xa9");
	assert_sanitized("\xe2\xe2\x86\x92", R "\xe2\x86\x92");
}

static void test_decode_encode(void **state)
{
	static const uint32_t cps[] = {0,      0x7f,   0x80,   0x7ff,	0x800,	 0xd7ff,  0xe000,
				       0xfffd, 0xfffe, 0xffff, 0x10000, 0x1f427, 0x10ffff};
	char buf[UTF8_MAX];
	size_t i, len, n;
	uint32_t cp;

	(void)state;
	assert_int_equal(utf8_decode("\xe2\x86\x92", 3, &len), 0x2192);
	assert_int_equal(len, 3);
	assert_int_equal(utf8_decode("\xe2\x86\x92", 2, &len), -1);
	assert_int_equal(len, 2);
	assert_int_equal(utf8_decode("\xff", 1, &len), -1);
	assert_int_equal(len, 1);
	for (i = 0; i < sizeof(cps) / sizeof(cps[0]); i++) {
		n = utf8_encode(cps[i], buf);
		assert_true(n >= 1 && n <= 4);
		assert_int_equal(utf8_decode(buf, n, &len), cps[i]);
		assert_int_equal(len, n);
	}
	assert_int_equal(utf8_encode(0xd800, buf), 0);
	assert_int_equal(utf8_encode(0xdfff, buf), 0);
	assert_int_equal(utf8_encode(0x110000, buf), 0);
	/* Every scalar value round-trips; the encoder's bytes pass the independent check. */
	for (cp = 0; cp <= 0x10ffff; cp++) {
		n = utf8_encode(cp, buf);
		if (cp >= 0xd800 && cp <= 0xdfff) {
			assert_int_equal(n, 0);
			continue;
		}
		assert_true(well_formed((unsigned char *)buf, n));
		assert_int_equal(utf8_decode(buf, n, &len), cp);
		assert_int_equal(len, n);
	}
}

/* Every sequence of up to three bytes: utf8_valid() agrees with table 3-7. */
static void test_exhaustive(void **state)
{
	unsigned char b[3];
	uint32_t v;

	(void)state;
	for (v = 0; v < 1u << 24; v++) {
		b[0] = (unsigned char)(v >> 16);
		b[1] = (unsigned char)(v >> 8);
		b[2] = (unsigned char)v;
		if (well_formed(b, 3) != utf8_valid((char *)b, 3))
			fail_msg("%02x %02x %02x: validity differs", b[0], b[1], b[2]);
		if (v < 1u << 16 && well_formed(b + 1, 2) != utf8_valid((char *)b + 1, 2))
			fail_msg("%02x %02x: validity differs", b[1], b[2]);
	}
}

static void test_xml_char(void **state)
{
	(void)state;
	assert_true(utf8_xml_char('\t'));
	assert_true(utf8_xml_char('\n'));
	assert_true(utf8_xml_char('\r'));
	assert_true(utf8_xml_char(' '));
	assert_true(utf8_xml_char(0x7f));
	assert_true(utf8_xml_char(0x85));
	assert_true(utf8_xml_char(0xd7ff));
	assert_true(utf8_xml_char(0xe000));
	assert_true(utf8_xml_char(0xfffd));
	assert_true(utf8_xml_char(0x10000));
	assert_true(utf8_xml_char(0x10ffff));
	assert_false(utf8_xml_char(0));
	assert_false(utf8_xml_char(0x01));
	assert_false(utf8_xml_char(0x1b));
	assert_false(utf8_xml_char(0x1f));
	assert_false(utf8_xml_char(0xd800));
	assert_false(utf8_xml_char(0xdfff));
	assert_false(utf8_xml_char(0xfffe));
	assert_false(utf8_xml_char(0xffff));
	assert_false(utf8_xml_char(0x110000));
}

/* ---- a strict JSON reader (RFC 8259), enough to say "valid" ---- */

static const char *json_value(const char *p);

static const char *json_ws(const char *p)
{
	while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
		p++;
	return p;
}

static const char *json_str(const char *p)
{
	if (*p++ != '"')
		return NULL;
	while (*p != '"') {
		unsigned char c = (unsigned char)*p;

		if (c < 0x20)
			return NULL; /* a raw control character, the end included */
		if (c == '\\') {
			p++;
			if (*p == 'u') {
				int k;

				for (k = 1; k <= 4; k++)
					if (!strchr("0123456789abcdefABCDEF", p[k]) || !p[k])
						return NULL;
				p += 5;
				continue;
			}
			if (!*p || !strchr("\"\\/bfnrt", *p))
				return NULL;
		}
		p++;
	}
	return p + 1;
}

static const char *json_number(const char *p)
{
	const char *start = p;

	if (*p == '-')
		p++;
	if (*p == '0')
		p++;
	else if (*p >= '1' && *p <= '9')
		while (*p >= '0' && *p <= '9')
			p++;
	else
		return NULL;
	if (*p == '.') {
		if (*++p < '0' || *p > '9')
			return NULL;
		while (*p >= '0' && *p <= '9')
			p++;
	}
	return p > start ? p : NULL;
}

static const char *json_list(const char *p, char close, bool object)
{
	p = json_ws(p + 1);
	if (*p == close)
		return p + 1;
	for (;;) {
		if (object) {
			p = json_str(json_ws(p));
			if (!p)
				return NULL;
			p = json_ws(p);
			if (*p++ != ':')
				return NULL;
		}
		p = json_value(p);
		if (!p)
			return NULL;
		p = json_ws(p);
		if (*p == close)
			return p + 1;
		if (*p++ != ',')
			return NULL;
	}
}

static const char *json_value(const char *p)
{
	p = json_ws(p);
	if (*p == '{')
		return json_list(p, '}', true);
	if (*p == '[')
		return json_list(p, ']', false);
	if (*p == '"')
		return json_str(p);
	if (!strncmp(p, "true", 4) || !strncmp(p, "null", 4))
		return p + 4;
	if (!strncmp(p, "false", 5))
		return p + 5;
	return json_number(p);
}

static void assert_json(const char *text)
{
	const char *end = json_value(text);

	if (!end || *json_ws(end))
		fail_msg("not one JSON value at byte %td:\n%s", end ? end - text : (ptrdiff_t)-1,
			 text);
	assert_true(well_formed((const unsigned char *)text, strlen(text)));
}

/* json_string() into a new string. */
static char *json_of(const char *s)
{
	char *out = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&out, &size);

	json_string(f, s);
	fclose(f);
	return out;
}

static void test_json_string(void **state)
{
	char *s;

	(void)state;
	s = json_of("q\" b\\ nl\n tab\t esc\x1b del\x7f caf\351 \xed\xa0\x80 \xc0\xaf end\xe2\x86");
	assert_string_equal(s, "\"q\\\" b\\\\ nl\\n tab\\u0009 esc\\u001b del\x7f caf" R " " R R R
			       " " R R " end" R "\"");
	assert_json(s);
	free(s);
	s = json_of("caf\xc3\xa9 \xf0\x9f\x90\xa7");
	assert_string_equal(s, "\"caf\xc3\xa9 \xf0\x9f\x90\xa7\"");
	free(s);
	s = json_of(NULL);
	assert_string_equal(s, "\"\"");
	free(s);
}

/* ---- the suite reports on a hand-built result ---- */

/* What a misbehaving lab leaves in the reports: broken UTF-8, colour codes, markup, quotes. */
#define NASTY                                                                                   \
	"caf\351 \377\376 \xed\xa0\x80 \xc0\xaf \x1b[31mred\x1b[0m \x01\x02\x7f <b>&amp;\"q\" " \
	"'a'\r\n"

static struct step_result bad_steps[] = {
	{.index = 1, .verdict = NFLAB_PASS, .ms = 1.5, .text = "run at client: printf ..."},
	{.index = 2,
	 .verdict = NFLAB_FAIL,
	 .ms = 2,
	 .text = "run \"quoted\"\tat\nclient " NASTY,
	 .detail =
		 "expected stdout containing \"x\"\nstdout:\n  | " NASTY "\xef\xbf\xbe\xef\xbf\xbf"
		 "\n"},
};

static struct lab_result runs[] = {
	{.path = "labs/basics/ok.yaml",
	 .run = 1,
	 .outcome = NFLAB_PASS,
	 .ms = 12.25,
	 .output = "ok\n"},
	{.path = "labs/x/bad\351\".yaml",
	 .run = 1,
	 .outcome = NFLAB_FAIL,
	 .ms = 30,
	 .output = "lab output " NASTY "\n\tend\n",
	 .steps = bad_steps,
	 .n_steps = 2},
	{.path = "labs/skip.yaml",
	 .run = 1,
	 .outcome = NFLAB_SKIP,
	 .diag = "needs \"tshark\"\nsecond line\twith tab " NASTY},
	{.path = "labs/slow.yaml",
	 .run = 1,
	 .outcome = NFLAB_ERROR,
	 .ms = 2000,
	 .timed_out = true,
	 .diag = "timed out after 2 s"},
	{.path = "labs/stopped.yaml",
	 .run = 1,
	 .outcome = NFLAB_ERROR,
	 .ms = 5,
	 .interrupted = true,
	 .steps = bad_steps,
	 .n_steps = 2,
	 .diag = "interrupted by SIGTERM before the lab ended\n"},
};

static struct suite_result result = {
	.runs = runs,
	.n = 5,
	.passed = 1,
	.failed = 1,
	.skipped = 1,
	.errors = 2,
	.ms = 2047,
	.interrupted = "SIGTERM",
	.started = 1796236800, /* 2026-12-02T18:40:00Z */
};

static char *report(void (*fn)(const struct suite_result *, unsigned int, FILE *),
		    const struct suite_result *res)
{
	char *out = NULL, *copy;
	size_t size = 0;
	FILE *f = open_memstream(&out, &size);

	fn(res, 1, f);
	fclose(f);
	assert_int_equal(strlen(out), size); /* no NUL written */
	/* A copy: gcc -O2 takes the memstream's buffer for a pointer to the local out. */
	copy = strdup(out);
	free(out);
	return copy;
}

/* The value of the first attribute name="..." after from, as written (escaped). */
static char *attr(const char *from, const char *name)
{
	char *key = NULL, *val;
	const char *p, *end;

	assert_true(asprintf(&key, " %s=\"", name) > 0);
	p = strstr(from, key);
	if (!p)
		fail_msg("no attribute %s", name);
	p += strlen(key);
	free(key);
	end = strchr(p, '"');
	assert_non_null(end);
	val = strndup(p, (size_t)(end - p));
	assert_non_null(val);
	return val;
}

/*
 * Valid UTF-8, only characters XML 1.0 allows, and in attribute values (inside
 * tags, between quotes) no raw tab, newline or carriage return: a parser would
 * read them as spaces.
 */
static void assert_xml_clean(const char *xml)
{
	size_t n = strlen(xml), i = 0, len;
	bool in_tag = false, in_value = false;

	assert_true(well_formed((const unsigned char *)xml, n));
	while (i < n) {
		int32_t cp = utf8_decode(xml + i, n - i, &len);

		assert_true(cp >= 0);
		if (!utf8_xml_char((uint32_t)cp))
			fail_msg("U+%04X at byte %zu is not allowed in XML", (unsigned int)cp, i);
		if (cp == '\r')
			fail_msg("raw CR at byte %zu", i);
		if (in_value && cp < 0x20)
			fail_msg("raw control character %#x in an attribute value at byte %zu",
				 (unsigned int)cp, i);
		if (!in_tag && cp == '<')
			in_tag = true;
		else if (in_tag && cp == '"')
			in_value = !in_value;
		else if (in_tag && !in_value && cp == '>')
			in_tag = false;
		i += len;
	}
	assert_false(in_tag);
}

static void test_junit(void **state)
{
	static const char skip_want[] =
		"needs &quot;tshark&quot;&#10;second line&#9;with tab caf" R;
	char *xml = report(suite_write_junit, &result), *v, *p;

	(void)state;
	assert_xml_clean(xml);
	/* testsuites: no skipped (the xunit schema has none there); testsuite has it all. */
	p = strstr(xml, "<testsuites ");
	assert_non_null(p);
	assert_true(strstr(p, "skipped=") > strchr(p, '>'));
	p = strstr(xml, "<testsuite ");
	assert_non_null(p);
	v = attr(p, "time");
	assert_string_equal(v, "2.047");
	free(v);
	v = attr(p, "skipped");
	assert_string_equal(v, "1");
	free(v);
	v = attr(p, "timestamp");
	assert_string_equal(v, "2026-12-02T18:40:00");
	free(v);
	v = attr(p, "hostname");
	assert_true(strlen(v) > 0);
	free(v);
	assert_non_null(strstr(xml, "<properties>\n      <property name=\"interrupted\" "
				    "value=\"SIGTERM\"/>\n    </properties>"));
	/* The failure: its first line as message, quotes and markup escaped, text marked. */
	p = strstr(xml, "<failure ");
	assert_non_null(p);
	v = attr(p, "message");
	assert_string_equal(v, "step 2: run &quot;quoted&quot;&#9;at");
	free(v);
	assert_non_null(strstr(p, "caf" R " " R R " " R R R " " R R " " R "[31mred" R "[0m " R R
				  "\x7f &lt;b&gt;&amp;amp;&quot;q&quot; 'a'&#13;\n"));
	assert_non_null(strstr(p, R R "\n")); /* U+FFFE, U+FFFF */
	assert_non_null(strstr(xml, "name=\"labs/x/bad" R "&quot;.yaml\""));
	/* Newlines and tabs in a message as character references. */
	p = strstr(xml, "<skipped ");
	assert_non_null(p);
	v = attr(p, "message");
	assert_true(!strncmp(v, skip_want, strlen(skip_want)));
	free(v);
	/* Errors: the timeout and the interruption say so. */
	p = strstr(xml, "name=\"labs/slow.yaml\"");
	assert_non_null(p);
	v = attr(strstr(p, "<error "), "message");
	assert_string_equal(v, "timed out after 2 s");
	free(v);
	p = strstr(xml, "name=\"labs/stopped.yaml\"");
	assert_non_null(p);
	v = attr(strstr(p, "<error "), "message");
	assert_string_equal(v, "interrupted by SIGTERM before the lab ended");
	free(v);
	free(xml);
}

static void test_junit_not_interrupted(void **state)
{
	struct lab_result lr = {.path = "x.yaml", .outcome = NFLAB_ERROR, .interrupted = true};
	struct suite_result res = {.runs = &lr, .n = 1, .errors = 1, .ms = -1};
	char *xml, *v;
	int y, mo, d, h, mi, s;

	(void)state;
	/* No start time (now), no interruption (no properties), a lab stopped with no reason. */
	xml = report(suite_write_junit, &res);
	assert_xml_clean(xml);
	assert_null(strstr(xml, "<properties>"));
	v = attr(strstr(xml, "<testsuite "), "timestamp");
	assert_int_equal(sscanf(v, "%4d-%2d-%2dT%2d:%2d:%2d", &y, &mo, &d, &h, &mi, &s), 6);
	assert_int_equal(strlen(v), 19);
	assert_true(y >= 2024);
	free(v);
	v = attr(strstr(xml, "<testsuite "), "time");
	assert_string_equal(v, "0.000");
	free(v);
	v = attr(strstr(xml, "<error "), "message");
	assert_string_equal(v, "interrupted");
	free(v);
	free(xml);
}

static void test_json_report(void **state)
{
	struct suite_result res = result;
	char *json = report(suite_write_json, &result);

	(void)state;
	assert_json(json);
	assert_non_null(strstr(json, "\"duration_ms\":2047.0,\"interrupted\":\"SIGTERM\"}"));
	assert_non_null(strstr(json,
			       "{\"lab\":\"labs/stopped.yaml\",\"run\":1,\"verdict\":\"error\","
			       "\"duration_ms\":5.0,\"timed_out\":false,\"interrupted\":true,"
			       "\"error\":\"interrupted by SIGTERM before the lab ended\\n\""));
	assert_non_null(strstr(json, "\"timed_out\":true,\"interrupted\":false,"
				     "\"error\":\"timed out after 2 s\""));
	assert_non_null(strstr(json, "\"lab\":\"labs/x/bad" R "\\\".yaml\""));
	assert_non_null(strstr(json, "\"text\":\"run \\\"quoted\\\"\\u0009at\\nclient caf" R));
	assert_non_null(strstr(json,
			       "\\u001b[31mred\\u001b[0m \\u0001\\u0002\x7f <b>&amp;\\\"q\\\" "
			       "'a'\\u000d\\n"));
	free(json);
	res.interrupted = NULL;
	json = report(suite_write_json, &res);
	assert_json(json);
	assert_non_null(strstr(json, ",\"interrupted\":null},"));
	free(json);
}

/* Text for a terminal: control characters shown as escapes, never acting. */
static void test_terminal(void **state)
{
	char *out = NULL;
	size_t size = 0;
	FILE *f;

	(void)state;
	f = open_memstream(&out, &size);
	utf8_write_term(f, "x\033[2K\rresult: PASS\n\tcaf\xc3\xa9\xc2\x85\x7f\x01", false);
	fputc('|', f);
	utf8_write_term(f, "a\nb", true);
	fclose(f);
	assert_string_equal(out, "x\\e[2K\\rresult: PASS\\n\tcaf\xc3\xa9\\u0085\\x7f\\x01|a\nb");
	free(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid_unchanged),
		cmocka_unit_test(test_terminal),
		cmocka_unit_test(test_invalid_replaced),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_decode_encode),
		cmocka_unit_test(test_exhaustive),
		cmocka_unit_test(test_xml_char),
		cmocka_unit_test(test_json_string),
		cmocka_unit_test(test_junit),
		cmocka_unit_test(test_junit_not_interrupted),
		cmocka_unit_test(test_json_report),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
