// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The listen step: listen: {node, tcp|udp: PORT, accept} opens a socket in a
 * node until the lab ends. Its parsing (parse_listen()) is in src/lab/lab.c and
 * its opening (run_step_listen()) in src/run/run.c. It sends nothing itself.
 */
#include "lab/parse.h"
#include "run/run_priv.h"
#include "step/step.h"

static int run(struct run *r, const struct lab_step *st, char *text, size_t len, char **detail)
{
	(void)detail;
	return run_step_listen(r, st, text, len);
}

const struct step_ops step_listen = {
	.key = "listen",
	.kind = STEP_LISTEN,
	.parse = parse_listen,
	.run = run,
};
