/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A suite's results in the formats CI systems read: TAP 13, JUnit XML and JSON. */
#ifndef NFLAB_SUITE_REPORT_H
#define NFLAB_SUITE_REPORT_H

#include "suite/suite.h"
#include "util/diag.h"

/* Writes the reports o asks for (o->tap, o->junit_path, o->json_path). Returns 0 or -1. */
int suite_reports(const struct suite_result *res, const struct suite_opts *o, struct diag *d);

/* The reports one by one, to an open stream. */
void suite_write_tap(const struct suite_result *res, unsigned int repeat, FILE *f);
void suite_write_junit(const struct suite_result *res, unsigned int repeat, FILE *f);
void suite_write_json(const struct suite_result *res, unsigned int repeat, FILE *f);

#endif
