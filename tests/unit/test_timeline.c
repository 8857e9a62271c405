// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The story puts each conntrack event on the packet that caused it, keeps a
 * double-NATed packet in one group, and names NAT by direction: canned event
 * logs, no kernel needed. Each case is one the issue found told wrongly.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "observe/ctev.h"
#include "observe/event.h"
#include "report/timeline.h"
#include "util/ipaddr.h"

/* After our headers: they bring <netinet/in.h>, which must come before it. */
#include <linux/netfilter.h>

#define MS 1000000ull
#define T0 (1700000000ull * 1000000000ull)

enum { FIN = 0x01, SYN = 0x02, RST = 0x04, ACK = 0x10 };

/* One router with two capture points: eth0 (point 0) and eth1 (point 1). */
static struct lab_iface ifaces[2] = {{.name = "eth0"}, {.name = "eth1"}};
static struct lab_node nodes[1] = {{.name = "router", .ifaces = ifaces, .n_ifaces = 2}};
/* Checks, for the ticks and crosses: steps 1 to 3 of t.yaml, at lines 7, 9 and 11. */
static struct lab_step steps[3] = {
	{.kind = STEP_EXPECT, .loc = {"t.yaml", 7, 5}},
	{.kind = STEP_EXPECT, .loc = {"t.yaml", 9, 5}},
	{.kind = STEP_EXPECT, .loc = {"t.yaml", 11, 5}, .expect = {.mode = COUNT_EXACTLY, .count = 1}},
};
static struct lab lab = {.name = "t", .nodes = nodes, .n_nodes = 1, .steps = steps, .n_steps = 3};
static const size_t point_node[] = {0, 0}, point_iface[] = {0, 1};
static const char *const point_name[] = {"router:eth0", "router:eth1"};

static struct evlog log_;

static struct ipaddr ip(const char *s)
{
	struct ipaddr a;

	assert_int_equal(ipaddr_parse(s, &a, NULL), 0);
	return a;
}

/* A TCP segment src:sp > dst:dp with flags at point, dir, t ms; returns its seq. */
static size_t tcp(double t, size_t point, enum pkt_dir dir, const char *src, uint16_t sp,
		  const char *dst, uint16_t dp, uint8_t flags, uint32_t seq)
{
	struct event *ev = evlog_add(&log_, (const uint8_t *)"", 0);
	struct pkt_hdrs *h = &ev->pkt.outer;

	ev->ts_ns = T0 + (uint64_t)(t * MS);
	ev->point = point;
	ev->dir = dir;
	h->present = PKT_IP4 | PKT_TCP | PKT_PORTS;
	h->proto = 6;
	h->src = ip(src);
	h->dst = ip(dst);
	h->sport = sp;
	h->dport = dp;
	h->tcp_flags = flags;
	h->tcp_seq = seq;
	h->id = 0; /* as a SYN/ACK's: hops cannot be linked by the IPv4 id */
	return ev->seq;
}

/* A conntrack event read at t ms: orig s:sp > d:dp, reply rs:rsp > rd:rdp. */
static size_t ct(double t, uint8_t type, uint8_t state, const char *s, uint16_t sp, const char *d,
		 uint16_t dp, const char *rs, uint16_t rsp, const char *rd, uint16_t rdp)
{
	struct ct_rec r = {.event = type, .proto = 6, .id = 7, .tcp_state = state};
	struct event *ev;

	r.present = CT_HAS_PORTS | (state ? CT_HAS_TCP_STATE : 0);
	r.orig_src = ip(s);
	r.orig_dst = ip(d);
	r.reply_src = ip(rs);
	r.reply_dst = ip(rd);
	r.orig_sport = sp;
	r.orig_dport = dp;
	r.reply_sport = rsp;
	r.reply_dport = rdp;
	ev = evlog_add_ct(&log_, 0, &r);
	ev->ts_ns = T0 + (uint64_t)(t * MS);
	return ev->seq;
}

static const struct timeline_entry *entry(const struct timeline_story *s, size_t seq)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (s->e[i].ev->seq == seq)
			return &s->e[i];
	fail_msg("event %zu not in the story", seq);
	return NULL;
}

/* The context of the log; n_points 2: told that every interface is captured. */
static struct timeline_ctx ctx(size_t n_points)
{
	return (struct timeline_ctx){.lab = &lab,
				     .log = &log_,
				     .point_node = point_node,
				     .point_iface = point_iface,
				     .point_name = point_name,
				     .n_points = n_points,
				     .start_real = T0};
}

/* The story as nflab run tells it: every interface of the router is captured. */
static void story_captured(struct timeline_story *s)
{
	struct timeline_ctx c = ctx(2);

	timeline_story_init(s, &c);
}

