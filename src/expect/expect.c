// SPDX-License-Identifier: GPL-2.0-or-later
/* Packet expectations evaluated as events arrive: counts, absence, deadlines, and why they failed.
 */
#include "expect/expect.h"

#include <stdlib.h>
#include <string.h>

#include "expect/source.h"
#include "observe/pktfilter.h"
#include "util/xalloc.h"

#define EXPLAIN_NEAREST 3 /* packets shown for a missing match */
#define EXPLAIN_EXTRA	5 /* packets shown for an unwanted match */

void expect_begin(struct expect_state *st, const struct step_expect *e, size_t point,
		  size_t since_seq, uint64_t since_ns)
{
	memset(st, 0, sizeof(*st));
	st->e = e;
	st->point = point;
	st->since_seq = since_seq;
	st->since_ns = since_ns;
	st->scanned = since_seq;
}

static bool in_window(const struct expect_state *st, const struct event *ev)
{
	return ev->kind == sources[st->e->source].kind && ev->point == st->point &&
	       ev->seq >= st->since_seq;
}

static bool dir_ok(const struct step_expect *e, const struct event *ev)
{
	return e->dir == DIR_ANY || ev->kind != EV_PACKET || e->dir == ev->dir;
}

/* Whether a captured frame passes the check's tcpdump filter (when it has one). */
static bool filter_ok(const struct step_expect *e, const struct event *ev)
{
	return !e->filter || ev->kind != EV_PACKET ||
	       pktfilter_match(e->filter, ev->data, ev->caplen, ev->pkt.wirelen);
}

bool expect_matches(const struct expect_state *st, const struct event *ev)
{
	size_t i;

	if (!in_window(st, ev) || !dir_ok(st->e, ev) || !filter_ok(st->e, ev))
		return false;
	for (i = 0; i < st->e->n_preds; i++)
		if (!pred_match(&st->e->preds[i], event_record(ev)))
			return false;
	return true;
}

void expect_scan(struct expect_state *st, const struct evlog *log)
{
	for (; st->scanned < log->n; st->scanned++) {
		if (!expect_matches(st, &log->ev[st->scanned]))
			continue;
		if (st->matched++ == 0)
			st->first_match = st->scanned;
	}
}

enum verdict expect_decide(struct expect_state *st, bool quiet, bool deadline_passed)
{
	const struct step_expect *e = st->e;

	if (st->verdict != VERDICT_PENDING)
		return st->verdict;
	if (e->mode == COUNT_AT_LEAST) {
		if (st->matched >= e->count)
			st->verdict = VERDICT_PASS;
		else if (deadline_passed)
			st->verdict = VERDICT_FAIL;
	} else {
		if (st->matched > e->count)
			st->verdict = VERDICT_FAIL;
		else if (st->matched == e->count && (quiet || deadline_passed))
			st->verdict = VERDICT_PASS;
		else if (deadline_passed)
			st->verdict = VERDICT_FAIL;
	}
	if (st->verdict != VERDICT_PENDING)
		st->by_deadline = deadline_passed;
	return st->verdict;
}

static const char *dir_name(enum pkt_dir d)
{
	return d == DIR_IN ? "in" : d == DIR_OUT ? "out" : "any";
}

/* "packet"/"packets", "event"/"events", "entry"/"entries" for n things of e's source. */
static const char *noun(const struct step_expect *e, size_t n)
{
	return sources[e->source].thing[n != 1];
}

static const char *count_text(const struct step_expect *e, char *buf, size_t len)
{
	if (e->mode == COUNT_AT_LEAST)
		snprintf(buf, len, "at least %u", e->count);
	else if (e->count == 0)
		snprintf(buf, len, "no");
	else
		snprintf(buf, len, "exactly %u", e->count);
	return buf;
}

