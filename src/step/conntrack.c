// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The conntrack step: conntrack: {node: NODE, flush: true} empties the node's
 * conntrack table; conntrack: {node: NODE, delete: {match: {FIELD: VALUE}}}
 * deletes the entries a conntrack-table check with that match would find (the
 * stale-entry fix of conntrack -D). A delete that finds no entry fails: it
 * could not have done what the lab relies on.
 */
#include <stdbool.h>
#include <stdlib.h>

#include "expect/field.h"
#include "lab/parse.h"
#include "observe/ctev.h"
#include "observe/event.h"
#include "run/run_priv.h"
#include "step/step.h"
#include "util/xalloc.h"

struct ct_step {
	size_t node;
	bool flush;
	struct pred *preds; /* delete: what an entry matches */
	size_t n_preds;
	size_t deleted; /* when run: entries deleted (for the report) */
};

static const char *const keys[] = {"node", "flush", "delete", NULL};
static const char *const delete_keys[] = {"match", NULL};

static int parse(struct parser *p, struct lab_step *st, yaml_node_t *v)
{
	struct ydoc *y = &p->y;
	struct ct_step *s = xcalloc(1, sizeof(*s));
	yaml_node_t *fl, *del, *m;

	st->ext.priv = s;
	if (yexpect_map(y, v,
			"a conntrack step ({node: NODE, flush: true} or {node: NODE, "
			"delete: {match: {...}}})",
			p->d) ||
	    ymap_check(y, v, "conntrack step", keys, p->d) || step_node(p, v, "node", &s->node))
		return -1;
	fl = ymap_get(y, v, "flush");
	del = ymap_get(y, v, "delete");
	if (!fl == !del)
		return fail_at(p, v, "a conntrack step needs exactly one of flush: true, delete");
	if (fl) {
		if (ybool(y, fl, "true (flush: true)", &s->flush, p->d))
			return -1;
		if (!s->flush)
			return fail_at(p, fl, "flush: false does nothing; write flush: true");
		return 0;
	}
	if (yexpect_map(y, del, "{match: {FIELD: VALUE}}", p->d) ||
	    ymap_check(y, del, "conntrack delete", delete_keys, p->d))
		return -1;
	if (!(m = ymap_get(y, del, "match")))
		return fail_at(p, del, "missing \"match\" (the entries to delete)");
	if (parse_match(p, m, SRC_CT_TABLE, &s->preds, &s->n_preds))
		return -1;
	if (!s->n_preds)
		return fail_at(p, m, "an empty match deletes every entry; write flush: true");
	return 0;
}

static bool matches(const struct ct_step *s, const struct event *ev)
{
	size_t i;

	for (i = 0; i < s->n_preds; i++)
		if (!pred_match(&s->preds[i], event_record(ev)))
			return false;
	return true;
}

static int run(struct run *r, const struct lab_step *st, char *text, size_t len, char **detail)
{
	struct ct_step *s = st->ext.priv;
	int nsfd = r->b.nodes[s->node].nsfd;
	struct evlog dump = EVLOG_INIT;
	size_t i;
	int rc = NFLAB_PASS;

	(void)text;
	(void)len;
	if (s->flush)
		return ctev_flush(nsfd, &r->d) ? -1 : NFLAB_PASS;
	s->deleted = 0;
	if (ctev_dump(nsfd, s->node, &dump, &r->d))
		return -1;
	for (i = 0; i < dump.n && rc == NFLAB_PASS; i++) {
		if (dump.ev[i].kind != EV_CT || !matches(s, &dump.ev[i]))
			continue;
		if (ctev_delete(nsfd, &dump.ev[i].ct, &r->d))
			rc = -1;
		else
			s->deleted++;
	}
	if (rc == NFLAB_PASS && !s->deleted) {
		char *msg = xasprintf("no conntrack entry of %s matched (%zu in its table), so "
				      "nothing was deleted\n",
				      r->lab->nodes[s->node].name, dump.n);

		*detail = run_indent(msg);
		free(msg);
		rc = NFLAB_FAIL;
	}
	evlog_release(&dump);
	return rc;
}

static void describe(const struct lab *lab, const struct lab_step *st, char *buf, size_t len)
{
	const struct ct_step *s = st->ext.priv;
	size_t i, n;
	char pb[256];

	if (s->flush) {
		snprintf(buf, len, "conntrack table of %s flushed", lab->nodes[s->node].name);
		return;
	}
	n = (size_t)snprintf(buf, len, "conntrack entries of %s deleted where",
			     lab->nodes[s->node].name);
	for (i = 0; i < s->n_preds && n < len; i++)
		n += (size_t)snprintf(buf + n, len - n, "%s %s%s%s", i ? "," : "",
				      s->preds[i].field->name,
				      s->preds[i].op == PRED_EQ ? " == " : " ",
				      pred_fmt(&s->preds[i], pb, sizeof(pb)));
}

static void release(struct lab_step *st)
{
	struct ct_step *s = st->ext.priv;

	if (s)
		pred_list_free(s->preds, s->n_preds);
	free(s);
}

const struct step_ops step_conntrack = {
	.key = "conntrack",
	.kind = STEP_EXT,
	.parse = parse,
	.run = run,
	.describe = describe,
	.release = release,
};
