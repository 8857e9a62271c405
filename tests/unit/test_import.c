// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nflab import's readers and its neighbours, on the dumps of a real box
 * (tests/import/box/: nft ruleset with DNAT and masquerade, interfaces wan,
 * lan, dmz, a policy rule, a default route, a capture on wan), on dumps made
 * wrong on purpose, and the lab it writes, loaded back.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "import/box.h"
#include "import/capture_scan.h"
#include "import/import.h"
#include "import/neighbours.h"
#include "lab/lab.h"

static char fixture_path[1024];

static const char *fixture(const char *name)
{
	const char *src = getenv("NFLAB_SOURCE_DIR");

	snprintf(fixture_path, sizeof(fixture_path), "%s/tests/import/box/%s", src ? src : ".",
		 name);
	return fixture_path;
}

/* text into a file of its own; returns its path (static). */
static const char *scratch(const char *text)
{
	static char path[64];
	FILE *f;

	snprintf(path, sizeof(path), "/tmp/nflab-test-import-%d.json", (int)getpid());
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	return path;
}

static const char *fmt(const struct ipaddr *a)
{
	static char buf[IPADDR_STRLEN];

	return ipaddr_fmt(a, buf);
}

static void read_box(struct box *b)
{
	struct diag d = DIAG_INIT;

	assert_int_equal(box_read_ruleset(b, BOX_RULESET_NFT, false, fixture("ruleset.nft"), &d), 0);
	assert_int_equal(box_read_addr(b, fixture("addr.json"), &d), 0);
	assert_int_equal(box_read_route(b, fixture("route.json"), &d), 0);
	assert_int_equal(box_read_rule(b, fixture("rule.json"), &d), 0);
}

static void test_addr(void **state)
{
	struct box b = BOX_INIT;
	struct box_iface *wan, *dmz, *lo;

	(void)state;
	read_box(&b);
	assert_int_equal(b.n_ifaces, 4);
	wan = box_iface_find(&b, "wan");
	dmz = box_iface_find(&b, "dmz");
	lo = box_iface_find(&b, "lo");
	assert_non_null(wan);
	assert_non_null(dmz);
	assert_non_null(lo);
	assert_int_equal(wan->n_addrs, 3); /* 203.0.113.2/24, 203.0.113.10/24, fe80::... */
	assert_string_equal(fmt(&wan->addrs[1].a), "203.0.113.10");
	assert_int_equal(wan->addrs[1].plen, 24);
	assert_null(wan->addrs[1].why);
	assert_non_null(strstr(wan->addrs[2].why, "link-local"));
	assert_true(wan->has_mac);
	assert_int_equal(wan->mac[0], 0xce);
	assert_int_equal(dmz->mtu, 1400);
	assert_non_null(strstr(lo->addrs[0].why, "loopback"));
	assert_true(box_iface_imported(wan));
	assert_false(box_iface_imported(lo));
	box_release(&b);
}

static void test_route_rule(void **state)
{
	struct box b = BOX_INIT;
	size_t i, n = 0;

	(void)state;
	read_box(&b);
	/* kernel-made routes (connected, local table, fe80::/64, multicast) are not the box's own */
	for (i = 0; i < b.n_routes; i++)
		n += !b.routes[i].skip;
	assert_int_equal(n, 5);
	assert_true(b.routes[0].is_default);
	assert_int_equal(b.routes[0].table, 100);
	assert_string_equal(fmt(&b.routes[0].via), "203.0.113.1");
	assert_string_equal(b.routes[0].dev, "wan");
	assert_int_equal(b.routes[4].family, AF_INET6);
	assert_string_equal(fmt(&b.routes[4].via), "2001:db8:1::fe");
	/* the kernel's three default rules are left out, the box's own kept */
	assert_int_equal(b.n_rules, 1);
	assert_int_equal(b.rules[0].priority, 100);
	assert_string_equal(b.rules[0].from, "192.168.1.0/24");
	assert_null(b.rules[0].to);
	assert_int_equal(b.rules[0].table, 100);
	box_release(&b);
}

