/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What a lab needs from the machine ("requires:"), probed before anything is built. */
#ifndef NFLAB_REQUIRES_H
#define NFLAB_REQUIRES_H

#include <stddef.h>

#include "lab/lab.h"
#include "util/diag.h"

/*
 * Checks that req names something nflab knows how to probe: a program on PATH
 * ("tshark"), a sysctl ("sysctl:net.netfilter.nf_log_all_netns") or a kernel
 * feature ("kernel:nflog-conntrack", "kernel:ct-helper-ftp"). Returns 0, or -1
 * with what is accepted in err.
 */
int requires_valid(const char *req, char *err, size_t len);

/*
 * Probes every requirement of lab (in a scratch netns for kernel features). Returns
 * 0 when all are met, or -1 with d a skip (NFLAB_SKIP) naming the missing one.
 */
int requires_check(const struct lab *lab, struct diag *d);

#endif
