/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The event log: everything the observers saw during a lab, in arrival order. */
#ifndef NFLAB_EVENT_H
#define NFLAB_EVENT_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "lab/lab.h"
#include "observe/ctev.h"
#include "observe/packet.h"

enum ev_kind {
	EV_PACKET, /* a frame seen at a capture point */
	EV_CT,	   /* a conntrack event of a node */
};

/* Something an observer saw. */
struct event {
	enum ev_kind kind;
	size_t seq;	     /* position in the log: windows are defined by it, not by clocks */
	uint64_t ts_ns;	     /* kernel capture time, CLOCK_REALTIME ns */
	uint64_t arrival_ns; /* when nflab read it, CLOCK_MONOTONIC ns */
	size_t point;	     /* EV_PACKET: capture point (run's table); EV_CT: node index */
	enum pkt_dir dir;    /* EV_PACKET: DIR_IN or DIR_OUT */
	struct pkt pkt;	     /* EV_PACKET: decoded headers */
	struct ct_rec ct;    /* EV_CT: the conntrack entry */
	uint32_t caplen;
	uint8_t *data; /* caplen bytes of the frame, owned by the log */
};

struct evlog {
	struct event *ev;
	size_t n, cap;
};

#define EVLOG_INIT \
	{          \
		0  \
	}

/* Appends a packet event with a copy of data; returns it (valid until the next append). */
struct event *evlog_add(struct evlog *log, const uint8_t *data, uint32_t caplen);
/* Appends an EV_CT event, stamped now; returns it (valid until the next append). */
struct event *evlog_add_ct(struct evlog *log, size_t node, const struct ct_rec *ct);
/* The record predicates look at: &ev->pkt or &ev->ct. */
const void *event_record(const struct event *ev);
void evlog_release(struct evlog *log);

/* Current CLOCK_REALTIME / CLOCK_MONOTONIC in ns. */
uint64_t now_real_ns(void);
uint64_t now_mono_ns(void);

#endif
