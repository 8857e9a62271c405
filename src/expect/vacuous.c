// SPDX-License-Identifier: GPL-2.0-or-later
/* Checks that could never fail: names a node's rulesets lack, observers nothing feeds. */
#include "expect/vacuous.h"

#include <string.h>

#include "observe/counters.h"

#define LIST_MAX 12 /* names listed in a message, then "... (N more)" */

/* True when p holds for one value of field name only: an equality. */
/*
 * A condition naming something with its value given: not a reference, whose
 * value comes from an earlier record (and that check proved it exists).
 */
static bool is_eq(const struct pred *p, const char *name)
{
	return p->op == PRED_EQ && !p->ref && !strcmp(p->field->name, name);
}

static const struct srcloc *pred_loc(const struct step_expect *e, size_t i)
{
	return e->pred_locs ? &e->pred_locs[i] : &e->node_loc;
}

bool vacuous_needs_rulenames(const struct step_expect *e)
{
	size_t i, k;

	if (e->source == SRC_TRACE || e->source == SRC_FATE || e->source == SRC_CT_EXPECT)
		return true;
	for (i = 0; i < e->n_preds; i++)
		for (k = 0; k < pred_n_leaves(&e->preds[i]); k++) {
			const struct pred *p = pred_leaf(&e->preds[i], k);

			if ((e->source == SRC_NFLOG && is_eq(p, "log.prefix")) ||
			    (e->source == SRC_COUNTERS &&
			     (is_eq(p, "counter.comment") || is_eq(p, "set.name") ||
			      is_eq(p, "quota.name"))))
				return true;
		}
	return false;
}

/* The value of a counter's field by name ("counter.chain"), or NULL for other fields. */
static const char *counter_name(const struct counter_rec *c, const char *field)
{
	if (!strcmp(field, "counter.name"))
		return c->kind == COUNTER_NAMED ? c->name : "";
	if (!strcmp(field, "counter.comment"))
		return c->comment;
	if (!strcmp(field, "counter.chain"))
		return c->chain;
	if (!strcmp(field, "counter.table"))
		return c->table;
	return NULL;
}

/* name must be in set, or set the error: "no WHAT "name" in node's nft ruleset (it has: ...)". */
static int need(const struct strset *set, const struct strset *or_set, const char *name,
		const char *what, const char *node, const struct srcloc *loc, struct diag *d);

/*
 * A set or quota a check names must be in the rulesets: a set may be empty
 * for now (its elements come from packets) and still be there.
 */
static int check_sets_quotas(const struct step_expect *e, const char *node,
			     const struct rulenames *rn, bool *named_set, struct diag *d)
{
	size_t i, k;
	int rc = 0;

	for (i = 0; i < e->n_preds && rn && !rc; i++)
		for (k = 0; k < pred_n_leaves(&e->preds[i]) && !rc; k++) {
			const struct pred *p = pred_leaf(&e->preds[i], k);

			if (is_eq(p, "set.name")) {
				rc = need(&rn->sets, NULL, p->v.s, "set or map", node,
					  pred_loc(e, i), d);
				*named_set = true;
			} else if (is_eq(p, "quota.name")) {
				rc = need(&rn->quotas, NULL, p->v.s, "quota", node, pred_loc(e, i),
					  d);
			}
		}
	return rc;
}

