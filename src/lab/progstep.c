// SPDX-License-Identifier: GPL-2.0-or-later
/* Lab-file parts about real programs: run, service and stop steps, env, hosts, capture. */
#include <string.h>

#include "lab/parse.h"
#include "util/regex.h"
#include "util/xalloc.h"

static const char *const run_keys[] = {"node",	 "cmd",	   "within", "exit",
				       "stdout", "stderr", "env",    NULL};
static const char *const service_keys[] = {"node",  "cmd",  "ready", "within",
					   "grace", "exit", "env",   NULL};
static const char *const ready_keys[] = {"tcp", "udp", "file", "output", NULL};
static const char *const check_keys[] = {"contains", "match", "absent", NULL};

static bool valid_env_name(const char *s)
{
	size_t i;

	for (i = 0; s[i]; i++)
		if (!(s[i] == '_' || (s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= 'a' && s[i] <= 'z') ||
		      (i > 0 && s[i] >= '0' && s[i] <= '9')))
			return false;
	return i > 0;
}

/*
 * A file of the lab's /tmp, as "keys.log" or "/tmp/keys.log": into *out
 * relative to it. Never a path out of it: no other absolute path, no "..", no
 * "." or empty last part. Symlinks inside are resolved with the lab's /tmp as
 * root when the file is used (progrun.c). Returns 0 or -1 at v.
 */
static int parse_lab_tmp_file(struct parser *p, yaml_node_t *v, const char **out)
{
	const char *s, *base;

	if (ystr(&p->y, v, "a file in the lab's /tmp", &s, p->d))
		return -1;
	if (!strncmp(s, "/tmp/", 5))
		s += 5;
	base = strrchr(s, '/') ? strrchr(s, '/') + 1 : s;
	if (!*s || s[0] == '/' || strstr(s, "..") || !*base || !strcmp(base, ".")) {
		char got[64];

		return fail_at(p, v,
			       "expected a file in the lab's /tmp (\"keys.log\" or "
			       "\"/tmp/keys.log\", no \"..\"), got %s",
			       ynode_describe(v, got, sizeof(got)));
	}
	*out = s;
	return 0;
}

/* cmd: a string (run by /bin/sh -c) or a list of arguments (run as they are). */
/*
 * A command as its report line: its first line that is not blank, followed by
 * " …" when more lines follow (a literal block holding a script), without the
 * newline a folded block ends in.
 */
static char *report_line(const char *cmd)
{
	const char *rest;
	size_t len;

	cmd += strspn(cmd, " \t\n");
	len = strcspn(cmd, "\n");
	rest = cmd + len;
	while (len && strchr(" \t", cmd[len - 1]))
		len--;
	if (rest[strspn(rest, " \t\n")])
		return xasprintf("%.*s \u2026", (int)len, cmd);
	return xasprintf("%.*s", (int)len, cmd);
}

static int parse_cmd(struct parser *p, yaml_node_t *m, struct step_prog *g)
{
	struct ydoc *y = &p->y;
	yaml_node_t *n = ymap_get(y, m, "cmd");
	yaml_node_item_t *it;
	const char *s;
	size_t i = 0, len = 0;
	char *joined;

	if (!n)
		return fail_at(p, m, "missing \"cmd\" (a shell command, or a list of arguments)");
	if (n->type == YAML_SCALAR_NODE) {
		if (ystr(y, n, "a shell command", &s, p->d))
			return -1;
		if (!*s)
			return fail_at(p, n, "expected a command, got an empty string");
		g->argv = xcalloc(4, sizeof(*g->argv));
		g->argv[0] = xstrdup("/bin/sh");
		g->argv[1] = xstrdup("-c");
		g->argv[2] = xstrdup(s);
		g->text = report_line(s);
		return 0;
	}
	if (yexpect_seq(y, n, "a shell command, or a list of arguments", p->d))
		return -1;
	if (yseq_begin(n) == yseq_end(n))
		return fail_at(p, n, "expected a command, got an empty list");
	g->argv = xcalloc((size_t)(yseq_end(n) - yseq_begin(n)) + 1, sizeof(*g->argv));
	for (it = yseq_begin(n); it < yseq_end(n); it++) {
		if (ystr(y, ynode(y, *it), "an argument", &s, p->d))
			return -1;
		g->argv[i++] = xstrdup(s);
		len += strlen(s) + 1;
	}
	joined = xzalloc(len + 1);
	for (i = 0; g->argv[i]; i++) {
		if (i)
			strcat(joined, " ");
		strcat(joined, g->argv[i]);
	}
	g->text = report_line(joined);
	free(joined);
	return 0;
}

