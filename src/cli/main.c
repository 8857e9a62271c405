// SPDX-License-Identifier: GPL-2.0-or-later
/* The nflab command line: thin over the library, and the only place that exits. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lab/lab.h"
#include "run/run.h"

#define NFLAB_VERSION "0.1.0"

static void usage(FILE *f)
{
	fputs("usage: nflab run [options] LAB.yaml...\n"
	      "       nflab check LAB.yaml...   (parse and check only; creates nothing)\n"
	      "       nflab --version\n"
	      "\n"
	      "run options:\n"
	      "  --pcap-dir DIR     write DIR/<node>-<iface>.pcap for every interface\n"
	      "  --topologies DIR   where \"topology: NAME\" files are (default: found\n"
	      "                     next to the lab, in a topologies/ directory)\n"
	      "  --timeline         print every observed event at the end, grouped by packet\n"
	      "  --events FILE      write every observed event to FILE as JSON lines\n"
	      "  --observer-buffer BYTES\n"
	      "                     receive buffer of each observer (default: sized for\n"
	      "                     bursts); small values provoke loss, which is an error\n"
	      "  -q, --quiet        print failures and the result only\n"
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

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"pcap-dir", required_argument, NULL, 'p'},
		{"topologies", required_argument, NULL, 't'},
		{"timeline", no_argument, NULL, 'T'},
		{"events", required_argument, NULL, 'e'},
		{"observer-buffer", required_argument, NULL, 'b'},
		{"quiet", no_argument, NULL, 'q'},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{NULL, 0, NULL, 0},
	};
	struct run_opts ro = {.out = stdout};
	const char *topo_dir = NULL, *cmd;
	int c, i, outcome = NFLAB_PASS;

	if (argc >= 2 && !strcmp(argv[1], "--version")) {
		printf("nflab %s\n", NFLAB_VERSION);
		return 0;
	}
	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? NFLAB_ERROR : 0;
	}
	cmd = argv[1];
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
