// SPDX-License-Identifier: GPL-2.0-or-later
/* Lab-file parser: good labs load, and every malformed one names file:line:column and what was
 * expected. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lab/lab.h"
#include "util/xalloc.h"

#define HOSTS                                          \
	"name: t\n"                                    \
	"nodes:\n"                                     \
	"  a:\n"                                       \
	"    interfaces:\n"                            \
	"      eth0: 192.0.2.1/24\n"                   \
	"  b:\n"                                       \
	"    interfaces:\n"                            \
	"      eth0: [192.0.2.2/24, 2001:db8::2/64]\n" \
	"links:\n"                                     \
	"  - [a:eth0, b:eth0]\n"

static struct lab *load(const char *text, struct diag *d)
{
	return lab_load_buffer("t.yaml", text, strlen(text), "/nonexistent", d);
}

/* True when text loads; prints the error when it does not. */
static bool loads(const char *text)
{
	struct diag d = DIAG_INIT;
	struct lab *lab = load(text, &d);

	if (!lab)
		print_error("input:\n%s\nunexpected error %d:%d \"%s\"\n", text, d.loc.line,
			    d.loc.col, d.msg);
	lab_free(lab);
	return lab != NULL;
}

/* Asserts text fails at line:col with msg somewhere in the message. */
static void check_error(const char *text, int line, int col, const char *msg)
{
	struct diag d = DIAG_INIT;
	struct lab *lab = load(text, &d);

	if (lab || !d.set || d.loc.line != line || d.loc.col != col || !strstr(d.msg, msg)) {
		print_error("input:\n%s\nwant %d:%d \"%s\"\ngot  %d:%d \"%s\"\n", text, line, col,
			    msg, d.loc.line, d.loc.col, d.msg);
		lab_free(lab);
		fail();
	}
	assert_string_equal(d.loc.file, "t.yaml");
	assert_int_equal(d.outcome, NFLAB_ERROR);
}

static void test_good_lab(void **state)
{
	struct diag d = DIAG_INIT;
	struct lab *lab;

	(void)state;
	lab = load(HOSTS "steps:\n"
			 "  - udp: {from: a, to: 192.0.2.2:53, sport: 1000, payload: hi}\n"
			 "  - tcp: {from: a, to: '[2001:db8::2]:80', outcome: refused}\n"
			 "  - ping: {from: a, to: 2001:db8::2, count: 2, outcome: reply}\n"
			 "  - listen: {node: b, proto: udp, port: 53}\n"
			 "  - name: answer\n"
			 "    expect:\n"
			 "      at: a:eth0\n"
			 "      dir: in\n"
			 "      match: {ip.src: 192.0.2.0/24, icmp.type: destination-unreachable}\n"
			 "      count: '>= 2'\n"
			 "      within: 250ms\n",
		   &d);
	if (!lab)
		diag_print(&d, stderr);
	assert_non_null(lab);
	assert_int_equal(lab->n_nodes, 2);
	assert_int_equal(lab->n_links, 1);
	assert_int_equal(lab->nodes[1].ifaces[0].n_addrs, 2);
	assert_int_equal(lab->n_steps, 5);
	assert_int_equal(lab->steps[0].kind, STEP_UDP);
	assert_int_equal(lab->steps[0].probe.dport, 53);
	assert_int_equal(lab->steps[0].probe.payload_len, 2);
	assert_int_equal(lab->steps[1].probe.dst.family, AF_INET6);
	assert_int_equal(lab->steps[1].probe.outcome, TCP_REFUSED);
	assert_int_equal(lab->steps[2].probe.count, 2);
	assert_int_equal(lab->steps[4].expect.n_preds, 2);
	assert_int_equal(lab->steps[4].expect.mode, COUNT_AT_LEAST);
	assert_int_equal(lab->steps[4].expect.count, 2);
	assert_int_equal(lab->steps[4].expect.within_ns, 250000000ull);
	assert_string_equal(lab->steps[4].name, "answer");
	assert_int_equal(lab->steps[4].loc.line, 16);
	lab_free(lab);
}

static void test_defaults(void **state)
{
	struct diag d = DIAG_INIT;
	struct lab *lab;

	(void)state;
	lab = load(HOSTS "steps:\n  - expect: {at: b:eth0}\n", &d);
	assert_non_null(lab);
	assert_int_equal(lab->steps[0].expect.mode, COUNT_AT_LEAST);
	assert_int_equal(lab->steps[0].expect.count, 1);
	assert_int_equal(lab->steps[0].expect.dir, DIR_ANY);
	assert_int_equal(lab->steps[0].expect.within_ns, LAB_DEFAULT_WITHIN_NS);
	assert_int_equal(lab->steps[0].expect.quiet_ns, 0);
	lab_free(lab);
	lab = load(HOSTS "steps:\n  - expect: {at: b:eth0, count: none}\n", &d);
	assert_non_null(lab);
	assert_int_equal(lab->steps[0].expect.mode, COUNT_EXACTLY);
	assert_int_equal(lab->steps[0].expect.count, 0);
	lab_free(lab);
}

static void test_yaml_syntax(void **state)
{
	(void)state;
	check_error("name: t\nnodes: [a, b\n", 3, 1, "YAML syntax");
	check_error("name: t\n  bad: indent\n", 2, 6, "YAML syntax");
}

static void test_empty_and_shape(void **state)
{
	(void)state;
	check_error("", 1, 1, "got an empty file");
	check_error("- a\n- b\n", 1, 1, "expected a lab");
	check_error("nodes: {a: }\n", 1, 1, "needs a \"name\"");
}

static void test_unknown_key(void **state)
{
	(void)state;
	check_error(HOSTS "stepz: []\n", 11, 1, "unknown key \"stepz\" in lab");
	check_error("name: t\nnodes:\n  a:\n    interfacs: {}\n", 4, 5,
		    "unknown key \"interfacs\" in node; expected one of: router");
	check_error(HOSTS "steps:\n  - udp: {from: a, to: 192.0.2.2:9, port: 3}\n", 12, 37,
		    "unknown key \"port\" in udp probe");
}

static void test_duplicates(void **state)
{
	(void)state;
	check_error("name: t\nname: u\n", 2, 1,
		    "duplicate key \"name\" at the top level (first given at line 1, column 1): a "
		    "key may be given once, or one of its values would be silently lost");
	check_error("name: t\nnodes:\n  a: {}\n  a: {}\n", 4, 3,
		    "duplicate key \"a\" in nodes (first given at line 3, column 3)");
	check_error("name: t\nnodes:\n  a:\n    interfaces:\n      eth0: 192.0.2.1/24\n      eth0: "
		    "192.0.2.2/24\n",
		    6, 7, "duplicate key \"eth0\" in interfaces (first given at line 5, column 7)");
	/* Anywhere: maps no key list checks, and the first repeat in the file. */
	check_error(HOSTS "steps:\n  - expect: {at: a:eth0, match: {ip.src: 192.0.2.1, ip.src: "
			  "192.0.2.2}}\n",
		    12, 53,
		    "duplicate key \"ip.src\" in match (first given at line 12, column 34)");
	check_error("name: t\nnodes:\n  a:\n    sysctl:\n      net.ipv4.ip_forward: 1\n"
		    "      net.ipv4.ip_forward: 0\n",
		    6, 7, "duplicate key \"net.ipv4.ip_forward\" in sysctl");
	check_error(HOSTS "env: {A: 1, B: 2, A: 3}\nhosts: {x: 192.0.2.9, x: 192.0.2.8}\n", 11, 19,
		    "duplicate key \"A\" in env (first given at line 11, column 7)");
	check_error(HOSTS "hosts: {x: 192.0.2.9, x: 192.0.2.8}\n", 11, 23,
		    "duplicate key \"x\" in hosts");
	check_error(HOSTS "steps:\n  - udp: {from: a, to: 192.0.2.2:9}\n    udp: {from: b, to: "
			  "192.0.2.1:9}\n",
		    13, 5, "duplicate key \"udp\" in an item of steps");
	check_error(HOSTS
		    "steps:\n  - expect:\n      at: a:eth0\n      count: 1\n      count: none\n",
		    15, 7, "duplicate key \"count\" in expect (first given at line 14, column 7)");
	check_error(
		"name: t\nnodes:\n  a:\n    interfaces:\n      eth0: [192.0.2.1/24, 192.0.2.1/25]\n"
		"  b: {}\nlinks:\n  - [a:eth0, b:eth0]\n",
		5, 28, "duplicate address on a:eth0");
	check_error(HOSTS "  - [a:eth0, b:eth1]\n", 11, 6, "already an end of another link");
}

