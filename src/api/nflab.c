// SPDX-License-Identifier: GPL-2.0-or-later
/* The public C API (include/nflab/nflab.h): labs, runs, futures and events over the run phases. */
#include <nflab/nflab.h>

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "expect/source.h"
#include "run/run_priv.h"
#include "util/xalloc.h"

#define NFLAB_VERSION_STRING "0.1.0"
#define PENDING		     (-1)

struct nflab_lab {
	struct lab *lab;	 /* parsed: at load, or at each start of a built lab */
	struct builder *builder; /* labs built in code */
	char *text;		 /* the lab file text, for nflab_lab_yaml() */
	char *topologies;
	bool running;
};

struct nflab_run {
	struct nflab_lab *owner;
	struct run *r;
	struct run_opts opts;
	FILE *devnull; /* the report, when the caller wants none */
	size_t file_steps;
	size_t failed;
	bool errored;
	struct nflab_future *futures; /* every live future, to detach at the stop */
};

struct nflab_future {
	struct nflab_run *run; /* NULL once the run stopped */
	struct lab_step st;    /* the expectation, owned */
	struct expect_state es;
	const struct nflab_callbacks *cb; /* NULL: decided by st's count */
	struct nflab_callbacks cbs;
	void *arg;
	size_t scanned; /* callbacks: log events already handed over */
	bool started;
	uint64_t deadline;
	int verdict;
	unsigned int matched;
	char *explain;
	struct nflab_future *next;
};

struct nflab_event {
	const struct event *ev;
	enum expect_source src;
	char where[100];
};

static int last_outcome = NFLAB_PASS;

const char *nflab_version(void)
{
	return NFLAB_VERSION_STRING;
}

int nflab_last_outcome(void)
{
	return last_outcome;
}

/* The diag as the nflab command prints it, into *err. */
static void set_err(char **err, const struct diag *d)
{
	char *text = NULL;
	size_t size = 0;
	FILE *f;

	if (!err)
		return;
	f = open_memstream(&text, &size);
	diag_print(d, f);
	fclose(f);
	if (size && text[size - 1] == '\n')
		text[size - 1] = '\0';
	*err = text;
}

static void set_msg(char **err, const char *msg)
{
	if (err)
		*err = xstrdup(msg);
}

/* ---- labs ---- */

static struct nflab_lab *lab_from_text(const char *name, char *text, char **err)
{
	struct nflab_lab *l = xzalloc(sizeof(*l));
	struct diag d = DIAG_INIT;

	l->text = text;
	l->lab = lab_load_buffer(name, text, strlen(text), NULL, &d);
	if (!l->lab) {
		set_err(err, &d);
		free(l->text);
		free(l);
		return NULL;
	}
	return l;
}

struct nflab_lab *nflab_lab_load(const char *path, char **err)
{
	struct diag d = DIAG_INIT;
	size_t len;
	char *text = lab_read_file(path, &len, &d);

	if (!text) {
		set_err(err, &d);
		return NULL;
	}
	/* Named by its path, so its topology is found next to it, as nflab run does. */
	return lab_from_text(path, text, err);
}

struct nflab_lab *nflab_lab_parse(const char *name, const char *yaml, char **err)
{
	return lab_from_text(name ? name : "lab.yaml", xstrdup(yaml), err);
}

struct nflab_lab *nflab_lab_new(const char *name)
{
	struct nflab_lab *l = xzalloc(sizeof(*l));

	l->builder = builder_new(name);
	return l;
}

/* Built labs only, and never while running: the model would not match the run. */
static int builder_of(struct nflab_lab *l, char **err, struct builder **b)
{
	if (!l->builder) {
		set_msg(err, "this lab was loaded from a lab file: edit the file instead");
		return -1;
	}
	if (l->running) {
		set_msg(err, "this lab is running: stop it before changing it");
		return -1;
	}
	*b = l->builder;
	return 0;
}

int nflab_lab_node(struct nflab_lab *lab, const char *node, bool router, char **err)
{
	struct builder *b;

	return builder_of(lab, err, &b) ? -1 : builder_node(b, node, router, err);
}

int nflab_lab_link(struct nflab_lab *lab, const char *a, const char *z, char **err)
{
	struct builder *b;

	return builder_of(lab, err, &b) ? -1 : builder_link(b, a, z, err);
}

int nflab_lab_address(struct nflab_lab *lab, const char *node_iface, const char *cidr, char **err)
{
	struct builder *b;

	return builder_of(lab, err, &b) ? -1 : builder_address(b, node_iface, cidr, err);
}

