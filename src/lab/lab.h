/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The lab model: topology, rulesets and steps, as parsed and checked from a lab file. */
#ifndef NFLAB_LAB_H
#define NFLAB_LAB_H

#include <regex.h>
#include <stdbool.h>
#include <stdint.h>

#include "craft/craft.h"
#include "expect/field.h"
#include "rules/ruleset.h"
#include "util/diag.h"
#include "util/ipaddr.h"

struct lab_addr {
	struct ipaddr a;
	int plen;
	struct srcloc loc;
};

struct lab_iface {
	char *name;
	unsigned int mtu; /* bytes, 0 = kernel default */
	bool has_mac;
	uint8_t mac[6];
	struct lab_addr *addrs;
	size_t n_addrs, cap_addrs;
	bool linked;   /* an end of some link (or "lo") */
	bool offloads; /* its link keeps segmentation offloads on (offloads: true) */
	struct srcloc loc;
};

#define LAB_TABLE_MAIN 254 /* RT_TABLE_MAIN */

struct lab_route {
	struct ipaddr dst; /* family set even for "default" */
	int plen;
	bool has_gw;
	struct ipaddr gw;
	char *dev;	/* NULL: chosen by the kernel from gw */
	uint32_t table; /* RT_TABLE_MAIN (254) unless "table N" */
	struct srcloc loc;
};

/*
 * A policy routing rule (ip rule): matches select a routing table. family is
 * AF_INET or AF_INET6 from from/to, or AF_UNSPEC for a rule installed in both.
 */
struct lab_rule {
	int family;
	bool has_from, has_to;
	struct ipaddr from, to;
	int from_plen, to_plen;
	bool has_fwmark;
	uint32_t fwmark, fwmask; /* fwmask 0xffffffff unless "N/MASK" */
	char *iif, *oif;	 /* NULL: any */
	uint32_t table;
	bool has_priority;
	uint32_t priority;
	struct srcloc loc;
};

struct lab_sysctl {
	char *key;
	char *value;
	struct srcloc loc;
	bool optional; /* written "KEY?": skipped where the kernel lacks the key */
};

/* A ruleset text and where its first line sits in the lab file. */
struct lab_ruleset {
	char *text;	   /* NULL when the node has none */
	struct srcloc loc; /* first content line and column */
};

struct lab_node {
	char *name;
	bool router;		      /* forwards IPv4 and IPv6 */
	enum ipt_backend ipt_backend; /* for iptables and ip6tables text */
	struct lab_sysctl *sysctls;
	size_t n_sysctls, cap_sysctls;
	struct lab_iface *ifaces;
	size_t n_ifaces, cap_ifaces;
	struct lab_route *routes;
	size_t n_routes, cap_routes;
	struct lab_rule *rules; /* policy routing rules */
	size_t n_rules, cap_rules;
	struct lab_ruleset nft, iptables, ip6tables;
	char *step_rules; /* the texts of the node's nft and iptables steps, joined: NFLOG groups, nftrace */
	bool has_resolver;
	struct ipaddr resolver; /* /etc/resolv.conf of the node's programs */
	struct srcloc loc;
};

/* One end of a link: indexes into lab.nodes and that node's ifaces. */
struct lab_end {
	size_t node;
	size_t iface;
};

struct lab_link {
	struct lab_end a, b;
	unsigned int mtu;
	bool offloads; /* TSO, GSO, GRO ... left on: super-frames (default off) */
	struct srcloc loc;
};

enum step_kind {
	STEP_UDP,
	STEP_TCP,
	STEP_PING,
	STEP_LISTEN,
	STEP_EXPECT,
	STEP_CLOSE,
	STEP_SEND,
	STEP_RUN,     /* a program run to its end */
	STEP_SERVICE, /* a program started in the background, waited on until ready */
	STEP_STOP,    /* a service stopped */
	STEP_EXT,     /* a kind of the step registry (src/step/step.h): ext.ops says which */
};

enum tcp_outcome {
	TCP_ANY = 0, /* not checked */
	TCP_CONNECTED,
	TCP_REFUSED,
	TCP_TIMEOUT,
	TCP_UNREACHABLE,
	TCP_RESET, /* connected, then reset */
};

enum ping_outcome {
	PING_ANY = 0,
	PING_REPLY,
	PING_NO_REPLY,
};

