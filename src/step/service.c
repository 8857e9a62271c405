// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The service step: service: {node, cmd, ready, within, grace, env} starts a
 * program in a node in the background and waits until it is ready. Its parsing
 * (parse_service()) is in src/lab/progstep.c and its starting
 * (run_step_service()) in src/run/progrun.c.
 */
#include "lab/parse.h"
#include "run/run_priv.h"
#include "step/step.h"

static int run(struct run *r, const struct lab_step *st, char *text, size_t len, char **detail)
{
	return step_prog_done(r, st->prog.node, run_step_service(r, st, text, len, detail));
}

const struct step_ops step_service = {
	.key = "service",
	.kind = STEP_SERVICE,
	.parse = parse_service,
	.run = run,
	.release = step_prog_release,
	.sender = step_prog_sender,
	.estimate_ns = step_prog_estimate_ns,
};
