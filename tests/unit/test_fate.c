// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Packet fates told from canned nft trace events, as the kernel sends them for
 * a node with nflab's fate table (chains "prerouting" ... at the lowest
 * priority, "input_done" and "postrouting_done" at the highest) and without
 * it: no kernel needed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

/* Ours first: they bring <netinet/in.h>, which must come before <linux/in.h>. */
#include "expect/source.h"
#include "observe/counters.h"
#include "observe/ctev.h"
#include "observe/event.h"
#include "report/fate.h"
#include "report/fate_why.h"
#include "observe/mib.h"
#include "report/timeline.h"
#include "rules/ruleset.h"
#include "util/ipaddr.h"

#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>

#define MS 1000000ull
#define T0 (1700000000ull * 1000000000ull)

static struct ipaddr ip(const char *s)
{
	struct ipaddr a;

	assert_int_equal(ipaddr_parse(s, &a, NULL), 0);
	return a;
}

/* The datagram of every case: 198.51.100.10.40000 > dst.9, IPv4 id 77. */
static struct pkt udp_pkt(const char *dst, uint16_t dport)
{
	struct pkt p;

	memset(&p, 0, sizeof(p));
	p.outer.present = PKT_IP4 | PKT_UDP | PKT_PORTS;
	p.outer.proto = 17;
	p.outer.src = ip("198.51.100.10");
	p.outer.dst = ip(dst);
	p.outer.id = 77;
	p.outer.ip_len = 33;
	p.outer.udp_len = 13;
	p.outer.sport = 40000;
	p.outer.dport = dport;
	p.outer.ttl = 63;
	return p;
}

/* One trace event: table "nflab" stands for nflab's fate table, any other is the lab's. */
static struct trace_rec ev(const char *table, const char *chain, uint8_t type, int32_t verdict,
			   const char *iif, const char *oif)
{
	struct trace_rec r;

	memset(&r, 0, sizeof(r));
	r.id = 0x6c0c9e9d;
	r.type = type;
	r.present = TRACE_HAS_PKT | TRACE_HAS_VERDICT;
	if (!strcmp(table, "nflab")) {
		r.family = NFPROTO_INET;
		snprintf(r.table, sizeof(r.table), "%s", RULESET_FATE_TABLE);
	} else {
		r.family = NFPROTO_IPV4;
		snprintf(r.table, sizeof(r.table), "%s", table);
	}
	snprintf(r.chain, sizeof(r.chain), "%s", chain);
	r.verdict = verdict;
	snprintf(r.iif, sizeof(r.iif), "%s", iif);
	snprintf(r.oif, sizeof(r.oif), "%s", oif);
	r.pkt = udp_pkt("192.168.42.1", 9);
	return r;
}

/* The three events of one of nflab's chains: its nftrace rule, the end, the policy. */
static size_t own(struct trace_rec *v, size_t n, const char *chain, const char *iif,
		  const char *oif)
{
	v[n] = ev("nflab", chain, NFT_TRACETYPE_RULE, NFT_CONTINUE, iif, oif);
	v[n].present |= TRACE_HAS_HANDLE;
	v[n++].handle = 1;
	v[n++] = ev("nflab", chain, NFT_TRACETYPE_RULE, NFT_CONTINUE, iif, oif);
	v[n++] = ev("nflab", chain, NFT_TRACETYPE_POLICY, NF_ACCEPT, iif, oif);
	return n;
}

static void with_ct(struct trace_rec *r, uint32_t state, uint8_t dir)
{
	r->present |= TRACE_HAS_CT;
	r->ct_state = state;
	r->ct_dir = dir;
	r->ct_id = 5;
}

static void rule(struct trace_rec *r, uint64_t handle, const char *comment)
{
	r->present |= TRACE_HAS_HANDLE;
	r->handle = handle;
	snprintf(r->comment, sizeof(r->comment), "%s", comment);
}

static int fate_v(const struct trace_rec *v, size_t n, struct fate *f)
{
	const struct trace_rec *p[32];
	size_t i;

	assert_true(n <= 32);
	for (i = 0; i < n; i++)
		p[i] = &v[i];
	return fate_of(p, n, "fw", f);
}

static const char *text(const struct fate *f)
{
	static char buf[512];

	return fate_text(f, buf, sizeof(buf));
}