static void story(struct timeline_story *s)
{
	struct timeline_ctx c = ctx(0);

	timeline_story_init(s, &c);
}

static int teardown(void **state)
{
	(void)state;
	evlog_release(&log_);
	memset(&log_, 0, sizeof(log_));
	return 0;
}

#define C "192.0.2.10"
#define PUB "203.0.113.20"
#define SRV "198.51.100.20"

/* A DNATed handshake whose three events are read after the last ACK. */
static void test_handshake_events_on_their_segments(void **state)
{
	struct timeline_story s;
	size_t syn, synack_in, synack_out, ack, e_new, e_recv, e_est;

	(void)state;
	syn = tcp(1.000, 0, DIR_IN, C, 40000, PUB, 80, SYN, 100);
	tcp(1.010, 1, DIR_OUT, C, 40000, SRV, 80, SYN, 100);
	synack_in = tcp(1.100, 1, DIR_IN, SRV, 80, C, 40000, SYN | ACK, 500);
	synack_out = tcp(1.110, 0, DIR_OUT, PUB, 80, C, 40000, SYN | ACK, 500);
	ack = tcp(1.200, 0, DIR_IN, C, 40000, PUB, 80, ACK, 101);
	tcp(1.210, 1, DIR_OUT, C, 40000, SRV, 80, ACK, 101);
	e_new = ct(1.300, CT_NEW, 1, C, 40000, PUB, 80, SRV, 80, C, 40000);
	e_recv = ct(1.301, CT_UPDATE, 2, C, 40000, PUB, 80, SRV, 80, C, 40000);
	e_est = ct(1.302, CT_UPDATE, 3, C, 40000, PUB, 80, SRV, 80, C, 40000);
	story(&s);
	assert_int_equal(entry(&s, e_new)->group, entry(&s, syn)->group);
	assert_int_equal(entry(&s, e_recv)->group, entry(&s, synack_in)->group);
	assert_int_equal(entry(&s, e_est)->group, entry(&s, ack)->group);
	/* The SYN/ACK is a reply: its source is un-DNATed, not SNATed. */
	assert_int_equal(entry(&s, synack_out)->group, entry(&s, synack_in)->group);
	assert_non_null(entry(&s, synack_out)->rewrite);
	assert_string_equal(entry(&s, synack_out)->rewrite,
			    "  <= reverse DNAT 198.51.100.20:80 -> 203.0.113.20:80");
	timeline_story_release(&s);
}

/* A segment conntrack ignored comes first; the FIN that moved the state later. */
static void test_state_change_skips_an_ignored_segment(void **state)
{
	struct timeline_story s;
	size_t fin, upd, invalid;

	(void)state;
	tcp(1.0, 0, DIR_IN, C, 40000, SRV, 80, SYN, 100);
	ct(1.1, CT_NEW, 1, C, 40000, SRV, 80, SRV, 80, C, 40000);
	invalid = tcp(54.5, 0, DIR_IN, C, 40000, SRV, 80, ACK, 90000);
	fin = tcp(92.7, 0, DIR_IN, C, 40000, SRV, 80, FIN | ACK, 101);
	upd = ct(92.8, CT_UPDATE, 4, C, 40000, SRV, 80, SRV, 80, C, 40000);
	story(&s);
	assert_int_equal(entry(&s, upd)->group, entry(&s, fin)->group);
	assert_int_not_equal(entry(&s, upd)->group, entry(&s, invalid)->group);
	timeline_story_release(&s);
}

/* Never on a later packet, never on one long before: it stands alone. */
static void test_late_event_stands_alone(void **state)
{
	struct timeline_story s;
	size_t first, second, late, i;

	(void)state;
	first = tcp(21.8, 0, DIR_IN, C, 40000, SRV, 80, SYN, 100);
	late = ct(400.0, CT_NEW, 1, C, 40000, SRV, 80, SRV, 80, C, 40000);
	second = tcp(564.0, 0, DIR_IN, C, 40000, SRV, 80, SYN, 100);
	story(&s);
	assert_int_not_equal(entry(&s, late)->group, entry(&s, first)->group);
	assert_int_not_equal(entry(&s, late)->group, entry(&s, second)->group);
	for (i = 0; i < s.n; i++) /* its group holds no packet */
		if (s.e[i].group == entry(&s, late)->group)
			assert_int_not_equal(s.e[i].ev->kind, EV_PACKET);
	timeline_story_release(&s);
}

