// SPDX-License-Identifier: GPL-2.0-or-later
/* `nflab test`: many labs, each in its own process and namespaces, in parallel. */
#include "suite/suite.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lab/lab.h"
#include "report/report.h"
#include "report/suite_report.h"
#include "run/run.h"
#include "util/clock.h"
#include "util/heap.h"
#include "util/interrupt.h"
#include "util/kernel.h"
#include "util/outfile.h"
#include "util/utf8.h"
#include "util/xalloc.h"

#define PROGRESS_MS 250 /* a terminal's progress line is redrawn this often */

/* A run in progress. */
struct job {
	size_t idx; /* into the result's runs */
	pid_t pid;
	int out_fd, machine_fd; /* memfds the child writes its reports to */
	uint64_t start, deadline;
};

struct suite {
	const struct suite_opts *o;
	struct suite_result *res;
	struct job *jobs;
	size_t running;
	int sigfd;		    /* SIGCHLD, SIGINT and SIGTERM as a file */
	sigset_t child_mask;	    /* the signal mask children start with */
	struct outfile junit, json; /* opened before anything runs */
	size_t tap_seq;		    /* TAP results printed so far */
	bool tty, color;
	uint64_t start;
};

static char *artifacts_for(const struct suite_opts *o, const struct lab_result *lr)
{
	char *name, *p;

	if (!o->artifacts_dir)
		return NULL;
	name = o->repeat > 1 ? xasprintf("%s-run%u", lr->path, lr->run) : xstrdup(lr->path);
	for (p = name; *p; p++)
		if (*p == '/')
			*p = '_';
	p = xasprintf("%s/%s", o->artifacts_dir, name);
	free(name);
	return p;
}

/* The child: one run of one lab, its reports into the memfds. Never returns. */
static void child(const struct suite_opts *o, const sigset_t *mask, const struct lab_result *lr,
		  int out_fd, int mfd)
{
	struct run_opts ro = {0};
	struct diag d = DIAG_INIT;
	struct lab *lab;
	FILE *machine;
	int rc;

	/* Its own group, so a timeout kills whatever it started; and it dies with us. */
	setpgid(0, 0);
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	sigprocmask(SIG_SETMASK, mask, NULL);
	if (dup2(out_fd, STDOUT_FILENO) < 0 || dup2(out_fd, STDERR_FILENO) < 0)
		_exit(NFLAB_ERROR);
	machine = fdopen(mfd, "w");
	if (!machine)
		_exit(NFLAB_ERROR);
	setvbuf(stdout, NULL, _IOLBF, 0);
	heap_prepare(); /* its own: the parent's pages are only shared copy-on-write */
	lab = lab_load(lr->path, o->topo_dir, &d);
	if (!lab) {
		struct report rep;

		report_init(&rep, stdout, false, machine);
		report_diag(&rep, &d);
		fclose(machine);
		_exit(d.outcome ? d.outcome : NFLAB_ERROR);
	}
	ro.out = stdout;
	ro.machine = machine;
	ro.artifacts_dir = artifacts_for(o, lr);
	ro.fate = o->fate;
	ro.pcap_classic = o->pcap_classic;
	rc = run_lab(lab, &ro);
	fflush(stdout);
	fclose(machine);
	free((char *)ro.artifacts_dir);
	lab_free(lab);
	_exit(rc);
}

/* What the interrupt handler reports: the labs running now. */
static void note_running(struct suite *s)
{
	char list[400] = "";
	size_t i, n = 0;

	for (i = 0; i < s->running && n < sizeof(list); i++)
		n += (size_t)snprintf(list + n, sizeof(list) - n, "%s%s", i ? ", " : "",
				      s->res->runs[s->jobs[i].idx].path);
	interrupt_doing("running %zu lab%s: %s", s->running, s->running == 1 ? "" : "s", list);
}

