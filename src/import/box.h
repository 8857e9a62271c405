/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A customer's box as its own dumps describe it: what nflab import reads and turns into a lab. */
#ifndef NFLAB_IMPORT_BOX_H
#define NFLAB_IMPORT_BOX_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/diag.h"
#include "util/ipaddr.h"

/* One address of an interface; why is NULL when the lab can use it. */
struct box_addr {
	struct ipaddr a;
	int plen;
	const char *why; /* static text: why the lab cannot use it (loopback ...) */
};

struct box_iface {
	char *name;    /* as the box names it */
	unsigned int mtu; /* 0 when the dump gave none */
	char *link_type; /* "ether", "none" (a tunnel) ...; NULL when not given */
	uint8_t mac[6];
	bool has_mac;
	struct box_addr *addrs;
	size_t n_addrs, cap_addrs;
};

/* A route; skip says why it is not imported (NULL: imported). */
struct box_route {
	int family;
	bool is_default;
	struct ipaddr dst;
	int plen;
	bool has_via;
	struct ipaddr via;
	char *dev;      /* NULL when the route names none */
	uint32_t table; /* RT_TABLE_MAIN (254) unless the dump says otherwise */
	char *skip;
};

/* A policy rule; skip says why it is not imported (NULL: imported). */
struct box_rule {
	int family;
	uint32_t priority;
	char *from, *to; /* "10.0.2.0/24" or an address; NULL when any */
	char *fwmark;    /* "0x1/0xff"; NULL when none */
	char *iif, *oif;
	uint32_t table;
	char *skip;
};

/* A routing table the dumps name with a word of the box's rt_tables: it gets a number here. */
struct box_table_name {
	char *name;
	uint32_t id;
};

enum box_ruleset_kind { BOX_RULESET_NONE, BOX_RULESET_NFT, BOX_RULESET_IPTABLES };

struct box {
	struct box_iface *ifaces;
	size_t n_ifaces, cap_ifaces;
	struct box_route *routes;
	size_t n_routes, cap_routes;
	struct box_rule *rules;
	size_t n_rules, cap_rules;
	struct box_table_name *tables;
	size_t n_tables, cap_tables;
	enum box_ruleset_kind ruleset_kind;
	char *nft, *iptables, *ip6tables; /* ruleset texts, verbatim */
	int ip_forward, ip6_forward;      /* from sysctl -a: 0 or 1, -1 when not known */
	char **notes; /* what could not be imported, for stderr and the lab's comments */
	size_t n_notes, cap_notes;
};

#define BOX_INIT                                    \
	{                                           \
		.ip_forward = -1, .ip6_forward = -1 \
	}

void box_release(struct box *b);

/* Adds a note (what the lab leaves out, and why) to b. */
void box_note(struct box *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The interface named name, or NULL. */
struct box_iface *box_iface_find(const struct box *b, const char *name);

/*
 * The number of a routing table as a dump names it: "main" 254, "default" 253,
 * a number as is, any other word a number of its own from 10000 up (noted
 * once). "local" (255) is the kernel's; returns 0 for it. Returns -1 for
 * text that is no table name (empty, or a number 0 or out of range).
 */
int64_t box_table_id(struct box *b, const char *name);

/*
 * Readers of the box's dumps. Each fills b from path and returns 0, or -1
 * with d set to "PATH: what was wrong" (for JSON syntax errors,
 * "PATH:LINE:COLUMN: ..." as jansson reports them).
 */
int box_read_addr(struct box *b, const char *path, struct diag *d);   /* ip -j [-d] addr */
int box_read_route(struct box *b, const char *path, struct diag *d);  /* ip -j [-6] route ... */
int box_read_rule(struct box *b, const char *path, struct diag *d);   /* ip -j [-6] rule */
int box_read_sysctl(struct box *b, const char *path, struct diag *d); /* sysctl -a */
/* kind is BOX_RULESET_NFT (nft list ruleset) or BOX_RULESET_IPTABLES (-save text, v6 for ip6) */
int box_read_ruleset(struct box *b, enum box_ruleset_kind kind, bool v6, const char *path,
		     struct diag *d);

#endif