/* Hairpin: both ends of the SYN/ACK rewritten at once, id 0: still one packet. */
static void test_double_nat_is_one_packet(void **state)
{
	struct timeline_story s;
	size_t in, out;

	(void)state;
	tcp(1.0, 0, DIR_IN, "192.168.1.10", 43001, "203.0.113.1", 80, SYN, 100);
	tcp(1.01, 0, DIR_OUT, "192.168.1.1", 43001, "192.168.1.20", 80, SYN, 100);
	ct(1.02, CT_NEW, 1, "192.168.1.10", 43001, "203.0.113.1", 80, "192.168.1.20", 80,
	   "192.168.1.1", 43001);
	in = tcp(1.1, 0, DIR_IN, "192.168.1.20", 80, "192.168.1.1", 43001, SYN | ACK, 500);
	out = tcp(1.11, 0, DIR_OUT, "203.0.113.1", 80, "192.168.1.10", 43001, SYN | ACK, 500);
	story(&s);
	assert_int_equal(entry(&s, out)->group, entry(&s, in)->group);
	assert_string_equal(entry(&s, out)->rewrite,
			    "  <= reverse DNAT 192.168.1.20:80 -> 203.0.113.1:80, reverse SNAT "
			    "192.168.1.1:43001 -> 192.168.1.10:43001");
	timeline_story_release(&s);
}

/* No conntrack observer: the first rewritten hop of a flow is its original direction. */
static void test_direction_without_conntrack_events(void **state)
{
	struct timeline_story s;
	size_t out, reply_out;

	(void)state;
	tcp(1.0, 0, DIR_IN, "10.0.0.2", 40000, SRV, 80, SYN, 100);
	out = tcp(1.01, 1, DIR_OUT, "203.0.113.1", 40000, SRV, 80, SYN, 100);
	tcp(1.1, 1, DIR_IN, SRV, 80, "203.0.113.1", 40000, SYN | ACK, 500);
	reply_out = tcp(1.11, 0, DIR_OUT, SRV, 80, "10.0.0.2", 40000, SYN | ACK, 500);
	story(&s);
	assert_string_equal(entry(&s, out)->rewrite, "  <= SNAT 10.0.0.2:40000 -> 203.0.113.1:40000");
	assert_string_equal(entry(&s, reply_out)->rewrite,
			    "  <= reverse SNAT 203.0.113.1:40000 -> 10.0.0.2:40000");
	timeline_story_release(&s);
}

/*
 * Conntrack makes NEW and TCP state changes where it first sees the packet:
 * prerouting for one that came in, output for one the node sent. Other events,
 * and events without a packet, have no hook: nflab does not guess.
 */
static void test_conntrack_hooks(void **state)
{
	struct timeline_story s;
	size_t e_new, e_recv, e_est, e_destroy, e_local, e_mark;
	struct event *ev;

	(void)state;
	tcp(1.000, 0, DIR_IN, C, 40000, PUB, 80, SYN, 100);
	tcp(1.010, 1, DIR_OUT, C, 40000, SRV, 80, SYN, 100);
	tcp(1.100, 1, DIR_IN, SRV, 80, C, 40000, SYN | ACK, 500);
	tcp(1.110, 0, DIR_OUT, PUB, 80, C, 40000, SYN | ACK, 500);
	tcp(1.200, 0, DIR_IN, C, 40000, PUB, 80, ACK, 101);
	tcp(1.210, 1, DIR_OUT, C, 40000, SRV, 80, ACK, 101);
	e_new = ct(1.300, CT_NEW, 1, C, 40000, PUB, 80, SRV, 80, C, 40000);
	e_recv = ct(1.301, CT_UPDATE, 2, C, 40000, PUB, 80, SRV, 80, C, 40000);
	e_est = ct(1.302, CT_UPDATE, 3, C, 40000, PUB, 80, SRV, 80, C, 40000);
	/* The same state with another mark: a rule's "ct mark set", in any hook. */
	e_mark = ct(1.303, CT_UPDATE, 3, C, 40000, PUB, 80, SRV, 80, C, 40000);
	log_.ev[e_mark].ct.mark = 5;
	e_destroy = ct(1.304, CT_DESTROY, 3, C, 40000, PUB, 80, SRV, 80, C, 40000);
	/* The router's own SYN, leaving eth1 and never arriving: made in output. */
	tcp(3.000, 1, DIR_OUT, "198.51.100.1", 41000, SRV, 22, SYN, 900);
	e_local = ct(3.001, CT_NEW, 1, "198.51.100.1", 41000, SRV, 22, SRV, 22, "198.51.100.1",
		     41000);
	log_.ev[e_local].ct.id = 8;
	story_captured(&s);
	assert_int_equal(entry(&s, e_new)->hook, NF_INET_PRE_ROUTING);
	assert_int_equal(entry(&s, e_recv)->hook, NF_INET_PRE_ROUTING);
	assert_int_equal(entry(&s, e_est)->hook, NF_INET_PRE_ROUTING);
	assert_int_equal(entry(&s, e_mark)->hook, -1);
	assert_int_equal(entry(&s, e_destroy)->hook, -1);
	assert_int_equal(entry(&s, e_local)->hook, NF_INET_LOCAL_OUT);
	timeline_story_release(&s);
	/* Not told that every interface is captured: a packet seen leaving only may have come in
	 * unseen. */
	story(&s);
	assert_int_equal(entry(&s, e_local)->hook, -1);
	assert_int_equal(entry(&s, e_new)->hook, NF_INET_PRE_ROUTING);
	timeline_story_release(&s);
	/* NFLOG records carry the kernel's hook; trace events the one trace.c found. */
	ev = evlog_add_node(&log_, EV_LOG, 0, NULL, 0);
	ev->ts_ns = T0 + 5 * MS;
	ev->log.hook = NF_INET_FORWARD;
	ev = evlog_add_node(&log_, EV_TRACE, 0, NULL, 0);
	ev->ts_ns = T0 + 6 * MS;
	ev = evlog_add_node(&log_, EV_TRACE, 0, NULL, 0);
	ev->ts_ns = T0 + 7 * MS;
	ev->trace.present = TRACE_HAS_HOOK;
	ev->trace.hook = NF_INET_POST_ROUTING;
	story(&s);
	assert_int_equal(entry(&s, log_.n - 3)->hook, NF_INET_FORWARD);
	assert_int_equal(entry(&s, log_.n - 2)->hook, -1);
	assert_int_equal(entry(&s, log_.n - 1)->hook, NF_INET_POST_ROUTING);
	timeline_story_release(&s);
}