int nflab_lab_route(struct nflab_lab *lab, const char *node, const char *route, char **err)
{
	struct builder *b;

	return builder_of(lab, err, &b) ? -1 : builder_route(b, node, route, err);
}

int nflab_lab_ruleset(struct nflab_lab *lab, const char *node, const char *kind, const char *text,
		      char **err)
{
	struct builder *b;

	return builder_of(lab, err, &b) ? -1 : builder_ruleset(b, node, kind, text, err);
}

char *nflab_lab_yaml(const struct nflab_lab *lab)
{
	return lab->builder ? builder_yaml(lab->builder) : xstrdup(lab->text ? lab->text : "");
}

void nflab_lab_free(struct nflab_lab *lab)
{
	if (!lab)
		return;
	lab_free(lab->lab);
	builder_free(lab->builder);
	free(lab->text);
	free(lab->topologies);
	free(lab);
}

/* ---- runs ---- */

struct nflab_run *nflab_start(struct nflab_lab *lab, const struct nflab_options *opt, char **err)
{
	struct nflab_run *run;
	struct diag d = DIAG_INIT;

	last_outcome = NFLAB_ERROR;
	if (lab->running) {
		set_msg(err, "this lab is already running");
		return NULL;
	}
	if (lab->builder) { /* checked now, by the lab-file parser, as a file would be */
		char *text = builder_yaml(lab->builder);

		lab_free(lab->lab);
		lab->lab = lab_load_buffer("(lab built in code)", text, strlen(text), NULL, &d);
		free(lab->text);
		lab->text = text;
		if (!lab->lab) {
			set_err(err, &d);
			return NULL;
		}
	}
	run = xzalloc(sizeof(*run));
	run->owner = lab;
	run->opts.out = opt && opt->report ? opt->report : (run->devnull = fopen("/dev/null", "w"));
	run->opts.quiet = opt && opt->quiet;
	run->opts.pcap_dir = opt ? opt->pcap_dir : NULL;
	run->opts.capture_all = true; /* futures may name any interface, at any time */
	run->file_steps = lab->lab->n_steps;
	run->r = run_open(lab->lab, &run->opts);
	if (run->r->d.set) {
		last_outcome = run->r->d.outcome;
		set_err(err, &run->r->d);
		run_close(run->r, 0, false);
		if (run->devnull)
			fclose(run->devnull);
		free(run);
		return NULL;
	}
	lab->running = true;
	last_outcome = NFLAB_PASS;
	return run;
}

/* Runs step i of the run's lab. */
static int run_index(struct nflab_run *run, size_t i, char **err)
{
	int v;

	if (run->errored) {
		set_msg(err, "an earlier step of this run could not run: stop it");
		return NFLAB_ERROR;
	}
	v = run_step(run->r, i, &run->failed);
	if (v < 0) {
		run->errored = true;
		set_err(err, &run->r->d);
		return NFLAB_ERROR;
	}
	if (v == NFLAB_FAIL && err)
		*err = xstrdup(run->r->last_detail ? run->r->last_detail : "the step failed");
	if (v == NFLAB_SKIP && err)
		*err = xstrdup(run->r->skip_now);
	return v;
}

int nflab_step(struct nflab_run *run, const char *yaml, char **err)
{
	struct lab *lab = run->owner->lab;
	struct diag d = DIAG_INIT;

	if (lab_add_step_text(lab, "nflab_step()", yaml, &d)) {
		lab_drop_last_step(lab);
		set_err(err, &d);
		return NFLAB_ERROR;
	}
	return run_index(run, lab->n_steps - 1, err);
}

int nflab_stepf(struct nflab_run *run, char **err, const char *fmt, ...)
{
	va_list ap;
	char *text;
	int rc;

	va_start(ap, fmt);
	if (vasprintf(&text, fmt, ap) < 0)
		abort();
	va_end(ap);
	rc = nflab_step(run, text, err);
	free(text);
	return rc;
}

int nflab_run_steps(struct nflab_run *run, char **err)
{
	int worst = NFLAB_PASS;
	size_t i;

	for (i = 0; i < run->file_steps; i++) {
		char *e = NULL;
		int v = run_index(run, i, err && worst == NFLAB_PASS ? &e : NULL);

		if (e)
			*err = e;
		if (v == NFLAB_ERROR)
			return v;
		if (v == NFLAB_FAIL)
			worst = v;
	}
	return worst;
}

