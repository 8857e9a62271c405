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

/* Writes text to path, creating its directories. Returns 0 or -1. */
int golden_write(const char *path, const char *text, struct diag *d);

/*
 * Compares got with the golden file at path. Returns 0 when equal, 1 when they
 * differ (*diff: a new readable excerpt, "-" lines expected, "+" lines got, with
 * context), -1 when the file cannot be read.
 */
int golden_compare(const char *path, const char *got, char **diff, struct diag *d);

#endif
