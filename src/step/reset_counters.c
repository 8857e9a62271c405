// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The reset-counters step: reset-counters: NODE zeroes every nft rule counter
 * and named counter of the node (iptables-nft rules included; iptables-legacy
 * counters are not reset), so a later counters check counts from there.
 */
#include <errno.h>
#include <stdlib.h>

#include "lab/parse.h"
#include "observe/counters.h"
#include "run/run_priv.h"
#include "step/step.h"
#include "util/xalloc.h"

static int parse(struct parser *p, struct lab_step *st, yaml_node_t *v)
{
	size_t *node = xcalloc(1, sizeof(*node));
	const char *name;
	int i;

	st->ext.priv = node;
	if (ystr(&p->y, v, "a node name (reset-counters: NODE)", &name, p->d))
		return -1;
	if ((i = lab_node_find(p->lab, name)) < 0)
		return fail_at(p, v, "unknown node \"%s\"", name);
	*node = (size_t)i;
	return 0;
}

static int run(struct run *r, const struct lab_step *st, char *text, size_t len, char **detail)
{
	const size_t *node = st->ext.priv;

	(void)text;
	(void)len;
	(void)detail;
	return counters_reset(r->b.nodes[*node].nsfd, &r->d) ? -1 : NFLAB_PASS;
}

static void describe(const struct lab *lab, const struct lab_step *st, char *buf, size_t len)
{
	const size_t *node = st->ext.priv;

	snprintf(buf, len, "nft counters of %s reset", lab->nodes[*node].name);
}

/*
 * Resetting in an empty namespace: refused by kernels before 6.2 (Invalid
 * argument). Any other failure is not the kernel's age: the step then runs,
 * and reports it as the error it is.
 */
static const char *kernel_lacks(int nsfd)
{
	struct diag d = DIAG_INIT;

	return counters_reset(nsfd, &d) && d.err == EINVAL
		       ? "resetting nft rule counters (Linux 6.2)"
		       : NULL;
}

const struct step_ops step_reset_counters = {
	.key = "reset-counters",
	.kind = STEP_EXT,
	.parse = parse,
	.run = run,
	.describe = describe,
	.release = step_priv_free,
	.kernel_lacks = kernel_lacks,
};