/* The flagship's reject, traced from prerouting on: rejected, by that rule, in forward. */
static void test_reject_in_forward(void **state)
{
	struct trace_rec v[32];
	struct fate f;
	size_t n = 0;

	(void)state;
	n = own(v, n, "prerouting", "eth0", "");
	v[n] = ev("nat", "prerouting", NFT_TRACETYPE_RULE, NF_ACCEPT, "eth0", "");
	rule(&v[n], 2, "");
	with_ct(&v[n++], TRACE_CT_NEW, 0);
	n = own(v, n, "forward", "eth0", "eth1");
	v[n] = ev("filter", "forward", NFT_TRACETYPE_RULE, NF_DROP, "eth0", "eth1");
	rule(&v[n], 4, "reject-published");
	v[n].reject = RULE_REJECT_ICMP;
	with_ct(&v[n++], TRACE_CT_NEW, 0);
	assert_int_equal(fate_v(v, n, &f), 0);
	assert_int_equal(f.kind, FATE_REJECTED);
	assert_int_equal(f.by, FATE_BY_RULE);
	assert_int_equal(f.hook, NF_INET_FORWARD);
	assert_string_equal(f.chain, "forward");
	assert_string_equal(f.rule, "reject-published");
	assert_string_equal(f.ct_state, "NEW");
	assert_string_equal(text(&f),
			    "fate: rejected at fw by ip filter forward rule "
			    "\"reject-published\" (handle 4): drop + ICMP error [ct NEW]");
}

/* A plain drop rule without comment, and a chain's policy drop. */
static void test_drop_rule_and_policy(void **state)
{
	struct trace_rec v[32];
	struct fate f;
	size_t n;

	(void)state;
	n = own(v, 0, "prerouting", "eth0", "");
	n = own(v, n, "input", "eth0", "");
	v[n] = ev("filter", "input", NFT_TRACETYPE_RULE, NF_DROP, "eth0", "");
	rule(&v[n], 9, "");
	with_ct(&v[n++], TRACE_CT_NEW, 0);
	assert_int_equal(fate_v(v, n, &f), 0);
	assert_int_equal(f.kind, FATE_DROPPED);
	assert_string_equal(f.rule, "9");
	assert_string_equal(text(&f),
			    "fate: dropped at fw by ip filter input rule handle 9 [ct NEW]");

	n = own(v, 0, "prerouting", "eth0", "");
	n = own(v, n, "input", "eth0", "");
	v[n] = ev("filter", "in_chain", NFT_TRACETYPE_RULE, NFT_CONTINUE, "eth0", "");
	with_ct(&v[n++], TRACE_CT_ESTABLISHED, 1);
	v[n++] = ev("filter", "in_chain", NFT_TRACETYPE_POLICY, NF_DROP, "eth0", "");
	assert_int_equal(fate_v(v, n, &f), 0);
	assert_int_equal(f.kind, FATE_DROPPED);
	assert_int_equal(f.by, FATE_BY_POLICY);
	assert_string_equal(f.rule, "");
	assert_true(f.ct_reply);
	assert_string_equal(text(&f), "fate: dropped at fw by the policy of ip filter in_chain in "
				      "input [ct ESTABLISHED reply]");
}

/* Through input with no chain of the lab's there: delivered, by no rule. */
static void test_delivered(void **state)
{
	struct trace_rec v[32];
	struct fate f;
	size_t n;

	(void)state;
	n = own(v, 0, "prerouting", "eth0", "");
	n = own(v, n, "input", "eth0", "");
	n = own(v, n, "input" RULESET_FATE_DONE, "eth0", "");
	with_ct(&v[n - 1], TRACE_CT_ESTABLISHED, 0);
	assert_int_equal(fate_v(v, n, &f), 0);
	assert_int_equal(f.kind, FATE_DELIVERED);
	assert_int_equal(f.by, FATE_BY_NONE);
	assert_int_equal(f.hook, NF_INET_LOCAL_IN);
	assert_string_equal(f.iface, "eth0");
	assert_string_equal(text(&f), "fate: delivered to fw (input accept) [ct ESTABLISHED]");

	/* With the lab's input chain accepting it by a rule: that rule says so. */
	n = own(v, 0, "prerouting", "eth0", "");
	n = own(v, n, "input", "eth0", "");
	v[n] = ev("filter", "input", NFT_TRACETYPE_RULE, NF_ACCEPT, "eth0", "");
	rule(&v[n], 6, "allow-ping");
	with_ct(&v[n++], TRACE_CT_NEW, 0);
	n = own(v, n, "input" RULESET_FATE_DONE, "eth0", "");
	assert_int_equal(fate_v(v, n, &f), 0);
	assert_int_equal(f.kind, FATE_DELIVERED);
	assert_int_equal(f.by, FATE_BY_RULE);
	assert_string_equal(f.rule, "allow-ping");
	assert_string_equal(text(&f), "fate: delivered to fw (input: ip filter input rule "
				      "\"allow-ping\" (handle 6) accept) [ct NEW]");
}

