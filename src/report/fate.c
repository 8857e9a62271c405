// SPDX-License-Identifier: GPL-2.0-or-later
/* What became of a packet at a node, told from its nft trace events: delivered, dropped ... */
/* Our headers first: they bring <netinet/in.h>, which must come before <linux/in.h>. */
#include "report/fate.h"

#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lab/lab.h"
#include "observe/counters.h"
#include "observe/event.h"
#include "report/fate_why.h"
#include "report/timeline.h"
#include "rules/ruleset.h"
#include "util/textbuf.h"
#include "util/xalloc.h"

#define ANSWER_GAP_NS 100000000ull /* 100 ms: an answer follows what it answers closer */
#define HOP_SLACK_NS  50000000ull  /* 50 ms between a capture and its trace events */

static const char *const hook_names[NF_INET_NUMHOOKS] = {
	[NF_INET_PRE_ROUTING] = "prerouting",	[NF_INET_LOCAL_IN] = "input",
	[NF_INET_FORWARD] = "forward",		[NF_INET_LOCAL_OUT] = "output",
	[NF_INET_POST_ROUTING] = "postrouting",
};

const char *fate_hook_name(int hook)
{
	return hook >= 0 && hook < NF_INET_NUMHOOKS ? hook_names[hook] : "?";
}

const char *fate_kind_name(enum fate_kind k)
{
	static const char *const names[] = {
		[FATE_UNKNOWN] = "unknown",	[FATE_DELIVERED] = "delivered",
		[FATE_FORWARDED] = "forwarded", [FATE_SENT] = "sent",
		[FATE_DROPPED] = "dropped",	[FATE_REJECTED] = "rejected",
		[FATE_LOST] = "lost",
	};

	return (unsigned int)k < sizeof(names) / sizeof(names[0]) ? names[k] : "?";
}

const char *fate_by_name(enum fate_by b)
{
	static const char *const names[] = {
		[FATE_BY_NONE] = "none",     [FATE_BY_RULE] = "rule",
		[FATE_BY_POLICY] = "policy", [FATE_BY_UNTRACED] = "untraced",
		[FATE_BY_KERNEL] = "kernel",
	};

	return (unsigned int)b < sizeof(names) / sizeof(names[0]) ? names[b] : "?";
}

/*
 * The hook of a chain of nflab's fate table: "prerouting" ... are entered at
 * the lowest priority, "input_done" and "postrouting_done" left at the
 * highest. -1 for a name it does not have.
 */
static int own_hook(const char *chain, bool *done)
{
	size_t len = strlen(chain), dl = strlen(RULESET_FATE_DONE);
	int h;

	*done = len > dl && !strcmp(chain + len - dl, RULESET_FATE_DONE);
	if (*done)
		len -= dl;
	for (h = 0; h < NF_INET_NUMHOOKS; h++)
		if (strlen(hook_names[h]) == len && !strncmp(chain, hook_names[h], len))
			return h;
	return -1;
}

static bool has_verdict(const struct trace_rec *t, int32_t v)
{
	return (t->present & TRACE_HAS_VERDICT) && t->verdict == v;
}

/* Whether t seals its packet's fate: a drop, a stolen packet, or a "_done" chain's accept. */
static bool seals(const struct trace_rec *t)
{
	bool done;

	if (trace_is_nflab(t))
		return own_hook(t->chain, &done) >= 0 && done && t->type == NFT_TRACETYPE_POLICY &&
		       has_verdict(t, NF_ACCEPT);
	return has_verdict(t, NF_DROP) || has_verdict(t, NF_STOLEN);
}

/*
 * Whether t, of the same node and trace id as prev, is another packet: the
 * kernel's trace id is a hash of the packet buffer and flow, so a flow's next
 * packet may get it again. One starts after a sealed fate, or when the fate
 * table's first chain of a packet (prerouting, output) is entered anew.
 */
static bool starts_packet(const struct trace_rec *prev, const struct trace_rec *t)
{
	bool done;
	int h;

	if (seals(prev))
		return true;
	if (!trace_is_nflab(t))
		return false;
	h = own_hook(t->chain, &done);
	return !done && (h == NF_INET_PRE_ROUTING || h == NF_INET_LOCAL_OUT) &&
	       !(trace_is_nflab(prev) && !strcmp(prev->chain, t->chain));
}

