// SPDX-License-Identifier: GPL-2.0-or-later
/* Runs one lab: build, capture, step through probes and checks, report, tear down. */
#include "run/run.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/stat.h>
#include <unistd.h>

#include "expect/expect.h"
#include "observe/capture.h"
#include "expect/source.h"
#include "expect/vacuous.h"
#include "observe/counters.h"
#include "observe/ctev.h"
#include "observe/nflog.h"
#include "observe/trace.h"
#include "probe/inject.h"
#include "probe/probe.h"
#include "report/golden.h"
#include "report/ladder.h"
#include "report/pcapng.h"
#include "report/report.h"
#include "report/fate.h"
#include "report/fate_why.h"
#include "report/timeline.h"
#include "rules/rulenames.h"
#include "run/artifacts.h"
#include "run/build.h"
#include "run/requires.h"
#include "run/run_priv.h"
#include "step/step.h"
#include "topo/link.h"
#include "topo/netns.h"
#include "util/clock.h"
#include "util/interrupt.h"
#include "util/kernel.h"
#include "util/outfile.h"
#include "util/parallel.h"
#include "util/xalloc.h"

static const char detail_indent[] = DETAIL_INDENT;

static double ms_since(uint64_t mono)
{
	return (double)(now_mono_ns() - mono) / 1e6;
}

static size_t point_add(struct run *r, const struct lab_end *e)
{
	size_t i;

	for (i = 0; i < r->n_points; i++)
		if (r->points[i].end.node == e->node && r->points[i].end.iface == e->iface)
			return i;
	XGROW(r->points, r->n_points, r->cap_points);
	memset(&r->points[i], 0, sizeof(r->points[i]));
	r->points[i].end = *e;
	lab_end_fmt(r->lab, e, r->points[i].name, sizeof(r->points[i].name));
	r->n_points++;
	return i;
}

unsigned int run_iface_mtu(const struct run *r, const struct lab_end *e)
{
	const struct lab_iface *ifc = &r->lab->nodes[e->node].ifaces[e->iface];
	size_t i;

	if (!ifc->linked || !strcmp(ifc->name, "lo"))
		return 65536;
	for (i = 0; i < r->lab->n_links; i++) {
		const struct lab_link *l = &r->lab->links[i];

		if (l->mtu && ((l->a.node == e->node && l->a.iface == e->iface) ||
			       (l->b.node == e->node && l->b.iface == e->iface)))
			return l->mtu > ifc->mtu ? l->mtu : ifc->mtu;
	}
	return ifc->mtu;
}

/* Whether the run tells its whole story (timeline, events, golden file, ladder ...). */
static bool wants_story(const struct run *r)
{
	return r->o->timeline || r->o->events_path || r->o->artifacts_dir || r->golden ||
	       r->o->ladder_path || r->o->capture_all;
}

/* Ring of a capture no check reads: enough for a story, cheaper to set up. */
#define CAP_SMALL_RING (2 << 20)

/*
 * Whether a probe's packets are handled by the kernel alone, to the end of their
 * chain: a datagram, a few pings or crafted packets. veth hands each packet to
 * the next namespace within the sending call (bench/hop-gaps: at most 0.14 ms
 * between hops, with both CPUs busy). Not TCP that sends data (delayed ACKs,
 * retransmissions are timers), not programs, not bursts that outgrow one softirq run.
 */
static bool kernel_only(const struct lab_step *st)
{
	return st && st->ops->kernel_only && st->ops->kernel_only(st);
}

/*
 * Whether every packet the lab causes comes from kernel-only probes: then no ring
 * holds more than one probe's packets between two reads (each probe starts by
 * reading them all), a few dozen at most.
 */
static bool traffic_bounded(const struct run *r)
{
	size_t i;

	if (r->o->capture_all) /* the API's futures: steps not known up front */
		return false;
	for (i = 0; i < r->lab->n_steps; i++)
		if (r->lab->steps[i].kind != STEP_EXPECT && !kernel_only(&r->lab->steps[i]))
			return false;
	return true;
}

/*
 * Frames of a bounded lab's rings (both directions): for each frame a probe
 * sends, room for it passing a link in, out again (a redirect, a hairpin) and
 * its answer or error both ways, and for a routing loop, which sends it over
 * one link up to its TTL's times (64 unless the probes say less, the kernel's
 * default); plus ARP, ND and MLD. Each probe's frames are all read before the
 * next probe. A ring that still overflows is an error.
 */
#define CAP_FRAMES_PER_SENT 6
#define CAP_FRAMES_LOOP	    64
#define CAP_FRAMES_SLACK    16

static unsigned int bounded_frames(const struct run *r)
{
	unsigned int most = 1, n;
	size_t i;

	for (i = 0; i < r->lab->n_steps; i++) {
		const struct lab_step *st = &r->lab->steps[i];

		n = st->kind != STEP_EXPECT && st->ops->frames ? st->ops->frames(st) : 1;
		if (n > most)
			most = n;
	}
	return (CAP_FRAMES_PER_SENT + CAP_FRAMES_LOOP) * most + CAP_FRAMES_SLACK;
}

/*
 * Ring size of the i-th capture point in bytes (0: the capture default); frames:
 * what a bounded lab's rings hold (bounded_frames()), 0 for others. Rings are
 * most of the capture setup time: the kernel allocates and maps every page.
 */
static int ring_size(const struct run *r, size_t i, size_t checked, unsigned int frames)
{
	size_t bytes;

	if (r->o->rcvbuf)
		return r->o->rcvbuf;
	bytes = frames ? cap_ring_bytes(run_iface_mtu(r, &r->points[i].end), frames) : 0;
	if (bytes && bytes <= CAP_SMALL_RING)
		return (int)bytes; /* not for jumbo frames, nor lo */
	return i < checked ? 0 : CAP_SMALL_RING;
}

struct ring_job {
	struct run *r;
	struct diag *d; /* one per point: the jobs run side by side */
	int *bytes;
	struct parallel *running;
};

static void prepare_ring(void *arg, size_t i)
{
	struct ring_job *job = arg;
	struct run *r = job->r;
	struct point *pt = &r->points[i];

	pt->cap = cap_prepare(r->b.nodes[pt->end.node].nsfd, i, run_iface_mtu(r, &pt->end),
			      job->bytes[i], &job->d[i]);
}

/*
 * Starts making every point's ring, once the nodes' namespaces exist: each
 * waits out a grace period, so they are made side by side, on threads of their
 * own, while the caller builds the rest of the lab (rings_bind()).
 */
static void rings_start(struct run *r, size_t checked, bool bounded)
{
	struct ring_job *job = xzalloc(sizeof(*job));
	unsigned int frames = bounded ? bounded_frames(r) : 0; /* 0: rings for bulk */
	size_t i;

	job->r = r;
	job->d = xcalloc(r->n_points + 1, sizeof(*job->d));
	job->bytes = xcalloc(r->n_points + 1, sizeof(*job->bytes));
	for (i = 0; i < r->n_points; i++)
		job->bytes[i] = ring_size(r, i, checked, frames);
	job->running = parallel_start(r->n_points, prepare_ring, job);
	r->rings = job;
}

/* Waits for the rings rings_start() makes; the first error, if any, goes to r->d. */
static int rings_wait(struct run *r)
{
	struct ring_job *job = r->rings;
	size_t i;
	int rc = 0;

	if (!job)
		return 0;
	parallel_wait(job->running);
	for (i = 0; i < r->n_points; i++)
		if (!r->points[i].cap && !rc) {
			if (!r->d.set) { /* else the build's own error comes first */
				r->d = job->d[i];
				diag_prefix(&r->d, "%s: cannot capture on %s", r->points[i].name,
					    r->lab->nodes[r->points[i].end.node]
						    .ifaces[r->points[i].end.iface]
						    .name);
			}
			rc = -1;
		}
	free(job->d);
	free(job->bytes);
	free(job);
	r->rings = NULL;
	return rc;
}

/* Binds each ring to its interface, now that the lab is built, and polls it. */
static int rings_bind(struct run *r)
{
	size_t i;

	for (i = 0; i < r->n_points; i++) {
		struct point *pt = &r->points[i];
		struct epoll_event ev = {.events = EPOLLIN, .data.u64 = i};

		if (cap_bind(pt->cap, r->b.nodes[pt->end.node].nsfd,
			     r->lab->nodes[pt->end.node].ifaces[pt->end.iface].name, &r->d)) {
			diag_prefix(&r->d, "%s", pt->name);
			return -1;
		}
		if (epoll_ctl(r->epfd, EPOLL_CTL_ADD, cap_fd(pt->cap), &ev))
			return diag_errno(&r->d, "epoll_ctl");
	}
	return 0;
}

/*
 * Every capture is open before the first step, so nothing a probe causes can be
 * missed: the points are planned and their rings started here, after the nodes
 * are made; rings_wait() and rings_bind() finish them once the lab is built.
 */
static void captures_start(struct run *r)
{
	const struct lab *lab = r->lab;
	bool bounded = traffic_bounded(r);
	size_t i, j, checked;

	for (i = 0; i < lab->n_steps; i++) {
		const struct lab_step *st = &lab->steps[i];

		if (st->kind == STEP_EXPECT && st->expect.source == SRC_CAPTURE)
			point_add(r, &st->expect.at);
		if (st->kind == STEP_SEND && st->send.quote == QUOTE_CAPTURED)
			point_add(r, &st->send.quote_at);
		if (st->kind == STEP_SEND && (st->send.seq_relative || st->send.ack_relative))
			point_add(r, &(struct lab_end){st->send.node, st->send.iface});
	}
	/* A lab's capture: list is what its pcaps are for: full rings, like checked points. */
	for (i = 0; r->o->pcap_dir && i < lab->n_capture; i++)
		point_add(r, &lab->capture[i]);
	checked = r->n_points; /* the rest only feed timelines, pcaps and golden files */
	if ((r->o->pcap_dir && !lab->n_capture) || wants_story(r))
		for (i = 0; i < lab->n_nodes; i++)
			for (j = 0; j < lab->nodes[i].n_ifaces; j++)
				point_add(r, &(struct lab_end){i, j});
	/* Without a capture: list every interface is pcapped: full rings for wire-sized bulk. */
	if (r->o->pcap_dir && !lab->n_capture)
		checked = r->n_points;
	rings_start(r, checked, bounded);
}

