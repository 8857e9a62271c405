/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Named fields of observed events, and predicates over them ("ip.src: 192.0.2.0/24"). */
#ifndef NFLAB_FIELD_H
#define NFLAB_FIELD_H

#include <regex.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/ipaddr.h"

enum value_kind {
	VAL_UINT,  /* numbers, with optional symbolic names (icmp.type: port-unreachable) */
	VAL_ADDR,  /* IPv4/IPv6 addresses */
	VAL_MAC,   /* Ethernet addresses */
	VAL_FLAGS, /* bit sets written by name (tcp.flags: syn,ack) */
	VAL_STR,   /* text */
	VAL_BYTES, /* bytes (payload), compared whole, by contents or by a regular expression */
};

/* A symbolic name for a number. Tables end with {NULL, 0}. */
struct sym {
	const char *name;
	uint64_t value;
};

struct value {
	enum value_kind kind;
	uint64_t u; /* VAL_UINT, VAL_FLAGS */
	/*
	 * VAL_UINT: the names of this value where they depend on another field
	 * (the codes of the packet's ICMP type; an empty table when that type has
	 * none), or NULL for the field's own syms. A condition written as such a
	 * name holds only for values with the same table.
	 */
	const struct sym *names;
	struct ipaddr a; /* VAL_ADDR */
	uint8_t mac[6];	 /* VAL_MAC */
	char s[128];	 /* VAL_STR; for a condition written as a name in names: that name */
	/*
	 * VAL_BYTES: a record's bytes (borrowed from it), or a condition's
	 * (bytes NULL: the nbytes first bytes of s).
	 */
	const uint8_t *bytes;
	size_t nbytes;
};

struct field_def {
	const char *name; /* "ip.src", "inner.dport" ... */
	enum value_kind kind;
	const struct sym *syms; /* names accepted and printed for the value, or NULL */
	const char *help;	/* one line for docs and "unknown field" hints */
	/* Reads the field from a record; returns true when the field is present. */
	bool (*get)(const void *rec, struct value *out);
};

/* A getter on a record of type T (as r), present when cond holds; put sets v. */
#define REC_GET(fn, T, cond, put)                        \
	static bool fn(const void *rec, struct value *v) \
	{                                                \
		const T *r = rec;                        \
		return (cond) && (put);                  \
	}

/* Getters' helpers: set v to a value of that kind; return true (the field is present). */
bool value_uint(struct value *v, uint64_t u);
/* A number named by names (the codes of one ICMP type), as struct value says. */
bool value_named(struct value *v, uint64_t u, const struct sym *names);
bool value_flags(struct value *v, uint64_t u);
bool value_str(struct value *v, const char *s);
/* n bytes at b, borrowed: valid as long as the record they come from. */
bool value_bytes(struct value *v, const uint8_t *b, size_t n);

/* The fields of decoded packets (struct pkt), NULL-name terminated. */
extern const struct field_def pkt_fields[];
/* The fields of conntrack entries and events (struct ct_rec), NULL-name terminated. */
extern const struct field_def ct_fields[];

/* Conntrack expectations (struct exp_rec), NULL-name terminated. */
extern const struct field_def exp_fields[];

/* NFLOG records (struct log_rec): log.* plus the packet fields. */
extern const struct field_def log_fields[];
/* nft trace events (struct trace_rec): trace.* plus the packet fields. */
extern const struct field_def trace_fields[];
/* Rule and named counters (struct counter_rec). */
extern const struct field_def counter_fields[];
/* Packet fates (struct fate_rec, report/fate.h): fate.* plus the packet fields. */
extern const struct field_def fate_fields[];
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
	PRED_ANY,    /* a list "[a, b]": any of the conditions in alts holds */
};

/*
 * A value taken from the record an earlier check matched ({ref: syn.tcp.seq,
 * add: 1}): lab.c finds the check by its id once the whole lab is read, the
 * run puts the value in the condition before the check starts.
 */
struct pred_ref {
	char *text;		       /* "syn.tcp.seq" as written */
	size_t step;		       /* the referenced expect step (index into lab.steps) */
	const struct field_def *field; /* its field, among that check's source's */
	int64_t add;		       /* numbers: added to the referenced value (mod 2^32 ...) */
};

/* How a VAL_BYTES condition compares: "TEXT" / "hex:..", "contains:..", "regex:ERE". */
enum bytes_how {
	BYTES_WHOLE,	/* the bytes are exactly these */
	BYTES_CONTAINS, /* the bytes contain these */
	BYTES_REGEX,	/* a POSIX extended regular expression (in v.s) matches the bytes */
};

