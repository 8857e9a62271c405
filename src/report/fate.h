/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What became of a packet at a node, told from its nft trace events: delivered, dropped ... */
#ifndef NFLAB_FATE_H
#define NFLAB_FATE_H

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "observe/packet.h"
#include "observe/trace.h"

struct evlog;
struct fate_why;
struct lab;
struct timeline_ctx;
struct timeline_story;

/*
 * Invariants. A fate is told from the trace events of one packet at one node,
 * in the order the kernel sent them. It is exact when nflab's fate table
 * (rules/ruleset.h, RULESET_FATE_TABLE) is in the node: its chains say which
 * hook the packet entered, and its "_done" chains that it went through input
 * or postrouting. Without it, a fate is a drop seen in the lab's own chains
 * or a best guess from the interfaces of the last accept.
 */

enum fate_kind {
	FATE_UNKNOWN =
		0,	/* the trace ends with an accept before the last hook: not traced further */
	FATE_DELIVERED, /* accepted through input: to a local socket, or the node's stack */
	FATE_FORWARDED, /* came in, accepted through forward and postrouting, out iface */
	FATE_SENT,	/* made by the node, accepted through output and postrouting, out iface */
	FATE_DROPPED,	/* a drop verdict: a rule's, or a base chain's policy */
	FATE_REJECTED,	/* a reject rule's drop: the node answers with an ICMP error or TCP reset */
	FATE_LOST,	/* entered a hook, then nothing: a drop outside nft rules, or stolen */
};

/* What decided a fate (the field fate.by). */
enum fate_by {
	FATE_BY_NONE = 0, /* no chain of the lab's on that hook: it went through */
	FATE_BY_RULE,	  /* a rule's verdict: table, chain, rule */
	FATE_BY_POLICY,	  /* a base chain's policy: table, chain */
	FATE_BY_UNTRACED, /* the trace stops: nothing nft traces decided (lost, unknown) */
	FATE_BY_KERNEL,	  /* the stack dropped it outside netfilter: reason names why */
};

struct fate {
	enum fate_kind kind;
	enum fate_by by;
	const char *node; /* the node's name (borrowed), or NULL when not given */
	int hook;	  /* NF_INET_* where it was sealed: input for delivered, postrouting for
			     forwarded and sent, the drop's hook, the last hook a lost packet
			     entered; -1 when unknown (no fate table) */
	int chain_hook;	  /* NF_INET_* of chain, -1 when unknown */
	uint8_t family;	  /* NFPROTO_* of table */
	char table[64], chain[64]; /* the chain that decided, "" when none did */
	char rule[128];		   /* its rule's comment, or handle as text; "" for none */
	uint64_t handle;	   /* its rule's handle, 0 for none */
	const char *answer; /* a static "ICMP error", "TCP reset" ...: what the node sent back (a
			       reject's, or what answered a delivered packet), or NULL */
	bool unseen_out;    /* forwarded or sent, but not captured leaving iface */
	char iface[IF_NAMESIZE]; /* out (forwarded, sent), else in (or out) interface */
	uint32_t ct_bits;	 /* the TRACE_CT_* state the packet had; 0: no entry */
	bool ct_reply;		 /* in the reply direction */
	char ct_state[24];	 /* "NEW", "RELATED reply", or "none": as fate_text() shows it */
	/*
	 * The kernel's reason, from its drop counters (report/fate_why.h): "no
	 * route (IpExt InNoRoutes +1)" for FATE_BY_KERNEL; for a lost, unknown or
	 * delivered packet one that may be it ("one of these 2 packets ..."); ""
	 * for none.
	 */
	char reason[256];
	bool counted; /* the node's counters were read after it (fate: true) */
};

/*
 * The fate at one node of one packet from its n trace events there, nflab's fate
 * table's included, in the order the kernel sent them. node names the node in
 * out (borrowed, or NULL). Returns 0 when the events decide it (a drop, a
 * stolen packet, or nflab's fate table saw it through input or postrouting), 1
 * when they end without that: out is then FATE_LOST when the fate table traced
 * the packet, and otherwise FATE_FORWARDED or FATE_SENT when its last accept
 * had an out interface, else FATE_UNKNOWN; a caller still reading events
 * should wait for more. Returns -1 when n is 0 (out is cleared).
 */
int fate_of(const struct trace_rec *const *traces, size_t n, const char *node, struct fate *out);

