// SPDX-License-Identifier: GPL-2.0-or-later
/* The pictures' text: XML escaping, wrapping, and a topology drawn from a lab in memory. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lab/lab.h"
#include "report/draw.h"
#include "report/svg.h"

/* svg_escape() into a new string. */
static char *escaped(const char *s)
{
	char *out = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&out, &size);

	svg_escape(f, s);
	fclose(f);
	return out;
}

static void test_escape(void **state)
{
	char buf[64], *s;

	(void)state;
	s = escaped("a <b> & \"c\" 'd'");
	assert_string_equal(s, "a &lt;b&gt; &amp; &quot;c&quot; &apos;d&apos;");
	free(s);
	/* Control bytes and broken UTF-8 have no place in XML: each becomes '?'. */
	s = escaped("tab\there\x01 \xff\xc3z");
	assert_string_equal(s, "tab?here? ??z");
	free(s);
	/* Whole UTF-8 characters pass, and count as one column each. */
	s = escaped("caf\xc3\xa9 \xe2\x86\x92");
	assert_string_equal(s, "caf\xc3\xa9 \xe2\x86\x92");
	free(s);
	assert_int_equal(svg_text_cols("caf\xc3\xa9 \xe2\x86\x92"), 6);
	/* The buffer form never cuts an entity or a character in two. */
	assert_string_equal(svg_escape_buf("x&y", buf, 5), "x");
	assert_string_equal(svg_escape_buf("x&y", buf, 7), "x&amp;");
	assert_string_equal(svg_escape_buf("\xc3\xa9\xc3\xa9", buf, 4), "\xc3\xa9");
	assert_string_equal(svg_escape_buf("<", buf, sizeof(buf)), "&lt;");
}

static void test_wrap(void **state)
{
	struct svg_lines l = {0};

	(void)state;
	svg_wrap(&l, "one two three four\nfive", 9);
	assert_int_equal(l.n, 4);
	assert_string_equal(l.v[0], "one two");
	assert_string_equal(l.v[1], "three");
	assert_string_equal(l.v[2], "four");
	assert_string_equal(l.v[3], "five");
	assert_int_equal(svg_lines_cols(&l), 7);
	svg_lines_release(&l);
	/* A word longer than a line is cut, never lost. */
	svg_wrap(&l, "abcdefghijklmnopqrstuvwxyz", 10);
	assert_int_equal(l.n, 3);
	assert_string_equal(l.v[2], "uvwxyz");
	svg_lines_release(&l);
}

static const char lab_text[] = "name: \"a <b> & c\"\n"
			       "nodes:\n"
			       "  client:\n"
			       "    interfaces: {eth0: 192.0.2.10/24}\n"
			       "    routes: [default via 192.0.2.1]\n"
			       "  router:\n"
			       "    router: true\n"
			       "    interfaces: {eth0: 192.0.2.1/24, eth1: [198.51.100.1/24, "
			       "2001:db8::1/64]}\n"
			       "  server:\n"
			       "    interfaces: {eth0: 198.51.100.20/24}\n"
			       "links:\n"
			       "  - [client:eth0, router:eth0]\n"
			       "  - [router:eth1, server:eth0]\n";

static char *drawn(const struct lab *lab, bool routes)
{
	char *out = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&out, &size);

	draw_topology(lab, routes, f);
	fclose(f);
	return out;
}

static void test_topology(void **state)
{
	static const char *const texts[] = {
		">client</text>",	  ">router</text>",	      ">server</text>",
		">192.0.2.10/24</text>",  ">192.0.2.1/24</text>",     ">198.51.100.1/24</text>",
		">2001:db8::1/64</text>", ">198.51.100.20/24</text>", ">a &lt;b&gt; &amp; c</text>",
	};
	struct diag d = DIAG_INIT;
	struct lab *lab = lab_load_buffer("t.yaml", lab_text, strlen(lab_text), "/nonexistent", &d);
	size_t order[3], i;
	char *svg;

	(void)state;
	assert_non_null(lab);
	svg = drawn(lab, true);
	assert_non_null(strstr(svg, "<svg xmlns=\"http://www.w3.org/2000/svg\""));
	assert_non_null(strstr(svg, "</svg>\n"));
	for (i = 0; i < sizeof(texts) / sizeof(texts[0]); i++)
		if (!strstr(svg, texts[i]))
			fail_msg("no %s in the picture", texts[i]);
	assert_null(strstr(svg, "<b>")); /* the lab's name never becomes markup */
	assert_non_null(strstr(svg, ">default via 192.0.2.1</text>"));
	free(svg);
	svg = drawn(lab, false);
	assert_null(strstr(svg, "default via"));
	free(svg);
	/* A chain is drawn left to right in its order. */
	draw_node_order(lab, order);
	assert_int_equal(order[0], 0);
	assert_int_equal(order[1], 1);
	assert_int_equal(order[2], 2);
	lab_free(lab);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escape),
		cmocka_unit_test(test_wrap),
		cmocka_unit_test(test_topology),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
