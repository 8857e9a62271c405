/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The heap of a process that runs labs. */
#ifndef NFLAB_HEAP_H
#define NFLAB_HEAP_H

/*
 * Keeps freed memory in the heap and faults the first megabytes in with one call.
 * For programs (and forked children) that run labs; never from the library, whose
 * heap belongs to the program using it.
 */
void heap_prepare(void);

#endif
