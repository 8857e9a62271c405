/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The step registry: each step kind of src/step/ is one file holding its
 * parsing, execution and description, and one entry of the table in steps.c.
 * Adding a kind is one new file and one table entry; lab.c and run.c only
 * look kinds up here. Still outside their files: the expect step's waiting
 * and deciding (run.c, run_step_expect(), tied to the observers and the
 * story), and the program kinds' parsing (src/lab/progstep.c) and running
 * (src/run/progrun.c), which run.c, service.c and stop.c wrap.
 */
#ifndef NFLAB_STEP_H
#define NFLAB_STEP_H

#include <stdbool.h>
#include <stddef.h>

#include "lab/lab.h"
#include "lab/yamlnode.h"

struct parser;
struct run;
struct lab;
struct lab_step;

struct step_ops {
	const char *key; /* the step's key in a lab file: "nft" */
	/*
	 * Where the parse puts the step: STEP_EXT for kinds that keep their own
	 * struct in st->ext.priv; the older kinds fill a typed member of struct
	 * lab_step's union (st->probe, st->expect ...), which reports read too.
	 */
	enum step_kind kind;
	/*
	 * Parses the step's body v (the value of key) into st (st->ext.priv, which
	 * the kind owns, or its typed member). Called with st->ops and st->kind
	 * set. Returns 0, or -1 with the parser's diag at the offending node
	 * (fail_at()).
	 */
	int (*parse)(struct parser *p, struct lab_step *st, yaml_node_t *v);
	/*
	 * Runs the step. text (len bytes) holds what describe wrote; a kind whose
	 * line says what happened (the tcp outcome) writes it here instead.
	 * Returns NFLAB_PASS, NFLAB_FAIL (with *detail: a new string saying why,
	 * shown under the step's line), or -1 with r->d set (an error).
	 */
	int (*run)(struct run *r, const struct lab_step *st, char *text, size_t len, char **detail);
	/* The step's line in the report, into buf; NULL: run writes it. */
	void (*describe)(const struct lab *lab, const struct lab_step *st, char *buf, size_t len);
	/* Frees what parse put in st (also after a failed parse); NULL: nothing. */
	void (*release)(struct lab_step *st);
	/*
	 * Optional, for kinds that send packets: the node sending them, and in
	 * *iface the interface frames leave by (-1: any). The story marks the
	 * step on the first of them (timeline, pcapng comment). NULL: sends none.
	 */
	long (*sender)(const struct lab *lab, const struct lab_step *st, long *iface);
	/*
	 * Optional: whether the step's packets are handled by the kernel alone,
	 * to the end of their chain, within the sending call (a datagram, a few
	 * pings), so capture rings can stay small (run.c traffic_bounded()).
	 * NULL: not (TCP, programs, bursts).
	 */
	bool (*kernel_only)(const struct lab_step *st);
	/*
	 * Optional, with kernel_only: the frames the step's packets take on a link
	 * at most, fragments counted (step_fragments()), which sizes the capture
	 * rings of a lab of kernel-only steps. NULL: one.
	 */
	unsigned int (*frames)(const struct lab_step *st);
	/*
	 * Optional: asks the kernel, in the scratch network namespace nsfd,
	 * whether it can do what the kind needs. NULL when it can, else why not
	 * ("resetting nft counters (Linux 6.2)"), and the lab is skipped before
	 * it starts.
	 */
	const char *(*kernel_lacks)(int nsfd);
};

/*
 * The fragments an IP packet of that many bytes of payload becomes at most on
 * the lab's links (an MTU of 576 or more carries 512 bytes of it at least).
 */
static inline unsigned int step_fragments(size_t bytes)
{
	return (unsigned int)(bytes / 512) + 1;
}

/* The registered kinds, in the order lab files list them, and their count. */
extern const struct step_ops *const step_registry[];
extern const size_t step_registry_n;

/* The kind whose key is key, or NULL. */
const struct step_ops *step_find(const char *key);

/* For kinds whose parse puts one malloc'd block in st->ext.priv: frees it. */
void step_priv_free(struct lab_step *st);

/*
 * Shared by the probe kinds (probe.c): the parse of udp, tcp and ping (by
 * st->kind); frees payload and segments; the probe's node; "ADDR:PORT" of a
 * (bracketed for IPv6) into buf.
 */
int step_probe_parse(struct parser *p, struct lab_step *st, yaml_node_t *m);
void step_probe_release(struct lab_step *st);
long step_probe_sender(const struct lab *lab, const struct lab_step *st, long *iface);
const char *step_addr_port(const struct ipaddr *a, uint16_t port, char *buf, size_t len);
/*
 * Shared by the program kinds (run.c, service.c, stop.c): v, the step's outcome,
 * after listing node's rules again (a program may have loaded some); the
 * program's release and node.
 */
int step_prog_done(struct run *r, size_t node, int v);
void step_prog_release(struct lab_step *st);
long step_prog_sender(const struct lab *lab, const struct lab_step *st, long *iface);

extern const struct step_ops step_udp, step_tcp, step_ping, step_listen, step_expect, step_close,
	step_send, step_run, step_service, step_stop;
extern const struct step_ops step_nft, step_reset_counters, step_conntrack, step_sysctl, step_link,
	step_wait, step_iptables, step_ip6tables, step_addr, step_route, step_replay;

#endif
