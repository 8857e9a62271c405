// SPDX-License-Identifier: GPL-2.0-or-later
/* Run, service and stop steps: real programs in a lab's nodes, waited on by events. */
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "run/run_priv.h"
#include "topo/netns.h"
#include "topo/sockdiag.h"
#include "util/outfile.h"
#include "util/xalloc.h"

#define KILL_WAIT_NS  5000000000ull /* after SIGKILL the kernel needs microseconds; a bound */
#define POLL_FIRST_NS 1000000ull    /* port checks: first interval, doubled up to the last */
#define POLL_LAST_NS  16000000ull
#define TAIL_LINES    12 /* of each stream, shown under a failure */
#define TAGS_PER_SLOT 3	 /* stdout, stderr, pidfd */

extern char **environ;

struct prog_slot {
	size_t step;
	struct nodeproc np;
	bool service;	   /* a service no stop step or final stop has taken yet */
	bool stopping;	   /* nflab signalled it: its end is not its own */
	uint64_t ended_ns; /* ended on its own: when nflab saw it (monotonic ns), else 0 */
	size_t ended_step; /* the step running then, or the number of steps after the last */
	bool end_judged;   /* that end has been judged (and, if it was not allowed, reported) */
};

static const char *prog_kind(const struct lab_step *st)
{
	return st->kind == STEP_SERVICE ? "service" : "run";
}

/* /etc/hosts of the lab's programs: every node by name, then the lab's own entries. */
static char *hosts_text(const struct lab *lab)
{
	char *text = NULL, s[IPADDR_STRLEN];
	size_t size = 0, i, j, k;
	FILE *f = open_memstream(&text, &size);
	int fam;

	fprintf(f,
		"127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n"
		"# the nodes of lab %s, by nflab\n",
		lab->name);
	/* Per node, its IPv4 lines first: gethostbyname() takes the first. */
	for (i = 0; i < lab->n_nodes; i++)
		for (fam = 0; fam < 2; fam++)
			for (j = 0; j < lab->nodes[i].n_ifaces; j++) {
				const struct lab_iface *ifc = &lab->nodes[i].ifaces[j];

				for (k = 0; k < ifc->n_addrs; k++) {
					const struct ipaddr *a = &ifc->addrs[k].a;

					if ((a->family == AF_INET6) != fam)
						continue;
					fprintf(f, "%s\t%s %s-%s\n", ipaddr_fmt(a, s),
						lab->nodes[i].name, lab->nodes[i].name, ifc->name);
				}
			}
	for (i = 0; i < lab->n_hosts; i++)
		fprintf(f, "%s\n", lab->hosts[i]);
	fclose(f);
	return text;
}

static bool env_overridden(const char *entry, char *const *over, size_t n)
{
	size_t len = strcspn(entry, "="), i;

	for (i = 0; i < n; i++)
		if (!strncmp(over[i], entry, len) && over[i][len] == '=')
			return true;
	return false;
}

/* nflab's environment, then the lab's env, then --set; later entries win. */
static char **build_env(const struct run *r)
{
	const struct lab *lab = r->lab;
	size_t n = 0, cap = 0, i;
	char **env = NULL;

	for (i = 0; environ[i]; i++) {
		if (!strncmp(environ[i], "NFLAB_", 6) ||
		    env_overridden(environ[i], lab->env, lab->n_env) ||
		    env_overridden(environ[i], r->o->set, r->o->n_set))
			continue;
		XGROW(env, n, cap);
		env[n++] = xstrdup(environ[i]);
	}
	for (i = 0; i < lab->n_env; i++) {
		if (env_overridden(lab->env[i], r->o->set, r->o->n_set))
			continue;
		XGROW(env, n, cap);
		env[n++] = xstrdup(lab->env[i]);
	}
	for (i = 0; i < r->o->n_set; i++) {
		XGROW(env, n, cap);
		env[n++] = xstrdup(r->o->set[i]);
	}
	XGROW(env, n, cap);
	env[n++] = xasprintf("NFLAB_LAB=%s", lab->name);
	XGROW(env, n, cap);
	env[n++] = xstrdup("NFLAB_TMPDIR=/tmp");
	XGROW(env, n, cap);
	env[n] = NULL;
	return env;
}

