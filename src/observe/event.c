// SPDX-License-Identifier: GPL-2.0-or-later
/* The event log: everything the observers saw during a lab, in arrival order. */
#include "observe/event.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "observe/app.h"
#include "report/fate.h" /* EV_FATE records */
#include "util/xalloc.h"

struct event *evlog_add(struct evlog *log, const uint8_t *data, uint32_t caplen)
{
	struct event *e;

	XGROW(log->ev, log->n, log->cap);
	e = &log->ev[log->n++];
	memset(e, 0, sizeof(*e));
	e->seq = log->n - 1;
	e->caplen = caplen;
	if (caplen) {
		e->data = xmalloc(caplen);
		memcpy(e->data, data, caplen);
	}
	return e;
}

struct event *evlog_add_node(struct evlog *log, enum ev_kind kind, size_t node, const uint8_t *data,
			     uint32_t len)
{
	struct event *e = evlog_add(log, data, len);

	e->kind = kind;
	e->point = node;
	e->ts_ns = now_real_ns();
	e->arrival_ns = now_mono_ns();
	return e;
}

struct event *evlog_add_ct(struct evlog *log, size_t node, const struct ct_rec *ct)
{
	struct event *e = evlog_add_node(log, EV_CT, node, NULL, 0);

	e->ct = *ct;
	return e;
}

const void *event_record(const struct event *ev)
{
	switch (ev->kind) {
	case EV_CT:
		return &ev->ct;
	case EV_LOG:
		return &ev->log;
	case EV_TRACE:
		return &ev->trace;
	case EV_COUNTER:
		return &ev->counter;
	case EV_FATE:
		return ev->data;
	case EV_PACKET:
	default:
		return &ev->pkt;
	}
}

const char *event_summary(const struct event *ev, char *buf, size_t len)
{
	switch (ev->kind) {
	case EV_CT:
		return ct_summary(&ev->ct, buf, len);
	case EV_LOG:
		return log_summary(&ev->log, buf, len);
	case EV_TRACE:
		return trace_summary(&ev->trace, buf, len);
	case EV_COUNTER:
		return counter_summary(&ev->counter, buf, len);
	case EV_FATE:
		return fate_rec_summary((const struct fate_rec *)ev->data, buf, len);
	case EV_PACKET:
	default:
		return pkt_summary(&ev->pkt, buf, len);
	}
}

void evlog_release(struct evlog *log)
{
	size_t i;

	for (i = 0; i < log->n; i++)
		free(log->ev[i].data);
	free(log->ev);
	memset(log, 0, sizeof(*log));
}

bool event_app_summary(const struct event *ev, char *buf, size_t len)
{
	if (ev->kind == EV_PACKET)
		return app_frame_summary(&ev->pkt, ev->data, ev->caplen, buf, len);
	if (ev->kind == EV_LOG) /* an NFLOG record's data is its packet, from the IP header */
		return app_frame_summary(&ev->log.pkt, ev->data, ev->caplen, buf, len);
	return false;
}

const char *event_summary_app(const struct event *ev, char *buf, size_t len)
{
	size_t n = strlen(event_summary(ev, buf, len));
	char app[300];

	if (n + 3 < len && event_app_summary(ev, app, sizeof(app)))
		snprintf(buf + n, len - n, ": %s", app);
	return buf;
}
