/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Interface addresses over rtnetlink; IPv6 ones are usable at once (no DAD). */
#ifndef NFLAB_ADDR_H
#define NFLAB_ADDR_H

#include "topo/nl.h"
#include "util/ipaddr.h"

/*
 * Adds a/plen to the interface named ifname in the socket's netns. IPv4 gets the
 * broadcast address of the prefix; IPv6 is added with IFA_F_NODAD so it can be
 * used immediately. Returns 0 or -1 (kernel message in d).
 */
int addr_add(struct nl_sock *s, const char *ifname, const struct ipaddr *a, int plen,
	     struct diag *d);

#endif
