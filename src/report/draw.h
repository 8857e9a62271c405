/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The topology picture of a lab: nodes, links, interfaces and addresses, as SVG. */
#ifndef NFLAB_DRAW_H
#define NFLAB_DRAW_H

#include <stdbool.h>
#include <stdio.h>

#include "lab/lab.h"
#include "util/diag.h"

/*
 * Writes the picture of lab's topology to f: a box per node (name, router or
 * host), a line per link with each end's interface name and addresses, and with
 * routes small under each node when routes is true. Nodes are laid out in
 * columns by their distance from the first node, so a chain is one row. A pure
 * function of the lab: it creates nothing and needs no privilege.
 */
void draw_topology(const struct lab *lab, bool routes, FILE *f);
/* As draw_topology(), into the file at path. Returns 0, or -1 with d set. */
int draw_topology_write(const struct lab *lab, bool routes, const char *path, struct diag *d);

/*
 * The nodes left to right (and top to bottom) as the picture places them, into
 * order (lab->n_nodes entries), so other pictures can keep the same arrangement.
 */
void draw_node_order(const struct lab *lab, size_t *order);

#endif
