// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The udp probe: udp: {from, to, port, payload ...} sends one datagram from a
 * node's socket. Its parsing (parse_probe(), shared by tcp and ping) is in
 * src/lab/lab.c and its sending (run_step_udp()) in src/run/run.c.
 */
#include <stdlib.h>

#include "lab/parse.h"
#include "run/run_priv.h"
#include "step/step.h"

static int run(struct run *r, const struct lab_step *st, char *text, size_t len, char **detail)
{
	(void)detail;
	return run_step_udp(r, st, text, len);
}

void step_probe_release(struct lab_step *st)
{
	free(st->probe.payload);
	free(st->probe.segments);
}

long step_probe_sender(const struct lab *lab, const struct lab_step *st, long *iface)
{
	(void)lab;
	(void)iface;
	return (long)st->probe.node;
}

/* A datagram: the kernel hands it through every namespace within the sending call. */
static bool kernel_only(const struct lab_step *st)
{
	(void)st;
	return true;
}

const struct step_ops step_udp = {
	.key = "udp",
	.kind = STEP_UDP,
	.parse = parse_probe,
	.run = run,
	.release = step_probe_release,
	.sender = step_probe_sender,
	.kernel_only = kernel_only,
};