/* The chain (and rule, unless a policy) of event t decided f. */
static void decided_by(struct fate *f, const struct trace_rec *t, int hook)
{
	f->by = t->type == NFT_TRACETYPE_POLICY ? FATE_BY_POLICY : FATE_BY_RULE;
	f->family = t->family;
	f->chain_hook = hook;
	snprintf(f->table, sizeof(f->table), "%s", t->table);
	snprintf(f->chain, sizeof(f->chain), "%s", t->chain);
	if (f->by == FATE_BY_RULE && (t->present & TRACE_HAS_HANDLE)) {
		f->handle = t->handle;
		if (t->comment[0])
			snprintf(f->rule, sizeof(f->rule), "%s", t->comment);
		else
			snprintf(f->rule, sizeof(f->rule), "%llu", (unsigned long long)t->handle);
	}
}

static const char *reject_answer(uint8_t reject)
{
	switch (reject) {
	case RULE_REJECT_ICMP:
		return "ICMP error";
	case RULE_REJECT_RESET:
		return "TCP reset";
	case RULE_REJECT_EITHER:
		return "ICMP error or TCP reset";
	default:
		return NULL;
	}
}

static void set_iface(struct fate *f, const char *name)
{
	snprintf(f->iface, sizeof(f->iface), "%s", name);
}

/* The conntrack state of the packet's latest event that had one. */
static void set_ct(struct fate *f, const struct trace_rec *ct)
{
	if (!ct) {
		snprintf(f->ct_state, sizeof(f->ct_state), "none");
		return;
	}
	f->ct_bits = ct->ct_state;
	f->ct_reply = ct->ct_dir != 0;
	snprintf(f->ct_state, sizeof(f->ct_state), "%s%s", trace_ct_state_name(ct->ct_state),
		 f->ct_reply ? " reply" : "");
}

int fate_of(const struct trace_rec *const *traces, size_t n, const char *node, struct fate *out)
{
	/* Per hook, the latest accept of a chain of the lab's; [NF_INET_NUMHOOKS]: hook unknown. */
	const struct trace_rec *accept[NF_INET_NUMHOOKS + 1] = {0};
	const struct trace_rec *ct = NULL, *last_accept = NULL;
	bool marked = false, came_in = false;
	int hook = -1, last_accept_hook = -1, rc = 1;
	size_t i;

	memset(out, 0, sizeof(*out));
	out->node = node;
	out->hook = out->chain_hook = -1;
	if (!n) {
		set_ct(out, NULL);
		return -1;
	}
	for (i = 0; i < n && rc; i++) {
		const struct trace_rec *t = traces[i];
		bool done;
		int h;

		if (t->present & TRACE_HAS_CT)
			ct = t;
		came_in |= t->iif[0] != '\0';
		if (trace_is_nflab(t)) {
			h = own_hook(t->chain, &done);
			if (h < 0)
				continue;
			marked = true;
			if (!done) {
				hook = h;
				continue;
			}
			if (!seals(t))
				continue;
			/* Through the whole of input or postrouting: the chain that let it. */
			if (h == NF_INET_LOCAL_IN) {
				out->kind = FATE_DELIVERED;
				last_accept = accept[NF_INET_LOCAL_IN];
				last_accept_hook = NF_INET_LOCAL_IN;
				set_iface(out, t->iif[0] ? t->iif : t->oif);
			} else {
				out->kind = came_in ? FATE_FORWARDED : FATE_SENT;
				last_accept_hook = came_in ? NF_INET_FORWARD : NF_INET_LOCAL_OUT;
				last_accept = accept[last_accept_hook];
				set_iface(out, t->oif);
			}
			/* A lab that starts tracing mid-hook: its accept before the first mark. */
			if (!last_accept && accept[NF_INET_NUMHOOKS]) {
				last_accept = accept[NF_INET_NUMHOOKS];
				last_accept_hook = -1;
			}
			out->hook = h;
			rc = 0;
			continue;
		}
		if (!(t->present & TRACE_HAS_VERDICT))
			continue;
		if (t->verdict == NF_DROP || t->verdict == NF_STOLEN) {
			out->kind = t->verdict == NF_STOLEN ? FATE_LOST
				    : t->reject		    ? FATE_REJECTED
							    : FATE_DROPPED;
			out->answer = t->verdict == NF_DROP ? reject_answer(t->reject) : NULL;
			out->hook = hook;
			decided_by(out, t, hook);
			set_iface(out, t->iif[0] ? t->iif : t->oif);
			rc = 0;
		} else if (t->verdict == NF_ACCEPT) {
			accept[hook >= 0 ? hook : NF_INET_NUMHOOKS] = t;
			if (!marked) { /* the best guess without the fate table */
				last_accept = t;
				last_accept_hook = hook;
			}
		}
	}
	set_ct(out, ct);
	if (rc == 0) {
		if (last_accept && out->kind != FATE_DROPPED && out->kind != FATE_REJECTED &&
		    out->kind != FATE_LOST)
			decided_by(out, last_accept, last_accept_hook);
		return 0;
	}
	out->by = FATE_BY_UNTRACED;
	if (marked) { /* in a hook, and never out of it */
		out->kind = FATE_LOST;
		out->hook = hook;
		set_iface(out, traces[n - 1]->iif[0] ? traces[n - 1]->iif : traces[n - 1]->oif);
		return 1;
	}
	if (!last_accept)
		return 1;
	decided_by(out, last_accept, -1);
	out->by = FATE_BY_UNTRACED;
	/* An out interface: forward or postrouting, output or postrouting: on its way out. */
	if (last_accept->oif[0]) {
		out->kind = came_in ? FATE_FORWARDED : FATE_SENT;
		set_iface(out, last_accept->oif);
	} else {
		set_iface(out, last_accept->iif);
	}
	return 1;
}

