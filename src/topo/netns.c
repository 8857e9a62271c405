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

#include "topo/sysctl.h"
#include "util/parallel.h"
#include "util/rootless.h"

#define NETNS_AHEAD 8
#define REQUEST_MAX  4096 /* bytes of one request to the factory */
#define PROCFS_SHARE 32	  /* namespaces the factory sets up through one procfs */

static int home_fd = -1;
static int userns_fd = -1; /* the lab's user namespace */
static int factory = -1;   /* nflab's end of the socket to the factory */
static pid_t factory_pid;
static bool handed;	     /* the factory has sockets to close: not waited for */
static pid_t closing[16]; /* factories closing handed sockets, to reap */
static size_t asked;  /* namespaces asked of the factory and not received yet */
static size_t upcoming; /* namespaces the caller said it will want, not asked yet */
static netns_preset_fn preset; /* sysctls of each expected namespace, or NULL */
static void *preset_arg;
static size_t expected;			/* namespaces netns_expect() announced */
static long in_flight[NETNS_AHEAD + 1]; /* each asked one's preset number, -1 for none */
static size_t in_head;			/* in_flight's next one to receive */
static size_t procfs_uses;		/* presets sent through the factory's procfs */
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

/* Sends len bytes of buf over sock, with fd attached unless it is negative. */
static int send_with_fd(int sock, const void *buf, size_t len, int fd)
{
	char cbuf[CMSG_SPACE(sizeof(int))] = {0};
	struct iovec iov = {.iov_base = (void *)buf, .iov_len = len};
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

/*
 * Passes fd (or, for fd < 0, the error err) over the factory's socket; failed
 * is the index of the preset sysctl that err is about, or -1.
 */
static int send_fd(int sock, int fd, int err, int failed)
{
	int msg[2] = {err, failed};

	return send_with_fd(sock, msg, sizeof(msg), fd);
}

/*
 * Receives an fd from the factory; -1 with errno set from its error, and
 * *failed the index of the preset sysctl it is about (else -1).
 */
static int recv_fd(int sock, int *failed)
{
	char cbuf[CMSG_SPACE(sizeof(int))];
	int msg[2] = {0, -1}, fd = -1;
	struct iovec iov = {.iov_base = msg, .iov_len = sizeof(msg)};
	struct msghdr mh = {.msg_iov = &iov,
			    .msg_iovlen = 1,
			    .msg_control = cbuf,
			    .msg_controllen = sizeof(cbuf)};
	struct cmsghdr *c;
	ssize_t n;

	while ((n = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC)) < 0 && errno == EINTR)
		;
	*failed = -1;
	if (n != (ssize_t)sizeof(msg)) {
		errno = n < 0 ? errno : EPIPE;
		return -1;
	}
	c = CMSG_FIRSTHDR(&mh);
	if (c && c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS)
		memcpy(&fd, CMSG_DATA(c), sizeof(int));
	if (fd < 0) {
		*failed = msg[1];
		errno = msg[0] ? msg[0] : EPROTO;
	}
	return fd;
}

#define CLOSE_BATCH 64 /* fds handed over in one message */

static void close_one(void *arg, size_t i)
{
	close(((int *)arg)[i]);
}

/*
 * Reads a request into req (REQUEST_MAX bytes, *len of them): 'n' to make a
 * network namespace (its preset follows), 'p' with a procfs attached to set
 * the next ones up through, 'c' with fds attached to hold, 'C' to close those
 * held (nflab has closed its copies). Returns the request's byte, or 0 at end
 * of file or on error.
 */
static char read_request(int sock, char *req, size_t *len, int *fds, size_t *n)
{
	char cbuf[CMSG_SPACE(CLOSE_BATCH * sizeof(int))];
	struct iovec iov = {.iov_base = req, .iov_len = REQUEST_MAX};
	struct msghdr mh = {.msg_iov = &iov,
			    .msg_iovlen = 1,
			    .msg_control = cbuf,
			    .msg_controllen = sizeof(cbuf)};
	struct cmsghdr *cm;
	ssize_t got;

	*n = 0;
	while ((got = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC)) < 0 && errno == EINTR)
		;
	if (got < 1)
		return 0;
	*len = (size_t)got;
	for (cm = CMSG_FIRSTHDR(&mh); cm; cm = CMSG_NXTHDR(&mh, cm))
		if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS) {
			*n = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
			memcpy(fds, CMSG_DATA(cm), *n * sizeof(int));
		}
	return req[0];
}

