// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The tcp probe: tcp: {from, to: ADDR:PORT, src, sport, outcome, timeout,
 * payload, ttl, tos, df, background} connects from a node's socket, says how
 * the connect ended and sends the payload once connected (parsed in probe.c).
 * Not kernel-only: retransmissions and delayed ACKs are timers.
 */
#include <stdio.h>
#include <sys/epoll.h>

#include "probe/probe.h"
#include "run/run_priv.h"
#include "step/step.h"
#include "util/clock.h"

static int run(struct run *r, const struct lab_step *st, char *text, size_t len, char **detail)
{
	const struct step_probe *p = &st->probe;
	char to[IPADDR_STRLEN + 8], opts[96];
	enum tcp_outcome got;
	int fd, ready;

	(void)detail;
	if (run_window_open(r))
		return -1;
	fd = probe_tcp_start(r->b.nodes[p->node].nsfd, p, &r->d);
	if (fd < 0)
		return -1;
	run_keep_socket(r, fd);
	r->step_fd[st - r->lab->steps] = fd;
	probe_opts_fmt(p, opts, sizeof(opts));
	if (p->background) {
		struct epoll_event ev = {.events = EPOLLOUT,
					 .data.u64 = TAG_BGTCP + (uint64_t)(st - r->lab->steps)};

		/* The run's loop sees the connect end, whatever step is running then. */
		if (epoll_ctl(r->epfd, EPOLL_CTL_ADD, fd, &ev))
			return diag_errno(&r->d, "epoll_ctl");
		snprintf(text, len, "tcp %s -> %s%s: connecting in the background",
			 r->lab->nodes[p->node].name,
			 step_addr_port(&p->dst, p->dport, to, sizeof(to)), opts);
		return NFLAB_PASS;
	}
	ready = run_wait_fd(r, fd, EPOLLOUT, now_mono_ns() + p->timeout_ns, NULL, NULL);
	if (ready < 0)
		return -1;
	got = probe_tcp_outcome(fd, !ready);
	snprintf(text, len, "tcp %s -> %s%s: %s", r->lab->nodes[p->node].name,
		 step_addr_port(&p->dst, p->dport, to, sizeof(to)), opts,
		 probe_tcp_outcome_name(got));
	if (got == TCP_CONNECTED && p->payload_len && run_tcp_payload(r, fd, p))
		return -1;
	if (p->outcome != TCP_ANY && (int)got != p->outcome) {
		size_t n = strlen(text);

		snprintf(text + n, len - n, "\n%s%s:%d: expected %s, got %s", DETAIL_INDENT,
			 st->loc.file, st->loc.line, probe_tcp_outcome_name(p->outcome),
			 probe_tcp_outcome_name(got));
		return NFLAB_FAIL;
	}
	return NFLAB_PASS;
}

/*
 * A connect that a reset or an ICMP error ends, that nothing answers, or that
 * completes with no data: the SYN, its answer and the handshake's last ACK
 * cross every namespace within the sending calls, as a datagram does (a SYN
 * retransmitted by a connect still waiting comes from a timer, 1 s on, beyond
 * any quiet interval). Not one that sends data (delayed ACKs and
 * retransmissions of data are timers), nor one left to go on in the background
 * while later steps run.
 */
static bool kernel_only(const struct lab_step *st)
{
	const struct step_probe *p = &st->probe;

	return !p->background && !p->payload_len &&
	       (p->outcome == TCP_REFUSED || p->outcome == TCP_UNREACHABLE ||
		p->outcome == TCP_TIMEOUT || p->outcome == TCP_CONNECTED);
}

/* Sent: the SYN, sent again when its answer waits a second, and the handshake's ACK. */
static unsigned int frames(const struct lab_step *st)
{
	(void)st;
	return 3;
}

/* The SYN's first retransmission: Linux's initial RTO (TCP_TIMEOUT_INIT). */
#define SYN_RTO_NS 1000000000ull

/*
 * The quiet interval of the checks after it (above); a timeout is waited out;
 * and an ICMPv6 error for the first SYN, which on veths arrives while connect()
 * holds the socket, only ends the connect with the retransmitted SYN's error
 * (labs/basics/tcp-outcomes.yaml).
 */
static uint64_t estimate_ns(const struct lab_step *st)
{
	const struct step_probe *p = &st->probe;
	uint64_t wait = 0;

	if (p->background)
		return 0;
	if (p->outcome == TCP_TIMEOUT)
		wait = p->timeout_ns;
	else if (p->outcome == TCP_UNREACHABLE && p->dst.family == AF_INET6)
		wait = p->timeout_ns < SYN_RTO_NS ? p->timeout_ns : SYN_RTO_NS;
	return (kernel_only(st) ? LAB_KERNEL_QUIET_NS : LAB_DEFAULT_QUIET_NS) + wait;
}

const struct step_ops step_tcp = {
	.key = "tcp",
	.kind = STEP_TCP,
	.parse = step_probe_parse,
	.run = run,
	.release = step_probe_release,
	.sender = step_probe_sender,
	.kernel_only = kernel_only,
	.frames = frames,
	.estimate_ns = estimate_ns,
};