/* "inet filter forward rule \"x\" (handle 4)", "ip filter forward rule handle 4", "ip filter
 * forward" */
static void chain_text(const struct fate *f, char *buf, size_t len, size_t *n)
{
	textbuf_appendf(buf, len, n, "%s %s %s", counters_family_name(f->family), f->table,
			f->chain);
	if (f->by != FATE_BY_RULE && f->by != FATE_BY_UNTRACED)
		return;
	if (f->handle && strtoull(f->rule, NULL, 10) != f->handle)
		textbuf_appendf(buf, len, n, " rule \"%s\" (handle %llu)", f->rule,
				(unsigned long long)f->handle);
	else if (f->handle)
		textbuf_appendf(buf, len, n, " rule handle %llu", (unsigned long long)f->handle);
}

/* Whether a chain's policy decided (a guess's too: its event had no rule). */
static bool by_policy(const struct fate *f)
{
	return f->by == FATE_BY_POLICY || (f->by == FATE_BY_UNTRACED && f->chain[0] && !f->handle);
}

/* The chain that let the packet through: "forward: ip filter forward policy accept". */
static void accept_text(const struct fate *f, char *buf, size_t len, size_t *n)
{
	if (f->chain_hook >= 0)
		textbuf_appendf(buf, len, n, "%s: ", fate_hook_name(f->chain_hook));
	chain_text(f, buf, len, n);
	textbuf_appendf(buf, len, n, "%s accept", by_policy(f) ? " policy" : "");
}