/* YAML merge keys: copied pairs, written keys win, no duplicates from merges. */
static void test_merge_keys(void **state)
{
	struct diag d = DIAG_INIT;
	struct lab *lab;

	(void)state;
	lab = load(HOSTS "steps:\n"
			 "  - udp: &u {from: a, to: 192.0.2.2:9, sport: 1000}\n"
			 "  - udp: {<<: *u, sport: 2000}\n"
			 "  - udp: {<<: [{to: 192.0.2.2:7}, *u]}\n",
		   &d);
	assert_non_null(lab);
	assert_int_equal(lab->n_steps, 3);
	assert_int_equal(lab->steps[1].probe.sport, 2000); /* written wins */
	assert_int_equal(lab->steps[1].probe.dport, 9);	   /* copied */
	assert_int_equal(lab->steps[2].probe.dport, 7);	   /* an earlier mapping wins */
	assert_int_equal(lab->steps[2].probe.sport, 1000);
	lab_free(lab);
	/* A merged key the mapping does not allow is found at the anchored line. */
	check_error(HOSTS "steps:\n  - udp: &u {from: a, to: 192.0.2.2:9}\n"
			  "  - expect: {<<: *u, at: a:eth0}\n",
		    12, 14, "unknown key \"from\" in expect");
	check_error(HOSTS "steps:\n  - udp: {<<: 3, from: a, to: 192.0.2.2:9}\n", 12, 15,
		    "a merge key \"<<\" takes a mapping");
	check_error(HOSTS "steps:\n  - udp: {<<: [3], from: a, to: 192.0.2.2:9}\n", 12, 16,
		    "a merge key \"<<\" takes a mapping");
	/* Still a duplicate when written twice, merge or not. */
	check_error(HOSTS "steps:\n  - udp: &u {from: a, to: 192.0.2.2:9}\n"
			  "  - udp: {<<: *u, sport: 1, sport: 2}\n",
		    13, 29, "duplicate key \"sport\"");
}

/* Lists in a match, references to earlier checks, distinct. */
static void test_relations(void **state)
{
	struct diag d = DIAG_INIT;
	struct lab *lab;

	(void)state;
	lab = load(HOSTS "steps:\n"
			 "  - expect: {id: syn, at: a:eth0, match: {tcp.flags: syn, tcp.dport: [80, "
			 "443]}}\n"
			 "  - expect: {at: b:eth0, match: {tcp.ack: {ref: syn.tcp.seq, add: 1}}, "
			 "distinct: tcp.sport, count: 2}\n",
		   &d);
	if (!lab)
		print_error("%d:%d %s\n", d.loc.line, d.loc.col, d.msg);
	assert_non_null(lab);
	assert_int_equal(lab->steps[0].expect.preds[1].op, PRED_ANY);
	assert_int_equal(lab->steps[0].expect.preds[1].n_alts, 2);
	assert_string_equal(lab->steps[0].expect.id, "syn");
	assert_non_null(lab->steps[1].expect.preds[0].ref);
	assert_int_equal(lab->steps[1].expect.preds[0].ref->step, 0);
	assert_int_equal(lab->steps[1].expect.preds[0].ref->add, 1);
	assert_string_equal(lab->steps[1].expect.distinct->name, "tcp.sport");
	lab_free(lab);
	check_error(HOSTS "steps:\n  - expect: {at: a:eth0, match: {tcp.dport: []}}\n", 12, 45,
		    "an empty list matches nothing");
	check_error(HOSTS "steps:\n  - expect: {at: a:eth0, match: {ip.src: {ref: x.ip.src}}}\n",
		    12, 42, "no check has the id \"x\"");
	check_error(HOSTS "steps:\n  - expect: {at: a:eth0, match: {ip.src: {ref: y.ip.src}}}\n"
			  "  - expect: {id: y, at: a:eth0}\n",
		    12, 42, "y is the check at line 13, which comes later");
	check_error(HOSTS "steps:\n  - expect: {id: y, at: a:eth0, count: none}\n"
			  "  - expect: {at: a:eth0, match: {ip.src: {ref: y.ip.src}}}\n",
		    13, 42, "expects nothing (count: none)");
	check_error(HOSTS "steps:\n  - expect: {id: y, at: a:eth0}\n"
			  "  - expect: {at: a:eth0, match: {ip.src: {ref: y.tcp.seq}}}\n",
		    13, 42, "ip.src is an address but y.tcp.seq is a number");
	/* Bytes are no value a reference carries (they belong to their packet). */
	check_error(HOSTS "steps:\n  - expect: {id: y, at: a:eth0}\n"
			  "  - expect: {at: a:eth0, match: {payload: {ref: y.payload}}}\n",
		    13, 43, "y.payload is bytes (a payload), which a reference cannot carry");
	check_error(HOSTS "steps:\n  - expect: {id: y, at: a:eth0}\n"
			  "  - expect: {at: a:eth0, match: {udp.dport: {ref: y.payload}}}\n",
		    13, 45, "which a reference cannot carry");
	check_error(HOSTS "steps:\n  - expect: {id: y, at: a:eth0}\n"
			  "  - expect: {at: a:eth0, match: {ip.src: {ref: y.ct.state}}}\n",
		    13, 42, "which have no field \"ct.state\"");
	check_error(HOSTS "steps:\n  - expect: {id: y, at: a:eth0}\n"
			  "  - expect: {at: a:eth0, match: {ip.src: {ref: y.ip.src, add: 1}}}\n",
		    13, 63, "add applies to number fields");
	check_error(HOSTS "steps:\n  - expect: {id: y, at: a:eth0}\n"
			  "  - expect: {id: y, at: a:eth0}\n",
		    13, 18, "id \"y\" is already the id of the check at line 12");
	check_error(HOSTS "steps:\n  - expect: {id: a.b, at: a:eth0}\n", 12, 18,
		    "expected an id of letters");
	check_error(HOSTS "steps:\n  - expect: {at: a:eth0, distinct: ip.nope}\n", 12, 36,
		    "distinct: unknown field \"ip.nope\"");
	check_error(HOSTS "steps:\n  - expect: {at: a:eth0, count: none, distinct: ip.id}\n", 12,
		    49, "distinct with count: none");
	check_error(HOSTS "steps:\n  - send: {from: a, ip: {dst: 192.0.2.2}, icmp: {type: 3, "
			  "quote: {captured: a:eth0, match: {ip.src: {ref: x.ip.src}}}}}\n",
		    12, 101, "references ({ref: ...}) are for an expect step's match");
}

