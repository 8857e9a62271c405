// SPDX-License-Identifier: GPL-2.0-or-later
/* One story per lab: every observed event, grouped by packet, with NAT rewrites named. */
#include "report/timeline.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "expect/source.h"
#include "report/json.h"
#include "util/outfile.h"
#include "util/xalloc.h"

#define GROUP_GAP_NS 100000000ull /* 100 ms: hops of one packet are closer than this */

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
 * is nearly unique; without one (IPv6, crafted packets) the packet must also
 * share an end with the group's latest hop.
 */
static bool same_packet(const struct pkt *p, const struct item *it, size_t i, size_t g,
			size_t first)
{
	const struct event *ev = it[i].ev;
	const struct pkt *latest = NULL;
	size_t j;

	/* Items are in time order: none before the group's first belongs to it. */
	for (j = i; j-- > first;) {
		if (it[j].group != g)
			continue;
		if (ev->kind == EV_PACKET && it[j].ev->kind == EV_PACKET &&
		    it[j].ev->point == ev->point && it[j].ev->dir == ev->dir)
			return false;
		if (!latest)
			latest = event_pkt(it[j].ev);
	}
	if ((p->outer.present & PKT_IP4) && p->outer.id)
		return true;
	return latest && share_an_end(p, latest);
}

/*
 * The group of conntrack event i: its connection's next packet at the node after
 * the packet its previous event went with (NEW with the first packet, an UPDATE
 * with the packet that changed the state), or that connection's last packet.
 * seen and seen_id (scratch, one slot per event) remember each connection's place.
 */
static size_t ct_group(const struct timeline_ctx *c, const struct item *it, size_t n, size_t i,
		       uint64_t *seen, uint64_t *seen_id)
{
	const struct ct_rec *ct = &it[i].ev->ct;
	size_t j, slot, pick = 0, prev_group = 0;

	for (slot = 0; slot < n && seen_id[slot]; slot++)
		if (seen_id[slot] == ((uint64_t)it[i].ev->point << 32 | ct->id))
			break;
	if (slot < n && seen_id[slot])
		prev_group = (size_t)seen[slot];
	/* Items are in time order, and so are the groups' numbers. */
	for (j = 0; j < n; j++) {
		const struct pkt *p = event_pkt(it[j].ev);

		if (!p || !it[j].group || event_node(c, it[j].ev) != it[i].ev->point ||
		    !packet_of(p, ct))
			continue;
		pick = j + 1;
		if (it[j].group > prev_group)
			break;
	}
	if (!pick)
		return 0;
	if (slot < n) {
		seen_id[slot] = (uint64_t)it[i].ev->point << 32 | ct->id;
		seen[slot] = it[pick - 1].group;
	}
	return it[pick - 1].group;
}

/*
 * Gives every event a group: packets by their key within GROUP_GAP_NS of the
 * group's last hop; a conntrack event joins the latest group before it that has a
 * packet of its connection at the same node. Returns the items in group order and
 * the number of groups.
 */
static struct item *group_events(const struct timeline_ctx *c, size_t *n_groups)
{
	const struct evlog *log = c->log;
	struct item *it = xcalloc(log->n + 1, sizeof(*it));
	size_t *first = xcalloc(log->n + 1, sizeof(*first)); /* per group: its first item */
	uint64_t *last = xcalloc(log->n + 1, sizeof(*last)); /* per group: latest hop */
	uint64_t *gkey = xcalloc(log->n + 1, sizeof(*gkey));
	size_t i, j, groups = 0;

