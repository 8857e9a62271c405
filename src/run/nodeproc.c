// SPDX-License-Identifier: GPL-2.0-or-later
/* Programs run inside a lab node, each in a PID namespace of its own. */
#include "run/nodeproc.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "topo/netns.h"
#include "util/xalloc.h"

#define OUTBUF_LIMIT                                                                \
	(1u << 20) /* per stream: enough for any check, bounded for chatty services \
		    */

/*
 * The host's /dev/net/tun is often root's alone (0600), out of the lab root's
 * reach: as root, nflab gives the lab a node of the same device that its root
 * owns, bound over /dev/net/tun in every program's view. Without root there
 * is none, and programs get the host's device as its mode allows.
 */
static void labfs_tun(struct labfs *fs)
{
	struct stat st;
	uid_t uid;
	gid_t gid;

	netns_lab_root(&uid, &gid);
	if (stat("/dev/net/tun", &st) || !S_ISCHR(st.st_mode) ||
	    mknodat(fs->mfd, ".nflab/tun", S_IFCHR | 0600, st.st_rdev))
		return;
	if (fchownat(fs->mfd, ".nflab/tun", uid, gid, AT_SYMLINK_NOFOLLOW))
		unlinkat(fs->mfd, ".nflab/tun", 0);
}

/* The child that makes the holder: the lab's root in a mount namespace of its own. */
static void hold_main(const struct labfs *fs, int userns, int ready)
{
	if (prctl(PR_SET_PDEATHSIG, SIGKILL))
		_exit(1);
	if (userns >= 0 &&
	    (setns(userns, CLONE_NEWUSER) || (setgroups(0, NULL) && errno != EPERM) ||
	     setresgid(0, 0, 0) || setresuid(0, 0, 0)))
		_exit(1);
	/* Not cloned but moved here, the tmpfs is cloned with the namespace. */
	if (unshare(CLONE_NEWNS) || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) ||
	    move_mount(fs->mfd, "", AT_FDCWD, "/tmp", MOVE_MOUNT_F_EMPTY_PATH))
		_exit(1);
	if (write(ready, "", 1) != 1)
		_exit(1);
	pause(); /* until nflab holds the namespace and kills this process */
	_exit(0);
}

/*
 * Makes fs->holder (see struct labfs), in the lab's user namespace when there
 * is one, so that confined programs may enter it. Returns 0 or -1.
 */
static int labfs_hold(struct labfs *fs, struct diag *d)
{
	int ready[2], rc = -1;
	char path[64], c;
	pid_t pid;

	if (pipe2(ready, O_CLOEXEC))
		return diag_errno(d, "pipe");
	pid = fork();
	if (pid == 0) {
		close(ready[0]);
		hold_main(fs, netns_userns_fd(), ready[1]);
	}
	close(ready[1]);
	if (pid < 0) {
		close(ready[0]);
		return diag_errno(d, "fork");
	}
	if (read(ready[0], &c, 1) == 1) {
		snprintf(path, sizeof(path), "/proc/%d/ns/mnt", (int)pid);
		fs->holder = open(path, O_RDONLY | O_CLOEXEC);
		rc = fs->holder < 0 ? diag_errno(d, "cannot keep the lab's mount namespace") : 0;
	} else {
		diag_set(d, "cannot create the lab's /tmp: this kernel cannot clone a detached "
			    "mount, and attaching it in a mount namespace of the lab failed");
	}
	close(ready[0]);
	kill(pid, SIGKILL);
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
	return rc;
}

/* Can mounts be cloned from the detached tmpfs? NFLAB_TEST_NO_TREE_CLONE says no, for tests. */
static bool tree_clones(const struct labfs *fs)
{
	const char *test = getenv("NFLAB_TEST_NO_TREE_CLONE");
	int t;

	if (test && *test && strcmp(test, "0"))
		return false;
	t = open_tree(fs->mfd, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH);
	if (t < 0)
		return errno != EINVAL;
	close(t);
	return true;
}