/* Came in, went through forward and postrouting: forwarded out the postrouting interface. */
static void test_forwarded_and_sent(void **state)
{
	struct trace_rec v[32];
	struct fate f;
	size_t n;

	(void)state;
	n = own(v, 0, "prerouting", "eth0", "");
	n = own(v, n, "forward", "eth0", "eth1");
	v[n++] = ev("filter", "forward", NFT_TRACETYPE_RULE, NFT_CONTINUE, "eth0", "eth1");
	v[n] = ev("filter", "forward", NFT_TRACETYPE_POLICY, NF_ACCEPT, "eth0", "eth1");
	with_ct(&v[n++], TRACE_CT_NEW, 0);
	n = own(v, n, "postrouting", "eth0", "eth1");
	n = own(v, n, "postrouting" RULESET_FATE_DONE, "eth0", "eth1");
	assert_int_equal(fate_v(v, n, &f), 0);
	assert_int_equal(f.kind, FATE_FORWARDED);
	assert_int_equal(f.by, FATE_BY_POLICY);
	assert_int_equal(f.hook, NF_INET_POST_ROUTING);
	assert_int_equal(f.chain_hook, NF_INET_FORWARD);
	assert_string_equal(f.iface, "eth1");
	assert_string_equal(text(&f), "fate: forwarded by fw out eth1 (forward: ip filter forward "
				      "policy accept) [ct NEW]");

	/* Made by the node (no input interface anywhere): sent. */
	n = own(v, 0, "output", "", "eth0");
	n = own(v, n, "postrouting", "", "eth0");
	n = own(v, n, "postrouting" RULESET_FATE_DONE, "", "eth0");
	with_ct(&v[n - 1], TRACE_CT_RELATED, 1);
	assert_int_equal(fate_v(v, n, &f), 0);
	assert_int_equal(f.kind, FATE_SENT);
	assert_string_equal(text(&f), "fate: sent by fw out eth0 [ct RELATED reply]");
}

/*
 * Into prerouting and never out of it, or stolen: lost. Without conntrack
 * attributes the packet had no entry (INVALID, or a node that tracks nothing).
 */
static void test_lost(void **state)
{
	struct trace_rec v[32];
	struct fate f;
	size_t n;

	(void)state;
	n = own(v, 0, "prerouting", "eth0", "");
	assert_int_equal(fate_v(v, n, &f), 1);
	assert_int_equal(f.kind, FATE_LOST);
	assert_int_equal(f.by, FATE_BY_UNTRACED);
	assert_int_equal(f.hook, NF_INET_PRE_ROUTING);
	assert_int_equal(f.ct_bits, 0);
	assert_string_equal(f.ct_state, "none");
	assert_string_equal(text(&f),
			    "fate: lost at fw after prerouting: no trace of it after that hook (a "
			    "drop outside nft rules: no route, TTL exceeded, reverse path filter, "
			    "iptables-legacy ...) [no ct entry]");

	n = own(v, 0, "prerouting", "eth0", "");
	v[n] = ev("filter", "forward", NFT_TRACETYPE_RULE, NF_STOLEN, "eth0", "eth1");
	rule(&v[n++], 3, "to-queue");
	assert_int_equal(fate_v(v, n, &f), 0);
	assert_int_equal(f.kind, FATE_LOST);
	assert_int_equal(f.by, FATE_BY_RULE);
	assert_string_equal(f.rule, "to-queue");
}

/*
 * Without nflab's fate table, the lab's own trace: a drop is exact; an accept
 * with an out interface is on its way out, one without is unknown.
 */
