// SPDX-License-Identifier: GPL-2.0-or-later
/* The nflab command line: thin over the library, and the only place that exits. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "import/import.h"
#include "lab/lab.h"
#include "report/draw.h"
#include "run/explore.h"
#include "run/run.h"
#include "suite/suite.h"
#include "util/clock.h"
#include "util/heap.h"
#include "util/interrupt.h"
#include "util/outfile.h"
#include "util/rootless.h"
#include "util/textbuf.h"
#include "util/utf8.h"
#include "util/xalloc.h"
#include "vm/vm.h"

#define NFLAB_VERSION "0.1.0"

static void usage(FILE *f)
{
	fputs("usage: nflab run [options] LAB.yaml...\n"
	      "       nflab test [options] [PATH...]   (every lab under PATH, default labs/)\n"
	      "       nflab check [PATH...]     (parse and check only, every lab under\n"
	      "                                 PATH as for test; creates nothing)\n"
	      "       nflab index [PATH...]     (the labs as a Markdown table, docs/labs.md)\n"
	      "       nflab draw [--no-routes] [--topologies DIR] LAB.yaml -o FILE.svg\n"
	      "                 (the topology as a picture; creates nothing)\n"
	      "       nflab shell [--topologies DIR] LAB.yaml [NODE]\n"
	      "                 (the lab up, its steps not run, and a shell in NODE)\n"
	      "       nflab exec [--lab NAME] NODE -- COMMAND...\n"
	      "                 (COMMAND in NODE of a lab open in nflab shell or paused)\n"
	      "       nflab import (--nft FILE | --iptables FILE [--ip6tables FILE])\n"
	      "                 --addr FILE --route FILE [import options] -o LAB.yaml\n"
	      "                 (a lab from a box's own dumps; see import options)\n"
	      "       nflab help | --help | -h    (this text)\n"
	      "       nflab --version | -V\n"
	      "\n"
	      "run options:\n"
	      "  --pcap-dir DIR     write DIR/<node>-<iface>.pcapng for every interface\n"
	      "                     (or those the lab lists under capture:)\n"
	      "  --pcap-merge       with --pcap-dir: one DIR/<lab>.pcapng instead, one\n"
	      "                     interface block per node:iface\n"
	      "  --pcap-format pcap|pcapng\n"
	      "                     pcapng (the default), or classic pcap written by\n"
	      "                     libpcap (<node>-<iface>.pcap: no directions, no\n"
	      "                     comments; not with --pcap-merge)\n"
	      "  --set NAME=VALUE   environment of the lab's programs (over its env:)\n"
	      "  --ladder FILE.svg  draw the run as a ladder diagram: a column per node, an\n"
	      "                     arrow per packet hop, NAT rewrites, conntrack states and\n"
	      "                     verdicts where they happen, failed steps in red\n"
	      "  --pause-on-fail    keep a failed lab up, its nodes named in ip netns,\n"
	      "                     until Enter, for nflab exec and ip netns exec\n"
	      "  --pause-at N       before step N (1 for the first), name the nodes' netns\n"
	      "                     and wait for Enter (or SIGCONT or SIGUSR1)\n"
	      "  --break NAME       as --pause-at, before each step whose name: is NAME\n"
	      "  --topologies DIR   where \"topology: NAME\" files are (default: found\n"
	      "                     next to the lab, in a topologies/ directory)\n"
	      "  --fate             trace every packet in every node (as the lab key\n"
	      "                     fate: true), so fate checks and timelines say what\n"
	      "                     became of each: delivered, forwarded, dropped ...\n"
	      "  --timeline         print every observed event at the end, grouped by packet\n"
	      "  --events FILE      write every observed event to FILE as JSON lines\n"
	      "  --update-expected  write each lab's golden timeline (expected/...timeline)\n"
	      "                     instead of comparing with it\n"
	      "  --observer-buffer BYTES\n"
	      "                     receive buffer of each observer (default: sized for\n"
	      "                     bursts); small values provoke loss, which is an error\n"
	      "  -q, --quiet        print failures and the result only\n"
	      "  --kernel FILE      run inside a throwaway QEMU VM booting FILE: a vmlinuz\n"
	      "                     or a Debian linux-image-*.deb (its modules with it);\n"
	      "                     repeatable for test (docs/kernels.md)\n"
	      "  --modules DIR      with a vmlinuz: its lib/modules/VERSION directory\n"
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
	      "  --pcap-format pcap|pcapng\n"
	      "                     as for run: the artefacts' pcaps\n"
	      "  --topologies DIR   as for run\n"
	      "  --fate             as for run\n"
	      "  --kernel FILE      as for run; once per kernel, each in turn\n"
	      "  --modules DIR      as for run\n"
	      "  --list             print the labs that would run, and stop\n"
	      "  --accept-skip      exit 0, not 77, when every lab was skipped\n"
	      "                     (no lab matched is always an error, exit 2)\n"
	      "\n"
	      "import options:\n"
	      "  --nft FILE         the box's ruleset: nft list ruleset\n"
	      "  --iptables FILE    the box's ruleset: iptables-save (instead of --nft)\n"
	      "  --ip6tables FILE   and ip6tables-save\n"
	      "  --addr FILE        ip -j addr (or ip -j -d addr); required\n"
	      "  --route FILE       ip -j route (-6, show table all); required; repeatable\n"
	      "  --rule FILE        ip -j rule (-6); repeatable\n"
	      "  --sysctl FILE      sysctl -a: forwarding as the box had it (default: on\n"
	      "                     when the box has more than one interface)\n"
	      "  --pcap FILE        a capture (pcap, pcapng): a replay step per interface\n"
	      "  --node NAME        the box's node (default fw)\n"
	      "  -o, --output FILE  the lab file to write (required)\n"
	      "\n"
	      "exit status: 0 passed, 1 an expectation failed, 2 the lab could not run\n"
	      "(or a bad command line, or no lab matched), 77 skipped (a needed feature or\n"
	      "program is missing; for test: every lab skipped), 130/143 interrupted by\n"
	      "SIGINT/SIGTERM\n",
	      f);
}

/* A bad command line: getopt said what; one line says where to look. */
static int bad_usage(const char *cmd)
{
	fprintf(stderr, "usage: nflab %s ... (nflab --help lists every command and option)\n", cmd);
	return NFLAB_ERROR;
}

