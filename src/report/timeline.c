// SPDX-License-Identifier: GPL-2.0-or-later
/* One story per lab: every observed event, grouped by packet, with NAT rewrites named. */
#include "report/timeline.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <linux/netfilter.h>

#include "expect/source.h"
#include "report/fate.h"
#include "report/json.h"
#include "util/clock.h"
#include "util/outfile.h"
#include "util/textbuf.h"
#include "util/utf8.h"
#include "util/xalloc.h"

#define GROUP_GAP_NS 100000000ull /* 100 ms: hops of one packet are closer than this */
/*
 * A trace event is stamped when nflab reads it, which can be the end of the
 * step that sent the packet: 0.6 s after it in a loaded --kernel VM. It joins
 * its packet's latest group within this gap (scaled too).
 */
#define TRACE_GAP_NS 1000000000ull /* 1 s */
/*
 * A conntrack event is stamped when nflab reads it, a few microseconds to a few
 * milliseconds after the packet that caused it. Read later than CT_WINDOW_NS
 * after any packet of its connection at its node, it stands alone: nflab cannot
 * tell which packet it was. CT_SLACK_NS covers the one race the other way: the
 * event is sent at the last hook, before the capture tap stamps the packet.
 * All three are scaled in a slower --kernel VM (clock_scaled_ns, docs/kernels.md).
 */
#define CT_WINDOW_NS 50000000ull /* 50 ms */
#define CT_SLACK_NS  1000000ull	 /* 1 ms */

/*
 * The connections the story knows, per node: they link NATed hops and name
 * rewrites by direction. First those the lab's conntrack events and table
 * dumps showed; then, for nodes nflab did not watch, those the story itself
 * sees: the first rewritten hop of a flow is its original direction, as for
 * conntrack.
 */
struct ct_known {
	struct ct_rec rec;
	size_t node;
};

struct ct_seen {
	struct ct_known *k;
	size_t n, cap;
};

static void ct_seen_add(struct ct_seen *cs, size_t node, const struct ct_rec *ct)
{
	XGROW(cs->k, cs->n, cs->cap);
	cs->k[cs->n].rec = *ct;
	cs->k[cs->n++].node = node;
}

static struct ct_seen ct_seen_of(const struct evlog *log)
{
	struct ct_seen cs = {0};
	size_t i;

	for (i = 0; i < log->n; i++)
		if (log->ev[i].kind == EV_CT)
			ct_seen_add(&cs, log->ev[i].point, &log->ev[i].ct);
	return cs;
}

static void ct_seen_release(struct ct_seen *cs)
{
	free(cs->k);
}

/* The decoded packet of an event, or NULL for events without one. */
static const struct pkt *event_pkt(const struct event *ev)
{
	switch (ev->kind) {
	case EV_PACKET:
		return &ev->pkt;
	case EV_LOG:
		return ev->log.pkt.outer.present || ev->log.pkt.arp_op ? &ev->log.pkt : NULL;
	case EV_TRACE:
		return ev->trace.present & TRACE_HAS_PKT ? &ev->trace.pkt : NULL;
	default:
		return NULL;
	}
}

static uint64_t mix(uint64_t h, uint64_t v)
{
	h ^= v + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2);
	return h;
}

/*
 * What stays the same for one packet on every hop, whatever NAT does to its
 * addresses, ports and checksums: the IPv4 id, lengths, TCP sequence numbers,
 * ICMP type and echo sequence. Trace events see only the first bytes of a
 * packet, so nothing beyond the first 20 bytes of the transport header counts.
 */
static uint64_t packet_key(const struct pkt *p)
{
	const struct pkt_hdrs *h = &p->outer;
	uint64_t k = 1;

	if (p->arp_op) {
		k = mix(k, p->arp_op);
		k = mix(k, p->arp_spa.v4.s_addr);
		return mix(k, p->arp_tpa.v4.s_addr);
	}
	k = mix(k, h->present & (PKT_IP4 | PKT_IP6));
	k = mix(k, h->proto);
	if (h->present & PKT_IP4)
		k = mix(k, h->id);
	else
		k = mix(mix(k, h->flowlabel), h->ip_len);
	if (h->present & PKT_TCP)
		k = mix(mix(mix(k, h->tcp_seq), h->tcp_ack), h->tcp_flags);
	else if (h->present & PKT_UDP)
		k = mix(k, h->udp_len);
	else if (h->present & (PKT_ICMP4 | PKT_ICMP6))
		k = mix(mix(mix(k, h->icmp_type), h->icmp_code), h->echo_seq);
	return k;
}

/* Link-layer chatter (ARP, neighbour discovery, MLD): shown as one line per packet. */
static bool is_chatter(const struct pkt *p)
{
	const struct pkt_hdrs *h = &p->outer;

	if (p->arp_op)
		return true;
	/* Link-scope multicast (ff02::/16): MLD and ND, even seen through trace's short headers. */
	if ((h->present & PKT_IP6) && h->dst.b[0] == 0xff && (h->dst.b[1] & 0x0f) == 0x02)
		return true;
	return (h->present & PKT_ICMP6) && h->icmp_type >= 130 && h->icmp_type <= 143;
}

/* The node an event happened at. */
static size_t event_node(const struct timeline_ctx *c, const struct event *ev)
{
	return ev->kind == EV_PACKET ? c->point_node[ev->point] : ev->point;
}

struct item {
	const struct event *ev;
	size_t idx;	/* position in the log */
	size_t group;	/* group number, from 1 */
	uint64_t at_ns; /* where it sorts inside its group */
};

