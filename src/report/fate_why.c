// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Why the kernel dropped a packet outside netfilter, told from its own drop
 * counters (observe/mib.h) read in the packet's node before and after it.
 */
/* Our headers first: they bring <netinet/in.h>, which must come before <linux/in.h>. */
#include "report/fate_why.h"

#include <linux/netfilter.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lab/lab.h"
#include "report/fate.h"
#include "util/textbuf.h"
#include "util/xalloc.h"

/* Where a packet was when the stack dropped it. */
enum {
	AT_NONE = 0,	   /* before any hook: no packet of the story is a candidate */
	AT_ROUTE = 1 << 0, /* after prerouting or forward: routing, forwarding, rp_filter */
	AT_LOCAL = 1 << 1, /* after input: the transport, the socket */
};

#define ANY_PROTO 0
#define NO_MIB	  MIB__MAX

/* One kind of drop: a counter, with those that move with it for the same packet. */
struct drop_rule {
	enum mib_counter main, also;
	unsigned int at;
	uint8_t family; /* 4, 6, or 0 for both */
	uint8_t proto;	/* IPPROTO_*, or ANY_PROTO */
	const char *words;
};

/* The more telling kinds first: a counter another kind took moves no later one. */
static const struct drop_rule rules[] = {
	{MIB_IP_IN_CSUM_ERRORS, MIB_IP_IN_HDR_ERRORS, AT_NONE, 4, ANY_PROTO, "bad IP checksum"},
	{MIB_IP_IN_TRUNCATED, NO_MIB, AT_NONE, 4, ANY_PROTO, "truncated IP packet"},
	{MIB_ICMP_OUT_TIME_EXCDS, MIB_IP_IN_HDR_ERRORS, AT_ROUTE, 4, ANY_PROTO, "TTL exceeded"},
	{MIB_IP_IN_NO_ROUTES, MIB_ICMP_OUT_DEST_UNREACHS, AT_ROUTE, 4, ANY_PROTO, "no route"},
	{MIB_TCPEXT_RP_FILTER, NO_MIB, AT_ROUTE, 4, ANY_PROTO, "reverse-path filter"},
	{MIB_IP_FRAG_FAILS, MIB_ICMP_OUT_DEST_UNREACHS, AT_ROUTE, 4, ANY_PROTO,
	 "too big for the next link, and not to be fragmented"},
	{MIB_IP_IN_ADDR_ERRORS, MIB_ICMP_OUT_DEST_UNREACHS, AT_ROUTE, 4, ANY_PROTO,
	 "not for this node, and not forwarded"},
	{MIB_IP_IN_HDR_ERRORS, NO_MIB, AT_ROUTE, 4, ANY_PROTO, "bad IP header or TTL exceeded"},
	{MIB_UDP_NO_PORTS, MIB_ICMP_OUT_DEST_UNREACHS, AT_LOCAL, 4, IPPROTO_UDP,
	 "no socket listening"},
	{MIB_UDP_IN_CSUM_ERRORS, MIB_UDP_IN_ERRORS, AT_LOCAL, 4, IPPROTO_UDP, "bad UDP checksum"},
	{MIB_UDP_RCVBUF_ERRORS, MIB_UDP_IN_ERRORS, AT_LOCAL, 4, IPPROTO_UDP,
	 "socket receive buffer full"},
	{MIB_UDP_IN_ERRORS, NO_MIB, AT_LOCAL, 4, IPPROTO_UDP, "UDP receive error"},
	{MIB_IP_IN_UNKNOWN_PROTOS, MIB_ICMP_OUT_DEST_UNREACHS, AT_LOCAL, 4, ANY_PROTO,
	 "no handler for its IP protocol"},
	{MIB_ICMP_IN_ERRORS, NO_MIB, AT_LOCAL, 4, IPPROTO_ICMP,
	 "ICMP message dropped: malformed, or an error for a flow no socket has"},
	{MIB_IP_IN_DISCARDS, NO_MIB, AT_ROUTE | AT_LOCAL, 4, ANY_PROTO,
	 "discarded by the IP stack"},
	{MIB_TCP_IN_CSUM_ERRORS, MIB_TCP_IN_ERRS, AT_LOCAL, 0, IPPROTO_TCP, "bad TCP checksum"},
	{MIB_TCP_IN_ERRS, NO_MIB, AT_LOCAL, 0, IPPROTO_TCP, "bad TCP segment"},
	{MIB_TCPEXT_LISTEN_OVERFLOWS, MIB_TCPEXT_LISTEN_DROPS, AT_LOCAL, 0, IPPROTO_TCP,
	 "listen queue full"},
	{MIB_TCPEXT_MIN_TTL_DROP, NO_MIB, AT_LOCAL, 0, IPPROTO_TCP,
	 "TTL below the socket's minimum (IP_MINTTL)"},
	{MIB_TCPEXT_LISTEN_DROPS, NO_MIB, AT_LOCAL, 0, IPPROTO_TCP,
	 "dropped by the listening socket"},
	{MIB_TCPEXT_BACKLOG_DROP, NO_MIB, AT_LOCAL, 0, IPPROTO_TCP, "socket backlog full"},
	{MIB_TCPEXT_RCVQ_DROP, NO_MIB, AT_LOCAL, 0, IPPROTO_TCP, "socket receive queue full"},
	{MIB_TCPEXT_ZERO_WINDOW_DROP, NO_MIB, AT_LOCAL, 0, IPPROTO_TCP, "receive window closed"},
	{MIB_IP6_IN_TRUNCATED, NO_MIB, AT_NONE, 6, ANY_PROTO, "truncated IPv6 packet"},
	{MIB_ICMP6_OUT_TIME_EXCDS, MIB_IP6_IN_HDR_ERRORS, AT_ROUTE, 6, ANY_PROTO,
	 "hop limit exceeded"},
	{MIB_IP6_IN_NO_ROUTES, MIB_ICMP6_OUT_DEST_UNREACHS, AT_ROUTE, 6, ANY_PROTO, "no route"},
	{MIB_IP6_IN_TOO_BIG_ERRORS, MIB_ICMP6_OUT_PKT_TOO_BIGS, AT_ROUTE, 6, ANY_PROTO,
	 "too big for the next link"},
	{MIB_IP6_IN_ADDR_ERRORS, MIB_ICMP6_OUT_DEST_UNREACHS, AT_ROUTE, 6, ANY_PROTO,
	 "not for this node, and not forwarded"},
	{MIB_IP6_IN_HDR_ERRORS, MIB_ICMP6_OUT_PARM_PROBLEMS, AT_ROUTE | AT_LOCAL, 6, ANY_PROTO,
	 "bad IPv6 header or hop limit exceeded"},
	{MIB_UDP6_NO_PORTS, MIB_ICMP6_OUT_DEST_UNREACHS, AT_LOCAL, 6, IPPROTO_UDP,
	 "no socket listening"},
	{MIB_UDP6_IN_CSUM_ERRORS, MIB_UDP6_IN_ERRORS, AT_LOCAL, 6, IPPROTO_UDP, "bad UDP checksum"},
	{MIB_UDP6_RCVBUF_ERRORS, MIB_UDP6_IN_ERRORS, AT_LOCAL, 6, IPPROTO_UDP,
	 "socket receive buffer full"},
	{MIB_UDP6_IN_ERRORS, NO_MIB, AT_LOCAL, 6, IPPROTO_UDP, "UDP receive error"},
	{MIB_IP6_IN_UNKNOWN_PROTOS, MIB_ICMP6_OUT_PARM_PROBLEMS, AT_LOCAL, 6, ANY_PROTO,
	 "no handler for its next header"},
	{MIB_ICMP6_IN_ERRORS, NO_MIB, AT_LOCAL, 6, IPPROTO_ICMPV6,
	 "ICMPv6 message dropped: malformed, or an error for a flow no socket has"},
	{MIB_IP6_IN_DISCARDS, NO_MIB, AT_ROUTE | AT_LOCAL, 6, ANY_PROTO,
	 "discarded by the IPv6 stack"},
};

