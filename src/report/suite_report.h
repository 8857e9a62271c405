/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A suite's results in the formats CI systems read: TAP 13, JUnit XML and JSON. */
#ifndef NFLAB_SUITE_REPORT_H
#define NFLAB_SUITE_REPORT_H

#include "suite/suite.h"
#include "util/diag.h"
#include "util/outfile.h"

/*
 * Writes the JUnit and JSON reports into the files opened for them before the
 * suite ran (an unopened outfile is skipped) and puts them in place. Returns 0 or -1.
 */
int suite_reports_write(const struct suite_result *res, unsigned int repeat, struct outfile *junit,
			struct outfile *json, struct diag *d);

/* TAP streams: the plan first, then one result as each run ends (number: 1, 2, ...). */
void suite_tap_plan(size_t n, FILE *f);
void suite_tap_result(const struct lab_result *lr, size_t number, unsigned int repeat, FILE *f);

/* The reports one by one, to an open stream. */
void suite_write_tap(const struct suite_result *res, unsigned int repeat, FILE *f);
void suite_write_junit(const struct suite_result *res, unsigned int repeat, FILE *f);
void suite_write_json(const struct suite_result *res, unsigned int repeat, FILE *f);

#endif
