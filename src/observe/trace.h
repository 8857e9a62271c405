/* SPDX-License-Identifier: GPL-2.0-or-later */
/* nft trace events of one node: each rule, return and policy a traced packet met. */
#ifndef NFLAB_TRACE_H
#define NFLAB_TRACE_H

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "observe/counters.h"
#include "observe/ifnames.h"
#include "observe/packet.h"
#include "util/diag.h"

/* Presence bits of struct trace_rec. */
enum {
	TRACE_HAS_PKT = 1 << 0,	    /* headers: sent with a packet's first event, carried over */
	TRACE_HAS_HANDLE = 1 << 1,  /* a rule event */
	TRACE_HAS_VERDICT = 1 << 2, /* a verdict or a policy */
	TRACE_HAS_CT = 1 << 3,	    /* conntrack attributes (Linux 6.x): state, direction, id */
	TRACE_HAS_CT_STATUS = 1 << 4,
	TRACE_HAS_HOOK = 1 << 5, /* hook: the chain's, or carried over within one hook */
};

/* Bits of trace.ct.state, as the kernel sends them (NF_CT_STATE_*_BIT). */
#define TRACE_CT_INVALID     (1u << 0)
#define TRACE_CT_ESTABLISHED (1u << 1)
#define TRACE_CT_RELATED     (1u << 2)
#define TRACE_CT_NEW	     (1u << 3)
#define TRACE_CT_UNTRACKED   (1u << 6)

struct trace_rec {
	struct pkt pkt; /* first, so packet fields read a trace_rec as a struct pkt */
	uint32_t present;
	uint32_t id;	/* the kernel's id of the traced packet */
	uint8_t type;	/* NFT_TRACETYPE_RULE, _RETURN, _POLICY */
	uint8_t family; /* NFPROTO_* of the table */
	char table[64], chain[64];
	uint64_t handle;
	char comment[128];
	int32_t verdict; /* NF_ACCEPT, NF_DROP, NFT_JUMP ... */
	char target[64]; /* jump/goto chain */
	char iif[IF_NAMESIZE], oif[IF_NAMESIZE];
	uint32_t mark;
	uint32_t ct_state, ct_status, ct_id;
	uint8_t ct_dir;
	uint8_t reject; /* enum rule_reject of the event's rule, as the rulesets list it */
	/*
	 * NF_INET_* hook the event happened in (TRACE_HAS_HOOK): the kernel names
	 * the chain, the listed ruleset says which hook a base chain is on; an
	 * event in a chain jumped to has the hook of the event that began its
	 * packet's walk through that hook (the one that came with headers).
	 */
	uint8_t hook;
};

struct trace;
struct evlog;

/*
 * Subscribes to the nft trace events of the netns held by nsfd and logs them with
 * source node. names and rules (borrowed) turn ifindexes and rule handles into
 * names and comments. Events of nflab's own fate table (trace_is_nflab()) are
 * never logged: see trace_keep_all(). Returns a new listener (free with
 * trace_close()), or NULL.
 */
struct trace *trace_open(int nsfd, size_t node, const struct ifnames *names,
			 const struct nft_rules *rules, int rcvbuf, const char *what,
			 struct diag *d);
void trace_close(struct trace *t);
int trace_fd(const struct trace *t);
/*
 * Also logs every event into all (borrowed, NULL to stop), those of nflab's fate
 * table included: what packet fates are computed from (report/fate.h).
 */
void trace_keep_all(struct trace *t, struct evlog *all);
/*
 * Reads every trace event waiting into log. Returns the number read (of nflab's
 * own events, those of packets that are not link chatter), or -1 when some were lost.
 */
int trace_read(struct trace *t, struct evlog *log, struct diag *d);
/* True for an event of nflab's own fate table (RULESET_FATE_TABLE), no part of the lab. */
bool trace_is_nflab(const struct trace_rec *r);

/* "drop", "accept", "jump" ... for a trace verdict; "?" when unknown. */
const char *trace_verdict_name(int32_t v);
/* "NEW", "RELATED" ... for one TRACE_CT_* bit; "?" otherwise. */
const char *trace_ct_state_name(uint32_t s);

/* "[TRACE] inet filter forward rule 4 \"reject-dmz\" drop, in=eth0 NEW: ..." into buf. */
const char *trace_summary(const struct trace_rec *r, char *buf, size_t len);

#endif
