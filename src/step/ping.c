// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The ping probe: ping: {from, to, count, expect, size, ttl ...} sends ICMP
 * echo requests from a node and waits for their replies. Its parsing
 * (parse_probe()) is in src/lab/lab.c and its sending (run_step_ping()) in
 * src/run/run.c.
 */
#include "lab/parse.h"
#include "run/run_priv.h"
#include "step/step.h"

static int run(struct run *r, const struct lab_step *st, char *text, size_t len, char **detail)
{
	(void)detail;
	return run_step_ping(r, st, text, len);
}

/* A few requests sent at once: the kernel handles them within the sending call. */
static bool kernel_only(const struct lab_step *st)
{
	return st->probe.count <= 10 && !st->probe.interval_ns;
}

const struct step_ops step_ping = {
	.key = "ping",
	.kind = STEP_PING,
	.parse = parse_probe,
	.run = run,
	.release = step_probe_release,
	.sender = step_probe_sender,
	.kernel_only = kernel_only,
};
