/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Golden timelines: a lab's normalised event stream, kept in expected/ and compared. */
#ifndef NFLAB_GOLDEN_H
#define NFLAB_GOLDEN_H

#include <stdbool.h>
#include <stddef.h>

#include "util/diag.h"

/*
 * The golden file of a lab file: labs/nat/x.yaml -> expected/nat/x.timeline
 * (the last "labs" directory of the path replaced by "expected"). Returns a new
 * string, or NULL when the lab is not under a labs/ directory.
 */
char *golden_path(const char *lab_path);

/* The lab's path from its labs/ directory on ("labs/nat/x.yaml"), or NULL. */
const char *golden_lab_name(const char *lab_path);

/*
 * Writes text to path, creating its directories: to a new temporary file in
 * the same directory, renamed over path, so that concurrent runs never mix
 * their bytes and a symlink at path is replaced, not followed. Returns 0 or -1.
 */
int golden_write(const char *path, const char *text, struct diag *d);

/*
 * The line differences from want to got as diff -u's hunks: "@@ -a,b +c,d @@"
 * headers, three lines of context, ' ', '-' and '+' lines, every change
 * shown up to 2000 changed lines, then "... N more changed lines". Without the
 * "---"/"+++" lines. A longest common subsequence by Myers' O((N+M)D)
 * algorithm in linear space. Returns a new string, "" when the texts are equal.
 */
char *golden_diff(const char *want, const char *got);

/* Parts of a timeline a comparison can leave out: what one of the two kernels did not give. */
enum golden_part {
	/* " ct NEW reply [DST_NAT]" of trace lines, a fate's "[ct ...]" */
	GOLDEN_TRACE_CT = 1 << 0,
	/* the conntrack state of NFLOG lines ("NEW", "conntrack unknown") */
	GOLDEN_NFLOG_CT = 1 << 1,
	/* With GOLDEN_NFLOG_CT, in golden_compare()'s *left_out: the golden file had none. */
	GOLDEN_NFLOG_CT_RECORDED_NONE = 1 << 2,
	/*
	 * The event that ends a chain's rules without a verdict: Linux 6.1 calls
	 * it "return continue", 6.18 "rule continue" (no handle). Read as one.
	 */
	GOLDEN_CHAIN_END = 1 << 3,
};

/* text (a golden timeline) without the parts (enum golden_part). Returns a new string. */
char *golden_without(const char *text, unsigned int parts);

/*
 * What the NFLOG lines of a golden timeline say of conntrack: 1 when they say
 * "conntrack unknown" (the kernel gave none), 0 when they give a state, -1
 * when there is no NFLOG line.
 */
int golden_nflog_ct_unknown(const char *text);

/*
 * Compares got with the golden file at path. Returns 0 when equal; 1 when they
 * differ, with *diff a new message: a header line, "--- path", "+++ got_path",
 * golden_diff()'s hunks and a hint. On a difference got is also written to
 * got_path (unless NULL) as golden_write() writes; when that fails, the
 * message says so and the comparison still returns 1. Returns -1 with d when
 * the golden file cannot be read.
 */
/*
 * Both texts are first stripped of the parts in without, and of the NFLOG
 * lines' conntrack when one of the two says "conntrack unknown" and the other
 * gives states; a chain's end is read as one event (GOLDEN_CHAIN_END) when
 * the two name it apart; *left_out (unless NULL) says what was left out.
 */
int golden_compare(const char *path, const char *got, const char *got_path, unsigned int without,
		   unsigned int *left_out, char **diff, struct diag *d);

#endif
