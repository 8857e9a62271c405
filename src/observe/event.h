/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The event log: everything the observers saw during a lab, in arrival order. */
#ifndef NFLAB_EVENT_H
#define NFLAB_EVENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "lab/lab.h"
#include "observe/counters.h"
#include "observe/ctev.h"
#include "observe/nflog.h"
#include "observe/packet.h"
#include "observe/trace.h"
#include "util/clock.h"

enum ev_kind {
	EV_PACKET,  /* a frame seen at a capture point */
	EV_CT,	    /* a conntrack event or table entry of a node */
	EV_LOG,	    /* an NFLOG record of a node */
	EV_TRACE,   /* an nft trace event of a node */
	EV_COUNTER, /* a rule or named counter of a node, read at a step */
	/*
	 * What became of one packet at a node (report/fate.h: a struct fate_rec in
	 * data), made from trace events for a fate check: only in a check's own
	 * snapshot, never in a run's log.
	 */
	EV_FATE,
};

/* Something an observer saw. */
struct event {
	enum ev_kind kind;
	size_t seq;		/* position in the log: windows are defined by it, not by clocks */
	uint64_t ts_ns;		/* kernel capture time, CLOCK_REALTIME ns */
	uint64_t arrival_ns;	/* when nflab read it, CLOCK_MONOTONIC ns */
	size_t point;		/* EV_PACKET: capture point (run's table); others: node index */
	enum pkt_dir dir;	/* EV_PACKET: DIR_IN or DIR_OUT */
	union {			/* the record predicates look at, by kind */
		struct pkt pkt; /* EV_PACKET: decoded headers */
		struct ct_rec ct;   /* EV_CT: the conntrack entry */
		struct log_rec log; /* EV_LOG */
		struct trace_rec trace;
		struct counter_rec counter;
	};
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
/*
 * Appends an event of a node's observer (EV_CT, EV_LOG ...) with a copy of the len
 * bytes at data (none when len is 0), stamped now; the caller fills its record.
 * Returns it (valid until the next append).
 */
struct event *evlog_add_node(struct evlog *log, enum ev_kind kind, size_t node, const uint8_t *data,
			     uint32_t len);
/* Appends an EV_CT event, stamped now; returns it (valid until the next append). */
struct event *evlog_add_ct(struct evlog *log, size_t node, const struct ct_rec *ct);
/* The record predicates look at: &ev->pkt, &ev->ct, &ev->log ... */
const void *event_record(const struct event *ev);
/* One line saying what ev is, as its observer's *_summary() writes it. Returns buf. */
const char *event_summary(const struct event *ev, char *buf, size_t len);
/*
 * What ev's packet says at the application layer (observe/app.h: "DNS query A
 * www.example.com", "HTTP GET /"), for captures and NFLOG records that carry
 * their payload. False (buf untouched) when there is nothing known to say.
 */
bool event_app_summary(const struct event *ev, char *buf, size_t len);
/* event_summary(), then ": " and event_app_summary() where there is one. Returns buf. */
const char *event_summary_app(const struct event *ev, char *buf, size_t len);
void evlog_release(struct evlog *log);

/* Current CLOCK_REALTIME / CLOCK_MONOTONIC in ns. */

#endif
