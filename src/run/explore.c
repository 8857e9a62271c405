// SPDX-License-Identifier: GPL-2.0-or-later
/* A person looking around a lab: nflab shell, --pause-on-fail, and nflab exec. */
#include "run/explore.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "run/netns_names.h"
#include "run/run_priv.h"
#include "util/rootless.h"
#include "util/xalloc.h"

static int publish(struct run *r, struct netns_names *nn)
{
	int *fds = xcalloc(r->lab->n_nodes + 1, sizeof(*fds));
	size_t i;
	int rc;

	if (rootless_active()) { /* names would be nflab's alone: none */
		free(fds);
		return 0;
	}
	for (i = 0; i < r->lab->n_nodes; i++)
		fds[i] = r->b.nodes[i].nsfd;
	rc = netns_names_publish(nn, r->lab, fds, &r->d);
	free(fds);
	return rc;
}

static void tell_names(FILE *f, const struct run *r, const struct netns_names *nn)
{
	size_t i;

	if (!nn->paths) {
		fprintf(f, "  without root the nodes have no names in /run/netns: nflab exec and "
			   "ip netns cannot reach them\n");
		return;
	}
	fprintf(f, "  the nodes, for ip netns and nflab exec:\n");
	for (i = 0; i < r->lab->n_nodes; i++)
		fprintf(f, "    %-12s %s\n", r->lab->nodes[i].name, netns_names_of(nn, i));
	fprintf(f, "  from any shell: nflab exec NODE -- COMMAND, or ip netns exec %s COMMAND\n",
		netns_names_of(nn, 0));
}

int run_shell(const struct lab *lab, const char *node, const struct run_opts *o)
{
	struct run_opts shell_opts = *o;
	struct netns_names nn = {.lifeline = -1};
	const char *shell = getenv("SHELL");
	char *prompt[3], *argv[3];
	int status = 0, i = 0;
	bool ok = false;
	struct run *r;

	shell_opts.build_only = true; /* no step runs: nothing to observe */
	r = run_open(lab, &shell_opts);
	if (r->d.set)
		return run_close(r, 0, false);
	if (node && (i = lab_node_find(lab, node)) < 0) {
		diag_set(&r->d, "lab %s has no node \"%s\"", lab->name, node);
		return run_close(r, 0, false);
	}
	if (publish(r, &nn))
		goto out;
	fprintf(o->out, "nflab shell: lab %s is up, its steps not run; this shell is in node %s\n",
		lab->name, lab->nodes[i].name);
	tell_names(o->out, r, &nn);
	fprintf(o->out, "  exit the shell to take the lab down\n");
	fflush(o->out);
	/* The prompt names the node; PROMPT_COMMAND wins over a ~/.bashrc that sets PS1. */
	prompt[0] = xasprintf("PS1=[nflab %s] # ", lab->nodes[i].name);
	prompt[1] =
		xasprintf("PROMPT_COMMAND=PS1='[nflab %s] \\u@\\h:\\w\\$ '", lab->nodes[i].name);
	prompt[2] = NULL;
	argv[0] = (char *)(shell && *shell ? shell : "/bin/sh");
	argv[1] = "-i";
	argv[2] = NULL;
	ok = !progs_terminal(r, (size_t)i, argv, prompt, &status);
	free(prompt[0]);
	free(prompt[1]);
out:
	netns_names_withdraw(&nn);
	return run_close(r, 0, ok);
}

void run_pause(struct run *r)
{
	struct netns_names nn = {.lifeline = -1};
	FILE *f = r->o->out;
	char line[16];

	if (!r->b.nodes || publish(r, &nn)) {
		netns_names_withdraw(&nn);
		return;
	}
	fprintf(f, "nflab: --pause-on-fail: lab %s stays up as it ended, for a look\n",
		r->lab->name);
	tell_names(f, r, &nn);
	fprintf(f, "  press Enter (or Ctrl-C) to take it down\n");
	fflush(f);
	if (!fgets(line, sizeof(line), stdin) && ferror(stdin))
		clearerr(stdin);
	netns_names_withdraw(&nn);
}

/*
 * Until a line on standard input (Enter) or one of the signals of set (which
 * the caller blocked before it asked for them, so that none is lost or
 * kills): input that ends (no terminal, /dev/null) leaves the signals.
 * Returns 0 or -1 with d.
 */
