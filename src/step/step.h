/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The step registry: each step kind of src/step/ is one file holding its
 * parsing, execution and description, and one entry of the table in steps.c.
 * Adding a kind is one new file and one table entry; lab.c and run.c only
 * look kinds up here. (The older kinds, udp, tcp, ping, listen, expect, close,
 * send, run, service and stop, are still parsed in src/lab/ and run in
 * src/run/; they move here later, one by one.)
 */
#ifndef NFLAB_STEP_H
#define NFLAB_STEP_H

#include <stddef.h>

#include "lab/yamlnode.h"

struct parser;
struct run;
struct lab;
struct lab_step;

struct step_ops {
	const char *key; /* the step's key in a lab file: "nft" */
	/*
	 * Parses the step's body v (the value of key) into st->ext.priv, which the
	 * kind owns. Called with st->ext.ops set. Returns 0, or -1 with the parser's
	 * diag at the offending node (fail_at()).
	 */
	int (*parse)(struct parser *p, struct lab_step *st, yaml_node_t *v);
	/*
	 * Runs the step. Returns NFLAB_PASS, NFLAB_FAIL (with *detail: a new string
	 * saying why, shown under the step's line), or -1 with r->d set (an error).
	 */
	int (*run)(struct run *r, const struct lab_step *st, char **detail);
	/* The step's line in the report, into buf. */
	void (*describe)(const struct lab *lab, const struct lab_step *st, char *buf, size_t len);
	/* Frees what parse put in st->ext.priv (also after a failed parse); NULL is passed too. */
	void (*release)(void *priv);
	/*
	 * Optional, for kinds that send packets: the node sending them, and in
	 * *iface the interface frames leave by (-1: any). The story marks the
	 * step on the first of them (timeline, pcapng comment). NULL: sends none.
	 */
	long (*sender)(const struct lab_step *st, long *iface);
};

/* The registered kinds, in the order lab files list them, and their count. */
extern const struct step_ops *const step_registry[];
extern const size_t step_registry_n;

/* The kind whose key is key, or NULL. */
const struct step_ops *step_find(const char *key);

extern const struct step_ops step_nft, step_reset_counters, step_conntrack, step_sysctl, step_link,
	step_wait, step_iptables, step_ip6tables, step_addr, step_route, step_replay;

#endif
