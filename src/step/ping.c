// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The ping probe: ping: {from, to, src, count, id, outcome, timeout, size, df,
 * ttl, tos, interval} sends ICMP echo requests from a node and waits for their
 * replies (parsed in probe.c).
 */
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "probe/probe.h"
#include "run/run_priv.h"
#include "step/step.h"
#include "util/clock.h"

struct ping_wait {
	const struct step_probe *p;
	unsigned int replies;
};

/* Waiting for "no reply" ends at the first reply (a failure) or the deadline. */
static bool ping_decided(const struct ping_wait *w)
{
	return w->p->outcome == PING_NO_REPLY ? w->replies > 0 : w->replies >= w->p->count;
}

static int ping_done(int fd, void *arg)
{
	struct ping_wait *w = arg;

	w->replies += (unsigned int)probe_ping_replies(fd, w->p);
	return ping_decided(w);
}

/* Between two requests (interval): replies are counted, the wait goes on. */
static int ping_between(int fd, void *arg)
{
	ping_done(fd, arg);
	return 0;
}

static int run(struct run *r, const struct lab_step *st, char *text, size_t len, char **detail)
{
	struct step_probe p = st->probe;
	struct ping_wait w = {&p, 0};
	char to[IPADDR_STRLEN], opts[96];
	unsigned int i, unsent = 0;
	int fd, rc;

	(void)detail;
	if (!p.echo_id)
		p.echo_id = (uint16_t)(getpid() ^ (st - r->lab->steps));
	if (run_window_open(r))
		return -1;
	fd = probe_ping_open(r->b.nodes[p.node].nsfd, &p, &r->d);
	if (fd < 0)
		return -1;
	run_keep_socket(r, fd);
	for (i = 0; i < p.count; i++) {
		if (i && p.interval_ns &&
		    run_wait_fd(r, fd, EPOLLIN, now_mono_ns() + p.interval_ns, ping_between, &w) <
			    0)
			return -1;
		rc = probe_ping_send(fd, &p, (uint16_t)(i + 1), &r->d);
		if (rc < 0)
			return -1;
		unsent += (unsigned int)rc;
	}
	probe_opts_fmt(&p, opts, sizeof(opts));
	snprintf(text, len, "ping %s -> %s%s: %u request%s", r->lab->nodes[p.node].name,
		 ipaddr_fmt(&p.dst, to), opts, p.count, p.count == 1 ? "" : "s");
	if (unsent) {
		i = (unsigned int)strlen(text);
		snprintf(text + i, len - i, ", %u not sent (larger than the path MTU, df)", unsent);
	}
	if (p.outcome == PING_ANY)
		return NFLAB_PASS;
	if (!ping_decided(&w) &&
	    run_wait_fd(r, fd, EPOLLIN, now_mono_ns() + p.timeout_ns, ping_done, &w) < 0)
		return -1;
	i = (unsigned int)strlen(text);
	snprintf(text + i, len - i, ", %u repl%s", w.replies, w.replies == 1 ? "y" : "ies");
	if ((p.outcome == PING_REPLY && w.replies < p.count) ||
	    (p.outcome == PING_NO_REPLY && w.replies > 0)) {
		i = (unsigned int)strlen(text);
		snprintf(text + i, len - i, "\n%s%s:%d: expected %s", DETAIL_INDENT, st->loc.file,
			 st->loc.line,
			 p.outcome == PING_REPLY ? "a reply to every request" : "no reply");
		return NFLAB_FAIL;
	}
	return NFLAB_PASS;
}

/* A few requests sent at once: the kernel handles them within the sending call. */
static bool kernel_only(const struct lab_step *st)
{
	return st->probe.count <= 10 && !st->probe.interval_ns;
}

static unsigned int frames(const struct lab_step *st)
{
	return st->probe.count * step_fragments(st->probe.size);
}

const struct step_ops step_ping = {
	.key = "ping",
	.kind = STEP_PING,
	.parse = step_probe_parse,
	.run = run,
	.release = step_probe_release,
	.sender = step_probe_sender,
	.kernel_only = kernel_only,
	.frames = frames,
};
