// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The expect step: a check of what a node's observers saw (packets, conntrack
 * events and table, NFLOG, trace, counters, fates). Its parsing is here (with
 * the match and filter parsers other kinds share), its waiting and deciding
 * (run_step_expect()) in src/run/run.c, its matching in src/expect/.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "expect/expect.h"
#include "expect/source.h"
#include "lab/parse.h"
#include "observe/pktfilter.h"
#include "run/run_priv.h"
#include "step/step.h"
#include "util/xalloc.h"

static const char *const expect_keys[] = {
	"at",	    "conntrack", "conntrack-table", "conntrack-expect",
	"nflog",    "trace",	 "counters",	    "fate",
	"dir",	    "match",	 "filter",	    "count",
	"within",   "quiet",	 "since",	    "id",
	"distinct", NULL};

static int parse_count(struct parser *p, yaml_node_t *v, struct step_expect *e)
{
	static const char *what = "a count: N (exactly), \">= N\" (at least) or none";
	const char *s, *num;
	char *end;
	unsigned long n;

	if (ystr(&p->y, v, what, &s, p->d))
		return -1;
	if (!strcmp(s, "none")) {
		e->mode = COUNT_EXACTLY;
		e->count = 0;
		return 0;
	}
	num = s;
	e->mode = COUNT_EXACTLY;
	if (!strncmp(s, ">=", 2)) {
		e->mode = COUNT_AT_LEAST;
		for (num = s + 2; *num == ' '; num++)
			;
	}
	errno = 0;
	n = strtoul(num, &end, 10);
	if (errno || end == num || *end || *num == '-' || n > 1000000)
		return fail_at(p, v, "expected %s, got \"%s\"", what, s);
	e->count = (unsigned int)n;
	return 0;
}

/* True when some rule of node logs to an NFLOG group. */
static bool node_logs(const struct lab_node *n)
{
	uint16_t *groups;
	size_t count = nflog_node_groups(n, &groups);

	free(groups);
	return count > 0;
}

/*
 * Exactly one source key: at (packets), conntrack, conntrack-table, conntrack-expect, nflog,
 * trace, counters, fate.
 */
static int parse_expect_source(struct parser *p, struct step_expect *e, yaml_node_t *m)
{
	yaml_node_t *found = NULL;
	int i, n = 0;

	for (i = 0; i < SRC_COUNT; i++) {
		yaml_node_t *v = ymap_get(&p->y, m, sources[i].key);

		if (v) {
			found = v;
			e->source = (enum expect_source)i;
			n++;
		}
	}
	if (n != 1)
		return fail_at(p, found && n > 1 ? found : m,
			       "expect needs exactly one of \"at\" (packets at node:iface), "
			       "\"conntrack\" (a node's conntrack events), \"conntrack-table\", "
			       "\"conntrack-expect\", \"nflog\", \"trace\", \"counters\" or "
			       "\"fate\" (a node's)");
	e->node_loc = ynode_loc(&p->y, found);
	if (e->source == SRC_CAPTURE)
		return parse_point(p, found, &e->at);
	if (e->source == SRC_FATE && found->type == YAML_SCALAR_NODE &&
	    !strcmp((const char *)found->data.scalar.value, "any") &&
	    lab_node_find(p->lab, "any") < 0) {
		e->node = LAB_ANY_NODE; /* every node's fates ("any" is no node name) */
		return 0;
	}
	if (step_node(p, m, sources[e->source].key, &e->node))
		return -1;
	if (e->source == SRC_NFLOG && !node_logs(&p->lab->nodes[e->node]))
		return fail_at(p, found,
			       "node %s has no rule that logs to an NFLOG group (nft \"log group "
			       "N\", iptables \"-j NFLOG\"), so no record could be seen",
			       p->lab->nodes[e->node].name);
	return 0;
}

/* A list of conditions on f ([80, 443]): any of them holds. */
static int parse_any_of(struct parser *p, const struct field_def *f, yaml_node_t *v,
			struct pred *out)
{
	yaml_node_item_t *it;
	char err[1024];
	const char *s;