static int start(struct suite *s, size_t idx, struct diag *d)
{
	struct job *j = &s->jobs[s->running];
	struct lab_result *lr = &s->res->runs[idx];

	memset(j, 0, sizeof(*j));
	j->idx = idx;
	j->out_fd = memfd_create("nflab-out", MFD_CLOEXEC);
	j->machine_fd = memfd_create("nflab-machine", MFD_CLOEXEC);
	if (j->out_fd < 0 || j->machine_fd < 0)
		return diag_errno(d, "memfd_create");
	fflush(NULL);
	j->pid = fork();
	if (j->pid < 0)
		return diag_errno(d, "fork");
	if (j->pid == 0)
		child(s->o, &s->child_mask, lr, j->out_fd, j->machine_fd);
	setpgid(j->pid, j->pid); /* also here: no race with a kill at the timeout */
	j->start = now_mono_ns();
	j->deadline = s->o->timeout_s > 0 ? j->start + (uint64_t)(s->o->timeout_s * 1e9) : 0;
	s->running++;
	note_running(s);
	return 0;
}

static char *read_memfd(int fd)
{
	off_t size = lseek(fd, 0, SEEK_END);
	char *buf = xmalloc(size > 0 ? (size_t)size + 1 : 1);
	ssize_t n = size > 0 ? pread(fd, buf, (size_t)size, 0) : 0;

	buf[n > 0 ? n : 0] = '\0';
	return buf;
}

/* Undoes the report's escaping of one field, in place. */
static char *unescape(char *s)
{
	char *o = s, *p;

	for (p = s; *p; p++) {
		if (*p == '\\' && p[1]) {
			p++;
			*o++ = *p == 'n' ? '\n' : *p == 't' ? '\t' : *p;
		} else {
			*o++ = *p;
		}
	}
	*o = '\0';
	return s;
}

static int verdict_of(const char *word)
{
	return !strcmp(word, "PASS")   ? NFLAB_PASS
	       : !strcmp(word, "FAIL") ? NFLAB_FAIL
	       : !strcmp(word, "SKIP") ? NFLAB_SKIP
				       : NFLAB_ERROR;
}

/* Reads the run's machine report: "step", "detail" and "diag" records. */
static void parse_machine(struct lab_result *lr, char *text)
{
	char *save = NULL, *line;

	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *f[5] = {0}, *p = line;
		int n = 0;

		while (n < 5 && p) {
			f[n++] = p;
			p = n < 5 ? strchr(p, '\t') : NULL;
			if (p)
				*p++ = '\0';
		}
		if (!strcmp(f[0], "step") && n == 5) {
			struct step_result *st;

			XGROW(lr->steps, lr->n_steps, lr->cap_steps);
			st = &lr->steps[lr->n_steps++];
			memset(st, 0, sizeof(*st));
			st->index = (unsigned int)strtoul(f[1], NULL, 10);
			st->verdict = verdict_of(f[2]);
			st->ms = strtod(f[3], NULL);
			st->text = xstrdup(unescape(f[4]));
		} else if (!strcmp(f[0], "detail") && n >= 3) {
			unsigned int idx = (unsigned int)strtoul(f[1], NULL, 10);
			size_t i;

			/* The latest record of that step: a service's end comes after its start. */
			for (i = lr->n_steps; i-- > 0;)
				if (lr->steps[i].index == idx) {
					if (!lr->steps[i].detail)
						lr->steps[i].detail = xstrdup(unescape(f[2]));
					break;
				}
		} else if (!strcmp(f[0], "diag") && n >= 3) {
			free(lr->diag);
			lr->diag = xstrdup(unescape(f[2]));
		} else if (!strcmp(f[0], "skipped") && n >= 3) {
			lr->skipped_checks = (unsigned int)strtoul(f[1], NULL, 10);
			free(lr->skip_why);
			lr->skip_why = xstrdup(unescape(f[2]));
		}
	}
}

static void progress_clear(struct suite *s)
{
	if (s->tty)
		fputs("\r\033[K", s->o->out);
}

static void progress(struct suite *s, size_t done, size_t total)
{
	const struct suite_result *r = s->res;

	if (!s->tty)
		return;
	fprintf(s->o->out, "\r\033[K[%zu/%zu] %zu failed, %zu errors, %.1f s", done, total,
		r->failed, r->errors, (double)(now_mono_ns() - s->start) / 1e9);
	fflush(s->o->out);
}