static void test_unmarked(void **state)
{
	struct trace_rec v[8];
	struct fate f;
	size_t n = 0;

	(void)state;
	v[n++] = ev("filter", "forward", NFT_TRACETYPE_RULE, NFT_CONTINUE, "eth0", "eth1");
	v[n] = ev("filter", "forward", NFT_TRACETYPE_RULE, NF_DROP, "eth0", "eth1");
	rule(&v[n], 4, "reject-published");
	v[n].reject = RULE_REJECT_RESET;
	with_ct(&v[n++], TRACE_CT_NEW, 0);
	assert_int_equal(fate_v(v, n, &f), 0);
	assert_int_equal(f.kind, FATE_REJECTED);
	assert_int_equal(f.hook, -1);
	assert_string_equal(f.answer, "TCP reset");

	n = 0;
	v[n++] = ev("filter", "forward", NFT_TRACETYPE_RULE, NFT_CONTINUE, "eth0", "eth1");
	v[n++] = ev("filter", "forward", NFT_TRACETYPE_POLICY, NF_ACCEPT, "eth0", "eth1");
	assert_int_equal(fate_v(v, n, &f), 1);
	assert_int_equal(f.kind, FATE_FORWARDED);
	assert_int_equal(f.by, FATE_BY_UNTRACED);
	assert_string_equal(text(&f),
			    "fate: forwarded by fw out eth1 (last traced: ip filter "
			    "forward policy accept; later hooks not traced) [no ct entry]");

	n = 0;
	v[n++] = ev("nat", "prerouting", NFT_TRACETYPE_POLICY, NF_ACCEPT, "eth0", "");
	assert_int_equal(fate_v(v, n, &f), 1);
	assert_int_equal(f.kind, FATE_UNKNOWN);
	assert_string_equal(text(&f), "fate: unknown at fw: last traced ip nat prerouting policy "
				      "accept in=eth0; later hooks not traced [no ct entry]");
	assert_int_equal(fate_v(v, 0, &f), -1);
}

/* ---- a run's log of trace events ---- */

static struct lab_node lab_nodes[2] = {{.name = "fw"}, {.name = "dmz"}};
static struct lab lab = {.name = "t", .nodes = lab_nodes, .n_nodes = 2};
static struct evlog traces;

static void add(size_t node, double t, const struct trace_rec *r)
{
	struct event *e = evlog_add_node(&traces, EV_TRACE, node, NULL, 0);

	e->trace = *r;
	e->ts_ns = T0 + (uint64_t)(t * MS);
}

/* A packet delivered at fw: its whole trace at t ms, trace id id. */
static void delivered_at_fw(double t, uint32_t id, bool done)
{
	struct trace_rec v[16];
	size_t n, i;

	n = own(v, 0, "prerouting", "eth0", "");
	n = own(v, n, "input", "eth0", "");
	if (done)
		n = own(v, n, "input" RULESET_FATE_DONE, "eth0", "");
	for (i = 0; i < n; i++) {
		v[i].id = id;
		add(0, t, &v[i]);
	}
}

static const struct fate_rec *rec_of(const struct evlog *log, size_t i)
{
	assert_true(i < log->n);
	assert_int_equal(log->ev[i].kind, EV_FATE);
	return event_record(&log->ev[i]);
}

static int teardown(void **state)
{
	(void)state;
	evlog_release(&traces);
	memset(&traces, 0, sizeof(traces));
	return 0;
}

/*
 * The kernel's trace id hashes the buffer and the flow: two datagrams of one
 * flow may share it. Each is a packet of its own; one still in flight is left
 * out until the lab settles; a window leaves out what came before it.
 */
static void test_collect(void **state)
{
	struct evlog out = EVLOG_INIT;
	struct trace_rec dmz;
	char buf[600];

	(void)state;
	delivered_at_fw(1.0, 42, true);
	delivered_at_fw(2.0, 42, true);
	dmz = ev("filter", "input", NFT_TRACETYPE_RULE, NF_DROP, "eth0", "");
	dmz.id = 42;
	add(1, 2.5, &dmz);
	delivered_at_fw(3.0, 42, false);

	assert_int_equal(fate_collect(&traces, 0, 0, &lab, false, 0, NULL, &out), 1);
	assert_int_equal(out.n, 2);
	assert_int_equal(rec_of(&out, 0)->f.kind, FATE_DELIVERED);
	assert_int_equal(rec_of(&out, 1)->f.kind, FATE_DELIVERED);
	assert_int_equal(out.ev[1].ts_ns, T0 + 2 * MS);
	assert_string_equal(rec_of(&out, 0)->f.node, "fw");
	assert_string_equal(fate_rec_summary(rec_of(&out, 0), buf, sizeof(buf)),
			    "fate: delivered to fw (input accept) [no ct entry]: "
			    "198.51.100.10.40000 > 192.168.42.1.9: UDP, length 5");
	evlog_release(&out);

	/* Settled: the one in flight is lost after input. Every node: dmz's drop too. */
	assert_int_equal(fate_collect(&traces, 0, LAB_ANY_NODE, &lab, true, 7, NULL, &out), 0);
	assert_int_equal(out.n, 4);
	assert_int_equal(rec_of(&out, 2)->f.kind, FATE_DROPPED);
	assert_string_equal(rec_of(&out, 2)->f.node, "dmz");
	assert_int_equal(out.ev[2].point, 7);
	assert_int_equal(rec_of(&out, 3)->f.kind, FATE_LOST);
	assert_int_equal(rec_of(&out, 3)->f.hook, NF_INET_LOCAL_IN);
	evlog_release(&out);

	/* A window from the second packet on. */
	assert_int_equal(fate_collect(&traces, 9, 0, &lab, true, 0, NULL, &out), 0);
	assert_int_equal(out.n, 2);
	evlog_release(&out);
}

