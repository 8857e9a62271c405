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
	expect_explain(&st, &log, "client:eth0", NULL, "", f);
	fclose(f);
	assert_non_null(strstr(text, "expected at least 1 matching packet, saw 0"));
	assert_non_null(strstr(text, "nearest of the 1 other packet at client:eth0"));
	assert_non_null(strstr(text, "ip.src: expected 203.0.113.11, got 203.0.113.10"));
	assert_null(strstr(text, "icmp.type: expected"));
	free(text);
	free(e.preds);
	evlog_release(&log);
}

/* Appends a packet at point 0, dir, sent from src.sport to dst.dport (UDP, or TCP with flags). */
static struct event *add_packet(struct evlog *log, enum pkt_dir dir, const char *src,
				uint16_t sport, const char *dst, uint16_t dport, int tcp_flags)
{
	static const uint8_t none[1];
	struct event *e = evlog_add(log, none, 1);

	e->point = 0;
	e->dir = dir;
	e->ts_ns = 1000 * (uint64_t)log->n;
	e->pkt.outer.present = PKT_PORTS | (tcp_flags >= 0 ? PKT_TCP : PKT_UDP) |
			       (strchr(src, ':') ? PKT_IP6 : PKT_IP4);
	e->pkt.outer.proto = tcp_flags >= 0 ? 6 : 17;
	ipaddr_parse(src, &e->pkt.outer.src, NULL);
	ipaddr_parse(dst, &e->pkt.outer.dst, NULL);
	e->pkt.outer.sport = sport;
	e->pkt.outer.dport = dport;
	e->pkt.outer.tcp_flags = (uint8_t)(tcp_flags >= 0 ? tcp_flags : 0);
	return e;
}

/* The explanation of a failed st, in a string the caller frees. */
static __attribute__((noinline)) char *explained(const struct expect_state *st,
						 const struct evlog *log, const struct pkt *flow)
{
	char *text = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&text, &size);

	expect_explain(st, log, "client:eth0", flow, "", f);
	fclose(f);
	return text;
}

/* Where needle starts in text, or -1. */
static long offset(const char *text, const char *needle)
{
	const char *at = strstr(text, needle);

	return at ? at - text : -1;
}

/* The flow's own packets rank before others as near, ARP and MLD last. */
static void test_nearest_ranks_flow_first(void **state)
{
	struct evlog log = EVLOG_INIT;
	struct step_expect e;
	struct expect_state st;
	struct event *ev;
	struct pkt flow;
	long err_at, udp_at, other_at;
	char *text;

	(void)state;
	make_expect(&e, "203.0.113.11", COUNT_AT_LEAST, 1);
	ev = evlog_add(&log, (const uint8_t[1]){0}, 1); /* an ARP reply, in */
	ev->dir = DIR_IN;
	ev->pkt.present = PKT_ETH;
	ev->pkt.eth_type = 0x0806;
	ev->pkt.arp_op = 2;
	ev = evlog_add(&log, (const uint8_t[1]){0}, 1); /* an MLD report, in */
	ev->dir = DIR_IN;
	ev->pkt.outer.present = PKT_IP6 | PKT_ICMP6;
	ev->pkt.outer.proto = 58;
	ipaddr_parse("fe80::2", &ev->pkt.outer.src, NULL);
	ipaddr_parse("ff02::16", &ev->pkt.outer.dst, NULL);
	ev->pkt.outer.icmp_type = 143;
	flow = add_packet(&log, DIR_OUT, "198.51.100.10", 40000, "203.0.113.10", 9, -1)->pkt;
	add_packet(&log, DIR_IN, "192.0.2.99", 53, "198.51.100.10", 40000, -1);
	add_error(&log, "203.0.113.10", DIR_IN); /* quotes nothing, same hosts */
	expect_begin(&st, &e, 0, 0, 0);
	expect_scan(&st, &log);
	assert_int_equal(expect_decide(&st, false, true), VERDICT_FAIL);
	text = explained(&st, &log, &flow);
	err_at = offset(text, "ICMP port unreachable");
	udp_at = offset(text, "198.51.100.10.40000 > 203.0.113.10.9");
	other_at = offset(text, "192.0.2.99");
	/*
	 * The error satisfies icmp.type; of the others, which satisfy nothing, the
	 * flow's datagram (sent, the wrong direction) comes before the stranger's
	 * (received). ARP and MLD, which satisfy nothing either, are not shown.
	 */
	assert_true(err_at >= 0 && err_at < udp_at && udp_at < other_at);
	assert_null(strstr(text, "ARP"));
	assert_null(strstr(text, "ff02::16"));
	free(text);
	free(e.preds);
	evlog_release(&log);
}

