/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Programs run inside a lab node. Each runs as the second process of its own PID
 * namespace, under a small init of ours: when the init dies (stopped, or nflab
 * killed) the kernel kills everything the program started, daemons included.
 * The program also gets its own mount namespace, where /tmp is the lab's
 * private tmpfs (shared by every node, gone with the lab) and /etc/hosts
 * names the lab's nodes, and its own UTS namespace with the node's hostname.
 * A confined program (spec.userns) runs as root of the lab's user namespace,
 * which owns those namespaces: the host's files read-only, /run and /dev/shm
 * its own, no_new_privs; its capabilities reach the lab's namespaces only.
 */
#ifndef NFLAB_NODEPROC_H
#define NFLAB_NODEPROC_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "util/diag.h"

/* The lab's /tmp: a tmpfs that is never attached in nflab's own mount namespace. */
struct labfs {
	int mfd;	 /* the detached mount; files are reached with openat(mfd, ...) */
	int lifeline[2]; /* only nflab holds [1]: its end tells children nflab died */
	/*
	 * Where the kernel refuses to clone a detached mount (open_tree() with
	 * OPEN_TREE_CLONE before Linux 6.15 or so): a mount namespace, the lab's,
	 * with the tmpfs attached at /tmp, that programs copy; else -1.
	 */
	int holder;
};

/*
 * Creates the lab's tmpfs with a private directory .nflab for generated files.
 * Returns 0 or -1; labfs_close() is safe after either.
 */
int labfs_open(struct labfs *fs, struct diag *d);
void labfs_close(struct labfs *fs);
/* Writes text to path (relative to the lab's /tmp). Returns 0 or -1. */
int labfs_write(const struct labfs *fs, const char *path, const char *text, struct diag *d);
/* A path nflab itself can use for path in the lab's /tmp (through /proc/self/fd). */
char *labfs_path(const struct labfs *fs, const char *path);

/* Collected output of one stream, kept whole up to a limit. */
struct outbuf {
	char *buf; /* NUL-terminated */
	size_t len, cap;
	size_t dropped; /* bytes past the limit */
};

struct nodeproc_spec {
	int userns;	      /* the lab's user namespace: confined; -1: as nflab (privileged) */
	int nsfd;	      /* the node's netns */
	const char *hostname; /* the node's name */
	const char
		*resolv; /* resolv.conf in the lab's /tmp to bind over /etc/resolv.conf, or NULL */
	char *const *argv;
	char *const *envp;
	bool terminal; /* keep nflab's stdin, stdout and stderr (an interactive shell): no pipes */
};

struct nodeproc {
	pid_t pid;    /* the init, our child; 0 once reaped */
	int pidfd;    /* readable once the init ended; -1 when the kernel has no pidfd_open */
	bool exited;  /* the init was reaped: status is set */
	int out, err; /* non-blocking read ends; -1 at end of file */
	struct outbuf outb, errb;
	int status; /* once reaped: exit code, or 128 + signal */
};

/*
 * Starts spec->argv in the node (cwd the lab's /tmp, stdin /dev/null). Returns 0
 * once the program was executed, or -1 with d saying what failed (ENOENT from
 * exec as "PROG: not found").
 */
int nodeproc_start(struct nodeproc *p, const struct labfs *fs, const struct nodeproc_spec *s,
		   struct diag *d);
/* Reads what is waiting on fd (p->out or p->err). Returns the bytes read, 0 at end. */
size_t nodeproc_read(struct nodeproc *p, int fd);
/* True once the program and all it started are gone, and their output is read. */
static inline bool nodeproc_gone(const struct nodeproc *p)
{
	return p->exited && p->out < 0 && p->err < 0;
}
/* Sends sig to the program and every process it started (through the init). */
void nodeproc_signal(struct nodeproc *p, int sig);
/*
 * Collects the exit status: call when pidfd is readable, or (without a pidfd)
 * once both streams ended. The init has exited or is exiting, so this does not block long.
 */
void nodeproc_reap(struct nodeproc *p);
/* Kills what is left, reaps it and frees the buffers. */
void nodeproc_release(struct nodeproc *p);
/*
 * The inodes of the sockets the program holds: the open files of its init and
 * of every process below it (found through /proc). Returns how many, in a new
 * array *inodes (caller frees; NULL when none), or -1 with errno set.
 */
long nodeproc_sockets(const struct nodeproc *p, unsigned long **inodes);
/* "exit 3", "killed by SIGKILL": the status in words. */
const char *nodeproc_status_str(int status, char *buf, size_t len);

#endif
