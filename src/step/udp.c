// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The udp probe: udp: {from, to: ADDR:PORT, src, sport, payload, ttl, tos, df}
 * sends one datagram from a node's socket (parsed in probe.c).
 */
#include <stdio.h>

#include "probe/probe.h"
#include "run/run_priv.h"
#include "step/step.h"

static int run(struct run *r, const struct lab_step *st, char *text, size_t len, char **detail)
{
	const struct step_probe *p = &st->probe;
	char to[IPADDR_STRLEN + 8];
	size_t i;
	int fd, fit;
	int n = snprintf(text, len, "udp %s -> %s", r->lab->nodes[p->node].name,
			 step_addr_port(&p->dst, p->dport, to, sizeof(to)));

	if (p->sport && n > 0 && (size_t)n < len)
		n += snprintf(text + n, len - (size_t)n, " sport %u", p->sport);
	if (n > 0 && (size_t)n < len)
		probe_opts_fmt(p, text + n, len - (size_t)n);
	(void)detail;
	if (run_window_open(r))
		return -1;
	/*
	 * UDP sockets of nflab's never share a port (a program's socket could lose
	 * datagrams to them): a port the lab already holds in the node, an earlier
	 * probe's or a listen step's, sends from that socket.
	 */
	for (i = 0; p->sport && i < r->n_udp; i++)
		if (r->udp[i].node == p->node && (fit = probe_udp_fits(r->udp[i].fd, p)))
			return probe_udp_sendto(r->udp[i].fd, p, fit == 2, &r->d) ? -1 : NFLAB_PASS;
	fd = probe_udp_send(r->b.nodes[p->node].nsfd, p, &r->d);
	if (fd < 0)
		return -1;
	run_keep_socket(r, fd);
	run_udp_add(r, p->node, fd);
	return NFLAB_PASS;
}

/* A datagram: the kernel hands it through every namespace within the sending call. */
static bool kernel_only(const struct lab_step *st)
{
	(void)st;
	return true;
}

static unsigned int frames(const struct lab_step *st)
{
	return step_fragments(st->probe.payload_len);
}

const struct step_ops step_udp = {
	.key = "udp",
	.kind = STEP_UDP,
	.parse = step_probe_parse,
	.run = run,
	.release = step_probe_release,
	.sender = step_probe_sender,
	.kernel_only = kernel_only,
	.frames = frames,
};