/* "ip.src == 203.0.113.10, icmp.type == destination-unreachable" */
static size_t preds_text(const struct step_expect *e, char *buf, size_t len)
{
	size_t i, n = 0;

	buf[0] = '\0';
	for (i = 0; i < e->n_preds && n < len; i++) {
		const struct pred *p = &e->preds[i];
		char v[160];

		pred_fmt(p, v, sizeof(v));
		/* pred_fmt keeps operators like "!" and ">=": show "==" only for plain values. */
		n += (size_t)snprintf(buf + n, len - n, "%s%s%s%s", i ? ", " : "", p->field->name,
				      p->op == PRED_EQ ? " == " : " ", v);
	}
	if (e->filter && n < len)
		n += (size_t)snprintf(buf + n, len - n, "%sfilter \"%s\"", n ? ", " : "",
				      pktfilter_text(e->filter));
	if (e->n_preds == 0 && !e->filter)
		n += (size_t)snprintf(buf, len, "any %s", noun(e, 1));
	return n;
}

const char *expect_describe(const struct lab *lab, const struct step_expect *e, char *buf,
			    size_t len)
{
	char point[80], cnt[32];
	size_t n;

	if (e->source == SRC_CAPTURE)
		n = (size_t)snprintf(
			buf, len, "%s %s at %s%s%s: ", count_text(e, cnt, sizeof(cnt)),
			noun(e, e->count), lab_end_fmt(lab, &e->at, point, sizeof(point)),
			e->dir == DIR_ANY ? "" : " ", e->dir == DIR_ANY ? "" : dir_name(e->dir));
	else
		n = (size_t)snprintf(buf, len, "%s %s of %s: ", count_text(e, cnt, sizeof(cnt)),
				     noun(e, e->count),
				     e->node == LAB_ANY_NODE ? "any node"
							     : lab->nodes[e->node].name);
	if (n < len)
		preds_text(e, buf + n, len - n);
	return buf;
}

static void print_event(const struct expect_state *st, const struct event *ev, const char *indent,
			FILE *f)
{
	char sum[512];
	double ms = ((double)ev->ts_ns - (double)st->since_ns) / 1e6;

	if (ev->kind == EV_PACKET)
		fprintf(f, "%s  %+9.3f ms %-3s %s\n", indent, ms, dir_name(ev->dir),
			event_summary(ev, sum, sizeof(sum)));
	else
		fprintf(f, "%s  %+9.3f ms %s\n", indent, ms, event_summary(ev, sum, sizeof(sum)));
}

/* How close ev comes to matching: the predicates it satisfies. */
static unsigned int closeness(const struct step_expect *e, const struct event *ev)
{
	unsigned int score = 0;
	size_t i;

	for (i = 0; i < e->n_preds; i++)
		score += pred_match(&e->preds[i], event_record(ev));
	return score + filter_ok(e, ev);
}

#define EXPLAIN_FIELDS 3 /* mismatching fields shown per packet */

static void print_mismatches(const struct step_expect *e, const struct event *ev,
			     const char *indent, FILE *f)
{
	size_t i, shown = 0, hidden = 0;

	if (!dir_ok(e, ev))
		fprintf(f, "%s      dir: expected %s, got %s\n", indent, dir_name(e->dir),
			dir_name(ev->dir));
	if (!filter_ok(e, ev))
		fprintf(f, "%s      filter \"%s\": not passed\n", indent,
			pktfilter_text(e->filter));
	for (i = 0; i < e->n_preds; i++) {
		const struct pred *p = &e->preds[i];
		char want[600], got[600];
		struct value v;

		if (pred_match(p, event_record(ev)))
			continue;
		if (shown++ == EXPLAIN_FIELDS) {
			hidden++;
			shown--;
			continue;
		}
		/* Quoted text shows what plain text hides: a trailing space, a tab. */
		pred_show(p, want, sizeof(want));
		if (p->field->get(event_record(ev), &v))
			value_show(p->field, &v, got, sizeof(got));
		else
			snprintf(got, sizeof(got), "absent");
		fprintf(f, "%s      %s: expected %s, got %s\n", indent, p->field->name, want, got);
	}
	if (hidden)
		fprintf(f, "%s      (and %zu more field%s)\n", indent, hidden,
			hidden == 1 ? "" : "s");
}

/* The packet of an event, or NULL: NFLOG, trace and fate records start with theirs. */
static const struct pkt *event_pkt(const struct event *ev)
{
	if (ev->kind != EV_PACKET && ev->kind != EV_LOG && ev->kind != EV_TRACE &&
	    ev->kind != EV_FATE)
		return NULL;
	return event_record(ev);
}

