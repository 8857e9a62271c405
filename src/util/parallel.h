/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Calls that each wait for the kernel, run side by side. Opening a packet ring
 * and closing a packet socket each wait out an RCU grace period (8-24 ms on a
 * loaded 2-core machine); made one after another, a lab's dozen of them cost a
 * quarter of a second, made at once they share one grace period.
 */
#ifndef NFLAB_PARALLEL_H
#define NFLAB_PARALLEL_H

#include <stddef.h>

/*
 * Calls job(arg, i) for every i below n, on up to PARALLEL_MAX threads at once,
 * and returns when all calls have. A job must touch only its own i's state; one
 * that enters a network namespace enters it for its own thread only. When no
 * thread can be started, the calls left run on the caller's thread.
 */
void parallel_for(size_t n, void (*job)(void *arg, size_t i), void *arg);

/*
 * The same, but returns at once: the calls run on threads of their own while
 * the caller goes on, until parallel_wait(), which returns when all calls have
 * (those no thread could take run there, on the caller's thread) and frees p.
 */
struct parallel *parallel_start(size_t n, void (*job)(void *arg, size_t i), void *arg);
void parallel_wait(struct parallel *p);

#define PARALLEL_MAX 32

#endif
