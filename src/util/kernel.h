/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Which kernel the labs run on, for reports and requires: kernel versions. */
#ifndef NFLAB_KERNEL_H
#define NFLAB_KERNEL_H

#include <stdbool.h>
#include <stddef.h>

/* uname -r of the running kernel ("6.1.0-57-amd64"). */
const char *kernel_release(void);

/*
 * The release when nflab runs inside a --kernel VM (NFLAB_VM set by its
 * /init), else NULL: reports name the kernel only where it is not the host's.
 */
const char *kernel_guest_release(void);

/*
 * "X.Y[.Z]" compared with the running kernel's version: <0, 0 or >0 as the
 * kernel is older, the same or newer. Returns false when text is no version.
 */
bool kernel_version_cmp(const char *text, int *cmp);

/* As kernel_version_cmp(), for the kernel whose uname -r is release. */
bool kernel_release_cmp(const char *release, const char *text, int *cmp);

/* The first release whose nft trace events carry conntrack (NFTA_TRACE_CT_*). */
#define TRACE_CT_SINCE "6.16"

/*
 * Whether the nft trace events of kernel release carry the packet's conntrack
 * (state, direction, status, id): NULL when they do, else why not, written to
 * buf. Evidence first: seen says an event of this run carried them, which
 * settles it. Without it the version decides (a kernel that has the
 * attributes but sent none, for packets conntrack never saw, is taken at its
 * word). simulated (NFLAB_TEST_NO_TRACE_CT, for tests) says it lacks them.
 */
const char *trace_ct_missing(const char *release, bool seen, bool simulated, char *buf, size_t len);

/* NFLAB_TEST_NO_TRACE_CT is set: tests take the kernel for one before TRACE_CT_SINCE. */
bool kernel_test_no_trace_ct(void);

#endif