static void test_unsupported(void **state)
{
	struct box b = BOX_INIT;
	struct diag d = DIAG_INIT;

	(void)state;
	assert_int_equal(box_read_route(&b,
					scratch("[{\"type\":\"blackhole\",\"dst\":\"10.66.0.0/16\","
						"\"flags\":[]},{\"dst\":\"10.7.0.0/16\",\"flags\":[],"
						"\"nexthops\":[{\"gateway\":\"10.0.1.254\",\"dev\":"
						"\"lan\"}]},{\"dst\":\"default\",\"gateway\":"
						"\"10.0.1.254\",\"dev\":\"lan\",\"table\":\"isp2\"}]"),
					&d),
			 0);
	assert_int_equal(b.n_routes, 3);
	assert_non_null(strstr(b.routes[0].skip, "blackhole"));
	assert_non_null(strstr(b.routes[1].skip, "multipath"));
	assert_null(b.routes[2].skip);
	assert_int_equal(b.routes[2].table, 10000); /* a named table gets a number, and a note */
	assert_non_null(strstr(b.notes[0], "\"isp2\""));
	assert_int_equal(box_read_rule(&b,
				       scratch("[{\"priority\":2001,\"not\":null,\"src\":\"10.0.0.0\","
					       "\"srclen\":8,\"table\":\"301\"},{\"priority\":2002,"
					       "\"src\":\"10.0.5.0\",\"srclen\":24,\"action\":"
					       "\"unreachable\"},{\"priority\":1000,\"src\":\"all\","
					       "\"fwmark\":\"0x1\",\"fwmask\":\"0xff\",\"iif\":\"lan\","
					       "\"table\":\"isp2\"}]"),
				       &d),
			 0);
	assert_int_equal(box_read_rule(&b,
				       scratch("[{\"priority\":0,\"src\":\"all\",\"table\":\"local\","
					       "\"protocol\":\"kernel\"},{\"priority\":10,\"src\":"
					       "\"10.0.0.0\",\"srclen\":8,\"table\":\"5\",\"protocol\":"
					       "\"unspec\"}]"),
				       &d),
			 0); /* ip -d -j rule: the kernel's rule still left out, "protocol" ignored */
	assert_int_equal(b.n_rules, 4);
	assert_null(b.rules[3].skip);
	assert_string_equal(b.rules[3].from, "10.0.0.0/8");
	assert_non_null(strstr(b.rules[0].skip, "\"not\""));
	assert_non_null(strstr(b.rules[1].skip, "\"action\""));
	assert_null(b.rules[2].skip);
	assert_string_equal(b.rules[2].fwmark, "0x1/0xff");
	assert_int_equal(b.rules[2].table, 10000);
	assert_int_equal(box_table_id(&b, "main"), 254);
	assert_int_equal(box_table_id(&b, "local"), 0);
	assert_int_equal(box_table_id(&b, "0"), -1);
	unlink(scratch(""));
	box_release(&b);
}

/* A dump made wrong: exit 2 material, with the file and the place. */
static void check_bad(int (*reader)(struct box *, const char *, struct diag *), const char *text,
		      int line, int col, const char *msg)
{
	struct box b = BOX_INIT;
	struct diag d = DIAG_INIT;
	const char *path = scratch(text);

	assert_int_equal(reader(&b, path, &d), -1);
	if (!strstr(d.msg, msg) || d.loc.line != line || d.loc.col != col)
		fail_msg("got %s:%d:%d: %s; expected %d:%d: ...%s...", d.loc.file, d.loc.line,
			 d.loc.col, d.msg, line, col, msg);
	if (line)
		assert_string_equal(d.loc.file, path);
	unlink(path);
	box_release(&b);
}

static void test_bad_json(void **state)
{
	(void)state;
	check_bad(box_read_addr, "[{\"ifname\": \"wan\",\n  \"addr_info\": [}]", 2, 17,
		  "unexpected token near '}'");
	check_bad(box_read_route, "[{\"dst\": \"default\"}]\n[{\"dst\": x}]", 2, 10,
		  "invalid token near 'x'");
	check_bad(box_read_rule, "\n  {\"priority\": 1}", 2, 3, "expected a JSON array");
	check_bad(box_read_addr, "", 0, 0, "empty");
	check_bad(box_read_addr, "[{\"dst\": \"default\"}]", 0, 0, "has no \"ifname\"");
	check_bad(box_read_addr, "[{\"ifname\": \"eth0\", \"mtu\": 1500}]", 0, 0,
		  "not ip -j link");
	check_bad(box_read_addr,
		  "[{\"ifname\":\"eth0\",\"addr_info\":[{\"family\":\"inet\",\"local\":"
		  "\"10.0.0.300\",\"prefixlen\":24}]}]",
		  0, 0, "expected \"local\": an IPv4 address, got \"10.0.0.300\"");
	check_bad(box_read_route, "[{\"dst\":\"10.0.0.0/8\",\"gateway\":\"2001:db8::1\"}]", 0, 0,
		  "expected \"gateway\": an IPv4 address");
	check_bad(box_read_rule, "[{\"src\":\"all\",\"table\":\"main\"}]", 0, 0,
		  "has no \"priority\"");
}