/* Prints a finished run: failures whole, as they happen; passes as one line off a terminal. */
static void announce(struct suite *s, const struct lab_result *lr)
{
	FILE *f = s->o->out;
	bool bad = lr->outcome == NFLAB_FAIL || lr->outcome == NFLAB_ERROR;
	const char *col = !s->color		      ? ""
			  : bad			      ? "\033[31m"
			  : lr->outcome == NFLAB_SKIP ? "\033[33m"
						      : "\033[32m";

	progress_clear(s);
	if (bad || !s->tty) {
		fprintf(f, "%s%-5s%s ", col, outcome_name(lr->outcome), s->color ? "\033[0m" : "");
		utf8_write_term(f, lr->path, false);
		if (s->o->repeat > 1)
			fprintf(f, " (run %u)", lr->run);
		if (kernel_guest_release()) /* inside a --kernel VM */
			fprintf(f, " on kernel %s", kernel_guest_release());
		fprintf(f, " (%.0f ms", lr->ms);
		if (lr->skipped_checks && lr->outcome != NFLAB_SKIP)
			fprintf(f, ", %u check%s skipped", lr->skipped_checks,
				lr->skipped_checks == 1 ? "" : "s");
		fprintf(f, ")%s", lr->outcome == NFLAB_SKIP && lr->diag ? ": " : "");
		if (lr->outcome == NFLAB_SKIP && lr->diag)
			utf8_write_term(f, lr->diag, true);
		fputc('\n', f);
	}
	if (lr->outcome == NFLAB_SKIP && lr->diag && lr->diag[strlen(lr->diag) - 1] != '\n')
		fputc('\n', f);
	if (bad)
		fprintf(f, "%s", lr->output);
}

/* Why a run is stopped before it ends. */
enum stop {
	STOP_NONE,
	STOP_TIMEOUT,
	STOP_INTERRUPT
};

static bool is_job(const struct suite *s, pid_t pid)
{
	size_t i;

	for (i = 0; i < s->running; i++)
		if (s->jobs[i].pid == pid)
			return true;
	return false;
}

/*
 * A lab's namespace factory outlives its lab's process for a grace period or
 * two, closing the lab's packet sockets (netns_close_later()); the suite is
 * their subreaper, so they come back to it. Reaps those that ended, or, with
 * all, waits for every one: the suite leaves no process behind.
 */
static void reap_orphans(const struct suite *s, bool all)
{
	siginfo_t si;

	for (;;) {
		memset(&si, 0, sizeof(si));
		if (waitid(P_ALL, 0, &si, WEXITED | WNOWAIT | (all ? 0 : WNOHANG))) {
			if (errno == EINTR)
				continue;
			return; /* ECHILD: none left */
		}
		if (!si.si_pid || is_job(s, si.si_pid))
			return; /* none ended yet, or a lab's own: wait_some() takes it */
		while (waitpid(si.si_pid, NULL, 0) < 0 && errno == EINTR)
			;
	}
}

/*
 * A finished child (its wait status) or one stopped here (killed with its
 * group: past its deadline, or the suite was interrupted): collect its reports
 * and its verdict.
 */
static void finish(struct suite *s, struct job *j, int status, enum stop stop)
{
	struct lab_result *lr = &s->res->runs[j->idx];
	bool killed = stop != STOP_NONE;
	char *machine;

	if (killed) {
		kill(-j->pid, SIGKILL);
		while (waitpid(j->pid, &status, 0) < 0 && errno == EINTR)
			;
	}
	lr->ms = (double)(now_mono_ns() - j->start) / 1e6;
	lr->output = read_memfd(j->out_fd);
	machine = read_memfd(j->machine_fd);
	parse_machine(lr, machine);
	free(machine);
	if (killed) {
		lr->timed_out = stop == STOP_TIMEOUT;
		lr->interrupted = stop == STOP_INTERRUPT;
		lr->outcome = NFLAB_ERROR;
		free(lr->diag);
		if (lr->interrupted)
			lr->diag = xasprintf("interrupted by %s after %.1f s: killed, with "
					     "everything it had made",
					     s->res->interrupted, lr->ms / 1000);
		else
			lr->diag = xasprintf("timed out after %g s: killed, with everything it "
					     "had made",
					     s->o->timeout_s);
		lr->output = xrealloc(lr->output, strlen(lr->output) + strlen(lr->diag) + 16);
		strcat(strcat(strcat(lr->output, "error: "), lr->diag), "\n");
	} else if (WIFEXITED(status)) {
		int code = WEXITSTATUS(status);

		lr->outcome = code == NFLAB_PASS || code == NFLAB_FAIL || code == NFLAB_SKIP
				      ? code
				      : NFLAB_ERROR;
	} else {
		lr->outcome = NFLAB_ERROR;
		free(lr->diag);
		lr->diag = xasprintf("killed by signal %d", WTERMSIG(status));
	}
	close(j->out_fd);
	close(j->machine_fd);
	switch (lr->outcome) {
	case NFLAB_PASS:
		s->res->passed++;
		break;
	case NFLAB_FAIL:
		s->res->failed++;
		break;
	case NFLAB_SKIP:
		s->res->skipped++;
		break;
	default:
		s->res->errors++;
	}
	if (s->o->artifacts_dir && (lr->outcome == NFLAB_FAIL || lr->outcome == NFLAB_ERROR)) {
		char *dir = artifacts_for(s->o, lr), *path = xasprintf("%s/output.txt", dir);
		struct diag d = DIAG_INIT;

		mkdir(dir, 0755);
		if (outfile_write(path, lr->output, strlen(lr->output), &d))
			diag_print(&d, s->o->out);
		free(path);
		free(dir);
	}
	announce(s, lr);
	if (s->o->tap)
		suite_tap_result(lr, ++s->tap_seq, s->o->repeat, s->o->tap);
	*j = s->jobs[--s->running];
	note_running(s);
}

