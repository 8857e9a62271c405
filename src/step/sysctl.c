// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The sysctl step: sysctl: {node: NODE, set: {KEY: VALUE, ...}} writes net.*
 * sysctls of the node mid-lab, in the order written, as a node's sysctl key
 * does at its start.
 */
#include <stdlib.h>
#include <string.h>

#include "lab/parse.h"
#include "run/run_priv.h"
#include "step/step.h"
#include "topo/sysctl.h"
#include "util/xalloc.h"

struct sysctl_step {
	size_t node;
	struct lab_sysctl *v;
	size_t n, cap;
};

static const char *const keys[] = {"node", "set", NULL};

static int parse(struct parser *p, struct lab_step *st, yaml_node_t *v)
{
	struct ydoc *y = &p->y;
	struct sysctl_step *s = xcalloc(1, sizeof(*s));
	yaml_node_t *set;

	st->ext.priv = s;
	if (yexpect_map(y, v, "a sysctl step ({node: NODE, set: {KEY: VALUE}})", p->d) ||
	    ymap_check(y, v, "sysctl step", keys, p->d) || step_node(p, v, "node", &s->node))
		return -1;
	if (!(set = ymap_get(y, v, "set")))
		return fail_at(p, v, "missing \"set\" (a mapping of sysctl keys to values)");
	if (parse_sysctls(p, set, &s->v, &s->n, &s->cap))
		return -1;
	return s->n ? 0 : fail_at(p, set, "expected at least one sysctl to set");
}

static int run(struct run *r, const struct lab_step *st, char **detail)
{
	const struct sysctl_step *s = st->ext.priv;
	size_t i;

	(void)detail;
	for (i = 0; i < s->n; i++)
		if (sysctl_set(r->b.nodes[s->node].nsfd, s->v[i].key, s->v[i].value, &r->d)) {
			diag_locate(&r->d, &s->v[i].loc);
			return -1;
		}
	return NFLAB_PASS;
}

static void describe(const struct lab *lab, const struct lab_step *st, char *buf, size_t len)
{
	const struct sysctl_step *s = st->ext.priv;
	size_t i, n;

	n = (size_t)snprintf(buf, len, "sysctl %s:", lab->nodes[s->node].name);
	for (i = 0; i < s->n && n < len; i++)
		n += (size_t)snprintf(buf + n, len - n, " %s=%s", s->v[i].key, s->v[i].value);
}

static void release(void *priv)
{
	struct sysctl_step *s = priv;
	size_t i;

	if (!s)
		return;
	for (i = 0; i < s->n; i++) {
		free(s->v[i].key);
		free(s->v[i].value);
	}
	free(s->v);
	free(s);
}

const struct step_ops step_sysctl = {"sysctl", parse, run, describe, release, NULL};
