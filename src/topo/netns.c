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
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util/rootless.h"

static int home_fd = -1;
static int userns_fd = -1; /* the lab's user namespace */
static int factory = -1;   /* nflab's end of the socket to the factory */
static pid_t factory_pid;
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

/*
 * The factory: unshares a user namespace, waits for nflab to write its maps,
 * then makes one network namespace inside it per request byte. Ends with nflab.
 */
static void factory_main(int sock, pid_t parent)
{
	struct sigaction ign = {.sa_handler = SIG_IGN};
	char c;
	int fd;

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
	while (read(sock, &c, 1) == 1) {
		if (unshare(CLONE_NEWNET)) {
			send_fd(sock, -1, errno);
			continue;
		}
		fd = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
		send_fd(sock, fd, fd < 0 ? errno : 0);
		if (fd >= 0)
			close(fd);
	}
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

void netns_userns_close(void)
{
	if (userns_fd >= 0)
		close(userns_fd);
	userns_fd = -1;
	if (factory >= 0) {
		close(factory); /* the factory reads end of file and ends */
		while (waitpid(factory_pid, NULL, 0) < 0 && errno == EINTR)
			;
	}
	factory = -1;
}

int netns_home_fd(void)
{
	return home_fd;
}

int netns_new(struct diag *d)
{
	int fd;

	if (factory >= 0) {
		if (write(factory, "n", 1) != 1 || (fd = recv_fd(factory)) < 0)
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