static void test_bad_ruleset(void **state)
{
	struct box b = BOX_INIT;
	struct diag d = DIAG_INIT;

	(void)state;
	assert_int_equal(box_read_ruleset(&b, BOX_RULESET_IPTABLES, false, fixture("ruleset.nft"),
					  &d),
			 -1);
	assert_non_null(strstr(d.msg, "nft ruleset text; give it with --nft"));
	diag_clear(&d);
	assert_int_equal(box_read_ruleset(&b, BOX_RULESET_NFT, false, fixture("addr.json"), &d), -1);
	assert_non_null(strstr(d.msg, "nft JSON"));
	diag_clear(&d);
	assert_int_equal(box_read_ruleset(&b, BOX_RULESET_IPTABLES, false,
					  scratch("*filter\n:INPUT ACCEPT [0:0]\n"), &d),
			 -1);
	assert_non_null(strstr(d.msg, "line 1 starts a table, but no COMMIT"));
	diag_clear(&d);
	assert_int_equal(box_read_ruleset(&b, BOX_RULESET_NFT, false,
					  scratch("table ip x {\n\x1b[0m}\n"), &d),
			 -1);
	assert_non_null(strstr(d.msg, "line 2 holds the control character U+001B"));
	diag_clear(&d);
	/* CR LF line ends become LF, and a note says so */
	assert_int_equal(box_read_ruleset(&b, BOX_RULESET_NFT, false,
					  scratch("table ip x {\r\n}\r\n"), &d),
			 0);
	assert_string_equal(b.nft, "table ip x {\n}\n");
	assert_non_null(strstr(b.notes[b.n_notes - 1], "2 CR LF line ends are LF"));
	assert_int_equal(box_read_sysctl(&b, fixture("sysctl.txt"), &d), 0);
	assert_int_equal(b.ip_forward, 1);
	assert_int_equal(b.ip6_forward, 0);
	unlink(scratch(""));
	box_release(&b);
}

static const struct neighbour *nb_find(const struct neighbours *nbs, const char *name)
{
	size_t i;

	for (i = 0; i < nbs->n; i++)
		if (!strcmp(nbs->v[i].name, name))
			return &nbs->v[i];
	fail_msg("no neighbour %s", name);
	return NULL;
}

static bool nb_has_route(const struct neighbour *nb, const char *route)
{
	size_t i;

	for (i = 0; i < nb->n_routes; i++)
		if (!strcmp(nb->routes[i], route))
			return true;
	return false;
}

static void test_neighbours(void **state)
{
	struct box b = BOX_INIT;
	struct neighbours nbs;
	const struct neighbour *wan, *lan, *dmz;

	(void)state;
	read_box(&b);
	neighbours_build(&b, "fw", &nbs);
	assert_int_equal(nbs.n, 3);
	wan = nb_find(&nbs, "wan");
	lan = nb_find(&nbs, "lan");
	dmz = nb_find(&nbs, "dmz");
	/* the gateway of the default route, and routes back to fw's other subnets */
	assert_int_equal(wan->n_addrs, 1);
	assert_string_equal(fmt(&wan->addrs[0].a), "203.0.113.1");
	assert_int_equal(wan->addrs[0].plen, 24);
	assert_true(nb_has_route(wan, "10.0.1.0/24 via 203.0.113.2"));
	assert_true(nb_has_route(wan, "192.168.1.0/24 via 203.0.113.2"));
	assert_true(nb_has_route(wan, "10.9.0.0/16 via 203.0.113.2"));
	assert_false(nb_has_route(wan, "default via 203.0.113.2"));
	/* a next hop (10.9.0.0/16 via 10.0.1.254) and the IPv6 gateway */
	assert_int_equal(lan->n_addrs, 2);
	assert_string_equal(fmt(&lan->addrs[0].a), "10.0.1.254");
	assert_string_equal(fmt(&lan->addrs[1].a), "2001:db8:1::fe");
	assert_true(nb_has_route(lan, "default via 10.0.1.1"));
	/* the DNAT target the ruleset names, and a default route through fw */
	assert_int_equal(dmz->n_addrs, 1);
	assert_string_equal(fmt(&dmz->addrs[0].a), "192.168.1.10");
	assert_non_null(strstr(dmz->addrs[0].why, "ruleset"));
	assert_true(nb_has_route(dmz, "default via 192.168.1.1"));
	neighbours_release(&nbs);
	box_release(&b);
}