/* Waits for a child to end, a timeout, or the next progress tick. Returns 0 or -1. */
static int wait_some(struct suite *s, struct diag *d)
{
	struct pollfd pfd = {.fd = s->sigfd, .events = POLLIN};
	uint64_t now = now_mono_ns(), wake = now + (s->tty ? PROGRESS_MS : 60000) * 1000000ull;
	struct signalfd_siginfo si;
	size_t i;

	for (i = 0; i < s->running; i++)
		if (s->jobs[i].deadline && s->jobs[i].deadline < wake)
			wake = s->jobs[i].deadline;
	if (poll(&pfd, 1, wake > now ? (int)((wake - now) / 1000000 + 1) : 0) < 0 && errno != EINTR)
		return diag_errno(d, "poll");
	/* SIGCHLDs merge: look at every child below, and at the orphans (reap_orphans()). */
	while (read(s->sigfd, &si, sizeof(si)) == sizeof(si))
		if (si.ssi_signo != SIGCHLD && !s->res->interrupted)
			s->res->interrupted = si.ssi_signo == SIGINT ? "SIGINT" : "SIGTERM";
	now = now_mono_ns();
	/* Backwards: finish() moves the last job into the finished one's place. */
	for (i = s->running; i-- > 0;) {
		int status;

		if (waitpid(s->jobs[i].pid, &status, WNOHANG) == s->jobs[i].pid)
			finish(s, &s->jobs[i], status, STOP_NONE);
		else if (s->res->interrupted)
			finish(s, &s->jobs[i], 0, STOP_INTERRUPT);
		else if (s->jobs[i].deadline && now >= s->jobs[i].deadline)
			finish(s, &s->jobs[i], 0, STOP_TIMEOUT);
	}
	reap_orphans(s, false);
	return 0;
}

/* Opens every output before anything runs: a bad path ends the suite at once. */
static int open_outputs(struct suite *s, struct diag *d)
{
	const struct suite_opts *o = s->o;

	if (o->artifacts_dir && outfile_check_dir(o->artifacts_dir, d))
		return -1;
	if (o->junit_path && !outfile_open(&s->junit, o->junit_path, d))
		return -1;
	if (o->json_path && !outfile_open(&s->json, o->json_path, d))
		return -1;
	return 0;
}

/* The exit status: nothing failed is a pass only if something did run. */
static int verdict(const struct suite_result *res, const struct suite_opts *o)
{
	if (res->interrupted)
		return !strcmp(res->interrupted, "SIGINT") ? 128 + SIGINT : 128 + SIGTERM;
	if (res->failed || res->errors)
		return NFLAB_FAIL;
	if (!res->passed && res->skipped && !o->accept_skip)
		return NFLAB_SKIP;
	return NFLAB_PASS;
}

