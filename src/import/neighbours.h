/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The nodes around an imported box: one per connected subnet, holding what fw's routes and rules name. */
#ifndef NFLAB_IMPORT_NEIGHBOURS_H
#define NFLAB_IMPORT_NEIGHBOURS_H
#include "import/box.h"

struct nb_addr {
	struct ipaddr a;
	int plen;
	bool on_lo; /* a host behind the neighbour (on its lo), not on fw's subnet */
	char *why; /* "fw's gateway (default via ...)", "named in the ruleset" ... */
};

/* The node behind one interface of fw. */
struct neighbour {
	char *name;		      /* node name, from the interface's */
	const struct box_iface *link; /* fw's interface it is linked to */
	struct nb_addr *addrs;
	size_t n_addrs, cap_addrs;
	char **routes; /* as a lab writes them: "default via 10.0.1.1" */
	size_t n_routes, cap_routes;
};

struct neighbours {
	struct neighbour *v;
	size_t n, cap;
};

/* Whether fw's interface ifc goes into the lab (a name a lab takes, an address it can use). */
bool box_iface_imported(const struct box_iface *ifc);

/*
 * Decides what of b the lab holds (routes and rules through interfaces the
 * lab has, gateways it can reach, no repeats: the others get a skip reason
 * and a note) and the neighbours of fw (node fw_name): one per imported
 * interface, named after it, holding the gateways and next hops fw's routes
 * use on its subnets and the host addresses of those subnets that fw's
 * ruleset names, else the subnet's first free address, with a route back to
 * fw. A host the ruleset names behind one of fw's gateways (a route other
 * than a default one) is on that gateway's node's lo; an address the
 * ruleset DNATs that is on no subnet of fw (published addresses the
 * provider routes to the box) gets a route to fw on the way out. Fills out; release it with neighbours_release().
 */
void neighbours_build(struct box *b, const char *fw_name, struct neighbours *out);
void neighbours_release(struct neighbours *nb);

#endif