static int check_counters(const struct step_expect *e, const char *node, const struct rulenames *rn,
			  const struct evlog *dump, struct diag *d)
{
	bool named_set = false;
	size_t i, j, k;

	if (check_sets_quotas(e, node, rn, &named_set, d))
		return -1;
	if ((!dump || dump->n == 0) && !named_set)
		return diag_at(d, &e->node_loc,
			       "%s's rulesets have no counter (an nft rule counts only with a "
			       "\"counter\" statement), so this check could never fail",
			       node);
	for (i = 0; i < e->n_preds; i++)
		for (k = 0; k < pred_n_leaves(&e->preds[i]); k++) {
			const struct pred *p = pred_leaf(&e->preds[i], k);
			const char *field = p->field->name;
			struct strset have = STRSET_INIT;
			char list[1024];
			int rc = 0;

			/* set.name and quota.name are the ruleset's: check_sets_quotas(). */
			if (p->op != PRED_EQ || p->ref || !dump || !dump->n ||
			    !counter_name(&dump->ev[0].counter, field))
				continue;
			for (j = 0; j < dump->n; j++)
				strset_add(&have, counter_name(&dump->ev[j].counter, field));
			if (strset_has(&have, p->v.s)) {
				strset_release(&have);
				continue;
			}
			strset_fmt(&have, LIST_MAX, list, sizeof(list));
			if (!strcmp(field, "counter.name"))
				rc = diag_at(d, pred_loc(e, i),
					     "no counter \"%s\" in %s's rulesets (%s%s)", p->v.s,
					     node, have.n ? "it has: " : "it has no named counter",
					     list);
			else if (!strcmp(field, "counter.comment") && rn &&
				 strset_has(&rn->comments, p->v.s))
				rc = diag_at(d, pred_loc(e, i),
					     "the rule with comment \"%s\" in %s's rulesets has no "
					     "counter: add a \"counter\" statement to it",
					     p->v.s, node);
			else if (!strcmp(field, "counter.comment"))
				rc = diag_at(
					d, pred_loc(e, i),
					"no counter with comment \"%s\" in %s's rulesets (%s%s)",
					p->v.s, node,
					have.n ? "the comments of its counters: "
					       : "no counter has a comment",
					list);
			else
				rc = diag_at(d, pred_loc(e, i),
					     "no counter in a %s \"%s\" in %s's rulesets (its "
					     "counters are in: %s)",
					     strcmp(field, "counter.chain") ? "table" : "chain",
					     p->v.s, node, list);
			strset_release(&have);
			if (rc)
				return rc;
		}
	return 0;
}

/* name must be in set, or set the error: "no WHAT "name" in node's nft ruleset (it has: ...)". */
static int need(const struct strset *set, const struct strset *or_set, const char *name,
		const char *what, const char *node, const struct srcloc *loc, struct diag *d)
{
	char list[1024];

	if (strset_has(set, name) || (or_set && strset_has(or_set, name)))
		return 0;
	return diag_at(d, loc, "no %s \"%s\" in %s's nft ruleset (%s%s)", what, name, node,
		       set->n ? "it has: " : "it has none",
		       strset_fmt(set, LIST_MAX, list, sizeof(list)));
}

static int check_trace(const struct step_expect *e, const char *node, const struct rulenames *rn,
		       struct diag *d)
{
	size_t i, k;

	if (!rn->nftrace && !rn->fate_trace)
		return diag_at(
			d, &e->node_loc,
			"no rule of %s sets nftrace (nft \"meta nftrace set 1\", or iptables "
			"\"-j TRACE\" with the nft backend), so no trace event could be seen",
			node);
	for (i = 0; i < e->n_preds; i++)
		for (k = 0; k < pred_n_leaves(&e->preds[i]); k++) {
			const struct pred *p = pred_leaf(&e->preds[i], k);
			int rc = 0;

			if (is_eq(p, "trace.table"))
				rc = need(&rn->tables, NULL, p->v.s, "table", node, pred_loc(e, i),
					  d);
			else if (is_eq(p, "trace.chain") || is_eq(p, "trace.target"))
				rc = need(&rn->chains, NULL, p->v.s, "chain", node, pred_loc(e, i),
					  d);
			else if (is_eq(p, "trace.rule"))
				/* The comment, or the handle of a rule without one. */
				rc = need(&rn->comments, &rn->handles, p->v.s, "rule with comment",
					  node, pred_loc(e, i), d);
			if (rc)
				return rc;
		}
	return 0;
}

int vacuous_fate_reason(const struct step_expect *e, bool counted, struct diag *d)
{
	static const char *const by_words[] = {"rule", "policy", "none", "untraced", "kernel"};
	size_t i, k, w;

	for (i = 0; i < e->n_preds; i++)
		for (k = 0; k < pred_n_leaves(&e->preds[i]); k++) {
			const struct pred *p = pred_leaf(&e->preds[i], k);

			if (strcmp(p->field->name, "fate.reason"))
				continue;
			if (!counted)
				return diag_at(d, pred_loc(e, i),
					       "fate.reason comes from the nodes' drop counters, "
					       "which nflab reads only with fate: true or --fate, "
					       "so this condition could never be tested");
			for (w = 0; w < sizeof(by_words) / sizeof(by_words[0]); w++)
				if (p->op == PRED_EQ && p->how == BYTES_WHOLE &&
				    p->v.nbytes == strlen(by_words[w]) &&
				    !memcmp(p->v.s, by_words[w], p->v.nbytes))
					return diag_at(d, pred_loc(e, i),
						       "fate.reason is the kernel's reason in "
						       "words (\"contains:no route\"); what "
						       "decided the fate (%s) is fate.by",
						       by_words[w]);
		}
	return 0;
}

