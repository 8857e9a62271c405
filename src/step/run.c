// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The run step: run: {node, cmd, expect: {exit, stdout, stderr}, within, env}
 * runs a program in a node to its end and checks its exit and output. Its
 * parsing (parse_run()) is in src/lab/progstep.c and its running
 * (run_step_prog()) in src/run/progrun.c.
 */
#include "lab/parse.h"
#include "run/run_priv.h"
#include "step/step.h"

/*
 * After a program step: the program may have loaded rules in its node (nft -f,
 * iptables-restore), and trace events name rules by the comments listed then,
 * so list them again.
 */
int step_prog_done(struct run *r, size_t node, int v)
{
	if (v >= 0 && run_rules_refresh(r, node))
		return -1;
	return v;
}

void step_prog_release(struct lab_step *st)
{
	prog_release(&st->prog);
}

long step_prog_sender(const struct lab *lab, const struct lab_step *st, long *iface)
{
	(void)lab;
	(void)iface;
	return (long)st->prog.node;
}

/* A program's start and end, and the 50 ms of quiet the checks after it keep. */
uint64_t step_prog_estimate_ns(const struct lab_step *st)
{
	(void)st;
	return 2 * LAB_DEFAULT_QUIET_NS;
}

static int run(struct run *r, const struct lab_step *st, char *text, size_t len, char **detail)
{
	return step_prog_done(r, st->prog.node, run_step_prog(r, st, text, len, detail));
}

const struct step_ops step_run = {
	.key = "run",
	.kind = STEP_RUN,
	.parse = parse_run,
	.run = run,
	.release = step_prog_release,
	.sender = step_prog_sender,
	.estimate_ns = step_prog_estimate_ns,
};
