/* SPDX-License-Identifier: GPL-2.0-or-later */
/* nflab import: a box's own dumps (ruleset, ip -j addr/route/rule, a capture) into a lab file. */
#ifndef NFLAB_IMPORT_IMPORT_H
#define NFLAB_IMPORT_IMPORT_H
#include <stdio.h>

#include "util/diag.h"

struct import_args {
	const char *nft, *iptables, *ip6tables; /* ruleset files: nft, or iptables and/or ip6tables */
	const char *addr;			/* ip -j addr */
	const char **routes, **rules;		/* ip -j route, ip -j rule; any number of each */
	size_t n_routes, n_rules;
	const char *sysctl; /* sysctl -a, or NULL */
	const char *pcap;   /* a capture, or NULL */
	const char *node;   /* the box's node name (default fw) */
	const char *out;    /* the lab file to write */
	const char *made_by; /* the command line, for the lab's first comment */
};

/*
 * Reads the dumps, writes the lab to a->out (whole or not at all; with a
 * pcapng capture of several interfaces, one capture per interface beside
 * it), and prints each thing left out of the lab to notes (standard error),
 * as the lab's comments say it too. Returns 0, or -1 with d set: a file
 * that cannot be read or is not what its option says, with its name and
 * what is wrong.
 */
int import_box(const struct import_args *a, FILE *notes, struct diag *d);

#endif
