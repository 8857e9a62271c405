// SPDX-License-Identifier: GPL-2.0-or-later
/* The nflab command line: thin over the library, and the only place that exits. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lab/lab.h"
#include "run/run.h"
#include "suite/suite.h"
#include "util/interrupt.h"

#define NFLAB_VERSION "0.1.0"

static void usage(FILE *f)
{
	fputs("usage: nflab run [options] LAB.yaml...\n"
	      "       nflab test [options] [PATH...]   (every lab under PATH, default labs/)\n"
	      "       nflab check LAB.yaml...   (parse and check only; creates nothing)\n"
	      "       nflab --version\n"
	      "\n"
	      "run options:\n"
	      "  --pcap-dir DIR     write DIR/<node>-<iface>.pcap for every interface\n"
	      "  --topologies DIR   where \"topology: NAME\" files are (default: found\n"
	      "                     next to the lab, in a topologies/ directory)\n"
	      "  --timeline         print every observed event at the end, grouped by packet\n"
	      "  --events FILE      write every observed event to FILE as JSON lines\n"
	      "  --update-expected  write each lab's golden timeline (expected/...timeline)\n"
	      "                     instead of comparing with it\n"
	      "  --observer-buffer BYTES\n"
	      "                     receive buffer of each observer (default: sized for\n"
	      "                     bursts); small values provoke loss, which is an error\n"
	      "  -q, --quiet        print failures and the result only\n"
	      "\n"
	      "test options:\n"
	      "  -j, --jobs N       labs at once (default: the number of CPUs)\n"
	      "  --filter PATTERN   only labs whose path contains PATTERN (or matches it\n"
	      "                     as a glob when it has * ? [)\n"
	      "  --shard I/N        only the I-th of N stable parts (for CI matrices)\n"
	      "  --repeat N         run each lab N times (flake hunting)\n"
	      "  --timeout SECONDS  stop a lab that runs longer, and count it an error\n"
	      "  --tap              TAP version 13 on standard output (progress goes to\n"
	      "                     standard error)\n"
	      "  --junit FILE       JUnit XML report\n"
	      "  --json FILE        JSON report: verdict, duration, steps, mismatches\n"
	      "  --artifacts DIR    keep each failed lab's pcaps, events, timeline,\n"
	      "                     rulesets and conntrack tables in DIR/<lab>/\n"
	      "  --topologies DIR   as for run\n"
	      "  --list             print the labs that would run, and stop\n"
	      "\n"
	      "exit status: 0 passed, 1 an expectation failed, 2 the lab could not run,\n"
	      "77 skipped (a needed feature or program is missing)\n",
	      f);
}

/* Worst outcome wins: error over fail over skip over pass. */
static int worse(int a, int b)
{
	static const int rank[] = {[NFLAB_PASS] = 0, [NFLAB_FAIL] = 2, [NFLAB_ERROR] = 3};
	int ra = a == NFLAB_SKIP ? 1 : rank[a], rb = b == NFLAB_SKIP ? 1 : rank[b];

	return ra >= rb ? a : b;
}

static int parse_uint(const char *opt, const char *arg, unsigned int max, unsigned int *out)
{
	char *end;
	unsigned long v = strtoul(arg, &end, 10);

	if (*end || end == arg || *arg == '-' || v < 1 || v > max) {
		fprintf(stderr, "nflab test: %s needs a number from 1 to %u, got \"%s\"\n", opt,
			max, arg);
		return -1;
	}
	*out = (unsigned int)v;
	return 0;
}

