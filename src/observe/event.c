// SPDX-License-Identifier: GPL-2.0-or-later
/* The event log: everything the observers saw during a lab, in arrival order. */
#include "observe/event.h"

#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"

struct event *evlog_add(struct evlog *log, const uint8_t *data, uint32_t caplen)
{
	struct event *e;

	XGROW(log->ev, log->n, log->cap);
	e = &log->ev[log->n++];
	memset(e, 0, sizeof(*e));
	e->seq = log->n - 1;
	e->caplen = caplen;
	e->data = xmalloc(caplen);
	memcpy(e->data, data, caplen);
	return e;
}

struct event *evlog_add_ct(struct evlog *log, size_t node, const struct ct_rec *ct)
{
	struct event *e;

	XGROW(log->ev, log->n, log->cap);
	e = &log->ev[log->n++];
	memset(e, 0, sizeof(*e));
	e->kind = EV_CT;
	e->seq = log->n - 1;
	e->point = node;
	e->ct = *ct;
	e->ts_ns = now_real_ns();
	e->arrival_ns = now_mono_ns();
	return e;
}

const void *event_record(const struct event *ev)
{
	return ev->kind == EV_CT ? (const void *)&ev->ct : (const void *)&ev->pkt;
}

void evlog_release(struct evlog *log)
{
	size_t i;

	for (i = 0; i < log->n; i++)
		free(log->ev[i].data);
	free(log->ev);
	memset(log, 0, sizeof(*log));
}

static uint64_t clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

uint64_t now_real_ns(void)
{
	return clock_ns(CLOCK_REALTIME);
}

uint64_t now_mono_ns(void)
{
	return clock_ns(CLOCK_MONOTONIC);
}
