// SPDX-License-Identifier: GPL-2.0-or-later
/* The expectation matcher on canned event streams: counts, absence, windows, direction,
 * explanations. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "expect/expect.h"

/* Appends an ICMP error from src at point 0, direction dir. */
static void add_error(struct evlog *log, const char *src, enum pkt_dir dir)
{
	static const uint8_t none[1];
	struct event *e = evlog_add(log, none, 1);

	e->point = 0;
	e->dir = dir;
	e->ts_ns = 1000 * (uint64_t)log->n;
	e->pkt.outer.present = PKT_IP4 | PKT_ICMP4;
	ipaddr_parse(src, &e->pkt.outer.src, NULL);
	ipaddr_parse("198.51.100.10", &e->pkt.outer.dst, NULL);
	e->pkt.outer.icmp_type = 3;
	e->pkt.outer.icmp_code = 3;
}

static void make_expect(struct step_expect *e, const char *src, enum count_mode mode,
			unsigned int count)
{
	char err[128];

	memset(e, 0, sizeof(*e));
	e->preds = calloc(2, sizeof(*e->preds));
	assert_int_equal(
		pred_parse(field_find(pkt_fields, "ip.src"), src, &e->preds[0], err, sizeof(err)),
		0);
	assert_int_equal(pred_parse(field_find(pkt_fields, "icmp.type"), "destination-unreachable",
				    &e->preds[1], err, sizeof(err)),
			 0);
	e->n_preds = 2;
	e->mode = mode;
	e->count = count;
	e->dir = DIR_IN;
}

static void test_at_least_decides_at_nth(void **state)
{
	struct evlog log = EVLOG_INIT;
	struct step_expect e;
	struct expect_state st;

	(void)state;
	make_expect(&e, "203.0.113.10", COUNT_AT_LEAST, 2);
	expect_begin(&st, &e, 0, 0, 0);
	add_error(&log, "203.0.113.10", DIR_IN);
	expect_scan(&st, &log);
	assert_int_equal(expect_decide(&st, true, false), VERDICT_PENDING);
	add_error(&log, "192.168.42.1", DIR_IN);
	add_error(&log, "203.0.113.10", DIR_OUT); /* wrong direction */
	expect_scan(&st, &log);
	assert_int_equal(expect_decide(&st, true, false), VERDICT_PENDING);
	add_error(&log, "203.0.113.10", DIR_IN);
	expect_scan(&st, &log);
	assert_int_equal(st.matched, 2);
	assert_int_equal(expect_decide(&st, false, false), VERDICT_PASS);
	free(e.preds);
	evlog_release(&log);
}

static void test_at_least_fails_at_deadline(void **state)
{
	struct evlog log = EVLOG_INIT;
	struct step_expect e;
	struct expect_state st;

	(void)state;
	make_expect(&e, "203.0.113.10", COUNT_AT_LEAST, 1);
	expect_begin(&st, &e, 0, 0, 0);
	add_error(&log, "192.168.42.1", DIR_IN);
	expect_scan(&st, &log);
	/* Quiet does not end an at-least check: only a match or the deadline does. */
	assert_int_equal(expect_decide(&st, true, false), VERDICT_PENDING);
	assert_int_equal(expect_decide(&st, true, true), VERDICT_FAIL);
	assert_true(st.by_deadline);
	free(e.preds);
	evlog_release(&log);
}

static void test_exactly_and_none(void **state)
{
	struct evlog log = EVLOG_INIT;
	struct step_expect e;
	struct expect_state st;

	(void)state;
	make_expect(&e, "203.0.113.10", COUNT_EXACTLY, 1);
	expect_begin(&st, &e, 0, 0, 0);
	add_error(&log, "203.0.113.10", DIR_IN);
	expect_scan(&st, &log);
	assert_int_equal(expect_decide(&st, false, false), VERDICT_PENDING);
	assert_int_equal(expect_decide(&st, true, false), VERDICT_PASS);
	/* A second match before quiet fails at once. */
	expect_begin(&st, &e, 0, 0, 0);
	add_error(&log, "203.0.113.10", DIR_IN);
	expect_scan(&st, &log);
	assert_int_equal(expect_decide(&st, false, false), VERDICT_FAIL);
	free(e.preds);
	make_expect(&e, "203.0.113.1", COUNT_EXACTLY, 0);
	expect_begin(&st, &e, 0, 0, 0);
	expect_scan(&st, &log);
	assert_int_equal(expect_decide(&st, false, false), VERDICT_PENDING);
	assert_int_equal(expect_decide(&st, true, false), VERDICT_PASS);
	expect_begin(&st, &e, 0, 0, 0);
	add_error(&log, "203.0.113.1", DIR_IN);
	expect_scan(&st, &log);
	assert_int_equal(expect_decide(&st, false, false), VERDICT_FAIL);
	free(e.preds);
	evlog_release(&log);
}

static void test_window_ignores_older_events(void **state)
{
	struct evlog log = EVLOG_INIT;
	struct step_expect e;
	struct expect_state st;

	(void)state;
	make_expect(&e, "203.0.113.10", COUNT_EXACTLY, 0);
	add_error(&log, "203.0.113.10", DIR_IN); /* before the probe */
	expect_begin(&st, &e, 0, log.n, 0);
	expect_scan(&st, &log);
	assert_int_equal(expect_decide(&st, true, false), VERDICT_PASS);
	expect_begin(&st, &e, 0, 0, 0); /* since: start */
	expect_scan(&st, &log);
	assert_int_equal(expect_decide(&st, true, false), VERDICT_FAIL);
	free(e.preds);
	evlog_release(&log);
}

static void test_explain_names_the_mismatch(void **state)
{
	struct evlog log = EVLOG_INIT;
	struct step_expect e;
	struct expect_state st;
	char *text = NULL;
	size_t size = 0;
	FILE *f;

	(void)state;
	make_expect(&e, "203.0.113.11", COUNT_AT_LEAST, 1);
	expect_begin(&st, &e, 0, 0, 0);
	add_error(&log, "203.0.113.10", DIR_IN);
	expect_scan(&st, &log);
	assert_int_equal(expect_decide(&st, false, true), VERDICT_FAIL);
	f = open_memstream(&text, &size);
	expect_explain(&st, &log, "client:eth0", "", f);
	fclose(f);
	assert_non_null(strstr(text, "expected at least 1 matching packet, saw 0"));
	assert_non_null(strstr(text, "nearest of the 1 other packet at client:eth0"));
	assert_non_null(strstr(text, "ip.src: expected 203.0.113.11, got 203.0.113.10"));
	assert_null(strstr(text, "icmp.type: expected"));
	free(text);
	free(e.preds);
	evlog_release(&log);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_at_least_decides_at_nth),
		cmocka_unit_test(test_at_least_fails_at_deadline),
		cmocka_unit_test(test_exactly_and_none),
		cmocka_unit_test(test_window_ignores_older_events),
		cmocka_unit_test(test_explain_names_the_mismatch),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