/* A sysctl key ending in "?" is optional; the "?" is not part of the key. */
static void test_optional_sysctl(void **state)
{
	struct diag d = DIAG_INIT;
	struct lab *lab;

	(void)state;
	lab = load("name: t\nnodes:\n  a:\n    sysctl: {net.ipv4.x?: 1, net.ipv4.y: 2}\n", &d);
	assert_non_null(lab);
	assert_string_equal(lab->nodes[0].sysctls[0].key, "net.ipv4.x");
	assert_true(lab->nodes[0].sysctls[0].optional);
	assert_false(lab->nodes[0].sysctls[1].optional);
	lab_free(lab);
	check_error("name: t\nnodes:\n  a:\n    sysctl: {net.ipv4?.x: 1}\n", 4, 14,
		    "optionally ending in \"?\"");
}

/* One document per file: a second one would be ignored. */
static void test_second_document(void **state)
{
	(void)state;
	check_error(HOSTS "---\nname: u\nsteps:\n  - expect: {at: a:eth0}\n", 11, 1,
		    "a second YAML document (\"---\"): a file holds one document, and nflab "
		    "would ignore this one");
	check_error(HOSTS "---\n", 11, 1, "a second YAML document");
	check_error(HOSTS "...\n---\n- x\n", 12, 1, "a second YAML document");
	/* YAML syntax after the first document is reported, not skipped. */
	check_error(HOSTS "---\n- [\n", 13, 1, "YAML syntax");
	/* An explicit start of the one document, or an end marker, is fine. */
	assert_true(loads("---\n" HOSTS "...\n"));
}

/* Checks that could never fail, found as the lab is read. */
static void test_vacuous(void **state)
{
	(void)state;
	check_error(
		HOSTS "steps:\n  - expect: {at: a:eth0, count: none, within: 0}\n", 12, 47,
		"count: none with within: 0 gives the check no time: an exact count passes only "
		"once the lab is quiet, and within: 0 ends it before anything more can arrive, "
		"so a late packet could never fail it; leave within out (1s) or give the time "
		"to wait");
	check_error(HOSTS "steps:\n  - expect: {conntrack-table: a, count: 2, within: 0ms}\n", 12,
		    52, "count: 2 with within: 0 gives the check no time");
	check_error(HOSTS "steps:\n  - expect: {at: a:eth0, count: 0, within: 0s}\n", 12, 44,
		    "count: none with within: 0");
	/* "at least" is decided by what arrived: within: 0 can fail it. */
	assert_true(loads(HOSTS "steps:\n  - expect: {at: a:eth0, count: '>= 1', within: 0}\n"));

	check_error(
		"name: t\nnodes:\n  a:\n    sysctl: {net.netfilter.nf_conntrack_events: 0}\n"
		"steps:\n  - expect: {conntrack: a, count: none}\n",
		6, 25,
		"node a sets net.netfilter.nf_conntrack_events to 0 (line 4), so its kernel "
		"sends no conntrack events and this check could never fail; remove that sysctl, "
		"or check the table (conntrack-table: a)");
	/* The last value set counts; the table does not depend on events. */
	assert_true(
		loads("name: t\nnodes:\n  a:\n    sysctl: {net.netfilter.nf_conntrack_events: 0}\n"
		      "steps:\n  - expect: {conntrack-table: a, count: none}\n"));
	assert_true(
		loads("name: t\nnodes:\n  a:\n    sysctl: {net.netfilter.nf_conntrack_events: 1}\n"
		      "steps:\n  - expect: {conntrack: a, count: none}\n"));

	check_error(
		"name: t\nnodes:\n  a:\n    nft: |\n      table ip t {\n"
		"        chain c { type filter hook input priority 0; log group 5 prefix \"x\"; }\n"
		"        chain d { type filter hook output priority 0; log group 2; }\n      }\n"
		"steps:\n  - expect: {nflog: a, match: {log.prefix: x, log.group: 7}}\n",
		10, 58,
		"no rule of node a logs to NFLOG group 7, so no record could match (its rules "
		"log to groups 5, 2)");
	assert_true(
		loads("name: t\nnodes:\n  a:\n    iptables: |\n      *filter\n"
		      "      -A INPUT -j NFLOG --nflog-prefix in\n      COMMIT\n"
		      "steps:\n  - expect: {nflog: a, match: {log.group: 0, log.prefix: '!x'}}\n"));
}

static void test_wrong_types(void **state)
{
	(void)state;
	check_error("name: t\nnodes:\n  a:\n    router: maybe\n", 4, 13, "expected true or false");
	check_error("name: t\nnodes:\n  a:\n    interfaces:\n      eth0: {mtu: big}\n", 5, 19,
		    "expected an MTU in bytes (68 to 65535), got \"big\"");
	check_error("name: t\nnodes:\n  a:\n    interfaces:\n      eth0: {mtu: 20}\n", 5, 19,
		    "got 20");
	check_error("name: t\nnodes: [a]\n", 2, 8, "expected a mapping of node names");
	check_error(HOSTS "steps: {a: 1}\n", 11, 8, "expected a list of steps");
	check_error(HOSTS "steps:\n  - expect: {at: a:eth0, within: soon}\n", 12, 34,
		    "expected a duration");
	check_error(HOSTS "steps:\n  - expect: {at: a:eth0, count: many}\n", 12, 33,
		    "expected a count");
}

/* Links are wire-sized unless one says offloads: true, which both its ends then know. */
static void test_link_offloads(void **state)
{
	struct diag d = DIAG_INIT;
	struct lab *lab;

	(void)state;
	lab = load(HOSTS, &d);
	assert_non_null(lab);
	assert_false(lab->links[0].offloads);
	assert_false(lab->nodes[0].ifaces[0].offloads);
	lab_free(lab);
	lab = load("name: t\nnodes: {a: {}, b: {}, c: {}}\nlinks:\n"
		   "  - {ends: [a:eth0, b:eth0], offloads: true}\n  - [b:eth1, c:eth0]\n",
		   &d);
	assert_non_null(lab);
	assert_true(lab->links[0].offloads);
	assert_false(lab->links[1].offloads);
	assert_true(lab->nodes[0].ifaces[0].offloads);
	assert_true(lab->nodes[1].ifaces[0].offloads);
	assert_false(lab->nodes[1].ifaces[1].offloads);
	assert_false(lab->nodes[2].ifaces[0].offloads);
	lab_free(lab);
	check_error("name: t\nnodes: {a: {}, b: {}}\nlinks:\n"
		    "  - {ends: [a:eth0, b:eth0], offloads: some}\n",
		    4, 40, "expected true or false, got \"some\"");
	check_error("name: t\nnodes: {a: {}, b: {}}\nlinks:\n"
		    "  - {ends: [a:eth0, b:eth0], offload: true}\n",
		    4, 30, "unknown key \"offload\" in link; expected one of: ends, mtu, offloads");
}

