/* SPDX-License-Identifier: GPL-2.0-or-later */
/* One story per lab: every observed event, grouped by packet, with NAT rewrites named. */
#ifndef NFLAB_TIMELINE_H
#define NFLAB_TIMELINE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "lab/lab.h"
#include "observe/event.h"
#include "util/diag.h"

struct fate_why;

/*
 * A packet expectation's verdict where the story shows it: a tick under each
 * event a passing check matched, a cross under each one a failing check
 * matched when it matched too many, or, when it matched too few, one cross at
 * the time it was decided.
 */
struct timeline_mark {
	size_t step;		/* the expect step, an index in the lab's steps */
	bool pass;		/* the step passed */
	const struct event *ev; /* an event of the ctx's log it matched, or NULL: none */
	uint64_t at_ns;		/* ev NULL: CLOCK_REALTIME ns the check was decided */
	unsigned int matched;	/* ev NULL: how many events it matched (too few) */
};

/* What the timeline needs to name event sources. All borrowed. */
struct timeline_ctx {
	const struct lab *lab;
	const struct evlog *log;
	const size_t *point_node;      /* capture point -> node index */
	const size_t *point_iface;     /* capture point -> interface index in its node */
	const char *const *point_name; /* capture point -> "node:iface" */
	size_t n_points;	       /* of the three above; 0: not told (no hook from captures) */
	uint64_t start_real;	       /* CLOCK_REALTIME ns of the first step: time zero */
	const struct evlog *traces;    /* every node's trace events, nflab's fate table's
					  included (report/fate.h), or NULL when not kept */
	const struct fate_why *why;    /* the kernel's drop reasons of traces' packets
					  (report/fate_why.h), or NULL: not read */
	const uint64_t *step_real;     /* per step: CLOCK_REALTIME ns it started, 0: never */
	char *const *step_text;	       /* per step: "step 3 (lab.yaml:52): ...", or NULL */
	size_t n_steps;		       /* of step_real and step_text; 0: no step markers */
	const struct timeline_mark *marks; /* the packet expectations' verdicts, or NULL */
	size_t n_marks;
};

/* One event of the story. */
struct timeline_entry {
	const struct event *ev;
	const struct pkt *pkt; /* the event's packet (capture, NFLOG, trace), or NULL */
	size_t group;	       /* packet group, from 1: a group's entries are adjacent */
	uint64_t at_ns;	       /* CLOCK_REALTIME ns where it happened: kernel events at their hop */
	bool chatter;	       /* the group is link-layer chatter: ARP, neighbour discovery, MLD */
	char *rewrite;	       /* what NAT changed since the group's previous hop, as in
				  "  <= DNAT 203.0.113.10:9 -> 192.168.1.10:9", or NULL */
	int hook;	       /* NF_INET_* hook a kernel event happened in, -1: not known
				  for sure (see timeline_story_init()) */
};

/* The events in story order: by group (in time order), then by where they happened. */
struct timeline_story {
	struct timeline_entry *e;
	size_t n, n_groups;
};

/*
 * Groups c's events by packet, places each node's kernel events at the hop where
 * they happened, names the rewrites between hops and the hook of each kernel
 * event, into s. The hook of an NFLOG record is the kernel's; of a trace event
 * its chain's (observe/trace.h); of a conntrack NEW, or an UPDATE that changed
 * only the TCP state, the hook where conntrack first saw the packet that
 * caused it: where nflab's fate table traced it first in the node, when
 * c->traces holds it (fate_group_entry_hook()); else prerouting when that
 * packet came into the node (captured
 * arriving, or traced in prerouting, input or forward there), output when the
 * node sent it (traced in output, or captured leaving a node whose every
 * interface is captured and never arriving). Any other conntrack event
 * (DESTROY, a mark or a helper's change, one standing alone) has none. Release it with
 * timeline_story_release(); it borrows c's log.
 */
void timeline_story_init(struct timeline_story *s, const struct timeline_ctx *c);
void timeline_story_release(struct timeline_story *s);

/* "prerouting", "input", "forward", "output", "postrouting" for a NF_INET_* hook; NULL for -1. */
const char *timeline_hook_name(int hook);

/*
 * "✓ expect [3] (lab.yaml:40)" for mark m into buf; for a failed check a cross
 * and why: "✗ expect [3] (lab.yaml:40): too many", "...: nothing matched",
 * "...: only 1 matched". Returns buf.
 */
const char *timeline_mark_text(const struct timeline_ctx *c, const struct timeline_mark *m,
			       char *buf, size_t len);

/*
 * Prints the events as packet groups in time order: every hop of one packet
 * (captures, NFLOG, trace) together, each node's kernel events placed at the hop
 * where they happened, conntrack events with the packet that caused them, and
 * address or port rewrites between hops named (DNAT, SNAT, reverse NAT).
 */
void timeline_print(const struct timeline_ctx *c, FILE *f);

/*
 * Writes the story as a golden timeline: the same groups and lines without
 * times, group numbers or link-layer chatter, and with what differs between
 * runs by design masked (sequence numbers, ids, handles, ephemeral ports,
 * link-local addresses), so two correct runs give the same text.
 */
void timeline_write_golden(const struct timeline_ctx *c, FILE *f);

/*
 * Writes every event as one JSON object per line to path: time, source, group,
 * summary and every field that is present. Returns 0 or -1.
 */
int timeline_write_events(const struct timeline_ctx *c, const char *path, struct diag *d);

#endif