	if (yseq_begin(v) == yseq_end(v))
		return fail_at(p, v, "%s: an empty list matches nothing: give at least one value",
			       f->name);
	memset(out, 0, sizeof(*out));
	out->field = f;
	out->op = PRED_ANY;
	out->plen = -1;
	out->alts = xcalloc((size_t)(yseq_end(v) - yseq_begin(v)), sizeof(*out->alts));
	for (it = yseq_begin(v); it < yseq_end(v); it++) {
		yaml_node_t *item = ynode(&p->y, *it);

		if (ystr(&p->y, item, "a value (a list holds values, any of which matches)", &s,
			 p->d))
			return -1;
		if (pred_parse(f, s, &out->alts[out->n_alts], err, sizeof(err)))
			return fail_at(p, item, "%s: %s", f->name, err);
		out->n_alts++;
	}
	return 0;
}

static const char *const ref_keys[] = {"ref", "add", NULL};

/* {ref: ID.field, add: N}: checked against the lab's checks once all are read. */
static int parse_ref(struct parser *p, const struct field_def *f, yaml_node_t *v, struct pred *out)
{
	yaml_node_t *r = ymap_get(&p->y, v, "ref"), *a = ymap_get(&p->y, v, "add");
	const char *s;

	if (ymap_check(&p->y, v, "reference", ref_keys, p->d))
		return -1;
	if (!r)
		return fail_at(p, v,
			       "%s: a mapping here is a reference to an earlier check's record: "
			       "{ref: ID.field} (ID: that check's id), with an optional add: N",
			       f->name);
	if (ystr(&p->y, r, "a reference ID.field (syn.tcp.seq)", &s, p->d))
		return -1;
	memset(out, 0, sizeof(*out));
	out->field = f;
	out->op = PRED_EQ;
	out->plen = -1;
	out->v.kind = f->kind;
	out->ref = xzalloc(sizeof(*out->ref));
	out->ref->text = xstrdup(s);
	if (!strchr(s, '.') || s[0] == '.')
		return fail_at(p, r, "%s: expected a reference ID.field (syn.tcp.seq), got \"%s\"",
			       f->name, s);
	if (a) {
		const char *as;
		char *end;
		long long n;

		if (ystr(&p->y, a, "a number to add (1, -1)", &as, p->d))
			return -1;
		errno = 0;
		n = strtoll(as, &end, 0);
		if (errno || end == as || *end)
			return fail_at(p, a, "add: expected a number (1, -1), got \"%s\"", as);
		if (f->kind != VAL_UINT)
			return fail_at(p, a, "add applies to number fields; %s is not one",
				       f->name);
		out->ref->add = n;
	}
	return 0;
}

static int parse_match_refs(struct parser *p, yaml_node_t *v, enum expect_source src, bool refs,
			    struct pred **preds, size_t *n)
{
	struct ydoc *y = &p->y;
	yaml_node_pair_t *pr;
	yaml_node_t **vals;
	char err[1024];
	const char *s;
	size_t bad;