/* Where a node's resolv.conf is, in the lab's /tmp (caller frees). */
static char *resolv_path(const struct lab_node *n)
{
	return xasprintf(".nflab/resolv.%s", n->name);
}

/* The first program of a lab creates its /tmp, hosts and resolv.conf files, and environment. */
static int progs_setup(struct run *r)
{
	struct progs *ps = &r->progs;
	char *hosts;
	size_t i;
	int rc;

	if (ps->fs_open)
		return 0;
	ps->fs_open = true;
	if (labfs_open(&ps->fs, &r->d))
		return -1;
	hosts = hosts_text(r->lab);
	rc = labfs_write(&ps->fs, ".nflab/hosts", hosts, &r->d);
	free(hosts);
	for (i = 0; !rc && i < r->lab->n_nodes; i++) {
		const struct lab_node *n = &r->lab->nodes[i];
		char s[IPADDR_STRLEN], *path, *text;

		if (!n->has_resolver)
			continue;
		path = resolv_path(n);
		text = xasprintf("# the resolver of node %s, by nflab\nnameserver %s\n", n->name,
				 ipaddr_fmt(&n->resolver, s));
		rc = labfs_write(&ps->fs, path, text, &r->d);
		free(path);
		free(text);
	}
	ps->envp = build_env(r);
	return rc;
}

static int watch(struct run *r, int fd, uint64_t tag)
{
	struct epoll_event ev = {.events = EPOLLIN, .data.u64 = tag};

	if (fd >= 0 && epoll_ctl(r->epfd, EPOLL_CTL_ADD, fd, &ev))
		return diag_errno(&r->d, "epoll_ctl");
	return 0;
}

/*
 * Starts argv in node with the programs' environment, NFLAB_NODE and extra
 * ("NAME=value", NULL-terminated, or NULL), on pipes or (terminal) on nflab's
 * own streams. A lab's programs are confined to the lab; a terminal is a
 * person's shell (nflab shell), with nflab's own rights, like nflab exec.
 * Returns 0 or -1.
 */
static int node_start(struct run *r, size_t node, char *const argv[], char *const extra[],
		      bool terminal, struct nodeproc *np)
{
	const struct lab_node *n = &r->lab->nodes[node];
	size_t n_env = 0, n_extra = 0, i, k, mine;
	char *resolv, **envp;
	int rc;

	if (progs_setup(r))
		return -1;
	while (r->progs.envp[n_env])
		n_env++;
	while (extra && extra[n_extra])
		n_extra++;
	/*
	 * The shared strings, borrowed, then the node's own, then extra: a name
	 * extra gives replaces the shared one, but not one of --set.
	 */
	envp = xcalloc(n_env + n_extra + 2, sizeof(*envp));
	for (i = 0, k = 0; i < n_env; i++)
		if (!env_overridden(r->progs.envp[i], extra, n_extra) ||
		    env_overridden(r->progs.envp[i], r->o->set, r->o->n_set))
			envp[k++] = r->progs.envp[i];
	mine = k;
	envp[k++] = xasprintf("NFLAB_NODE=%s", n->name);
	for (i = 0; i < n_extra; i++)
		if (!env_overridden(extra[i], r->o->set, r->o->n_set))
			envp[k++] = extra[i];
	resolv = n->has_resolver ? resolv_path(n) : NULL;
	rc = nodeproc_start(np, &r->progs.fs,
			    &(struct nodeproc_spec){terminal ? -1 : netns_userns_fd(),
						    r->b.nodes[node].nsfd, n->name, resolv, argv,
						    envp, terminal},
			    &r->d);
	free(envp[mine]);
	free(envp);
	free(resolv);
	return rc;
}

static struct prog_slot *prog_start(struct run *r, size_t step)
{
	const struct lab_step *st = &r->lab->steps[step];
	const char *node = r->lab->nodes[st->prog.node].name;
	struct progs *ps = &r->progs;
	struct prog_slot *slot = xzalloc(sizeof(*slot));
	uint64_t tag;