/*
 * One line for people, into buf: "fate: dropped at fw by inet filter forward
 * rule \"drop-telnet\" (handle 4) [ct NEW]", "fate: delivered to fw (input
 * accept) [ct ESTABLISHED]", "fate: forwarded by fw out eth1 [ct NEW]". Returns buf.
 */
const char *fate_text(const struct fate *f, char *buf, size_t len);

/* Names: "delivered", "dropped" ...; "rule", "policy" ...; "prerouting" ... ("?" for -1). */
const char *fate_kind_name(enum fate_kind k);
const char *fate_by_name(enum fate_by b);
const char *fate_hook_name(int hook);

/* A packet's fate at a node as a fate check sees it: the packet's fields, then the fate's. */
struct fate_rec {
	struct pkt pkt; /* first, so packet fields read a fate_rec as a struct pkt: the headers
			   as the deciding event saw them (after a DNAT in prerouting) */
	struct fate f;
	size_t node;	   /* the node's index in the lab */
	uint32_t trace_id; /* the kernel's id of the packet at that node */
};

/* fate_text() and the packet: "fate: ... [ct NEW]: 198.51.100.10.40000 > ...". Returns buf. */
const char *fate_rec_summary(const struct fate_rec *r, char *buf, size_t len);

/*
 * Appends to out one EV_FATE event (data: a struct fate_rec; point: point; time:
 * the packet's last event) for each packet traced at node, or at every node
 * for LAB_ANY_NODE, whose first event is traces->ev[from] or later, in the
 * order the packets came. traces holds the trace events of the run's nodes
 * with those of nflab's fate table (trace_keep_all()); lab names the nodes.
 * Link chatter (neighbour discovery, MLD) has no fate. A packet whose events
 * do not decide its fate (fate_of() returns 1) may still be on its way: it is
 * left out unless settled (nothing has moved in the lab for a while), and
 * counted. So is, with why (the kernel's drop counters, fate: true), a packet
 * they could explain whose node's counters were not read since. Each record
 * gets the reason why gives (fate_why_apply()). Returns the number left out.
 */
size_t fate_collect(const struct evlog *traces, size_t from, size_t node, const struct lab *lab,
		    bool settled, size_t point, const struct fate_why *why, struct evlog *out);

/* One packet at one node in a log of trace events. */
struct fate_packet {
	size_t node;
	size_t first, last;    /* log indexes of its first and last events there */
	struct fate f;	       /* fate_of() of its events */
	int decided;	       /* fate_of()'s return: 0 decided, 1 not (yet) */
	const struct pkt *pkt; /* its headers (borrowed from the log), or NULL */
	bool chatter;	       /* link chatter (neighbour discovery, MLD): no fate */
};

/*
 * Every packet traced at node (LAB_ANY_NODE: at every node) in traces, in the
 * order they came, into a new array (caller frees) of *n.
 */
struct fate_packet *fate_packets(const struct evlog *traces, size_t node, const struct lab *lab,
				 size_t *n);

/*
 * As fate_group_text(), the fate itself and the index of the node where it was
 * sealed, into *out and *node. Returns 0, or -1 when nothing is known.
 */
int fate_group(const struct timeline_ctx *c, const struct timeline_story *s, size_t first,
	       struct fate *out, size_t *node);

/*
 * The hook where the packet of the story group starting at first entered
 * node, as nflab's fate table traced it there (its first chain):
 * NF_INET_PRE_ROUTING for one that came in, NF_INET_LOCAL_OUT for one the
 * node made. The packet is found by the group's trace event at node, else its
 * capture there. -1 when c->traces is NULL or does not hold it.
 */
int fate_group_entry_hook(const struct timeline_ctx *c, const struct timeline_story *s,
			  size_t first, size_t node);

/*
 * For the timeline: the fate of the packet of one story group, at the last
 * node it reached (where its last capture or trace event is), as fate_text()
 * writes it. first is the index in s of the group's first entry. The trace
 * events are c->traces when the run kept them (exact: nflab's fate table's are
 * there), else the group's own trace entries at that node (a best guess when
 * the lab traces only some hooks). A delivered packet that the node answered
 * right after (an ICMP error or TCP reset to its source, within 100 ms, as
 * ladder.c finds rejects) says "delivered to fw's stack", with the answer; a
 * drop answered so is a reject; a forwarded or sent packet with captures but
 * none of it leaving says so. Returns buf, or NULL when nothing is known: link
 * chatter, no packet, or no trace at that node.
 */
const char *fate_group_text(const struct timeline_ctx *c, const struct timeline_story *s,
			    size_t first, char *buf, size_t len);

#endif
