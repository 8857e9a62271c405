/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Runs one lab: build, capture, step through probes and checks, report, tear down. */
#ifndef NFLAB_RUN_H
#define NFLAB_RUN_H

#include <stdbool.h>
#include <stdio.h>

#include "lab/lab.h"

struct run_opts {
	FILE *out;	      /* the human report */
	const char *pcap_dir; /* write <node>-<iface>.pcapng of each capture point there, or NULL */
	bool pcap_merge;      /* one <lab>.pcapng with every point instead */
	bool pcap_classic;    /* classic <node>-<iface>.pcap (pcap_dump()), artefacts too */
	bool quiet;	      /* report failures and the result only */
	bool timeline;	      /* print every observed event at the end */
	const char *events_path;   /* write every observed event there as JSON lines, or NULL */
	const char *ladder_path;   /* draw the run there as an SVG ladder diagram, or NULL */
	int rcvbuf;		   /* observer receive buffer in bytes, 0 = sized for bursts */
	FILE *machine;		   /* or NULL: the report as tab-separated records (report.h) */
	bool update_expected;	   /* write the golden timeline instead of comparing with it */
	const char *artifacts_dir; /* on failure or error, leave pcaps, events, rulesets and
				      conntrack tables, and the timeline there; or NULL */
	bool pause_on_fail;	   /* keep a failed lab up, its nodes named, until Enter */
	bool build_only;	   /* topology and rulesets only: no captures or observers */
	bool capture_all;	   /* capture every interface (for checks not known up front) */
	bool fate;		   /* trace every packet in every node for its fate (--fate) */
	char *const *set;	   /* "NAME=value" overriding the lab's env: for its programs */
	size_t n_set;
};

/*
 * Runs lab and reports to o->out. Returns the outcome: NFLAB_PASS, NFLAB_FAIL (an
 * expectation did not hold), NFLAB_ERROR (the lab could not run) or NFLAB_SKIP.
 * Everything the run created is gone when it returns.
 */
int run_lab(const struct lab *lab, const struct run_opts *o);

#endif