	if (yexpect_map(y, v, "a mapping of fields to values (ip.src: 192.0.2.1)", p->d))
		return -1;
	*preds = xcalloc((size_t)(ymap_end(v) - ymap_begin(v)) + 1, sizeof(**preds));
	vals = xcalloc((size_t)(ymap_end(v) - ymap_begin(v)) + 1, sizeof(*vals));
	for (pr = ymap_begin(v); pr < ymap_end(v); pr++) {
		yaml_node_t *k = ynode(y, pr->key), *val = ynode(y, pr->value);
		const struct field_def *f;
		const char *fs;
		int rc;

		if (ystr(y, k, "a field name", &fs, p->d))
			goto err;
		f = source_field(src, fs);
		if (!f) {
			fail_at(p, k,
				"unknown field \"%s\" for %s (see docs/lab-format.md for the "
				"list: %s)",
				fs, sources[src].what, sources[src].examples);
			goto err;
		}
		vals[*n] = val;
		if (val->type == YAML_SEQUENCE_NODE) {
			rc = parse_any_of(p, f, val, &(*preds)[*n]);
		} else if (val->type == YAML_MAPPING_NODE && refs) {
			rc = parse_ref(p, f, val, &(*preds)[*n]);
		} else if (val->type == YAML_MAPPING_NODE) {
			rc = fail_at(p, val,
				     "%s: references ({ref: ...}) are for an expect step's match; "
				     "here give a value",
				     fs);
		} else {
			if (ystr(y, val, "a value", &s, p->d))
				goto err;
			rc = pred_parse(f, s, &(*preds)[*n], err, sizeof(err));
			if (rc)
				fail_at(p, val, "%s: %s", fs, err);
		}
		(*n)++; /* counted also on failure: its list and reference are freed */
		if (rc)
			goto err;
	}
	/* Code names are a type's: check them against the type given beside them. */
	if (pred_list_resolve(*preds, *n, &bad, err, sizeof(err))) {
		fail_at(p, vals[bad], "%s: %s", (*preds)[bad].field->name, err);
		goto err;
	}
	free(vals);
	return 0;
err:
	free(vals);
	return -1;
}

int parse_match(struct parser *p, yaml_node_t *v, enum expect_source src, struct pred **preds,
		size_t *n)
{
	return parse_match_refs(p, v, src, false, preds, n);
}

/*
 * Where each of e's conditions is written, for errors found when the lab runs
 * (a name its node's rulesets lack): the value of the match key that is the
 * condition's field (keys are unique, see ydoc_load()).
 */
static void match_locate(struct parser *p, yaml_node_t *match, struct step_expect *e)
{
	yaml_node_pair_t *pr;
	size_t i;

	e->pred_locs = xcalloc(e->n_preds + 1, sizeof(*e->pred_locs));
	for (i = 0; i < e->n_preds; i++) {
		e->pred_locs[i] = ynode_loc(&p->y, match);
		for (pr = ymap_begin(match); pr < ymap_end(match); pr++)
			if (!strcmp(ykey(&p->y, pr), e->preds[i].field->name))
				e->pred_locs[i] = ynode_loc(&p->y, ynode(&p->y, pr->value));
	}
}

/*
 * NFLOG groups are bound when the lab starts, those its node's rules log to:
 * a check on any other group could never see a record.
 */
static int check_log_groups(struct parser *p, const struct step_expect *e)
{
	const struct lab_node *n;
	uint16_t *groups;
	size_t count, i, j, k;
	int rc = 0;

	if (e->source != SRC_NFLOG)
		return 0;
	n = &p->lab->nodes[e->node];
	count = nflog_node_groups(n, &groups);
	for (i = 0; i < e->n_preds && !rc; i++)
		for (k = 0; k < pred_n_leaves(&e->preds[i]) && !rc; k++) {
			const struct pred *pd = pred_leaf(&e->preds[i], k);
			char list[256];
			size_t len = 0;

			if (pd->op != PRED_EQ || strcmp(pd->field->name, "log.group"))
				continue;
			for (j = 0; j < count && groups[j] != pd->v.u; j++)
				;
			if (j < count)
				continue;
			list[0] = '\0';
			for (j = 0; j < count && len < sizeof(list); j++)
				len += (size_t)snprintf(list + len, sizeof(list) - len, "%s%u",
							j ? ", " : "", groups[j]);
			rc = diag_at(p->d, &e->pred_locs[i],
				     "no rule of node %s logs to NFLOG group %llu, so no record "
				     "could match (its rules log to group%s %s)",
				     n->name, (unsigned long long)pd->v.u, count == 1 ? "" : "s",
				     list);
		}
	free(groups);
	return rc;
}

/* The value node n's sysctl key is last set to, or NULL. */
static const struct lab_sysctl *node_sysctl(const struct lab_node *n, const char *key)
{
	size_t i = n->n_sysctls;

	while (i-- > 0)
		if (!strcmp(n->sysctls[i].key, key))
			return &n->sysctls[i];
	return NULL;
}

