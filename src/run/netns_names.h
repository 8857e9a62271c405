/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A running lab's nodes named in /run/netns while a person looks around; gone when nflab ends. */
#ifndef NFLAB_NETNS_NAMES_H
#define NFLAB_NETNS_NAMES_H

#include <stdbool.h>
#include <sys/types.h>

#include "lab/lab.h"
#include "util/diag.h"

struct netns_names {
	char **paths; /* per node: /run/netns/nflab-<lab>-<node> */
	size_t n;
	bool made_dir;
	int lifeline; /* nflab's end of the janitor's pipe */
	pid_t janitor;
};

/*
 * Binds each node's netns (nsfds[i] for node i) to /run/netns/nflab-<lab>-<node>
 * and starts a janitor that removes them when nflab ends, even by SIGKILL.
 * Returns 0, or -1 with d set (call netns_names_withdraw() either way).
 */
int netns_names_publish(struct netns_names *nn, const struct lab *lab, const int *nsfds,
			struct diag *d);
/* "nflab-<lab>-<node>" of a node. */
const char *netns_names_of(const struct netns_names *nn, size_t node);
/* Removes the names now and waits for the janitor to finish. */
void netns_names_withdraw(struct netns_names *nn);

#endif