/* Worst outcome wins: error over fail over skip over pass. */
static int worse(int a, int b)
{
	static const int rank[] = {[NFLAB_PASS] = 0, [NFLAB_FAIL] = 2, [NFLAB_ERROR] = 3};
	int ra = a == NFLAB_SKIP ? 1 : rank[a], rb = b == NFLAB_SKIP ? 1 : rank[b];

	return ra >= rb ? a : b;
}

/* Two descriptors per node (its netns, its netlink socket): big labs need more than 1024. */
static void raise_fd_limit(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
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

/* The first sentence of a description, on one line. */
static void first_sentence(const char *text, FILE *f)
{
	const char *p;

	for (p = text; *p; p++) {
		if (*p == '|')
			fputc('\\', f); /* a table cell */
		fputc(*p == '\n' ? ' ' : *p, f);
		if (*p == '.' && (p[1] == ' ' || p[1] == '\n' || !p[1]))
			break;
	}
}

/*
 * nflab index [PATH...]: docs/labs.md, the labs by directory with what each
 * shows, made from the lab files themselves so it cannot go stale.
 */
static int main_index(int argc, char **argv)
{
	char *default_path[] = {"labs"};
	struct lab_list labs = {0};
	struct diag d = DIAG_INIT;
	char last_dir[256] = "";
	size_t i;
	int rc = 0;

	if (discover_labs(argc > 2 ? argv + 2 : default_path, argc > 2 ? (size_t)argc - 2 : 1,
			  &labs, &d)) {
		diag_print(&d, stderr);
		return NFLAB_ERROR;
	}
	printf("# The lab library\n\n"
	       "Generated by `nflab index` from the lab files (a test keeps it current).\n"
	       "Each lab's description says what it shows and why the kernel does it.\n");
	for (i = 0; i < labs.n; i++) {
		const char *path = labs.paths[i], *slash = strrchr(path, '/');
		char dir[256];
		struct lab *lab;

		snprintf(dir, sizeof(dir), "%.*s", slash ? (int)(slash - path) : 0, path);
		if (strcmp(dir, last_dir)) {
			printf("\n## %s\n\n| lab | what it shows |\n|---|---|\n", dir);
			snprintf(last_dir, sizeof(last_dir), "%s", dir);
		}
		lab = lab_load(path, NULL, &d);
		if (!lab) {
			diag_print(&d, stderr);
			rc = NFLAB_ERROR;
			diag_clear(&d);
			continue;
		}
		printf("| [%s](../%s) | ", lab->name, path);
		first_sentence(lab->description ? lab->description : "", stdout);
		printf(" |\n");
		lab_free(lab);
	}
	lab_list_release(&labs);
	return rc;
}

/* nflab draw [--no-routes] [--topologies DIR] LAB.yaml -o FILE.svg */
static int main_draw(int argc, char **argv)
{
	static const struct option opts[] = {
		{"output", required_argument, NULL, 'o'},
		{"no-routes", no_argument, NULL, 'R'},
		{"topologies", required_argument, NULL, 't'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *out = NULL, *topo_dir = NULL;
	struct diag d = DIAG_INIT;
	bool routes = true;
	struct lab *lab;
	int c, rc;

	optind = 2;
	while ((c = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
		switch (c) {
		case 'o':
			out = optarg;
			break;
		case 'R':
			routes = false;
			break;
		case 't':
			topo_dir = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			return bad_usage("draw");
		}
	}
	if (optind != argc - 1 || !out) {
		fprintf(stderr, "nflab draw: needs one lab file and -o FILE.svg\n");
		return NFLAB_ERROR;
	}
	lab = lab_load(argv[optind], topo_dir, &d);
	rc = lab ? draw_topology_write(lab, routes, out, &d) : -1;
	if (rc)
		diag_print(&d, stderr);
	lab_free(lab);
	return rc ? NFLAB_ERROR : 0;
}

/* nflab shell [--topologies DIR] LAB.yaml [NODE] */
static int main_shell(int argc, char **argv)
{
	static const struct option opts[] = {
		{"topologies", required_argument, NULL, 't'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct run_opts ro = {.out = stdout};
	const char *topo_dir = NULL;
	struct diag d = DIAG_INIT;
	struct lab *lab;
	int c, rc;

	optind = 2;
	while ((c = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
		if (c == 't') {
			topo_dir = optarg;
		} else if (c == 'h') {
			usage(stdout);
			return 0;
		} else {
			return bad_usage("shell");
		}
	}
	if (optind >= argc || argc - optind > 2) {
		fprintf(stderr, "nflab shell: needs LAB.yaml [NODE]\n");
		return NFLAB_ERROR;
	}
	lab = lab_load(argv[optind], topo_dir, &d);
	if (!lab) {
		diag_print(&d, stderr);
		return d.outcome ? d.outcome : NFLAB_ERROR;
	}
	rc = run_shell(lab, optind + 1 < argc ? argv[optind + 1] : NULL, &ro);
	lab_free(lab);
	return rc;
}

/* nflab exec [--lab NAME] NODE -- COMMAND... */
static int main_exec(int argc, char **argv)
{
	static const struct option opts[] = {
		{"lab", required_argument, NULL, 'l'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *lab = NULL;
	int c;

	optind = 2;
	while ((c = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
		if (c == 'l') {
			lab = optarg;
		} else if (c == 'h') {
			usage(stdout);
			return 0;
		} else {
			return bad_usage("exec");
		}
	}
	if (optind < argc && !strcmp(argv[optind], "--"))
		optind++;
	if (optind + 1 < argc && !strcmp(argv[optind + 1], "--")) {
		argv[optind + 1] = argv[optind]; /* NODE -- COMMAND: drop the "--" */
		optind++;
	}
	if (argc - optind < 2) {
		fprintf(stderr, "nflab exec: needs NODE -- COMMAND...\n");
		return NFLAB_ERROR;
	}
	return exec_in_node(lab, argv[optind], argv + optind + 1);
}

/* --pcap-format pcap|pcapng into *classic. Returns 0, or -1 having said why. */
static int parse_pcap_format(const char *arg, bool *classic)
{
	if (strcmp(arg, "pcap") && strcmp(arg, "pcapng")) {
		fprintf(stderr, "nflab: --pcap-format needs pcap or pcapng, got \"%s\"\n", arg);
		return -1;
	}
	*classic = !strcmp(arg, "pcap");
	return 0;
}

/* nflab import ...: a lab from a box's dumps (src/import/). */
static int main_import(int argc, char **argv)
{
	static const struct option opts[] = {
		{"nft", required_argument, NULL, 'n'},
		{"iptables", required_argument, NULL, 'i'},
		{"ip6tables", required_argument, NULL, '6'},
		{"addr", required_argument, NULL, 'a'},
		{"route", required_argument, NULL, 'r'},
		{"rule", required_argument, NULL, 'R'},
		{"sysctl", required_argument, NULL, 's'},
		{"pcap", required_argument, NULL, 'p'},
		{"node", required_argument, NULL, 'N'},
		{"output", required_argument, NULL, 'o'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct import_args a = {.node = "fw"};
	const char **routes = xcalloc((size_t)argc, sizeof(*routes));
	const char **rules = xcalloc((size_t)argc, sizeof(*rules));
	struct diag d = DIAG_INIT;
	char made_by[2048] = "nflab import";
	size_t n = strlen(made_by);
	int c, i, rc = NFLAB_ERROR;

	a.routes = routes;
	a.rules = rules;
	for (i = 2; i < argc; i++)
		textbuf_appendf(made_by, sizeof(made_by), &n, " %s", argv[i]);
	a.made_by = made_by;
	optind = 2;
	while ((c = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
		switch (c) {
		case 'n':
			a.nft = optarg;
			break;
		case 'i':
			a.iptables = optarg;
			break;
		case '6':
			a.ip6tables = optarg;
			break;
		case 'a':
			a.addr = optarg;
			break;
		case 'r':
			routes[a.n_routes++] = optarg;
			break;
		case 'R':
			rules[a.n_rules++] = optarg;
			break;
		case 's':
			a.sysctl = optarg;
			break;
		case 'p':
			a.pcap = optarg;
			break;
		case 'N':
			a.node = optarg;
			break;
		case 'o':
			a.out = optarg;
			break;
		case 'h':
			usage(stdout);
			rc = 0;
			goto out;
		default:
			rc = bad_usage("import");
			goto out;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "nflab import: unexpected argument \"%s\"\n", argv[optind]);
	} else if (!a.nft == !(a.iptables || a.ip6tables)) {
		fprintf(stderr, "nflab import: needs the box's ruleset: --nft FILE, or --iptables "
				"FILE and/or --ip6tables FILE\n");
	} else if (!a.addr || !a.n_routes || !a.out) {
		fprintf(stderr, "nflab import: needs --addr FILE, --route FILE and -o LAB.yaml\n");
	} else if (!lab_name_valid(a.node, 32)) {
		fprintf(stderr,
			"nflab import: --node needs a node name of 1 to 32 letters, digits, '-', "
			"'_' or '.', got \"%s\"\n",
			a.node);
	} else if (import_box(&a, stderr, &d)) {
		if (d.loc.file) /* file:line:column: error: ..., as for lab files */
			diag_print(&d, stderr);
		else
			fprintf(stderr, "nflab import: %s\n", d.msg);
	} else {
		rc = 0;
	}
out:
	free(routes);
	free(rules);
	return rc;
}

/* Every output of a run can be written, checked before anything runs. */
static int check_outputs(const struct run_opts *ro)
{
	struct diag d = DIAG_INIT;

	if ((ro->pcap_dir && outfile_check_dir(ro->pcap_dir, &d)) ||
	    (ro->events_path && outfile_check(ro->events_path, &d)) ||
	    (ro->ladder_path && outfile_check(ro->ladder_path, &d))) {
		fprintf(stderr, "nflab run: ");
		diag_print(&d, stderr);
		return -1;
	}
	return 0;
}

/* nflab check [PATH...]: files as given, directories searched as for test. */
static int main_check(int n, char **paths, const char *topo_dir)
{
	char *default_path[] = {"labs"};
	int outcome = NFLAB_PASS, k;
	size_t i;

	if (!n) {
		paths = default_path;
		n = 1;
	}
	for (k = 0; k < n; k++) {
		struct lab_list labs = {0};
		struct diag d = DIAG_INIT;

		if (discover_labs(paths + k, 1, &labs, &d)) {
			diag_print(&d, stderr);
			outcome = worse(outcome, NFLAB_ERROR);
			continue;
		}
		if (!labs.n) {
			fprintf(stderr, "nflab check: no lab file under %s\n", paths[k]);
			outcome = worse(outcome, NFLAB_ERROR);
		}
		for (i = 0; i < labs.n; i++) {
			struct lab *lab = lab_load(labs.paths[i], topo_dir, &d);

			if (!lab) {
				diag_print(&d, stderr);
				outcome = worse(outcome, d.outcome ? d.outcome : NFLAB_ERROR);
				diag_clear(&d);
				continue;
			}
			size_t n_rules = 0, j;
			char rules[48] = "";

			for (j = 0; j < lab->n_nodes; j++)
				n_rules += lab->nodes[j].n_rules;
			if (n_rules) /* policy routing rules, said only when a lab has them */
				snprintf(rules, sizeof(rules), ", %zu rule%s", n_rules,
					 n_rules == 1 ? "" : "s");
			utf8_write_term(stdout, labs.paths[i], false);
			printf(": ok (%zu node%s, %zu link%s, %zu step%s%s)\n", lab->n_nodes, lab->n_nodes == 1 ? "" : "s", lab->n_links,
			       lab->n_links == 1 ? "" : "s", lab->n_steps,
			       lab->n_steps == 1 ? "" : "s", rules);
			lab_free(lab);
		}
		lab_list_release(&labs);
	}
	return outcome;
}

/* --kernel FILE once more: at most 16 kernels in one run. */
static int add_kernel(const char **kernels, size_t *n, const char *file)
{
	if (getenv("NFLAB_VM")) { /* set by the VM's init: no VM inside a VM */
		fprintf(stderr, "nflab: --kernel: already inside a --kernel VM\n");
		return -1;
	}
	if (*n == 16) {
		fprintf(stderr, "nflab: --kernel: at most 16 kernels in one run\n");
		return -1;
	}
	kernels[(*n)++] = file;
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
		{"pcap-format", required_argument, NULL, 'm'},
		{"topologies", required_argument, NULL, 't'},
		{"fate", no_argument, NULL, 'F'},
		{"kernel", required_argument, NULL, 'K'},
		{"modules", required_argument, NULL, 'D'},
		{"list", no_argument, NULL, 'l'},
		{"accept-skip", no_argument, NULL, 'k'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	bool list = false;
	struct vm_request vm = {.opts = opts, .shorts = "j:h"};
	const char *kernels[16];
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
		case 'm':
			if (parse_pcap_format(optarg, &so.pcap_classic))
				return NFLAB_ERROR;
			break;
		case 't':
			so.topo_dir = optarg;
			break;
		case 'F':
			so.fate = true;
			break;
		case 'K':
			if (add_kernel(kernels, &vm.n_kernels, optarg))
				return NFLAB_ERROR;
			break;
		case 'D':
			vm.modules_dir = optarg;
			break;
		case 'l':
			list = true;
			break;
		case 'k':
			so.accept_skip = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			return bad_usage("test");
		}
	}
	if (vm.n_kernels && !list) { /* the same command inside a VM per kernel */
		vm.kernels = kernels;
		vm.first_operand = optind;
		return vm_main(argc, argv, &vm);
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
	if (!labs.n) { /* a green run of nothing would hide a typo */
		char why[512];

		snprintf(why, sizeof(why), "no lab matched%s%s%s%s", filter ? " --filter " : "",
			 filter ? filter : "", shards ? " in this --shard" : "",
			 optind < argc ? "" : " under labs/");
		if (so.tap)
			printf("TAP version 13\n1..0 # SKIP %s\n", why);
		fprintf(stderr, "nflab test: %s\n", why);
		lab_list_release(&labs);
		return NFLAB_ERROR;
	}
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
		{"pcap-merge", no_argument, NULL, 'M'},
		{"pcap-format", required_argument, NULL, 'm'},
		{"set", required_argument, NULL, 's'},
		{"pause-on-fail", no_argument, NULL, 'P'},
		{"pause-at", required_argument, NULL, 'A'},
		{"break", required_argument, NULL, 'B'},
		{"ladder", required_argument, NULL, 'L'},
		{"topologies", required_argument, NULL, 't'},
		{"timeline", no_argument, NULL, 'T'},
		{"fate", no_argument, NULL, 'F'},
		{"events", required_argument, NULL, 'e'},
		{"update-expected", no_argument, NULL, 'U'},
		{"observer-buffer", required_argument, NULL, 'b'},
		{"quiet", no_argument, NULL, 'q'},
		{"kernel", required_argument, NULL, 'K'},
		{"modules", required_argument, NULL, 'D'},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{NULL, 0, NULL, 0},
	};
	struct run_opts ro = {.out = stdout};
	struct vm_request vm = {.opts = opts, .shorts = "qh"};
	const char *topo_dir = NULL, *cmd, *kernels[16];
	char **set = NULL;
	int c, i, outcome = NFLAB_PASS;

	interrupt_install(); /* first: a signal at any later moment is reported */
	raise_fd_limit();
	clock_time_scale(); /* inside a --kernel VM: calibrated once, before any lab */
	if (argc >= 2 && (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V"))) {
		printf("nflab %s\n", NFLAB_VERSION);
		return 0;
	}
	if (argc >= 2 &&
	    (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help"))) {
		usage(stdout);
		return 0;
	}
	if (argc < 2) {
		fprintf(stderr, "usage: nflab COMMAND ... (nflab help lists the commands and "
				"options)\n");
		return NFLAB_ERROR;
	}
	cmd = argv[1];
	/* Commands that build labs: without root, in a user namespace of nflab's own. */
	if (!strcmp(cmd, "run") || !strcmp(cmd, "test") || !strcmp(cmd, "shell"))
		rootless_enter();
	if (!strcmp(cmd, "test"))
		return main_test(argc, argv);
	if (!strcmp(cmd, "index"))
		return main_index(argc, argv);
	if (!strcmp(cmd, "draw"))
		return main_draw(argc, argv);
	if (!strcmp(cmd, "shell"))
		return main_shell(argc, argv);
	if (!strcmp(cmd, "exec"))
		return main_exec(argc, argv);
	if (!strcmp(cmd, "import"))
		return main_import(argc, argv);
	if (strcmp(cmd, "run") && strcmp(cmd, "check")) {
		fprintf(stderr,
			"nflab: unknown command \"%s\" (commands: run test check index draw "
			"shell exec import help; nflab help for more)\n",
			cmd);
		return NFLAB_ERROR;
	}
	optind = 2;
	while ((c = getopt_long(argc, argv, "qh", opts, NULL)) != -1) {
		switch (c) {
		case 'p':
			ro.pcap_dir = optarg;
			break;
		case 'M':
			ro.pcap_merge = true;
			break;
		case 'm':
			if (parse_pcap_format(optarg, &ro.pcap_classic)) {
				free(set);
				return NFLAB_ERROR;
			}
			break;
		case 'P':
			ro.pause_on_fail = true;
			break;
		case 'A': {
			char *end;
			unsigned long v = strtoul(optarg, &end, 10);

			if (*end || end == optarg || optarg[0] == '-' || v < 1 || v > 1000000) {
				fprintf(stderr,
					"nflab: --pause-at needs a step number (1 for the "
					"first), got \"%s\"\n",
					optarg);
				free(set);
				return NFLAB_ERROR;
			}
			ro.pause_at = v;
			break;
		}
		case 'B':
			ro.break_at = optarg;
			break;
		case 'L':
			ro.ladder_path = optarg;
			break;
		case 's':
			if (!strchr(optarg, '=') || optarg[0] == '=') {
				fprintf(stderr, "nflab: --set needs NAME=VALUE, got \"%s\"\n",
					optarg);
				return NFLAB_ERROR;
			}
			if (!set)
				set = xcalloc((size_t)argc, sizeof(*set));
			set[ro.n_set++] = optarg;
			ro.set = set;
			break;
		case 't':
			topo_dir = optarg;
			break;
		case 'T':
			ro.timeline = true;
			break;
		case 'F':
			ro.fate = true;
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
		case 'K':
			if (add_kernel(kernels, &vm.n_kernels, optarg)) {
				free(set);
				return NFLAB_ERROR;
			}
			break;
		case 'D':
			vm.modules_dir = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			free(set);
			return bad_usage(cmd);
		}
	}
	if (!strcmp(cmd, "check")) {
		free(set);
		return main_check(argc - optind, argv + optind, topo_dir);
	}
	if (optind >= argc) {
		fprintf(stderr, "nflab %s: no lab file given\n", cmd);
		free(set);
		return NFLAB_ERROR;
	}
	if (ro.pcap_classic && ro.pcap_merge) {
		fprintf(stderr,
			"nflab %s: --pcap-format pcap cannot merge: a classic pcap has "
			"no interfaces to tell the points apart (use pcapng)\n",
			cmd);
		free(set);
		return NFLAB_ERROR;
	}
	if (check_outputs(&ro)) {
		free(set);
		return NFLAB_ERROR;
	}
	if (vm.n_kernels) { /* the same command inside a VM per kernel */
		free(set);
		vm.kernels = kernels;
		vm.first_operand = optind;
		return vm_main(argc, argv, &vm);
	}
	/* Output order must follow the run even when piped into a CI log. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	heap_prepare();
	for (i = optind; i < argc; i++) {
		struct diag d = DIAG_INIT;
		struct lab *lab = lab_load(argv[i], topo_dir, &d);

		if (!lab || run_pause_check(lab, &ro, &d)) {
			diag_print(&d, stderr);
			outcome = worse(outcome, d.outcome ? d.outcome : NFLAB_ERROR);
			lab_free(lab);
			continue;
		}
		outcome = worse(outcome, run_lab(lab, &ro));
		lab_free(lab);
	}
	free(set);
	return outcome;
}
