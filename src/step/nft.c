// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The nft step: nft: {node: NODE, ruleset: TEXT}. The text is applied in the
 * node's netns as one atomic transaction (libnftables: all of it or nothing);
 * nft's own error comes back at the lab line of the failing ruleset line, as
 * for a node's initial ruleset. NFLOG groups and nftrace the text uses are
 * known when the lab is read (lab_node_step_rules()), so their observers are
 * open from the start.
 */
#include <stdlib.h>
#include <string.h>

#include "lab/parse.h"
#include "rules/rulecheck.h"
#include "rules/ruleset.h"
#include "run/run_priv.h"
#include "step/step.h"
#include "util/xalloc.h"

struct nft_step {
	size_t node;
	char *text;
	struct srcloc loc; /* the text's first line */
	unsigned int lines;
};

static const char *const keys[] = {"node", "ruleset", NULL};

static int parse(struct parser *p, struct lab_step *st, yaml_node_t *v)
{
	struct ydoc *y = &p->y;
	struct nft_step *s = xcalloc(1, sizeof(*s));
	yaml_node_t *rs;
	const char *text, *c;

	st->ext.priv = s;
	if (yexpect_map(y, v, "an nft step ({node: NODE, ruleset: TEXT})", p->d) ||
	    ymap_check(y, v, "nft step", keys, p->d) || step_node(p, v, "node", &s->node))
		return -1;
	if (!(rs = ymap_get(y, v, "ruleset")))
		return fail_at(p, v, "missing \"ruleset\" (nft text, applied atomically)");
	if (ystr(y, rs, "nft ruleset text", &text, p->d))
		return -1;
	s->text = xstrdup(text);
	s->loc = yscalar_content_loc(y, rs);
	if (rulecheck_nft(text, &s->loc, p->d))
		return -1;
	for (c = text, s->lines = 1; (c = strchr(c, '\n')) && c[1]; c++)
		s->lines++;
	/* What it logs to and traces is observed from the lab's start. */
	lab_node_step_rules(&p->lab->nodes[s->node], text);
	return 0;
}

static int run(struct run *r, const struct lab_step *st, char **detail)
{
	const struct nft_step *s = st->ext.priv;

	(void)detail;
	if (ruleset_nft_apply(r->b.nodes[s->node].nsfd, s->text, &s->loc, &r->d) ||
	    run_rules_refresh(r, s->node))
		return -1;
	return NFLAB_PASS;
}

static void describe(const struct lab *lab, const struct lab_step *st, char *buf, size_t len)
{
	const struct nft_step *s = st->ext.priv;

	snprintf(buf, len, "nft ruleset applied in %s (%u line%s)", lab->nodes[s->node].name,
		 s->lines, s->lines == 1 ? "" : "s");
}

static void release(void *priv)
{
	struct nft_step *s = priv;

	if (s)
		free(s->text);
	free(s);
}

const struct step_ops step_nft = {"nft", parse, run, describe, release, NULL};