static int wait_go_on(const sigset_t *set, struct diag *d)
{
	struct pollfd pfd[2];
	bool input = true;
	int sfd = signalfd(-1, set, SFD_CLOEXEC);
	struct timespec zero = {0, 0};

	if (sfd < 0)
		return diag_errno(d, "signalfd");
	for (;;) {
		char buf[256];
		ssize_t n;

		pfd[0] = (struct pollfd){.fd = sfd, .events = POLLIN};
		pfd[1] = (struct pollfd){.fd = input ? STDIN_FILENO : -1, .events = POLLIN};
		if (poll(pfd, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			close(sfd);
			return diag_errno(d, "poll");
		}
		if (pfd[0].revents)
			break;
		if (!pfd[1].revents)
			continue;
		n = read(STDIN_FILENO, buf, sizeof(buf));
		if (n <= 0) {
			input = false; /* no more input: only a signal goes on */
			continue;
		}
		if (memchr(buf, '\n', (size_t)n))
			break;
	}
	close(sfd);
	/* Consumed here, not delivered once unblocked. */
	while (sigtimedwait(set, NULL, &zero) > 0)
		;
	return 0;
}

int run_pause_before(struct run *r, size_t i)
{
	const struct lab_step *st = &r->lab->steps[i];
	struct netns_names nn = {.lifeline = -1};
	FILE *f = r->o->out;
	sigset_t set, old;
	size_t k;
	int rc;

	sigemptyset(&set);
	sigaddset(&set, SIGCONT);
	sigaddset(&set, SIGUSR1);
	if (sigprocmask(SIG_BLOCK, &set, &old))
		return diag_errno(&r->d, "sigprocmask");
	if (publish(r, &nn)) {
		netns_names_withdraw(&nn);
		sigprocmask(SIG_SETMASK, &old, NULL);
		return -1;
	}
	fprintf(f, "nflab: paused before step %zu (%s:%d)%s%s%s\n", i + 1, st->loc.file,
		st->loc.line, st->name ? " \"" : "", st->name ? st->name : "",
		st->name ? "\"" : "");
	tell_names(f, r, &nn);
	for (k = 0; k < r->lab->n_nodes; k++)
		fprintf(f, "    nsenter --net=/run/netns/%s  (a shell in %s)\n",
			netns_names_of(&nn, k), r->lab->nodes[k].name);
	fprintf(f,
		"  press Enter to run step %zu (or send SIGCONT or SIGUSR1 to pid %ld; "
		"Ctrl-C stops the lab)\n",
		i + 1, (long)getpid());
	fflush(f);
	rc = wait_go_on(&set, &r->d);
	netns_names_withdraw(&nn);
	sigprocmask(SIG_SETMASK, &old, NULL);
	return rc;
}

/* The /run/netns name of node in a lab open for a look: the one match, or an error. */
static int find_netns(const char *lab, const char *node, char *path, size_t len)
{
	DIR *dir = opendir("/run/netns");
	size_t nlen = strlen(node), found = 0;
	struct dirent *de;
	char want[300];

	if (!dir) {
		fprintf(stderr, "nflab exec: no lab is open (no /run/netns): start one with nflab "
				"shell, or nflab run --pause-on-fail\n");
		return -1;
	}
	snprintf(want, sizeof(want), "nflab-%s-%s", lab ? lab : "", node);
	while ((de = readdir(dir))) {
		size_t l = strlen(de->d_name);
		bool match = lab ? !strcmp(de->d_name, want)
				 : !strncmp(de->d_name, "nflab-", 6) && l > nlen + 7 &&
					     de->d_name[l - nlen - 1] == '-' &&
					     !strcmp(de->d_name + l - nlen, node);

		if (!match)
			continue;
		if (found++)
			fprintf(stderr,
				"nflab exec: node %s is in more than one open lab (%s, %s): "
				"say which with --lab NAME\n",
				node, strrchr(path, '/') + 1, de->d_name);
		snprintf(path, len, "/run/netns/%s", de->d_name);
	}
	closedir(dir);
	if (found == 1)
		return 0;
	if (!found)
		fprintf(stderr, "nflab exec: no open lab has a node %s (ip netns lists them)\n",
			node);
	return -1;
}

int exec_in_node(const char *lab, const char *node, char *const argv[])
{
	char path[512];
	int fd;

	if (find_netns(lab, node, path, sizeof(path)))
		return NFLAB_ERROR;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || setns(fd, CLONE_NEWNET)) {
		fprintf(stderr, "nflab exec: cannot enter %s: %s\n", path, strerror(errno));
		return NFLAB_ERROR;
	}
	close(fd);
	execvp(argv[0], argv);
	fprintf(stderr, "nflab exec: %s: %s\n", argv[0], strerror(errno));
	return errno == ENOENT ? 127 : 126;
}
