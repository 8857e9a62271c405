/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Builds a lab's topology and rulesets in fresh namespaces, and takes them down. */
#ifndef NFLAB_BUILD_H
#define NFLAB_BUILD_H

#include "lab/lab.h"
#include "topo/nl.h"

/* The kernel side of one lab node. */
struct built_node {
	int nsfd;	      /* holds the node's netns; -1 before creation */
	struct nl_sock *rtnl; /* route socket living in that netns */
};

struct build_plan;

struct built {
	const struct lab *lab; /* borrowed */
	struct built_node *nodes;
	size_t n_nodes;
	struct build_plan *plan; /* what build_rest() has left to do (build.c's) */
	/* figures for the report */
	size_t n_addrs, n_routes, n_rules, n_rulesets, n_sysctls;
};

/*
 * Creates one anonymous netns per node, the links, addresses, routes and sysctls
 * (a per-node baseline first, see docs/lab-format.md), then applies the rulesets.
 * On failure everything created so far is released and d says what the kernel or
 * nft refused, at the lab-file line. Returns 0 or -1.
 */
int build_lab(struct built *b, const struct lab *lab, struct diag *d);
/*
 * build_lab() in two halves: the nodes' network namespaces, then the rest. In
 * between, work that needs only the namespaces (capture rings) can start. A lab
 * of many nodes has most of the rest done in build_nodes() already, each part
 * as soon as the namespaces it needs exist, while the next ones are made. On
 * failure build_nodes() releases what it made; after build_rest() fails, the
 * caller calls build_release() (once that work no longer uses the namespaces).
 */
int build_nodes(struct built *b, const struct lab *lab, struct diag *d);
int build_rest(struct built *b, struct diag *d);
/* Releases every socket and namespace fd; the kernel then frees the namespaces. */
void build_release(struct built *b);

#endif