const char *fate_text(const struct fate *f, char *buf, size_t len)
{
	const char *node = f->node;
	size_t n = 0;

	textbuf_appendf(buf, len, &n, "fate: %s", fate_kind_name(f->kind));
	switch (f->kind) {
	case FATE_DELIVERED:
		if (node)
			textbuf_appendf(buf, len, &n, " to %s%s", node,
					f->answer ? "'s stack" : "");
		textbuf_appendf(buf, len, &n, " (");
		if (f->chain[0])
			accept_text(f, buf, len, &n);
		else
			textbuf_appendf(buf, len, &n, "input accept");
		if (f->answer)
			textbuf_appendf(buf, len, &n, "; no socket took it: answered with %s",
					f->answer);
		textbuf_appendf(buf, len, &n, ")");
		if (f->reason[0])
			textbuf_appendf(buf, len, &n, "; then the kernel's counters: %s",
					f->reason);
		break;
	case FATE_FORWARDED:
	case FATE_SENT:
		if (node)
			textbuf_appendf(buf, len, &n, " by %s", node);
		if (f->iface[0])
			textbuf_appendf(buf, len, &n, " out %s", f->iface);
		if (f->by == FATE_BY_UNTRACED) {
			textbuf_appendf(buf, len, &n, " (last traced: ");
			accept_text(f, buf, len, &n);
			textbuf_appendf(buf, len, &n, "; later hooks not traced)");
		} else if (f->chain[0]) {
			textbuf_appendf(buf, len, &n, " (");
			accept_text(f, buf, len, &n);
			textbuf_appendf(buf, len, &n, ")");
		}
		if (f->unseen_out)
			textbuf_appendf(buf, len, &n, ", but not seen leaving %s", f->iface);
		break;
	case FATE_DROPPED:
	case FATE_REJECTED:
		if (node)
			textbuf_appendf(buf, len, &n, " at %s", node);
		if (f->by == FATE_BY_KERNEL) {
			textbuf_appendf(buf, len, &n, " outside netfilter");
			if (f->hook >= 0)
				textbuf_appendf(buf, len, &n, ", after %s",
						fate_hook_name(f->hook));
			textbuf_appendf(buf, len, &n, ": %s", f->reason);
			if (f->answer)
				textbuf_appendf(buf, len, &n, "; answered with %s", f->answer);
			break;
		}
		textbuf_appendf(buf, len, &n, " by %s",
				f->by == FATE_BY_POLICY ? "the policy of " : "");
		chain_text(f, buf, len, &n);
		if (f->hook >= 0 && strcmp(f->chain, fate_hook_name(f->hook)))
			textbuf_appendf(buf, len, &n, " in %s", fate_hook_name(f->hook));
		if (f->kind == FATE_REJECTED)
			textbuf_appendf(buf, len, &n, ": drop + %s",
					f->answer ? f->answer : "an answer");
		break;
	case FATE_LOST:
		if (node)
			textbuf_appendf(buf, len, &n, " at %s", node);
		if (f->by == FATE_BY_RULE) {
			textbuf_appendf(buf, len, &n, ": stolen by ");
			chain_text(f, buf, len, &n);
		} else if (f->reason[0]) {
			textbuf_appendf(buf, len, &n,
					" after %s: no trace of it after that hook; the kernel's "
					"counters: %s",
					fate_hook_name(f->hook), f->reason);
		} else {
			textbuf_appendf(
				buf, len, &n,
				" after %s: no trace of it after that hook (a drop outside nft "
				"rules: no route, TTL exceeded, reverse path filter, "
				"iptables-legacy ...)%s",
				fate_hook_name(f->hook),
				f->counted ? "; no drop counter of the node moved" : "");
		}
		break;
	case FATE_UNKNOWN:
	default:
		if (node)
			textbuf_appendf(buf, len, &n, " at %s", node);
		if (f->chain[0]) {
			textbuf_appendf(buf, len, &n, ": last traced ");
			accept_text(f, buf, len, &n);
			textbuf_appendf(buf, len, &n, "%s%s; later hooks not traced",
					f->iface[0] ? " in=" : "", f->iface);
		} else {
			textbuf_appendf(buf, len, &n, ": not traced");
		}
		if (f->reason[0])
			textbuf_appendf(buf, len, &n, "; the kernel's counters: %s", f->reason);
		break;
	}
	if (f->ct_bits)
		textbuf_appendf(buf, len, &n, " [ct %s]", f->ct_state);
	else
		textbuf_appendf(buf, len, &n, " [no ct entry]");
	return buf;
}

const char *fate_rec_summary(const struct fate_rec *r, char *buf, size_t len)
{
	char pkt[400];
	size_t n = strlen(fate_text(&r->f, buf, len));

	if (n + 2 < len && (r->pkt.outer.present & (PKT_IP4 | PKT_IP6)))
		snprintf(buf + n, len - n, ": %s", pkt_summary(&r->pkt, pkt, sizeof(pkt)));
	return buf;
}