static void test_bad_addresses(void **state)
{
	(void)state;
	check_error("name: t\nnodes:\n  a:\n    interfaces:\n      eth0: 192.0.2.300/24\n", 5, 13,
		    "expected an address with prefix length");
	check_error("name: t\nnodes:\n  a:\n    interfaces:\n      eth0: 192.0.2.1/33\n", 5, 13,
		    "got \"192.0.2.1/33\"");
	check_error("name: t\nnodes:\n  a:\n    interfaces:\n      eth0: 192.0.2.1\n", 5, 13,
		    "with prefix length");
	check_error(
		"name: t\nnodes:\n  a:\n    interfaces:\n      eth0: {mac: 01:00:5e:00:00:01}\n", 5,
		19, "unicast MAC");
	check_error(HOSTS "steps:\n  - udp: {from: a, to: 192.0.2.2}\n", 12, 24,
		    "expected ADDR:PORT");
	check_error(HOSTS "steps:\n  - udp: {from: a, to: 192.0.2.2:70000}\n", 12, 24,
		    "port from 1 to 65535");
}

static void test_routes(void **state)
{
	(void)state;
	check_error("name: t\nnodes:\n  a:\n    routes:\n      - default by 192.0.2.1\n", 5, 9,
		    "expected a route");
	check_error("name: t\nnodes:\n  a:\n    routes:\n      - 2001:db8::/32 via 192.0.2.1\n", 5,
		    9, "IPv6 prefix via an IPv4 gateway");
	check_error(
		"name: t\nnodes:\n  a:\n    interfaces:\n      eth0: 192.0.2.1/24\n"
		"    routes:\n      - default dev eth9\n  b: {}\nlinks:\n  - [a:eth0, b:eth0]\n",
		7, 9, "node a has no such interface");
}

static void test_policy_routing(void **state)
{
	struct diag d = DIAG_INIT;
	struct lab *lab;
	struct lab_node *a;

	(void)state;
	lab = load("name: t\nnodes:\n  a:\n    interfaces:\n      eth0: 192.0.2.1/24\n"
		   "    routes:\n"
		   "      - 10.0.1.0/24 dev eth0 table 128\n"
		   "      - default via 192.0.2.254 table 100\n"
		   "      - {to: 10.8.0.0/16, dev: eth0, table: main}\n"
		   "      - 2001:db8::/32 dev eth0 table 4294967295\n"
		   "    rules:\n"
		   "      - {from: 10.0.2.0/24, table: 100}\n"
		   "      - {to: 2001:db8::/32, fwmark: 0x10/0xff, iif: eth0, priority: 100, "
		   "table: 200}\n"
		   "      - {fwmark: 7, oif: eth0, table: main}\n"
		   "  b: {}\nlinks:\n  - [a:eth0, b:eth0]\n",
		   &d);
	if (!lab)
		diag_print(&d, stderr);
	assert_non_null(lab);
	a = &lab->nodes[0];
	assert_int_equal(a->n_routes, 4);
	assert_int_equal(a->routes[0].table, 128);
	assert_int_equal(a->routes[1].table, 100);
	assert_int_equal(a->routes[1].plen, 0);
	assert_int_equal(a->routes[2].table, LAB_TABLE_MAIN);
	assert_int_equal(a->routes[3].table, 4294967295u);
	assert_int_equal(a->n_rules, 3);
	assert_int_equal(a->rules[0].family, AF_INET);
	assert_int_equal(a->rules[0].from_plen, 24);
	assert_false(a->rules[0].has_to);
	assert_int_equal(a->rules[0].table, 100);
	assert_int_equal(a->rules[0].loc.line, 12);
	assert_int_equal(a->rules[1].family, AF_INET6);
	assert_int_equal(a->rules[1].to_plen, 32);
	assert_int_equal(a->rules[1].fwmark, 0x10);
	assert_int_equal(a->rules[1].fwmask, 0xff);
	assert_string_equal(a->rules[1].iif, "eth0");
	assert_true(a->rules[1].has_priority);
	assert_int_equal(a->rules[1].priority, 100);
	assert_int_equal(a->rules[2].family, AF_UNSPEC);
	assert_int_equal(a->rules[2].fwmark, 7);
	assert_int_equal(a->rules[2].fwmask, 0xffffffffu);
	assert_string_equal(a->rules[2].oif, "eth0");
	assert_int_equal(a->rules[2].table, LAB_TABLE_MAIN);
	lab_free(lab);

	/* Bad tables, in both route forms and in a rule. */
	check_error("name: t\nnodes:\n  a:\n    routes:\n      - 10.0.1.0/24 dev eth0 table 0\n", 5,
		    9, "expected a routing table (1 to 4294967295 or main), got \"0\"");
	check_error("name: t\nnodes:\n  a:\n    routes:\n      - 10.0.1.0/24 dev eth0 table\n", 5,
		    9, "expected a route");
	check_error("name: t\nnodes:\n  a:\n    routes:\n"
		    "      - {to: 10.0.0.0/8, dev: eth0, table: 4294967296}\n",
		    5, 44, "expected a routing table");
	check_error(
		"name: t\nnodes:\n  a:\n    rules:\n      - {from: 10.0.2.0/24, table: local}\n", 5,
		36, "expected a routing table (1 to 4294967295 or main), got \"local\"");
	check_error("name: t\nnodes:\n  a:\n    rules:\n      - {from: 10.0.2.0/24}\n", 5, 9,
		    "rule needs \"table\"");
	/* Bad marks, prefixes, keys and interfaces. */
	check_error("name: t\nnodes:\n  a:\n    rules:\n      - {fwmark: 0x1/zz, table: 1}\n", 5,
		    18, "expected a firewall mark (N or N/MASK");
	check_error("name: t\nnodes:\n  a:\n    rules:\n      - {fwmark: 4294967296, table: 1}\n",
		    5, 18, "expected a firewall mark");
	check_error("name: t\nnodes:\n  a:\n    rules:\n      - {fwmark: -1, table: 1}\n", 5, 18,
		    "expected a firewall mark");
	check_error("name: t\nnodes:\n  a:\n    rules:\n      - {from: 10.0.2.0/24, tabel: 1}\n", 5,
		    29, "unknown key \"tabel\" in rule");
	check_error("name: t\nnodes:\n  a:\n    rules:\n      - {from: 10.0.2.0/33, table: 1}\n", 5,
		    16, "expected a prefix");
	check_error("name: t\nnodes:\n  a:\n    rules:\n"
		    "      - {from: 10.0.2.0/24, to: 2001:db8::/32, table: 1}\n",
		    5, 33, "rule from an IPv4 prefix to an IPv6 prefix");
	check_error("name: t\nnodes:\n  a:\n    rules:\n      - {priority: 1x, table: 1}\n", 5, 20,
		    "expected a rule priority");
	check_error("name: t\nnodes:\n  a:\n    rules: {table: 1}\n", 4, 12,
		    "expected a list of policy routing rules");
	check_error("name: t\nnodes:\n  a:\n    rules:\n      - {iif: eth9, table: 1}\n", 5, 9,
		    "rule on interface \"eth9\": node a has no such interface");
}