/*
 * The timeline as text, with marks. Not inlined: GCC 12 at -O2 then takes the
 * memstream's buffer for the local that held its address (-Wdangling-pointer).
 */
static __attribute__((noinline)) char *printed(const struct timeline_mark *marks, size_t n_marks)
{
	struct timeline_ctx c = ctx(2);
	char *text = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&text, &size);

	c.marks = marks;
	c.n_marks = n_marks;
	timeline_print(&c, f);
	fclose(f);
	return text;
}

/*
 * A passing check's tick sits right under the packet it matched; a failing
 * check that matched nothing is a cross at the time it failed; the hook of a
 * conntrack event is written after its node.
 */
static void test_marks_and_hooks_printed(void **state)
{
	struct timeline_mark marks[3];
	size_t syn, out;
	char *text, *line, want[200];

	(void)state;
	syn = tcp(1.000, 0, DIR_IN, C, 40000, PUB, 80, SYN, 100);
	out = tcp(1.010, 1, DIR_OUT, C, 40000, SRV, 80, SYN, 100);
	ct(1.300, CT_NEW, 1, C, 40000, PUB, 80, SRV, 80, C, 40000);
	marks[0] = (struct timeline_mark){.step = 0, .pass = true, .ev = &log_.ev[out]};
	marks[1] = (struct timeline_mark){.step = 1, .pass = false, .at_ns = T0 + 900 * MS};
	/* A snapshot check (exactly 1) that read 3: one cross, too many. */
	marks[2] = (struct timeline_mark){
		.step = 2, .pass = false, .at_ns = T0 + 950 * MS, .matched = 3};
	text = printed(marks, 3);
	line = strstr(text, "router:eth1 out");
	assert_non_null(line);
	line = strchr(line, '\n') + 1;
	assert_true(!strncmp(line + strspn(line, " "), "\u2713 expect [1] (t.yaml:7)\n",
			     strlen("\u2713 expect [1] (t.yaml:7)\n")));
	snprintf(want, sizeof(want),
		 "+900.000 ms  \u2717 expect [2] (t.yaml:9): nothing matched\n");
	assert_non_null(strstr(text, want));
	assert_non_null(strstr(text, "+950.000 ms  \u2717 expect [3] (t.yaml:11): 3 matched, too many\n"));
	assert_non_null(strstr(text, "router conntrack @prerouting [NEW]"));
	/* One tick only: the SYN arriving at eth0 is no match. */
	assert_null(strstr(strstr(text, "\u2713") + 1, "\u2713"));
	(void)syn;
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_handshake_events_on_their_segments, teardown),
		cmocka_unit_test_teardown(test_state_change_skips_an_ignored_segment, teardown),
		cmocka_unit_test_teardown(test_late_event_stands_alone, teardown),
		cmocka_unit_test_teardown(test_double_nat_is_one_packet, teardown),
		cmocka_unit_test_teardown(test_direction_without_conntrack_events, teardown),
		cmocka_unit_test_teardown(test_conntrack_hooks, teardown),
		cmocka_unit_test_teardown(test_marks_and_hooks_printed, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