/* nflab test [options] [PATH...] */
static int main_test(int argc, char **argv)
{
	static const struct option opts[] = {
		{"jobs", required_argument, NULL, 'j'},
		{"filter", required_argument, NULL, 'f'},
		{"shard", required_argument, NULL, 's'},
		{"repeat", required_argument, NULL, 'r'},
		{"timeout", required_argument, NULL, 'T'},
		{"tap", no_argument, NULL, 'a'},
		{"junit", required_argument, NULL, 'J'},
		{"json", required_argument, NULL, 'S'},
		{"artifacts", required_argument, NULL, 'A'},
		{"topologies", required_argument, NULL, 't'},
		{"list", no_argument, NULL, 'l'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	bool list = false;
	struct suite_opts so = {.repeat = 1, .out = stdout};
	struct lab_list labs = {0};
	struct suite_result res;
	struct diag d = DIAG_INIT;
	const char *filter = NULL;
	unsigned int shard = 0, shards = 0;
	char *default_path[] = {"labs"};
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	int c, rc;

	so.jobs = cpus > 0 ? (unsigned int)cpus : 1;
	optind = 2;
	while ((c = getopt_long(argc, argv, "j:h", opts, NULL)) != -1) {
		char *end;

		switch (c) {
		case 'j':
			if (parse_uint("--jobs", optarg, 256, &so.jobs))
				return NFLAB_ERROR;
			break;
		case 'f':
			filter = optarg;
			break;
		case 's':
			if (sscanf(optarg, "%u/%u", &shard, &shards) != 2 || !shards || !shard ||
			    shard > shards) {
				fprintf(stderr,
					"nflab test: --shard needs I/N with 1 <= I <= N, got "
					"\"%s\"\n",
					optarg);
				return NFLAB_ERROR;
			}
			break;
		case 'r':
			if (parse_uint("--repeat", optarg, 100000, &so.repeat))
				return NFLAB_ERROR;
			break;
		case 'T':
			so.timeout_s = strtod(optarg, &end);
			if (*end || so.timeout_s <= 0) {
				fprintf(stderr, "nflab test: --timeout needs seconds, got \"%s\"\n",
					optarg);
				return NFLAB_ERROR;
			}
			break;
		case 'a':
			so.tap = stdout;
			so.out = stderr;
			break;
		case 'J':
			so.junit_path = optarg;
			break;
		case 'S':
			so.json_path = optarg;
			break;
		case 'A':
			so.artifacts_dir = optarg;
			break;
		case 't':
			so.topo_dir = optarg;
			break;
		case 'l':
			list = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return NFLAB_ERROR;
		}
	}
	if (optind < argc)
		rc = discover_labs(argv + optind, (size_t)(argc - optind), &labs, &d);
	else
		rc = discover_labs(default_path, 1, &labs, &d);
	if (rc) {
		diag_print(&d, stderr);
		lab_list_release(&labs);
		return NFLAB_ERROR;
	}
	if (filter)
		filter_labs(&labs, filter);
	if (shards)
		shard_labs(&labs, shard, shards);
	if (list) {
		size_t i;

		for (i = 0; i < labs.n; i++)
			printf("%s\n", labs.paths[i]);
		lab_list_release(&labs);
		return 0;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	rc = suite_run(&labs, &so, &res);
	suite_result_release(&res);
	lab_list_release(&labs);
	return rc;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"pcap-dir", required_argument, NULL, 'p'},
		{"topologies", required_argument, NULL, 't'},
		{"timeline", no_argument, NULL, 'T'},
		{"events", required_argument, NULL, 'e'},
		{"update-expected", no_argument, NULL, 'U'},
		{"observer-buffer", required_argument, NULL, 'b'},
		{"quiet", no_argument, NULL, 'q'},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{NULL, 0, NULL, 0},
	};
	struct run_opts ro = {.out = stdout};
	const char *topo_dir = NULL, *cmd;
	int c, i, outcome = NFLAB_PASS;

	interrupt_install(); /* first: a signal at any later moment is reported */
	if (argc >= 2 && !strcmp(argv[1], "--version")) {
		printf("nflab %s\n", NFLAB_VERSION);
		return 0;
	}
	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? NFLAB_ERROR : 0;
	}
	cmd = argv[1];
	if (!strcmp(cmd, "test"))
		return main_test(argc, argv);
	if (strcmp(cmd, "run") && strcmp(cmd, "check")) {
		fprintf(stderr, "nflab: unknown command \"%s\"\n", cmd);
		usage(stderr);
		return NFLAB_ERROR;
	}
	optind = 2;
	while ((c = getopt_long(argc, argv, "qh", opts, NULL)) != -1) {
		switch (c) {
		case 'p':
			ro.pcap_dir = optarg;
			break;
		case 't':
			topo_dir = optarg;
			break;
		case 'T':
			ro.timeline = true;
			break;
		case 'q':
			ro.quiet = true;
			break;
		case 'e':
			ro.events_path = optarg;
			break;
		case 'U':
			ro.update_expected = true;
			break;
		case 'b': {
			char *end;
			long v = strtol(optarg, &end, 10);

			if (*end || end == optarg || v < 1 || v > (1 << 30)) {
				fprintf(stderr,
					"nflab: --observer-buffer needs bytes (1 to 2^30), got "
					"\"%s\"\n",
					optarg);
				return NFLAB_ERROR;
			}
			ro.rcvbuf = (int)v;
			break;
		}
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return NFLAB_ERROR;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "nflab %s: no lab file given\n", cmd);
		return NFLAB_ERROR;
	}
	/* Output order must follow the run even when piped into a CI log. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	for (i = optind; i < argc; i++) {
		struct diag d = DIAG_INIT;
		struct lab *lab = lab_load(argv[i], topo_dir, &d);

		if (!lab) {
			diag_print(&d, stderr);
			outcome = worse(outcome, d.outcome ? d.outcome : NFLAB_ERROR);
			continue;
		}
		if (!strcmp(cmd, "check"))
			printf("%s: ok (%zu nodes, %zu links, %zu steps)\n", argv[i], lab->n_nodes,
			       lab->n_links, lab->n_steps);
		else
			outcome = worse(outcome, run_lab(lab, &ro));
		lab_free(lab);
	}
	return outcome;
}