static void test_references(void **state)
{
	(void)state;
	check_error("name: t\nnodes:\n  a: {}\nlinks:\n  - [a:eth0, c:eth0]\n", 5, 14,
		    "names node \"c\", which is not in nodes");
	check_error("name: t\nnodes:\n  a:\n    interfaces:\n      eth0: 192.0.2.1/24\n", 5, 7,
		    "interface a:eth0 is not an end of any link");
	check_error(HOSTS "steps:\n  - udp: {from: c, to: 192.0.2.2:9}\n", 12, 17,
		    "unknown node \"c\"");
	check_error(HOSTS "steps:\n  - expect: {at: a:eth1}\n", 12, 18,
		    "node a has no interface \"eth1\"");
	check_error(HOSTS "steps:\n  - expect: {at: a}\n", 12, 18, "expected a capture point");
	check_error("name: t\ntopology: nosuch\n", 2, 11, "topology \"nosuch\": cannot open");
	check_error("name: t\nnodes:\n  a:\n    sysctl: {kernel.panic: 1}\n", 4, 14,
		    "expected a net.* sysctl key");
}

static void test_steps(void **state)
{
	(void)state;
	check_error(HOSTS "steps:\n  - {name: x}\n", 12, 5, "exactly one of udp, tcp");
	check_error(
		HOSTS
		"steps:\n  - udp: {from: a, to: 192.0.2.2:9}\n    ping: {from: a, to: 192.0.2.2}\n",
		12, 5, "got 2");
	check_error(HOSTS "steps:\n  - expect: {at: a:eth0, match: {ip.sauce: 1.2.3.4}}\n", 12, 34,
		    "unknown field \"ip.sauce\" for packets");
	check_error(HOSTS "steps:\n  - expect: {trace: a, match: {ip.sauce: 1}}\n", 12, 32,
		    "unknown field \"ip.sauce\" for nft trace events");
	check_error(HOSTS "steps:\n  - expect: {at: a:eth0, trace: a}\n", 12, 33,
		    "expect needs exactly one of");
	check_error(HOSTS "steps:\n  - expect: {nflog: a}\n", 12, 21,
		    "node a has no rule that logs to an NFLOG group");
	check_error(HOSTS "steps:\n  - close: nosuch\n", 12, 12, "no earlier step is named");
	check_error(HOSTS "steps:\n  - expect: {counters: a, dir: in}\n", 12, 32,
		    "dir applies to packets (at), not to counters");
	check_error(HOSTS "steps:\n  - expect: {at: a:eth0, match: {ip.src: nowhere}}\n", 12, 42,
		    "ip.src:");
	check_error(HOSTS "steps:\n  - expect: {at: a:eth0, dir: sideways}\n", 12, 31,
		    "expected in, out or any");
	/* A code name of another type than the one given beside it, at the code. */
	check_error(HOSTS "steps:\n  - expect: {at: a:eth0, match: {icmp.type: echo-request, "
			  "icmp.code: net-unreachable}}\n",
		    12, 70,
		    "icmp.code: icmp.type echo-request has no named codes: write icmp.code as a "
		    "number");
	check_error(HOSTS "steps:\n  - expect: {at: a:eth0, match: {icmp.code: host, icmp.type: "
			  "destination-unreachable}}\n",
		    12, 45, "\"host\" is not a code of icmp.type destination-unreachable");
	check_error(HOSTS
		    "steps:\n  - send: {from: a, ip: {dst: 192.0.2.2}, icmp: {type: redirect, "
		    "code: port-unreachable}}\n",
		    12, 72, "whose codes are net, host, tos-net, tos-host");
	check_error(HOSTS "steps:\n  - tcp: {from: a, to: 192.0.2.2:80, outcome: maybe}\n", 12, 47,
		    "expected connected, refused, timeout, unreachable or reset");
}

/* Probe keys for the IP header (ttl, tos, df) and ping's size and interval. */
static void test_probe_keys(void **state)
{
	struct diag d = DIAG_INIT;
	struct lab *lab;

	(void)state;
	lab = load(HOSTS
		   "steps:\n"
		   "  - ping: {from: a, to: 192.0.2.2, size: 1400, df: true, ttl: 1, tos: 0x10, "
		   "interval: 200ms, count: 2}\n"
		   "  - udp: {from: a, to: 192.0.2.2:9, ttl: 2, tos: 184, df: false}\n"
		   "  - tcp: {from: a, to: '[2001:db8::2]:80', ttl: 255, tos: 0, df: true}\n"
		   "  - ping: {from: a, to: 2001:db8::2, size: 0}\n",
		   &d);
	if (!lab)
		diag_print(&d, stderr);
	assert_non_null(lab);
	assert_int_equal(lab->steps[0].probe.size, 1400);
	assert_int_equal(lab->steps[0].probe.df, 1);
	assert_int_equal(lab->steps[0].probe.ttl, 1);
	assert_int_equal(lab->steps[0].probe.tos, 0x10);
	assert_int_equal(lab->steps[0].probe.interval_ns, 200000000ull);
	assert_int_equal(lab->steps[1].probe.ttl, 2);
	assert_int_equal(lab->steps[1].probe.tos, 184);
	assert_int_equal(lab->steps[1].probe.df, 0);
	assert_int_equal(lab->steps[2].probe.ttl, 255);
	assert_int_equal(lab->steps[2].probe.tos, 0);
	assert_int_equal(lab->steps[2].probe.df, 1);
	/* Unset: the kernel's own values. */
	assert_int_equal(lab->steps[3].probe.size, 0);
	assert_int_equal(lab->steps[3].probe.ttl, 0);
	assert_int_equal(lab->steps[3].probe.tos, -1);
	assert_int_equal(lab->steps[3].probe.df, -1);
	assert_int_equal(lab->steps[3].probe.interval_ns, 0);
	lab_free(lab);
	lab = load(HOSTS "steps:\n  - ping: {from: a, to: 192.0.2.2}\n", &d);
	assert_non_null(lab);
	assert_int_equal(lab->steps[0].probe.size, 56);
	lab_free(lab);

	check_error(HOSTS "steps:\n  - ping: {from: a, to: 192.0.2.2, ttl: 0}\n", 12, 41,
		    "expected a TTL (1 to 255), got \"0\"");
	check_error(HOSTS "steps:\n  - ping: {from: a, to: 192.0.2.2, ttl: 256}\n", 12, 41,
		    "expected a TTL (1 to 255), got \"256\"");
	check_error(HOSTS "steps:\n  - ping: {from: a, to: 2001:db8::2, ttl: -1}\n", 12, 43,
		    "expected a hop limit (1 to 255), got \"-1\"");
	check_error(HOSTS "steps:\n  - udp: {from: a, to: 192.0.2.2:9, tos: 300}\n", 12, 42,
		    "expected a TOS byte (0 to 255), got \"300\"");
	check_error(HOSTS "steps:\n  - tcp: {from: a, to: 192.0.2.2:80, df: maybe}\n", 12, 42,
		    "expected true or false, got \"maybe\"");
	check_error(HOSTS "steps:\n  - ping: {from: a, to: 192.0.2.2, size: 65508}\n", 12, 42,
		    "expected an echo payload size in bytes (0 to 65507), got \"65508\"");
	check_error(HOSTS "steps:\n  - ping: {from: a, to: 2001:db8::2, size: 65528}\n", 12, 44,
		    "(0 to 65527), got \"65528\"");
	check_error(HOSTS "steps:\n  - ping: {from: a, to: 192.0.2.2, interval: soon}\n", 12, 46,
		    "expected a duration up to 10s");
	check_error(HOSTS "steps:\n  - ping: {from: a, to: 192.0.2.2, interval: 11s}\n", 12, 46,
		    "expected a duration up to 10s (100ms, 1s), got \"11s\"");
	check_error(HOSTS "steps:\n  - udp: {from: a, to: 192.0.2.2:9, size: 100}\n", 12, 37,
		    "unknown key \"size\" in udp probe");
	check_error(HOSTS "steps:\n  - tcp: {from: a, to: 192.0.2.2:80, interval: 1s}\n", 12, 38,
		    "unknown key \"interval\" in tcp probe");
	lab = load(HOSTS "steps:\n  - tcp: {from: a, to: 192.0.2.2:80, background: true, "
			 "payload: hi}\n",
		   &d);
	assert_non_null(lab);
	assert_true(lab->steps[0].probe.background);
	lab_free(lab);
	check_error(HOSTS "steps:\n  - tcp: {from: a, to: 192.0.2.2:80, background: true, "
			  "outcome: connected}\n",
		    12, 65, "a background tcp probe has no outcome");
	check_error(HOSTS "steps:\n  - tcp: {from: a, to: 192.0.2.2:80, background: yes please}\n",
		    12, 50, "expected true or false");
	check_error(HOSTS "steps:\n  - udp: {from: a, to: 192.0.2.2:9, background: true}\n", 12, 37,
		    "unknown key \"background\" in udp probe");
}