/* Interface names by index and nft rule comments of a node, for its observers. */
static int node_info_load(struct run *r, size_t node)
{
	const struct lab_node *n = &r->lab->nodes[node];
	struct node_info *ni = &r->info[node];
	size_t i;

	if (ni->ifnames.v)
		return 0;
	ni->ifnames.v = xcalloc(n->n_ifaces + 2, sizeof(*ni->ifnames.v));
	/* lo is index 1 in every netns, declared by the lab or not. */
	ni->ifnames.v[n->n_ifaces].index = 1;
	snprintf(ni->ifnames.v[n->n_ifaces].name, sizeof(ni->ifnames.v[0].name), "lo");
	for (i = 0; i < n->n_ifaces; i++) {
		int idx = link_index(r->b.nodes[node].rtnl, n->ifaces[i].name, &r->d);

		if (idx < 0)
			return -1;
		ni->ifnames.v[i].index = (uint32_t)idx;
		snprintf(ni->ifnames.v[i].name, sizeof(ni->ifnames.v[i].name), "%s",
			 n->ifaces[i].name);
	}
	ni->ifnames.n = n->n_ifaces + 1;
	return n->nft.text || n->step_rules ? nft_rules_read(r->b.nodes[node].nsfd, &ni->rules, &r->d)
					  : 0;
}

static int observer_open(struct run *r, enum expect_source src, size_t node)
{
	const struct lab_node *n = &r->lab->nodes[node];
	int nsfd = r->b.nodes[node].nsfd, fd;
	struct epoll_event ev = {.events = EPOLLIN};
	struct observer *o;
	uint16_t *groups;
	size_t i, n_groups;

	for (i = 0; i < r->n_obs; i++)
		if (r->obs[i].src == src && r->obs[i].node == node)
			return 0;
	if (node_info_load(r, node))
		return -1;
	XGROW(r->obs, r->n_obs, r->cap_obs);
	o = &r->obs[r->n_obs];
	memset(o, 0, sizeof(*o));
	ev.data.u64 = TAG_OBS + r->n_obs++; /* counted now: run_release() closes it on failure */
	o->src = src;
	o->node = node;
	snprintf(o->name, sizeof(o->name), "%s of %s", sources[src].what, n->name);
	switch (src) {
	case SRC_NFLOG:
		n_groups = nflog_node_groups(n, &groups);
		if (!n_groups)
			return diag_set(
				&r->d,
				"node %s: no rule logs to an NFLOG group (nft \"log group "
				"N\", iptables \"-j NFLOG\"), so there is nothing to expect",
				n->name);
		o->log = nflog_listener_open(nsfd, node, groups, n_groups, &r->info[node].ifnames,
					     r->o->rcvbuf, o->name, &r->d);
		free(groups);
		if (!o->log)
			return -1;
		fd = nflog_listener_fd(o->log);
		break;
	case SRC_TRACE:
		o->trace = trace_open(nsfd, node, &r->info[node].ifnames, &r->info[node].rules,
				      r->o->rcvbuf, o->name, &r->d);
		if (!o->trace)
			return -1;
		fd = trace_fd(o->trace);
		break;
	case SRC_CT_EVENT:
	default:
		o->ct = ctev_open(nsfd, node, r->o->rcvbuf, o->name, &r->d);
		if (!o->ct)
			return -1;
		fd = ctev_fd(o->ct);
		break;
	}
	if (epoll_ctl(r->epfd, EPOLL_CTL_ADD, fd, &ev))
		return diag_errno(&r->d, "epoll_ctl");
	return 0;
}

static void observer_close(struct observer *o)
{
	if (o->src == SRC_NFLOG)
		nflog_listener_close(o->log);
	else if (o->src == SRC_TRACE)
		trace_close(o->trace);
	else
		ctev_close(o->ct);
}

static int observer_read(struct run *r, struct observer *o)
{
	if (o->src == SRC_NFLOG)
		return nflog_listener_read(o->log, &r->log, &r->d);
	if (o->src == SRC_TRACE)
		return trace_read(o->trace, &r->log, &r->d);
	return ctev_read(o->ct, &r->log, &r->d);
}

static bool wants_trace(const struct lab_node *n)
{
	return (n->nft.text && strstr(n->nft.text, "nftrace")) ||
	       (n->step_rules && strstr(n->step_rules, "nftrace"));
}

/* Whether every packet of every node is traced for its fate (fate: true, --fate). */
static bool fate_all(const struct run *r)
{
	return r->lab->fate || r->o->fate;
}

/* Whether a fate check of the lab reads node's fates. */
static bool fate_checked(const struct lab *lab, size_t node)
{
	size_t i;

	for (i = 0; i < lab->n_steps; i++)
		if (lab->steps[i].kind == STEP_EXPECT && lab->steps[i].expect.source == SRC_FATE &&
		    (lab->steps[i].expect.node == node ||
		     lab->steps[i].expect.node == LAB_ANY_NODE))
			return true;
	return false;
}

/*
 * Puts nflab's fate table in node, once, after the lab's rulesets: tracing
 * every packet with fate_all(), else only showing where the packets the lab's
 * own rules trace end. The node's trace events then also go to r->traces,
 * nflab's table's included, which fates are told from. Returns 0 or -1.
 */
static int fate_prepare(struct run *r, size_t node)
{
	size_t i;

	if (!r->fate_table)
		r->fate_table = xcalloc(r->lab->n_nodes + 1, sizeof(*r->fate_table));
	if (r->fate_table[node])
		return 0;
	if (ruleset_fate_apply(r->b.nodes[node].nsfd, fate_all(r), &r->d)) {
		diag_prefix(&r->d, "node %s", r->lab->nodes[node].name);
		return -1;
	}
	r->fate_table[node] = true;
	if (observer_open(r, SRC_TRACE, node))
		return -1;
	for (i = 0; i < r->n_obs; i++)
		if (r->obs[i].src == SRC_TRACE && r->obs[i].node == node)
			trace_keep_all(r->obs[i].trace, &r->traces);
	return 0;
}

/*
 * With fate: true, each node's drop counters (observe/mib.h), so that a packet
 * that vanishes outside netfilter can be given the kernel's reason. Opened
 * once; read at each step (mib_snap()). Returns 0 or -1.
 */
static int mib_open_all(struct run *r)
{
	size_t i;

	r->mib = xcalloc(r->lab->n_nodes + 1, sizeof(*r->mib));
	r->mib_series = xcalloc(r->lab->n_nodes + 1, sizeof(*r->mib_series));
	r->mib_dirty = xcalloc(r->lab->n_nodes + 1, sizeof(*r->mib_dirty));
	for (i = 0; i < r->lab->n_nodes; i++)
		if (!(r->mib[i] = mib_open(r->b.nodes[i].nsfd, &r->d))) {
			diag_prefix(&r->d, "node %s", r->lab->nodes[i].name);
			return -1;
		}
	return 0;
}

/*
 * One reading of the drop counters of every node that traced a packet since
 * its last one (every node the first time: the base). A node with nothing
 * traced needs no reading: no packet of its could get a reason, and its next
 * reading covers the time in between. The reading covers the trace events
 * read before it (its pos); a counter moves microseconds after its packet's
 * last trace event, so when a trace event comes while the counters are read,
 * its packet may be half counted, and they are read again (three times at
 * most: a lab that never stops gets what the last reading saw). Returns 0
 * or -1.
 */
static int mib_snap(struct run *r)
{
	size_t i, n = r->lab->n_nodes, before;
	bool base = !r->mib_series[0].n;
	int tries;

	for (tries = 0;; tries++) {
		if (run_drain(r))
			return -1;
		before = r->traces.n;
		for (i = r->mib_scanned; i < before; i++)
			if (r->traces.ev[i].point < n)
				r->mib_dirty[r->traces.ev[i].point] = true;
		r->mib_scanned = before;
		for (i = 0; i < n; i++) {
			struct mib_series *s = &r->mib_series[i];

			if (!base && !r->mib_dirty[i])
				continue;
			XGROW(s->v, s->n, s->cap);
			if (mib_read(r->mib[i], s->v[s->n].v, &r->d)) {
				diag_prefix(&r->d, "node %s", r->lab->nodes[i].name);
				return -1;
			}
		}
		if (run_drain(r))
			return -1;
		if (r->traces.n == before || tries == 2)
			break;
	}
	for (i = 0; i < n; i++)
		if (base || r->mib_dirty[i]) {
			r->mib_series[i].v[r->mib_series[i].n++].pos = before;
			r->mib_dirty[i] = false;
		}
	return 0;
}

/* Whether trace events came since the latest reading of the counters. */
static bool mib_stale(const struct run *r)
{
	return r->mib && r->mib_scanned < r->traces.n;
}

/*
 * Kernel-side observers for the nodes checks name, open before the first step
 * like captures; for a timeline, every node's.
 */
static int open_observers(struct run *r)
{
	const struct lab *lab = r->lab;
	size_t i;

	r->info = xcalloc(lab->n_nodes, sizeof(*r->info));
	for (i = 0; i < lab->n_steps; i++) {
		const struct lab_step *st = &lab->steps[i];

		if (st->kind != STEP_EXPECT || sources[st->expect.source].snapshot ||
		    st->expect.source == SRC_CAPTURE)
			continue;
		if (observer_open(r, st->expect.source, st->expect.node))
			return -1;
	}
	for (i = 0; i < lab->n_nodes; i++)
		if ((fate_all(r) || fate_checked(lab, i)) && fate_prepare(r, i))
			return -1;
	if (fate_all(r) && lab->n_nodes && mib_open_all(r))
		return -1;
	if (!wants_story(r))
		return 0;
	for (i = 0; i < lab->n_nodes; i++) {
		uint16_t *groups;
		size_t n_groups = nflog_node_groups(&lab->nodes[i], &groups);

		free(groups);
		if (observer_open(r, SRC_CT_EVENT, i) ||
		    (n_groups && observer_open(r, SRC_NFLOG, i)) ||
		    (wants_trace(&lab->nodes[i]) && observer_open(r, SRC_TRACE, i)))
			return -1;
	}
	return 0;
}

void run_keep_socket(struct run *r, int fd)
{
	XGROW(r->socks, r->n_socks, r->cap_socks);
	r->socks[r->n_socks++] = fd;
}

