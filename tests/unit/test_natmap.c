// SPDX-License-Identifier: GPL-2.0-or-later
/* NAT mappings and rule comments read from ruleset text, as nflab draw shows them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "rules/natmap.h"

static void test_nft(void **state)
{
	static const char text[] =
		"table ip nat {\n"
		"  chain pre {\n"
		"    type nat hook prerouting priority dstnat; policy accept;\n"
		"    ip daddr 203.0.113.10 tcp dport 80 dnat to 192.168.1.10:8080 comment "
		"\"publish\"\n"
		"    iifname \"eth0\" tcp dport 80 redirect to :3128\n"
		"    ip daddr 203.0.113.1 tcp dport { 80, 8080 } dnat ip to 192.168.1.20\n"
		"  }\n"
		"  chain post {\n"
		"    type nat hook postrouting priority srcnat; policy accept;\n"
		"    oifname \"eth0\" ct status dnat masquerade comment \"hairpin\"\n"
		"    ip saddr 192.168.1.0/24 oif eth1 snat to 198.51.100.7\n"
		"    oifname eth1 masquerade\n"
		"  }\n"
		"}\n"
		"table inet filter {\n"
		"  chain forward {\n"
		"    type filter hook forward priority 0; policy drop;\n"
		"    ct status dnat accept comment \"published; ok\"\n"
		"    tcp dport 23 drop\n"
		"  }\n"
		"}\n";
	static const char *const want[] = {
		"dnat 203.0.113.10:80 -> 192.168.1.10:8080 \"publish\"",
		"redirect in eth0 :80 -> :3128",
		"dnat 203.0.113.1 port { 80, 8080 } -> 192.168.1.20",
		"masquerade out eth0 \"hairpin\"",
		"snat from 192.168.1.0/24 out eth1 -> 198.51.100.7",
		"masquerade out eth1",
		"\"published; ok\"",
	};
	struct natmap m = {0};
	size_t i;

	(void)state;
	natmap_parse_nft(text, &m);
	for (i = 0; i < m.n && i < sizeof(want) / sizeof(want[0]); i++)
		assert_string_equal(m.line[i], want[i]);
	assert_int_equal(m.n, sizeof(want) / sizeof(want[0]));
	natmap_release(&m);
}

static void test_iptables(void **state)
{
	static const char text[] =
		"*nat\n"
		":PREROUTING ACCEPT [0:0]\n"
		"-A PREROUTING -i eth0 -d 203.0.113.10/32 -p udp --dport 53 -m comment --comment "
		"dnat-dns -j DNAT --to-destination 192.168.1.10:5353\n"
		"-A POSTROUTING -o eth1 -j MASQUERADE\n"
		"-A POSTROUTING ! -d 10.0.0.0/8 -o eth1 -j SNAT --to-source 203.0.113.1\n"
		"-A PREROUTING -p tcp --dport 80 -j REDIRECT --to-ports 3128\n"
		"COMMIT\n"
		"*filter\n"
		"-A FORWARD -m comment --comment \"allow dns\" -j ACCEPT\n"
		"-A FORWARD -j DROP\n"
		"COMMIT\n";
	static const char *const want[] = {
		"dnat in eth0 203.0.113.10/32:53 -> 192.168.1.10:5353 \"dnat-dns\"",
		"masquerade out eth1",
		"snat to-dst !10.0.0.0/8 out eth1 -> 203.0.113.1",
		"redirect :80 -> :3128",
		"\"allow dns\"",
	};
	struct natmap m = {0};
	size_t i;

	(void)state;
	natmap_parse_ipt(text, &m);
	for (i = 0; i < m.n && i < sizeof(want) / sizeof(want[0]); i++)
		assert_string_equal(m.line[i], want[i]);
	assert_int_equal(m.n, sizeof(want) / sizeof(want[0]));
	natmap_release(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nft),
		cmocka_unit_test(test_iptables),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