/* A socket probe sent from a node. */
struct step_probe {
	size_t node;
	struct ipaddr dst;
	uint16_t dport; /* udp/tcp */
	bool has_src;
	struct ipaddr src; /* bound source address */
	uint16_t sport;	   /* 0 = ephemeral */
	char *payload;	   /* udp; tcp: sent once connected */
	size_t payload_len;
	size_t *segments; /* tcp: lengths of the payload's parts, each its own send, or NULL */
	size_t n_segments, cap_segments;
	unsigned int count;   /* ping: echo requests to send */
	uint16_t echo_id;     /* ping: ICMP echo identifier */
	int outcome;	      /* enum tcp_outcome / enum ping_outcome */
	uint64_t timeout_ns;  /* tcp connect / ping reply wait */
	uint16_t size;	      /* ping: echo payload bytes (default 56) */
	int ttl;	      /* IPv4 TTL / IPv6 hop limit, 1 to 255; 0: the kernel's */
	int tos;	      /* IPv4 TOS / IPv6 traffic class, 0 to 255; -1: the kernel's */
	int df;		      /* 1: DF (IP_PMTUDISC_DO, IPV6_DONTFRAG), 0: no DF, -1: kernel's */
	uint64_t interval_ns; /* ping: between two requests; 0: all at once */
	bool background;      /* tcp: later steps do not wait for the connect */
};

/* A listening socket opened in a node until the lab ends. */
struct step_listen {
	size_t node;
	int proto; /* IPPROTO_TCP or IPPROTO_UDP */
	int family;
	uint16_t port;
	bool accept; /* TCP: accept connections, and close each when its peer closes */
};

enum pkt_dir {
	DIR_ANY = 0,
	DIR_IN,
	DIR_OUT,
};

enum count_mode {
	COUNT_AT_LEAST, /* n or more */
	COUNT_EXACTLY,	/* exactly n (0 = none) */
};

/* Which events a check considers. */
enum since {
	SINCE_PROBE, /* from the start of the latest probe step before this check */
	SINCE_START, /* from the first step of the lab */
};

/* What an expectation looks at. */
enum expect_source {
	SRC_CAPTURE,   /* packets at a node's interface ("at") */
	SRC_CT_EVENT,  /* a node's conntrack events ("conntrack") */
	SRC_CT_TABLE,  /* a node's conntrack table, dumped at the step ("conntrack-table") */
	SRC_NFLOG,     /* a node's NFLOG records ("nflog") */
	SRC_TRACE,     /* a node's nft trace events ("trace") */
	SRC_COUNTERS,  /* a node's rule and named counters, read at the step ("counters") */
	SRC_FATE,      /* what became of each traced packet at a node ("fate"), at the step */
	SRC_CT_EXPECT, /* a node's conntrack expectations, dumped at the step ("conntrack-expect")
			*/
	SRC_COUNT,
};

/* step_expect.node of "fate: any": the fates at every node. */
#define LAB_ANY_NODE SIZE_MAX

struct pktfilter;

struct step_expect {
	enum expect_source source;
	struct lab_end at;	/* SRC_CAPTURE: capture point */
	size_t node;		/* every source but SRC_CAPTURE: the node */
	struct srcloc node_loc; /* where the point or node is named */
	enum pkt_dir dir;
	struct pred *preds;
	struct srcloc *pred_locs; /* per pred: where its condition is written, or NULL */
	size_t n_preds;
	struct pktfilter *filter; /* SRC_CAPTURE: a tcpdump expression frames pass, or NULL */
	enum count_mode mode;
	unsigned int count;
	uint64_t within_ns; /* deadline after the step starts */
	uint64_t quiet_ns;  /* silence that proves nothing more is coming; 0: the run decides */
	enum since since;
	char *id; /* names the check for later references ({ref: ID.field}), or NULL */
	/* count counts the distinct values of this field among the matches, or NULL */
	const struct field_def *distinct;
};

enum quote_kind {
	QUOTE_NONE,
	QUOTE_INLINE,	/* a packet described in the step, built when the lab is read */
	QUOTE_CAPTURED, /* the last packet matching a filter, captured earlier in the lab */
};

/* A field a load probe changes from packet to packet. */
enum sweep_field {
	SWEEP_SPORT,
	SWEEP_DPORT,
	SWEEP_IP_ID,
	SWEEP_IP_SRC, /* IPv4 */
	SWEEP_IP_DST, /* IPv4 */
};

struct sweep {
	enum sweep_field field;
	uint32_t from, to; /* inclusive; packet k gets from + k % (to - from + 1) */
};

#define SEND_MAX_SWEEPS 4

