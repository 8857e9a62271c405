// SPDX-License-Identifier: GPL-2.0-or-later
/* Child processes run inside a node's netns, that die with nflab. */
#include "util/proc.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util/xalloc.h"

/* Only async-signal-safe calls between fork and exec. */
static void child(int nsfd, pid_t parent, int in, int out, int status, char *const argv[])
{
	int err;

	/* A killed nflab takes its children along; the check closes the race with its death. */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) || getppid() != parent)
		_exit(127);
	if (setns(nsfd, CLONE_NEWNET))
		goto fail;
	if (dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(out, 2) < 0)
		goto fail;
	execvp(argv[0], argv);
fail:
	err = errno;
	if (write(status, &err, sizeof(err)) < 0)
		_exit(127);
	_exit(127);
}

/* Feeds input and collects output together, so neither pipe can fill and deadlock. */
static int pump_io(int in, int out, const char *input, size_t len, char **output, struct diag *d)
{
	size_t off = 0, used = 0, cap = 4096;
	char *buf = xmalloc(cap);

	if (len == 0) {
		close(in);
		in = -1;
	}
	while (out >= 0) {
		struct pollfd p[2] = {{.fd = out, .events = POLLIN}, {.fd = in, .events = POLLOUT}};
		ssize_t n;

		if (poll(p, in >= 0 ? 2 : 1, -1) < 0) {
			if (errno == EINTR)
				continue;
			free(buf);
			return diag_errno(d, "poll");
		}
		if (in >= 0 && p[1].revents) {
			n = write(in, input + off, len - off);
			if (n > 0)
				off += (size_t)n;
			if (n < 0 || off == len) {
				close(in);
				in = -1;
			}
		}
		if (p[0].revents) {
			if (used + 1024 > cap)
				buf = xrealloc(buf, cap *= 2);
			n = read(out, buf + used, cap - used - 1);
			if (n > 0) {
				used += (size_t)n;
			} else if (n == 0 || errno != EINTR) {
				close(out);
				out = -1;
			}
		}
	}
	if (in >= 0)
		close(in);
	buf[used] = '\0';
	*output = buf;
	return 0;
}

int proc_run_in_netns(int nsfd, char *const argv[], const char *input, size_t input_len,
		      struct proc_result *res, struct diag *d)
{
	int in[2], out[2], st[2], err = 0, wstatus;
	struct sigaction ign = {.sa_handler = SIG_IGN}, old;
	pid_t parent = getpid(), pid;
	ssize_t n;

	memset(res, 0, sizeof(*res));
	if (pipe2(in, O_CLOEXEC) || pipe2(out, O_CLOEXEC) || pipe2(st, O_CLOEXEC))
		return diag_errno(d, "pipe");
	/* The child may exit before reading all of its input. */
	sigaction(SIGPIPE, &ign, &old);
	pid = fork();
	if (pid < 0) {
		diag_errno(d, "fork");
		goto err_close;
	}
	if (pid == 0)
		child(nsfd, parent, in[0], out[1], st[1], argv);
	close(in[0]);
	close(out[1]);
	close(st[1]);
	n = read(st[0], &err, sizeof(err));
	close(st[0]);
	if (pump_io(in[1], out[0], input, input_len, &res->output, d)) {
		waitpid(pid, &wstatus, 0);
		sigaction(SIGPIPE, &old, NULL);
		return -1;
	}
	while (waitpid(pid, &wstatus, 0) < 0 && errno == EINTR)
		;
	sigaction(SIGPIPE, &old, NULL);
	if (n == (ssize_t)sizeof(err)) {
		free(res->output);
		res->output = NULL;
		errno = err;
		if (err == ENOENT) {
			diag_set(d, "%s: not found", argv[0]);
			d->err = ENOENT;
			return -1;
		}
		return diag_errno(d, "cannot run %s", argv[0]);
	}
	res->status = WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : 128 + WTERMSIG(wstatus);
	return 0;
err_close:
	close(in[0]);
	close(in[1]);
	close(out[0]);
	close(out[1]);
	close(st[0]);
	close(st[1]);
	sigaction(SIGPIPE, &old, NULL);
	return -1;
}
