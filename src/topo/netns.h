/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Anonymous network namespaces held by file descriptors: they vanish with the process. */
#ifndef NFLAB_NETNS_H
#define NFLAB_NETNS_H

#include <sys/types.h>

#include "topo/sysctl.h"
#include "util/diag.h"

/*
 * Remembers the calling thread's current netns as "home" (opens an fd on it).
 * Call once before any other netns_ function. Returns 0 or -1.
 */
int netns_home_open(struct diag *d);
/* Closes the home fd, and the lab's user namespace. */
void netns_home_close(void);
/* The fd of the home netns (borrowed), -1 before netns_home_open(). */
int netns_home_fd(void);

/* Lab root's id on the host, and how many ids the lab has, when nflab runs as root. */
#define NETNS_LAB_ID_BASE 2147352576u /* 0x7ffe0000: no host user has these */
#define NETNS_LAB_IDS	  65536u

/*
 * Creates the lab's user namespace and the process that makes network
 * namespaces inside it: netns_new() makes them there from then on. Lab root is
 * NETNS_LAB_ID_BASE when nflab is root, else nflab's own user. Idempotent;
 * netns_home_close() closes it too. Returns 0 or -1.
 */
int netns_userns_open(struct diag *d);
/* The lab's user namespace (borrowed), or -1 before netns_userns_open(). */
int netns_userns_fd(void);
void netns_userns_close(void);
/* The lab root's uid and gid as nflab sees them (after netns_userns_open()). */
void netns_lab_root(uid_t *uid, gid_t *gid);

/*
 * Creates a new anonymous network namespace (in the lab's user namespace once
 * netns_userns_open() made it) and returns an fd holding it
 * (O_CLOEXEC; caller closes it). The thread is back in the home netns on return,
 * success or failure. No name is ever bound, so nothing can leak past the process.
 */
int netns_new(struct diag *d);
/*
 * Fills kv (room for NETNS_PRESET_MAX) with the sysctls the k-th expected
 * namespace starts with; returns how many.
 */
#define NETNS_PRESET_MAX 32
typedef size_t (*netns_preset_fn)(void *arg, size_t k, struct sysctl_kv *kv);
/*
 * Says the next n netns_new() calls are coming: the factory makes a few ahead
 * while the caller sets up the one it has. When preset is not NULL, the k-th
 * of them (from 0) comes with the sysctls preset(arg, k, ...) gives already
 * set, by the factory from inside it; a failure is netns_new()'s, worded as
 * sysctl_set_all() words it. arg must live until the n namespaces are made.
 */
void netns_expect(size_t n, netns_preset_fn preset, void *arg);
/*
 * Closes n fds without waiting: packet sockets, whose close waits out an RCU
 * grace period. They go to the factory, which closes them and ends on its own
 * while nflab tears the rest down, reports and exits (neither
 * netns_userns_close() nor nflab's exit waits for it: it ends a grace period
 * or two later, and `nflab test` reaps it); without a factory they are closed
 * here, side by side.
 */
void netns_close_later(const int *fds, size_t n);
/* Moves the calling thread into the netns held by fd. Returns 0 or -1. */
int netns_enter(int fd, struct diag *d);
/* Moves the calling thread back home. Returns 0 or -1. */
int netns_restore(struct diag *d);

#endif
