/* SPDX-License-Identifier: GPL-2.0-or-later */
/* NFLOG records of one node: what its log rules saw, with each packet's conntrack state. */
#ifndef NFLAB_NFLOG_H
#define NFLAB_NFLOG_H

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "observe/ifnames.h"
#include "lab/lab.h"
#include "observe/packet.h"
#include "util/diag.h"

#define LOG_CT_UNTRACKED 7 /* IP_CT_UNTRACKED, which only the kernel headers define */
#define LOG_CT_NONE	 255 /* the record carries no conntrack: the packet was INVALID or UNTRACKED */

/* One NFLOG record. */
struct log_rec {
	struct pkt pkt; /* first, so packet fields read a log_rec as a struct pkt */
	uint16_t group;
	uint8_t hook;	  /* NF_INET_PRE_ROUTING ... NF_INET_POST_ROUTING */
	bool ct_known;	  /* the kernel could attach conntrack info (see nflog_listener_has_ct()) */
	uint8_t ct_state; /* enum ip_conntrack_info, or LOG_CT_NONE */
	bool has_ct_status;
	uint32_t ct_status, ct_id;
	uint32_t mark;
	char prefix[64];
	char indev[IF_NAMESIZE], outdev[IF_NAMESIZE];
};

struct nflog_listener;
struct evlog;

/*
 * Binds the NFLOG groups in the netns held by nsfd (every packet copied whole,
 * flushed one by one, with conntrack info and sequence numbers on) and logs their
 * records with source node. names resolves interface indexes (borrowed). Returns a
 * new listener (free with nflog_listener_close()), or NULL with the kernel's refusal in d.
 */
struct nflog_listener *nflog_listener_open(int nsfd, size_t node, const uint16_t *groups,
					   size_t n_groups, const struct ifnames *names, int rcvbuf,
					   const char *what, struct diag *d);
void nflog_listener_close(struct nflog_listener *l);
int nflog_listener_fd(const struct nflog_listener *l);
/* False when the kernel lacks CONFIG_NETFILTER_NETLINK_GLUE_CT: records have no log.ct.*. */
bool nflog_listener_has_ct(const struct nflog_listener *l);
/* Reads every record waiting into log. Returns the number read, or -1 when records were lost. */
int nflog_listener_read(struct nflog_listener *l, struct evlog *log, struct diag *d);

/* "group 1 prefix "fw-out" output RELATED_REPLY" into buf. Returns buf. */
const char *log_summary(const struct log_rec *r, char *buf, size_t len);

/*
 * The NFLOG groups the rules of node n log to: nft "log ... group N", iptables
 * "-j NFLOG" ("--nflog-group N", default 0). Returns how many, in a new *groups
 * (caller frees; NULL when none).
 */
size_t nflog_node_groups(const struct lab_node *n, uint16_t **groups);

#endif