void run_close_socket(struct run *r, int fd)
{
	size_t i;

	for (i = 0; i < r->n_socks; i++)
		if (r->socks[i] == fd)
			r->socks[i] = -1;
	epoll_ctl(r->epfd, EPOLL_CTL_DEL, fd, NULL);
	close(fd);
}

/* An accepting listener is ready: take every waiting connection. */
static int serve_accept(struct run *r, int lfd)
{
	struct epoll_event ev = {.events = EPOLLIN};
	int fd;

	while ((fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
		run_keep_socket(r, fd);
		ev.data.u64 = TAG_CONN + (uint64_t)fd;
		if (epoll_ctl(r->epfd, EPOLL_CTL_ADD, fd, &ev))
			return diag_errno(&r->d, "epoll_ctl");
	}
	return 0;
}

/* Data on an accepted connection is discarded; when the peer closes, so does the server. */
static void serve_conn(struct run *r, int fd)
{
	char buf[4096];
	ssize_t n;

	while ((n = read(fd, buf, sizeof(buf))) > 0)
		;
	if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK))
		run_close_socket(r, fd);
}

/* True when every event logged from index from on is an MLD report or query. */
static bool only_mld(const struct evlog *log, size_t from)
{
	size_t i;

	for (i = from; i < log->n; i++) {
		const struct pkt_hdrs *h = &log->ev[i].pkt.outer;

		if (!(h->present & PKT_ICMP6) || (h->icmp_type != 130 && h->icmp_type != 131 &&
						  h->icmp_type != 132 && h->icmp_type != 143))
			return false;
	}
	return true;
}

/*
 * A capture that died (its interface deleted, or moved to another netns) sees
 * nothing more: a check there would pass on silence. An error naming it and when.
 */
static int capture_died(struct run *r, size_t i, int err)
{
	const struct point *pt = &r->points[i];
	const struct lab_end *e = &pt->end;
	/*
	 * An interface deleted or moved goes down first: the socket's error came
	 * then, when the capture stopped seeing anything. Else it is found now.
	 */
	const struct lab_step *st = pt->down_ns ? pt->down_step : r->cur;
	uint64_t t = pt->down_ns ? pt->down_ns : now_mono_ns();
	char when[96];

	snprintf(when, sizeof(when), "at +%.1f ms (%s", (double)(t - r->start_mono) / 1e6,
		 st ? "during step" : "after the steps");
	if (st)
		snprintf(when + strlen(when), sizeof(when) - strlen(when), " %zu",
			 (size_t)(st - r->lab->steps) + 1);
	if (err == ENODEV)
		return diag_set(&r->d,
				"capture at %s died %s): %s is gone from node %s (deleted, or "
				"moved to another network namespace); no check at it can pass",
				r->points[i].name, when,
				r->lab->nodes[e->node].ifaces[e->iface].name,
				r->lab->nodes[e->node].name);
	errno = err;
	return diag_errno(&r->d, "capture at %s died %s); no check at it can pass",
			  r->points[i].name, when);
}

/*
 * Whether every capture still sees its interface. An interface deleted or
 * moved goes down first, and its capture's socket reports that (the pump
 * notes it): only those are asked again. Returns 0, or -1 with r->d set.
 */
static int check_alive(struct run *r)
{
	size_t i;
	int err;

	for (i = 0; i < r->n_points; i++)
		if (r->points[i].down_ns && (err = cap_gone(r->points[i].cap)))
			return capture_died(r, i, err);
	return 0;
}

/* The connect of a background tcp step ended: sends its payload when it connected. */
static int tcp_background_done(struct run *r, uint64_t step)
{
	const struct step_probe *p = &r->lab->steps[step].probe;
	int fd = r->step_fd[step];

	if (fd < 0)
		return 0;
	epoll_ctl(r->epfd, EPOLL_CTL_DEL, fd, NULL);
	if (probe_tcp_outcome(fd, false) == TCP_CONNECTED && p->payload_len)
		return run_tcp_payload(r, fd, p);
	return 0;
}

int run_pump(struct run *r, uint64_t deadline)
{
	struct epoll_event evs[32];
	uint64_t now = now_mono_ns();
	int timeout = deadline > now ? (int)((deadline - now + 999999) / 1000000) : 0;
	int i, n, extra = 0;

	n = epoll_wait(r->epfd, evs, 32, timeout);
	if (n < 0)
		return errno == EINTR ? 0 : diag_errno(&r->d, "epoll_wait");
	for (i = 0; i < n; i++) {
		uint64_t tag = evs[i].data.u64;
		int got;

		if (tag == TAG_EXTRA) {
			extra = 1;
			continue;
		}
		if (tag >= TAG_BGTCP) {
			if (tcp_background_done(r, tag - TAG_BGTCP))
				return -1;
			continue;
		}
		if (tag >= TAG_CONN) {
			serve_conn(r, (int)(tag - TAG_CONN));
			continue;
		}
		if (tag >= TAG_LISTEN) {
			if (serve_accept(r, (int)(tag - TAG_LISTEN)))
				return -1;
			continue;
		}
		if (tag >= TAG_PROC) {
			progs_read(r, tag);
			continue;
		}
		if (tag >= TAG_OBS) {
			got = observer_read(r, &r->obs[tag - TAG_OBS]);
		} else {
			size_t before = r->log.n;
			int err;

			/* An error on a capture socket: its interface went down, or away. */
			if (evs[i].events & (EPOLLERR | EPOLLHUP)) {
				r->points[tag].down_ns = now_mono_ns();
				r->points[tag].down_step = r->cur;
				if ((err = cap_gone(r->points[tag].cap)))
					return capture_died(r, tag, err);
			}
			got = cap_read(r->points[tag].cap, &r->log, &r->d);
			/* Listener reports are the kernel's own chatter, never a lab's traffic. */
			if (got > 0 && only_mld(&r->log, before))
				got = 0;
		}
		if (got < 0)
			return -1;
		if (got > 0)
			r->last_activity = now_mono_ns();
	}
	return extra;
}

/* Reads everything already captured, without waiting. */
int run_drain(struct run *r)
{
	int rc;

	while ((rc = run_pump(r, 0)) != 0)
		if (rc < 0)
			return -1;
	return 0;
}

uint64_t run_quiet_ns(const struct run *r, const struct step_expect *e)
{
	if (e->quiet_ns) /* the check's own, or the lab's (the parser copies it) */
		return clock_scaled_ns(e->quiet_ns);
	/* A running service may answer late: its scheduling is not the kernel's. */
	return clock_scaled_ns(r->window_kernel && !progs_running(r) ? LAB_KERNEL_QUIET_NS
								    : LAB_DEFAULT_QUIET_NS);
}

/* A probe opens a new window: checks after it look at what it caused. */
int run_window_open(struct run *r)
{
	r->window_kernel = kernel_only(r->cur);
	if (run_drain(r))
		return -1;
	r->window_seq = r->log.n;
	r->window_traces = r->traces.n;
	r->window_mono = now_mono_ns();
	r->window_real = now_real_ns();
	return 0;
}

int run_wait_fd(struct run *r, int fd, uint32_t events, uint64_t deadline, int (*done)(int, void *),
		void *arg)
{
	struct epoll_event ev = {.events = events, .data.u64 = TAG_EXTRA};
	int rc = 0;

	if (epoll_ctl(r->epfd, EPOLL_CTL_ADD, fd, &ev))
		return diag_errno(&r->d, "epoll_ctl");
	while (now_mono_ns() < deadline) {
		rc = run_pump(r, deadline);
		if (rc < 0)
			break;
		if (rc == 1 && (!done || done(fd, arg))) {
			rc = 1;
			break;
		}
		rc = 0;
	}
	epoll_ctl(r->epfd, EPOLL_CTL_DEL, fd, NULL);
	return rc;
}

void run_udp_add(struct run *r, size_t node, int fd)
{
	XGROW(r->udp, r->n_udp, r->cap_udp);
	r->udp[r->n_udp++] = (struct udp_sock){node, fd};
}

/*
 * Sends the payload of a connected tcp probe, each part as its own segment
 * (TCP_NODELAY), in order: a few lines always fit the send buffer.
 */
int run_tcp_payload(struct run *r, int fd, const struct step_probe *p)
{
	size_t i, off = 0, one = 1;
	int nodelay = 1;

	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &nodelay, sizeof(nodelay));
	for (i = 0; i < (p->n_segments ? p->n_segments : one); i++) {
		size_t n = p->n_segments ? p->segments[i] : p->payload_len;

		if (send(fd, p->payload + off, n, MSG_NOSIGNAL) != (ssize_t)n)
			return diag_errno(&r->d, "cannot send the tcp payload");
		off += n;
	}
	return 0;
}

long run_point_find(const struct run *r, const struct lab_end *e)
{
	size_t i;

	for (i = 0; i < r->n_points; i++)
		if (r->points[i].end.node == e->node && r->points[i].end.iface == e->iface)
			return (long)i;
	return -1;
}

size_t run_point_of(struct run *r, const struct lab_end *e)
{
	long i = run_point_find(r, e);

	if (i < 0)
		abort(); /* open_captures() added every point a check names */
	return (size_t)i;
}

struct injector *run_sender(struct run *r, size_t node, int ifindex, int family)
{
	struct sender *sd;
	size_t i;

	for (i = 0; i < r->n_senders; i++) {
		sd = &r->senders[i];
		if (sd->node == node && sd->ifindex == ifindex && (ifindex || sd->family == family))
			return sd->inj;
	}
	XGROW(r->senders, r->n_senders, r->cap_senders);
	sd = &r->senders[r->n_senders];
	sd->node = node;
	sd->ifindex = ifindex;
	sd->family = family;
	sd->inj = inj_open(r->b.nodes[node].nsfd, ifindex, family, &r->d);
	if (!sd->inj)
		return NULL;
	r->n_senders++;
	return sd->inj;
}

int run_peer_mac(struct run *r, const struct lab_end *e, uint8_t mac[6])
{
	const struct lab_end *peer = lab_link_peer(r->lab, e);

	if (peer)
		return link_mac(r->b.nodes[peer->node].rtnl,
				r->lab->nodes[peer->node].ifaces[peer->iface].name, mac, &r->d);
	memset(mac, 0xff, 6);
	return 0;
}

