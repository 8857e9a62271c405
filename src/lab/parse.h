/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Inside the lab parser: what its files share (lab.c, send.c). */
#ifndef NFLAB_PARSE_H
#define NFLAB_PARSE_H

#include "lab/lab.h"
#include "lab/yamlnode.h"

/* Parsing state for one file; several files (lab, topology) feed one lab. */
struct parser {
	struct lab *lab;
	struct ydoc y;
	const char *topo_dir;
	struct diag *d;
};

struct keyword {
	const char *name;
	int value;
};

/* Records an error at n's position; returns -1. */
int fail_at(struct parser *p, yaml_node_t *n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int parse_addr(struct parser *p, yaml_node_t *n, const char *what, struct ipaddr *a);
int parse_u16(struct parser *p, yaml_node_t *n, const char *what, uint16_t *out);
/* One of kw's names (NULL-name terminated) into *out. */
int parse_keyword(struct parser *p, yaml_node_t *n, const struct keyword *kw, int *out);
/* map[key] names a node: its index into *out. */
int step_node(struct parser *p, yaml_node_t *map, const char *key, size_t *out);
/*
 * A route as a node's routes: list writes one (a string or a mapping) into *out,
 * not yet checked against the node's interfaces. out->dev is the caller's to
 * free, also after an error.
 */
/*
 * Appends a mapping of net.* sysctl keys to values (a node's sysctl:, a sysctl
 * step's set:) to *arr (*n used, *cap allocated). Returns 0 or -1 at the node.
 */
int parse_sysctls(struct parser *p, yaml_node_t *v, struct lab_sysctl **arr, size_t *n,
		  size_t *cap);
int parse_route_one(struct parser *p, yaml_node_t *n, struct lab_route *out);
/* "node:iface" naming an existing interface (or lo). */
int parse_point(struct parser *p, yaml_node_t *v, struct lab_end *end);
/* A "match" mapping of src's fields into new predicates (*preds, *n). */
int parse_match(struct parser *p, yaml_node_t *v, enum expect_source src, struct pred **preds,
		size_t *n);
/*
 * A filter: key: a tcpdump expression for the frames of src (captures only),
 * compiled now into *out (free with pktfilter_free()). Returns 0 or -1 at v.
 */
/*
 * Counts text against the lab's budget of filter characters (PKTFILTER_LAB_MAX),
 * compile cost being what it limits. Returns 0, or -1 with the error at v.
 */
int filter_budget(struct parser *p, yaml_node_t *v, const char *text);
int parse_filter(struct parser *p, yaml_node_t *v, enum expect_source src, struct pktfilter **out);
/* The body of a send step. */
int parse_send(struct parser *p, struct lab_step *st, yaml_node_t *m);
/* Programs (progstep.c): run, service and stop steps; the lab's env, hosts and capture. */
int parse_run(struct parser *p, struct lab_step *st, yaml_node_t *m);
int parse_service(struct parser *p, struct lab_step *st, yaml_node_t *m);
int parse_stop(struct parser *p, struct lab_step *st, yaml_node_t *v);
int parse_env(struct parser *p, yaml_node_t *n);
int parse_hosts(struct parser *p, yaml_node_t *n);
int parse_capture(struct parser *p, yaml_node_t *n);
int parse_keep(struct parser *p, yaml_node_t *n);
void prog_release(struct step_prog *g);

#endif