/*
 * A preset travels as a count byte, then per sysctl an optional byte, the key
 * and the value, each NUL-terminated. Returns the bytes written at req (0: it
 * does not fit, or has too many).
 */
static size_t preset_pack(const struct sysctl_kv *kv, size_t n, char *req, size_t room)
{
	size_t i, at = 1;

	if (n > NETNS_PRESET_MAX || !room)
		return 0;
	req[0] = (char)n;
	for (i = 0; i < n; i++) {
		size_t k = strlen(kv[i].key) + 1, v = strlen(kv[i].value) + 1;

		if (at + 1 + k + v > room)
			return 0;
		req[at++] = kv[i].optional;
		memcpy(req + at, kv[i].key, k);
		memcpy(req + at + k, kv[i].value, v);
		at += k + v;
	}
	return at;
}

/* The sysctls of a packed preset, pointing into req; how many, or -1 if malformed. */
static int preset_unpack(char *req, size_t len, struct sysctl_kv *kv)
{
	size_t i, n, at = 1;

	if (!len)
		return 0;
	n = (unsigned char)req[0];
	if (n > NETNS_PRESET_MAX || req[len - 1])
		return -1; /* NUL-terminated at the end: strlen() below stays inside */
	for (i = 0; i < n; i++) {
		if (at + 1 >= len)
			return -1;
		kv[i].optional = req[at++];
		kv[i].key = req + at;
		at += strlen(req + at) + 1;
		if (at >= len)
			return -1;
		kv[i].value = req + at;
		at += strlen(req + at) + 1;
	}
	return (int)n;
}

/*
 * Makes a network namespace and sets its preset sysctls from inside it, through
 * procfs proc (-1: /proc). Sends nflab the namespace, or the error.
 */
static void make_netns(int sock, char *preset_req, size_t len, int proc)
{
	struct sysctl_kv kv[NETNS_PRESET_MAX];
	int n = preset_unpack(preset_req, len, kv), fd;
	size_t failed;

	if (n < 0) {
		send_fd(sock, -1, EPROTO, -1);
		return;
	}
	if (unshare(CLONE_NEWNET)) {
		send_fd(sock, -1, errno, -1);
		return;
	}
	/* Here, not in nflab: the factory is otherwise idle while nflab builds. */
	if (sysctl_write_here(proc, kv, (size_t)n, &failed)) {
		send_fd(sock, -1, errno, (int)failed);
		return;
	}
	fd = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	send_fd(sock, fd, fd < 0 ? errno : 0, -1);
	if (fd >= 0)
		close(fd);
}

/* Keeps fd among those closed at 'C' or at the end. Returns 0 or -1. */
static int hold(int **held, size_t *n_held, const int *fds, size_t n)
{
	int *more = realloc(*held, (*n_held + n) * sizeof(**held));

	if (!more)
		return -1;
	*held = more;
	memcpy(more + *n_held, fds, n * sizeof(*fds));
	*n_held += n;
	return 0;
}

/*
 * The factory: unshares a user namespace, waits for nflab to write its maps,
 * then makes one network namespace inside it per 'n' request. Ends with nflab,
 * or once nflab has handed it sockets to close, after closing them.
 */
