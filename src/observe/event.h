/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The event log: everything the observers saw during a lab, in arrival order. */
#ifndef NFLAB_EVENT_H
#define NFLAB_EVENT_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "lab/lab.h"
#include "observe/packet.h"

/* A packet seen at a capture point. */
struct event {
	size_t seq;          /* position in the log: windows are defined by it, not by clocks */
	uint64_t ts_ns;      /* kernel capture time, CLOCK_REALTIME ns */
	uint64_t arrival_ns; /* when nflab read it, CLOCK_MONOTONIC ns */
	size_t point;        /* index of the capture point (run's table) */
	enum pkt_dir dir;    /* DIR_IN or DIR_OUT */
	struct pkt pkt;      /* decoded headers */
	uint32_t caplen;
	uint8_t *data;       /* caplen bytes of the frame, owned by the log */
};

struct evlog {
	struct event *ev;
	size_t n, cap;
};

#define EVLOG_INIT {0}

/* Appends a copy of data; returns the new event (valid until the next append). */
struct event *evlog_add(struct evlog *log, const uint8_t *data, uint32_t caplen);
void evlog_release(struct evlog *log);

/* Current CLOCK_REALTIME / CLOCK_MONOTONIC in ns. */
uint64_t now_real_ns(void);
uint64_t now_mono_ns(void);

#endif
