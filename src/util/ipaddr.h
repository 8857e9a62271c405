/* SPDX-License-Identifier: GPL-2.0-or-later */
/* IPv4/IPv6 addresses with an optional prefix length, and MAC addresses, as lab files write them.
 */
#ifndef NFLAB_IPADDR_H
#define NFLAB_IPADDR_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>

struct ipaddr {
	int family; /* AF_INET or AF_INET6, 0 when unset */
	union {
		struct in_addr v4;
		struct in6_addr v6;
		uint8_t b[16];
	};
};

#define IPADDR_STRLEN 64 /* enough for an IPv6 address and "/128" */

/*
 * Parses "192.0.2.1", "2001:db8::1", optionally with "/len". *plen gets the prefix
 * length, or -1 when none was written (plen may be NULL to forbid a prefix).
 * Returns 0, or -1 on a malformed address or an out-of-range prefix.
 */
int ipaddr_parse(const char *text, struct ipaddr *out, int *plen);
/* Formats into buf (IPADDR_STRLEN bytes); returns buf. */
const char *ipaddr_fmt(const struct ipaddr *a, char *buf);
/* Address length in bytes for the family: 4, 16 or 0. */
int ipaddr_len(const struct ipaddr *a);
bool ipaddr_equal(const struct ipaddr *a, const struct ipaddr *b);
/* True when a lies inside net/plen (same family). */
bool ipaddr_in_prefix(const struct ipaddr *a, const struct ipaddr *net, int plen);

/* Parses a MAC address "02:00:00:00:00:01" into mac. Returns 0 or -1. */
int mac_parse(const char *text, uint8_t mac[6]);

#endif
