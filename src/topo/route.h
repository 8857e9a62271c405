/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Routes over rtnetlink: default and prefix routes via a gateway and/or a device. */
#ifndef NFLAB_ROUTE_H
#define NFLAB_ROUTE_H

#include <stdint.h>

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

/*
 * Deletes the route to dst/plen from routing table table (RT_TABLE_MAIN: 254)
 * of the socket's netns, the one via gw and/or out of dev when those are given
 * (NULL: any), as "ip route del" does. Returns 0 or -1 (kernel message in d).
 */
int route_del(struct nl_sock *s, const struct ipaddr *dst, int plen, const struct ipaddr *gw,
	      const char *dev, uint32_t table, struct diag *d);

/* As route_add(), in routing table table (1 to 2^32-1, RTA_TABLE; 0: main). */
int route_add_table(struct nl_sock *s, const struct ipaddr *dst, int plen, const struct ipaddr *gw,
		    const char *dev, uint32_t table, struct diag *d);

#endif