int nflab_stop(struct nflab_run *run)
{
	bool ok = !run->errored;
	struct nflab_future *f;
	int outcome;

	for (f = run->futures; f; f = f->next)
		f->run = NULL;
	ok = ok && !run_finish(run->r) && !run_write_pcaps(run->r);
	outcome = run_close(run->r, run->failed, ok);
	run->owner->running = false;
	if (run->devnull)
		fclose(run->devnull);
	free(run);
	return outcome;
}

/* ---- futures ---- */

/* The expect step body as a step: "expect:" over the text indented. */
/* True when a condition of e takes its value from an earlier check's record. */
static bool has_refs(const struct step_expect *e)
{
	size_t i;

	for (i = 0; i < e->n_preds; i++)
		if (e->preds[i].ref)
			return true;
	return false;
}

static char *as_expect_step(const char *body)
{
	char *text = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&text, &size);
	const char *p = body;

	fputs("expect:\n", f);
	while (*p) {
		size_t len = strcspn(p, "\n");

		fprintf(f, "  %.*s\n", (int)len, p);
		p += len + (p[len] == '\n');
	}
	fclose(f);
	return text;
}

static struct nflab_future *future_new(struct nflab_run *run, const char *body, char **err)
{
	struct lab *lab = run->owner->lab;
	struct nflab_future *f;
	struct diag d = DIAG_INIT;
	char *text = as_expect_step(body);
	long point = 0;
	int rc;

	rc = lab_add_step_text(lab, "nflab_expect()", text, &d);
	free(text);
	if (rc) {
		lab_drop_last_step(lab);
		if (d.loc.line > 1)
			d.loc.line--; /* lines of the caller's text, not of the wrapper */
		set_err(err, &d);
		return NULL;
	}
	f = xzalloc(sizeof(*f));
	lab_take_last_step(lab, &f->st);
	if (sources[f->st.expect.source].snapshot || has_refs(&f->st.expect)) {
		set_msg(err, has_refs(&f->st.expect)
				     ? "references ({ref: ID.field}) are set when a step runs: "
				       "run the check with nflab_step(run, \"expect: ...\")"
				     : "conntrack-table, conntrack-expect, counters and fate are "
				       "read at "
				       "a step, not watched: run them with nflab_step(run, "
				       "\"expect: ...\")");
		lab_step_release(&f->st);
		free(f);
		return NULL;
	}
	/* A check that could never fail (a name the node's rulesets lack) is an error. */
	if (run_expect_vacuous(run->r, &f->st.expect, NULL, &d)) {
		if (d.loc.line > 1)
			d.loc.line--; /* lines of the caller's text, not of the wrapper */
		set_err(err, &d);
		lab_step_release(&f->st);
		free(f);
		return NULL;
	}
	/* A capture's point, or for kernel events the node. */
	point = f->st.expect.source == SRC_CAPTURE ? run_point_find(run->r, &f->st.expect.at)
						   : (long)f->st.expect.node;
	/* What happened before the future was made is not its business (since: start aside). */
	if (run_drain(run->r)) {
		set_err(err, &run->r->d);
		lab_step_release(&f->st);
		free(f);
		return NULL;
	}
	expect_begin(&f->es, &f->st.expect, point < 0 ? 0 : (size_t)point,
		     f->st.expect.since == SINCE_START ? 0 : run->r->log.n,
		     f->st.expect.since == SINCE_START ? run->r->start_real : now_real_ns());
	f->scanned = f->es.since_seq;
	f->run = run;
	f->verdict = PENDING;
	f->next = run->futures;
	run->futures = f;
	return f;
}

struct nflab_future *nflab_expect(struct nflab_run *run, const char *yaml, char **err)
{
	return future_new(run, yaml, err);
}

struct nflab_future *nflab_expect_fn(struct nflab_run *run, const char *source,
				     const struct nflab_callbacks *cb, void *arg, char **err)
{
	struct nflab_future *f;

	if (!cb || !cb->on_event) {
		set_msg(err, "nflab_expect_fn needs callbacks with on_event");
		return NULL;
	}
	f = future_new(run, source, err);
	if (!f)
		return NULL;
	f->cbs = *cb;
	f->cb = &f->cbs;
	f->arg = arg;
	return f;
}

