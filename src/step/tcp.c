// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The tcp probe: tcp: {from, to, port, expect, payload, background ...}
 * connects from a node's socket and says how the connect ended. Its parsing
 * (parse_probe()) is in src/lab/lab.c and its connecting (run_step_tcp()) in
 * src/run/run.c. Not kernel-only: retransmissions and delayed ACKs are timers.
 */
#include "lab/parse.h"
#include "run/run_priv.h"
#include "step/step.h"

static int run(struct run *r, const struct lab_step *st, char *text, size_t len, char **detail)
{
	(void)detail;
	return run_step_tcp(r, st, text, len);
}

const struct step_ops step_tcp = {
	.key = "tcp",
	.kind = STEP_TCP,
	.parse = parse_probe,
	.run = run,
	.release = step_probe_release,
	.sender = step_probe_sender,
};
