/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The ladder picture of a run: packet hops between node lifelines, in time order, as SVG. */
#ifndef NFLAB_LADDER_H
#define NFLAB_LADDER_H

#include <stddef.h>
#include <stdint.h>

#include "report/timeline.h"
#include "util/diag.h"

/* What one step of the run did, for the ladder. */
struct ladder_step {
	uint64_t start_ns, end_ns; /* CLOCK_REALTIME ns; start_ns 0: the step never ran */
	int verdict;		   /* NFLAB_PASS or NFLAB_FAIL */
	char *text;		   /* its report line, owned */
	char *detail;		   /* why it failed, as the report indents it, or NULL; owned */
};

void ladder_step_release(struct ladder_step *s);

/*
 * Writes the run's ladder diagram to path: a column per node, an arrow per
 * packet hop from the node that sent it to the node that received it, labelled
 * with the packet, the NAT rewrites, conntrack states and rule verdicts written
 * where they happened (the grouping of timeline_story_init()), probe steps where
 * they started, and each failed step as a red note when it failed. steps has one
 * entry per lab step (NULL: none ran); error (or NULL) is what stopped the lab,
 * the last red note. Returns 0, or -1 with d set.
 */
int ladder_write(const struct timeline_ctx *c, const struct ladder_step *steps, const char *error,
		 const char *path, struct diag *d);

#endif