/* A crafted packet, sent at L2 from an interface or at L3 from a node. */
struct step_send {
	size_t node;
	bool l2;
	size_t iface;	/* l2: the interface */
	struct craft c; /* payload and quote point into the buffers below */
	bool eth_src_set, eth_dst_set;
	bool seq_relative; /* tcp seq "+N": N after the connection's next sequence number */
	bool ack_relative; /* tcp ack "+N": N after the connection's latest acknowledgement */
	uint8_t *payload;
	size_t payload_len;
	enum quote_kind quote;
	uint8_t *quote_bytes; /* QUOTE_INLINE */
	size_t quote_len;
	struct lab_end quote_at; /* QUOTE_CAPTURED: where, which direction, which packet */
	enum pkt_dir quote_dir;
	struct pred *quote_preds;
	size_t n_quote_preds;
	unsigned int count;
	uint64_t rate; /* packets per second, 0: as fast as possible */
	struct sweep sweeps[SEND_MAX_SWEEPS];
	size_t n_sweeps;
	unsigned int fragments; /* > 1: send the IP packet in that many fragments */
};

/* A check of a program's output: a substring, or an extended regular expression. */
struct out_check {
	int stream; /* 1 stdout, 2 stderr, 0 either (readiness) */
	bool regex;
	bool absent; /* must not appear */
	char *text;
	regex_t re; /* compiled when regex */
	struct srcloc loc;
};

enum ready_kind {
	READY_NONE, /* started is ready */
	READY_TCP,  /* a TCP socket listens on the port, in the node */
	READY_UDP,  /* a UDP socket is bound to the port, in the node */
	READY_FILE, /* a file exists */
	READY_OUTPUT,
};

#define EXIT_ANY   (-1)
#define EXIT_NEVER (-2) /* service: it must not end before it is stopped */

/* A program in a node: a run step, a service, or (target, checks) a stop. */
struct step_prog {
	size_t node;
	size_t target;		  /* stop: index of the service step */
	char **argv;		  /* NULL-terminated; a string command runs as /bin/sh -c TEXT */
	char *text;		  /* the command as written, for reports */
	uint64_t within_ns;	  /* run: until it exits; service: until it is ready */
	int exit_code;		  /* run, stop: expected exit status, or EXIT_ANY; service: the
				   * status it may end with on its own, EXIT_ANY or EXIT_NEVER */
	struct out_check *checks; /* run: on its output */
	size_t n_checks, cap_checks;
	enum ready_kind ready; /* service */
	uint16_t ready_port;
	char *ready_file;	    /* relative: in the lab's /tmp */
	struct out_check ready_out; /* READY_OUTPUT */
	uint64_t grace_ns;	    /* service: from SIGTERM to SIGKILL */
	char **env; /* run, service: "NAME=value" of its env:, NULL-terminated, or NULL */
	size_t n_env, cap_env;
};

struct step_ops;

/* A step of a registered kind: its ops and what its parse made (owned by the kind). */
struct step_ext {
	const struct step_ops *ops;
	void *priv;
};

struct lab_step {
	enum step_kind kind;
	char *name; /* optional label */
	struct srcloc loc;
	union {
		struct step_probe probe;
		struct step_listen listen;
		struct step_expect expect;
		size_t close; /* STEP_CLOSE: index of the tcp step whose connection to close */
		struct step_send send;
		struct step_prog prog; /* STEP_RUN, STEP_SERVICE, STEP_STOP */
		struct step_ext ext;   /* STEP_EXT */
	};
};

struct lab {
	char *path; /* the lab file as given */
	char *name;
	char *description;
	char *topology;	     /* topology name, NULL when inline */
	char *topology_path; /* file the topology came from */
	struct lab_node *nodes;
	size_t n_nodes, cap_nodes;
	struct lab_link *links;
	size_t n_links, cap_links;
	struct lab_step *steps;
	size_t n_steps, cap_steps;
	char **requires; /* programs the lab needs (skip if missing) */
	size_t n_requires, cap_requires;
	uint64_t quiet_ns;	 /* quiet interval of its checks, 0: the run decides per probe */
	struct lab_end *capture; /* interfaces --pcap-dir writes (all when none) */
	struct pktfilter **capture_filter; /* per capture: the frames written, NULL: all */
	size_t n_capture, cap_capture;
	char **env; /* "NAME=value" for the lab's programs */
	size_t n_env, cap_env;
	char **hosts; /* extra /etc/hosts lines for the lab's programs */
	size_t n_hosts, cap_hosts;
	char **keep; /* files of the lab's /tmp that --pcap-dir copies out (relative) */
	size_t n_keep, cap_keep;
	bool golden; /* compared with (or written to) its golden timeline in expected/ */
	bool fate;   /* trace every packet in every node, for its fate (fate: true) */
	/* Totals over every node, for the limits below. */
	size_t n_addrs_total, n_routes_total, n_expects;
	size_t filter_chars; /* of all its tcpdump filters: PKTFILTER_LAB_MAX at most */
};

