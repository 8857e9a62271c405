/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What a failed lab leaves behind for people: each node's ruleset and conntrack table. */
#ifndef NFLAB_ARTIFACTS_H
#define NFLAB_ARTIFACTS_H

#include <stddef.h>

#include "lab/lab.h"
#include "util/diag.h"

/*
 * Writes DIR/<node>.ruleset.txt (nft list ruleset, and iptables-save -c of the
 * node's backend when it has iptables rules) and DIR/<node>.conntrack.txt (the
 * conntrack table) of the node at index idx, held by nsfd. Returns 0 or -1.
 */
int artifacts_node_state(const char *dir, int nsfd, const struct lab_node *n, size_t idx,
			 struct diag *d);

#endif
