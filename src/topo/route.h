/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Routes over rtnetlink: default and prefix routes via a gateway and/or a device. */
#ifndef NFLAB_ROUTE_H
#define NFLAB_ROUTE_H

#include "topo/nl.h"
#include "util/ipaddr.h"

/*
 * Adds a route in the main table of the socket's netns. dst/plen is the prefix
 * (plen 0 for a default route; dst->family gives the family). gw may be NULL
 * (then dev is required), dev may be NULL (then the kernel picks it from gw).
 * Returns 0 or -1 (kernel message in d).
 */
int route_add(struct nl_sock *s, const struct ipaddr *dst, int plen, const struct ipaddr *gw,
	      const char *dev, struct diag *d);

#endif