/* Link chatter has no fate. */
static void test_collect_skips_chatter(void **state)
{
	struct evlog out = EVLOG_INIT;
	struct trace_rec v[4];
	size_t n, i;

	(void)state;
	n = own(v, 0, "output", "", "eth0");
	for (i = 0; i < n; i++) {
		v[i].pkt.outer.present = PKT_IP6 | PKT_ICMP6;
		v[i].pkt.outer.dst = ip("ff02::16");
		add(0, 1.0, &v[i]);
	}
	assert_int_equal(fate_collect(&traces, 0, 0, &lab, true, 0, NULL, &out), 0);
	assert_int_equal(out.n, 0);
	evlog_release(&out);
}

/* Two readings of fw's drop counters around the traces so far: moved says what moved. */
static void readings(struct mib_series *s, enum mib_counter a, uint64_t da, enum mib_counter b,
		     uint64_t db)
{
	memset(s, 0, 2 * sizeof(*s));
	s[0].v = calloc(2, sizeof(*s[0].v));
	s[0].n = s[0].cap = 2;
	s[0].v[1].pos = traces.n;
	s[0].v[1].v[a] += da;
	s[0].v[1].v[b] += db;
}

/* The counters of fw name the drop of the packet it delivered: the stack dropped it. */
static void test_why_sure(void **state)
{
	struct mib_series s[2];
	struct evlog out = EVLOG_INIT;
	struct fate_why *w;
	const struct fate_rec *r;
	char buf[600];

	(void)state;
	delivered_at_fw(1.0, 42, true);
	readings(s, MIB_UDP_NO_PORTS, 1, MIB_ICMP_OUT_DEST_UNREACHS, 1);
	w = fate_why_new(&traces, &lab, s);
	assert_true(fate_why_closed(w, 0, traces.n - 1));
	assert_int_equal(fate_collect(&traces, 0, 0, &lab, false, 0, w, &out), 0);
	r = rec_of(&out, 0);
	assert_int_equal(r->f.kind, FATE_DROPPED);
	assert_int_equal(r->f.by, FATE_BY_KERNEL);
	assert_string_equal(r->f.reason,
			    "no socket listening (Udp NoPorts +1, Icmp OutDestUnreachs +1)");
	assert_string_equal(fate_text(&r->f, buf, sizeof(buf)),
			    "fate: dropped at fw outside netfilter, after input: no socket "
			    "listening (Udp NoPorts +1, Icmp OutDestUnreachs +1) [no ct entry]");
	fate_why_free(w);
	evlog_release(&out);
	/* A counter of another protocol or stage explains nothing. */
	free(s[0].v);
	readings(s, MIB_IP_IN_NO_ROUTES, 1, MIB_TCPEXT_LISTEN_DROPS, 1);
	w = fate_why_new(&traces, &lab, s);
	fate_collect(&traces, 0, 0, &lab, false, 0, w, &out);
	assert_int_equal(rec_of(&out, 0)->f.kind, FATE_DELIVERED);
	assert_string_equal(rec_of(&out, 0)->f.reason, "");
	fate_why_free(w);
	free(s[0].v);
	evlog_release(&out);
}

