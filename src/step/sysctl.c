// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The sysctl step: sysctl: {node: NODE, set: {KEY: VALUE, ...}} writes net.*
 * sysctls of the node mid-lab, in the order written, as a node's sysctl key
 * does at its start.
 */
#include <stdio.h>
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

static int run(struct run *r, const struct lab_step *st, char *line, size_t len, char **detail)
{
	const struct sysctl_step *s = st->ext.priv;
	char *text = NULL;
	size_t size = 0, i;
	bool absent;
	FILE *f = open_memstream(&text, &size);

	(void)line;
	(void)len;
	for (i = 0; i < s->n; i++) {
		if (sysctl_set_optional(r->b.nodes[s->node].nsfd, s->v[i].key, s->v[i].value,
					s->v[i].optional, &absent, &r->d)) {
			diag_locate(&r->d, &s->v[i].loc);
			fclose(f);
			free(text);
			return -1;
		}
		/* Said under the step's line: the lab ran without it. */
		if (absent)
			fprintf(f, "%s:%d: %s: not in this kernel, left out\n", s->v[i].loc.file,
				s->v[i].loc.line, s->v[i].key);
	}
	fclose(f);
	if (size)
		*detail = run_indent(text);
	free(text);
	return NFLAB_PASS;
}

static void describe(const struct lab *lab, const struct lab_step *st, char *buf, size_t len)
{
	const struct sysctl_step *s = st->ext.priv;
	size_t i, n;

	n = (size_t)snprintf(buf, len, "sysctl %s:", lab->nodes[s->node].name);
	for (i = 0; i < s->n && n < len; i++)
		n += (size_t)snprintf(buf + n, len - n, " %s%s=%s", s->v[i].key,
				      s->v[i].optional ? "?" : "", s->v[i].value);
}

static void release(struct lab_step *st)
{
	struct sysctl_step *s = st->ext.priv;
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

const struct step_ops step_sysctl = {
	.key = "sysctl",
	.kind = STEP_EXT,
	.parse = parse,
	.run = run,
	.describe = describe,
	.release = release,
};