static int cmp_ts(const void *a, const void *b)
{
	const struct item *x = a, *y = b;

	if (x->ev->ts_ns != y->ev->ts_ns)
		return x->ev->ts_ns < y->ev->ts_ns ? -1 : 1;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

static int cmp_group(const void *a, const void *b)
{
	const struct item *x = a, *y = b;

	if (x->group != y->group)
		return x->group < y->group ? -1 : 1;
	if (x->at_ns != y->at_ns)
		return x->at_ns < y->at_ns ? -1 : 1;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

static bool tuple_is(const struct pkt_hdrs *h, const struct ipaddr *src, const struct ipaddr *dst,
		     uint16_t sport, uint16_t dport, bool ports)
{
	return ipaddr_equal(&h->src, src) && ipaddr_equal(&h->dst, dst) &&
	       (!ports || ((h->present & PKT_PORTS) && h->sport == sport && h->dport == dport));
}

/* True when p is a packet of the connection ct, in either direction. */
static bool packet_of(const struct pkt *p, const struct ct_rec *ct)
{
	const struct pkt_hdrs *h = &p->outer;
	bool ports = ct->present & CT_HAS_PORTS;

	if (!(h->present & (PKT_IP4 | PKT_IP6)) || h->proto != ct->proto)
		return false;
	/* ICMP has no ports: the echo id tells two pings between the same hosts apart. */
	if ((ct->present & CT_HAS_ICMP) && (h->present & PKT_ICMPID) && h->echo_id != ct->icmp_id)
		return false;
	return tuple_is(h, &ct->orig_src, &ct->orig_dst, ct->orig_sport, ct->orig_dport, ports) ||
	       tuple_is(h, &ct->reply_src, &ct->reply_dst, ct->reply_sport, ct->reply_dport, ports);
}

/* h's source and destination are a and b (with ports sa, sb when ports counts). */
static bool hdrs_are(const struct pkt_hdrs *h, const struct ipaddr *a, uint16_t sa,
		     const struct ipaddr *b, uint16_t sb, bool ports)
{
	return tuple_is(h, a, b, sa, sb, ports);
}

/*
 * True when a then b are one packet before and after the NAT of connection ct:
 * an original-direction packet (orig tuple) leaves as the reply tuple turned
 * around, a reply (reply tuple) as the original tuple turned around. Both ends
 * may change at once (hairpin, double NAT), so no end needs to be shared.
 */
static bool nat_pair(const struct pkt *a, const struct pkt *b, const struct ct_rec *ct)
{
	const struct pkt_hdrs *x = &a->outer, *y = &b->outer;
	bool ports = ct->present & CT_HAS_PORTS;

	if (!(x->present & y->present & (PKT_IP4 | PKT_IP6)) || x->proto != ct->proto ||
	    y->proto != ct->proto)
		return false;
	return (hdrs_are(x, &ct->orig_src, ct->orig_sport, &ct->orig_dst, ct->orig_dport, ports) &&
		hdrs_are(y, &ct->reply_dst, ct->reply_dport, &ct->reply_src, ct->reply_sport,
			 ports)) ||
	       (hdrs_are(x, &ct->reply_src, ct->reply_sport, &ct->reply_dst, ct->reply_dport,
			 ports) &&
		hdrs_are(y, &ct->orig_dst, ct->orig_dport, &ct->orig_src, ct->orig_sport, ports));
}

/* True when some conntrack entry of node says a and b are one packet before and after NAT. */
static bool nat_linked(const struct ct_seen *cs, size_t node, const struct pkt *a,
		       const struct pkt *b)
{
	size_t k;

	for (k = 0; k < cs->n; k++)
		if (cs->k[k].node == node && nat_pair(a, b, &cs->k[k].rec))
			return true;
	return false;
}

/* True when a and b share an end (address and port): NAT rewrites one end per hop. */
static bool share_an_end(const struct pkt *a, const struct pkt *b)
{
	const struct pkt_hdrs *x = &a->outer, *y = &b->outer;

	return (ipaddr_equal(&x->src, &y->src) && x->sport == y->sport) ||
	       (ipaddr_equal(&x->dst, &y->dst) && x->dport == y->dport);
}

/*
 * Whether p (item i) can be a later hop of group g's packet, whose key it has.
 * One packet passes a capture point once in each direction. A non-zero IPv4 id
 * is nearly unique; without one (IPv6, crafted packets, a SYN/ACK's id 0) the
 * packet must also share an end with the group's latest hop, or be that hop
 * after a NAT that some conntrack entry of its node made (both ends rewritten).
 */
static bool same_packet(const struct timeline_ctx *c, const struct ct_seen *cs, const struct pkt *p,
			const struct item *it, size_t i, size_t g, size_t first)
{
	const struct event *ev = it[i].ev;
	const struct event *latest_ev = NULL;
	const struct pkt *latest = NULL;
	size_t j;

	/* Items are in time order: none before the group's first belongs to it. */
	for (j = i; j-- > first;) {
		if (it[j].group != g)
			continue;
		if (ev->kind == EV_PACKET && it[j].ev->kind == EV_PACKET &&
		    it[j].ev->point == ev->point && it[j].ev->dir == ev->dir)
			return false;
		if (!latest && (latest = event_pkt(it[j].ev)))
			latest_ev = it[j].ev;
	}
	if ((p->outer.present & PKT_IP4) && p->outer.id)
		return true;
	return latest && (share_an_end(p, latest) || nat_linked(cs, event_node(c, ev), latest, p) ||
			  nat_linked(cs, event_node(c, latest_ev), latest, p));
}

/* Whether a TCP segment with flags can be what moved a connection into state. */
static bool tcp_moves_to(uint8_t state, uint8_t flags)
{
	enum {
		FIN = 0x01,
		SYN = 0x02,
		RST = 0x04,
		ACK = 0x10
	};

	switch (state) {
	case 1: /* SYN_SENT */
	case 9: /* SYN_SENT2: a SYN crossing ours */
		return (flags & SYN) && !(flags & ACK);
	case 2: /* SYN_RECV */
		return (flags & (SYN | ACK)) == (SYN | ACK);
	case 3: /* ESTABLISHED */
		return (flags & ACK) && !(flags & (SYN | RST));
	case 4: /* FIN_WAIT */
	case 5: /* CLOSE_WAIT */
	case 6: /* LAST_ACK */
		return flags & FIN;
	case 7: /* TIME_WAIT */
		return flags & (FIN | ACK);
	case 8: /* CLOSE */
		return flags & (RST | ACK);
	default:
		return true;
	}
}

/* Where each connection's events were placed: its node, id and last group. */
struct ct_place {
	size_t node;
	uint32_t id;
	size_t group;
};

/*
 * The group of conntrack event i: the packet that caused it. The candidates are
 * the packets of its connection (either direction, any NAT stage) at its node,
 * after the packet of the connection's previous event, seen at most
 * CT_WINDOW_NS before the event was read and at most CT_SLACK_NS after (the
 * capture tap runs after the hook that sent the event). Of these, a NEW goes
 * with the first; a TCP state change with the first segment that makes it (a
 * FIN for FIN_WAIT, a SYN/ACK for SYN_RECV ...), so a segment conntrack ignored
 * (INVALID, out of window) is skipped; any other update with the latest packet
 * seen before it. No candidate: 0, the event stands alone. Never a packet after
 * the event was read, never one long before.
 */
static size_t ct_group(const struct timeline_ctx *c, const struct item *it, size_t n, size_t i,
		       struct ct_place *placed, size_t *n_placed)
{
	const struct event *ev = it[i].ev;
	const struct ct_rec *ct = &ev->ct;
	bool tcp_state = (ct->present & CT_HAS_TCP_STATE) && ct->event == CT_UPDATE;
	size_t j, k, first = 0, moved = 0, before = 0, after = 0, prev_group = 0, g;

	for (k = 0; k < *n_placed; k++)
		if (placed[k].node == ev->point && placed[k].id == ct->id)
			break;
	if (k < *n_placed)
		prev_group = placed[k].group;
	/* Items are in time order. */
	for (j = 0; j < n; j++) {
		const struct event *cand = it[j].ev;
		const struct pkt *p = event_pkt(cand);

		if (cand->ts_ns > ev->ts_ns + clock_scaled_ns(CT_SLACK_NS))
			break;
		if (cand->ts_ns + clock_scaled_ns(CT_WINDOW_NS) < ev->ts_ns || !p || !it[j].group ||
		    it[j].group <= prev_group || event_node(c, cand) != ev->point ||
		    !packet_of(p, ct))
			continue;
		if (!first)
			first = j + 1;
		if (!moved && tcp_state && (p->outer.present & PKT_TCP) &&
		    tcp_moves_to(ct->tcp_state, p->outer.tcp_flags))
			moved = j + 1;
		if (cand->ts_ns <= ev->ts_ns)
			before = j + 1;
		else if (!after)
			after = j + 1;
	}
	j = ct->event == CT_NEW ? first : moved ? moved : before ? before : after;
	if (!j)
		return 0;
	g = it[j - 1].group;
	if (k == *n_placed)
		placed[(*n_placed)++] = (struct ct_place){.node = ev->point, .id = ct->id};
	placed[k].group = g;
	return g;
}

/*
 * Gives every event a group: packets by their key within GROUP_GAP_NS of the
 * group's last hop; a conntrack event joins the latest group before it that has a
 * packet of its connection at the same node. Returns the items in group order and
 * the number of groups.
 */
static struct item *group_events(const struct timeline_ctx *c, const struct ct_seen *cs,
				 size_t *n_groups)
{
	const struct evlog *log = c->log;
	struct item *it = xcalloc(log->n + 1, sizeof(*it));
	size_t *first = xcalloc(log->n + 1, sizeof(*first)); /* per group: its first item */
	uint64_t *last = xcalloc(log->n + 1, sizeof(*last)); /* per group: latest hop */
	uint64_t *gkey = xcalloc(log->n + 1, sizeof(*gkey));
	struct ct_place *placed;
	size_t i, j, groups = 0, n_placed = 0;

	for (i = 0; i < log->n; i++) {
		it[i].ev = &log->ev[i];
		it[i].idx = i;
	}
	qsort(it, log->n, sizeof(*it), cmp_ts);
	for (i = 0; i < log->n; i++) {
		const struct pkt *p = event_pkt(it[i].ev);
		uint64_t key, gap;

		if (!p)
			continue;
		key = packet_key(p);
		gap = clock_scaled_ns(it[i].ev->kind == EV_TRACE ? TRACE_GAP_NS : GROUP_GAP_NS);
		for (j = groups; j > 0; j--)
			if (gkey[j - 1] == key && it[i].ev->ts_ns <= last[j - 1] + gap &&
			    same_packet(c, cs, p, it, i, j, first[j - 1]))
				break;
		if (j == 0) {
			gkey[groups] = key;
			first[groups] = i;
			j = ++groups;
		}
		it[i].group = j;
		if (it[i].ev->ts_ns > last[j - 1])
			last[j - 1] = it[i].ev->ts_ns;
	}
	/* Conntrack events in the order they were read, which is the kernel's. */
	placed = xcalloc(log->n + 1, sizeof(*placed));
	for (i = 0; i < log->n; i++)
		if (!it[i].group && it[i].ev->kind == EV_CT)
			it[i].group = ct_group(c, it, log->n, i, placed, &n_placed);
	free(placed);
	for (i = 0; i < log->n; i++)
		if (!it[i].group)
			it[i].group = ++groups;
	free(first);
	free(last);
	free(gkey);
	*n_groups = groups;
	return it;
}

/*
 * Netlink events arrive after the packet moved on: sort a node's kernel events
 * just before the packet leaves that node (its first "out" capture there), or
 * just after it arrived.
 */
static void place_kernel_events(const struct timeline_ctx *c, struct item *it, size_t n)
{
	size_t i, j;

	for (i = 0; i < n; i++) {
		const struct event *ev = it[i].ev;
		uint64_t in_ts = 0, out_ts = 0;

		it[i].at_ns = ev->ts_ns;
		if (ev->kind == EV_PACKET)
			continue;
		for (j = 0; j < n; j++) {
			const struct event *cap = it[j].ev;

			if (it[j].group != it[i].group || cap->kind != EV_PACKET ||
			    c->point_node[cap->point] != ev->point)
				continue;
			if (cap->dir == DIR_OUT && (!out_ts || cap->ts_ns < out_ts))
				out_ts = cap->ts_ns;
			if (cap->dir == DIR_IN && cap->ts_ns > in_ts)
				in_ts = cap->ts_ns;
		}
		if (out_ts)
			it[i].at_ns = out_ts - 1;
		else if (in_ts)
			it[i].at_ns = in_ts + 1;
	}
}

static const char *hostport(const struct pkt_hdrs *h, bool src, char *buf, size_t len)
{
	char a[IPADDR_STRLEN];

	ipaddr_fmt(src ? &h->src : &h->dst, a);
	if (h->present & PKT_PORTS)
		snprintf(buf, len, "%s:%u", a, src ? h->sport : h->dport);
	else
		snprintf(buf, len, "%s", a);
	return buf;
}

static bool is_icmp_error(const struct pkt *p)
{
	const struct pkt_hdrs *h = &p->outer;

	if (h->present & PKT_ICMP4)
		return h->icmp_type == 3 || h->icmp_type == 11 || h->icmp_type == 12;
	return (h->present & PKT_ICMP6) && h->icmp_type >= 1 && h->icmp_type <= 4;
}

/* Whether ip:port (port only when ports) is a or b with their ports. */
static bool end_is(const struct ipaddr *ip, uint16_t port, const struct ipaddr *a, uint16_t pa,
		   bool ports)
{
	return ipaddr_equal(ip, a) && (!ports || port == pa);
}

/* True when addr is one of node's own addresses (a DNAT to it is a redirect). */
static bool node_owns(const struct lab *lab, size_t node, const struct ipaddr *addr)
{
	const struct lab_node *n = &lab->nodes[node];
	size_t i, k;

	for (i = 0; i < n->n_ifaces; i++)
		for (k = 0; k < n->ifaces[i].n_addrs; k++)
			if (ipaddr_equal(&n->ifaces[i].addrs[k].a, addr))
				return true;
	return false;
}

/*
 * Which NAT, by direction, turned one end of a packet at node from (ip, port)
 * into to: on the original direction SNAT, DNAT or redirect; on replies the
 * reverse of the connection's DNAT or SNAT. as_src: the end is the packet's
 * source (a quoted header's ends count the other way round: the quote travels
 * against the error). NULL when no conntrack entry of the node explains it.
 */
static const char *nat_kind(const struct timeline_ctx *c, const struct ct_seen *cs, size_t node,
			    bool as_src, const struct ipaddr *from, uint16_t fport,
			    const struct ipaddr *to, uint16_t tport, bool ports)
{
	size_t k;

	for (k = 0; k < cs->n; k++) {
		const struct ct_rec *ct = &cs->k[k].rec;
		bool pp = ports && (ct->present & CT_HAS_PORTS);

		if (cs->k[k].node != node)
			continue;
		if (as_src && end_is(from, fport, &ct->orig_src, ct->orig_sport, pp) &&
		    end_is(to, tport, &ct->reply_dst, ct->reply_dport, pp))
			return "SNAT";
		if (as_src && end_is(from, fport, &ct->reply_src, ct->reply_sport, pp) &&
		    end_is(to, tport, &ct->orig_dst, ct->orig_dport, pp))
			return "reverse DNAT";
		if (!as_src && end_is(from, fport, &ct->orig_dst, ct->orig_dport, pp) &&
		    end_is(to, tport, &ct->reply_src, ct->reply_sport, pp))
			return node_owns(c->lab, node, to) ? "redirect" : "DNAT";
		if (!as_src && end_is(from, fport, &ct->reply_dst, ct->reply_dport, pp) &&
		    end_is(to, tport, &ct->orig_src, ct->orig_sport, pp))
			return "reverse SNAT";
	}
	return NULL;
}

/* True when one end (source when src) differs between x and y. */
static bool end_changed(const struct pkt_hdrs *x, const struct pkt_hdrs *y, bool src)
{
	return src ? !ipaddr_equal(&x->src, &y->src) || x->sport != y->sport
		   : !ipaddr_equal(&x->dst, &y->dst) || x->dport != y->dport;
}

/*
 * The kind of rewrite of one end (source when src) between headers x and y, by
 * the node's conntrack entries; quoted: x and y are an error's quoted headers.
 */
static const char *end_kind(const struct timeline_ctx *c, const struct ct_seen *cs, size_t node,
			    const struct pkt_hdrs *x, const struct pkt_hdrs *y, bool src,
			    bool quoted)
{
	bool ports = (x->present & y->present & PKT_PORTS) != 0;

	return nat_kind(c, cs, node, quoted ? !src : src, src ? &x->src : &x->dst,
			src ? x->sport : x->dport, src ? &y->src : &y->dst,
			src ? y->sport : y->dport, ports);
}

/* "a -> b" for one end (source when src) of x and y. */
static void end_fmt(const struct pkt_hdrs *x, const struct pkt_hdrs *y, bool src, char *buf,
		    size_t len)
{
	char f[IPADDR_STRLEN + 8], t[IPADDR_STRLEN + 8];

	snprintf(buf, len, "%s -> %s", hostport(x, src, f, sizeof(f)),
		 hostport(y, src, t, sizeof(t)));
}

/*
 * The NAT an ICMP error got, told by the connection its quote belongs to: an
 * error about an original-direction packet travels as a reply (reverse DNAT of
 * its source, reverse SNAT of its destination), one about a reply as an
 * original-direction packet. The quote is read after the rewrite (b) or, when
 * that hop is a trace that saw too little, before it (a), where it still
 * carries the connection's translated addresses. Writes "reverse DNAT" (or
 * "reverse DNAT and reverse SNAT") to buf; false when no known connection
 * matches the quote.
 */
static bool error_kind(const struct ct_seen *cs, size_t node, const struct pkt *a,
		       const struct pkt *b, bool src, bool dst, char *buf, size_t len)
{
	const struct pkt_hdrs *q = b->has_inner ? &b->inner : a->has_inner ? &a->inner : NULL;
	size_t k;

	if (!q || !(src || dst))
		return false;
	for (k = 0; k < cs->n; k++) {
		const struct ct_rec *ct = &cs->k[k].rec;
		bool p = (q->present & PKT_PORTS) && (ct->present & CT_HAS_PORTS);
		bool reply;

		if (cs->k[k].node != node || q->proto != ct->proto)
			continue;
		if (tuple_is(q, &ct->orig_src, &ct->orig_dst, ct->orig_sport, ct->orig_dport, p) ||
		    tuple_is(q, &ct->reply_dst, &ct->reply_src, ct->reply_dport, ct->reply_sport,
			     p))
			reply = true; /* it quotes an original-direction packet */
		else if (tuple_is(q, &ct->reply_src, &ct->reply_dst, ct->reply_sport,
				  ct->reply_dport, p) ||
			 tuple_is(q, &ct->orig_dst, &ct->orig_src, ct->orig_dport, ct->orig_sport,
				  p))
			reply = false;
		else
			continue;
		snprintf(buf, len, "%s%s%s", src ? (reply ? "reverse DNAT" : "SNAT") : "",
			 src && dst ? " and " : "", dst ? (reply ? "reverse SNAT" : "DNAT") : "");
		return true;
	}
	return false;
}

/*
 * For a node nflab has no conntrack entries of: remembers the flow of hop
 * a -> b as conntrack would, the first one seen being the original direction,
 * unless a known connection already explains it. An unchanged hop is learnt
 * too: it names no rewrite, but it tells which way an ICMP error about the
 * flow travels.
 */
static void learn_flow(struct ct_seen *cs, size_t node, const struct pkt *a, const struct pkt *b)
{
	const struct pkt_hdrs *x = &a->outer, *y = &b->outer;
	struct ct_rec ct = {0};

	if (!(x->present & y->present & (PKT_IP4 | PKT_IP6)) || x->proto != y->proto ||
	    is_icmp_error(b) || nat_linked(cs, node, a, b))
		return;
	ct.proto = x->proto;
	if (x->present & y->present & PKT_PORTS)
		ct.present |= CT_HAS_PORTS;
	ct.orig_src = x->src;
	ct.orig_dst = x->dst;
	ct.orig_sport = x->sport;
	ct.orig_dport = x->dport;
	ct.reply_src = y->dst;
	ct.reply_dst = y->src;
	ct.reply_sport = y->dport;
	ct.reply_dport = y->sport;
	ct_seen_add(cs, node, &ct);
}

/*
 * Names what NAT changed between two hops of a packet, by direction, from the
 * conntrack entries of the node where it happened: "  <= DNAT 203.0.113.10:9 ->
 * 192.168.1.10:9", "  <= reverse SNAT 203.0.113.1 -> 192.168.1.10", an ICMP
 * error's outer and quoted headers ("  <= reverse DNAT of an error: src ... ->
 * ..., quoted dst ... -> ..."), and echo id remaps. Empty when nothing changed.
 */
static void rewrite_note(const struct timeline_ctx *c, const struct ct_seen *cs, size_t node,
			 const struct pkt *a, const struct pkt *b, char *buf, size_t len)
{
	const struct pkt_hdrs *x = &a->outer, *y = &b->outer;
	bool change[2] = {end_changed(x, y, false), end_changed(x, y, true)}; /* dst, src */
	bool quote = a->has_inner && b->has_inner && is_icmp_error(b);
	bool qchange[2] = {quote && end_changed(&a->inner, &b->inner, false),
			   quote && end_changed(&a->inner, &b->inner, true)};
	bool id = (x->present & y->present & PKT_ICMPID) && x->echo_id != y->echo_id;
	const char *sep = "";
	char ends[2 * IPADDR_STRLEN + 24];
	size_t n = 0;
	int src;

	buf[0] = '\0';
	if (!(x->present & (PKT_IP4 | PKT_IP6)) || !(y->present & (PKT_IP4 | PKT_IP6)))
		return;
	if (!change[0] && !change[1] && !qchange[0] && !qchange[1] && !id)
		return;
	if (is_icmp_error(b)) {
		/* Its connection's NAT, undone or applied: one kind, then each end. */
		char kind[64] = "NAT";

		if (!error_kind(cs, node, a, b, change[1], change[0], kind, sizeof(kind)))
			error_kind(cs, node, a, b, qchange[0], qchange[1], kind, sizeof(kind));
		textbuf_appendf(buf, len, &n, "  <= %s of an error:", kind);
		for (src = 1; src >= 0; src--) {
			if (!change[src])
				continue;
			end_fmt(x, y, src, ends, sizeof(ends));
			textbuf_appendf(buf, len, &n, "%s %s %s", sep, src ? "src" : "dst", ends);
			sep = ",";
		}
		for (src = 1; src >= 0; src--) {
			if (!qchange[src])
				continue;
			end_fmt(&a->inner, &b->inner, src, ends, sizeof(ends));
			textbuf_appendf(buf, len, &n, "%s quoted %s %s", sep, src ? "src" : "dst",
					ends);
			sep = ",";
		}
		return;
	}
	textbuf_appendf(buf, len, &n, "  <=");
	for (src = 1; src >= 0; src--) {
		const char *kind;

		if (!change[src])
			continue;
		kind = end_kind(c, cs, node, x, y, src, false);
		end_fmt(x, y, src, ends, sizeof(ends));
		textbuf_appendf(buf, len, &n, "%s %s %s", sep,
				kind  ? kind
				: src ? "rewritten src"
				      : "rewritten dst",
				ends);
		sep = ",";
	}
	if (id)
		textbuf_appendf(buf, len, &n, "%s echo id %u -> %u", sep, x->echo_id, y->echo_id);
}

static double rel_ms(const struct timeline_ctx *c, uint64_t ts)
{
	return ((double)ts - (double)c->start_real) / 1e6;
}

/* "client:eth0 in", "fw conntrack"; for people with the hook where known: "fw trace @forward". */
static void where(const struct timeline_ctx *c, const struct timeline_entry *e, bool golden,
		  char *buf, size_t len)
{
	static const char *const kinds[] = {[EV_CT] = "conntrack",
					    [EV_LOG] = "nflog",
					    [EV_TRACE] = "trace",
					    [EV_COUNTER] = "counters",
					    [EV_CT_EXP] = "conntrack-expect"};
	const struct event *ev = e->ev;
	const char *hook = golden ? NULL : timeline_hook_name(e->hook);

	if (ev->kind == EV_PACKET)
		snprintf(buf, len, "%s %s", c->point_name[ev->point],
			 ev->dir == DIR_IN ? "in" : "out");
	else
		snprintf(buf, len, "%s %s%s%s", c->lab->nodes[ev->point].name, kinds[ev->kind],
			 hook ? " @" : "", hook ? hook : "");
}

/* The ticks and crosses of the checks that matched ev, one line each. */
static void mark_lines(const struct timeline_ctx *c, const struct event *ev, FILE *f)
{
	char text[600];
	size_t k;

	for (k = 0; k < c->n_marks; k++)
		if (c->marks[k].ev == ev)
			fprintf(f, "      %10s    %s\n", "",
				timeline_mark_text(c, &c->marks[k], text, sizeof(text)));
}

/* The crosses of failed checks that matched too few, decided at or before ts, not yet shown. */
static void lone_marks(const struct timeline_ctx *c, bool *shown, uint64_t ts, FILE *f)
{
	char text[600];
	size_t k;

	for (k = 0; k < c->n_marks; k++) {
		const struct timeline_mark *m = &c->marks[k];

		if (m->ev || shown[k] || m->at_ns > ts)
			continue;
		shown[k] = true;
		fprintf(f, "    %+9.3f ms  %s\n", rel_ms(c, m->at_ns),
			timeline_mark_text(c, m, text, sizeof(text)));
	}
}

/* Replaces the number after each occurrence of key in s (in place, s has room) with "*". */
static void mask_after(char *s, const char *key)
{
	char *p = s;

	while ((p = strstr(p, key))) {
		char *num = p + strlen(key), *end = num;

		while (isxdigit((unsigned char)*end))
			end++;
		if (end > num) {
			*num = '*';
			memmove(num + 1, end, strlen(end) + 1);
		}
		p = num;
	}
}

/* Ports from the kernel's ephemeral range ("40000" after '.', ':' or "port=") become "EPH". */
static void mask_ephemeral(char *s)
{
	char *p;

	for (p = s; *p; p++) {
		char *end;
		unsigned long v;

		if (!isdigit((unsigned char)*p) || p == s ||
		    (p[-1] != '.' && p[-1] != ':' && p[-1] != '='))
			continue;
		v = strtoul(p, &end, 10);
		/* Only port-shaped numbers: "=" keys are sport/dport, "." and ":" end a host. */
		if (v < 32768 || v > 60999 || end - p != 5 || isdigit((unsigned char)*end) ||
		    *end == '.')
			continue;
		if (p[-1] == '.' && p >= s + 2 && !isdigit((unsigned char)p[-2]))
			continue;
		memcpy(p, "EPH", 3);
		memmove(p + 3, end, strlen(end) + 1);
		p += 2;
	}
}

/*
 * What a golden timeline keeps of a line: everything but what changes from run
 * to run by design: TCP sequence numbers and windows, echo ids, trace ids, rule
 * handles, link-local addresses (made from random MACs) and ephemeral ports.
 */
static void golden_mask(char *s)
{
	char *p;

	mask_after(s, "seq ");
	mask_after(s, "ack ");
	mask_after(s, "win ");
	mask_after(s, "id ");
	mask_after(s, "id=");
	mask_after(s, "[TRACE ");
	mask_after(s, "handle ");
	for (p = s; (p = strstr(p, "fe80::"));) {
		char *end = p + 6;

		while (isxdigit((unsigned char)*end) || *end == ':')
			end++;
		p[6] = '*';
		memmove(p + 7, end, strlen(end) + 1);
		p += 7;
	}
	mask_ephemeral(s);
}

const char *timeline_hook_name(int hook)
{
	return hook >= 0 && hook < NF_INET_NUMHOOKS ? fate_hook_name(hook) : NULL;
}

/* Whether every interface of node (but lo) is a capture point: a packet cannot slip in unseen. */
static bool node_all_captured(const struct timeline_ctx *c, size_t node)
{
	const struct lab_node *n = &c->lab->nodes[node];
	size_t i, p, points = 0;

	for (i = 0; i < n->n_ifaces; i++) {
		if (!strcmp(n->ifaces[i].name, "lo"))
			continue;
		for (p = 0; p < c->n_points; p++)
			if (c->point_node[p] == node && c->point_iface[p] == i)
				break;
		if (p == c->n_points)
			return false;
		points++;
	}
	return points > 0;
}

/*
 * The hook where conntrack first saw the packet of the group of conntrack
 * event s->e[i] at its node, when the event is one that hook makes (see
 * timeline_story_init()); -1 when it cannot be told for sure.
 */
static int ct_hook(const struct timeline_ctx *c, const struct timeline_story *s, size_t i,
		   const struct ct_rec *prev)
{
	const struct event *ev = s->e[i].ev;
	const struct ct_rec *ct = &ev->ct;
	size_t node = ev->point, j, first = i, end = i;
	bool came_in = false, went_out = false, traced_in = false, traced_out = false;
	bool packet = false;

	if (ct->event == CT_UPDATE) {
		/* Only a TCP state change, which conntrack makes where it first sees a packet. */
		if (!prev || !(ct->present & prev->present & CT_HAS_TCP_STATE) ||
		    prev->tcp_state == ct->tcp_state || prev->mark != ct->mark ||
		    strcmp(prev->helper, ct->helper))
			return -1;
	} else if (ct->event != CT_NEW) {
		return -1;
	}
	while (first > 0 && s->e[first - 1].group == s->e[i].group)
		first--;
	while (end < s->n && s->e[end].group == s->e[i].group)
		end++;
	/* nflab's fate table saw the packet enter the node: that hook, for sure. */
	if (c->traces) {
		int h = fate_group_entry_hook(c, s, first, node);

		if (h >= 0)
			return h;
	}
	for (j = first; j < end; j++) {
		const struct event *o = s->e[j].ev;

		packet |= s->e[j].pkt != NULL;
		if (o->kind == EV_PACKET && c->point_node[o->point] == node) {
			came_in |= o->dir == DIR_IN;
			went_out |= o->dir == DIR_OUT;
		} else if (o->kind == EV_TRACE && o->point == node &&
			   (o->trace.present & TRACE_HAS_HOOK)) {
			traced_in |= o->trace.hook == NF_INET_PRE_ROUTING ||
				     o->trace.hook == NF_INET_LOCAL_IN ||
				     o->trace.hook == NF_INET_FORWARD;
			traced_out |= o->trace.hook == NF_INET_LOCAL_OUT;
		}
	}
	if (!packet) /* the event stands alone: no packet to tell by */
		return -1;
	if ((came_in || traced_in) && !traced_out)
		return NF_INET_PRE_ROUTING;
	if (traced_out && !came_in && !traced_in)
		return NF_INET_LOCAL_OUT;
	if (went_out && !came_in && !traced_in && node_all_captured(c, node))
		return NF_INET_LOCAL_OUT;
	return -1;
}

/*
 * Per event of the log (by seq): the conntrack event of the same connection
 * (node and id) read just before it, or NULL. One pass, with a hash of the
 * connections: a flood lab has a hundred thousand.
 */
static const struct ct_rec **ct_previous(const struct evlog *log)
{
	const struct ct_rec **prev = xcalloc(log->n + 1, sizeof(*prev));
	size_t cap = 2 * log->n + 2, i;
	const struct event **last = xcalloc(cap, sizeof(*last)); /* per connection: its latest */

	for (i = 0; i < log->n; i++) {
		const struct event *ev = &log->ev[i];
		size_t h;

		if (ev->kind != EV_CT || ev->ct.event == CT_ENTRY)
			continue;
		h = (size_t)mix(mix(1, ev->point), ev->ct.id) % cap;
		while (last[h] && (last[h]->point != ev->point || last[h]->ct.id != ev->ct.id))
			h = (h + 1) % cap;
		prev[i] = last[h] ? &last[h]->ct : NULL;
		last[h] = ev;
	}
	free(last);
	return prev;
}

/* The hook of each kernel event of s: see timeline_story_init(). */
static void story_hooks(const struct timeline_ctx *c, struct timeline_story *s)
{
	const struct ct_rec **prev = ct_previous(c->log);
	size_t i;

	for (i = 0; i < s->n; i++) {
		const struct event *ev = s->e[i].ev;

		s->e[i].hook = -1;
		if (ev->kind == EV_LOG && ev->log.hook < NF_INET_NUMHOOKS)
			s->e[i].hook = ev->log.hook;
		else if (ev->kind == EV_TRACE && (ev->trace.present & TRACE_HAS_HOOK))
			s->e[i].hook = ev->trace.hook;
		else if (ev->kind == EV_CT)
			s->e[i].hook = ct_hook(c, s, i, prev[ev - c->log->ev]);
	}
	free(prev);
}

const char *timeline_mark_text(const struct timeline_ctx *c, const struct timeline_mark *m,
			       char *buf, size_t len)
{
	const struct lab_step *st = &c->lab->steps[m->step];

	int n = snprintf(buf, len, "%s expect [%zu] (%s:%d)", m->pass ? "\u2713" : "\u2717",
			 m->step + 1, st->loc.file, st->loc.line);

	if (m->pass || n < 0 || (size_t)n >= len)
		return buf;
	if (m->ev)
		snprintf(buf + n, len - (size_t)n, ": too many");
	else if (st->kind == STEP_EXPECT && st->expect.mode != COUNT_AT_LEAST &&
		 m->matched > st->expect.count)
		snprintf(buf + n, len - (size_t)n, ": %u matched, too many", m->matched);
	else if (m->matched)
		snprintf(buf + n, len - (size_t)n, ": only %u matched", m->matched);
	else
		snprintf(buf + n, len - (size_t)n, ": nothing matched");
	return buf;
}

void timeline_story_init(struct timeline_story *s, const struct timeline_ctx *c)
{
	struct ct_seen cs = ct_seen_of(c->log);
	struct item *it = group_events(c, &cs, &s->n_groups);
	size_t i, j, first = 0;

	place_kernel_events(c, it, c->log->n);
	qsort(it, c->log->n, sizeof(*it), cmp_group);
	s->n = c->log->n;
	s->e = xcalloc(s->n + 1, sizeof(*s->e));
	for (i = 0; i < s->n; i++) {
		struct timeline_entry *e = &s->e[i];
		const struct pkt *prev = NULL;
		char note[300];

		e->ev = it[i].ev;
		e->pkt = event_pkt(e->ev);
		e->group = it[i].group;
		e->at_ns = it[i].at_ns;
		if (i == 0 || it[i].group != it[i - 1].group) {
			first = i;
			e->chatter = e->pkt && is_chatter(e->pkt);
		} else {
			e->chatter = s->e[i - 1].chatter;
		}
		if (e->chatter || !e->pkt)
			continue;
		/* A rewrite shows between this hop and the group's previous one. */
		for (j = i; j > first; j--)
			if ((prev = s->e[j - 1].pkt))
				break;
		if (!prev)
			continue;
		learn_flow(&cs, event_node(c, e->ev), prev, e->pkt);
		rewrite_note(c, &cs, event_node(c, e->ev), prev, e->pkt, note, sizeof(note));
		if (note[0])
			e->rewrite = xstrdup(note);
	}
	free(it);
	ct_seen_release(&cs);
	story_hooks(c, s);
}

void timeline_story_release(struct timeline_story *s)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		free(s->e[i].rewrite);
	free(s->e);
	memset(s, 0, sizeof(*s));
}

/* The story of the log, for people (golden false) or for a golden file. */
/* The last line of a packet's group: what became of it, where nflab can tell. */
static void fate_line(const struct timeline_ctx *c, const struct timeline_story *s, size_t first,
		      FILE *f, bool golden)
{
	char text[512];

	if (!fate_group_text(c, s, first, text, sizeof(text)))
		return;
	if (golden) {
		golden_mask(text);
		fprintf(f, "    => %s\n", text);
	} else {
		fprintf(f, "      %10s    => %s\n", "", text);
	}
}

/*
 * Prints a marker for each step that started at or before ts (all that are
 * left when ts is UINT64_MAX), from *next on: where the lab's steps fall
 * between the packet groups.
 */
static void step_markers(const struct timeline_ctx *c, size_t *next, uint64_t ts, FILE *f)
{
	for (; *next < c->n_steps; (*next)++) {
		uint64_t at = c->step_real[*next];

		if (at > ts)
			return;
		if (at && c->step_text[*next]) {
			/* A newline of the lab's text (a cmd block) never starts a line at column 0. */
			fprintf(f, "    %+9.3f ms  -- ", rel_ms(c, at));
			utf8_write_term_lines(f, c->step_text[*next], "    ", false);
			fputc('\n', f);
		}
	}
}

static void walk(const struct timeline_ctx *c, FILE *f, bool golden)
{
	struct timeline_story s;
	size_t i, chatter = 0, first = 0, next_step = 0;
	bool *shown = xcalloc(c->n_marks + 1, sizeof(*shown)); /* per mark: printed */

	timeline_story_init(&s, c);
	if (!golden)
		fprintf(f, "  timeline: %zu events in %zu groups (ms from the first step)\n", s.n,
			s.n_groups);
	for (i = 0; i < s.n; i++) {
		const struct timeline_entry *e = &s.e[i];
		const struct event *ev = e->ev;
		char sum[1024], w[96], ts[32];
		size_t j;

		if (i == 0 || e->group != s.e[i - 1].group) {
			if (!golden) { /* golden files keep packets only: no step texts */
				step_markers(c, &next_step, ev->ts_ns, f);
				lone_marks(c, shown, ev->ts_ns, f);
			}
			if (e->chatter) {
				/* One line for the whole group: where it went is rarely the point.
				 */
				for (j = i; j < s.n && s.e[j].group == e->group; j++)
					;
				if (!golden)
					fprintf(f, "    %+9.3f ms  link: %s (%zu hop%s)\n",
						rel_ms(c, ev->ts_ns),
						event_summary(ev, sum, sizeof(sum)), j - i,
						j - i == 1 ? "" : "s");
				chatter++;
				i = j - 1;
				continue;
			}
			for (j = i; j < s.n && s.e[j].group == e->group; j++)
				if (s.e[j].ev->kind == EV_PACKET)
					break;
			if (j == s.n || s.e[j].group != e->group)
				j = i;
			if (golden) {
				event_summary(s.e[j].ev, sum, sizeof(sum));
				golden_mask(sum);
				fprintf(f, "- %s\n", sum);
			} else {
				event_summary_app(s.e[j].ev, sum, sizeof(sum));
				fprintf(f, "    #%zu %s\n", e->group, sum);
			}
			first = i;
		}
		where(c, e, golden, w, sizeof(w));
		if (golden) {
			event_summary(ev, sum, sizeof(sum));
			strncat(sum, e->rewrite ? e->rewrite : "", sizeof(sum) - strlen(sum) - 1);
			golden_mask(sum);
			fprintf(f, "    %-18s %s\n", w, sum);
		} else {
			/* Netlink events are stamped when read: show them at their hop. */
			snprintf(ts, sizeof(ts), "%s%+.3f", ev->kind == EV_PACKET ? "" : "~",
				 rel_ms(c, e->at_ns));
			fprintf(f, "      %10s ms %-18s %s%s\n", ts, w,
				event_summary_app(ev, sum, sizeof(sum)),
				e->rewrite ? e->rewrite : "");
			mark_lines(c, ev, f);
		}
		if (i + 1 == s.n || s.e[i + 1].group != e->group)
			fate_line(c, &s, first, f, golden);
	}
	if (!golden) {
		step_markers(c, &next_step, UINT64_MAX, f);
		lone_marks(c, shown, UINT64_MAX, f);
	}
	free(shown);
	if (chatter && !golden)
		fprintf(f, "  (%zu link-layer groups: ARP, neighbour discovery, MLD)\n", chatter);
	timeline_story_release(&s);
}

void timeline_print(const struct timeline_ctx *c, FILE *f)
{
	char *text = NULL;
	size_t size = 0;
	FILE *m = open_memstream(&text, &size);

	/* Step names and packet contents come from the lab: shown, never acting on a terminal. */
	walk(c, m, false);
	fclose(m);
	utf8_write_term(f, text, true);
	free(text);
}

void timeline_write_golden(const struct timeline_ctx *c, FILE *f)
{
	walk(c, f, true);
}

/* "field": value for every field of ev's record that is present. */
static void json_fields(FILE *f, const struct event *ev)
{
	static const enum expect_source by_kind[] = {
		[EV_PACKET] = SRC_CAPTURE,   [EV_CT] = SRC_CT_EVENT,
		[EV_LOG] = SRC_NFLOG,	     [EV_TRACE] = SRC_TRACE,
		[EV_COUNTER] = SRC_COUNTERS, [EV_CT_EXP] = SRC_CT_EXPECT};
	const struct source_def *src = &sources[by_kind[ev->kind]];
	bool any = false;
	size_t t;

	fputs("\"fields\":{", f);
	for (t = 0; t < 2 && src->fields[t]; t++) {
		const struct field_def *fd;

		for (fd = src->fields[t]; fd->name; fd++) {
			struct value v;
			char buf[200];

			if (!fd->get(event_record(ev), &v))
				continue;
			fprintf(f, "%s", any ? "," : "");
			json_string(f, fd->name);
			fputc(':', f);
			if (v.kind == VAL_UINT && !fd->syms)
				fprintf(f, "%llu", (unsigned long long)v.u);
			else
				json_string(f, value_fmt(fd, &v, buf, sizeof(buf)));
			any = true;
		}
	}
	fputc('}', f);
}

/* "expect":[{"step":3,"pass":true,"at":"lab.yaml:40","text":"✓ expect [3] ..."}]: ev's checks. */
static void json_marks(const struct timeline_ctx *c, const struct event *ev, FILE *f)
{
	const char *sep = ",\"expect\":[";
	char text[600], at[300];
	size_t k;

	for (k = 0; k < c->n_marks; k++) {
		const struct timeline_mark *m = &c->marks[k];
		const struct lab_step *st = &c->lab->steps[m->step];

		if (m->ev != ev)
			continue;
		snprintf(at, sizeof(at), "%s:%d", st->loc.file, st->loc.line);
		fprintf(f, "%s{\"step\":%zu,\"pass\":%s,\"at\":", sep, m->step + 1,
			m->pass ? "true" : "false");
		json_string(f, at);
		fputs(",\"text\":", f);
		json_string(f, timeline_mark_text(c, m, text, sizeof(text)));
		fputc('}', f);
		sep = ",";
	}
	if (ev && sep[0] == ',' && sep[1] == '\0')
		fputc(']', f);
}

/* As step_markers(), for --events: {"kind":"step","step":3,"text":...} in time order. */
static void step_events(const struct timeline_ctx *c, size_t *next, uint64_t ts, FILE *f)
{
	for (; *next < c->n_steps; (*next)++) {
		uint64_t at = c->step_real[*next];

		if (at > ts)
			return;
		if (!at || !c->step_text[*next])
			continue;
		fprintf(f,
			"{\"t_ms\":%.6f,\"t_is\":\"started\",\"kind\":\"step\",\"group\":0,"
			"\"step\":%zu,\"text\":",
			rel_ms(c, at), *next + 1);
		json_string(f, c->step_text[*next]);
		fputs("}\n", f);
	}
}

/* As lone_marks(), for --events: {"kind":"expect","step":3,"pass":false,...} in time order. */
static void lone_mark_events(const struct timeline_ctx *c, bool *shown, uint64_t ts, FILE *f)
{
	char text[600], at[300];
	size_t k;

	for (k = 0; k < c->n_marks; k++) {
		const struct timeline_mark *m = &c->marks[k];
		const struct lab_step *st = &c->lab->steps[m->step];

		if (m->ev || shown[k] || m->at_ns > ts)
			continue;
		shown[k] = true;
		snprintf(at, sizeof(at), "%s:%d", st->loc.file, st->loc.line);
		fprintf(f,
			"{\"t_ms\":%.6f,\"t_is\":\"decided\",\"kind\":\"expect\",\"group\":0,"
			"\"step\":%zu,\"pass\":%s,\"at\":",
			rel_ms(c, m->at_ns), m->step + 1, m->pass ? "true" : "false");
		json_string(f, at);
		fputs(",\"text\":", f);
		json_string(f, timeline_mark_text(c, m, text, sizeof(text)));
		fputs("}\n", f);
	}
}

static int cmp_entry_ts(const void *a, const void *b)
{
	const struct timeline_entry *x = *(const struct timeline_entry *const *)a;
	const struct timeline_entry *y = *(const struct timeline_entry *const *)b;

	if (x->ev->ts_ns != y->ev->ts_ns)
		return x->ev->ts_ns < y->ev->ts_ns ? -1 : 1;
	return x->ev->seq < y->ev->seq ? -1 : x->ev->seq > y->ev->seq;
}

int timeline_write_events(const struct timeline_ctx *c, const char *path, struct diag *d)
{
	static const char *const kinds[] = {
		[EV_PACKET] = "packet", [EV_CT] = "conntrack",	  [EV_LOG] = "nflog",
		[EV_TRACE] = "trace",	[EV_COUNTER] = "counter", [EV_CT_EXP] = "expectation"};
	const struct timeline_entry **order;
	struct timeline_story s;
	struct outfile of;
	FILE *f = outfile_open(&of, path, d);
	size_t i, first = 0, next_step = 0;
	char **fates;  /* per entry: its group's fate, on the group's last entry */
	char **reason; /* per entry: that fate's kernel reason (fate.reason), or NULL */
	bool *shown;  /* per mark: written */

	if (!f)
		return -1;
	shown = xcalloc(c->n_marks + 1, sizeof(*shown));
	timeline_story_init(&s, c);
	order = xcalloc(s.n + 1, sizeof(*order));
	fates = xcalloc(s.n + 1, sizeof(*fates));
	reason = xcalloc(s.n + 1, sizeof(*reason));
	for (i = 0; i < s.n; i++) {
		order[i] = &s.e[i];
		/* A group's fate goes on its last event in the story. */
		if (i + 1 == s.n || s.e[i + 1].group != s.e[i].group) {
			char text[512];
			struct fate fa;
			size_t node;

			while (first < i && s.e[first].group != s.e[i].group)
				first++;
			if (!fate_group(c, &s, first, &fa, &node)) {
				fates[i] = xstrdup(fate_text(&fa, text, sizeof(text)) +
						   strlen("fate: "));
				if (fa.reason[0])
					reason[i] = xstrdup(fa.reason);
			}
			first = i + 1;
		}
	}
	qsort(order, s.n, sizeof(*order), cmp_entry_ts); /* the file is in time order */
	for (i = 0; i < s.n; i++) {
		const struct timeline_entry *e = order[i];
		const struct event *ev = e->ev;
		char sum[1024];

		step_events(c, &next_step, ev->ts_ns, f);
		lone_mark_events(c, shown, ev->ts_ns, f);
		/* Packets carry the kernel's capture time; netlink events the time nflab read them.
		 */
		fprintf(f,
			"{\"seq\":%zu,\"t_ms\":%.6f,\"t_is\":\"%s\",\"kind\":\"%s\",\"group\":%zu,",
			ev->seq, rel_ms(c, ev->ts_ns), ev->kind == EV_PACKET ? "captured" : "read",
			kinds[ev->kind], e->group);
		fputs(ev->kind == EV_PACKET ? "\"point\":" : "\"node\":", f);
		json_string(f, ev->kind == EV_PACKET ? c->point_name[ev->point]
						     : c->lab->nodes[ev->point].name);
		if (ev->kind == EV_PACKET)
			fprintf(f, ",\"dir\":\"%s\"", ev->dir == DIR_IN ? "in" : "out");
		if (timeline_hook_name(e->hook)) {
			fputs(",\"hook\":", f);
			json_string(f, timeline_hook_name(e->hook));
		}
		fputs(",\"summary\":", f);
		json_string(f, event_summary_app(ev, sum, sizeof(sum)));
		if (event_app_summary(ev, sum, sizeof(sum))) {
			fputs(",\"app\":", f);
			json_string(f, sum);
		}
		json_marks(c, ev, f);
		if (e->rewrite) { /* the timeline's note, without its "  <= " */
			fputs(",\"nat\":", f);
			json_string(f, e->rewrite + strspn(e->rewrite, " <="));
		}
		if (fates[e - s.e]) {
			fputs(",\"fate\":", f);
			json_string(f, fates[e - s.e]);
		}
		if (reason[e - s.e]) {
			fputs(",\"fate_reason\":", f);
			json_string(f, reason[e - s.e]);
		}
		fputc(',', f);
		json_fields(f, ev);
		fputs("}\n", f);
	}
	step_events(c, &next_step, UINT64_MAX, f);
	lone_mark_events(c, shown, UINT64_MAX, f);
	free(shown);
	for (i = 0; i < s.n; i++) {
		free(fates[i]);
		free(reason[i]);
	}
	free(fates);
	free(reason);
	free(order);
	timeline_story_release(&s);
	return outfile_commit(&of, d);
}
