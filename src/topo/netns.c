// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Anonymous network namespaces held by file descriptors: they vanish with the
 * process. They belong to the lab's user namespace, made by nflab first: a
 * process inside it (the factory) unshares each one and passes it back, so
 * nflab, in the parent user namespace, keeps every power over them while the
 * lab's programs, inside, have power over the lab's namespaces only.
 */
#include "topo/netns.h"

#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util/parallel.h"
#include "util/rootless.h"

#define NETNS_AHEAD 8

static int home_fd = -1;
static int userns_fd = -1; /* the lab's user namespace */
static int factory = -1;   /* nflab's end of the socket to the factory */
static pid_t factory_pid;
static bool handed;	     /* the factory has sockets to close: not waited for */
static pid_t closing[16]; /* factories closing handed sockets, to reap */
static size_t asked;  /* namespaces asked of the factory and not received yet */
static size_t upcoming; /* namespaces the caller said it will want, not asked yet */
static uid_t lab_uid; /* lab root's ids on nflab's side */
static gid_t lab_gid;

int netns_home_open(struct diag *d)
{
	if (home_fd >= 0)
		return 0;
	home_fd = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	if (home_fd < 0)
		return diag_errno(d, "cannot open the current network namespace");
	return 0;
}

void netns_home_close(void)
{
	if (home_fd >= 0)
		close(home_fd);
	home_fd = -1;
	netns_userns_close();
}

/* Passes fd (or, for fd < 0, the error err) over the factory's socket. */
static int send_fd(int sock, int fd, int err)
{
	char cbuf[CMSG_SPACE(sizeof(int))] = {0};
	struct iovec iov = {.iov_base = &err, .iov_len = sizeof(err)};
	struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};
	struct cmsghdr *c;

	if (fd >= 0) {
		mh.msg_control = cbuf;
		mh.msg_controllen = sizeof(cbuf);
		c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &fd, sizeof(int));
	}
	return sendmsg(sock, &mh, MSG_NOSIGNAL) < 0 ? -1 : 0;
}

/* Receives an fd from the factory; -1 with errno set from its error. */
static int recv_fd(int sock)
{
	char cbuf[CMSG_SPACE(sizeof(int))];
	int err = 0, fd = -1;
	struct iovec iov = {.iov_base = &err, .iov_len = sizeof(err)};
	struct msghdr mh = {.msg_iov = &iov,
			    .msg_iovlen = 1,
			    .msg_control = cbuf,
			    .msg_controllen = sizeof(cbuf)};
	struct cmsghdr *c;
	ssize_t n;

	while ((n = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC)) < 0 && errno == EINTR)
		;
	if (n != (ssize_t)sizeof(err)) {
		errno = n < 0 ? errno : EPIPE;
		return -1;
	}
	c = CMSG_FIRSTHDR(&mh);
	if (c && c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS)
		memcpy(&fd, CMSG_DATA(c), sizeof(int));
	if (fd < 0)
		errno = err ? err : EPROTO;
	return fd;
}

#define CLOSE_BATCH 64 /* fds handed over in one message */

static void close_one(void *arg, size_t i)
{
	close(((int *)arg)[i]);
}

/*
 * Reads a request: 'n' to make a network namespace, 'c' with fds attached to
 * hold, 'C' to close those held (nflab has closed its copies). Returns the
 * request's byte, or 0 at end of file or on error.
 */
static char read_request(int sock, int *fds, size_t *n)
{
	char cbuf[CMSG_SPACE(CLOSE_BATCH * sizeof(int))], c = 0;
	struct iovec iov = {.iov_base = &c, .iov_len = 1};
	struct msghdr mh = {.msg_iov = &iov,
			    .msg_iovlen = 1,
			    .msg_control = cbuf,
			    .msg_controllen = sizeof(cbuf)};
	struct cmsghdr *cm;
	ssize_t got;

	*n = 0;
	while ((got = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC)) < 0 && errno == EINTR)
		;
	if (got != 1)
		return 0;
	for (cm = CMSG_FIRSTHDR(&mh); cm; cm = CMSG_NXTHDR(&mh, cm))
		if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS) {
			*n = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
			memcpy(fds, CMSG_DATA(cm), *n * sizeof(int));
		}
	return c;
}

/*
 * The factory: unshares a user namespace, waits for nflab to write its maps,
 * then makes one network namespace inside it per 'n' request. Ends with nflab,
 * or once nflab has handed it sockets to close, after closing them.
 */
