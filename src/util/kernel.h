/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Which kernel the labs run on, for reports and requires: kernel versions. */
#ifndef NFLAB_KERNEL_H
#define NFLAB_KERNEL_H

#include <stdbool.h>

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

#endif