/* A text check: "substring", or {contains: S} / {match: ERE} / {absent: S}. */
static int parse_check(struct parser *p, yaml_node_t *n, int stream, struct out_check *c)
{
	struct ydoc *y = &p->y;
	const char *s;
	yaml_node_t *v;

	c->stream = stream;
	c->loc = ynode_loc(y, n);
	if (n->type == YAML_SCALAR_NODE) {
		if (ystr(y, n, "a substring", &s, p->d))
			return -1;
		c->text = xstrdup(s);
		return 0;
	}
	if (yexpect_map(y, n, "a substring, or a mapping with contains, match or absent", p->d) ||
	    ymap_check(y, n, "output check", check_keys, p->d))
		return -1;
	if (ymap_end(n) - ymap_begin(n) != 1)
		return fail_at(p, n, "expected exactly one of contains, match, absent");
	v = ynode(y, ymap_begin(n)->value);
	if (ystr(y, v, "a string", &s, p->d))
		return -1;
	c->text = xstrdup(s);
	if (ymap_get(y, n, "absent"))
		c->absent = true;
	if (ymap_get(y, n, "match")) {
		char err[256];

		if (regex_compile(&c->re, s, REG_NEWLINE | REG_NOSUB, err, sizeof(err)))
			return fail_at(p, v, "bad regular expression: %s", err);
		c->regex = true;
	}
	return 0;
}

static int parse_checks(struct parser *p, yaml_node_t *n, int stream, struct step_prog *g)
{
	yaml_node_item_t *it;

	if (n->type != YAML_SEQUENCE_NODE) {
		XGROW(g->checks, g->n_checks, g->cap_checks);
		memset(&g->checks[g->n_checks], 0, sizeof(g->checks[0]));
		return parse_check(p, n, stream, &g->checks[g->n_checks++]);
	}
	for (it = yseq_begin(n); it < yseq_end(n); it++) {
		XGROW(g->checks, g->n_checks, g->cap_checks);
		memset(&g->checks[g->n_checks], 0, sizeof(g->checks[0]));
		if (parse_check(p, ynode(&p->y, *it), stream, &g->checks[g->n_checks++]))
			return -1;
	}
	return 0;
}

/* exit: N or any, when given (v may be NULL). */
static int parse_exit(struct parser *p, yaml_node_t *v, struct step_prog *g)
{
	uint64_t code;

	if (!v)
		return 0;
	if (v->type == YAML_SCALAR_NODE && !strcmp((const char *)v->data.scalar.value, "any")) {
		g->exit_code = EXIT_ANY;
		return 0;
	}
	if (yuint(&p->y, v, "an exit status (0 to 255) or any", 255, &code, p->d))
		return -1;
	g->exit_code = (int)code;
	return 0;
}

/* A mapping of NAME: value into "NAME=value" entries of *env (NULL-terminated). */
static int parse_env_map(struct parser *p, yaml_node_t *n, char ***env, size_t *count, size_t *cap)
{
	struct ydoc *y = &p->y;
	yaml_node_pair_t *pr;
	const char *k, *v;

	if (yexpect_map(y, n, "a mapping of environment variable names to values", p->d))
		return -1;
	for (pr = ymap_begin(n); pr < ymap_end(n); pr++) {
		if (ystr(y, ynode(y, pr->key), "a variable name", &k, p->d) ||
		    ystr(y, ynode(y, pr->value), "a value", &v, p->d))
			return -1;
		if (!valid_env_name(k))
			return fail_at(p, ynode(y, pr->key),
				       "expected a variable name (letters, digits, _), got \"%s\"",
				       k);
		XGROW(*env, *count, *cap);
		(*env)[(*count)++] = xasprintf("%s=%s", k, v);
		XGROW(*env, *count, *cap);
		(*env)[*count] = NULL;
	}
	return 0;
}

int parse_run(struct parser *p, struct lab_step *st, yaml_node_t *m)
{
	struct ydoc *y = &p->y;
	struct step_prog *g = &st->prog;
	yaml_node_t *v;

	if (yexpect_map(y, m, "a program to run (a mapping with node and cmd)", p->d) ||
	    ymap_check(y, m, "run", run_keys, p->d) || step_node(p, m, "node", &g->node) ||
	    parse_cmd(p, m, g))
		return -1;
	g->within_ns = LAB_DEFAULT_RUN_NS;
	if ((v = ymap_get(y, m, "within")) &&
	    yduration(y, v, "a duration (500ms, 10s)", &g->within_ns, p->d))
		return -1;
	g->exit_code = 0;
	if (parse_exit(p, ymap_get(y, m, "exit"), g))
		return -1;
	if ((v = ymap_get(y, m, "stdout")) && parse_checks(p, v, 1, g))
		return -1;
	if ((v = ymap_get(y, m, "stderr")) && parse_checks(p, v, 2, g))
		return -1;
	if ((v = ymap_get(y, m, "env")) && parse_env_map(p, v, &g->env, &g->n_env, &g->cap_env))
		return -1;
	return 0;
}

