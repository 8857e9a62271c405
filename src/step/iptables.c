// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The iptables and ip6tables steps: iptables: {node: NODE, rules: TEXT,
 * flush: BOOL} feeds iptables-restore text (ip6tables-restore for ip6tables)
 * to the node's iptables backend (its iptables-backend key: nft or legacy)
 * mid-lab. The tables the text names keep their other rules
 * (--noflush) unless flush is true. iptables-restore's error comes back at the
 * lab line of the rejected line, as for a node's initial iptables text. The
 * NFLOG groups the text logs to are observed from the lab's start.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "lab/parse.h"
#include "rules/rulecheck.h"
#include "rules/ruleset.h"
#include "run/run_priv.h"
#include "step/step.h"
#include "util/xalloc.h"

struct ipt_step {
	size_t node;
	char *text;
	struct srcloc loc; /* the text's first line */
	unsigned int lines;
	bool flush;
};

static const char *const keys[] = {"node", "rules", "flush", NULL};

static int family_of(const struct lab_step *st)
{
	return st->ext.ops == &step_ip6tables ? AF_INET6 : AF_INET;
}

static int parse(struct parser *p, struct lab_step *st, yaml_node_t *v)
{
	const char *kind = st->ext.ops->key;
	struct ydoc *y = &p->y;
	struct ipt_step *s = xcalloc(1, sizeof(*s));
	char what[96];
	yaml_node_t *rules, *flush;
	const char *text, *c;

	st->ext.priv = s;
	snprintf(what, sizeof(what), "an %s step ({node: NODE, rules: TEXT, flush: BOOL})", kind);
	if (yexpect_map(y, v, what, p->d))
		return -1;
	snprintf(what, sizeof(what), "%s step", kind);
	if (ymap_check(y, v, what, keys, p->d) || step_node(p, v, "node", &s->node))
		return -1;
	if (!(rules = ymap_get(y, v, "rules")))
		return fail_at(p, v, "missing \"rules\" (%s-restore text)", kind);
	snprintf(what, sizeof(what), "%s-restore text (use a \"|\" block)", kind);
	if (ystr(y, rules, what, &text, p->d))
		return -1;
	if ((flush = ymap_get(y, v, "flush")) &&
	    ybool(y, flush, "true or false (flush the tables the text names)", &s->flush, p->d))
		return -1;
	s->text = xstrdup(text);
	s->loc = yscalar_content_loc(y, rules);
	for (c = text, s->lines = 1; (c = strchr(c, '\n')) && c[1]; c++)
		s->lines++;
	if (rulecheck_ipt(text, &s->loc, p->d))
		return -1;
	/* Its NFLOG groups are observed from the lab's start, as an nft step's. */
	lab_node_step_rules(&p->lab->nodes[s->node], text);
	return 0;
}

static int run(struct run *r, const struct lab_step *st, char **detail)
{
	const struct ipt_step *s = st->ext.priv;

	(void)detail;
	if (ruleset_ipt_restore(r->b.nodes[s->node].nsfd, family_of(st),
				r->lab->nodes[s->node].ipt_backend, s->text, s->flush, &s->loc,
				&r->d) ||
	    run_rules_refresh(r, s->node))
		return -1;
	return NFLAB_PASS;
}

static void describe(const struct lab *lab, const struct lab_step *st, char *buf, size_t len)
{
	const struct ipt_step *s = st->ext.priv;

	snprintf(buf, len, "%s rules %s in %s (%u line%s)", st->ext.ops->key,
		 s->flush ? "restored" : "added", lab->nodes[s->node].name, s->lines,
		 s->lines == 1 ? "" : "s");
}

static void release(void *priv)
{
	struct ipt_step *s = priv;

	if (s)
		free(s->text);
	free(s);
}

const struct step_ops step_iptables = {"iptables", parse, run, describe, release, NULL};
const struct step_ops step_ip6tables = {"ip6tables", parse, run, describe, release, NULL};