/*
 * An observer the node's own settings switch off could never report anything,
 * so a check on it could never fail: conntrack events with
 * net.netfilter.nf_conntrack_events 0. (NFLOG without a log rule: see
 * parse_expect_source(); trace without a rule that sets nftrace, and names its
 * rulesets lack, are found when the lab runs, once the rulesets are loaded.)
 */
static int check_observer_on(struct parser *p, const struct step_expect *e, yaml_node_t *at)
{
	const struct lab_node *n = &p->lab->nodes[e->node];
	const struct lab_sysctl *sc;
	char *end, where[600];
	long v;

	if (e->source != SRC_CT_EVENT ||
	    !(sc = node_sysctl(n, "net.netfilter.nf_conntrack_events")))
		return 0;
	errno = 0;
	v = strtol(sc->value, &end, 0);
	if (errno || end == sc->value || *end || v != 0)
		return 0;
	if (!strcmp(sc->loc.file, p->y.file))
		snprintf(where, sizeof(where), "line %d", sc->loc.line);
	else /* a topology's node */
		snprintf(where, sizeof(where), "%s:%d", sc->loc.file, sc->loc.line);
	return fail_at(p, at,
		       "node %s sets net.netfilter.nf_conntrack_events to 0 (%s), so its kernel "
		       "sends no conntrack events and this check could never fail; remove that "
		       "sysctl, or check the table (conntrack-table: %s)",
		       n->name, where, n->name);
}

int filter_budget(struct parser *p, yaml_node_t *v, const char *text)
{
	if (strlen(text) > PKTFILTER_TEXT_MAX)
		return 0; /* too long alone: pktfilter_new() says so */
	p->lab->filter_chars += strlen(text);
	if (p->lab->filter_chars <= PKTFILTER_LAB_MAX)
		return 0;
	return fail_at(p, v,
		       "the lab's filters have more than %d characters together: a lab may "
		       "have at most %d",
		       PKTFILTER_LAB_MAX, PKTFILTER_LAB_MAX);
}

int parse_filter(struct parser *p, yaml_node_t *v, enum expect_source src, struct pktfilter **out)
{
	char err[512];
	const char *text;

	if (src != SRC_CAPTURE)
		return fail_at(p, v, "filter applies to packets (at), not to %s",
			       sources[src].what);
	if (ystr(&p->y, v, "a tcpdump filter expression (\"icmp and src host 192.0.2.1\")", &text,
		 p->d))
		return -1;
	/* Compiled once, now: a bad expression is the lab's error, at its line. */
	if (filter_budget(p, v, text))
		return -1;
	if (!(*out = pktfilter_new(PKTFILTER_ETHERNET, text, err, sizeof(err))))
		return fail_at(p, v, "filter \"%.*s%s\": %s", FILTER_SHOWN(text), err);
	return 0;
}

/* id: a name later checks refer to ({ref: ID.field}); unique among the lab's checks. */
static int parse_expect_id(struct parser *p, struct step_expect *e, yaml_node_t *v)
{
	const struct lab *lab = p->lab;
	const char *s;
	size_t i;

	if (ystr(&p->y, v, "an id (letters, digits, - and _)", &s, p->d))
		return -1;
	if (!lab_name_valid(s, 64) || strchr(s, '.'))
		return fail_at(p, v,
			       "expected an id of letters, digits, '-' and '_' (up to 64, no "
			       "'.': references are ID.field), got \"%s\"",
			       s);
	for (i = 0; i < lab->n_steps; i++)
		if (lab->steps[i].kind == STEP_EXPECT && lab->steps[i].expect.id &&
		    !strcmp(lab->steps[i].expect.id, s))
			return fail_at(p, v, "id \"%s\" is already the id of the check at line %d",
				       s, lab->steps[i].loc.line);
	e->id = xstrdup(s);
	return 0;
}