int labfs_open(struct labfs *fs, struct diag *d)
{
	int fsfd;

	fs->mfd = fs->holder = -1;
	fs->lifeline[0] = fs->lifeline[1] = -1;
	if (pipe2(fs->lifeline, O_CLOEXEC))
		return diag_errno(d, "pipe");
	fsfd = fsopen("tmpfs", FSOPEN_CLOEXEC);
	if (fsfd < 0)
		return diag_errno(d, "cannot create the lab's /tmp (fsopen tmpfs)");
	if (fsconfig(fsfd, FSCONFIG_SET_STRING, "size", "25%", 0) ||
	    fsconfig(fsfd, FSCONFIG_SET_STRING, "mode", "1777", 0) ||
	    fsconfig(fsfd, FSCONFIG_CMD_CREATE, NULL, NULL, 0)) {
		close(fsfd);
		return diag_errno(d, "cannot create the lab's /tmp (tmpfs)");
	}
	/*
	 * Device nodes are allowed: only nflab can make one (programs lack
	 * CAP_MKNOD on the host), and it makes just the lab's TUN device.
	 */
	fs->mfd = fsmount(fsfd, FSMOUNT_CLOEXEC, MOUNT_ATTR_NOSUID);
	close(fsfd);
	if (fs->mfd < 0)
		return diag_errno(d, "cannot create the lab's /tmp (fsmount)");
	if (mkdirat(fs->mfd, ".nflab", 0755))
		return diag_errno(d, "cannot create the lab's /tmp/.nflab");
	labfs_tun(fs);
	return tree_clones(fs) ? 0 : labfs_hold(fs, d);
}

void labfs_close(struct labfs *fs)
{
	if (fs->mfd >= 0)
		close(fs->mfd);
	if (fs->holder >= 0)
		close(fs->holder);
	fs->holder = -1;
	if (fs->lifeline[0] >= 0)
		close(fs->lifeline[0]);
	if (fs->lifeline[1] >= 0)
		close(fs->lifeline[1]);
	fs->mfd = fs->lifeline[0] = fs->lifeline[1] = -1;
}