static int parse_ready(struct parser *p, yaml_node_t *n, struct step_prog *g)
{
	struct ydoc *y = &p->y;
	const char *key, *s;
	yaml_node_t *v;

	if (yexpect_map(y, n,
			"a readiness condition (tcp: PORT, udp: PORT, file: PATH, output: TEXT)",
			p->d) ||
	    ymap_check(y, n, "ready", ready_keys, p->d))
		return -1;
	if (ymap_end(n) - ymap_begin(n) != 1)
		return fail_at(p, n, "expected exactly one of tcp, udp, file, output");
	key = ykey(y, ymap_begin(n));
	v = ynode(y, ymap_begin(n)->value);
	if (!strcmp(key, "tcp") || !strcmp(key, "udp")) {
		g->ready = key[0] == 't' ? READY_TCP : READY_UDP;
		if (parse_u16(p, v, "a port (1 to 65535)", &g->ready_port))
			return -1;
		return g->ready_port ? 0 : fail_at(p, v, "expected a port (1 to 65535), got 0");
	}
	if (!strcmp(key, "file")) {
		if (parse_lab_tmp_file(p, v, &s))
			return -1;
		g->ready = READY_FILE;
		g->ready_file = xstrdup(s);
		return 0;
	}
	g->ready = READY_OUTPUT;
	return parse_check(p, v, 0, &g->ready_out);
}

int parse_service(struct parser *p, struct lab_step *st, yaml_node_t *m)
{
	struct ydoc *y = &p->y;
	struct step_prog *g = &st->prog;
	yaml_node_t *v;

	if (yexpect_map(y, m, "a service (a mapping with node, cmd and ready)", p->d) ||
	    ymap_check(y, m, "service", service_keys, p->d) || step_node(p, m, "node", &g->node) ||
	    parse_cmd(p, m, g))
		return -1;
	if (!st->name)
		return fail_at(p, m, "a service step needs a \"name\" (stop and reports use it)");
	/* A service ends when it is stopped, unless exit: says it may end on its own. */
	g->exit_code = EXIT_NEVER;
	if (parse_exit(p, ymap_get(y, m, "exit"), g))
		return -1;
	if ((v = ymap_get(y, m, "ready")) && parse_ready(p, v, g))
		return -1;
	g->within_ns = LAB_DEFAULT_READY_NS;
	if ((v = ymap_get(y, m, "within")) &&
	    yduration(y, v, "a duration (500ms, 5s)", &g->within_ns, p->d))
		return -1;
	g->grace_ns = LAB_DEFAULT_GRACE_NS;
	if ((v = ymap_get(y, m, "grace")) &&
	    yduration(y, v, "a duration (100ms, 2s)", &g->grace_ns, p->d))
		return -1;
	if ((v = ymap_get(y, m, "env")) && parse_env_map(p, v, &g->env, &g->n_env, &g->cap_env))
		return -1;
	return 0;
}

static const char *const stop_keys[] = {"service", "exit", "stdout", "stderr", NULL};

/* The earlier service step named by v. */
static int stop_target(struct parser *p, yaml_node_t *v, size_t *out)
{
	const char *s;
	size_t i;

	if (ystr(&p->y, v, "the name of an earlier service step", &s, p->d))
		return -1;
	for (i = 0; i + 1 < p->lab->n_steps; i++) {
		const struct lab_step *t = &p->lab->steps[i];

		if (t->name && !strcmp(t->name, s)) {
			if (t->kind != STEP_SERVICE)
				return fail_at(p, v, "step \"%s\" is not a service step", s);
			*out = i;
			return 0;
		}
	}
	return fail_at(p, v, "no earlier step is named \"%s\" (stop names a service step)", s);
}

/*
 * stop: NAME, or stop: {service: NAME, exit: N, stdout: CHECK, stderr: CHECK}
 * to check what the service printed and how it ended, once stopped.
 */
int parse_stop(struct parser *p, struct lab_step *st, yaml_node_t *v)
{
	struct ydoc *y = &p->y;
	struct step_prog *g = &st->prog;
	yaml_node_t *w;

	g->exit_code = EXIT_ANY;
	if (v->type != YAML_MAPPING_NODE)
		return stop_target(p, v, &g->target);
	if (ymap_check(y, v, "stop", stop_keys, p->d))
		return -1;
	if (!(w = ymap_get(y, v, "service")))
		return fail_at(p, v, "stop needs \"service\" (the name of a service step)");
	if (stop_target(p, w, &g->target) || parse_exit(p, ymap_get(y, v, "exit"), g))
		return -1;
	if ((w = ymap_get(y, v, "stdout")) && parse_checks(p, w, 1, g))
		return -1;
	if ((w = ymap_get(y, v, "stderr")) && parse_checks(p, w, 2, g))
		return -1;
	return 0;
}