static void summary(const struct suite *s, size_t total)
{
	const struct suite_result *res = s->res;
	FILE *f = s->o->out;

	fprintf(f, "%zu passed, %zu failed, %zu skipped, %zu errors (%zu runs, %.1f s)\n",
		res->passed, res->failed, res->skipped, res->errors, res->n, res->ms / 1000);
	if (res->interrupted)
		fprintf(f,
			"nflab: interrupted by %s: %zu of %zu runs were not started; the "
			"reports cover the %zu that were\n",
			res->interrupted, total - res->n, total, res->n);
	else if (!res->passed && res->skipped && !res->failed && !res->errors)
		fprintf(f, "nflab: every run was skipped (reasons above)%s\n",
			s->o->accept_skip ? "; accepted by --accept-skip" : ": exit 77");
}

int suite_run(const struct lab_list *labs, const struct suite_opts *o, struct suite_result *res)
{
	struct suite s = {.o = o, .res = res, .junit = OUTFILE_INIT, .json = OUTFILE_INIT};
	size_t i, next = 0, done, total;
	struct diag d = DIAG_INIT;
	const char *nc = getenv("NO_COLOR");
	sigset_t mask;
	int rc = 0;

	memset(res, 0, sizeof(*res));
	res->started = time(NULL);
	total = res->n = labs->n * o->repeat;
	res->runs = xcalloc(res->n + 1, sizeof(*res->runs));
	for (i = 0; i < res->n; i++) {
		res->runs[i].path = labs->paths[i / o->repeat];
		res->runs[i].run = (unsigned int)(i % o->repeat) + 1;
	}
	s.jobs = xcalloc(o->jobs + 1, sizeof(*s.jobs));
	if (open_outputs(&s, &d)) {
		diag_print(&d, stderr);
		outfile_discard(&s.junit);
		outfile_discard(&s.json);
		free(s.jobs);
		return NFLAB_ERROR;
	}
	/*
	 * Blocked, these signals are only read from the signalfd: no handler, no
	 * race. SIGINT and SIGTERM stop the runs and the reports are still written.
	 */
	sigemptyset(&mask);
	sigaddset(&mask, SIGCHLD);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigprocmask(SIG_BLOCK, &mask, &s.child_mask);
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	s.sigfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	if (s.sigfd < 0) {
		diag_errno(&d, "signalfd");
		rc = -1;
	}
	s.tty = isatty(fileno(o->out));
	s.color = s.tty && !(nc && *nc);
	s.start = now_mono_ns();
	if (o->tap)
		suite_tap_plan(res->n, o->tap);
	while (!rc && ((next < res->n && !res->interrupted) || s.running)) {
		while (!rc && next < res->n && s.running < o->jobs && !res->interrupted)
			rc = start(&s, next++, &d);
		if (!rc)
			rc = wait_some(&s, &d);
		done = res->passed + res->failed + res->skipped + res->errors;
		progress(&s, done, res->n);
	}
	while (s.running) /* only after an error: stop what runs */
		finish(&s, &s.jobs[s.running - 1], 0, STOP_TIMEOUT);
	reap_orphans(&s, true);
	prctl(PR_SET_CHILD_SUBREAPER, 0);
	close(s.sigfd);
	sigprocmask(SIG_SETMASK, &s.child_mask, NULL);
	progress_clear(&s);
	free(s.jobs);
	res->ms = (double)(now_mono_ns() - s.start) / 1e6;
	if (res->interrupted) {
		res->n = next; /* runs are started in order: the rest never ran */
		if (o->tap)
			fprintf(o->tap, "Bail out! interrupted by %s\n", res->interrupted);
	}
	if (rc) {
		diag_print(&d, o->out);
		outfile_discard(&s.junit);
		outfile_discard(&s.json);
		return NFLAB_ERROR;
	}
	summary(&s, total);
	if (suite_reports_write(res, o->repeat, &s.junit, &s.json, &d)) {
		diag_print(&d, o->out);
		return NFLAB_ERROR;
	}
	return verdict(res, o);
}

void suite_result_release(struct suite_result *res)
{
	size_t i, k;

	for (i = 0; i < res->n; i++) {
		struct lab_result *lr = &res->runs[i];

		for (k = 0; k < lr->n_steps; k++) {
			free(lr->steps[k].text);
			free(lr->steps[k].detail);
		}
		free(lr->steps);
		free(lr->output);
		free(lr->diag);
		free(lr->skip_why);
	}
	free(res->runs);
	memset(res, 0, sizeof(*res));
}