	slot->step = step;
	slot->service = st->kind == STEP_SERVICE;
	if (node_start(r, st->prog.node, st->prog.argv, st->prog.env, false, &slot->np)) {
		free(slot);
		if (r->d.err == ENOENT)
			diag_prefix(&r->d,
				    "%s in node %s (list it under requires: to skip the lab "
				    "where it is missing)",
				    prog_kind(st), node);
		else
			diag_prefix(&r->d, "%s in node %s", prog_kind(st), node);
		return NULL;
	}
	XGROW(ps->v, ps->n, ps->cap);
	ps->v[ps->n] = slot;
	tag = TAG_PROC + ps->n * TAGS_PER_SLOT;
	ps->n++;
	if (watch(r, slot->np.out, tag) || watch(r, slot->np.err, tag + 1) ||
	    watch(r, slot->np.pidfd, tag + 2))
		return NULL;
	return slot;
}

int progs_terminal(struct run *r, size_t node, char *const argv[], char *const extra_env[],
		   int *status)
{
	struct nodeproc np;

	if (node_start(r, node, argv, extra_env, true, &np))
		return -1;
	nodeproc_reap(&np);
	*status = np.status;
	nodeproc_release(&np);
	return 0;
}

/* A service reaped while nflab had not signalled it ended on its own: note when. */
static void note_end(struct run *r, struct prog_slot *slot)
{
	if (!slot->service || slot->stopping || slot->ended_ns || !slot->np.exited)
		return;
	slot->ended_ns = now_mono_ns();
	slot->ended_step = r->cur ? (size_t)(r->cur - r->lab->steps) : r->lab->n_steps;
}

/* Whether the program has ended, looking at its pidfd now (not waiting for epoll). */
static bool slot_ended(struct run *r, struct prog_slot *slot)
{
	struct pollfd pfd = {.fd = slot->np.pidfd, .events = POLLIN};

	if (!slot->np.exited && slot->np.pidfd >= 0 && poll(&pfd, 1, 0) == 1) {
		nodeproc_reap(&slot->np);
		note_end(r, slot);
	}
	return slot->np.exited;
}

void progs_read(struct run *r, uint64_t tag)
{
	size_t i = (size_t)(tag - TAG_PROC) / TAGS_PER_SLOT;
	struct nodeproc *np;

	if (i >= r->progs.n)
		return;
	np = &r->progs.v[i]->np;
	switch ((tag - TAG_PROC) % TAGS_PER_SLOT) {
	case 0:
		if (np->out >= 0)
			nodeproc_read(np, np->out);
		break;
	case 1:
		if (np->err >= 0)
			nodeproc_read(np, np->err);
		break;
	default:
		nodeproc_reap(np); /* closing the pidfd takes it out of epoll */
		note_end(r, r->progs.v[i]);
		return;
	}
	/* Without a pidfd, the end of both streams is the sign to collect the status. */
	if (np->pidfd < 0 && !np->exited && np->out < 0 && np->err < 0) {
		nodeproc_reap(np);
		note_end(r, r->progs.v[i]);
	}
}

/* Waits until the program is gone or the deadline passes. Returns 1 gone, 0 not, -1 error. */
static int wait_gone(struct run *r, struct prog_slot *slot, uint64_t deadline)
{
	while (!nodeproc_gone(&slot->np) && now_mono_ns() < deadline)
		if (run_pump(r, deadline) < 0)
			return -1;
	return nodeproc_gone(&slot->np);
}

/* Kills the program and everything it started, and collects what is left of its output. */
static int kill_slot(struct run *r, struct prog_slot *slot)
{
	slot->stopping = true;
	nodeproc_signal(&slot->np, SIGKILL);
	if (wait_gone(r, slot, now_mono_ns() + KILL_WAIT_NS) < 0)
		return -1;
	if (!nodeproc_gone(&slot->np))
		return diag_set(&r->d, "a killed program's output did not end within %llu s",
				KILL_WAIT_NS / 1000000000ull);
	return 0;
}

