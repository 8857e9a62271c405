// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The close step: close: STEP closes the connection of an earlier tcp step,
 * whose FIN starts the close handshake. Its parsing (parse_close()) is in
 * src/lab/lab.c and its closing (run_step_close()) in src/run/run.c.
 */
#include "lab/parse.h"
#include "run/run_priv.h"
#include "step/step.h"

static int run(struct run *r, const struct lab_step *st, char *text, size_t len, char **detail)
{
	(void)detail;
	return run_step_close(r, st, text, len);
}

/* The FIN leaves from the node of the tcp step that connected. */
static long sender(const struct lab *lab, const struct lab_step *st, long *iface)
{
	(void)iface;
	return (long)lab->steps[st->close].probe.node;
}

const struct step_ops step_close = {
	.key = "close",
	.kind = STEP_CLOSE,
	.parse = parse_close,
	.run = run,
	.sender = sender,
};
