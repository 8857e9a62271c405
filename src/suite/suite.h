/* SPDX-License-Identifier: GPL-2.0-or-later */
/* `nflab test`: many labs, each in its own process and namespaces, in parallel. */
#ifndef NFLAB_SUITE_H
#define NFLAB_SUITE_H

#include <stdbool.h>
#include <stdio.h>
#include <time.h>

#include "suite/discover.h"

struct suite_opts {
	unsigned int jobs;	   /* labs at once */
	unsigned int repeat;	   /* runs of each lab */
	double timeout_s;	   /* per run; 0: none */
	const char *topo_dir;	   /* or NULL */
	const char *artifacts_dir; /* keep failed labs' evidence there, or NULL */
	bool pcap_classic;	   /* the evidence's pcaps in classic pcap (run_opts) */
	FILE *tap;		   /* TAP 13 here (stdout), or NULL */
	const char *junit_path;	   /* or NULL */
	const char *json_path;	   /* or NULL */
	FILE *out;		   /* progress, failures and the summary */
	bool accept_skip;	   /* every run skipped exits 0, not 77 */
	bool fate;		   /* trace every packet for its fate (run_opts.fate) */
};

/* One step of one run, from the run's machine report. */
struct step_result {
	unsigned int index;
	int verdict;
	double ms;
	char *text;
	char *detail; /* why it failed, or NULL */
};

/* One run of one lab. */
struct lab_result {
	const char *path; /* borrowed from the lab list */
	unsigned int run; /* 1 ... repeat */
	int outcome;	  /* NFLAB_* */
	double ms;	  /* wall time of the run */
	char *output;	  /* the lab's human report */
	char *diag;	  /* the error or skip reason, or NULL */
	unsigned int skipped_checks; /* checks skipped (the kernel cannot give what they read) */
	char *skip_why;		     /* their reasons, or NULL */
	struct step_result *steps;
	size_t n_steps, cap_steps;
	bool timed_out;
	bool interrupted; /* stopped by SIGINT/SIGTERM before it ended: outcome NFLAB_ERROR */
};

struct suite_result {
	struct lab_result *runs; /* in lab-list order, then run order */
	size_t n;
	size_t passed, failed, skipped, errors;
	double ms;
	const char *interrupted; /* "SIGINT" or "SIGTERM" when the suite was stopped, else NULL */
	time_t started;		 /* wall-clock start, for report timestamps */
};

/*
 * Runs every lab of labs repeat times, jobs at a time, each in a child process
 * (its own namespaces; killed with its process group at the timeout), printing
 * progress, failures and TAP results to o->out and o->tap as they happen, then
 * the JUnit and JSON reports, whose files are opened before anything runs.
 * SIGINT and SIGTERM stop the runs; the reports cover what ended, marked
 * interrupted. Returns NFLAB_PASS when something passed and nothing failed or
 * errored, NFLAB_SKIP when every run was skipped (NFLAB_PASS with
 * o->accept_skip), NFLAB_FAIL when something failed or errored, 130 or 143
 * after SIGINT or SIGTERM, and NFLAB_ERROR when the suite itself could not run.
 */
int suite_run(const struct lab_list *labs, const struct suite_opts *o, struct suite_result *res);
void suite_result_release(struct suite_result *res);

#endif