/*
 * A packet socket accepts a frame the device then drops: with no carrier (a
 * veth whose other end is down) the kernel's "noop" queue takes it silently,
 * and a veth drops what its down peer cannot take (tx_dropped).
 */
int run_tx_judge(struct run *r, const struct lab_step *st, const struct lab_end *out, uint64_t sent,
		 const struct link_tx *before, const struct link_tx *after, char *text, size_t len)
{
	const struct lab_end e = *out, *peer = lab_link_peer(r->lab, &e);
	uint64_t lost;
	char where[80], other[120] = "", why[320];
	size_t n = strlen(text);

	lab_end_fmt(r->lab, &e, where, sizeof(where));
	if (peer) {
		char name[80];

		snprintf(other, sizeof(other), " (%s, the other end of its link, is down)",
			 lab_end_fmt(r->lab, peer, name, sizeof(name)));
	}
	if (!before->carrier || !after->carrier) {
		lost = before->carrier ? after->dropped - before->dropped : sent;
		snprintf(why, sizeof(why), "%s has no carrier%s", where, other);
	} else if (!before->queue) {
		lost = sent;
		snprintf(why, sizeof(why), "the queue of %s is not active yet", where);
	} else {
		lost = after->dropped - before->dropped;
		snprintf(why, sizeof(why), "%s dropped them (its tx_dropped counter grew by %llu)",
			 where, (unsigned long long)lost);
	}
	if (lost > sent)
		lost = sent; /* the kernel's own packets out of it may be dropped too */
	if (!lost)
		return NFLAB_PASS;
	snprintf(text + n, len - n,
		 "\n%s%s:%d: %llu of %llu packet%s not transmitted: %s; the packet socket "
		 "took %s, the kernel dropped %s",
		 detail_indent, st->loc.file, st->loc.line, (unsigned long long)lost,
		 (unsigned long long)sent, sent == 1 ? " was" : "s were", why,
		 sent == 1 ? "it" : "them", sent == 1 ? "it" : "them");
	return NFLAB_FAIL;
}

/* Writes a failed check's explanation, indented under its step line, into a new string. */
char *run_indent(const char *text)
{
	/* Room for one indent per line. */
	char *out = xmalloc(strlen(text) * sizeof(detail_indent) + 1), *o = out;
	const char *t;

	for (t = text; *t; t++) {
		if (t == text || t[-1] == '\n') {
			memcpy(o, detail_indent, sizeof(detail_indent) - 1);
			o += sizeof(detail_indent) - 1;
		}
		*o++ = *t;
	}
	*o = '\0';
	return out;
}

/*
 * The node whose sockets or programs send step st's packets, or -1 for steps
 * that send nothing (expect, listen). *iface is the interface a frame is sent
 * out of, or -1 for any of the node's.
 */
static long step_sender(const struct lab *lab, const struct lab_step *st, long *iface)
{
	*iface = -1;
	return st->ops->sender ? st->ops->sender(lab, st, iface) : -1;
}

/*
 * The first packet step i sent: the earliest captured leaving its node (the
 * interface it sends frames out of) from the step's start until the next
 * sending step started. The link's chatter (ARP, ND, MLD) is not what a step
 * sends: the kernel reports multicast listening on its own schedule, and an
 * ARP request or neighbour solicitation goes before the packet it resolves.
 * Only when the step sent nothing else is its first ARP or neighbour
 * discovery packet its own (a crafted ARP reply, a lookup that failed). NULL
 * when the step sends nothing or nothing of it was captured.
 */
/* ARP or neighbour discovery (solicitation, advertisement): a neighbour's address looked up. */
static bool resolves(const struct pkt *p)
{
	return ((p->present & PKT_ETH) && p->eth_type == 0x0806) ||
	       ((p->outer.present & PKT_ICMP6) &&
		(p->outer.icmp_type == 135 || p->outer.icmp_type == 136));
}

static const struct event *step_first_packet(const struct run *r, size_t i)
{
	const struct event *best = NULL, *chat = NULL;
	uint64_t from, until = UINT64_MAX;
	long node, iface, other;
	size_t j;

	if (i >= r->n_step_state || !r->step_real[i])
		return NULL;
	node = step_sender(r->lab, &r->lab->steps[i], &iface);
	if (node < 0)
		return NULL;
	from = r->step_real[i];
	for (j = i + 1; j < r->n_step_state; j++)
		if (r->step_real[j] && step_sender(r->lab, &r->lab->steps[j], &other) >= 0) {
			until = r->step_real[j];
			break;
		}
	for (j = 0; j < r->log.n; j++) {
		const struct event *ev = &r->log.ev[j];
		const struct lab_end *end;

		if (ev->kind != EV_PACKET || ev->dir != DIR_OUT || ev->ts_ns < from ||
		    ev->ts_ns >= until)
			continue;
		end = &r->points[ev->point].end;
		if ((long)end->node != node || (iface >= 0 && (long)end->iface != iface))
			continue;
		if (!pkt_is_chatter(&ev->pkt)) {
			if (!best || ev->ts_ns < best->ts_ns)
				best = ev;
		} else if (resolves(&ev->pkt) && (!chat || ev->ts_ns < chat->ts_ns)) {
			chat = ev;
		}
	}
	return best ? best : chat;
}

/* The first packet of the latest step that sent one, for ranking a failure's nearest packets. */
static const struct pkt *latest_flow(const struct run *r)
{
	const struct event *ev;
	size_t i;

	for (i = r->n_step_state; i-- > 0;)
		if ((ev = step_first_packet(r, i)))
			return &ev->pkt;
	return NULL;
}

static char *explain(const struct lab_step *st, const struct expect_state *es,
		     const struct evlog *log, const char *source, const struct pkt *flow)
{
	char *text = NULL, *out;
	size_t size = 0;
	FILE *f = open_memstream(&text, &size);

	fprintf(f, "%s:%d: ", st->loc.file, st->loc.line);
	expect_explain(es, log, source, flow, "", f);
	fclose(f);
	out = run_indent(text);
	free(text);
	return out;
}

/*
 * Decides es as things stand. Quiet means nothing observed anywhere since the
 * probe for quiet_ns. *wake is when to look again if it is still pending.
 */
enum verdict run_decide(const struct run *r, struct expect_state *es, uint64_t deadline,
			uint64_t *wake)
{
	const struct step_expect *e = es->e;
	uint64_t now = now_mono_ns();
	uint64_t calm = r->last_activity > r->window_mono ? r->last_activity : r->window_mono;
	uint64_t quiet = run_quiet_ns(r, e);

	*wake = deadline;
	if (e->mode == COUNT_EXACTLY && calm + quiet < deadline)
		*wake = calm + quiet;
	return expect_decide(es, now - calm >= quiet, now >= deadline);
}

/* What a check looks at, for its failure report ("client:eth0", "the conntrack table of fw"). */
static const char *source_name(const struct run *r, const struct step_expect *e, size_t point,
			       char *buf, size_t len)
{
	if (e->source == SRC_CAPTURE)
		snprintf(buf, len, "%s", r->points[point].name);
	else
		snprintf(buf, len, "the %s of %s", sources[e->source].what,
			 e->node == LAB_ANY_NODE ? "any node" : r->lab->nodes[e->node].name);
	return buf;
}

char *run_explain(struct run *r, const struct lab_step *st, const struct expect_state *es)
{
	char name[120];

	return explain(st, es, &r->log, source_name(r, &st->expect, es->point, name, sizeof(name)),
		       latest_flow(r));
}

/*
 * "fate: any" could never fail when no node is traced, or when fate.node names
 * a node that is not. Returns 0 or -1 with d.
 */
static int fate_any_vacuous(struct run *r, const struct step_expect *e, struct diag *d)
{
	bool *traced = xcalloc(r->lab->n_nodes + 1, sizeof(*traced)), counted = false;
	size_t i, k, n = 0;
	int rc = 0;

	for (i = 0; i < r->lab->n_nodes && !rc; i++) {
		struct rulenames rn = RULENAMES_INIT;

		rc = rulenames_read(r->b.nodes[i].nsfd, false, false, &rn, d);
		traced[i] = rn.fate_trace || rn.nftrace;
		counted |= rn.fate_trace;
		n += traced[i];
		rulenames_release(&rn);
	}
	if (!rc && !n)
		rc = diag_at(d, &e->node_loc,
			     "no node is traced: nothing sets nftrace (fate: true or --fate trace "
			     "every packet, or a rule \"meta nftrace set 1\"), so no fate could be "
			     "seen");
	if (!rc)
		rc = vacuous_fate_reason(e, counted, d);
	for (i = 0; !rc && i < e->n_preds; i++)
		for (k = 0; !rc && k < pred_n_leaves(&e->preds[i]); k++) {
			const struct pred *p = pred_leaf(&e->preds[i], k);
			int node = lab_node_find(r->lab, p->v.s);

			if (p->op != PRED_EQ || strcmp(p->field->name, "fate.node") ||
			    (node >= 0 && traced[node]))
				continue;
			rc = diag_at(
				d, e->pred_locs ? &e->pred_locs[i] : &e->node_loc,
				node < 0
					? "no node \"%s\" in the lab, so no fate could match"
					: "node %s is not traced (fate: true or --fate trace every "
					  "packet, or a rule \"meta nftrace set 1\"), so no fate "
					  "of it could be seen",
				p->v.s);
		}
	free(traced);
	return rc;
}

int run_expect_vacuous(struct run *r, const struct step_expect *e, const struct evlog *dump,
		       struct diag *d)
{
	const struct lab_node *n;
	struct rulenames rn = RULENAMES_INIT;
	bool list = vacuous_needs_rulenames(e);
	bool legacy;
	int rc = 0;

	if (e->source != SRC_COUNTERS && e->source != SRC_NFLOG && e->source != SRC_TRACE &&
	    e->source != SRC_FATE && e->source != SRC_CT_EXPECT)
		return 0;
	if (e->node == LAB_ANY_NODE)
		return fate_any_vacuous(r, e, d);
	n = &r->lab->nodes[e->node];
	legacy = (e->source == SRC_NFLOG || e->source == SRC_CT_EXPECT) &&
		 n->ipt_backend == IPT_BACKEND_LEGACY;
	/* Listed now: rules a program loaded since the lab began count too. */
	if (list)
		rc = rulenames_read(r->b.nodes[e->node].nsfd, legacy && n->iptables.text,
				    legacy && n->ip6tables.text, &rn, d);
	if (!rc)
		rc = vacuous_check(e, n->name, list ? &rn : NULL, dump, d);
	rulenames_release(&rn);
	return rc;
}

