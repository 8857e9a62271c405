/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Policy routing rules over rtnetlink (RTM_NEWRULE, "ip rule add"). */
#ifndef NFLAB_RULE_H
#define NFLAB_RULE_H

#include <stdbool.h>
#include <stdint.h>

#include "topo/nl.h"
#include "util/ipaddr.h"

/* What a rule matches and the table it selects; unset matches match all. */
struct rule_spec {
	int family;			/* AF_INET or AF_INET6 */
	const struct ipaddr *from, *to; /* NULL: any */
	int from_plen, to_plen;
	bool has_fwmark;
	uint32_t fwmark, fwmask;
	const char *iif, *oif; /* NULL: any */
	uint32_t table;	       /* 1 to 2^32-1 */
	bool has_priority;     /* else the kernel picks one above the last rule */
	uint32_t priority;
};

/*
 * Adds a rule "lookup table" for r in the socket's netns. Returns 0 or -1 (the
 * kernel's message, with its extended ack, in d).
 */
int rule_add(struct nl_sock *s, const struct rule_spec *r, struct diag *d);

#endif