/* Steps of the registry (src/step/): each one's mistakes at their line and column. */
static void test_registry_steps(void **state)
{
	(void)state;
	assert_true(loads(HOSTS "steps:\n"
				"  - nft: {node: a, ruleset: \"add table inet t\"}\n"
				"  - reset-counters: a\n"
				"  - conntrack: {node: a, flush: true}\n"
				"  - conntrack: {node: a, delete: {match: {ct.proto: udp}}}\n"
				"  - sysctl: {node: a, set: {net.ipv4.ip_forward: 1}}\n"
				"  - link: {at: a:eth0, state: down}\n"
				"  - wait: 250ms\n"));
	check_error(HOSTS "steps:\n  - nft: {node: a}\n", 12, 10, "missing \"ruleset\"");
	check_error(HOSTS "steps:\n  - nft: {node: z, ruleset: x}\n", 12, 17, "unknown node \"z\"");
	check_error(HOSTS "steps:\n  - nft: {node: a, ruleset: x, table: y}\n", 12, 32,
		    "unknown key \"table\" in nft step");
	check_error(HOSTS "steps:\n  - reset-counters: nosuch\n", 12, 21,
		    "unknown node \"nosuch\"");
	check_error(HOSTS "steps:\n  - reset-counters: [a]\n", 12, 21, "a node name");
	check_error(HOSTS "steps:\n  - conntrack: {node: a}\n", 12, 16,
		    "exactly one of flush: true, delete");
	check_error(HOSTS "steps:\n  - conntrack: {node: a, flush: false}\n", 12, 33,
		    "flush: false does nothing");
	check_error(HOSTS "steps:\n  - conntrack: {node: a, delete: {match: {ct.sauce: 1}}}\n", 12,
		    43, "unknown field \"ct.sauce\"");
	check_error(HOSTS "steps:\n  - conntrack: {node: a, delete: {match: {}}}\n", 12, 42,
		    "an empty match deletes every entry");
	check_error(HOSTS "steps:\n  - sysctl: {node: a, set: {kernel.panic: 1}}\n", 12, 29,
		    "expected a net.* sysctl key");
	check_error(HOSTS "steps:\n  - sysctl: {node: a}\n", 12, 13, "missing \"set\"");
	check_error(HOSTS "steps:\n  - link: {at: a:eth9, state: down}\n", 12, 16, "");
	check_error(HOSTS "steps:\n  - link: {at: a:eth0, state: sideways}\n", 12, 31,
		    "expected up or down, got \"sideways\"");
	check_error(HOSTS "steps:\n  - link: {at: a:eth0}\n", 12, 11, "missing \"state\"");
	check_error(HOSTS "steps:\n  - wait: soon\n", 12, 11, "a duration");
	check_error(HOSTS "steps:\n  - wait: 1h\n", 12, 11, "");
	check_error(HOSTS "steps:\n  - {name: x}\n", 12, 5, "nft, reset-counters, conntrack");
}

static void test_filters(void **state)
{
	(void)state;
	assert_true(loads(HOSTS "steps:\n"
				"  - expect: {at: a:eth0, filter: \"icmp or arp\", count: none}\n"
				"capture:\n"
				"  - {at: b:eth0, filter: \"udp port 53\"}\n"
				"  - a:eth0\n"));
	check_error(HOSTS "steps:\n  - expect: {at: a:eth0, filter: \"udp port\"}\n", 12, 34,
		    "filter \"udp port\": can't parse filter expression: syntax error");
	check_error(HOSTS "steps:\n  - expect: {at: a:eth0, filter: \"ip and not ip\"}\n", 12, 34,
		    "expression rejects all packets");
	check_error(HOSTS "steps:\n  - expect: {conntrack: a, filter: udp}\n", 12, 36,
		    "filter applies to packets (at), not to conntrack events");
	check_error(HOSTS "capture:\n  - {filter: udp}\n", 12, 5, "missing \"at\"");
	check_error(HOSTS "capture:\n  - {at: a:eth0, filter: \"tcp port x\"}\n", 12, 26,
		    "filter \"tcp port x\"");
	check_error(HOSTS "steps:\n  - replay: {at: a:eth0}\n", 12, 13, "missing \"pcap\"");
	check_error(HOSTS "steps:\n  - replay: {pcap: nosuch.pcap, at: a:eth0}\n", 12, 20,
		    "cannot open capture file \"nosuch.pcap\"");
	check_error(HOSTS "steps:\n  - replay: {pcap: /etc/hostname, at: a:eth0}\n", 12, 20,
		    "leads out of the lab's directory");
	check_error(HOSTS "steps:\n  - replay: {pcap: x.pcap, at: a:eth0, pace: slow}\n", 12, 46,
		    "expected original, fast or a rate");
	check_error(HOSTS "steps:\n  - replay: {pcap: x.pcap, at: a:eth0, map: {192.0.2.9: "
			  "\"2001:db8::9\"}}\n",
		    12, 57, "192.0.2.9 is mapped to an address of the other family");
}

