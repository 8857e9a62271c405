/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Segmentation offloads of links over ethtool netlink: off, so every frame is wire-sized. */
#ifndef NFLAB_OFFLOAD_H
#define NFLAB_OFFLOAD_H

#include <stddef.h>

#include "topo/nl.h"

/*
 * Turns off, on each named link of the netns s lives in, the offloads that let
 * a frame bigger than the MTU through a device: TSO, GSO, GRO, LRO and the rest
 * of the segmentation family (offload.c lists them; those this kernel does not
 * know are left out, those a device cannot change it ignores). s is a
 * NETLINK_GENERIC socket from nl_open(). One send carries one
 * ETHTOOL_MSG_FEATURES_SET per link. Returns 0, or -1 naming the link the
 * kernel refused; when the kernel has no ethtool netlink (before Linux 5.6, or
 * CONFIG_ETHTOOL_NETLINK off) d->outcome is NFLAB_SKIP.
 */
int offload_off(struct nl_sock *s, const char *const *names, size_t n, struct diag *d);

#endif