int labfs_write(const struct labfs *fs, const char *path, const char *text, struct diag *d)
{
	size_t len = strlen(text), off = 0;
	int fd = openat(fs->mfd, path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	if (fd < 0)
		return diag_errno(d, "cannot write /tmp/%s of the lab", path);
	while (off < len) {
		ssize_t n = write(fd, text + off, len - off);

		if (n < 0) {
			close(fd);
			return diag_errno(d, "cannot write /tmp/%s of the lab", path);
		}
		off += (size_t)n;
	}
	close(fd);
	return 0;
}

char *labfs_path(const struct labfs *fs, const char *path)
{
	return xasprintf("/proc/self/fd/%d/%s", fs->mfd, path);
}

/* What went wrong in the child before the program ran (pid 0), or the init's pid. */
struct start_err {
	int err;
	pid_t pid;
	char what[80];
};

/* Only async-signal-safe calls in the child: it is a raw clone of nflab. */
static void report_err(int fd, const char *what)
{
	struct start_err e = {.err = errno, .pid = 0};

	strncpy(e.what, what, sizeof(e.what) - 1);
	if (write(fd, &e, sizeof(e)) < 0)
		_exit(127);
	_exit(127);
}

/* Keeps only the fds in keep (and 0-2): nflab's sockets must not outlive their closing. */
static void close_others(int *keep, int n)
{
	int i, j, from = 3;

	for (i = 1; i < n; i++) /* insertion sort: n is tiny */
		for (j = i; j > 0 && keep[j - 1] > keep[j]; j--) {
			int t = keep[j];

			keep[j] = keep[j - 1];
			keep[j - 1] = t;
		}
	for (i = 0; i < n; i++) {
		if (keep[i] > from)
			close_range((unsigned int)from, (unsigned int)keep[i] - 1, 0);
		if (keep[i] >= from)
			from = keep[i] + 1;
	}
	close_range((unsigned int)from, ~0u, 0);
}

static void forward(int sig)
{
	kill(-1, sig); /* from a namespace's init: every other process in it */
}

/*
 * PATH without the directories the lab's root may not search (root's own,
 * /root/bin): through one of them a missing program would be "Permission
 * denied" instead of "not found", from the shell and from execvpe().
 */
static void filter_path(char *const envp[])
{
	static char kept[8192];
	char *const *e;
	char *dir, *end, *out;

	for (e = envp; *e && strncmp(*e, "PATH=", 5); e++)
		;
	if (!*e || strlen(*e) >= sizeof(kept))
		return;
	out = stpcpy(kept, "PATH=");
	for (dir = *e + 5; *dir; dir = *end ? end + 1 : end) {
		end = strchrnul(dir, ':');
		if (*end) {
			*end = '\0';
			if (access(dir, X_OK) == 0)
				out += sprintf(out, "%s%s", out[-1] == '=' ? "" : ":", dir);
			*end = ':';
		} else if (access(dir, X_OK) == 0) {
			out += sprintf(out, "%s%s", out[-1] == '=' ? "" : ":", dir);
		}
	}
	*(char **)e = kept; /* the child's own copy of the array */
}

/* The program's own process: clean signal state, the pipes as its streams. */
static void exec_program(const struct nodeproc_spec *s, int out, int err, int status)
{
	struct sigaction dfl = {.sa_handler = SIG_DFL};

	sigaction(SIGPIPE, &dfl, NULL);
	sigaction(SIGTERM, &dfl, NULL);
	sigaction(SIGINT, &dfl, NULL);
	sigaction(SIGHUP, &dfl, NULL);
	/* No set-user-ID program raises it above the lab's root. */
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		report_err(status, "cannot set no_new_privs");
	if (!s->terminal && (dup2(out, 1) < 0 || dup2(err, 2) < 0))
		report_err(status, "cannot set up the program's streams");
	filter_path(s->envp);
	execvpe(s->argv[0], s->argv, s->envp);
	report_err(status, "exec");
}

/*
 * A confined program sees the host's files read-only (binaries, libraries,
 * /etc), and fresh tmpfs over /run and /dev/shm, where the host's unix sockets
 * and shared memory are: what it writes stays in the lab. Returns 0 or -1.
 */
static int confine_mounts(void)
{
	struct mount_attr ro = {.attr_set = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID};

	if (mount_setattr(AT_FDCWD, "/", AT_RECURSIVE, &ro, sizeof(ro)))
		return -1;
	if (mount("tmpfs", "/run", "tmpfs", MS_NOSUID | MS_NODEV, "mode=755,size=16m"))
		return -1;
	/* Not every host has a /dev/shm: best effort. */
	mount("tmpfs", "/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777,size=25%");
	return 0;
}

/*
 * Binds the file src over the file dst. Where dst is a symlink into /run (a
 * resolv.conf of systemd-resolved) and own_run says /run is the program's own
 * empty tmpfs, the link's target is made there first; never anywhere else,
 * which would be the host's. Returns 0 or -1.
 */
static int bind_file(const char *src, const char *dst, bool own_run)
{
	char link[256], target[320], *p;
	ssize_t n;
	int fd;

	if (!mount(src, dst, NULL, MS_BIND, NULL))
		return 0;
	if (errno != ENOENT || (n = readlink(dst, link, sizeof(link) - 1)) <= 0)
		return -1;
	link[n] = '\0';
	snprintf(target, sizeof(target), "%s%s", link[0] == '/' ? "" : "/etc/", link);
	if (!own_run || strncmp(target, "/run/", 5) || strstr(target, "/../"))
		return -1;
	for (p = strchr(target + 1, '/'); p; p = strchr(p + 1, '/')) {
		*p = '\0';
		mkdir(target, 0755); /* fails where it exists, or is read-only: no matter */
		*p = '/';
	}
	fd = open(target, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	if (fd >= 0)
		close(fd);
	return mount(src, target, NULL, MS_BIND, NULL);
}

/* The namespace's init: sets the node's view up, runs the program, passes its status on. */
static void init_main(const struct labfs *fs, const struct nodeproc_spec *s, int out[2], int err[2],
		      int status[2])
{
	struct sigaction fwd = {.sa_handler = forward};
	struct pollfd life = {.fd = fs->lifeline[0], .events = POLLIN};
	char path[64];
	pid_t child, pid;
	sigset_t none;
	int t, ws;

	/* A killed nflab takes the init along, and with it the whole namespace. */
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	close(fs->lifeline[1]);
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) || poll(&life, 1, 0) != 0)
		_exit(127);
	prctl(PR_SET_NAME, "nflab-init");
	close(out[0]);
	close(err[0]);
	close(status[0]);
	/*
	 * Changing ids made the init undumpable, so its /proc/PID/ns (nsenter
	 * --net=/proc/1/ns/net) would be closed to the program it starts.
	 */
	if (s->userns >= 0 && prctl(PR_SET_DUMPABLE, 1))
		report_err(status[1], "cannot make the init dumpable");
	if (setns(s->nsfd, CLONE_NEWNET))
		report_err(status[1], "cannot enter the node's network namespace");
	/* A copy of the holder's namespace has the lab's /tmp already. */
	if (fs->holder >= 0 && (setns(fs->holder, CLONE_NEWNS) || unshare(CLONE_NEWNS)))
		report_err(status[1], "cannot enter a copy of the lab's mount namespace");
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL))
		report_err(status[1], "cannot make the mounts private");
	if (s->userns >= 0 && confine_mounts())
		report_err(status[1], "cannot make the host's files read-only");
	if (fs->holder >= 0) {
		/* confine_mounts() made it read-only with the rest. */
		struct mount_attr rw = {.attr_clr = MOUNT_ATTR_RDONLY};

		if (mount_setattr(AT_FDCWD, "/tmp", 0, &rw, sizeof(rw)))
			report_err(status[1], "cannot mount the lab's /tmp");
	} else {
		t = open_tree(fs->mfd, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH);
		if (t < 0 || move_mount(t, "", AT_FDCWD, "/tmp", MOVE_MOUNT_F_EMPTY_PATH))
			report_err(status[1], "cannot mount the lab's /tmp");
	}
	if (bind_file("/tmp/.nflab/hosts", "/etc/hosts", s->userns >= 0))
		report_err(status[1], "cannot bind the lab's hosts file over /etc/hosts");
	if (s->resolv) {
		snprintf(path, sizeof(path), "/tmp/%s", s->resolv);
		if (bind_file(path, "/etc/resolv.conf", s->userns >= 0))
			report_err(status[1], "cannot bind the node's resolv.conf");
	}
	/* The lab's own TUN device, where nflab could make one. */
	if (s->userns >= 0 && access("/tmp/.nflab/tun", F_OK) == 0 &&
	    mount("/tmp/.nflab/tun", "/dev/net/tun", NULL, MS_BIND, NULL))
		report_err(status[1], "cannot bind the lab's TUN device over /dev/net/tun");
	/* ps and ip show the node's own processes and interfaces; best effort. */
	mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
	mount("sysfs", "/sys", "sysfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
	if (sethostname(s->hostname, strlen(s->hostname)))
		report_err(status[1], "cannot set the node's hostname");
	if (chdir("/tmp"))
		report_err(status[1], "cannot enter the lab's /tmp");
	close_others((int[]){out[1], err[1], status[1]}, 3);
	if (!s->terminal) { /* the init's own streams: nowhere */
		t = open("/dev/null", O_RDWR);
		if (t < 0 || dup2(t, 0) < 0 || dup2(t, 1) < 0 || dup2(t, 2) < 0)
			report_err(status[1], "cannot open /dev/null");
		if (t > 2)
			close(t);
	}
	sigaction(SIGTERM, &fwd, NULL);
	sigaction(SIGINT, &fwd, NULL);
	sigaction(SIGHUP, &fwd, NULL);
	child = fork();
	if (child < 0)
		report_err(status[1], "fork");
	if (child == 0)
		exec_program(s, out[1], err[1], status[1]);
	close(out[1]);
	close(err[1]);
	close(status[1]);
	for (;;) {
		pid = wait(&ws);
		if (pid == child)
			_exit(WIFEXITED(ws) ? WEXITSTATUS(ws) : 128 + WTERMSIG(ws));
		if (pid < 0 && errno != EINTR)
			_exit(127);
	}
}