/* The last lines of a stream, each under the step line, headed by the stream's name. */
static void put_tail(FILE *f, const char *name, const struct outbuf *b)
{
	const char *start, *end;
	int lines = 0;

	if (!b->len)
		return;
	end = b->buf + b->len;
	if (end > b->buf && end[-1] == '\n')
		end--;
	for (start = end; start > b->buf; start--)
		if (start[-1] == '\n' && ++lines == TAIL_LINES)
			break;
	fprintf(f, "%s%s:\n", start > b->buf ? "last lines of " : "", name);
	while (start < end) {
		const char *nl = memchr(start, '\n', (size_t)(end - start));
		size_t len = nl ? (size_t)(nl - start) : (size_t)(end - start);

		fprintf(f, "  | %.*s\n", (int)len, start);
		start += len + 1;
	}
	if (b->dropped)
		fprintf(f, "  (%zu more bytes not kept)\n", b->dropped);
}

static void put_output(FILE *f, const struct nodeproc *np)
{
	put_tail(f, "stdout", &np->outb);
	put_tail(f, "stderr", &np->errb);
	if (!np->outb.len && !np->errb.len)
		fputs("(it printed nothing)\n", f);
}

static bool check_holds(const struct out_check *c, const char *text)
{
	bool found = c->regex ? !regexec(&c->re, text, 0, NULL, 0) : strstr(text, c->text) != NULL;

	return found != c->absent;
}

static void check_describe(const struct out_check *c, char *buf, size_t len)
{
	static const char *const names[] = {"output", "stdout", "stderr"};

	snprintf(buf, len, "%s %s %s%s%s", names[c->stream],
		 c->absent  ? "without"
		 : c->regex ? "matching"
			    : "containing",
		 c->regex ? "/" : "\"", c->text, c->regex ? "/" : "\"");
}

/*
 * Judges how a program ended against g's exit status and output checks.
 * Returns true when all hold; else *detail says what did not, with the output.
 */
static bool judge(const struct lab_step *st, const struct step_prog *g, const struct nodeproc *np,
		  bool timed_out, char **detail)
{
	char *msg = NULL, what[256], status[64];
	size_t size = 0, i;
	bool ok = true;
	FILE *f = open_memstream(&msg, &size);

	fprintf(f, "%s:%d: ", st->loc.file, st->loc.line);
	if (timed_out) {
		fprintf(f, "did not end within %.3g s: killed\n", (double)g->within_ns / 1e9);
		ok = false;
	} else if (g->exit_code != EXIT_ANY && np->status != g->exit_code) {
		fprintf(f, "expected exit %d, got %s\n", g->exit_code,
			nodeproc_status_str(np->status, status, sizeof(status)));
		ok = false;
	}
	for (i = 0; i < g->n_checks; i++) {
		const struct out_check *c = &g->checks[i];

		if (check_holds(c, c->stream == 2 ? (np->errb.buf ? np->errb.buf : "")
						  : (np->outb.buf ? np->outb.buf : "")))
			continue;
		check_describe(c, what, sizeof(what));
		fprintf(f, "%sexpected %s\n", ok ? "" : "and ", what);
		ok = false;
	}
	if (!ok)
		put_output(f, np);
	fclose(f);
	if (!ok)
		*detail = run_indent(msg);
	free(msg);
	return ok;
}

int step_run(struct run *r, const struct lab_step *st, char *text, size_t len, char **detail)
{
	const struct step_prog *g = &st->prog;
	struct prog_slot *slot;
	bool timed_out, ok;

	snprintf(text, len, "run at %s: %s", r->lab->nodes[g->node].name, g->text);
	if (run_window_open(r) || !(slot = prog_start(r, (size_t)(st - r->lab->steps))))
		return -1;
	if (wait_gone(r, slot, now_mono_ns() + g->within_ns) < 0)
		return -1;
	timed_out = !nodeproc_gone(&slot->np);
	if (timed_out && kill_slot(r, slot))
		return -1;
	ok = judge(st, g, &slot->np, timed_out, detail);
	nodeproc_release(&slot->np); /* the slot stays: its tags must not be reused */
	return ok ? NFLAB_PASS : NFLAB_FAIL;
}

