/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Packet expectations evaluated as events arrive: counts, absence, deadlines, and why they failed.
 */
#ifndef NFLAB_EXPECT_H
#define NFLAB_EXPECT_H

#include <stdbool.h>
#include <stdio.h>

#include "lab/lab.h"
#include "observe/event.h"

enum verdict {
	VERDICT_PENDING = 0,
	VERDICT_PASS,
	VERDICT_FAIL,
};

/* One check in progress. */
struct expect_state {
	const struct step_expect *e;
	size_t point;	      /* SRC_CAPTURE: capture point of e->at; SRC_CT_*: the node */
	size_t since_seq;     /* window start: events logged before it are ignored */
	uint64_t since_ns;    /* window start, CLOCK_REALTIME ns, for showing times */
	size_t scanned;	      /* events of the log already looked at */
	unsigned int matched; /* matching events so far */
	size_t first_match;   /* log index of the first match, for reports */
	enum verdict verdict;
	bool by_deadline; /* decided because the deadline passed */
	/* e->preds, or a copy whose references the run has set (expect_use_preds()) */
	const struct pred *preds;
	const char *refs_note; /* what the references took their values from, or NULL */
	struct value *seen;    /* e->distinct: the distinct values counted so far */
	size_t n_seen, cap_seen;
};

/* Starts a check (st need not be initialised; release it with expect_release()). */
void expect_begin(struct expect_state *st, const struct step_expect *e, size_t point,
		  size_t since_seq, uint64_t since_ns);
/*
 * Checks with preds (e->n_preds of them: e->preds with the references set)
 * instead of e->preds; note says where the references' values came from, for
 * expect_explain(). Both must outlive st's use.
 */
void expect_use_preds(struct expect_state *st, const struct pred *preds, const char *note);
void expect_release(struct expect_state *st);
/* True when ev is at the check's point, in its direction and window, and matches every predicate.
 */
bool expect_matches(const struct expect_state *st, const struct event *ev);
/* Looks at events appended to log since the last call. */
void expect_scan(struct expect_state *st, const struct evlog *log);
/*
 * Decides when possible: at-least checks pass on the n-th match; exact checks fail
 * on match n+1 and pass once the path is quiet (or the deadline passes) with n
 * matches. Returns the verdict (VERDICT_PENDING while undecided).
 */
enum verdict expect_decide(struct expect_state *st, bool quiet, bool deadline_passed);

/* "exactly 1 packet at client:eth0 in: ip.src == 203.0.113.10, ..." into buf. Returns buf. */
const char *expect_describe(const struct lab *lab, const struct step_expect *e, char *buf,
			    size_t len);
/*
 * Explains a failed check to f, each line starting with indent: what was expected
 * and what was seen; when too few packets matched, the nearest packets seen at the
 * point with each mismatching field as "field: expected X, got Y" (text quoted);
 * when too many, the extra ones. point_name labels the source ("client:eth0",
 * "fw conntrack"). The nearest are those that satisfy more conditions, and
 * among equals the packets of flow's flow (a packet the latest probe sent, or
 * NULL), then those between its two hosts; the link's chatter (ARP, ND, MLD)
 * comes last unless the check looks for it.
 */
void expect_explain(const struct expect_state *st, const struct evlog *log, const char *point_name,
		    const struct pkt *flow, const char *indent, FILE *f);

#endif
