/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Conntrack expectations of one node (what helpers such as ftp and sip expect), dumped on demand.
 */
#ifndef NFLAB_CTEXP_H
#define NFLAB_CTEXP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/diag.h"
#include "util/ipaddr.h"

/* Presence bits of struct exp_rec: parts of the expected tuple that are not wildcards. */
enum {
	EXP_HAS_SRC = 1 << 0,	/* the source address is given (its mask is not zero) */
	EXP_HAS_SPORT = 1 << 1, /* the source port is given */
	EXP_HAS_PORTS = 1 << 2, /* the protocol has ports (TCP, UDP ...) */
	EXP_HAS_MASTER_PORTS = 1 << 3,
};

/* One expectation, as a dump of the node's expectation table gives it. */
struct exp_rec {
	uint32_t present; /* EXP_HAS_* */
	uint8_t proto;	  /* layer-4 protocol of the expected connection */
	struct ipaddr src, dst;
	uint16_t sport, dport; /* host order */
	uint8_t master_proto;
	struct ipaddr master_src, master_dst; /* the master connection's original tuple */
	uint16_t master_sport, master_dport;
	char helper[32];  /* the helper that made it: ftp, sip ... */
	uint32_t timeout; /* seconds left */
	uint32_t flags;	  /* NF_CT_EXPECT_PERMANENT 1, _INACTIVE 2, _USERSPACE 4 */
	uint32_t class;	  /* the helper's expectation class (sip: signalling, audio, video) */
	uint16_t zone;
};

struct evlog;

/*
 * Dumps the conntrack expectation table of the netns held by nsfd into log
 * as EV_CT_EXP events of node. Returns 0 or -1.
 */
int ctexp_dump(int nsfd, size_t node, struct evlog *log, struct diag *d);

/*
 * "[EXPECT] tcp 198.51.100.20 -> 192.0.2.10:50000 master 192.0.2.10:41000 ->
 * 198.51.100.20:21 helper ftp timeout 299" into buf. Returns buf.
 */
const char *exp_summary(const struct exp_rec *x, char *buf, size_t len);

#endif