/*
 * The first child of a confined program: enters the lab's user namespace as
 * the lab's root, then clones the init (nflab's child, as a sibling) into new
 * PID, mount and UTS namespaces that belong to the lab, and reports its pid.
 */
static void enter_lab(const struct labfs *fs, const struct nodeproc_spec *s, int out[2], int err[2],
		      int status[2])
{
	struct start_err e = {0};
	long pid;

	if (setns(s->userns, CLONE_NEWUSER))
		report_err(status[1], "cannot enter the lab's user namespace");
	/* nflab's groups stay behind; without root setgroups is refused, and harmless. */
	if (setgroups(0, NULL) && errno != EPERM)
		report_err(status[1], "cannot drop the host's groups");
	if (setresgid(0, 0, 0) || setresuid(0, 0, 0))
		report_err(status[1], "cannot become the lab's root");
	pid = syscall(SYS_clone, CLONE_PARENT | CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWUTS, NULL,
		      NULL, NULL, NULL);
	if (pid == 0)
		init_main(fs, s, out, err, status);
	if (pid < 0)
		report_err(status[1], "cannot start the init (clone)");
	e.pid = (pid_t)pid;
	if (write(status[1], &e, sizeof(e)) < 0)
		_exit(127);
	_exit(0);
}

int nodeproc_start(struct nodeproc *p, const struct labfs *fs, const struct nodeproc_spec *s,
		   struct diag *d)
{
	int out[2], err[2], status[2];
	struct start_err e, failed = {0};
	bool has_failed = false;
	pid_t init = 0;
	ssize_t n;
	long pid;