/*
 * Whether a socket of the service's own processes has the ready port: nflab's
 * probes and listen steps, and other programs, may hold the same port (*other).
 * Returns 1, 0 or -1.
 */
static int port_ready(struct run *r, const struct step_prog *g, struct prog_slot *slot,
		      struct nl_sock *diag, bool *other)
{
	unsigned long *on_port = NULL, *own = NULL;
	long n = sockdiag_port_inodes(diag, g->ready == READY_TCP ? IPPROTO_TCP : IPPROTO_UDP,
				      g->ready_port, &on_port, &r->d);
	long n_own = 0, i, j;
	int found = 0;

	if (n > 0 && (n_own = nodeproc_sockets(&slot->np, &own)) < 0)
		n_own = 0; /* the program ended meanwhile: nothing of its own */
	for (i = 0; i < n && !found; i++)
		for (j = 0; j < n_own && !found; j++)
			found = on_port[i] == own[j];
	if (n > 0 && !found)
		*other = true;
	free(on_port);
	free(own);
	return n < 0 ? -1 : found;
}

/*
 * Opens path of the lab's /tmp (flags: O_RDONLY, O_PATH ...) as the lab's
 * programs see it: the tmpfs is the root, so a symlink a program left there
 * (even an absolute one, "/etc/shadow") resolves inside it and never reaches
 * a host file. Returns an fd, or -1 with errno.
 */
static int open_in_lab_tmp(int mfd, const char *path, int flags)
{
	struct open_how how = {
		.flags = (uint64_t)flags | O_CLOEXEC,
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV,
	};

	return (int)syscall(SYS_openat2, mfd, path, &how, sizeof(how));
}

/* Whether file exists in the lab's /tmp (a symlink counts only if it resolves inside). */
static bool lab_tmp_has(struct run *r, const char *file)
{
	int fd = open_in_lab_tmp(r->progs.fs.mfd, file, O_PATH);

	if (fd < 0)
		return false;
	close(fd);
	return true;
}

/* Whether the service is ready now (diag: the node's sock_diag socket). Returns 1, 0 or -1. */
static int service_ready(struct run *r, const struct step_prog *g, struct prog_slot *slot,
			 const char *file, struct nl_sock *diag, bool *other)
{
	switch (g->ready) {
	case READY_NONE:
		return 1;
	case READY_TCP:
	case READY_UDP:
		return port_ready(r, g, slot, diag, other);
	case READY_FILE:
		return lab_tmp_has(r, file);
	case READY_OUTPUT:
		return (slot->np.outb.buf && check_holds(&g->ready_out, slot->np.outb.buf)) ||
		       (slot->np.errb.buf && check_holds(&g->ready_out, slot->np.errb.buf));
	}
	return 0;
}

static void ready_describe(const struct step_prog *g, char *buf, size_t len)
{
	switch (g->ready) {
	case READY_NONE:
		snprintf(buf, len, "started");
		break;
	case READY_TCP:
		snprintf(buf, len, "a TCP socket of its own listening on port %u", g->ready_port);
		break;
	case READY_UDP:
		snprintf(buf, len, "a UDP socket of its own bound to port %u", g->ready_port);
		break;
	case READY_FILE:
		snprintf(buf, len, "file /tmp/%s", g->ready_file);
		break;
	case READY_OUTPUT:
		check_describe(&g->ready_out, buf, len);
		break;
	}
}

/*
 * An inotify watch on the ready file's directory in the lab's /tmp (resolved
 * there, as the file is), so its creation wakes the wait; or -1.
 */
static int watch_dir(struct run *r, const char *file)
{
	struct epoll_event ev = {.events = EPOLLIN, .data.u64 = TAG_EXTRA};
	const char *slash = strrchr(file, '/');
	char *dir = slash ? xstrndup(file, (size_t)(slash - file)) : xstrdup(".");
	int dfd = open_in_lab_tmp(r->progs.fs.mfd, dir, O_PATH | O_DIRECTORY);
	int fd = dfd >= 0 ? inotify_init1(IN_NONBLOCK | IN_CLOEXEC) : -1;
	char proc[64];

	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", dfd);
	if (fd >= 0 && (inotify_add_watch(fd, proc, IN_CREATE | IN_MOVED_TO | IN_ATTRIB) < 0 ||
			epoll_ctl(r->epfd, EPOLL_CTL_ADD, fd, &ev))) {
		close(fd);
		fd = -1; /* no directory yet: checked at intervals instead */
	}
	if (dfd >= 0)
		close(dfd);
	free(dir);
	return fd;
}