/* A DNATed address the provider routes to the box, and a server behind a router of the LAN. */
static void test_published(void **state)
{
	struct box b = BOX_INIT;
	struct diag d = DIAG_INIT;
	struct neighbours nbs;
	const struct neighbour *lan;

	(void)state;
	assert_int_equal(box_read_addr(&b, fixture("addr.json"), &d), 0);
	assert_int_equal(box_read_route(&b, fixture("route.json"), &d), 0);
	assert_int_equal(box_read_ruleset(&b, BOX_RULESET_IPTABLES, false,
					  scratch("*nat\n-A PREROUTING -d 198.51.100.77/32 -i wan -p "
						  "tcp -j DNAT --to-destination 10.9.0.5:8080\n"
						  "-A FORWARD -d 192.168.1.20/32 -m conntrack --ctstate "
						  "DNAT -j ACCEPT\nCOMMIT\n"),
					  &d),
			 0);
	neighbours_build(&b, "fw", &nbs);
	assert_true(nb_has_route(nb_find(&nbs, "wan"), "198.51.100.77 via 203.0.113.2"));
	lan = nb_find(&nbs, "lan");
	assert_int_equal(lan->n_addrs, 3);
	assert_string_equal(fmt(&lan->addrs[2].a), "10.9.0.5"); /* behind 10.0.1.254: on lo */
	assert_int_equal(lan->addrs[2].plen, 32);
	assert_true(lan->addrs[2].on_lo);
	assert_false(lan->addrs[0].on_lo);
	/* "--ctstate DNAT" is no DNAT statement: 192.168.1.20 is a host of the DMZ */
	assert_string_equal(fmt(&nb_find(&nbs, "dmz")->addrs[0].a), "192.168.1.20");
	neighbours_release(&nbs);
	unlink(scratch(""));
	box_release(&b);
}

static void test_first_free_and_names(void **state)
{
	struct box b = BOX_INIT;
	struct diag d = DIAG_INIT;
	struct neighbours nbs;

	(void)state;
	assert_int_equal(box_read_addr(&b,
				       scratch("[{\"ifname\":\"fw\",\"addr_info\":[{\"family\":"
					       "\"inet\",\"local\":\"10.0.0.1\",\"prefixlen\":30}]},"
					       "{\"ifname\":\"br-lan\",\"addr_info\":[{\"family\":"
					       "\"inet6\",\"local\":\"2001:db8::\",\"prefixlen\":127}"
					       "]}]"),
				       &d),
			 0);
	/* ip -j -4 addr; ip -j -6 addr in one file, as older iproute2 writes them ({} when none) */
	assert_int_equal(box_read_addr(&b,
				       scratch("[{},{\"ifname\":\"fw\",\"mtu\":1400,\"addr_info\":[]}]\n"
					       "[{\"ifname\":\"fw\",\"addr_info\":[{\"family\":"
					       "\"inet6\",\"local\":\"fe80::1\",\"prefixlen\":64}]}]"),
				       &d),
			 0);
	assert_int_equal(b.n_ifaces, 2);
	assert_int_equal(b.ifaces[0].n_addrs, 2);
	assert_int_equal(b.ifaces[0].mtu, 1400);
	neighbours_build(&b, "fw", &nbs);
	assert_int_equal(nbs.n, 2);
	assert_string_equal(nbs.v[0].name, "fw-net"); /* never the box's own name */
	assert_string_equal(fmt(&nbs.v[0].addrs[0].a), "10.0.0.2");
	assert_string_equal(nbs.v[1].name, "br-lan");
	assert_string_equal(fmt(&nbs.v[1].addrs[0].a), "2001:db8::1"); /* /127: both ends */
	assert_true(nb_has_route(&nbs.v[0], "default via 10.0.0.1"));
	neighbours_release(&nbs);
	unlink(scratch(""));
	box_release(&b);
}