	memset(p, 0, sizeof(*p));
	p->out = p->err = p->pidfd = -1;
	if (pipe2(out, O_CLOEXEC) || pipe2(err, O_CLOEXEC) || pipe2(status, O_CLOEXEC))
		return diag_errno(d, "pipe");
	if (s->userns >= 0) {
		pid = syscall(SYS_clone, SIGCHLD, NULL, NULL, NULL, NULL);
		if (pid == 0)
			enter_lab(fs, s, out, err, status);
	} else {
		pid = syscall(SYS_clone, CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWUTS | SIGCHLD, NULL,
			      NULL, NULL, NULL);
		if (pid == 0)
			init_main(fs, s, out, err, status);
		init = (pid_t)pid;
	}
	close(out[1]);
	close(err[1]);
	close(status[1]);
	if (pid < 0) {
		close(out[0]);
		close(err[0]);
		close(status[0]);
		return diag_errno(d, "cannot start %s (clone)", s->argv[0]);
	}
	/*
	 * Each message is the init's pid (from enter_lab) or a failure; end of file
	 * means the program was executed (the pipe closes on exec) or all failed.
	 */
	while ((n = read(status[0], &e, sizeof(e))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n != (ssize_t)sizeof(e))
			break;
		if (e.pid > 0) {
			init = e.pid;
		} else if (!has_failed) {
			failed = e;
			has_failed = true;
		}
	}
	close(status[0]);
	if (s->userns >= 0) /* enter_lab has ended, or is ending */
		while (waitpid((pid_t)pid, NULL, 0) < 0 && errno == EINTR)
			;
	if (!init && !has_failed) {
		failed.err = EPROTO;
		snprintf(failed.what, sizeof(failed.what), "the program's init never started");
		has_failed = true;
	}
	p->pid = init;
	p->pidfd = init ? (int)syscall(SYS_pidfd_open, p->pid, 0) : -1;
	p->out = out[0];
	p->err = err[0];
	fcntl(p->out, F_SETFL, O_NONBLOCK);
	fcntl(p->err, F_SETFL, O_NONBLOCK);
	if (s->terminal) { /* nothing comes through them */
		close(p->out);
		close(p->err);
		p->out = p->err = -1;
	}
	if (has_failed) {
		e = failed;
		nodeproc_release(p);
		errno = e.err;
		if (!strcmp(e.what, "exec") && e.err == ENOENT) {
			diag_set(d, "%s: not found", s->argv[0]);
			d->err = ENOENT;
			return -1;
		}
		if (!strcmp(e.what, "exec"))
			return diag_errno(d, "cannot run %s", s->argv[0]);
		return diag_errno(d, "node %s: %s", s->hostname, e.what);
	}
	return 0;
}

static void outbuf_add(struct outbuf *b, const char *data, size_t n)
{
	size_t keep = b->len + n > OUTBUF_LIMIT ? OUTBUF_LIMIT - b->len : n;

	if (b->len + keep + 1 > b->cap) {
		b->cap = b->cap ? b->cap * 2 : 4096;
		while (b->cap < b->len + keep + 1)
			b->cap *= 2;
		b->buf = xrealloc(b->buf, b->cap);
	}
	memcpy(b->buf + b->len, data, keep);
	b->len += keep;
	b->buf[b->len] = '\0';
	b->dropped += n - keep;
}

size_t nodeproc_read(struct nodeproc *p, int fd)
{
	struct outbuf *b = fd == p->out ? &p->outb : &p->errb;
	char chunk[16384];
	size_t total = 0;
	ssize_t n;

	while ((n = read(fd, chunk, sizeof(chunk))) > 0) {
		outbuf_add(b, chunk, (size_t)n);
		total += (size_t)n;
	}
	if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
		close(fd);
		if (fd == p->out)
			p->out = -1;
		else
			p->err = -1;
	}
	return total;
}

void nodeproc_signal(struct nodeproc *p, int sig)
{
	if (p->pid > 0)
		kill(p->pid, sig);
}