/*
 * What one lab may hold (docs/lab-format.md, "Limits"): far beyond what a lab
 * written by people needs, low enough that a hostile file ends at once with an
 * error at the line that crosses one, before anything runs. Each counts what
 * the lab and its topology file declare together.
 */
#define LAB_FILE_MAX	    (1u << 20) /* bytes of a lab or topology file */
#define LAB_NAME_MAX	    64	       /* characters of a lab's name */
#define LAB_NAME_BYTES_MAX  128	       /* and its bytes (UTF-8): file and netns names hold 255 */
#define LAB_NODES_MAX	    1024       /* nodes (network namespaces) */
#define LAB_LINKS_MAX	    2048       /* links (veth pairs) */
#define LAB_ADDRS_MAX	    8192       /* interface addresses, all nodes together */
#define LAB_ROUTES_MAX	    8192       /* routes and policy rules, all nodes together */
#define LAB_STEPS_MAX	    1000       /* steps */
#define LAB_EXPECTS_MAX	    500	       /* expect steps (expectations) */

#define LAB_DEFAULT_WITHIN_NS 1000000000ull /* 1 s */
#define LAB_DEFAULT_QUIET_NS  50000000ull   /* 50 ms */
/* Quiet after a probe whose packets only the kernel handles (see run_quiet_ns()). */
#define LAB_KERNEL_QUIET_NS    5000000ull    /* 5 ms */
#define LAB_DEFAULT_TIMEOUT_NS 1000000000ull /* ping replies */
/* An ICMP error to a connect() is acted on at the first SYN retransmission (1 s): see docs. */
#define LAB_DEFAULT_TCP_TIMEOUT_NS 2000000000ull
#define LAB_DEFAULT_RUN_NS	   10000000000ull /* a run step's program */
#define LAB_DEFAULT_READY_NS	   5000000000ull  /* a service becoming ready */
#define LAB_DEFAULT_GRACE_NS	   2000000000ull  /* a service stopping after SIGTERM */

/*
 * Reads and checks the lab file at path; topologies named by "topology:" are
 * looked up in topo_dir (NULL: "topologies" next to the lab's "labs" directory,
 * then ./topologies). Nothing is created. Returns a new lab (caller frees with
 * lab_free()), or NULL with d holding file:line:column and what was expected.
 */
struct lab *lab_load(const char *path, const char *topo_dir, struct diag *d);
/* As lab_load(), from a buffer; name is the file name used in messages. */
struct lab *lab_load_buffer(const char *name, const char *text, size_t len, const char *topo_dir,
			    struct diag *d);
void lab_free(struct lab *lab);
/* A lab file's text (NUL-terminated, *len bytes; caller frees), checked to be one. NULL with d. */
char *lab_read_file(const char *path, size_t *len, struct diag *d);
/*
 * Parses text as one more step of lab (a mapping, as one item of a lab file's
 * steps) and appends it, also when parsing fails part way (lab_free() releases
 * it). name labels messages and locations and must live as long as lab (a
 * string literal). Returns 0, or -1 with d saying what was expected.
 */
int lab_add_step_text(struct lab *lab, const char *name, const char *text, struct diag *d);
/* Removes the last step and frees what it holds. */
void lab_drop_last_step(struct lab *lab);
/* Moves the last step out of the lab into *out (release it with lab_step_release()). */
void lab_take_last_step(struct lab *lab, struct lab_step *out);
void lab_step_release(struct lab_step *st);

/*
 * Whether s is a name a lab takes (a node's, an interface's ...): 1 to max
 * letters, digits, '-', '_' or '.'.
 */
bool lab_name_valid(const char *s, size_t max);
/*
 * Adds the text of an nft or iptables step of node n to n->step_rules, read
 * when the lab is, so the NFLOG groups and tracing it sets up are observed
 * from the lab's start.
 */
void lab_node_step_rules(struct lab_node *n, const char *text);

/* Finds a node by name; returns its index or -1. */
int lab_node_find(const struct lab *lab, const char *name);
/* The other end of the link whose end e is, or NULL (e is on no link, or is lo). */
const struct lab_end *lab_link_peer(const struct lab *lab, const struct lab_end *e);
/* "node:iface" of an end, into buf. Returns buf. */
const char *lab_end_fmt(const struct lab *lab, const struct lab_end *e, char *buf, size_t len);

#endif
