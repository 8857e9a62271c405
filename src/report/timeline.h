/* SPDX-License-Identifier: GPL-2.0-or-later */
/* One story per lab: every observed event, grouped by packet, with NAT rewrites named. */
#ifndef NFLAB_TIMELINE_H
#define NFLAB_TIMELINE_H

#include <stdio.h>

#include "lab/lab.h"
#include "observe/event.h"
#include "util/diag.h"

/* What the timeline needs to name event sources. All borrowed. */
struct timeline_ctx {
	const struct lab *lab;
	const struct evlog *log;
	const size_t *point_node;      /* capture point -> node index */
	const char *const *point_name; /* capture point -> "node:iface" */
	uint64_t start_real;	       /* CLOCK_REALTIME ns of the first step: time zero */
};

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