/* One condition on one field. Release a list of them with pred_list_free(). */
struct pred {
	const struct field_def *field;
	enum pred_op op;
	struct value v;
	int plen; /* prefix length for VAL_ADDR with PRED_EQ/PRED_NE, -1 for an exact address */
	/*
	 * A type name of inner.icmp.type (in v.s), looked up for each packet among
	 * the ICMP or the ICMPv6 type names, as the quoted header is one or the other.
	 */
	bool name_per_family;
	enum bytes_how how; /* VAL_BYTES */
	bool hex;	    /* VAL_BYTES: written in hex ("hex:", "contains:hex:") */
	regex_t *re;	    /* BYTES_REGEX: compiled when parsed, owned */
	struct pred *alts;  /* PRED_ANY: the list's conditions (owned), n_alts of them */
	size_t n_alts;
	struct pred_ref *ref; /* a reference (owned), or NULL; v is its value once ref_set */
	bool ref_set;
};

/* The conditions p stands for: those of its list, or p itself. */
static inline size_t pred_n_leaves(const struct pred *p)
{
	return p->op == PRED_ANY ? p->n_alts : 1;
}

static inline const struct pred *pred_leaf(const struct pred *p, size_t k)
{
	return p->op == PRED_ANY ? &p->alts[k] : p;
}

/*
 * Sets a referenced condition's value: v (the referenced record's value of
 * p->ref->field) plus p->ref->add for numbers; a value that fits 32 bits wraps
 * at 2^32 (TCP sequence numbers). Returns 0, or -1 when the kinds differ.
 */
int pred_ref_set(struct pred *p, const struct value *v);

/*
 * Parses text as a condition on field f. Accepts a number or a symbolic name
 * of f->syms (case-insensitive, '-' and '_' alike), an address (with /len), a MAC, flag names
 * joined by ',' or '|' (or a number), text, or for bytes (payload) text, "hex:HEX",
 * "contains:TEXT", "contains:hex:HEX" or "regex:ERE" (compiled here: a bad one is an error);
 * prefixed by '!', '<', '<=', '>', '>=', '+', '-' as enum pred_op says, or the word "absent".
 * Returns 0, or -1 with a message in err (what was expected, e.g. "expected an IPv4 or IPv6
 * address, got \"x\"").
 *
 * The code names of icmp.code and icmp6.code are those of one ICMP type each
 * (port-unreachable is a code of destination-unreachable, host of redirect): a
 * name is taken as the code of the type it belongs to, and holds only for
 * packets of that type. pred_list_resolve() then checks it against a type
 * given in the same match.
 */
int pred_parse(const struct field_def *f, const char *text, struct pred *out, char *err,
	       size_t errlen);

/*
 * Frees what p owns (a compiled expression, a list's conditions, a reference);
 * p stays a condition that never matches bytes.
 */
void pred_release(struct pred *p);
/* pred_release() on each of the n conditions at preds, then frees preds. NULL is a no-op. */
void pred_list_free(struct pred *preds, size_t n);

/*
 * Resolves the code names among the n conditions of one match against the
 * ICMP type they give (icmp.type for icmp.code, icmp6.type for icmp6.code):
 * a name that is no code of that type, or one that several types share when
 * no type is given, is an error naming the valid codes. Returns 0, or -1 with
 * the index of the faulty condition in *bad and a message in err.
 */
int pred_list_resolve(struct pred *preds, size_t n, size_t *bad, char *err, size_t errlen);

/*
 * Parses a number or symbolic name (flag names for flag fields) of f, as a
 * value to put in a packet rather than to compare. A code name (icmp.code) is
 * looked up among the codes of the ICMP type key when key is not NULL, of any
 * type otherwise. Returns 0, or -1 with err.
 */
int field_parse_number(const struct field_def *f, const uint64_t *key, const char *s, uint64_t *out,
		       char *err, size_t errlen);

/* True when rec satisfies p. A missing field satisfies only PRED_ABSENT and PRED_NE. */
bool pred_match(const struct pred *p, const void *rec);

/* Formats a value as lab files write it (symbolic when f has a name for it). Returns buf. */
const char *value_fmt(const struct field_def *f, const struct value *v, char *buf, size_t len);

/*
 * Formats a value for a message, so that what differs shows: as value_fmt(),
 * but text in double quotes, with ", \ and control characters escaped as C
 * writes them ("acc-rpf4 ", "a\tb"; bytes that are no UTF-8 as \xNN), and TCP
 * flags with their tcpdump letters too (syn,ack [S.]). Returns buf.
 */
const char *value_show(const struct field_def *f, const struct value *v, char *buf, size_t len);

/* Formats the condition back as text ("!192.0.2.0/24", "port-unreachable"). Returns buf. */
const char *pred_fmt(const struct pred *p, char *buf, size_t len);

/* pred_fmt() with text quoted and escaped as value_show() does: !"fw-in". Returns buf. */
const char *pred_show(const struct pred *p, char *buf, size_t len);

#endif