#define N_RULES (sizeof(rules) / sizeof(rules[0]))

/* The reason of one packet, by the node and index of its last event. */
struct why {
	size_t node, last;
	bool sure;
	char *text;
};

struct fate_why {
	struct why *v;
	size_t n, cap_v;
	const struct mib_series *series;
	size_t n_nodes;
};

/* A packet of a window that counters could explain. */
struct cand {
	size_t node, window, last;
	unsigned int at;
	uint8_t family, proto;
	uint64_t rules; /* bit r: rules[r] moved and could be its reason */
};

/* The reading that closed the window of an event at index last, or 0 when none did. */
static size_t window_of(const struct mib_series *s, size_t last)
{
	size_t lo = 0, hi = s->n;

	while (lo < hi) { /* the first reading whose pos is past last */
		size_t mid = (lo + hi) / 2;

		if (s->v[mid].pos > last)
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo < s->n ? lo : 0; /* reading 0 opens the first window: it closes none */
}

static unsigned int stage_of(const struct fate *f)
{
	switch (f->kind) {
	case FATE_DELIVERED:
		return AT_LOCAL;
	case FATE_UNKNOWN:
		return AT_ROUTE | AT_LOCAL;
	case FATE_LOST:
		if (f->hook == NF_INET_LOCAL_IN)
			return AT_LOCAL;
		if (f->hook < 0 || f->hook == NF_INET_PRE_ROUTING || f->hook == NF_INET_FORWARD)
			return AT_ROUTE;
		return AT_NONE;
	default:
		return AT_NONE;
	}
}

static int cmp_cand(const void *a, const void *b)
{
	const struct cand *x = a, *y = b;

	if (x->node != y->node)
		return x->node < y->node ? -1 : 1;
	if (x->window != y->window)
		return x->window < y->window ? -1 : 1;
	return x->last < y->last ? -1 : x->last > y->last;
}

static int cmp_why(const void *a, const void *b)
{
	const struct why *x = a, *y = b;

	if (x->node != y->node)
		return x->node < y->node ? -1 : 1;
	return x->last < y->last ? -1 : x->last > y->last;
}

static bool fits(const struct drop_rule *r, const struct cand *c)
{
	return (r->at & c->at) && (!r->family || r->family == c->family) &&
	       (r->proto == ANY_PROTO || r->proto == c->proto);
}

/* "no route (IpExt InNoRoutes +1, Icmp OutDestUnreachs +1)", appended at *n. */
static void rule_text(const struct drop_rule *r, uint64_t main, uint64_t also, char *buf,
		      size_t len, size_t *n)
{
	textbuf_appendf(buf, len, n, "%s (%s +%llu", r->words, mib_name(r->main),
			(unsigned long long)main);
	if (also)
		textbuf_appendf(buf, len, n, ", %s +%llu", mib_name(r->also),
				(unsigned long long)also);
	textbuf_appendf(buf, len, n, ")");
}

/* Names the counters that moved in one window and gives them to its candidates c[0..n). */
static void explain_window(struct fate_why *w, const struct mib_snap *before,
			   const struct mib_snap *after, struct cand *c, size_t n)
{
	uint64_t delta[MIB__MAX], main[N_RULES] = {0}, also[N_RULES] = {0};
	size_t r, i, j;

	for (i = 0; i < MIB__MAX; i++)
		delta[i] = after->v[i] > before->v[i] ? after->v[i] - before->v[i] : 0;
	for (r = 0; r < N_RULES; r++) {
		const struct drop_rule *ru = &rules[r];

		if (!delta[ru->main])
			continue;
		main[r] = delta[ru->main];
		delta[ru->main] = 0;
		if (ru->also != NO_MIB) { /* what moved with it, for the same packets */
			also[r] = delta[ru->also] < main[r] ? delta[ru->also] : main[r];
			delta[ru->also] -= also[r];
		}
		for (i = 0; i < n; i++)
			if (fits(ru, &c[i]))
				c[i].rules |= 1ull << r;
	}
	for (i = 0; i < n; i++) {
		uint64_t moved = 0;
		size_t peers = 0, rn = 0, len = 0;
		char text[256];
		struct why *y;

		if (!c[i].rules)
			continue;
		/* The packets this one shares a counter with, and how far those moved. */
		for (j = 0; j < n; j++)
			peers += (c[j].rules & c[i].rules) != 0;
		for (r = 0; r < N_RULES; r++)
			if (c[i].rules & (1ull << r)) {
				moved += main[r];
				rn++;
			}
		text[0] = '\0';
		if (peers > moved || (rn > 1 && peers > 1))
			textbuf_appendf(
				text, sizeof(text), &len,
				"one of these %zu packets (the counters cannot tell which): ",
				peers);
		for (r = 0, rn = 0; r < N_RULES; r++)
			if (c[i].rules & (1ull << r)) {
				if (rn++)
					textbuf_appendf(text, sizeof(text), &len, " or ");
				rule_text(&rules[r], main[r], also[r], text, sizeof(text), &len);
			}
		XGROW(w->v, w->n, w->cap_v);
		y = &w->v[w->n++];
		y->node = c[i].node;
		y->last = c[i].last;
		y->sure = rn == 1 && peers <= moved;
		y->text = xstrdup(text);
	}
}

struct fate_why *fate_why_new(const struct evlog *traces, const struct lab *lab,
			      const struct mib_series *series)
{
	struct fate_why *w = xcalloc(1, sizeof(*w));
	struct fate_packet *pk;
	struct cand *c;
	size_t n, nc = 0, i, j;

	w->series = series;
	w->n_nodes = lab->n_nodes;
	if (!series)
		return w;
	pk = fate_packets(traces, LAB_ANY_NODE, lab, &n);
	c = xcalloc(n + 1, sizeof(*c));
	for (i = 0; i < n; i++) {
		const struct pkt_hdrs *h = pk[i].pkt ? &pk[i].pkt->outer : NULL;
		unsigned int at = stage_of(&pk[i].f);
		size_t win;

		if (!at || !h || pk[i].chatter || pk[i].node >= lab->n_nodes)
			continue;
		win = window_of(&series[pk[i].node], pk[i].last);
		if (!win)
			continue;
		c[nc++] = (struct cand){.node = pk[i].node,
					.window = win,
					.last = pk[i].last,
					.at = at,
					.family = (h->present & PKT_IP6)   ? 6
						  : (h->present & PKT_IP4) ? 4
									   : 0,
					.proto = h->proto};
	}
	if (nc)
		qsort(c, nc, sizeof(*c), cmp_cand);
	for (i = 0; i < nc; i = j) {
		const struct mib_series *s = &series[c[i].node];

		for (j = i + 1; j < nc && c[j].node == c[i].node && c[j].window == c[i].window; j++)
			;
		explain_window(w, &s->v[c[i].window - 1], &s->v[c[i].window], c + i, j - i);
	}
	if (w->n)
		qsort(w->v, w->n, sizeof(*w->v), cmp_why);
	free(c);
	free(pk);
	return w;
}

void fate_why_free(struct fate_why *w)
{
	size_t i;

	if (!w)
		return;
	for (i = 0; i < w->n; i++)
		free(w->v[i].text);
	free(w->v);
	free(w);
}

bool fate_why_closed(const struct fate_why *w, size_t node, size_t last)
{
	const struct mib_series *s;

	if (!w || !w->series || node >= w->n_nodes)
		return false;
	s = &w->series[node];
	return s->n && s->v[s->n - 1].pos > last;
}

void fate_why_apply(const struct fate_why *w, size_t node, size_t last, struct fate *f)
{
	struct why key = {.node = node, .last = last};
	const struct why *y;

	if (!w || !w->series)
		return;
	f->counted = fate_why_closed(w, node, last);
	y = w->n ? bsearch(&key, w->v, w->n, sizeof(*w->v), cmp_why) : NULL;
	if (!y)
		return;
	snprintf(f->reason, sizeof(f->reason), "%s", y->text);
	if (!y->sure)
		return;
	/* The stack dropped it: no chain of the lab's decided. */
	f->kind = FATE_DROPPED;
	f->by = FATE_BY_KERNEL;
	f->table[0] = f->chain[0] = f->rule[0] = '\0';
	f->handle = 0;
	f->chain_hook = -1;
}
