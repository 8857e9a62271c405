/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Why the kernel dropped a packet outside netfilter, told from its own drop
 * counters (observe/mib.h) read in the packet's node before and after it.
 */
#ifndef NFLAB_FATE_WHY_H
#define NFLAB_FATE_WHY_H

#include <stdbool.h>
#include <stddef.h>

#include "observe/event.h"
#include "observe/mib.h"

struct fate;
struct lab;

/*
 * Invariants. A node's readings (struct mib_series) cut the run's trace
 * events into windows: reading k covers the events before its pos. A packet
 * belongs to the window of its last event at the node. The counters that
 * moved in a window are named, each with the counters that move with it
 * ("no route": IpExt InNoRoutes, with the Icmp OutDestUnreachs it answers
 * with), and given to the packets of that window whose fate they could
 * explain: one that vanished after prerouting or forward (no route, TTL,
 * reverse-path filter ...), one accepted through input (no socket, a full
 * queue ...), of the counter's family and protocol. A reason is sure when
 * one kind of counter moved at least once per such packet; otherwise every
 * candidate gets it, saying it was one of them.
 */
struct fate_why;

/*
 * The reasons of every packet in traces (the run's trace events, nflab's fate
 * table's included), from series (per node of lab, n_nodes of them). Returns
 * a new set (free it with fate_why_free()).
 */
struct fate_why *fate_why_new(const struct evlog *traces, const struct lab *lab,
			      const struct mib_series *series);
void fate_why_free(struct fate_why *w);

/*
 * Whether the counters of node were read after the trace event traces->ev[last]
 * (the window of a packet whose last event it is has closed).
 */
bool fate_why_closed(const struct fate_why *w, size_t node, size_t last);

/*
 * Gives f, the fate of the packet whose last event at node is traces->ev[last],
 * what the counters say: a sure reason makes a lost, unknown or delivered
 * packet dropped by the kernel (FATE_BY_KERNEL) with f->reason set; an unsure
 * one only sets f->reason ("one of these 2 packets: ..."). Sets f->counted
 * when the window has closed. A NULL w is a no-op.
 */
void fate_why_apply(const struct fate_why *w, size_t node, size_t last, struct fate *f);

#endif