static void event_view(const struct run *r, const struct nflab_future *f, const struct event *ev,
		       struct nflab_event *out)
{
	out->ev = ev;
	out->src = f->st.expect.source;
	out->where[0] = '\0';
	if (ev->kind == EV_PACKET && ev->point < r->n_points)
		snprintf(out->where, sizeof(out->where), "%s", r->points[ev->point].name);
	else if (ev->kind != EV_PACKET && ev->point < r->lab->n_nodes)
		snprintf(out->where, sizeof(out->where), "%s", r->lab->nodes[ev->point].name);
}

/* Hands new events to the callbacks. Returns the verdict, or PENDING. */
static int callbacks_decide(struct nflab_future *f, bool deadline_passed)
{
	struct run *r = f->run->r;
	bool done = false;

	for (; f->scanned < r->log.n && !done; f->scanned++) {
		const struct event *ev = &r->log.ev[f->scanned];
		struct nflab_event view;

		if (!expect_matches(&f->es, ev))
			continue;
		event_view(r, f, ev, &view);
		f->matched++;
		done = f->cb->on_event(&view, f->arg) == NFLAB_DONE;
	}
	if (!done && !deadline_passed)
		return PENDING;
	if (f->cb->verdict)
		return f->cb->verdict(done, f->arg) == NFLAB_PASS ? NFLAB_PASS : NFLAB_FAIL;
	if (!done)
		f->explain = xasprintf("the callbacks' stop condition did not hold within %.3g s "
				       "(%u events seen)",
				       (double)f->st.expect.within_ns / 1e9, f->matched);
	return done ? NFLAB_PASS : NFLAB_FAIL;
}

/* One look (and, when block, waits until decided). */
static int future_run(struct nflab_future *f, bool block)
{
	struct run *r;

	if (f->verdict != PENDING)
		return f->verdict;
	if (!f->run) {
		free(f->explain);
		f->explain = xstrdup("the run stopped before the expectation was decided");
		return f->verdict = NFLAB_ERROR;
	}
	r = f->run->r;
	if (!f->started) {
		f->started = true;
		f->deadline = now_mono_ns() + f->st.expect.within_ns;
	}
	for (;;) {
		uint64_t wake = f->deadline;
		int v;

		if (run_drain(r))
			goto error;
		if (f->cb) {
			v = callbacks_decide(f, now_mono_ns() >= f->deadline);
		} else {
			enum verdict ev;

			expect_scan(&f->es, &r->log);
			ev = run_decide(r, &f->es, f->deadline, &wake);
			f->matched = f->es.matched;
			v = ev == VERDICT_PENDING ? PENDING
			    : ev == VERDICT_PASS  ? NFLAB_PASS
						  : NFLAB_FAIL;
			if (v == NFLAB_FAIL)
				f->explain = run_explain(r, &f->st, &f->es);
		}
		if (v != PENDING)
			return f->verdict = v;
		if (!block)
			return PENDING;
		if (run_pump(r, wake) < 0)
			goto error;
	}
error:
	f->explain = xstrdup(r->d.msg);
	return f->verdict = NFLAB_ERROR;
}

int nflab_future_wait(struct nflab_future *f)
{
	return future_run(f, true);
}

bool nflab_future_poll(struct nflab_future *f)
{
	return future_run(f, false) != PENDING;
}

int nflab_future_verdict(const struct nflab_future *f)
{
	return f->verdict;
}

unsigned int nflab_future_matched(const struct nflab_future *f)
{
	return f->matched;
}

const char *nflab_future_explain(const struct nflab_future *f)
{
	return f->explain ? f->explain : "";
}

void nflab_future_free(struct nflab_future *f)
{
	struct nflab_future **p;

	if (!f)
		return;
	if (f->run)
		for (p = &f->run->futures; *p; p = &(*p)->next)
			if (*p == f) {
				*p = f->next;
				break;
			}
	expect_release(&f->es);
	lab_step_release(&f->st);
	free(f->explain);
	free(f);
}

/* ---- events ---- */

const char *nflab_event_field(const struct nflab_event *ev, const char *field, char *buf,
			      size_t len)
{
	const struct field_def *def = source_field(ev->src, field);
	struct value v;

	if (!def || !def->get(event_record(ev->ev), &v))
		return NULL;
	return value_fmt(def, &v, buf, len);
}

const char *nflab_event_where(const struct nflab_event *ev)
{
	return ev->where;
}

uint64_t nflab_event_time_ns(const struct nflab_event *ev)
{
	return ev->ev->ts_ns;
}