/* Two packets, one NoPorts: neither is said to be the one. */
static void test_why_unsure(void **state)
{
	struct mib_series s[2];
	struct evlog out = EVLOG_INIT;
	struct fate_why *w;

	(void)state;
	delivered_at_fw(1.0, 42, true);
	delivered_at_fw(2.0, 43, true);
	readings(s, MIB_UDP_NO_PORTS, 1, MIB_UDP_IN_ERRORS, 0);
	w = fate_why_new(&traces, &lab, s);
	fate_collect(&traces, 0, 0, &lab, false, 0, w, &out);
	assert_int_equal(out.n, 2);
	assert_int_equal(rec_of(&out, 0)->f.kind, FATE_DELIVERED);
	assert_int_equal(rec_of(&out, 1)->f.kind, FATE_DELIVERED);
	assert_string_equal(rec_of(&out, 1)->f.reason,
			    "one of these 2 packets (the counters cannot tell which): no socket "
			    "listening (Udp NoPorts +1)");
	fate_why_free(w);
	evlog_release(&out);
	/* A packet after the last reading waits for the next one, until the lab settles. */
	delivered_at_fw(3.0, 44, true);
	w = fate_why_new(&traces, &lab, s);
	assert_int_equal(fate_collect(&traces, 0, 0, &lab, false, 0, w, &out), 1);
	fate_why_free(w);
	free(s[0].v);
	evlog_release(&out);
}

/* The files' two layouts: "Sec: names" / "Sec: values" pairs, and snmp6's lines. */
static void test_mib_parse(void **state)
{
	uint64_t v[MIB__MAX] = {0};

	(void)state;
	mib_parse("Ip: Forwarding DefaultTTL InReceives InHdrErrors\n"
		  "Ip: 1 64 10 3\n"
		  "Udp: InDatagrams NoPorts InErrors\n"
		  "Udp: 5 7 2\n"
		  "TcpExt: SyncookiesSent IPReversePathFilter\n"
		  "TcpExt: 0 4\n",
		  v);
	mib_parse("Ip6InReceives                   \t9\n"
		  "Ip6InNoRoutes                   \t6\n"
		  "Udp6NoPorts                     \t8\n",
		  v);
	assert_int_equal(v[MIB_IP_IN_HDR_ERRORS], 3);
	assert_int_equal(v[MIB_UDP_NO_PORTS], 7);
	assert_int_equal(v[MIB_UDP_IN_ERRORS], 2);
	assert_int_equal(v[MIB_TCPEXT_RP_FILTER], 4);
	assert_int_equal(v[MIB_IP6_IN_NO_ROUTES], 6);
	assert_int_equal(v[MIB_UDP6_NO_PORTS], 8);
	assert_string_equal(mib_name(MIB_IP_IN_NO_ROUTES), "IpExt InNoRoutes");
	assert_string_equal(mib_name(MIB_UDP6_NO_PORTS), "Udp6 NoPorts");
}

/* A check's conditions on fate fields, as a lab writes them. */
static void test_fields(void **state)
{
	struct evlog out = EVLOG_INIT;
	const struct fate_rec *r;
	struct pred p;
	char err[256];

	(void)state;
	delivered_at_fw(1.0, 42, true);
	fate_collect(&traces, 0, 0, &lab, true, 0, NULL, &out);
	r = rec_of(&out, 0);
	assert_int_equal(
		pred_parse(source_field(SRC_FATE, "fate"), "delivered", &p, err, sizeof(err)), 0);
	assert_true(pred_match(&p, r));
	assert_int_equal(
		pred_parse(source_field(SRC_FATE, "fate"), "dropped", &p, err, sizeof(err)), 0);
	assert_false(pred_match(&p, r));
	assert_int_equal(
		pred_parse(source_field(SRC_FATE, "fate"), "vanished", &p, err, sizeof(err)), -1);
	assert_int_equal(
		pred_parse(source_field(SRC_FATE, "fate.ct.state"), "none", &p, err, sizeof(err)),
		0);
	assert_true(pred_match(&p, r));
	assert_int_equal(
		pred_parse(source_field(SRC_FATE, "fate.by"), "none", &p, err, sizeof(err)), 0);
	assert_true(pred_match(&p, r));
	/* No counter gave a reason: fate.reason is absent. */
	assert_int_equal(
		pred_parse(source_field(SRC_FATE, "fate.reason"), "absent", &p, err, sizeof(err)),
		0);
	assert_true(pred_match(&p, r));
	assert_int_equal(
		pred_parse(source_field(SRC_FATE, "fate.hook"), "input", &p, err, sizeof(err)), 0);
	assert_true(pred_match(&p, r));
	assert_int_equal(
		pred_parse(source_field(SRC_FATE, "fate.node"), "fw", &p, err, sizeof(err)), 0);
	assert_true(pred_match(&p, r));
	assert_int_equal(
		pred_parse(source_field(SRC_FATE, "fate.rule"), "absent", &p, err, sizeof(err)), 0);
	assert_true(pred_match(&p, r));
	/* The packet's own fields too. */
	assert_int_equal(pred_parse(source_field(SRC_FATE, "udp.dport"), "9", &p, err, sizeof(err)),
			 0);
	assert_true(pred_match(&p, r));
	evlog_release(&out);
}