static void factory_main(int sock, pid_t parent)
{
	struct sigaction ign = {.sa_handler = SIG_IGN};
	int fds[CLOSE_BATCH], *held = NULL;
	size_t n, n_held = 0;
	char c;
	int fd;

	/*
	 * It may outlive nflab while it closes sockets: it must not hold nflab's
	 * standard streams, or whoever reads nflab's output would wait for it too.
	 */
	fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (fd < 0 || dup2(fd, 0) < 0 || dup2(fd, 1) < 0 || dup2(fd, 2) < 0)
		_exit(1);
	if (fd > 2)
		close(fd);
	/* A Ctrl-C or SIGTERM is for nflab, which reports it; this ends with nflab. */
	sigaction(SIGINT, &ign, NULL);
	sigaction(SIGTERM, &ign, NULL);
	sigaction(SIGHUP, &ign, NULL);
	sigaction(SIGPIPE, &ign, NULL);
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) || getppid() != parent)
		_exit(1);
	if (unshare(CLONE_NEWUSER)) {
		send_fd(sock, -1, errno);
		_exit(1);
	}
	send_fd(sock, -1, 0); /* ready for the maps */
	while ((c = read_request(sock, fds, &n))) {
		if (c == 'C') {
			/*
			 * nflab has closed its copies: these closes are the last, and each
			 * waits out a grace period, side by side, while nflab goes on.
			 */
			parallel_for(n_held, close_one, held);
			n_held = 0;
			continue;
		}
		if (c == 'c') {
			/* nflab goes on without waiting, and may end: this ends once they are closed. */
			prctl(PR_SET_PDEATHSIG, 0);
			held = realloc(held, (n_held + n) * sizeof(*held));
			if (!held)
				_exit(1); /* closed by the exit, one after another */
			memcpy(held + n_held, fds, n * sizeof(*fds));
			n_held += n;
			continue;
		}
		if (unshare(CLONE_NEWNET)) {
			send_fd(sock, -1, errno);
			continue;
		}
		fd = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
		send_fd(sock, fd, fd < 0 ? errno : 0);
		if (fd >= 0)
			close(fd);
	}
	/* Closed only now: nflab has closed its copies, so these closes are the last. */
	parallel_for(n_held, close_one, held);
	_exit(0);
}

/*
 * Lab root is an unprivileged id of the host: NETNS_LAB_IDS ids from
 * NETNS_LAB_ID_BASE when nflab may map them (it is root), else nflab's own
 * id (without root, nflab's user namespace maps only the invoking user).
 */
static int write_maps(pid_t pid)
{
	char map[64];

	lab_uid = NETNS_LAB_ID_BASE;
	lab_gid = NETNS_LAB_ID_BASE;
	snprintf(map, sizeof(map), "0 %u %u\n", NETNS_LAB_ID_BASE, NETNS_LAB_IDS);
	if (!rootless_proc_write(pid, "uid_map", map) && !rootless_proc_write(pid, "gid_map", map))
		return 0;
	lab_uid = geteuid();
	lab_gid = getegid();
	snprintf(map, sizeof(map), "0 %u 1\n", (unsigned int)geteuid());
	if (rootless_proc_write(pid, "uid_map", map))
		return -1;
	rootless_proc_write(pid, "setgroups", "deny"); /* needed by an unprivileged writer only */
	snprintf(map, sizeof(map), "0 %u 1\n", (unsigned int)getegid());
	return rootless_proc_write(pid, "gid_map", map);
}

int netns_userns_open(struct diag *d)
{
	char path[64];
	int sv[2], err = 0;
	ssize_t n;

	if (userns_fd >= 0)
		return 0;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv))
		return diag_errno(d, "socketpair");
	factory_pid = fork();
	if (factory_pid < 0) {
		close(sv[0]);
		close(sv[1]);
		return diag_errno(d, "fork");
	}
	if (factory_pid == 0) {
		close(sv[0]);
		factory_main(sv[1], getppid());
	}
	close(sv[1]);
	factory = sv[0];
	while ((n = read(factory, &err, sizeof(err))) < 0 && errno == EINTR)
		;
	if (n != (ssize_t)sizeof(err) || err) {
		errno = n < 0 ? errno : err ? err : EPIPE;
		diag_errno(d, "cannot create the lab's user namespace");
		goto err;
	}
	if (write_maps(factory_pid)) {
		diag_errno(d, "cannot map ids into the lab's user namespace");
		goto err;
	}
	snprintf(path, sizeof(path), "/proc/%d/ns/user", (int)factory_pid);
	userns_fd = open(path, O_RDONLY | O_CLOEXEC);
	if (userns_fd < 0) {
		diag_errno(d, "cannot open the lab's user namespace");
		goto err;
	}
	return 0;