/*
 * When a packet whose trace ends without a verdict that tells its fate is
 * done: after half the quiet interval with nothing moving (a packet's trace
 * events at a node are sent within microseconds), so that a check the quiet
 * interval decides has seen it. CLOCK_MONOTONIC ns.
 */
static uint64_t fate_settled_at(const struct run *r, const struct step_expect *e)
{
	uint64_t calm = r->last_activity > r->window_mono ? r->last_activity : r->window_mono;

	return calm + run_quiet_ns(r, e) / 2;
}

/* The fates of the packets e's node traced (every node's for fate: any) in e's window. */
static int fate_read(struct run *r, const struct step_expect *e, struct evlog *log)
{
	bool settled = now_mono_ns() >= fate_settled_at(r, e);
	struct fate_why *why;
	size_t i;

	/* Checks the C API adds later: the table goes in now. */
	for (i = 0; i < r->lab->n_nodes; i++)
		if ((e->node == i || e->node == LAB_ANY_NODE) && fate_prepare(r, i))
			return -1;
	/* Once the lab is quiet, the counters hold the drops of every packet so far. */
	if (settled && mib_stale(r) && mib_snap(r))
		return -1;
	why = r->mib ? fate_why_new(&r->traces, r->lab, r->mib_series) : NULL;
	r->fate_pending = fate_collect(&r->traces, e->since == SINCE_START ? 0 : r->window_traces,
				       e->node, r->lab, settled, e->node, why, log);
	fate_why_free(why);
	return 0;
}

/* Reads a snapshot source (conntrack table or expectations, counters, fates) of e's node into log.
 */
static int snapshot_read(struct run *r, const struct step_expect *e, struct evlog *log)
{
	int nsfd;

	if (e->source == SRC_FATE)
		return fate_read(r, e, log);
	nsfd = r->b.nodes[e->node].nsfd;
	if (e->source == SRC_COUNTERS)
		return counters_dump(nsfd, &r->lab->nodes[e->node], e->node, log, &r->d);
	if (e->source == SRC_CT_EXPECT)
		return ctexp_dump(nsfd, e->node, log, &r->d);
	return ctev_dump(nsfd, e->node, log, &r->d);
}

#define MARKS_PER_CHECK 32 /* ticks or crosses one check puts in the story, at most */

static void mark_add(struct run *r, const struct lab_step *st, bool pass, size_t seq,
		     unsigned int matched)
{
	XGROW(r->marks, r->n_marks, r->cap_marks);
	r->marks[r->n_marks++] = (struct run_mark){.step = (size_t)(st - r->lab->steps),
						   .pass = pass,
						   .seq = seq,
						   .at_ns = now_real_ns(),
						   .matched = matched};
}

/* Keeps the first record a passed check with an id matched, for later references. */
static void snap_take(struct run *r, const struct lab_step *st, const struct expect_state *es,
		      const struct evlog *log, const char *where)
{
	size_t i = (size_t)(st - r->lab->steps);
	const struct event *ev = &log->ev[es->first_match];
	char *at;

	if (ev->kind == EV_PACKET)
		at = xasprintf("%s %s", where, ev->dir == DIR_IN ? "in" : "out");
	else
		at = xstrdup(where);
	ref_snap_take(&r->snaps[i], &st->expect, ev, at);
	free(at);
}

/* A snapshot check: read, count, and read again whenever something new was seen. */
static int expect_snapshot(struct run *r, const struct lab_step *st, const struct step_expect *e,
			   bool mark, struct expect_state *es, const struct pred *preds,
			   const char *note, char **detail)
{
	uint64_t deadline = now_mono_ns() + clock_scaled_ns(e->within_ns);
	bool first = true;
	enum verdict v;

	for (;;) {
		struct evlog dump = EVLOG_INIT;
		uint64_t wake;
		char name[80];

		if (run_drain(r) || snapshot_read(r, e, &dump)) {
			evlog_release(&dump);
			return -1;
		}
		/* The first read must hold what the check names, or it could never fail. */
		if (first && run_expect_vacuous(r, e, &dump, &r->d)) {
			evlog_release(&dump);
			return -1;
		}
		first = false;
		expect_release(es);
		expect_begin(es, e, e->node, 0, r->window_real);
		if (preds)
			expect_use_preds(es, preds, note);
		expect_scan(es, &dump);
		v = run_decide(r, es, deadline, &wake);
		/* A packet still on its way has its fate once the lab settles: look again then. */
		if (e->source == SRC_FATE && r->fate_pending && fate_settled_at(r, e) < wake)
			wake = fate_settled_at(r, e);
		if (v == VERDICT_FAIL) {
			*detail = explain(st, es, &dump, source_name(r, e, 0, name, sizeof(name)),
					  NULL);
			/* What it read is no event of the story: one cross, at the check. */
			if (mark && wants_story(r))
				mark_add(r, st, false, SIZE_MAX, es->matched);
		}
		if (v == VERDICT_PASS && e->id && es->matched)
			snap_take(r, st, es, &dump, source_name(r, e, 0, name, sizeof(name)));
		evlog_release(&dump);
		if (v != VERDICT_PENDING)
			return v == VERDICT_PASS ? NFLAB_PASS : NFLAB_FAIL;
		if (run_pump(r, wake) < 0)
			return -1;
	}
}

/*
 * For the story: a passing check's tick on each event it matched; a failing
 * one's cross on each event it matched when it matched too many, else one
 * cross at the time it failed.
 */
static void mark_check(struct run *r, const struct lab_step *st, const struct expect_state *es,
		       bool pass)
{
	const struct step_expect *e = &st->expect;
	bool too_many = !pass && e->mode != COUNT_AT_LEAST && es->matched > e->count;
	size_t j, n = 0;

	if (!wants_story(r))
		return;
	if (!pass && !too_many) {
		mark_add(r, st, false, SIZE_MAX, es->matched);
		return;
	}
	for (j = es->since_seq; j < es->scanned && j < r->log.n && n < MARKS_PER_CHECK; j++)
		if (expect_matches(es, &r->log.ev[j])) {
			mark_add(r, st, pass, j, 0);
			n++;
		}
}

/* Did a trace event of this run carry the packet's conntrack? Then the kernel gives it. */
static bool trace_ct_seen(const struct run *r)
{
	size_t i;

	for (i = 0; i < r->log.n; i++)
		if (r->log.ev[i].kind == EV_TRACE && (r->log.ev[i].trace.present & TRACE_HAS_CT))
			return true;
	return false;
}

/* Why this kernel's trace events cannot show conntrack, in r->skip_now; NULL if they can. */
static const char *trace_ct_missing_here(struct run *r)
{
	return trace_ct_missing(kernel_release(), trace_ct_seen(r), kernel_test_no_trace_ct(),
				r->skip_now, sizeof(r->skip_now));
}

/*
 * Why the NFLOG records of check e's node carry no conntrack, in r->skip_now:
 * the kernel refused to attach it (without CONFIG_NETFILTER_NETLINK_GLUE_CT);
 * NULL when they do.
 */
static const char *log_ct_missing_here(struct run *r, const struct step_expect *e)
{
	size_t i;

	for (i = 0; i < r->n_obs; i++)
		if (r->obs[i].src == SRC_NFLOG && r->obs[i].node == e->node &&
		    !nflog_listener_has_ct(r->obs[i].log)) {
			snprintf(r->skip_now, sizeof(r->skip_now),
				 "kernel %s cannot attach conntrack to NFLOG records "
				 "(CONFIG_NETFILTER_NETLINK_GLUE_CT)",
				 kernel_release());
			return r->skip_now;
		}
	return NULL;
}

/*
 * A check of a field the kernel cannot give could never pass (or, with count:
 * none, never fail): it is skipped, and says why. Returns 1 (skipped, *detail
 * set), 0 or -1.
 */
static int expect_skip(struct run *r, const struct lab_step *st, char **detail)
{
	const char *field = expect_trace_ct_field(&st->expect), *why;
	char *text;
	size_t i;

	/* A reference to a skipped check's record: there is none, for the same reason. */
	for (i = 0; i < st->expect.n_preds; i++) {
		const struct pred_ref *ref = st->expect.preds[i].ref;

		if (ref && r->snaps[ref->step].skipped) {
			text = xasprintf("%s:%d: skipped: %s refers to the check %s, which was "
					 "skipped\n",
					 st->loc.file, st->loc.line, ref->text,
					 r->lab->steps[ref->step].expect.id);
			*detail = run_indent(text);
			free(text);
			/* The lab's result gives that check's reason once more. */
			snprintf(r->skip_now, sizeof(r->skip_now), "%s",
				 r->snaps[ref->step].skipped);
			return 1;
		}
	}
	if (field) {
		if (run_drain(r)) /* the evidence so far: every event already sent */
			return -1;
		why = trace_ct_missing_here(r);
	} else if ((field = expect_log_ct_field(&st->expect))) {
		why = log_ct_missing_here(r, &st->expect);
	} else {
		return 0;
	}
	if (!why)
		return 0;
	text = xasprintf("%s:%d: skipped: it reads %s, and %s\n", st->loc.file, st->loc.line, field,
			 why);
	*detail = run_indent(text);
	free(text);
	return 2; /* what the kernel can give is still checked: expect_rest() */
}

/*
 * Runs check e of step st (its own, or the rest of it: expect_rest()) until it
 * passes, fails or its deadline ends. mark: the story shows where it held.
 */