/*
 * True when ev is the link's chatter (ARP, ND, MLD) that e does not ask for:
 * none of e's conditions that name a value (not "!x", "-flags" or "absent")
 * holds for it.
 */
static bool idle_chatter(const struct step_expect *e, const struct event *ev)
{
	const struct pkt *p = event_pkt(ev);
	size_t i;

	if (!p || !pkt_is_chatter(p))
		return false;
	for (i = 0; i < e->n_preds; i++) {
		const struct pred *pr = &e->preds[i];

		if (pr->op != PRED_NE && pr->op != PRED_LACKS && pr->op != PRED_ABSENT &&
		    pred_match(pr, event_record(ev)))
			return false;
	}
	return true;
}

/*
 * The order of the nearest packets: the link's chatter last; then those that
 * satisfy more conditions; among equals, the packets of the latest probe's
 * flow, then those between its two hosts, then the others; then those in the
 * expected direction; then the earliest. Kinship with the flow does not
 * outrank a condition that holds: a SYN/ACK from the wrong address is nearer
 * to an expected SYN/ACK than the client's own SYN.
 */
struct ranked {
	size_t idx;
	bool chatter;	    /* idle_chatter() */
	unsigned int score; /* closeness() */
	unsigned int kin;   /* enum pkt_kinship with the flow */
	bool dir;	    /* in the expected direction */
};

static int cmp_ranked(const void *a, const void *b)
{
	const struct ranked *x = a, *y = b;

	if (x->chatter != y->chatter)
		return x->chatter ? 1 : -1;
	if (x->score != y->score)
		return x->score > y->score ? -1 : 1;
	if (x->kin != y->kin)
		return x->kin < y->kin ? -1 : 1;
	if (x->dir != y->dir)
		return x->dir ? -1 : 1;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

static void rank(struct ranked *r, size_t idx, const struct step_expect *e, const struct event *ev,
		 const struct pkt *flow)
{
	const struct pkt *p = event_pkt(ev);

	r->idx = idx;
	r->chatter = idle_chatter(e, ev);
	r->score = closeness(e, ev);
	r->kin = p && flow ? pkt_kinship(p, flow) : PKT_STRANGER;
	r->dir = dir_ok(e, ev);
}

void expect_explain(const struct expect_state *st, const struct evlog *log, const char *point_name,
		    const struct pkt *flow, const char *indent, FILE *f)
{
	const struct step_expect *e = st->e;
	struct ranked *r;
	size_t i, n = 0, shown = 0;
	char cnt[32];

	fprintf(f, "%sexpected %s matching %s, saw %u%s\n", indent, count_text(e, cnt, sizeof(cnt)),
		noun(e, e->count), st->matched, st->by_deadline ? " before the deadline" : "");
	if (st->matched > e->count && e->mode == COUNT_EXACTLY) {
		fprintf(f, "%smatching %s at %s:\n", indent, noun(e, 2), point_name);
		for (i = st->first_match; i < log->n && shown < EXPLAIN_EXTRA; i++) {
			if (expect_matches(st, &log->ev[i])) {
				print_event(st, &log->ev[i], indent, f);
				shown++;
			}
		}
		return;
	}
	r = xcalloc(log->n + 1, sizeof(*r));
	for (i = st->since_seq; i < log->n; i++) {
		if (!in_window(st, &log->ev[i]) || expect_matches(st, &log->ev[i]))
			continue;
		rank(&r[n++], i, e, &log->ev[i], flow);
	}
	if (n == 0) {
		fprintf(f, "%snothing else was seen at %s in the window\n", indent, point_name);
		free(r);
		return;
	}
	qsort(r, n, sizeof(*r), cmp_ranked);
	fprintf(f, "%snearest of the %zu other %s at %s:\n", indent, n, noun(e, n), point_name);
	for (i = 0; i < n && i < EXPLAIN_NEAREST; i++) {
		print_event(st, &log->ev[r[i].idx], indent, f);
		print_mismatches(e, &log->ev[r[i].idx], indent, f);
	}
	free(r);
}