/* A condition that holds outranks kinship: the SYN/ACK from the wrong address comes first. */
static void test_nearest_conditions_before_kinship(void **state)
{
	struct evlog log = EVLOG_INIT;
	struct step_expect e;
	struct expect_state st;
	struct pkt flow;
	char err[128], *text;
	long synack_at, syn_at;

	(void)state;
	memset(&e, 0, sizeof(e));
	e.preds = calloc(3, sizeof(*e.preds));
	assert_int_equal(pred_parse(field_find(pkt_fields, "ip.src"), "203.0.113.1", &e.preds[0],
				    err, sizeof(err)),
			 0);
	assert_int_equal(pred_parse(field_find(pkt_fields, "tcp.sport"), "80", &e.preds[1], err,
				    sizeof(err)),
			 0);
	assert_int_equal(pred_parse(field_find(pkt_fields, "tcp.flags"), "syn,ack", &e.preds[2],
				    err, sizeof(err)),
			 0);
	e.n_preds = 3;
	e.mode = COUNT_EXACTLY;
	e.count = 1;
	e.dir = DIR_IN;
	flow = add_packet(&log, DIR_OUT, "192.168.1.10", 47214, "203.0.113.1", 80, 0x02)->pkt;
	add_packet(&log, DIR_IN, "192.168.1.20", 80, "192.168.1.10", 47214, 0x12);
	expect_begin(&st, &e, 0, 0, 0);
	expect_scan(&st, &log);
	assert_int_equal(expect_decide(&st, false, true), VERDICT_FAIL);
	text = explained(&st, &log, &flow);
	synack_at = offset(text, "192.168.1.20.80 > 192.168.1.10.47214");
	syn_at = offset(text, "192.168.1.10.47214 > 203.0.113.1.80");
	assert_true(synack_at >= 0 && synack_at < syn_at);
	assert_non_null(strstr(text, "ip.src: expected 203.0.113.1, got 192.168.1.20"));
	free(text);
	free(e.preds);
	evlog_release(&log);
}

static void test_explain_shows_flags_and_quotes_text(void **state)
{
	struct evlog log = EVLOG_INIT;
	struct step_expect e;
	struct expect_state st;
	struct event *ev;
	char err[128], *text;

	(void)state;
	memset(&e, 0, sizeof(e));
	e.preds = calloc(1, sizeof(*e.preds));
	assert_int_equal(pred_parse(field_find(pkt_fields, "tcp.flags"), "syn", &e.preds[0], err,
				    sizeof(err)),
			 0);
	e.n_preds = 1;
	e.mode = COUNT_AT_LEAST;
	e.count = 1;
	add_packet(&log, DIR_IN, "203.0.113.10", 80, "198.51.100.10", 40000, 0x12);
	expect_begin(&st, &e, 0, 0, 0);
	expect_scan(&st, &log);
	assert_int_equal(expect_decide(&st, false, true), VERDICT_FAIL);
	text = explained(&st, &log, NULL);
	assert_non_null(strstr(text, "tcp.flags: expected syn, got syn,ack [S.]"));
	free(text);
	free(e.preds);
	/* NFLOG prefixes are text: quoted, so a trailing space shows. */
	memset(&e, 0, sizeof(e));
	e.source = SRC_NFLOG;
	e.preds = calloc(1, sizeof(*e.preds));
	assert_int_equal(pred_parse(field_find(log_fields, "log.prefix"), "acc-rpf4", &e.preds[0],
				    err, sizeof(err)),
			 0);
	e.n_preds = 1;
	e.mode = COUNT_AT_LEAST;
	e.count = 1;
	ev = evlog_add_node(&log, EV_LOG, 0, NULL, 0);
	snprintf(ev->log.prefix, sizeof(ev->log.prefix), "acc-rpf4 ");
	expect_begin(&st, &e, 0, 0, 0);
	expect_scan(&st, &log);
	assert_int_equal(expect_decide(&st, false, true), VERDICT_FAIL);
	text = explained(&st, &log, NULL);
	assert_non_null(strstr(text, "log.prefix: expected \"acc-rpf4\", got \"acc-rpf4 \""));
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
		cmocka_unit_test(test_nearest_ranks_flow_first),
		cmocka_unit_test(test_nearest_conditions_before_kinship),
		cmocka_unit_test(test_explain_shows_flags_and_quotes_text),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