static void test_registry_steps_net(void **state)
{
	(void)state;
	assert_true(loads(
		HOSTS
		"steps:\n"
		"  - iptables: {node: a, rules: \"*filter\\nCOMMIT\\n\"}\n"
		"  - ip6tables: {node: b, rules: \"*filter\\nCOMMIT\\n\", flush: true}\n"
		"  - addr: {at: a:eth0, add: 198.51.100.1/24}\n"
		"  - addr: {at: b:eth0, del: \"2001:db8::2/64\"}\n"
		"  - route: {node: a, add: default via 192.0.2.2}\n"
		"  - route: {node: a, del: 10.0.0.0/8 dev eth0}\n"
		"  - route: {node: b, add: {to: \"2001:db8:9::/64\", via: \"2001:db8::1\"}}\n"));
	check_error(HOSTS "steps:\n  - iptables: {node: a}\n", 12, 15, "missing \"rules\"");
	check_error(HOSTS "steps:\n  - ip6tables: {node: z, rules: x}\n", 12, 23,
		    "unknown node \"z\"");
	check_error(HOSTS "steps:\n  - iptables: {node: a, rules: x, noflush: true}\n", 12, 35,
		    "unknown key \"noflush\" in iptables step");
	check_error(HOSTS "steps:\n  - iptables: {node: a, rules: x, flush: maybe}\n", 12, 42,
		    "true or false");
	check_error(HOSTS "steps:\n  - addr: {at: a:eth0}\n", 12, 11, "one of \"add\" or \"del\"");
	check_error(HOSTS "steps:\n  - addr: {at: a:eth9, add: 192.0.2.9/24}\n", 12, 16, "");
	check_error(HOSTS "steps:\n  - addr: {at: a:eth0, add: 192.0.2.9}\n", 12, 29,
		    "expected an address with prefix length");
	check_error(HOSTS "steps:\n  - addr: {add: 192.0.2.9/24}\n", 12, 11, "missing \"at\"");
	check_error(HOSTS "steps:\n  - route: {node: a, add: x, del: y}\n", 12, 12,
		    "one of \"add\" or \"del\"");
	check_error(HOSTS "steps:\n  - route: {node: a, add: default via}\n", 12, 27,
		    "expected a route");
	check_error(HOSTS "steps:\n  - route: {node: a, del: 10.0.0.0/8 dev eth9}\n", 12, 27,
		    "route via device \"eth9\": node a has no such interface");
}

static void test_flagship_loads(void **state)
{
	const char *src = getenv("NFLAB_SOURCE_DIR");
	struct diag d = DIAG_INIT;
	struct lab *lab;
	char path[1024];
	int fw;

	(void)state;
	snprintf(path, sizeof(path), "%s/labs/nat/icmp-error-related.yaml", src ? src : ".");
	lab = lab_load(path, NULL, &d);
	if (!lab)
		diag_print(&d, stderr);
	assert_non_null(lab);
	assert_string_equal(lab->topology, "dmz-firewall");
	assert_int_equal(lab->n_nodes, 4);
	assert_int_equal(lab->n_links, 3);
	fw = lab_node_find(lab, "fw");
	assert_true(fw >= 0);
	assert_true(lab->nodes[fw].router);
	assert_non_null(lab->nodes[fw].nft.text);
	/* The nft text starts on the line after "nft: |", at its indentation. */
	assert_int_equal(lab->nodes[fw].nft.loc.line, 22);
	assert_int_equal(lab->nodes[fw].nft.loc.col, 7);
	lab_free(lab);
}

static void test_send(void **state)
{
	struct diag d = DIAG_INIT;
	struct lab *lab;
	const struct step_send *snd;

	(void)state;
	check_error(HOSTS "steps:\n  - send: {ip: {dst: 192.0.2.2}}\n", 12, 11,
		    "send needs \"from\"");
	check_error(HOSTS "steps:\n  - send: {from: a, udp: {dport: 1}}\n", 12, 26,
		    "udp needs an IP header");
	check_error(HOSTS "steps:\n  - send: {from: a, ip: {dst: 192.0.2.2}, icmp6: {type: 128}}\n",
		    12, 50, "icmp6 goes with ip6");
	check_error(HOSTS
		    "steps:\n  - send: {from: a, ip: {dst: 192.0.2.2}, udp: {}, sweep: {sport: "
		    "9-1}}\n",
		    12, 67, "expected a range of numbers");
	check_error(HOSTS "steps:\n  - send: {from: a, ip: {dst: 192.0.2.2}, fragment: 1}\n", 12,
		    53, "expected a number of fragments");
	check_error(HOSTS "steps:\n  - send: {from: a, eth: {dst: 02:00:00:00:00:01}, ip: {dst: "
			  "192.0.2.2}}\n",
		    12, 26, "eth needs a frame");
	check_error(HOSTS "steps:\n  - send: {from: a:eth0, ip: {dst: 2001:db8::2}}\n", 12, 36,
		    "expected an IPv4 address");
	lab = load(HOSTS
		   "steps:\n"
		   "  - send:\n"
		   "      from: a:eth0\n"
		   "      ip: {src: 192.0.2.1, dst: 192.0.2.2, ttl: 3}\n"
		   "      icmp: {type: destination-unreachable, code: port-unreachable, quote: "
		   "{ip: {src: 192.0.2.2, dst: 198.51.100.1}, udp: {sport: 1, dport: 2}}}\n"
		   "      count: 5\n",
		   &d);
	assert_non_null(lab);
	snd = &lab->steps[0].send;
	assert_true(snd->l2);
	assert_int_equal(snd->c.ip.ttl, 3);
	assert_int_equal(snd->c.l4.type, 3);
	assert_int_equal(snd->c.l4.code, 3);
	assert_int_equal(snd->quote, QUOTE_INLINE);
	assert_int_equal(snd->quote_len, 28); /* 20 bytes of IPv4, 8 of UDP */
	assert_int_equal(snd->count, 5);
	lab_free(lab);
}

/* run, service and stop steps, and the lab keys their programs use. */
static void test_programs(void **state)
{
	struct diag d = DIAG_INIT;
	struct lab *lab;

	(void)state;
	lab = load(HOSTS
		   "env: {SIZE: 10M}\n"
		   "hosts: {www.example.test: [203.0.113.80, '2001:db8::80']}\n"
		   "capture: [a:eth0]\n"
		   "steps:\n"
		   "  - run: {node: a, cmd: 'echo hi', stdout: [hi, {match: '^h'}, {absent: x}]}\n"
		   "  - name: web\n"
		   "    service: {node: b, cmd: [sleep, '10'], ready: {tcp: 80}, grace: 1s}\n"
		   "  - run: {node: a, cmd: 'exit 3', exit: 3, within: 2s}\n"
		   "  - stop: web\n",
		   &d);
	if (!lab)
		print_error("%s\n", d.msg);
	assert_non_null(lab);
	assert_int_equal(lab->n_env, 1);
	assert_string_equal(lab->env[0], "SIZE=10M");
	assert_int_equal(lab->n_hosts, 2);
	assert_string_equal(lab->hosts[1], "2001:db8::80 www.example.test");
	assert_int_equal(lab->n_capture, 1);
	assert_int_equal(lab->steps[0].kind, STEP_RUN);
	assert_string_equal(lab->steps[0].prog.argv[0], "/bin/sh");
	assert_string_equal(lab->steps[0].prog.argv[2], "echo hi");
	assert_int_equal(lab->steps[0].prog.n_checks, 3);
	assert_true(lab->steps[0].prog.checks[1].regex);
	assert_true(lab->steps[0].prog.checks[2].absent);
	assert_int_equal(lab->steps[1].prog.ready, READY_TCP);
	assert_string_equal(lab->steps[1].prog.text, "sleep 10");
	assert_int_equal(lab->steps[2].prog.exit_code, 3);
	assert_int_equal(lab->steps[3].prog.target, 1);
	lab_free(lab);

	check_error(HOSTS "steps:\n  - run: {node: a}\n", 12, 10, "missing \"cmd\"");
	check_error(HOSTS "steps:\n  - run: {node: c, cmd: x}\n", 12, 17, "unknown node \"c\"");
	check_error(HOSTS "steps:\n  - run: {node: a, cmd: x, exit: 300}\n", 12, 34,
		    "an exit status");
	check_error(HOSTS "steps:\n  - run: {node: a, cmd: x, stdout: {match: '('}}\n", 12, 44,
		    "bad regular expression");
	check_error(HOSTS "steps:\n  - run: {node: a, cmd: x, stdout: {like: y}}\n", 12, 37,
		    "like");
	check_error(HOSTS "steps:\n  - service: {node: a, cmd: x}\n", 12, 14,
		    "a service step needs a \"name\"");
	check_error(HOSTS "steps:\n  - name: s\n    service: {node: a, cmd: x, ready: {tcp: 0}}\n",
		    13, 45, "a port");
	check_error(HOSTS "steps:\n  - name: s\n    service: {node: a, cmd: x, ready: {}}\n", 13,
		    39, "exactly one of tcp, udp, file, output");
	check_error(HOSTS "steps:\n  - run: {node: a, cmd: x}\n  - stop: nothing\n", 13, 11,
		    "no earlier step is named \"nothing\"");
	check_error(HOSTS "steps:\n  - name: r\n    run: {node: a, cmd: x}\n  - stop: r\n", 14, 11,
		    "is not a service step");
	check_error(HOSTS "steps:\n  - name: s\n    service: {node: a, cmd: x}\n"
			  "  - stop: {stdout: y}\n",
		    14, 11, "stop needs \"service\"");
	check_error(HOSTS "steps:\n  - name: s\n    service: {node: a, cmd: x}\n"
			  "  - stop: {service: s, exit: x}\n",
		    14, 30, "an exit status");
	check_error(HOSTS "steps:\n  - send: {from: a, ip: {dst: 192.0.2.2}, tcp: {seq: \"+1\"}}\n",
		    12, 48, "needs from: node:iface");
	check_error(HOSTS
		    "steps:\n  - send: {from: a:eth0, ip: {dst: 192.0.2.2}, tcp: {seq: \"+x\"}}\n",
		    12, 59, "expected +N");
	check_error(HOSTS "env: {1X: y}\n", 11, 7, "expected a variable name");
	check_error(HOSTS "hosts: {www: 300.1.1.1}\n", 11, 14, "address");
	check_error(HOSTS "capture: [a:eth9]\n", 11, 11, "");
}