static void drain_inotify(int fd)
{
	char buf[4096];

	while (read(fd, buf, sizeof(buf)) > 0)
		;
}

/* An error naming the service, with its output under it. */
static int service_error(struct run *r, const struct lab_step *st, struct prog_slot *slot,
			 const char *fmt, const char *arg)
{
	char *msg = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&msg, &size);

	fprintf(f, "service %s in node %s ", st->name, r->lab->nodes[st->prog.node].name);
	fprintf(f, fmt, arg);
	fputc('\n', f);
	put_output(f, &slot->np);
	fclose(f);
	if (size && msg[size - 1] == '\n')
		msg[size - 1] = '\0';
	diag_set(&r->d, "%s", msg);
	free(msg);
	return -1;
}

int step_service(struct run *r, const struct lab_step *st, char *text, size_t len, char **detail)
{
	const struct step_prog *g = &st->prog;
	uint64_t deadline = now_mono_ns() + g->within_ns, interval = POLL_FIRST_NS;
	char ready[256], status[64];
	const char *file = NULL;
	struct nl_sock *diag = NULL;
	struct prog_slot *slot;
	bool other = false;
	int rc, ifd = -1;

	(void)detail;
	ready_describe(g, ready, sizeof(ready));
	snprintf(text, len, "service %s at %s: %s (ready: %s)", st->name,
		 r->lab->nodes[g->node].name, g->text, ready);
	if (run_window_open(r) || !(slot = prog_start(r, (size_t)(st - r->lab->steps))))
		return -1;
	if (g->ready == READY_FILE) {
		file = g->ready_file;
		ifd = watch_dir(r, file);
	}
	/* One socket for every look at the node's ports. */
	if ((g->ready == READY_TCP || g->ready == READY_UDP) &&
	    !(diag = sockdiag_open(r->b.nodes[g->node].nsfd, &r->d)))
		return -1;
	for (;;) {
		uint64_t now = now_mono_ns(), wake = deadline;

		rc = service_ready(r, g, slot, file, diag, &other);
		if (rc)
			break;
		if (slot->np.exited) {
			snprintf(ready, sizeof(ready), "ended before it was ready (%s)",
				 nodeproc_status_str(slot->np.status, status, sizeof(status)));
			wait_gone(r, slot, now + KILL_WAIT_NS); /* the rest of its output */
			rc = service_error(r, st, slot, "%s", ready);
			break;
		}
		if (now >= deadline) {
			char why[640];

			snprintf(
				why, sizeof(why), "was not ready within %.3g s (waited for %s%s)",
				(double)g->within_ns / 1e9, ready,
				other ? "; the port is held, but by a socket that is not the "
					"service's: a probe's, a listen step's or another program's"
				      : "");
			kill_slot(r, slot);
			rc = service_error(r, st, slot, "%s", why);
			break;
		}
		/* Output and file events wake the wait; a listening port has no event: poll it. */
		if ((g->ready == READY_TCP || g->ready == READY_UDP ||
		     (g->ready == READY_FILE && ifd < 0)) &&
		    now + interval < deadline) {
			wake = now + interval;
			interval = interval * 2 > POLL_LAST_NS ? POLL_LAST_NS : interval * 2;
		}
		if (run_pump(r, wake) < 0) {
			rc = -1;
			break;
		}
		if (ifd >= 0)
			drain_inotify(ifd);
	}
	if (ifd >= 0) {
		epoll_ctl(r->epfd, EPOLL_CTL_DEL, ifd, NULL);
		close(ifd);
	}
	if (diag)
		nl_close(diag);
	return rc < 0 ? -1 : NFLAB_PASS;
}