/* ---- the fate line of a story's group ---- */

static struct lab_iface fw_ifaces[1] = {{.name = "eth0"}};
static struct lab_node story_nodes[1] = {{.name = "fw", .ifaces = fw_ifaces, .n_ifaces = 1}};
static struct lab story_lab = {.name = "t", .nodes = story_nodes, .n_nodes = 1};
static const size_t point_node[] = {0}, point_iface[] = {0};
static const char *const point_name[] = {"fw:eth0"};
static struct evlog log_;

static size_t capture(double t, enum pkt_dir dir, const struct pkt *p)
{
	struct event *e = evlog_add(&log_, (const uint8_t *)"", 0);

	e->ts_ns = T0 + (uint64_t)(t * MS);
	e->point = 0;
	e->dir = dir;
	e->pkt = *p;
	return e->seq;
}

/* The port unreachable fw answers the datagram with. */
static struct pkt port_unreachable(void)
{
	struct pkt p;

	memset(&p, 0, sizeof(p));
	p.outer.present = PKT_IP4 | PKT_ICMP4;
	p.outer.proto = 1;
	p.outer.src = ip("192.168.42.1");
	p.outer.dst = ip("198.51.100.10");
	p.outer.id = 900;
	p.outer.ip_len = 61;
	p.outer.icmp_type = 3;
	p.outer.icmp_code = 3;
	return p;
}

static const char *group_text(bool with_traces, size_t seq, char *buf, size_t len)
{
	struct timeline_ctx c = {.lab = &story_lab,
				 .log = &log_,
				 .point_node = point_node,
				 .point_iface = point_iface,
				 .point_name = point_name,
				 .start_real = T0,
				 .traces = with_traces ? &traces : NULL};
	struct timeline_story s;
	const char *r = NULL;
	size_t i;

	timeline_story_init(&s, &c);
	for (i = 0; i < s.n; i++)
		if (s.e[i].ev->seq == seq) {
			while (i > 0 && s.e[i - 1].group == s.e[i].group)
				i--;
			r = fate_group_text(&c, &s, i, buf, len);
			break;
		}
	timeline_story_release(&s);
	return r;
}

static int teardown_story(void **state)
{
	evlog_release(&log_);
	memset(&log_, 0, sizeof(log_));
	return teardown(state);
}

/*
 * fw sends a datagram out of eth0, its other interface uncaptured: the
 * capture alone cannot tell that fw made it (it could have come in unseen),
 * but nflab's fate table saw it enter through output, so conntrack's NEW is
 * placed there.
 */
static void test_ct_hook_from_fate(void **state)
{
	static struct lab_iface two[2] = {{.name = "eth0"}, {.name = "eth1"}};
	static struct lab_node node[1] = {{.name = "fw", .ifaces = two, .n_ifaces = 2}};
	static struct lab lab2 = {.name = "t", .nodes = node, .n_nodes = 1};
	struct pkt d = udp_pkt("198.51.100.10", 9);
	struct trace_rec v[16];
	struct ct_rec ct;
	struct event *e;
	size_t n, i, k;
	int hook[2];

	(void)state;
	d.outer.src = ip("192.168.42.1");
	d.outer.sport = 5000;
	n = own(v, 0, "output", "", "eth0");
	n = own(v, n, "postrouting", "", "eth0");
	n = own(v, n, "postrouting" RULESET_FATE_DONE, "", "eth0");
	for (i = 0; i < n; i++) {
		v[i].id = 50;
		v[i].pkt = d;
		add(0, 1.0, &v[i]);
	}
	capture(1.01, DIR_OUT, &d);
	memset(&ct, 0, sizeof(ct));
	ct.event = CT_NEW;
	ct.proto = 17;
	ct.orig_src = ct.reply_dst = d.outer.src;
	ct.orig_dst = ct.reply_src = d.outer.dst;
	ct.orig_sport = ct.reply_dport = 5000;
	ct.orig_dport = ct.reply_sport = 9;
	ct.id = 7;
	e = evlog_add_ct(&log_, 0, &ct);
	e->ts_ns = T0 + (uint64_t)(1.02 * MS);
	for (k = 0; k < 2; k++) {
		struct timeline_ctx c = {.lab = &lab2,
					 .log = &log_,
					 .point_node = point_node,
					 .point_iface = point_iface,
					 .point_name = point_name,
					 .n_points = 1,
					 .start_real = T0,
					 .traces = k ? &traces : NULL};
		struct timeline_story st;

		timeline_story_init(&st, &c);
		hook[k] = -2;
		for (i = 0; i < st.n; i++)
			if (st.e[i].ev->kind == EV_CT)
				hook[k] = st.e[i].hook;
		timeline_story_release(&st);
	}
	assert_int_equal(hook[0], -1);
	assert_int_equal(hook[1], NF_INET_LOCAL_OUT);
}