/* Hostile files (issue 19): each limit its own error, at the place it is crossed. */
static void test_limits(void **state)
{
	char *text, *p;
	size_t i;

	(void)state;
	/* Nesting: stopped while parsing, at the bracket past the limit. */
	text = xzalloc(200);
	strcpy(text, "name: t\nnodes: ");
	memset(text + strlen(text), '[', 100);
	check_error(text, 2, 71, "nested more than 64 deep"); /* the top mapping is one level */
	free(text);
	check_error("name: t\nsteps: &s [*s]\n", 2, 8, "an alias to the list or mapping");
	/* 60 levels, then an alias to them 4 levels down: 65 once expanded. */
	text = xzalloc(300);
	p = text + sprintf(text, "name: t\nv: &a ");
	memset(p, '[', 60);
	p[60] = '1';
	memset(p + 61, ']', 60);
	strcat(text, "\nw: [[[[*a]]]]\n");
	check_error(text, 3, 4, "to more than 64 levels of nesting");
	free(text);
	check_error("name: t\na: &a [x, x, x, x, x, x, x, x, x, x]\n"
		    "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
		    "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
		    "d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
		    "e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\n",
		    6, 4, "more than 100000 values");
	/* 1025 nodes: the 1025th is refused. */
	text = xzalloc(1025 * 40 + 64);
	p = text + sprintf(text, "name: t\nnodes:\n");
	for (i = 0; i < 1025; i++)
		p += sprintf(p, "  n%zu:\n", i);
	check_error(text, 1027, 3, "more than 1024 nodes");
	free(text);
	/* Names and paths from the lab. */
	check_error("name: ../x\n", 1, 7, "expected a lab name");
	check_error("name: \"a\\e[2Kb\"\n", 1, 7, "got \"a\\x1b[2Kb\"");
	check_error("name: .hidden\n", 1, 7, "expected a lab name");
	check_error("name: t\nrequires: [/etc/shadow]\n", 2, 12, "a program name (no '/')");
	check_error(HOSTS "keep: [../etc/passwd]\n", 11, 8, "a file in the lab's /tmp");
	check_error(HOSTS "keep: [logs/.]\n", 11, 8, "a file in the lab's /tmp");
	check_error(HOSTS "steps:\n  - name: s\n    service: {node: a, cmd: x, ready: {file: /etc/passwd}}\n",
		    13, 46, "a file in the lab's /tmp");
	assert_true(loads(HOSTS "steps:\n  - name: s\n    service: {node: a, cmd: x, ready: {file: /tmp/run/s.pid}}\n"));
}

/* Rulesets never read the host's files: nft include and iptables --modprobe refused. */
static void test_ruleset_host_files(void **state)
{
	(void)state;
	check_error("name: t\nnodes:\n  a:\n    nft: |\n      # include \"x\"\n"
		    "      table ip t { comment \"include\"; }\n      include \"/etc/passwd\"\n",
		    7, 7, "nft \"include\": a lab's ruleset cannot read files");
	check_error("name: t\nnodes:\n  a:\n    nft: \"table ip t {}; INCLUDE \\\"passwd\\\"\"\n",
		    4, 26, "nft \"include\"");
	assert_true(loads(HOSTS "steps:\n  - nft: {node: a, ruleset: \"table ip include_me {}\"}\n"));
	check_error(HOSTS "steps:\n  - nft: {node: a, ruleset: \"include \\\"/dev/zero\\\"\"}\n", 12, 30,
		    "nft \"include\"");
	check_error("name: t\nnodes:\n  a:\n    iptables: |\n      *filter\n"
		    "      -A INPUT -vM /tmp/x -j ACCEPT\n      COMMIT\n",
		    6, 16, "-M (--modprobe) runs a program of the host");
	check_error("name: t\nnodes:\n  a:\n    iptables: |\n      *filter\n"
		    "      -A INPUT -m bpf --object-pinned /sys/fs/bpf/p -j ACCEPT\n      COMMIT\n",
		    6, 23, "--object-pinned opens a file of the host");
	assert_true(loads(HOSTS "steps:\n  - iptables: {node: a, rules: \"*filter\\n-A INPUT -m statistic --mode random --probability 0.5 -j MARK --set-mark 1\\nCOMMIT\\n\"}\n"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good_lab),       cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_yaml_syntax),    cmocka_unit_test(test_empty_and_shape),
		cmocka_unit_test(test_unknown_key),    cmocka_unit_test(test_duplicates),
		cmocka_unit_test(test_wrong_types),    cmocka_unit_test(test_link_offloads),
		cmocka_unit_test(test_bad_addresses),  cmocka_unit_test(test_routes),
		cmocka_unit_test(test_references),     cmocka_unit_test(test_steps),
		cmocka_unit_test(test_send),	       cmocka_unit_test(test_flagship_loads),
		cmocka_unit_test(test_programs),       cmocka_unit_test(test_second_document),
		cmocka_unit_test(test_vacuous),	       cmocka_unit_test(test_probe_keys),
		cmocka_unit_test(test_registry_steps), cmocka_unit_test(test_registry_steps_net),
		cmocka_unit_test(test_policy_routing), cmocka_unit_test(test_filters),
		cmocka_unit_test(test_merge_keys),     cmocka_unit_test(test_relations),
		cmocka_unit_test(test_optional_sysctl), cmocka_unit_test(test_limits),
		cmocka_unit_test(test_ruleset_host_files),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