static struct prog_slot *slot_of(struct run *r, size_t step)
{
	size_t i;

	for (i = 0; i < r->progs.n; i++)
		if (r->progs.v[i]->step == step)
			return r->progs.v[i];
	return NULL;
}

/* "exit 3, at +35.2 ms (during step 4)": how and when a service ended on its own. */
static void end_describe(const struct run *r, const struct prog_slot *slot, char *buf, size_t len)
{
	char status[64], when[64];

	if (slot->ended_step < r->lab->n_steps)
		snprintf(when, sizeof(when), "during step %zu", slot->ended_step + 1);
	else
		snprintf(when, sizeof(when), "after the last step");
	snprintf(buf, len, "%s, at +%.1f ms (%s)",
		 nodeproc_status_str(slot->np.status, status, sizeof(status)),
		 (double)(slot->ended_ns - r->start_mono) / 1e6, when);
}

/*
 * A service that ended before it was stopped fails at its own step unless its
 * exit: allows that status. Judges each such end once.
 */
static int judge_end(struct run *r, struct prog_slot *slot)
{
	const struct lab_step *st = &r->lab->steps[slot->step];
	const struct step_prog *g = &st->prog;
	char how[160], *line, *msg = NULL;
	size_t size = 0;
	FILE *f;

	if (!slot->ended_ns || slot->end_judged)
		return 0;
	slot->end_judged = true;
	if (g->exit_code == EXIT_ANY || g->exit_code == slot->np.status)
		return 0;
	/* The rest of its output: its processes are gone, so the pipes end at once. */
	if (wait_gone(r, slot, now_mono_ns() + KILL_WAIT_NS) < 0)
		return -1;
	end_describe(r, slot, how, sizeof(how));
	f = open_memstream(&msg, &size);
	fprintf(f, "%s:%d: service %s in node %s ended before it was stopped: %s; ", st->loc.file,
		st->loc.line, st->name, r->lab->nodes[g->node].name, how);
	if (g->exit_code == EXIT_NEVER)
		fprintf(f, "a service that may end on its own says so (exit: %d, or exit: any)\n",
			slot->np.status);
	else
		fprintf(f, "expected exit %d\n", g->exit_code);
	put_output(f, &slot->np);
	fclose(f);
	line = xasprintf("%s: service %s ended on its own: %s", st->name, st->name, how);
	report_step(&r->rep, slot->step, NFLAB_FAIL, line, 0);
	free(line);
	line = run_indent(msg);
	report_detail(&r->rep, slot->step, line);
	free(line);
	free(msg);
	r->late_failed++;
	return 0;
}

int progs_judge_ends(struct run *r)
{
	size_t i;

	for (i = 0; i < r->progs.n; i++)
		if (judge_end(r, r->progs.v[i]))
			return -1;
	return 0;
}

/* SIGTERM, the grace, then SIGKILL. Returns 0 or -1; how it ended into how. */
static int stop_slot(struct run *r, struct prog_slot *slot, char *how, size_t len)
{
	const struct lab_step *st = &r->lab->steps[slot->step];
	char status[64];
	int rc;

	slot->stopping = true;
	nodeproc_signal(&slot->np, SIGTERM);
	rc = wait_gone(r, slot, now_mono_ns() + st->prog.grace_ns);
	if (rc < 0)
		return -1;
	if (!rc) {
		if (kill_slot(r, slot))
			return -1;
		snprintf(how, len, "killed after a %.3g s grace", (double)st->prog.grace_ns / 1e9);
		return 0;
	}
	if (slot->np.status == 128 + SIGTERM)
		snprintf(how, len, "ended by SIGTERM");
	else
		snprintf(how, len, "%s after SIGTERM",
			 nodeproc_status_str(slot->np.status, status, sizeof(status)));
	return 0;
}