static int expect_eval(struct run *r, const struct lab_step *st, const struct step_expect *e,
		       bool mark, char **detail)
{
	uint64_t deadline = now_mono_ns() + clock_scaled_ns(e->within_ns);
	struct expect_state es = {0};
	bool from_start = e->since == SINCE_START;
	struct pred *preds;
	char name[80], *note;
	size_t point;
	enum verdict v;
	int rc;

	/* References take their values from the records earlier checks matched. */
	if (ref_resolve(r->lab, e, r->snaps, &preds, &note, &r->d))
		return -1;
	if (sources[e->source].snapshot) {
		rc = expect_snapshot(r, st, e, mark, &es, preds, note, detail);
		goto out;
	}
	rc = -1;
	if (run_expect_vacuous(r, e, NULL, &r->d))
		goto out;
	point = e->source == SRC_CAPTURE ? run_point_of(r, &e->at) : e->node;
	expect_begin(&es, e, point, from_start ? 0 : r->window_seq,
		     from_start ? r->start_real : r->window_real);
	if (preds)
		expect_use_preds(&es, preds, note);
	for (;;) {
		uint64_t wake;

		if (run_drain(r))
			goto out;
		expect_scan(&es, &r->log);
		v = run_decide(r, &es, deadline, &wake);
		if (v != VERDICT_PENDING)
			break;
		if (run_pump(r, wake) < 0)
			goto out;
	}
	source_name(r, e, point, name, sizeof(name));
	if (v == VERDICT_FAIL)
		*detail = explain(st, &es, &r->log, name, latest_flow(r));
	if (mark)
		mark_check(r, st, &es, v == VERDICT_PASS);
	if (v == VERDICT_PASS && e->id && es.matched)
		snap_take(r, st, &es, &r->log, name);
	rc = v == VERDICT_PASS ? NFLAB_PASS : NFLAB_FAIL;
out:
	expect_release(&es);
	free(preds);
	free(note);
	return rc;
}

/*
 * A check skipped for fields the kernel cannot give: the rest of it must still
 * hold. Without those fields it matches at least what the whole check would,
 * so fewer matches than the count it wants is a failure that the kernel's lack
 * cannot explain: NFLAB_FAIL. NFLAB_SKIP otherwise, or when its count cannot
 * tell (none, or distinct values).
 */
static int expect_rest(struct run *r, const struct lab_step *st, char **detail)
{
	struct step_expect rest = st->expect;
	char *why = NULL, *text;
	int rc;

	if (rest.distinct || rest.count == 0)
		return NFLAB_SKIP;
	rest.preds = xcalloc(rest.n_preds + 1, sizeof(*rest.preds));
	rest.n_preds = expect_without_ct(&st->expect, rest.preds);
	rest.mode = COUNT_AT_LEAST;
	rest.id = NULL;
	rc = expect_eval(r, st, &rest, false, &why);
	free(rest.preds);
	if (rc == NFLAB_FAIL) {
		text = xasprintf("%s%s  even without those fields it fails:\n%s", *detail ? *detail : "",
				 detail_indent, why ? why : "");
		free(*detail);
		*detail = text;
	}
	free(why);
	return rc == NFLAB_PASS ? NFLAB_SKIP : rc;
}

static int expect_check(struct run *r, const struct lab_step *st, char **detail)
{
	int rc;

	r->n_checks++;
	rc = expect_skip(r, st, detail);
	if (rc < 0)
		return -1;
	if (rc == 2)
		return expect_rest(r, st, detail);
	if (rc)
		return NFLAB_SKIP;
	return expect_eval(r, st, &st->expect, true, detail);
}

/*
 * A capture that lost packets could have hidden the very packet a check was about,
 * and one that cut frames short holds pcaps and fields that are not what was sent.
 */
static int check_drops(struct run *r)
{
	size_t i;

	for (i = 0; i < r->n_points; i++) {
		unsigned int lost = cap_drops(r->points[i].cap);
		unsigned int cut = cap_cut(r->points[i].cap);

		if (lost)
			return diag_set(&r->d,
					"capture at %s lost %u packets: verdicts cannot be trusted",
					r->points[i].name, lost);
		if (cut)
			return diag_set(&r->d,
					"capture at %s cut %u frames short of their length: "
					"verdicts and pcaps cannot be trusted",
					r->points[i].name, cut);
	}
	return 0;
}

int run_step_expect(struct run *r, const struct lab_step *st, char **detail)
{
	int v = expect_check(r, st, detail);

	/* A check is only as good as the capture it read: loss turns it into an error. */
	if (v >= 0 && (check_drops(r) || check_alive(r)))
		return -1;
	return v;
}

/* Per-step state for steps added since the last call (the C API adds steps as it goes). */
static void steps_grow(struct run *r)
{
	size_t n = r->lab->n_steps, i;

	if (n <= r->n_step_state)
		return;
	r->step_fd = xrealloc(r->step_fd, (n + 1) * sizeof(*r->step_fd));
	r->step_real = xrealloc(r->step_real, (n + 1) * sizeof(*r->step_real));
	r->step_text = xrealloc(r->step_text, (n + 1) * sizeof(*r->step_text));
	r->snaps = xrealloc(r->snaps, (n + 1) * sizeof(*r->snaps));
	if (r->o->ladder_path)
		r->ladder = xrealloc(r->ladder, (n + 1) * sizeof(*r->ladder));
	for (i = r->n_step_state; i < n; i++) {
		r->step_fd[i] = -1;
		r->step_real[i] = 0;
		r->step_text[i] = NULL;
		memset(&r->snaps[i], 0, sizeof(r->snaps[i]));
		if (r->ladder)
			memset(&r->ladder[i], 0, sizeof(r->ladder[i]));
	}
	r->n_step_state = n;
}

int run_rules_refresh(struct run *r, size_t node)
{
	if (!r->info || !r->info[node].ifnames.v) /* no observer of the node: nothing to name */
		return 0;
	nft_rules_release(&r->info[node].rules);
	return nft_rules_read(r->b.nodes[node].nsfd, &r->info[node].rules, &r->d);
}

void run_note_skip(struct run *r, const char *why)
{
	char *all;

	r->n_skipped++;
	if (r->skip_why && strstr(r->skip_why, why))
		return;
	all = r->skip_why ? xasprintf("%s; %s", r->skip_why, why) : xstrdup(why);
	free(r->skip_why);
	r->skip_why = all;
}

int run_step(struct run *r, size_t i, size_t *failed)
{
	const struct lab *lab = r->lab;
	const struct lab_step *st = &lab->steps[i];
	uint64_t t0 = now_mono_ns();
	char text[1024] = "", *detail = NULL;
	int v;

	steps_grow(r);
	r->cur = st;
	r->step_real[i] = now_real_ns();
	/* A capture that died in an earlier step: no later step may look past it. */
	if (check_alive(r)) {
		diag_locate(&r->d, &st->loc);
		diag_prefix(&r->d, "step %zu", i + 1);
		return -1;
	}
	interrupt_doing("running %s: step %zu of %zu (%s:%d)", lab->path, i + 1, lab->n_steps,
			st->loc.file, st->loc.line);
	/* The drop counters before the step: what moves during it is its packets'. */
	if (r->mib && mib_snap(r)) {
		diag_locate(&r->d, &st->loc);
		diag_prefix(&r->d, "step %zu", i + 1);
		return -1;
	}
	if (st->ops->describe)
		st->ops->describe(lab, st, text, sizeof(text));
	v = st->ops->run(r, st, text, sizeof(text), &detail);
	if (v < 0) {
		free(detail);
		diag_locate(&r->d, &st->loc);
		diag_prefix(&r->d, "step %zu", i + 1);
		return -1;
	}
	{
		char *said =
			xasprintf("%s%s%s", st->name ? st->name : "", st->name ? ": " : "", text);

		report_step(&r->rep, i, v, said, ms_since(t0));
		if (r->ladder) {
			ladder_step_release(&r->ladder[i]);
			r->ladder[i] =
				(struct ladder_step){.start_ns = r->step_real[i],
						     .end_ns = now_real_ns(),
						     .verdict = v,
						     .text = xstrdup(said),
						     .detail = detail ? xstrdup(detail) : NULL};
		}
		free(r->step_text[i]);
		r->step_text[i] =
			xasprintf("step %zu (%s:%d): %s", i + 1, st->loc.file, st->loc.line, said);
		free(said);
	}
	if (detail) {
		report_detail(&r->rep, i, detail);
		free(r->last_detail);
		r->last_detail = detail;
	}
	if (v == NFLAB_FAIL)
		(*failed)++;
	if (v == NFLAB_SKIP) {
		free(r->snaps[i].skipped);
		r->snaps[i].skipped = xstrdup(r->skip_now);
		run_note_skip(r, r->skip_now);
	}
	/* A service that ended on its own during the step fails at its own line, now. */
	if (progs_judge_ends(r)) {
		diag_locate(&r->d, &st->loc);
		diag_prefix(&r->d, "step %zu", i + 1);
		return -1;
	}
	return v;
}

int run_finish(struct run *r)
{
	r->cur = NULL; /* what happens now happens after the last step */
	/* Services end with the steps: what they send on their way out is still captured. */
	if (progs_stop_all(r))
		return -1;
	if (run_drain(r) || (r->mib && mib_snap(r)))
		return -1;
	return check_drops(r) || check_alive(r) ? -1 : 0;
}

/* "eth0 of node client: 192.0.2.1/24; linked to router:eth0", for a pcapng interface block. */
static char *point_description(const struct run *r, const struct lab_end *e)
{
	const struct lab_node *n = &r->lab->nodes[e->node];
	const struct lab_iface *ifc = &n->ifaces[e->iface];
	char *text = NULL, s[IPADDR_STRLEN], peer[100];
	const struct lab_end *other;
	size_t size = 0, i;
	FILE *f = open_memstream(&text, &size);

	fprintf(f, "%s of node %s", ifc->name, n->name);
	for (i = 0; i < ifc->n_addrs; i++)
		fprintf(f, "%s%s/%d", i ? ", " : ": ", ipaddr_fmt(&ifc->addrs[i].a, s),
			ifc->addrs[i].plen);
	if ((other = lab_link_peer(r->lab, e)))
		fprintf(f, "; linked to %s", lab_end_fmt(r->lab, other, peer, sizeof(peer)));
	fclose(f);
	return text;
}

/*
 * Whether a capture point goes into the lab's pcaps: the capture: list, or
 * every one; *filter gets its entry's filter (NULL: every frame).
 */
static bool point_pcapped(const struct run *r, const struct lab_end *e,
			  const struct pktfilter **filter)
{
	size_t i;

	*filter = NULL;
	if (!r->lab->n_capture)
		return true;
	for (i = 0; i < r->lab->n_capture; i++)
		if (r->lab->capture[i].node == e->node && r->lab->capture[i].iface == e->iface) {
			*filter = r->lab->capture_filter ? r->lab->capture_filter[i] : NULL;
			return true;
		}
	return false;
}

