/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Named fields of observed events, and predicates over them ("ip.src: 192.0.2.0/24"). */
#ifndef NFLAB_FIELD_H
#define NFLAB_FIELD_H

#include <stdbool.h>
#include <stdint.h>

#include "util/ipaddr.h"

enum value_kind {
	VAL_UINT,  /* numbers, with optional symbolic names (icmp.type: port-unreachable) */
	VAL_ADDR,  /* IPv4/IPv6 addresses */
	VAL_MAC,   /* Ethernet addresses */
	VAL_FLAGS, /* bit sets written by name (tcp.flags: syn,ack) */
	VAL_STR,   /* text */
};

struct value {
	enum value_kind kind;
	uint64_t u;	 /* VAL_UINT, VAL_FLAGS */
	struct ipaddr a; /* VAL_ADDR */
	uint8_t mac[6];	 /* VAL_MAC */
	char s[128];	 /* VAL_STR */
};

/* A symbolic name for a number. Tables end with {NULL, 0}. */
struct sym {
	const char *name;
	uint64_t value;
};

struct field_def {
	const char *name; /* "ip.src", "inner.dport" ... */
	enum value_kind kind;
	const struct sym *syms; /* names accepted and printed for the value, or NULL */
	const char *help;	/* one line for docs and "unknown field" hints */
	/* Reads the field from a record; returns true when the field is present. */
	bool (*get)(const void *rec, struct value *out);
};

/* Getters' helpers: set v to a value of that kind; return true (the field is present). */
bool value_uint(struct value *v, uint64_t u);
bool value_flags(struct value *v, uint64_t u);
bool value_str(struct value *v, const char *s);

/* The fields of decoded packets (struct pkt), NULL-name terminated. */
extern const struct field_def pkt_fields[];
/* The fields of conntrack entries and events (struct ct_rec), NULL-name terminated. */
extern const struct field_def ct_fields[];

/* NFLOG records (struct log_rec): log.* plus the packet fields. */
extern const struct field_def log_fields[];
/* nft trace events (struct trace_rec): trace.* plus the packet fields. */
extern const struct field_def trace_fields[];
/* Rule and named counters (struct counter_rec). */
extern const struct field_def counter_fields[];
/* Conntrack status bit names, shared by ct.status, log.ct.status and trace.ct.status. */
extern const struct sym ct_status_syms[];

/* Finds name in a NULL-name-terminated table, or NULL. */
const struct field_def *field_find(const struct field_def *table, const char *name);

enum pred_op {
	PRED_EQ,     /* value; for addresses also a prefix "net/len"; for flags the exact set */
	PRED_NE,     /* "!value" */
	PRED_LT,     /* "<n"  (numbers) */
	PRED_LE,     /* "<=n" */
	PRED_GT,     /* ">n" */
	PRED_GE,     /* ">=n" */
	PRED_HAS,    /* flags: "+syn,ack" means at least these bits */
	PRED_LACKS,  /* flags: "-src-nat,dst-nat" means none of these bits */
	PRED_ABSENT, /* "absent": the field is not present in the record */
};

/* One condition on one field. */
struct pred {
	const struct field_def *field;
	enum pred_op op;
	struct value v;
	int plen; /* prefix length for VAL_ADDR with PRED_EQ/PRED_NE, -1 for an exact address */
};

/*
 * Parses text as a condition on field f. Accepts a number or a symbolic name
 * of f->syms (case-insensitive, '-' and '_' alike), an address (with /len), a MAC, flag names
 * joined by ',' or '|' (or a number), or text; prefixed by '!', '<', '<=', '>', '>=', '+', '-' as
 * enum pred_op says, or the word "absent". Returns 0, or -1 with a message in err (what was
 * expected, e.g. "expected an IPv4 or IPv6 address, got \"x\"").
 */
int pred_parse(const struct field_def *f, const char *text, struct pred *out, char *err,
	       size_t errlen);

/*
 * Parses a number or symbolic name (flag names for flag fields) of f, as a
 * value to put in a packet rather than to compare. Returns 0, or -1 with err.
 */
int field_parse_number(const struct field_def *f, const char *s, uint64_t *out, char *err,
		       size_t errlen);

/* True when rec satisfies p. A missing field satisfies only PRED_ABSENT and PRED_NE. */
bool pred_match(const struct pred *p, const void *rec);

/* Formats a value as lab files write it (symbolic when f has a name for it). Returns buf. */
const char *value_fmt(const struct field_def *f, const struct value *v, char *buf, size_t len);

/* Formats the condition back as text ("!192.0.2.0/24", "port-unreachable"). Returns buf. */
const char *pred_fmt(const struct pred *p, char *buf, size_t len);

#endif