err:
	netns_userns_close();
	return -1;
}

int netns_userns_fd(void)
{
	return userns_fd;
}

void netns_lab_root(uid_t *uid, gid_t *gid)
{
	*uid = lab_uid;
	*gid = lab_gid;
}

/*
 * A factory that closes handed sockets ends on its own, a grace period or two
 * after nflab has closed its copies (with a capture ring, a packet socket's
 * close waits for two). Reaped here by a later call when done; nflab does not
 * wait for it at exit: the last lab's factory outlives nflab by that much, and
 * the suite (its subreaper) reaps its labs' factories. 16 at most at once.
 */
static void reap_later(pid_t pid)
{
	size_t i, free_slot = 0;

	for (i = 0; i < sizeof(closing) / sizeof(closing[0]); i++) {
		if (closing[i] && waitpid(closing[i], NULL, WNOHANG) == closing[i])
			closing[i] = 0;
		if (!closing[i])
			free_slot = i;
	}
	if (closing[free_slot]) /* all busy: wait for one */
		while (waitpid(closing[free_slot], NULL, 0) < 0 && errno == EINTR)
			;
	closing[free_slot] = pid;
}

void netns_userns_close(void)
{
	if (userns_fd >= 0)
		close(userns_fd);
	userns_fd = -1;
	if (factory >= 0) {
		close(factory); /* the factory reads end of file and ends */
		if (handed)
			reap_later(factory_pid);
		else
			while (waitpid(factory_pid, NULL, 0) < 0 && errno == EINTR)
				;
	}
	factory = -1;
	handed = false;
	asked = upcoming = 0;
}

void netns_close_later(const int *fds, size_t n)
{
	char cbuf[CMSG_SPACE(CLOSE_BATCH * sizeof(int))] = {0};
	size_t i, k;

	for (i = 0; factory >= 0 && i < n; i += k) {
		struct iovec iov = {.iov_base = "c", .iov_len = 1};
		struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf};
		struct cmsghdr *c;

		k = n - i < CLOSE_BATCH ? n - i : CLOSE_BATCH;
		mh.msg_controllen = CMSG_SPACE(k * sizeof(int));
		c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(k * sizeof(int));
		memcpy(CMSG_DATA(c), fds + i, k * sizeof(int));
		if (sendmsg(factory, &mh, MSG_NOSIGNAL) < 0)
			break; /* the rest are closed here */
		handed = true;
		for (; k; k--)
			close(fds[i + k - 1]);
	}
	if (i < n)
		parallel_for(n - i, close_one, (void *)(fds + i));
	/* Ours are closed: the factory's closes now are the last ones, and it makes them. */
	if (handed && write(factory, "C", 1) != 1)
		return; /* it ends at end of file and closes them then */
}

void netns_expect(size_t n)
{
	upcoming = n;
}

static int ask_factory(struct diag *d)
{
	if (write(factory, "n", 1) != 1)
		return diag_errno(d, "cannot create a network namespace");
	asked++;
	return 0;
}

int netns_home_fd(void)
{
	return home_fd;
}

int netns_new(struct diag *d)
{
	int fd;

	if (factory >= 0) {
		/*
		 * Asked ahead, a few at a time: the factory makes the next ones while
		 * the caller sets this one up. A few, so neither side's socket buffer
		 * fills while the other waits on it.
		 */
		if (!asked) { /* this one was not asked ahead */
			if (ask_factory(d))
				return -1;
			if (upcoming)
				upcoming--;
		}
		while (upcoming && asked < NETNS_AHEAD) {
			if (ask_factory(d))
				return -1;
			upcoming--;
		}
		asked--;
		if ((fd = recv_fd(factory)) < 0)
			return diag_errno(d, "cannot create a network namespace");
		return fd;
	}
	if (unshare(CLONE_NEWNET))
		return diag_errno(d, "cannot create a network namespace");
	fd = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		diag_errno(d, "cannot open the new network namespace");
	/* Back home at once: the caller's sockets must keep being created at home. */
	if (netns_restore(d)) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

int netns_enter(int fd, struct diag *d)
{
	if (setns(fd, CLONE_NEWNET))
		return diag_errno(d, "cannot enter a network namespace");
	return 0;
}

int netns_restore(struct diag *d)
{
	if (home_fd < 0)
		return diag_set(d, "netns_restore() before netns_home_open()");
	return netns_enter(home_fd, d);
}