/*
 * fw has no chain of its own: only nflab's fate table traced the datagram. It
 * went through input, and fw answered with a port unreachable: no socket.
 */
static void test_group_delivered_answered(void **state)
{
	struct pkt d = udp_pkt("192.168.42.1", 9), err = port_unreachable();
	char buf[400];
	size_t in;

	(void)state;
	in = capture(1.0, DIR_IN, &d);
	delivered_at_fw(1.01, 42, true);
	capture(1.05, DIR_OUT, &err);
	assert_string_equal(group_text(true, in, buf, sizeof(buf)),
			    "fate: delivered to fw's stack (input accept; no socket took it: "
			    "answered with ICMP port unreachable) [no ct entry]");
	/* Without the traces the run keeps, nothing at fw tells. */
	assert_null(group_text(false, in, buf, sizeof(buf)));
}

/*
 * The lab's own chain dropped it, as the group's trace entries say; the run's
 * traces add nflab's events around them. Without those, the same drop is known.
 */
static void test_group_dropped(void **state)
{
	struct pkt d = udp_pkt("192.168.42.1", 9);
	struct trace_rec v[16];
	char buf[400];
	size_t n, i, in;

	(void)state;
	in = capture(1.0, DIR_IN, &d);
	n = own(v, 0, "prerouting", "eth0", "");
	n = own(v, n, "input", "eth0", "");
	v[n] = ev("filter", "input", NFT_TRACETYPE_RULE, NF_DROP, "eth0", "");
	rule(&v[n], 5, "drop-udp");
	with_ct(&v[n++], TRACE_CT_NEW, 0);
	for (i = 0; i < n; i++) {
		struct event *e;

		add(0, 1.01, &v[i]);
		if (trace_is_nflab(&v[i]))
			continue;
		e = evlog_add_node(&log_, EV_TRACE, 0, NULL, 0);
		e->trace = v[i];
		e->ts_ns = T0 + (uint64_t)(1.01 * MS);
	}
	assert_string_equal(group_text(true, in, buf, sizeof(buf)),
			    "fate: dropped at fw by ip filter input rule \"drop-udp\" (handle 5) "
			    "[ct NEW]");
	assert_string_equal(group_text(false, in, buf, sizeof(buf)),
			    "fate: dropped at fw by ip filter input rule \"drop-udp\" (handle 5) "
			    "[ct NEW]");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reject_in_forward),
		cmocka_unit_test(test_drop_rule_and_policy),
		cmocka_unit_test(test_delivered),
		cmocka_unit_test(test_forwarded_and_sent),
		cmocka_unit_test(test_lost),
		cmocka_unit_test(test_unmarked),
		cmocka_unit_test_teardown(test_collect, teardown),
		cmocka_unit_test_teardown(test_collect_skips_chatter, teardown),
		cmocka_unit_test_teardown(test_fields, teardown),
		cmocka_unit_test_teardown(test_why_sure, teardown),
		cmocka_unit_test_teardown(test_why_unsure, teardown),
		cmocka_unit_test(test_mib_parse),
		cmocka_unit_test_teardown(test_group_delivered_answered, teardown_story),
		cmocka_unit_test_teardown(test_ct_hook_from_fate, teardown_story),
		cmocka_unit_test_teardown(test_group_dropped, teardown_story),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