void nodeproc_reap(struct nodeproc *p)
{
	int ws;

	if (p->pidfd >= 0)
		close(p->pidfd);
	p->pidfd = -1;
	if (p->pid <= 0)
		return;
	while (waitpid(p->pid, &ws, 0) < 0)
		if (errno != EINTR) {
			ws = 127 << 8;
			break;
		}
	p->status = WIFEXITED(ws) ? WEXITSTATUS(ws) : 128 + WTERMSIG(ws);
	p->pid = 0;
	p->exited = true;
}

void nodeproc_release(struct nodeproc *p)
{
	nodeproc_signal(p, SIGKILL);
	if (p->out >= 0)
		close(p->out);
	if (p->err >= 0)
		close(p->err);
	p->out = p->err = -1;
	nodeproc_reap(p);
	free(p->outb.buf);
	free(p->errb.buf);
	memset(&p->outb, 0, sizeof(p->outb));
	memset(&p->errb, 0, sizeof(p->errb));
}

/* A process's parent, from /proc/PID/stat ("pid (comm) state ppid ..."), or -1. */
static pid_t parent_of(int proc, const char *pid)
{
	char path[64], buf[512], *p;
	ssize_t n;
	int fd, ppid;

	snprintf(path, sizeof(path), "%s/stat", pid);
	fd = openat(proc, path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	/* The name may hold spaces and parentheses: it ends at the last ')'. */
	p = strrchr(buf, ')');
	if (!p || sscanf(p + 1, " %*c %d", &ppid) != 1)
		return -1;
	return ppid;
}

/* Appends the inodes of the sockets among pid's open files. */
static void add_sockets(int proc, pid_t pid, unsigned long **inodes, size_t *n, size_t *cap)
{
	char path[64], link[64];
	struct dirent *de;
	unsigned long ino;
	DIR *dir;
	int fd;

	snprintf(path, sizeof(path), "%d/fd", (int)pid);
	fd = openat(proc, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || !(dir = fdopendir(fd))) {
		if (fd >= 0)
			close(fd);
		return; /* it ended meanwhile */
	}
	while ((de = readdir(dir))) {
		ssize_t len = readlinkat(dirfd(dir), de->d_name, link, sizeof(link) - 1);

		if (len <= 0)
			continue;
		link[len] = '\0';
		if (sscanf(link, "socket:[%lu]", &ino) != 1)
			continue;
		XGROW(*inodes, *n, *cap);
		(*inodes)[(*n)++] = ino;
	}
	closedir(dir);
}

long nodeproc_sockets(const struct nodeproc *p, unsigned long **inodes)
{
	pid_t *pids = NULL, *parents = NULL, *tree;
	size_t n = 0, cap = 0, n_tree = 1, n_ino = 0, cap_ino = 0, i, j;
	struct dirent *de;
	DIR *dir;
	int proc;

	*inodes = NULL;
	if (p->pid <= 0)
		return 0;
	proc = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (proc < 0 || !(dir = fdopendir(dup(proc)))) {
		if (proc >= 0)
			close(proc);
		return -1;
	}
	while ((de = readdir(dir))) {
		pid_t parent;

		if (de->d_name[0] < '1' || de->d_name[0] > '9' ||
		    (parent = parent_of(proc, de->d_name)) <= 0)
			continue;
		XGROW(pids, n, cap);
		parents = xrealloc(parents, cap * sizeof(*parents));
		pids[n] = (pid_t)atoi(de->d_name);
		parents[n++] = parent;
	}
	closedir(dir);
	/* The init and its descendants: orphans are reparented to the init, never out of it. */
	tree = xcalloc(n + 1, sizeof(*tree));
	tree[0] = p->pid;
	for (i = 0; i < n_tree; i++)
		for (j = 0; j < n; j++)
			if (parents[j] == tree[i]) {
				tree[n_tree++] = pids[j];
				parents[j] = 0; /* each once */
			}
	for (i = 0; i < n_tree; i++)
		add_sockets(proc, tree[i], inodes, &n_ino, &cap_ino);
	close(proc);
	free(tree);
	free(pids);
	free(parents);
	return (long)n_ino;
}

const char *nodeproc_status_str(int status, char *buf, size_t len)
{
	if (status > 128 && status < 128 + 65) {
		const char *name = sigabbrev_np(status - 128);

		snprintf(buf, len, "killed by SIG%s", name ? name : "?");
	} else {
		snprintf(buf, len, "exit %d", status);
	}
	return buf;
}
