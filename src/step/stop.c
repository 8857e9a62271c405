// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The stop step: stop: SERVICE (or {service, expect: {exit, ...}}) stops a
 * service started earlier and checks how it ended. Its parsing (parse_stop())
 * is in src/lab/progstep.c and its stopping (run_step_stop()) in
 * src/run/progrun.c.
 */
#include "lab/parse.h"
#include "run/run_priv.h"
#include "step/step.h"

/* The node of the service stopped. */
static size_t node_of(const struct lab *lab, const struct lab_step *st)
{
	return lab->steps[st->prog.target].prog.node;
}

static int run(struct run *r, const struct lab_step *st, char *text, size_t len, char **detail)
{
	return step_prog_done(r, node_of(r->lab, st), run_step_stop(r, st, text, len, detail));
}

static long sender(const struct lab *lab, const struct lab_step *st, long *iface)
{
	(void)iface;
	return (long)node_of(lab, st);
}

const struct step_ops step_stop = {
	.key = "stop",
	.kind = STEP_STOP,
	.parse = parse_stop,
	.run = run,
	.release = step_prog_release,
	.sender = sender,
};
