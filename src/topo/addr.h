/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Interface addresses over rtnetlink; IPv6 ones are usable at once (no DAD). */
#ifndef NFLAB_ADDR_H
#define NFLAB_ADDR_H

#include <stddef.h>
#include <stdint.h>

#include "topo/nl.h"
#include "util/ipaddr.h"

/*
 * Adds a/plen to the interface named ifname in the socket's netns. IPv4 gets the
 * broadcast address of the prefix; IPv6 is added with IFA_F_NODAD so it can be
 * used immediately. Returns 0 or -1 (kernel message in d).
 */
int addr_add(struct nl_sock *s, const char *ifname, const struct ipaddr *a, int plen,
	     struct diag *d);

/* Removes a/plen from the interface named ifname. Returns 0 or -1 (kernel message in d). */
int addr_del(struct nl_sock *s, const char *ifname, const struct ipaddr *a, int plen,
	     struct diag *d);

/*
 * Waits until no IPv6 address of the netns (s open in it, nsfd holding it) is
 * tentative and each of the n links ifindex[] has a link-local address. Even
 * without DAD the kernel finishes addresses in the background, and a link
 * without a link-local address sends no neighbour solicitations: a packet
 * forwarded there too early waits a second for the retry. Event-driven,
 * bounded by timeout_ns. Returns 0 or -1.
 */
int addr_wait_settled(struct nl_sock *s, int nsfd, const int *ifindex, size_t n,
		      uint64_t timeout_ns, struct diag *d);

#endif
