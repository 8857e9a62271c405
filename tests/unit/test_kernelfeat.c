// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * What a kernel can give: whether its trace events carry conntrack, decided
 * from the run's events first and the release after; which checks read it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "expect/source.h"
#include "util/kernel.h"

static void test_release_cmp(void **state)
{
	int cmp = 9;

	(void)state;
	assert_true(kernel_release_cmp("6.1.0-57-amd64", "6.16", &cmp));
	assert_true(cmp < 0);
	assert_true(kernel_release_cmp("6.16.0", "6.16", &cmp));
	assert_int_equal(cmp, 0);
	assert_true(kernel_release_cmp("6.18.44-fc-v1045", "6.16", &cmp));
	assert_true(cmp > 0);
	assert_false(kernel_release_cmp("6.1", "six", &cmp));
}

static void test_trace_ct_missing(void **state)
{
	char buf[300];
	const char *why;

	(void)state;
	/* Debian's 6.1, no event with conntrack: the version says it cannot. */
	why = trace_ct_missing("6.1.0-57-amd64", false, false, buf, sizeof(buf));
	assert_non_null(why);
	assert_string_equal(why, "kernel 6.1.0-57-amd64 cannot give conntrack in trace events "
				 "(added in 6.16)");
	/* An event carried it (a backport): evidence wins over the version. */
	assert_null(trace_ct_missing("6.1.0-57-amd64", true, false, buf, sizeof(buf)));
	/* 6.16 and later give it; the checks run and fail if it does not come. */
	assert_null(trace_ct_missing("6.16.0", false, false, buf, sizeof(buf)));
	assert_null(trace_ct_missing("6.18.44", false, false, buf, sizeof(buf)));
	/* The tests' switch, which says so. */
	why = trace_ct_missing("6.18.44", false, true, buf, sizeof(buf));
	assert_non_null(why);
	assert_non_null(strstr(why, "NFLAB_TEST_NO_TRACE_CT"));
	assert_non_null(strstr(why, "kernel 6.18.44"));
}

static void test_test_switch(void **state)
{
	(void)state;
	unsetenv("NFLAB_TEST_NO_TRACE_CT");
	assert_false(kernel_test_no_trace_ct());
	setenv("NFLAB_TEST_NO_TRACE_CT", "0", 1);
	assert_false(kernel_test_no_trace_ct());
	setenv("NFLAB_TEST_NO_TRACE_CT", "1", 1);
	assert_true(kernel_test_no_trace_ct());
	unsetenv("NFLAB_TEST_NO_TRACE_CT");
}

/* A check with the given fields in its match, from src. */
static const char *check_reads(enum expect_source src, const char *a, const char *b,
			       const char *distinct)
{
	struct pred preds[2];
	struct step_expect e = {.source = src, .preds = preds};

	memset(preds, 0, sizeof(preds));
	if (a) {
		preds[e.n_preds].field = source_field(src, a);
		assert_non_null(preds[e.n_preds++].field);
	}
	if (b) {
		preds[e.n_preds].field = source_field(src, b);
		assert_non_null(preds[e.n_preds++].field);
	}
	if (distinct)
		assert_non_null(e.distinct = source_field(src, distinct));
	return expect_trace_ct_field(&e);
}

static void test_trace_ct_field(void **state)
{
	(void)state;
	assert_string_equal(check_reads(SRC_TRACE, "trace.rule", "trace.ct.state", NULL),
			    "trace.ct.state");
	assert_string_equal(check_reads(SRC_TRACE, "trace.ct.direction", NULL, NULL),
			    "trace.ct.direction");
	assert_string_equal(check_reads(SRC_FATE, "fate", "fate.ct.state", NULL), "fate.ct.state");
	assert_string_equal(check_reads(SRC_TRACE, "ip.src", NULL, "trace.ct.id"), "trace.ct.id");
	/* Fields the kernel always gives. */
	assert_null(check_reads(SRC_TRACE, "trace.rule", "trace.verdict", NULL));
	assert_null(check_reads(SRC_FATE, "fate", "fate.rule", NULL));
	assert_null(check_reads(SRC_TRACE, NULL, NULL, NULL));
	/* NFLOG's conntrack is another feature, with its own skip. */
	assert_null(check_reads(SRC_NFLOG, "log.ct.state", NULL, NULL));
}

/* A check with field a in its match, from src: the log.ct.* field it reads. */
static const char *log_reads(enum expect_source src, const char *a, const char *distinct)
{
	struct pred pred;
	struct step_expect e = {.source = src, .preds = &pred, .n_preds = 1};

	memset(&pred, 0, sizeof(pred));
	assert_non_null(pred.field = source_field(src, a));
	if (distinct)
		assert_non_null(e.distinct = source_field(src, distinct));
	return expect_log_ct_field(&e);
}

static void test_log_ct_field(void **state)
{
	(void)state;
	assert_string_equal(log_reads(SRC_NFLOG, "log.ct.status", NULL), "log.ct.status");
	assert_string_equal(log_reads(SRC_NFLOG, "log.prefix", "log.ct.id"), "log.ct.id");
	assert_null(log_reads(SRC_NFLOG, "log.prefix", NULL));
	assert_null(log_reads(SRC_TRACE, "trace.ct.state", NULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_release_cmp),  cmocka_unit_test(test_trace_ct_missing),
		cmocka_unit_test(test_test_switch),  cmocka_unit_test(test_trace_ct_field),
		cmocka_unit_test(test_log_ct_field),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