static int check_fate(const struct step_expect *e, const char *node, const struct rulenames *rn,
		      struct diag *d)
{
	size_t i, k;

	if (!rn->nftrace && !rn->fate_trace)
		return diag_at(
			d, &e->node_loc,
			"%s is not traced: nothing sets nftrace (fate: true or --fate trace "
			"every packet, or a rule \"meta nftrace set 1\"), so no packet's fate "
			"could be seen",
			node);
	/* nflab's table traces every packet only with fate: true or --fate. */
	if (vacuous_fate_reason(e, rn->fate_trace, d))
		return -1;
	for (i = 0; i < e->n_preds; i++)
		for (k = 0; k < pred_n_leaves(&e->preds[i]); k++) {
			const struct pred *p = pred_leaf(&e->preds[i], k);
			int rc = 0;

			if (is_eq(p, "fate.table"))
				rc = need(&rn->tables, NULL, p->v.s, "table", node, pred_loc(e, i),
					  d);
			else if (is_eq(p, "fate.chain"))
				rc = need(&rn->chains, NULL, p->v.s, "chain", node, pred_loc(e, i),
					  d);
			else if (is_eq(p, "fate.rule"))
				rc = need(&rn->comments, &rn->handles, p->v.s, "rule with comment",
					  node, pred_loc(e, i), d);
			else if (is_eq(p, "fate.node") && strcmp(p->v.s, node))
				rc = diag_at(d, pred_loc(e, i),
					     "this check reads the fates of %s (fate: %s), so "
					     "fate.node could never be %s",
					     node, node, p->v.s);
			if (rc)
				return rc;
		}
	return 0;
}

static int check_nflog(const struct step_expect *e, const char *node, const struct rulenames *rn,
		       struct diag *d)
{
	char list[1024];
	size_t i, k;

	for (i = 0; i < e->n_preds; i++)
		for (k = 0; k < pred_n_leaves(&e->preds[i]); k++) {
			const struct pred *p = pred_leaf(&e->preds[i], k);

			if (!is_eq(p, "log.prefix") || strset_has(&rn->log_prefixes, p->v.s))
				continue;
			return diag_at(
				d, pred_loc(e, i),
				"no rule of %s logs to an NFLOG group with prefix \"%s\" (%s%s)",
				node, p->v.s,
				rn->log_prefixes.n ? "its prefixes: "
						   : "no NFLOG rule has a prefix",
				strset_fmt(&rn->log_prefixes, LIST_MAX, list, sizeof(list)));
		}
	return 0;
}

/* Expectations come from helpers and ct expectation objects: a node without any has none. */
static int check_ct_expect(const struct step_expect *e, const char *node,
			   const struct rulenames *rn, struct diag *d)
{
	if (rn->ct_expect)
		return 0;
	return diag_at(d, &e->node_loc,
		       "nothing in %s's rulesets makes conntrack expectations (an nft \"ct "
		       "helper\" or \"ct expectation\" object, iptables \"-j CT --helper\"), "
		       "so no expectation could be seen",
		       node);
}

int vacuous_check(const struct step_expect *e, const char *node, const struct rulenames *rn,
		  const struct evlog *dump, struct diag *d)
{
	switch (e->source) {
	case SRC_COUNTERS:
		return check_counters(e, node, rn, dump, d);
	case SRC_TRACE:
		return rn ? check_trace(e, node, rn, d) : 0;
	case SRC_NFLOG:
		return rn ? check_nflog(e, node, rn, d) : 0;
	case SRC_FATE:
		return rn ? check_fate(e, node, rn, d) : 0;
	case SRC_CT_EXPECT:
		return rn ? check_ct_expect(e, node, rn, d) : 0;
	default:
		return 0;
	}
}