	for (i = 0; i < log->n; i++) {
		it[i].ev = &log->ev[i];
		it[i].idx = i;
	}
	qsort(it, log->n, sizeof(*it), cmp_ts);
	for (i = 0; i < log->n; i++) {
		const struct pkt *p = event_pkt(it[i].ev);
		uint64_t key;

		if (!p)
			continue;
		key = packet_key(p);
		for (j = groups; j > 0; j--)
			if (gkey[j - 1] == key && it[i].ev->ts_ns <= last[j - 1] + GROUP_GAP_NS &&
			    same_packet(p, it, i, j, first[j - 1]))
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
	/* The packet groups are made: last and gkey become ct_group()'s scratch. */
	memset(last, 0, (log->n + 1) * sizeof(*last));
	memset(gkey, 0, (log->n + 1) * sizeof(*gkey));
	for (i = 0; i < log->n; i++)
		if (!it[i].group && it[i].ev->kind == EV_CT)
			it[i].group = ct_group(c, it, log->n, i, last, gkey);
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

/* Names what changed between two hops of a packet: "DNAT 203.0.113.10:9 -> 192.168.1.10:9". */
static void rewrite_note(const struct pkt *a, const struct pkt *b, char *buf, size_t len)
{
	const struct pkt_hdrs *x = &a->outer, *y = &b->outer;
	bool src = !ipaddr_equal(&x->src, &y->src) || x->sport != y->sport;
	bool dst = !ipaddr_equal(&x->dst, &y->dst) || x->dport != y->dport;
	bool inner = a->has_inner && b->has_inner && is_icmp_error(b) &&
		     (!ipaddr_equal(&a->inner.src, &b->inner.src) ||
		      !ipaddr_equal(&a->inner.dst, &b->inner.dst));
	char f[IPADDR_STRLEN + 8], t[IPADDR_STRLEN + 8];
	size_t n = 0;

	buf[0] = '\0';
	if (!(x->present & (PKT_IP4 | PKT_IP6)) || !(y->present & (PKT_IP4 | PKT_IP6)))
		return;
	/* A trace event sees too little of an error to show its quote: it is still one. */
	inner = inner || (is_icmp_error(b) && (src || dst));
	if (inner)
		n += (size_t)snprintf(buf + n, len - n, "  <= reverse NAT of an error:");
	if (src && n < len)
		n += (size_t)snprintf(buf + n, len - n, "%s %s -> %s", inner ? " src" : "  <= SNAT",
				      hostport(x, true, f, sizeof(f)),
				      hostport(y, true, t, sizeof(t)));
	if (dst && n < len)
		n += (size_t)snprintf(buf + n, len - n, "%s %s -> %s",
				      inner ? (src ? ", dst" : " dst") : "  <= DNAT",
				      hostport(x, false, f, sizeof(f)),
				      hostport(y, false, t, sizeof(t)));
	if (inner && a->has_inner && b->has_inner && n < len) {
		char fi[IPADDR_STRLEN], ti[IPADDR_STRLEN];
		const struct ipaddr *from =
			!ipaddr_equal(&a->inner.dst, &b->inner.dst) ? &a->inner.dst : &a->inner.src;
		const struct ipaddr *to = from == &a->inner.dst ? &b->inner.dst : &b->inner.src;

		snprintf(buf + n, len - n, ", quoted %s -> %s", ipaddr_fmt(from, fi),
			 ipaddr_fmt(to, ti));
	}
}

static void where(const struct timeline_ctx *c, const struct event *ev, char *buf, size_t len)
{
	static const char *const kinds[] = {[EV_CT] = "conntrack",
					    [EV_LOG] = "nflog",
					    [EV_TRACE] = "trace",
					    [EV_COUNTER] = "counters"};

	if (ev->kind == EV_PACKET)
		snprintf(buf, len, "%s %s", c->point_name[ev->point],
			 ev->dir == DIR_IN ? "in" : "out");
	else
		snprintf(buf, len, "%s %s", c->lab->nodes[ev->point].name, kinds[ev->kind]);
}

static double rel_ms(const struct timeline_ctx *c, uint64_t ts)
{
	return ((double)ts - (double)c->start_real) / 1e6;
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

void timeline_story_init(struct timeline_story *s, const struct timeline_ctx *c)
{
	struct item *it = group_events(c, &s->n_groups);
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
		rewrite_note(prev, e->pkt, note, sizeof(note));
		if (note[0])
			e->rewrite = xstrdup(note);
	}
	free(it);
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
static void walk(const struct timeline_ctx *c, FILE *f, bool golden)
{
	struct timeline_story s;
	size_t i, chatter = 0;

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
			event_summary(s.e[j].ev, sum, sizeof(sum));
			if (golden) {
				golden_mask(sum);
				fprintf(f, "- %s\n", sum);
			} else {
				fprintf(f, "    #%zu %s\n", e->group, sum);
			}
		}
		where(c, ev, w, sizeof(w));
		event_summary(ev, sum, sizeof(sum));
		if (golden) {
			strncat(sum, e->rewrite ? e->rewrite : "", sizeof(sum) - strlen(sum) - 1);
			golden_mask(sum);
			fprintf(f, "    %-18s %s\n", w, sum);
			continue;
		}
		/* Netlink events are stamped when read: show them at the hop they belong to. */
		snprintf(ts, sizeof(ts), "%s%+.3f", ev->kind == EV_PACKET ? "" : "~",
			 rel_ms(c, e->at_ns));
		fprintf(f, "      %10s ms %-18s %s%s\n", ts, w, sum, e->rewrite ? e->rewrite : "");
	}
	if (chatter && !golden)
		fprintf(f, "  (%zu link-layer groups: ARP, neighbour discovery, MLD)\n", chatter);
	timeline_story_release(&s);
}

void timeline_print(const struct timeline_ctx *c, FILE *f)
{
	walk(c, f, false);
}

void timeline_write_golden(const struct timeline_ctx *c, FILE *f)
{
	walk(c, f, true);
}

/* "field": value for every field of ev's record that is present. */
static void json_fields(FILE *f, const struct event *ev)
{
	static const enum expect_source by_kind[] = {[EV_PACKET] = SRC_CAPTURE,
						     [EV_CT] = SRC_CT_EVENT,
						     [EV_LOG] = SRC_NFLOG,
						     [EV_TRACE] = SRC_TRACE,
						     [EV_COUNTER] = SRC_COUNTERS};
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

int timeline_write_events(const struct timeline_ctx *c, const char *path, struct diag *d)
{
	static const char *const kinds[] = {[EV_PACKET] = "packet",
					    [EV_CT] = "conntrack",
					    [EV_LOG] = "nflog",
					    [EV_TRACE] = "trace",
					    [EV_COUNTER] = "counter"};
	size_t n_groups, i;
	struct item *it;
	struct outfile of;
	FILE *f = outfile_open(&of, path, d);

	if (!f)
		return -1;
	it = group_events(c, &n_groups); /* in time order */
	for (i = 0; i < c->log->n; i++) {
		const struct event *ev = it[i].ev;
		char sum[512];

		fprintf(f, "{\"seq\":%zu,\"t_ms\":%.6f,\"kind\":\"%s\",\"group\":%zu,", ev->seq,
			rel_ms(c, ev->ts_ns), kinds[ev->kind], it[i].group);
		fputs(ev->kind == EV_PACKET ? "\"point\":" : "\"node\":", f);
		json_string(f, ev->kind == EV_PACKET ? c->point_name[ev->point]
						     : c->lab->nodes[ev->point].name);
		if (ev->kind == EV_PACKET)
			fprintf(f, ",\"dir\":\"%s\"", ev->dir == DIR_IN ? "in" : "out");
		fputs(",\"summary\":", f);
		json_string(f, event_summary(ev, sum, sizeof(sum)));
		fputc(',', f);
		json_fields(f, ev);
		fputs("}\n", f);
	}
	free(it);
	return outfile_commit(&of, d);
}