int parse_env(struct parser *p, yaml_node_t *n)
{
	return parse_env_map(p, n, &p->lab->env, &p->lab->n_env, &p->lab->cap_env);
}

static int add_host(struct parser *p, const char *name, yaml_node_t *a)
{
	struct lab *lab = p->lab;
	struct ipaddr addr;
	char s[IPADDR_STRLEN];

	if (parse_addr(p, a, "an IPv4 or IPv6 address", &addr))
		return -1;
	XGROW(lab->hosts, lab->n_hosts, lab->cap_hosts);
	lab->hosts[lab->n_hosts++] = xasprintf("%s %s", ipaddr_fmt(&addr, s), name);
	return 0;
}

/* hosts: {name: address, other: [address, address]}: more names for the lab's programs. */
int parse_hosts(struct parser *p, yaml_node_t *n)
{
	struct ydoc *y = &p->y;
	yaml_node_pair_t *pr;
	yaml_node_item_t *it;

	if (yexpect_map(y, n, "a mapping of host names to addresses", p->d))
		return -1;
	for (pr = ymap_begin(n); pr < ymap_end(n); pr++) {
		yaml_node_t *k = ynode(y, pr->key), *v = ynode(y, pr->value);
		const char *name;

		if (ystr(y, k, "a host name", &name, p->d))
			return -1;
		if (!*name || strpbrk(name, " \t\n#"))
			return fail_at(p, k, "expected a host name, got \"%s\"", name);
		if (v->type != YAML_SEQUENCE_NODE) {
			if (add_host(p, name, v))
				return -1;
			continue;
		}
		for (it = yseq_begin(v); it < yseq_end(v); it++)
			if (add_host(p, name, ynode(y, *it)))
				return -1;
	}
	return 0;
}

/* capture: [node:iface, ...]: the interfaces --pcap-dir writes. */
int parse_capture(struct parser *p, yaml_node_t *n)
{
	static const char *const keys[] = {"at", "filter", NULL};
	struct lab *lab = p->lab;
	yaml_node_item_t *it;

	if (yexpect_seq(&p->y, n,
			"a list of capture points \"node:iface\" or {at: node:iface, filter: EXPR}",
			p->d))
		return -1;
	for (it = yseq_begin(n); it < yseq_end(n); it++) {
		yaml_node_t *v = ynode(&p->y, *it), *f = NULL;
		size_t i = lab->n_capture;

		XGROW(lab->capture, lab->n_capture, lab->cap_capture);
		lab->capture_filter = xrealloc(lab->capture_filter,
					       lab->cap_capture * sizeof(*lab->capture_filter));
		lab->capture_filter[i] = NULL;
		if (v->type == YAML_MAPPING_NODE) {
			if (ymap_check(&p->y, v, "capture point", keys, p->d))
				return -1;
			if (!ymap_get(&p->y, v, "at"))
				return fail_at(p, v, "missing \"at\" (the node:iface to capture)");
			f = ymap_get(&p->y, v, "filter");
			v = ymap_get(&p->y, v, "at");
		}
		if (parse_point(p, v, &lab->capture[i]))
			return -1;
		lab->n_capture++;
		if (f && parse_filter(p, f, SRC_CAPTURE, &lab->capture_filter[i]))
			return -1;
	}
	return 0;
}

/* keep: [keys.log, /tmp/dns.log]: files of the lab's /tmp that --pcap-dir copies out. */
int parse_keep(struct parser *p, yaml_node_t *n)
{
	struct lab *lab = p->lab;
	yaml_node_item_t *it;
	const char *s;

	if (yexpect_seq(&p->y, n, "a list of files in the lab's /tmp", p->d))
		return -1;
	for (it = yseq_begin(n); it < yseq_end(n); it++) {
		if (parse_lab_tmp_file(p, ynode(&p->y, *it), &s))
			return -1;
		XGROW(lab->keep, lab->n_keep, lab->cap_keep);
		lab->keep[lab->n_keep++] = xstrdup(s);
	}
	return 0;
}

static void check_release(struct out_check *c)
{
	if (c->regex)
		regfree(&c->re);
	free(c->text);
}

void prog_release(struct step_prog *g)
{
	size_t i;

	for (i = 0; g->argv && g->argv[i]; i++)
		free(g->argv[i]);
	free(g->argv);
	free(g->text);
	for (i = 0; i < g->n_checks; i++)
		check_release(&g->checks[i]);
	free(g->checks);
	free(g->ready_file);
	check_release(&g->ready_out);
	for (i = 0; i < g->n_env; i++)
		free(g->env[i]);
	free(g->env);
}
