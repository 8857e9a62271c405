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

/*
 * Compares got with the golden file at path. Returns 0 when equal; 1 when they
 * differ, with *diff a new message: a header line, "--- path", "+++ got_path",
 * golden_diff()'s hunks and a hint. On a difference got is also written to
 * got_path (unless NULL) as golden_write() writes; when that fails, the
 * message says so and the comparison still returns 1. Returns -1 with d when
 * the golden file cannot be read.
 */
int golden_compare(const char *path, const char *got, const char *got_path, char **diff,
		   struct diag *d);

#endif
