/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Anonymous network namespaces held by file descriptors: they vanish with the process. */
#ifndef NFLAB_NETNS_H
#define NFLAB_NETNS_H

#include "util/diag.h"

/*
 * Remembers the calling thread's current netns as "home" (opens an fd on it).
 * Call once before any other netns_ function. Returns 0 or -1.
 */
int netns_home_open(struct diag *d);
/* Closes the home fd. */
void netns_home_close(void);
/* The fd of the home netns (borrowed), -1 before netns_home_open(). */
int netns_home_fd(void);

/*
 * Creates a new anonymous network namespace and returns an fd holding it
 * (O_CLOEXEC; caller closes it). The thread is back in the home netns on return,
 * success or failure. No name is ever bound, so nothing can leak past the process.
 */
int netns_new(struct diag *d);
/* Moves the calling thread into the netns held by fd. Returns 0 or -1. */
int netns_enter(int fd, struct diag *d);
/* Moves the calling thread back home. Returns 0 or -1. */
int netns_restore(struct diag *d);

#endif