/* ---- packets in a log of trace events ---- */

/* Orders indexes of trace events (into the log arg) by node, trace id, then position. */
static int cmp_node_id(const void *a, const void *b, void *arg)
{
	const struct evlog *log = arg;
	const struct event *x = &log->ev[*(const size_t *)a];
	const struct event *y = &log->ev[*(const size_t *)b];

	if (x->point != y->point)
		return x->point < y->point ? -1 : 1;
	if (x->trace.id != y->trace.id)
		return x->trace.id < y->trace.id ? -1 : 1;
	return *(const size_t *)a < *(const size_t *)b ? -1
						       : *(const size_t *)a > *(const size_t *)b;
}

/* One packet at one node: idx[first, end) are its events, start the first one's log index. */
struct packet_span {
	size_t first, end, start;
};

static int cmp_span(const void *a, const void *b)
{
	const struct packet_span *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

static bool same_node_id(const struct event *x, const struct event *y)
{
	return x->point == y->point && x->trace.id == y->trace.id;
}

/* The packet headers of a packet's events: the latest event's that has them. */
static const struct pkt *span_pkt(const struct trace_rec *const *t, size_t n)
{
	while (n-- > 0)
		if (t[n]->present & TRACE_HAS_PKT)
			return &t[n]->pkt;
	return NULL;
}

static void add_fate(struct evlog *out, size_t point, const struct event *last,
		     const struct fate *f, const struct pkt *pkt, size_t node)
{
	struct fate_rec rec;
	struct event *ev;

	memset(&rec, 0, sizeof(rec));
	if (pkt)
		rec.pkt = *pkt;
	rec.f = *f;
	rec.node = node;
	rec.trace_id = last->trace.id;
	ev = evlog_add_node(out, EV_FATE, point, (const uint8_t *)&rec, sizeof(rec));
	ev->ts_ns = last->ts_ns;
	ev->arrival_ns = last->arrival_ns;
}

struct fate_packet *fate_packets(const struct evlog *traces, size_t node, const struct lab *lab,
				 size_t *n_out)
{
	size_t *idx = xcalloc(traces->n + 1, sizeof(*idx));
	const struct trace_rec **span = xcalloc(traces->n + 1, sizeof(*span));
	struct packet_span *pk = xcalloc(traces->n + 1, sizeof(*pk));
	struct fate_packet *out;
	size_t n = 0, packets = 0, i, j, p;

	for (i = 0; i < traces->n; i++)
		if (traces->ev[i].kind == EV_TRACE &&
		    (node == LAB_ANY_NODE || traces->ev[i].point == node))
			idx[n++] = i;
	qsort_r(idx, n, sizeof(*idx), cmp_node_id, (void *)traces);
	/* Cut each node's and trace id's events into packets. */
	for (i = 0; i < n; i = j) {
		for (j = i + 1;
		     j < n && same_node_id(&traces->ev[idx[j]], &traces->ev[idx[i]]) &&
		     !starts_packet(&traces->ev[idx[j - 1]].trace, &traces->ev[idx[j]].trace);
		     j++)
			;
		pk[packets++] = (struct packet_span){.first = i, .end = j, .start = idx[i]};
	}
	qsort(pk, packets, sizeof(*pk), cmp_span); /* in the order the packets came */
	out = xcalloc(packets + 1, sizeof(*out));
	for (p = 0; p < packets; p++) {
		struct fate_packet *o = &out[p];
		size_t k = 0;

		for (j = pk[p].first; j < pk[p].end; j++)
			span[k++] = &traces->ev[idx[j]].trace;
		o->first = pk[p].start;
		o->last = idx[pk[p].end - 1];
		o->node = traces->ev[o->last].point;
		o->pkt = span_pkt(span, k);
		o->chatter = o->pkt && pkt_is_chatter(o->pkt);
		o->decided = fate_of(
			span, k, o->node < lab->n_nodes ? lab->nodes[o->node].name : NULL, &o->f);
	}
	free(idx);
	free(span);
	free(pk);
	*n_out = packets;
	return out;
}

size_t fate_collect(const struct evlog *traces, size_t from, size_t node, const struct lab *lab,
		    bool settled, size_t point, const struct fate_why *why, struct evlog *out)
{
	size_t n, pending = 0, p;
	struct fate_packet *pk = fate_packets(traces, node, lab, &n);

	for (p = 0; p < n; p++) {
		struct fate_packet *o = &pk[p];
		bool open;

		if (o->first < from || o->chatter)
			continue;
		/* Counters that could explain it are read once the lab settles. */
		open = why && !fate_why_closed(why, o->node, o->last) &&
		       (o->f.kind == FATE_DELIVERED || o->f.kind == FATE_LOST ||
			o->f.kind == FATE_UNKNOWN);
		if ((o->decided == 1 || open) && !settled) {
			pending++;
			continue;
		}
		fate_why_apply(why, o->node, o->last, &o->f);
		add_fate(out, point, &traces->ev[o->last], &o->f, o->pkt, o->node);
	}
	free(pk);
	return pending;
}

/* ---- the fate of a story's packet group ---- */

static size_t entry_node(const struct timeline_ctx *c, const struct event *ev)
{
	return ev->kind == EV_PACKET ? c->point_node[ev->point] : ev->point;
}

/* The same trace event: traces keeps copies of the log's. */
static bool same_trace_event(const struct event *a, const struct event *b)
{
	const struct trace_rec *x = &a->trace, *y = &b->trace;

	return a->point == b->point && a->ts_ns == b->ts_ns && x->id == y->id &&
	       x->type == y->type && x->handle == y->handle && x->verdict == y->verdict &&
	       !strcmp(x->table, y->table) && !strcmp(x->chain, y->chain);
}

/*
 * The events of the packet whose event traces->ev[at] is, in order, into span
 * (room for traces->n), the index of its last into *last. Returns how many.
 */
static size_t packet_around(const struct evlog *traces, size_t at, const struct trace_rec **span,
			    size_t *last)
{
	const struct event *mark = &traces->ev[at];
	size_t start = at, i, n = 0;
	const struct event *prev = NULL;

	/* Back to the packet's first event ... */
	for (i = at; i-- > 0;) {
		const struct event *ev = &traces->ev[i];

		if (ev->kind != EV_TRACE || !same_node_id(ev, mark))
			continue;
		if (starts_packet(&ev->trace, &traces->ev[start].trace))
			break;
		start = i;
	}
	/* ... and on to its last. */
	for (i = start; i < traces->n; i++) {
		const struct event *ev = &traces->ev[i];

		if (ev->kind != EV_TRACE || !same_node_id(ev, mark))
			continue;
		if (prev && starts_packet(&prev->trace, &ev->trace))
			break;
		span[n++] = &ev->trace;
		*last = i;
		prev = ev;
	}
	return n;
}

/* The same packet at one hop: what a capture saw and what a trace event carries. */
static bool same_hop(const struct pkt *a, const struct pkt *b)
{
	const struct pkt_hdrs *x = &a->outer, *y = &b->outer;

	if (!(x->present & y->present & (PKT_IP4 | PKT_IP6)) || x->proto != y->proto ||
	    x->ip_len != y->ip_len || !ipaddr_equal(&x->dst, &y->dst))
		return false;
	if ((x->present & PKT_IP4) && x->id != y->id)
		return false;
	if ((x->present & y->present & PKT_PORTS) && x->dport != y->dport)
		return false;
	if ((x->present & y->present & PKT_TCP) && x->tcp_seq != y->tcp_seq)
		return false;
	if ((x->present & y->present & PKT_ICMPID) && x->echo_seq != y->echo_seq)
		return false;
	return true;
}

/*
 * The packet of capture cap, as nflab's fate table traced it at node: its
 * first event there (prerouting for a packet captured coming in, output for
 * one going out) closest in time. Returns the index in traces, or -1.
 */
static long traced_packet_of(const struct evlog *traces, size_t node, const struct event *cap)
{
	const char *chain = cap->dir == DIR_IN ? "prerouting" : "output";
	uint64_t best = UINT64_MAX;
	long found = -1;
	size_t i;

	for (i = 0; i < traces->n; i++) {
		const struct event *ev = &traces->ev[i];
		uint64_t gap;

		if (ev->kind != EV_TRACE || ev->point != node || !trace_is_nflab(&ev->trace) ||
		    strcmp(ev->trace.chain, chain) || !(ev->trace.present & TRACE_HAS_PKT) ||
		    !same_hop(&ev->trace.pkt, &cap->pkt))
			continue;
		gap = ev->ts_ns > cap->ts_ns ? ev->ts_ns - cap->ts_ns : cap->ts_ns - ev->ts_ns;
		if (gap <= HOP_SLACK_NS && gap < best) {
			best = gap;
			found = (long)i;
		}
	}
	return found;
}

static size_t group_end(const struct timeline_story *s, size_t i)
{
	size_t g = s->e[i].group;

	while (i < s->n && s->e[i].group == g)
		i++;
	return i;
}

static bool is_error_or_reset(const struct pkt *p)
{
	const struct pkt_hdrs *h = &p->outer;

	if (h->present & PKT_TCP)
		return h->tcp_flags & 0x04;
	if (h->present & PKT_ICMP4)
		return h->icmp_type == 3 || h->icmp_type == 11 || h->icmp_type == 12;
	return (h->present & PKT_ICMP6) && h->icmp_type >= 1 && h->icmp_type <= 4;
}

/*
 * What node sent back to the source of the packet of group [first, end) right
 * after it: "ICMP port unreachable", "TCP reset", "an ICMP error", or NULL.
 */
static const char *answered(const struct timeline_ctx *c, const struct timeline_story *s,
			    size_t end, size_t node, const struct pkt *pkt, uint64_t at)
{
	size_t j;

	for (j = end; j < s->n; j = group_end(s, j)) {
		const struct timeline_entry *e = &s->e[j];
		size_t k;

		if (e->chatter)
			continue;
		if (e->at_ns > at + ANSWER_GAP_NS)
			return NULL;
		for (k = j;
		     k < group_end(s, j) && (!s->e[k].pkt || entry_node(c, s->e[k].ev) != node);
		     k++)
			;
		if (k == group_end(s, j))
			continue;
		e = &s->e[k];
		if (!is_error_or_reset(e->pkt) ||
		    !ipaddr_equal(&e->pkt->outer.dst, &pkt->outer.src))
			return NULL;
		if (e->pkt->outer.present & PKT_TCP)
			return "TCP reset";
		if ((e->pkt->outer.present & PKT_ICMP4) && e->pkt->outer.icmp_type == 3 &&
		    e->pkt->outer.icmp_code == 3)
			return "ICMP port unreachable";
		if ((e->pkt->outer.present & PKT_ICMP6) && e->pkt->outer.icmp_type == 1 &&
		    e->pkt->outer.icmp_code == 4)
			return "ICMPv6 port unreachable";
		return "ICMP error";
	}
	return NULL;
}

int fate_group(const struct timeline_ctx *c, const struct timeline_story *s, size_t first,
	       struct fate *out, size_t *out_node)
{
	size_t end = group_end(s, first), i, n = 0, node = SIZE_MAX, nodes, last = 0;
	const struct timeline_entry *cap = NULL, *out_cap = NULL, *traced = NULL;
	const struct trace_rec **span;
	const struct pkt *pkt = NULL;
	struct fate f;
	long at = -1;

	if (first >= s->n || s->e[first].chatter)
		return -1;
	/* The last node the packet reached: that of its last capture or trace event. */
	for (i = first; i < end; i++)
		if (s->e[i].ev->kind == EV_PACKET || s->e[i].ev->kind == EV_TRACE)
			node = entry_node(c, s->e[i].ev);
	if (node == SIZE_MAX)
		return -1;
	nodes = c->lab->n_nodes;
	if (node >= nodes)
		return -1;
	for (i = first; i < end; i++) {
		const struct event *ev = s->e[i].ev;

		if (entry_node(c, ev) != node)
			continue;
		if (ev->kind == EV_TRACE && !traced)
			traced = &s->e[i];
		if (ev->kind == EV_PACKET &&
		    (!cap || (ev->dir == DIR_IN && cap->ev->dir != DIR_IN)))
			cap = &s->e[i];
		if (ev->kind == EV_PACKET && ev->dir == DIR_OUT)
			out_cap = &s->e[i];
	}
	span = xcalloc((c->traces ? c->traces->n : 0) + (end - first) + 1, sizeof(*span));
	if (c->traces && traced) {
		for (i = 0; i < c->traces->n && at < 0; i++)
			if (c->traces->ev[i].kind == EV_TRACE &&
			    same_trace_event(&c->traces->ev[i], traced->ev))
				at = (long)i;
	} else if (c->traces && cap) {
		at = traced_packet_of(c->traces, node, cap->ev);
	}
	if (at >= 0) {
		n = packet_around(c->traces, (size_t)at, span, &last);
	} else if (traced) { /* the group's own events: the lab's chains only */
		for (i = first; i < end; i++)
			if (s->e[i].ev->kind == EV_TRACE && s->e[i].ev->point == node)
				span[n++] = &s->e[i].ev->trace;
	}
	if (fate_of(span, n, c->lab->nodes[node].name, &f) < 0) {
		free(span);
		return -1;
	}
	if (at >= 0)
		fate_why_apply(c->why, node, last, &f);
	pkt = cap ? cap->pkt : span_pkt(span, n);
	if (pkt && (f.kind == FATE_DELIVERED || f.kind == FATE_DROPPED) && !f.answer) {
		f.answer = answered(c, s, end, node, pkt, s->e[end - 1].at_ns);
		/* A drop answered is a reject's, unless the stack dropped it and answered. */
		if (f.answer && f.kind == FATE_DROPPED && f.by != FATE_BY_KERNEL)
			f.kind = FATE_REJECTED;
	}
	if ((f.kind == FATE_FORWARDED || f.kind == FATE_SENT) && cap && !out_cap)
		f.unseen_out = true;
	free(span);
	*out = f;
	*out_node = node;
	return 0;
}

int fate_group_entry_hook(const struct timeline_ctx *c, const struct timeline_story *s,
			  size_t first, size_t node)
{
	size_t end = group_end(s, first), i, n, last;
	const struct trace_rec **span;
	long at = -1;
	bool done = false;
	int hook;

	if (!c->traces || first >= s->n)
		return -1;
	/* The packet's trace event at node, else its capture there: coming in, then going out. */
	for (i = first; i < end && at < 0; i++) {
		const struct event *ev = s->e[i].ev;
		size_t k;

		if (ev->kind != EV_TRACE || ev->point != node)
			continue;
		for (k = 0; k < c->traces->n && at < 0; k++)
			if (c->traces->ev[k].kind == EV_TRACE &&
			    same_trace_event(&c->traces->ev[k], ev))
				at = (long)k;
	}
	for (i = first; i < end && at < 0; i++)
		if (s->e[i].ev->kind == EV_PACKET && s->e[i].ev->dir == DIR_IN &&
		    entry_node(c, s->e[i].ev) == node)
			at = traced_packet_of(c->traces, node, s->e[i].ev);
	for (i = first; i < end && at < 0; i++)
		if (s->e[i].ev->kind == EV_PACKET && s->e[i].ev->dir == DIR_OUT &&
		    entry_node(c, s->e[i].ev) == node)
			at = traced_packet_of(c->traces, node, s->e[i].ev);
	if (at < 0)
		return -1;
	span = xcalloc(c->traces->n + 1, sizeof(*span));
	n = packet_around(c->traces, (size_t)at, span, &last);
	/* Its first event is the fate table's first chain: where the packet entered. */
	hook = n && trace_is_nflab(span[0]) ? own_hook(span[0]->chain, &done) : -1;
	free(span);
	if (done || (hook != NF_INET_PRE_ROUTING && hook != NF_INET_LOCAL_OUT))
		return -1;
	return hook;
}

const char *fate_group_text(const struct timeline_ctx *c, const struct timeline_story *s,
			    size_t first, char *buf, size_t len)
{
	struct fate f;
	size_t node;

	return fate_group(c, s, first, &f, &node) ? NULL : fate_text(&f, buf, len);
}