static void factory_main(int sock, pid_t parent)
{
	struct sigaction ign = {.sa_handler = SIG_IGN};
	int fds[CLOSE_BATCH], *held = NULL, proc = -1, fd;
	size_t n, len, n_held = 0;
	static char req[REQUEST_MAX];
	char c;

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
		send_fd(sock, -1, errno, -1);
		_exit(1);
	}
	send_fd(sock, -1, 0, -1); /* ready for the maps */
	while ((c = read_request(sock, req, &len, fds, &n))) {
		if (c == 'p') {
			/* The last one's release waits out a grace period: closed with the rest. */
			if (proc >= 0 && hold(&held, &n_held, &proc, 1))
				_exit(1);
			proc = n ? fds[0] : -1;
			continue;
		}
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
			if (hold(&held, &n_held, fds, n))
				_exit(1); /* closed by the exit, one after another */
			continue;
		}
		make_netns(sock, req + 1, len - 1, proc);
	}
	if (proc >= 0 && hold(&held, &n_held, &proc, 1))
		_exit(1);
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
	int sv[2], msg[2] = {0, -1};
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
	while ((n = read(factory, msg, sizeof(msg))) < 0 && errno == EINTR)
		;
	if (n != (ssize_t)sizeof(msg) || msg[0]) {
		errno = n < 0 ? errno : msg[0] ? msg[0] : EPIPE;
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
	asked = upcoming = expected = procfs_uses = in_head = 0;
	preset = NULL;
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

void netns_expect(size_t n, netns_preset_fn fn, void *arg)
{
	upcoming = expected = n;
	preset = fn;
	preset_arg = arg;
}

/* The preset of the next namespace: its number among those expected, or -1. */
static long next_preset(struct sysctl_kv *kv, size_t *n)
{
	long k;

	*n = 0;
	if (!upcoming)
		return -1;
	k = (long)(expected - upcoming--);
	if (preset)
		*n = preset(preset_arg, (size_t)k, kv);
	return *n ? k : -1;
}

/*
 * Gives the factory a fresh private procfs every PROCFS_SHARE namespaces (see
 * sysctl_procfs_open()); without one it writes through /proc. It holds the
 * last, whose release waits out a grace period, and closes it with the rest.
 */
static int give_procfs(struct diag *d)
{
	int proc;

	if (procfs_uses++ % PROCFS_SHARE)
		return 0;
	proc = sysctl_procfs_open();
	if (send_with_fd(factory, "p", 1, proc)) {
		if (proc >= 0)
			close(proc);
		return diag_errno(d, "cannot create a network namespace");
	}
	if (proc >= 0) {
		close(proc); /* not the last reference: no wait */
		handed = true;
	}
	return 0;
}

static int ask_factory(struct diag *d)
{
	struct sysctl_kv kv[NETNS_PRESET_MAX];
	char req[REQUEST_MAX] = "n";
	size_t n, len = 1;
	long k = next_preset(kv, &n);

	if (k >= 0) {
		len += preset_pack(kv, n, req + 1, sizeof(req) - 1);
		if (len == 1)
			return diag_set(d, "%zu sysctls for a new network namespace: too many", n);
		if (give_procfs(d))
			return -1;
	}
	if (write(factory, req, len) != (ssize_t)len)
		return diag_errno(d, "cannot create a network namespace");
	in_flight[(in_head + asked++) % (NETNS_AHEAD + 1)] = k;
	return 0;
}

int netns_home_fd(void)
{
	return home_fd;
}

/* The error of a preset sysctl, worded as sysctl_set_all() words it. */
static int preset_failed(long k, int failed, struct diag *d)
{
	struct sysctl_kv kv[NETNS_PRESET_MAX];
	int err = errno;
	size_t n = preset && k >= 0 ? preset(preset_arg, (size_t)k, kv) : 0;

	errno = err;
	if (failed < 0 || (size_t)failed >= n)
		return diag_errno(d, "cannot create a network namespace");
	return sysctl_failed(&kv[failed], d);
}

int netns_new(struct diag *d)
{
	struct sysctl_kv kv[NETNS_PRESET_MAX];
	int fd, failed;
	size_t n;
	long k;

	if (factory >= 0) {
		/*
		 * Asked ahead, a few at a time: the factory makes the next ones while
		 * the caller sets this one up. A few, so neither side's socket buffer
		 * fills while the other waits on it.
		 */
		if (!asked && ask_factory(d)) /* this one was not asked ahead */
			return -1;
		while (upcoming && asked < NETNS_AHEAD)
			if (ask_factory(d))
				return -1;
		k = in_flight[in_head];
		in_head = (in_head + 1) % (NETNS_AHEAD + 1);
		asked--;
		if ((fd = recv_fd(factory, &failed)) < 0)
			return preset_failed(k, failed, d);
		return fd;
	}
	k = next_preset(kv, &n);
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
	if (fd >= 0 && k >= 0 && sysctl_set_all(fd, kv, n, d)) {
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
