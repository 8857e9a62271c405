// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The send step: send: {from | at, ip, tcp, udp, icmp, payload, count, rate ...}
 * crafts packets and sends them at L3 from a node or at L2 from an interface.
 * Its parsing (parse_send()) is in src/lab/send.c and its sending
 * (run_step_send()) in src/run/run.c.
 */
#include <stdlib.h>

#include "lab/parse.h"
#include "run/run_priv.h"
#include "step/step.h"

static int run(struct run *r, const struct lab_step *st, char *text, size_t len, char **detail)
{
	(void)detail;
	return run_step_send(r, st, text, len);
}

static void release(struct lab_step *st)
{
	free(st->send.payload);
	free(st->send.quote_bytes);
	pred_list_free(st->send.quote_preds, st->send.n_quote_preds);
}

static long sender(const struct lab *lab, const struct lab_step *st, long *iface)
{
	(void)lab;
	if (st->send.l2)
		*iface = (long)st->send.iface;
	return (long)st->send.node;
}

/* A few packets sent at once: the kernel handles them within the sending call. */
static bool kernel_only(const struct lab_step *st)
{
	return st->send.count <= 10 && !st->send.rate;
}

const struct step_ops step_send = {
	.key = "send",
	.kind = STEP_SEND,
	.parse = parse_send,
	.run = run,
	.release = release,
	.sender = sender,
	.kernel_only = kernel_only,
};
