/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The human report of a lab run: a line per step, the reasons for failures, and the result. */
#ifndef NFLAB_REPORT_H
#define NFLAB_REPORT_H

#include <stdbool.h>
#include <stdio.h>

#include "lab/lab.h"
#include "util/diag.h"

struct report {
	FILE *f;
	bool color;    /* on a terminal, unless NO_COLOR is set */
	bool quiet;    /* only failures and the result */
	FILE *machine; /* or NULL: the same report as tab-separated lines, for `nflab test` */
};

void report_init(struct report *r, FILE *f, bool quiet, FILE *machine);
void report_lab(struct report *r, const struct lab *lab);
/* "setup: 4 nodes, 3 links ... (12.3 ms)" */
void report_setup(struct report *r, const char *what, double ms);
/* "[ 3] PASS  text (0.4 ms)"; verdict is NFLAB_PASS, NFLAB_FAIL or NFLAB_SKIP. */
void report_step(struct report *r, size_t index, int verdict, const char *text, double ms);
/* Why step index failed: lines already indented under its step line. */
void report_detail(struct report *r, size_t index, const char *text);
/* An error (or skip) that stopped the lab. */
void report_diag(struct report *r, const struct diag *d);
/*
 * "result: PASS (6 steps, 41.2 ms)" and friends; with skipped checks
 * "result: PASS (13 steps, 3 checks skipped: WHY, 812.0 ms)".
 */
void report_result(struct report *r, const struct lab *lab, int outcome, size_t failed,
		   size_t steps, size_t skipped, const char *skip_why, double ms);

#endif
