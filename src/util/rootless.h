/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nflab without root: a user namespace of its own, where the invoking user is
 * root over nflab's own mount and network namespaces and nothing of the host.
 */
#ifndef NFLAB_ROOTLESS_H
#define NFLAB_ROOTLESS_H

#include <stdbool.h>
#include <sys/types.h>

/*
 * When not root, enters a new user namespace mapping the user (and group) to
 * 0, with a private mount namespace (a tmpfs over /run, for iptables' lock)
 * and network namespace (nflab's home). Call while single-threaded. A kernel
 * that refuses leaves nflab as it was: building a lab then fails, and the lab
 * is skipped with the reason. Returns true when it entered one.
 */
bool rootless_enter(void);
/* Whether nflab runs in a user namespace of its own (rootless_enter() entered). */
bool rootless_active(void);
/* Writes text to /proc/PID/NAME (pid 0: /proc/self), an id map. Returns 0 or -1. */
int rootless_proc_write(pid_t pid, const char *name, const char *text);

#endif
