/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Diagnostics: one error record per failing call, with an optional lab-file location. */
#ifndef NFLAB_DIAG_H
#define NFLAB_DIAG_H

#include <stdarg.h>
#include <stdio.h>

#include <nflab/outcome.h>

/* A position in a source file; line and col are 1-based, 0 when unknown. */
struct srcloc {
	const char *file; /* borrowed: the lab's path, valid while the lab lives */
	int line;
	int col;
};

#define DIAG_MSG_MAX 4096

/*
 * The record a failing call fills. Functions return -1 (or NULL) and describe the
 * failure here; callers may add context with diag_prefix(). Only the first error
 * is kept: later diag_set() calls on a set diag are ignored, so cleanup paths
 * cannot overwrite the cause.
 */
struct diag {
	int set;		/* 1 once an error was recorded */
	int outcome;		/* NFLAB_ERROR unless diag_skip() said NFLAB_SKIP */
	int err;		/* errno at the failure, 0 if none */
	struct srcloc loc;	/* where in a lab file, loc.file NULL if nowhere */
	char file[512];		/* loc.file points here: the record outlives the lab */
	char msg[DIAG_MSG_MAX]; /* human text, no trailing newline */
};

#define DIAG_INIT \
	{         \
		0 \
	}

#define DIAG_PRINTF(a, b) __attribute__((format(printf, a, b)))

/* "PASS", "FAIL", "SKIP" or "ERROR" for an NFLAB_* outcome. */
const char *outcome_name(int outcome);

/* Records an error; always returns -1 so callers can `return diag_set(...)`. */
int diag_set(struct diag *d, const char *fmt, ...) DIAG_PRINTF(2, 3);
/* As diag_set(), appending ": strerror(errno)" and keeping errno. */
int diag_errno(struct diag *d, const char *fmt, ...) DIAG_PRINTF(2, 3);
/* As diag_set(), at a lab-file location (copied; loc may be NULL). */
int diag_at(struct diag *d, const struct srcloc *loc, const char *fmt, ...) DIAG_PRINTF(3, 4);
/* Records a skip: the lab cannot run here for a reason that is not its fault. */
int diag_skip(struct diag *d, const char *fmt, ...) DIAG_PRINTF(2, 3);
/* Prepends "context: " to a recorded message (no-op when nothing is set). */
void diag_prefix(struct diag *d, const char *fmt, ...) DIAG_PRINTF(2, 3);
int diag_vset(struct diag *d, const struct srcloc *loc, const char *fmt, va_list ap);
/* Sets the location of a recorded error that has none yet. */
void diag_locate(struct diag *d, const struct srcloc *loc);
/* Clears the record for reuse. */
void diag_clear(struct diag *d);
/* Prints "file:line:col: error: msg" (or "error: msg") and a newline to f. */
void diag_print(const struct diag *d, FILE *f);

#endif
