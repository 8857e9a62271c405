// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The expect step: a check of what a node's observers saw (packets, conntrack
 * events and table, NFLOG, trace, counters, fates). Its parsing
 * (parse_expect()) is in src/lab/lab.c, its waiting and deciding
 * (run_step_expect()) in src/run/run.c, its matching in src/expect/.
 */
#include <stdlib.h>

#include "expect/expect.h"
#include "lab/parse.h"
#include "observe/pktfilter.h"
#include "run/run_priv.h"
#include "step/step.h"

static int run(struct run *r, const struct lab_step *st, char *text, size_t len, char **detail)
{
	(void)text;
	(void)len;
	return run_step_expect(r, st, detail);
}

static void describe(const struct lab *lab, const struct lab_step *st, char *buf, size_t len)
{
	expect_describe(lab, &st->expect, buf, len);
}

static void release(struct lab_step *st)
{
	pred_list_free(st->expect.preds, st->expect.n_preds);
	free(st->expect.pred_locs);
	pktfilter_free(st->expect.filter);
	free(st->expect.id);
}

const struct step_ops step_expect = {
	.key = "expect",
	.kind = STEP_EXPECT,
	.parse = parse_expect,
	.run = run,
	.describe = describe,
	.release = release,
};