/* distinct: FIELD: the count counts distinct values of FIELD among the matches. */
static int parse_distinct(struct parser *p, struct step_expect *e, yaml_node_t *v)
{
	const char *s;

	if (ystr(&p->y, v, "a field name (tcp.sport)", &s, p->d))
		return -1;
	e->distinct = source_field(e->source, s);
	if (!e->distinct)
		return fail_at(p, v, "distinct: unknown field \"%s\" for %s (%s)", s,
			       sources[e->source].what, sources[e->source].examples);
	if (e->mode == COUNT_EXACTLY && e->count == 0)
		return fail_at(p, v,
			       "distinct with count: none says nothing more than count: none; "
			       "remove distinct, or give the number of distinct values");
	return 0;
}

static int parse(struct parser *p, struct lab_step *st, yaml_node_t *m)
{
	struct ydoc *y = &p->y;
	static const struct keyword dirs[] = {
		{"in", DIR_IN}, {"out", DIR_OUT}, {"any", DIR_ANY}, {NULL, 0}};
	static const struct keyword sinces[] = {
		{"probe", SINCE_PROBE}, {"start", SINCE_START}, {NULL, 0}};
	struct step_expect *e = &st->expect;
	int kw = DIR_ANY;
	yaml_node_t *v;

	if (yexpect_map(y, m, "an expectation (a mapping with at, match, count ...)", p->d) ||
	    ymap_check(y, m, "expect", expect_keys, p->d))
		return -1;
	if (parse_expect_source(p, e, m) ||
	    (e->source == SRC_CT_EVENT &&
	     check_observer_on(p, e, ymap_get(y, m, sources[e->source].key))))
		return -1;
	if ((v = ymap_get(y, m, "dir"))) {
		if (e->source != SRC_CAPTURE)
			return fail_at(p, v, "dir applies to packets (at), not to %s",
				       sources[e->source].what);
		if (parse_keyword(p, v, dirs, &kw))
			return -1;
		e->dir = (enum pkt_dir)kw;
	}
	if ((v = ymap_get(y, m, "id")) && parse_expect_id(p, e, v))
		return -1;
	if ((v = ymap_get(y, m, "match"))) {
		if (parse_match_refs(p, v, e->source, true, &e->preds, &e->n_preds))
			return -1;
		match_locate(p, v, e);
		if (check_log_groups(p, e))
			return -1;
	}
	if ((v = ymap_get(y, m, "filter")) && parse_filter(p, v, e->source, &e->filter))
		return -1;
	e->mode = COUNT_AT_LEAST;
	e->count = 1;
	if ((v = ymap_get(y, m, "count")) && parse_count(p, v, e))
		return -1;
	if ((v = ymap_get(y, m, "distinct")) && parse_distinct(p, e, v))
		return -1;
	e->within_ns = LAB_DEFAULT_WITHIN_NS;
	if ((v = ymap_get(y, m, "within")) &&
	    yduration(y, v, "a duration (500ms, 2s)", &e->within_ns, p->d))
		return -1;
	if (v && e->within_ns == 0 && e->mode == COUNT_EXACTLY)
		return fail_at(p, v,
			       "count: %s with within: 0 gives the check no time: an exact count "
			       "passes only once the lab is quiet, and within: 0 ends it before "
			       "anything more can arrive, so a late packet could never fail it; "
			       "leave within out (1s) or give the time to wait",
			       e->count ? (const char *)ymap_get(y, m, "count")->data.scalar.value
					: "none");
	e->quiet_ns = p->lab->quiet_ns;
	if ((v = ymap_get(y, m, "quiet")) &&
	    yduration(y, v, "a duration (20ms, 100ms)", &e->quiet_ns, p->d))
		return -1;
	kw = SINCE_PROBE;
	if ((v = ymap_get(y, m, "since")) && parse_keyword(p, v, sinces, &kw))
		return -1;
	e->since = (enum since)kw;
	return 0;
}

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
	.parse = parse,
	.run = run,
	.describe = describe,
	.release = release,
};