/*
 * Writes the lab's capture as pcapng into dir: DIR/<node>-<iface>.pcapng per
 * point, or DIR/<lab>.pcapng with all of them when merged; or, classic, as
 * DIR/<node>-<iface>.pcap (never merged). A step that sent packets is a
 * comment on the first of them; checks mark no packet. Only the frames a
 * capture: entry's filter passes are written (not in artefacts: all).
 */
static int write_pcaps(struct run *r, const char *dir, bool all, bool merged, bool classic)
{
	struct pcapng_if *ifs = xcalloc(r->n_points + 1, sizeof(*ifs));
	struct pcapng_mark *marks = xcalloc(r->lab->n_steps + r->n_frame_marks + 1, sizeof(*marks));
	char *comment, *path;
	size_t i, n_ifs = 0, n_marks = 0;
	int rc = 0;

	if (mkdir(dir, 0755) && errno != EEXIST) {
		free(ifs);
		free(marks);
		return diag_errno(&r->d, "cannot create %s", dir);
	}
	comment = xasprintf("nflab lab %s (%s)%s%s", r->lab->name, r->lab->path,
			    r->lab->description ? ": " : "",
			    r->lab->description ? r->lab->description : "");
	for (i = 0; r->step_real && r->step_text && i < r->lab->n_steps; i++) {
		const struct event *first = r->step_text[i] ? step_first_packet(r, i) : NULL;

		if (first)
			marks[n_marks++] = (struct pcapng_mark){first->seq, r->step_text[i]};
	}
	for (i = 0; i < r->n_frame_marks; i++)
		marks[n_marks++] = r->frame_marks[i];
	for (i = 0; i < r->n_points; i++) {
		const struct point *pt = &r->points[i];
		const struct pktfilter *filter;

		/* Artefacts keep every frame of every point: the filters are for --pcap-dir. */
		if (!point_pcapped(r, &pt->end, &filter) && !all)
			continue;
		ifs[n_ifs++] = (struct pcapng_if){i, pt->name, point_description(r, &pt->end),
						  cap_snaplen(), all ? NULL : filter};
	}
	for (i = 0; i < n_ifs && !rc; i++) {
		const struct lab_end *e = &r->points[ifs[i].point].end;
		char *name;

		if (merged && i > 0)
			break;
		/* Names from the lab: each one file directly in dir (the parser checked them too). */
		if (merged)
			name = xasprintf("%s.pcapng", r->lab->name);
		else
			name = xasprintf("%s-%s.%s", r->lab->nodes[e->node].name,
					 r->lab->nodes[e->node].ifaces[e->iface].name,
					 classic ? "pcap" : "pcapng");
		path = outfile_join(dir, name, &r->d);
		free(name);
		if (!path)
			rc = -1;
		else if (classic && !merged)
			rc = pcapng_write_classic(path, &ifs[i], &r->log, &r->d);
		else
			rc = pcapng_write(path, comment, merged ? ifs : &ifs[i], merged ? n_ifs : 1,
					  &r->log, marks, n_marks, &r->d);
		free(path);
	}
	for (i = 0; i < n_ifs; i++)
		free((char *)ifs[i].description);
	free(ifs);
	free(marks);
	free(comment);
	return rc;
}

void run_mark_packet(struct run *r, size_t seq, char *text)
{
	XGROW(r->frame_marks, r->n_frame_marks, r->cap_frame_marks);
	r->frame_marks[r->n_frame_marks++] = (struct pcapng_mark){seq, text};
}

/* What the timeline module needs to name the run's events. */
static struct timeline_ctx timeline_of(struct run *r)
{
	size_t i;

	if (!r->point_node) { /* once: the points do not change after the captures open */
		r->point_node = xcalloc(r->n_points + 1, sizeof(*r->point_node));
		r->point_name = xcalloc(r->n_points + 1, sizeof(*r->point_name));
		r->point_iface = xcalloc(r->n_points + 1, sizeof(*r->point_iface));
		for (i = 0; i < r->n_points; i++) {
			r->point_node[i] = r->points[i].end.node;
			r->point_name[i] = r->points[i].name;
			r->point_iface[i] = r->points[i].end.iface;
		}
	}
	/* The counters' reasons, for the story: the readings and traces are all there now. */
	if (r->mib && !r->why)
		r->why = fate_why_new(&r->traces, r->lab, r->mib_series);
	/* The marks point into the log, which grows: made anew each time. */
	free(r->tl_marks);
	r->tl_marks = xcalloc(r->n_marks + 1, sizeof(*r->tl_marks));
	for (i = 0; i < r->n_marks; i++)
		r->tl_marks[i] = (struct timeline_mark){
			.step = r->marks[i].step,
			.pass = r->marks[i].pass,
			.ev = r->marks[i].seq < r->log.n ? &r->log.ev[r->marks[i].seq] : NULL,
			.at_ns = r->marks[i].at_ns,
			.matched = r->marks[i].matched};
	return (struct timeline_ctx){.lab = r->lab,
				     .log = &r->log,
				     .point_node = r->point_node,
				     .point_iface = r->point_iface,
				     .point_name = r->point_name,
				     .n_points = r->n_points,
				     .start_real = r->start_real,
				     .traces = r->fate_table ? &r->traces : NULL,
				     .why = r->why,
				     .step_real = r->step_real,
				     .step_text = r->step_text,
				     .n_steps = r->step_real ? r->n_step_state : 0,
				     .marks = r->tl_marks,
				     .n_marks = r->n_marks};
}

/*
 * The timeline (to tl, or nowhere) and the events as JSON lines (to events_path,
 * or nowhere): every event, grouped by packet.
 */
static int report_events(struct run *r, FILE *tl, const char *events_path)
{
	struct timeline_ctx c = timeline_of(r);

	if (tl)
		timeline_print(&c, tl);
	return events_path ? timeline_write_events(&c, events_path, &r->d) : 0;
}

/*
 * The run as a ladder diagram. What stopped the lab, if anything, is its last
 * note; a ladder that cannot be written is an error of its own.
 */
static void write_ladder(struct run *r)
{
	struct timeline_ctx c = timeline_of(r);
	struct diag d = DIAG_INIT;
	char *stop = r->d.set ? xasprintf("%s: %s", outcome_name(r->d.outcome), r->d.msg) : NULL;

	if (ladder_write(&c, r->ladder, stop, r->o->ladder_path, &d))
		diag_set(&r->d, "%s", d.msg);
	free(stop);
}

/*
 * What a failed lab leaves for later: its pcaps, its events and timeline, and
 * each node's ruleset and conntrack table as they are now, at the end. Best
 * effort: a diag already set (the failure) is kept.
 */
static void write_artifacts(struct run *r)
{
	const char *dir = r->o->artifacts_dir;
	char *path = xasprintf("%s/timeline.txt", dir);
	struct diag best_effort = DIAG_INIT;
	struct outfile of;
	FILE *tl;
	size_t i;

	if (write_pcaps(r, dir, true, false, r->o->pcap_classic)) {
		free(path);
		return;
	}
	tl = outfile_open(&of, path, &best_effort);
	free(path);
	path = xasprintf("%s/events.jsonl", dir);
	report_events(r, tl, path);
	if (tl)
		outfile_commit(&of, &best_effort);
	free(path);
	/* Best effort: a node whose state cannot be saved does not change the lab's verdict. */
	for (i = 0; i < r->lab->n_nodes && r->b.nodes; i++) {
		struct diag d = DIAG_INIT;

		if (artifacts_node_state(dir, r->b.nodes[i].nsfd, &r->lab->nodes[i], i, &d))
			fprintf(stderr, "nflab: artifacts of %s: %s\n", r->lab->path, d.msg);
	}
}

/* "the event stream matches F (compared without trace conntrack: kernel X sends none)". */
static void golden_line(struct run *r, unsigned int left_out, char *line, size_t len)
{
	int n = snprintf(line, len, "the event stream matches %s", r->golden);

	if ((left_out & GOLDEN_TRACE_CT) && n > 0 && (size_t)n < len)
		n += snprintf(line + n, len - (size_t)n,
			      " (compared without trace conntrack: kernel %s sends none%s)",
			      kernel_release(),
			      kernel_test_no_trace_ct() ? ", NFLAB_TEST_NO_TRACE_CT" : "");
	if ((left_out & GOLDEN_CHAIN_END) && n > 0 && (size_t)n < len)
		n += snprintf(line + n, len - (size_t)n,
			      " (the end of a chain's rules read as one event: \"return continue\" "
			      "on one kernel, \"rule continue\" on the other)");
	if ((left_out & GOLDEN_NFLOG_CT) && n > 0 && (size_t)n < len)
		snprintf(line + n, len - (size_t)n,
			 (left_out & GOLDEN_NFLOG_CT_RECORDED_NONE)
				 ? " (compared without NFLOG conntrack: the file was recorded on a "
				   "kernel that gave none, kernel %s gives it)"
				 : " (compared without NFLOG conntrack: kernel %s gives none)",
			 kernel_release());
}

/*
 * Compares the lab's event stream with its golden timeline (or writes it with
 * --update-expected) as one more step of the report. A stream that differs is
 * also saved, for diff or meld: as timeline.got in the artifacts directory, or
 * else beside the golden file as <golden>.got. Returns 0 or -1.
 */
static int check_golden(struct run *r, size_t *failed)
{
	struct timeline_ctx c = timeline_of(r);
	char *text = NULL, *diff = NULL, line[1000];
	size_t size = 0;
	uint64_t t0 = now_mono_ns();
	FILE *f = open_memstream(&text, &size);
	int rc;

	fprintf(f,
		"# The golden timeline of %s: its events grouped by packet, with\n"
		"# what changes between runs masked. Written by nflab run --update-expected;\n"
		"# review changes to it like code.\n",
		golden_lab_name(r->lab->path));
	timeline_write_golden(&c, f);
	fclose(f);
	r->n_checks++;
	if (r->o->update_expected) {
		rc = golden_write(r->golden, text, &r->d);
		snprintf(line, sizeof(line), "golden timeline written: %s", r->golden);
		if (!rc)
			report_step(&r->rep, r->lab->n_steps, NFLAB_PASS, line, ms_since(t0));
	} else {
		char *got_path = r->o->artifacts_dir
					 ? xasprintf("%s/timeline.got", r->o->artifacts_dir)
					 : xasprintf("%s.got", r->golden);

		unsigned int without = trace_ct_missing_here(r) ? GOLDEN_TRACE_CT : 0, left_out = 0;

		rc = golden_compare(r->golden, text, got_path, without, &left_out, &diff, &r->d);
		free(got_path);
		golden_line(r, left_out, line, sizeof(line));
		if (rc >= 0)
			report_step(&r->rep, r->lab->n_steps, rc ? NFLAB_FAIL : NFLAB_PASS, line,
				    ms_since(t0));
		if (rc == 1) {
			char *indented = xasprintf("%s", diff), *p;

			/* Under the step line, like a check's explanation. */
			for (p = strtok(indented, "\n"); p; p = strtok(NULL, "\n")) {
				char *l = xasprintf("%s%s\n", detail_indent, p);

				report_detail(&r->rep, r->lab->n_steps, l);
				free(l);
			}
			free(indented);
			free(diff);
			(*failed)++;
			rc = 0;
		}
	}
	free(text);
	return rc;
}