static void test_capture(void **state)
{
	struct capture c;
	struct diag d = DIAG_INIT;
	FILE *f;
	const char *path;

	(void)state;
	assert_int_equal(capture_read(fixture("customer.pcapng"), &c, NULL, NULL, &d), 0);
	assert_true(c.pcapng);
	assert_int_equal(c.n_ifaces, 1);
	assert_string_equal(c.ifaces[0].name, "wan");
	assert_int_equal(c.ifaces[0].linktype, 1);
	assert_int_equal(c.ifaces[0].n_frames, 8);
	/* the same file cut in its third block: an error naming where */
	path = scratch("");
	f = fopen(path, "w");
	fwrite(c.data, 1, c.len - 40, f);
	fclose(f);
	capture_release(&c);
	assert_int_equal(capture_read(path, &c, NULL, NULL, &d), -1);
	assert_non_null(strstr(d.msg, "past the end of the file"));
	capture_release(&c);
	diag_clear(&d);
	/* two interfaces in one file: the second one's frames, split into a capture of their own */
	assert_int_equal(capture_read(fixture("two-interfaces.pcapng"), &c, NULL, NULL, &d), 0);
	assert_int_equal(c.n_ifaces, 2);
	assert_string_equal(c.ifaces[1].name, "eth7");
	assert_int_equal(capture_split(&c, 1, path, &d), 0);
	capture_release(&c);
	assert_int_equal(capture_read(path, &c, NULL, NULL, &d), 0);
	assert_int_equal(c.n_ifaces, 1);
	assert_string_equal(c.ifaces[0].name, "eth7");
	assert_int_equal(c.ifaces[0].n_frames, 4);
	capture_release(&c);
	assert_int_equal(capture_read(fixture("addr.json"), &c, NULL, NULL, &d), -1);
	assert_non_null(strstr(d.msg, "not a pcap or pcapng capture"));
	capture_release(&c);
	unlink(path);
}

/* The whole import: the lab it writes loads as a lab, with the replay step left to its helper. */
static void test_lab_loads(void **state)
{
	char addr[1024], route[1024], rule[1024], nft[1024], out[64];
	const char *routes[] = {route};
	const char *rules[] = {rule};
	struct import_args a = {.nft = nft, .addr = addr, .routes = routes, .n_routes = 1,
				.rules = rules, .n_rules = 1, .node = "fw", .out = out,
				.made_by = "test"};
	struct diag d = DIAG_INIT;
	FILE *notes = fopen("/dev/null", "w");
	struct lab *lab;

	(void)state;
	snprintf(addr, sizeof(addr), "%s", fixture("addr.json"));
	snprintf(route, sizeof(route), "%s", fixture("route.json"));
	snprintf(rule, sizeof(rule), "%s", fixture("rule.json"));
	snprintf(nft, sizeof(nft), "%s", fixture("ruleset.nft"));
	snprintf(out, sizeof(out), "/tmp/nflab-test-import-%d.yaml", (int)getpid());
	if (import_box(&a, notes, &d))
		fail_msg("%s", d.msg);
	fclose(notes);
	lab = lab_load(out, NULL, &d);
	if (!lab)
		diag_print(&d, stderr);
	assert_non_null(lab);
	assert_int_equal(lab->n_nodes, 4);
	assert_int_equal(lab->n_links, 3);
	assert_int_equal(lab->n_steps, 0);
	assert_int_equal(lab->nodes[lab_node_find(lab, "fw")].n_rules, 1);
	lab_free(lab);
	unlink(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_addr),	    cmocka_unit_test(test_route_rule),
		cmocka_unit_test(test_unsupported), cmocka_unit_test(test_bad_json),
		cmocka_unit_test(test_bad_ruleset), cmocka_unit_test(test_neighbours),
		cmocka_unit_test(test_first_free_and_names), cmocka_unit_test(test_capture),
		cmocka_unit_test(test_published),
		cmocka_unit_test(test_lab_loads),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
