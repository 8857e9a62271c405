// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The wait step: wait: DURATION lets time pass for the kernel's timers (a
 * conntrack entry expiring, an ICMP rate limit refilling). It is never a way to
 * wait for something to happen: checks wait for their events themselves
 * (within). The observers keep being read while it waits.
 */
#include <stdlib.h>

#include "lab/parse.h"
#include "run/run_priv.h"
#include "step/step.h"
#include "util/clock.h"
#include "util/xalloc.h"

#define WAIT_MAX_NS (600ull * 1000000000ull) /* 10 minutes */

static int parse(struct parser *p, struct lab_step *st, yaml_node_t *v)
{
	uint64_t *ns = xcalloc(1, sizeof(*ns));

	st->ext.priv = ns;
	if (yduration(&p->y, v, "a duration (wait: 500ms, wait: 31s)", ns, p->d))
		return -1;
	if (*ns > WAIT_MAX_NS)
		return fail_at(p, v, "a wait of more than 10 minutes: is that a unit mistake?");
	return 0;
}

static int run(struct run *r, const struct lab_step *st, char *text, size_t len, char **detail)
{
	uint64_t deadline = now_mono_ns() + *(const uint64_t *)st->ext.priv;

	(void)text;
	(void)len;
	(void)detail;
	while (now_mono_ns() < deadline)
		if (run_pump(r, deadline) < 0)
			return -1;
	return NFLAB_PASS;
}

static void describe(const struct lab *lab, const struct lab_step *st, char *buf, size_t len)
{
	uint64_t ns = *(const uint64_t *)st->ext.priv;

	(void)lab;
	if (ns >= 1000000000ull)
		snprintf(buf, len, "wait %.3g s", (double)ns / 1e9);
	else
		snprintf(buf, len, "wait %.3g ms", (double)ns / 1e6);
}

static uint64_t estimate_ns(const struct lab_step *st)
{
	return *(const uint64_t *)st->ext.priv;
}

const struct step_ops step_wait = {
	.key = "wait",
	.kind = STEP_EXT,
	.parse = parse,
	.run = run,
	.describe = describe,
	.release = step_priv_free,
	.estimate_ns = estimate_ns,
};