/*
 * The senders' and captures' packet sockets: each close waits out a grace
 * period (two with a ring), which nothing of the lab needs. The factory closes
 * them after the run has gone on (netns_close_later()).
 */
static void close_packet_sockets(struct run *r)
{
	int *fds = xcalloc(r->n_senders + r->n_points + 1, sizeof(*fds));
	size_t i, n = 0;

	for (i = 0; i < r->n_senders; i++)
		if ((fds[n] = inj_take_fd(r->senders[i].inj)) >= 0)
			n++;
	for (i = 0; i < r->n_points; i++)
		if ((fds[n] = cap_take_fd(r->points[i].cap)) >= 0)
			n++;
	netns_close_later(fds, n);
	free(fds);
	for (i = 0; i < r->n_senders; i++)
		inj_close(r->senders[i].inj);
	for (i = 0; i < r->n_points; i++)
		cap_close(r->points[i].cap);
}

static void run_release(struct run *r)
{
	size_t i;

	for (i = 0; i < r->n_socks; i++)
		if (r->socks[i] >= 0)
			close(r->socks[i]);
	free(r->socks);
	free(r->udp);
	free(r->step_fd);
	free(r->step_real);
	for (i = 0; r->snaps && i < r->n_step_state; i++)
		ref_snap_release(&r->snaps[i]);
	free(r->snaps);
	for (i = 0; r->step_text && i < r->lab->n_steps; i++)
		free(r->step_text[i]);
	free(r->step_text);
	free(r->last_detail);
	for (i = 0; i < r->n_frame_marks; i++)
		free((char *)r->frame_marks[i].text);
	free(r->frame_marks);
	for (i = 0; r->ladder && i < r->n_step_state; i++)
		ladder_step_release(&r->ladder[i]);
	free(r->ladder);
	free(r->point_iface);
	free(r->marks);
	free(r->tl_marks);
	progs_release(&r->progs);
	close_packet_sockets(r);
	free(r->senders);
	free(r->points);
	free(r->point_node);
	free(r->point_name);
	for (i = 0; i < r->n_obs; i++)
		observer_close(&r->obs[i]);
	free(r->obs);
	for (i = 0; r->info && i < r->lab->n_nodes; i++) {
		free(r->info[i].ifnames.v);
		nft_rules_release(&r->info[i].rules);
	}
	free(r->info);
	if (r->epfd >= 0)
		close(r->epfd);
	build_release(&r->b);
	evlog_release(&r->log);
	evlog_release(&r->traces);
	free(r->fate_table);
	for (i = 0; r->mib && i < r->lab->n_nodes; i++) {
		mib_close(r->mib[i]);
		free(r->mib_series[i].v);
	}
	free(r->mib);
	free(r->mib_series);
	free(r->mib_dirty);
	fate_why_free(r->why);
	free(r->golden);
}

/*
 * The lab's user namespace, which its network namespaces and programs belong
 * to. Where the kernel allows none (no root, unprivileged ones off) the lab
 * cannot run here: a skip that says why.
 */
static int lab_userns_open(struct diag *d)
{
	if (!netns_userns_open(d))
		return 0;
	if (d->err == EPERM || d->err == EACCES || d->err == ENOSPC) {
		d->outcome = NFLAB_SKIP;
		diag_prefix(d, "needs root, or unprivileged user namespaces (this kernel refuses "
			       "them: see kernel.unprivileged_userns_clone, user.max_user_namespaces "
			       "and AppArmor's restrict_unprivileged_userns)");
	}
	return -1;
}

struct run *run_open(const struct lab *lab, const struct run_opts *o)
{
	struct run *r = xzalloc(sizeof(*r));
	uint64_t t1;
	char what[256];

	r->lab = lab;
	r->o = o;
	r->epfd = -1;
	r->t0 = now_mono_ns();
	report_init(&r->rep, o->out, o->quiet, o->machine);
	interrupt_doing("setting up %s", lab->path);
	report_lab(&r->rep, lab);
	if (netns_home_open(&r->d) || lab_userns_open(&r->d) || requires_check(lab, &r->d))
		return r;
	r->home_open = true;
	/*
	 * --fate traces what the lab's rules do not, so its stream is not the one
	 * the golden timeline holds: neither compared nor written (fate: true is).
	 */
	if (lab->golden && !(o->fate && !lab->fate) && (r->golden = golden_path(lab->path)) &&
	    !o->update_expected && access(r->golden, R_OK)) {
		free(r->golden); /* no golden file yet: nothing to compare with */
		r->golden = NULL;
	}
	r->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (r->epfd < 0) {
		diag_errno(&r->d, "epoll_create1");
		return r;
	}
	if (build_nodes(&r->b, lab, &r->d))
		return r;
	if (!o->build_only) /* a shell runs no check: nothing to observe */
		captures_start(r);
	/* Both: the rings are waited for before a failed build is released. */
	if (build_rest(&r->b, &r->d) | rings_wait(r))
		return r;
	snprintf(what, sizeof(what),
		 "%zu node%s, %zu link%s, %zu address%s, %zu route%s, %zu ruleset%s", lab->n_nodes,
		 PLURAL(lab->n_nodes), lab->n_links, PLURAL(lab->n_links), r->b.n_addrs,
		 r->b.n_addrs == 1 ? "" : "es", r->b.n_routes, PLURAL(r->b.n_routes),
		 r->b.n_rulesets, PLURAL(r->b.n_rulesets));
	if (r->b.n_rules) /* policy routing rules, said only when a lab has them */
		snprintf(what + strlen(what), sizeof(what) - strlen(what), ", %zu rule%s",
			 r->b.n_rules, PLURAL(r->b.n_rules));
	report_setup(&r->rep, what, ms_since(r->t0));
	t1 = now_mono_ns();
	if (!o->build_only) {
		if (rings_bind(r) || open_observers(r))
			return r;
		snprintf(what, sizeof(what), "%zu capture point%s", r->n_points,
			 PLURAL(r->n_points));
		report_setup(&r->rep, what, ms_since(t1));
	}
	steps_grow(r);
	r->window_seq = r->log.n;
	r->window_mono = r->start_mono = now_mono_ns();
	r->window_real = r->start_real = now_real_ns();
	return r;
}

int run_close(struct run *r, size_t failed, bool ok)
{
	const struct run_opts *o = r->o;
	int outcome;

	failed += r->late_failed;
	outcome = ok ? (failed ? NFLAB_FAIL : NFLAB_PASS) : NFLAB_ERROR;
	/* Nothing was checked: not a pass. */
	if (outcome == NFLAB_PASS && r->n_skipped && r->n_skipped == r->n_checks)
		diag_skip(&r->d, "every check was skipped: %s", r->skip_why);

	if ((o->timeline || o->events_path) && r->start_real)
		report_events(r, o->timeline ? r->rep.f : NULL, o->events_path);
	if (o->artifacts_dir && r->start_real && outcome != NFLAB_PASS && outcome != NFLAB_SKIP)
		write_artifacts(r);
	if (o->ladder_path) /* even when setup failed: the picture says why */
		write_ladder(r);
	if (r->d.set) {
		outcome = r->d.outcome;
		report_diag(&r->rep, &r->d);
	}
	run_release(r);
	if (r->home_open)
		netns_home_close();
	report_result(&r->rep, r->lab, outcome, failed, r->lab->n_steps, r->n_skipped, r->skip_why,
		      ms_since(r->t0));
	free(r->skip_why);
	free(r);
	return outcome;
}

int run_write_pcaps(struct run *r)
{
	if (!r->o->pcap_dir)
		return 0;
	return write_pcaps(r, r->o->pcap_dir, false, r->o->pcap_merge, r->o->pcap_classic) ||
	       progs_keep(r, r->o->pcap_dir);
}

/* True when --pause-at or --break names step i. */
static bool pause_here(const struct run_opts *o, const struct lab_step *st, size_t i)
{
	return o->pause_at == i + 1 || (o->break_at && st->name && !strcmp(st->name, o->break_at));
}

int run_pause_check(const struct lab *lab, const struct run_opts *o, struct diag *d)
{
	size_t i;

	if (o->pause_at > lab->n_steps)
		return diag_set(d, "--pause-at %zu: lab %s has %zu step%s", o->pause_at, lab->name,
				lab->n_steps, lab->n_steps == 1 ? "" : "s");
	if (!o->break_at)
		return 0;
	for (i = 0; i < lab->n_steps; i++)
		if (pause_here(o, &lab->steps[i], i))
			return 0;
	return diag_set(d, "--break \"%s\": no step of lab %s has that name (name: in the step)",
			o->break_at, lab->name);
}

int run_lab(const struct lab *lab, const struct run_opts *o)
{
	struct run *r = run_open(lab, o);
	bool ok = !r->d.set;
	size_t failed = 0, i;

	for (i = 0; ok && i < lab->n_steps; i++) {
		if (pause_here(o, &lab->steps[i], i) && run_pause_before(r, i))
			ok = false;
		else
			ok = run_step(r, i, &failed) >= 0;
	}
	ok = ok && !run_finish(r);
	ok = ok && !(r->golden && check_golden(r, &failed));
	/* Also after a failure or an error: that is when the capture is most wanted. */
	if (r->start_real && run_write_pcaps(r))
		ok = false;
	if (o->pause_on_fail && (!ok || failed || r->late_failed))
		run_pause(r);
	return run_close(r, failed, ok);
}
