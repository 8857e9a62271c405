/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Rule and named counters of a node's rulesets (nft and iptables), read on demand. */
#ifndef NFLAB_COUNTERS_H
#define NFLAB_COUNTERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lab/lab.h"
#include "util/diag.h"

enum counter_kind {
	COUNTER_RULE,	/* a rule's counter */
	COUNTER_NAMED,	/* an nft named counter object */
	COUNTER_POLICY, /* an iptables built-in chain's policy counter */
};

enum counter_ruleset {
	RULESET_NFT,
	RULESET_IPTABLES,
	RULESET_IP6TABLES,
};

/* One counter as a step reads it. */
struct counter_rec {
	uint8_t kind;	 /* enum counter_kind */
	uint8_t ruleset; /* enum counter_ruleset */
	char family[8];	 /* nft: ip, ip6, inet, arp, bridge, netdev */
	char table[64], chain[64];
	char name[64];	   /* named counters */
	char comment[128]; /* the rule's comment */
	char policy[16];   /* COUNTER_POLICY: ACCEPT, DROP */
	uint64_t handle;   /* nft rule handle */
	uint32_t position; /* 1-based position of the rule in its chain */
	uint64_t packets, bytes;
};

/* What a rule answers the packets it drops with: a reject is a drop to nft trace. */
enum rule_reject {
	RULE_REJECT_NO = 0, /* no reject */
	RULE_REJECT_ICMP,   /* nft "reject" (with icmp, icmpv6, icmpx) */
	RULE_REJECT_RESET,  /* nft "reject with tcp reset" */
	RULE_REJECT_EITHER, /* iptables "-j REJECT": an ICMP error or a TCP reset */
};

/* An nft rule as listed after the rulesets were applied. */
struct nft_rule_info {
	uint32_t family;
	char table[64], chain[64];
	uint64_t handle;
	char comment[128];
	uint8_t reject; /* enum rule_reject */
};

/* An nft chain as listed: a base chain has the netfilter hook it is attached to. */
struct nft_chain_info {
	uint32_t family;
	char table[64], chain[64];
	int hook; /* NF_INET_* of an ip, ip6 or inet base chain; -1 for other chains */
};

struct nft_rules {
	struct nft_rule_info *v;
	size_t n, cap;
	struct nft_chain_info *chains;
	size_t n_chains, cap_chains;
};

struct evlog;

/* Lists every nft rule and chain of the netns held by nsfd (comments, hooks). Returns 0 or -1. */
int nft_rules_read(int nsfd, struct nft_rules *out, struct diag *d);
void nft_rules_release(struct nft_rules *r);
/* The comment of a rule, or NULL when it has none. */
const char *nft_rules_comment(const struct nft_rules *r, uint32_t family, const char *table,
			      const char *chain, uint64_t handle);
/* A rule as listed (borrowed, valid until r changes), or NULL when r has no such rule. */
const struct nft_rule_info *nft_rules_find(const struct nft_rules *r, uint32_t family,
					   const char *table, const char *chain, uint64_t handle);

/*
 * The netfilter hook (NF_INET_*) of a base chain of an ip, ip6 or inet table as
 * listed, or -1 (not listed, not a base chain, or of another family).
 */
int nft_rules_chain_hook(const struct nft_rules *r, uint32_t family, const char *table,
			 const char *chain);

/*
 * Reads the counters of node (index node_idx) held by nsfd into log as EV_COUNTER
 * events: nft rule and named counters, then iptables/ip6tables rule and policy
 * counters of the node's backend when it has such rules. Returns 0 or -1.
 */
int counters_dump(int nsfd, const struct lab_node *node, size_t node_idx, struct evlog *log,
		  struct diag *d);

/*
 * Adds the counters of "iptables-save -c" output text to log as EV_COUNTER events
 * of node: "[p:b] -A CHAIN ..." rules (position, --comment) and built-in chain
 * policies (":CHAIN POLICY [p:b]").
 */
void counters_parse_ipt_save(const char *text, enum counter_ruleset rs, size_t node,
			     struct evlog *log);

/* "nft inet filter forward #3 \"snat-out\": 0 packets, 0 bytes" into buf. Returns buf. */
const char *counter_summary(const struct counter_rec *c, char *buf, size_t len);
/* nft's name of an NFPROTO_* family: "ip", "ip6", "inet", "arp", "bridge", "netdev", or "?". */
const char *counters_family_name(uint32_t family);

/*
 * Zeroes every nft rule counter and named counter of the netns held by nsfd
 * (dumps with NFT_MSG_GETRULE_RESET and NFT_MSG_GETOBJ_RESET; iptables-nft
 * rules are nft rules, iptables-legacy counters are left alone). Returns 0 or -1.
 */
int counters_reset(int nsfd, struct diag *d);

#endif