int step_stop(struct run *r, const struct lab_step *st, char *text, size_t len, char **detail)
{
	const char *name = r->lab->steps[st->prog.target].name;
	struct prog_slot *slot = slot_of(r, st->prog.target);
	char how[200], when[160];

	snprintf(text, len, "stop %s", name);
	if (!slot || !slot->service)
		return diag_set(&r->d, "service %s was never started", name);
	/* What has happened already is known before the signal: an end of its own is its own. */
	if (run_drain(r))
		return -1;
	if (slot_ended(r, slot)) {
		/* Its end was judged at its own step; here, as any stop, status and output. */
		if (judge_end(r, slot) || wait_gone(r, slot, now_mono_ns() + KILL_WAIT_NS) < 0)
			return -1;
		end_describe(r, slot, when, sizeof(when));
		snprintf(how, sizeof(how), "it had ended on its own: %s", when);
	} else if (stop_slot(r, slot, how, sizeof(how))) {
		return -1;
	}
	slot->service = false;
	snprintf(text, len, "stop %s: %s", name, how);
	return judge(st, &st->prog, &slot->np, false, detail) ? NFLAB_PASS : NFLAB_FAIL;
}

/* Copies one file of the lab's /tmp to dir/<its base name>. Returns 0 or -1. */
static int keep_file(struct run *r, const char *path, const char *dir)
{
	const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	char *to = outfile_join(dir, base, &r->d), buf[65536];
	int in = -1, rc = -1;
	struct stat st;
	struct outfile of;
	ssize_t n = 0;

	if (!to)
		return -1;
	/* O_NONBLOCK: a FIFO a program left there must not hold the run. */
	in = open_in_lab_tmp(r->progs.fs.mfd, path, O_RDONLY | O_NONBLOCK);
	if (in < 0) {
		diag_errno(&r->d, "keep: /tmp/%s of the lab", path);
		goto out;
	}
	if (fstat(in, &st) || !S_ISREG(st.st_mode)) {
		diag_set(&r->d, "keep: /tmp/%s of the lab is not a regular file", path);
		goto out;
	}
	if (!outfile_open(&of, to, &r->d)) {
		diag_prefix(&r->d, "keep");
		goto out;
	}
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (fwrite(buf, 1, (size_t)n, of.f) != (size_t)n)
			break;
	if (n != 0) {
		diag_errno(&r->d, "keep: cannot copy /tmp/%s of the lab to %s", path, to);
		outfile_discard(&of);
	} else {
		rc = outfile_commit(&of, &r->d);
	}
out:
	if (in >= 0)
		close(in);
	free(to);
	return rc;
}

int progs_keep(struct run *r, const char *dir)
{
	size_t i;

	if (r->lab->n_keep && !r->progs.fs_open)
		return diag_set(&r->d, "keep: no program ran, so the lab's /tmp is empty");
	for (i = 0; i < r->lab->n_keep; i++)
		if (keep_file(r, r->lab->keep[i], dir))
			return -1;
	return 0;
}

bool progs_running(const struct run *r)
{
	size_t i;

	for (i = 0; i < r->progs.n; i++)
		if (r->progs.v[i]->service && !r->progs.v[i]->np.exited)
			return true;
	return false;
}

int progs_stop_all(struct run *r)
{
	char how[128];
	size_t i;

	/* Ends of their own first, so none is taken for the effect of SIGTERM. */
	if (run_drain(r))
		return -1;
	for (i = 0; i < r->progs.n; i++)
		if (r->progs.v[i]->service)
			slot_ended(r, r->progs.v[i]);
	if (progs_judge_ends(r))
		return -1;
	for (i = r->progs.n; i-- > 0;) {
		struct prog_slot *slot = r->progs.v[i];

		if (slot->service && !slot->np.exited && stop_slot(r, slot, how, sizeof(how)))
			return -1;
		slot->service = false;
	}
	return 0;
}

void progs_release(struct progs *ps)
{
	size_t i;

	for (i = ps->n; i-- > 0;) {
		nodeproc_release(&ps->v[i]->np);
		free(ps->v[i]);
	}
	free(ps->v);
	for (i = 0; ps->envp && ps->envp[i]; i++)
		free(ps->envp[i]);
	free(ps->envp);
	if (ps->fs_open)
		labfs_close(&ps->fs);
	memset(ps, 0, sizeof(*ps));
}
