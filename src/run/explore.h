/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A person looking around a lab: nflab shell, --pause-on-fail, and nflab exec. */
#ifndef NFLAB_EXPLORE_H
#define NFLAB_EXPLORE_H

#include "lab/lab.h"
#include "run/run.h"

/*
 * Builds lab's topology and rulesets (its steps are not run), names its nodes
 * in /run/netns as nflab-<lab>-<node>, and runs an interactive shell ($SHELL,
 * else /bin/sh) on this terminal inside node (NULL: the first), with the same
 * view as the lab's programs. When the shell exits, or nflab is killed,
 * everything is removed. Returns the outcome (NFLAB_PASS once the shell ran).
 */
int run_shell(const struct lab *lab, const char *node, const struct run_opts *o);

/*
 * Runs argv in the network namespace of node, of the lab open in an nflab
 * shell or a --pause-on-fail pause (lab NULL: the only open lab with that
 * node). Returns only on failure, with an exit status.
 */
int exec_in_node(const char *lab, const char *node, char *const argv[]);

#endif
