// SPDX-License-Identifier: GPL-2.0-or-later
/* Field predicates: parsing (with errors that say what was expected), matching and formatting. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>
#include <sys/socket.h>

#include "expect/field.h"
#include "observe/packet.h"

/* 203.0.113.10 > 198.51.100.10: ICMP port unreachable quoting udp 40000 > 9, and a TCP SYN|ACK. */
static void make_packets(struct pkt *icmp, struct pkt *tcp)
{
	memset(icmp, 0, sizeof(*icmp));
	icmp->outer.present = PKT_IP4 | PKT_ICMP4;
	ipaddr_parse("203.0.113.10", &icmp->outer.src, NULL);
	ipaddr_parse("198.51.100.10", &icmp->outer.dst, NULL);
	icmp->outer.proto = 1;
	icmp->outer.ttl = 63;
	icmp->outer.icmp_type = 3;
	icmp->outer.icmp_code = 3;
	icmp->has_inner = 1;
	icmp->inner.present = PKT_IP4 | PKT_PORTS | PKT_UDP;
	ipaddr_parse("198.51.100.10", &icmp->inner.src, NULL);
	ipaddr_parse("203.0.113.10", &icmp->inner.dst, NULL);
	icmp->inner.proto = 17;
	icmp->inner.sport = 40000;
	icmp->inner.dport = 9;
	memset(tcp, 0, sizeof(*tcp));
	tcp->outer.present = PKT_IP6 | PKT_TCP | PKT_PORTS;
	ipaddr_parse("2001:db8::1", &tcp->outer.src, NULL);
	ipaddr_parse("2001:db8::2", &tcp->outer.dst, NULL);
	tcp->outer.proto = 6;
	tcp->outer.sport = 80;
	tcp->outer.dport = 40000;
	tcp->outer.tcp_flags = 0x12;
}

static bool holds(const char *field, const char *cond, const struct pkt *p)
{
	const struct field_def *f = field_find(pkt_fields, field);
	struct pred pr;
	char err[256];

	assert_non_null(f);
	if (pred_parse(f, cond, &pr, err, sizeof(err))) {
		print_error("%s: %s: %s\n", field, cond, err);
		fail();
	}
	return pred_match(&pr, p);
}

static void test_equality_and_names(void **state)
{
	struct pkt icmp, tcp;

	(void)state;
	make_packets(&icmp, &tcp);
	assert_true(holds("ip.src", "203.0.113.10", &icmp));
	assert_false(holds("ip.src", "203.0.113.11", &icmp));
	assert_true(holds("icmp.type", "destination-unreachable", &icmp));
	assert_true(holds("icmp.type", "dest-unreachable", &icmp));
	assert_true(holds("icmp.type", "3", &icmp));
	assert_true(holds("icmp.type", "0x3", &icmp));
	assert_true(holds("icmp.code", "port-unreachable", &icmp));
	assert_false(holds("icmp.code", "host-unreachable", &icmp));
	assert_true(holds("ip.proto", "icmp", &icmp));
	assert_true(holds("inner.proto", "udp", &icmp));
	assert_true(holds("inner.ip.dst", "203.0.113.10", &icmp));
	assert_true(holds("inner.dport", "9", &icmp));
	assert_true(holds("proto", "tcp", &tcp));
	assert_true(holds("src", "2001:db8::1", &tcp));
	assert_true(holds("src", "203.0.113.10", &icmp));
}

static void test_operators(void **state)
{
	struct pkt icmp, tcp;

	(void)state;
	make_packets(&icmp, &tcp);
	assert_true(holds("ip.src", "203.0.113.0/24", &icmp));
	assert_false(holds("ip.src", "198.51.100.0/24", &icmp));
	assert_true(holds("ip6.src", "2001:db8::/32", &tcp));
	assert_true(holds("ip.src", "!203.0.113.1", &icmp));
	assert_false(holds("ip.src", "!203.0.113.0/24", &icmp));
	assert_true(holds("ip.ttl", "<64", &icmp));
	assert_true(holds("ip.ttl", "<=63", &icmp));
	assert_false(holds("ip.ttl", ">63", &icmp));
	assert_true(holds("ip.ttl", ">=63", &icmp));
	assert_true(holds("tcp.flags", "syn,ack", &tcp));
	assert_true(holds("tcp.flags", "ack|syn", &tcp));
	assert_false(holds("tcp.flags", "syn", &tcp));
	assert_true(holds("tcp.flags", "+syn", &tcp));
	assert_false(holds("tcp.flags", "+rst", &tcp));
	assert_true(holds("tcp.flags", "0x12", &tcp));
	assert_true(holds("tcp.flags", "-rst,fin", &tcp));
	assert_false(holds("tcp.flags", "-rst,ack", &tcp));
}

static void test_absent_fields(void **state)
{
	struct pkt icmp, tcp;

	(void)state;
	make_packets(&icmp, &tcp);
	/* ip.* is IPv4 only; ports do not exist on ICMP; a TCP packet quotes nothing. */
	assert_false(holds("ip.src", "2001:db8::1", &tcp));
	assert_true(holds("ip.src", "absent", &tcp));
	assert_false(holds("udp.dport", "9", &icmp));
	assert_true(holds("udp.dport", "!9", &icmp));
	assert_true(holds("inner.ip.dst", "absent", &tcp));
	assert_false(holds("inner.ip.dst", "absent", &icmp));
	assert_false(holds("icmp6.type", "1", &icmp));
}

static void check_parse_error(const char *field, const char *cond, const char *want)
{
	const struct field_def *f = field_find(pkt_fields, field);
	struct pred pr;
	char err[512] = "";

	assert_non_null(f);
	assert_int_equal(pred_parse(f, cond, &pr, err, sizeof(err)), -1);
	if (!strstr(err, want)) {
		print_error("%s: %s: want \"%s\" in \"%s\"\n", field, cond, want, err);
		fail();
	}
}

static void test_parse_errors(void **state)
{
	(void)state;
	check_parse_error("ip.src", "nowhere", "expected an IPv4 or IPv6 address");
	check_parse_error("ip.src", "10.0.0.0/40", "got \"10.0.0.0/40\"");
	check_parse_error("icmp.code", "port-unrechable", "port-unreachable");
	check_parse_error("icmp.code", "port-unrechable", "got \"port-unrechable\"");
	check_parse_error("udp.dport", "http", "expected a number, got \"http\"");
	check_parse_error("udp.dport", "-1", "expected a number");
	check_parse_error("tcp.flags", "syn,fin,bogus", "expected flag names");
	check_parse_error("ip.src", "<10.0.0.1", "compares numbers");
	check_parse_error("ip.ttl", "+1", "only apply to flag fields");
	check_parse_error("ip.ttl", "-1", "expected a number, got \"-1\"");
	check_parse_error("eth.src", "02:00", "expected a MAC address");
	assert_null(field_find(pkt_fields, "ip.sauce"));
}

static void test_formatting(void **state)
{
	const struct field_def *f = field_find(pkt_fields, "icmp.code");
	struct pred pr;
	struct value v;
	char buf[128], err[128];

	(void)state;
	v.kind = VAL_UINT;
	v.u = 3;
	assert_string_equal(value_fmt(f, &v, buf, sizeof(buf)), "port-unreachable");
	v.u = 5;
	assert_string_equal(value_fmt(f, &v, buf, sizeof(buf)), "5");
	f = field_find(pkt_fields, "ip.src");
	assert_int_equal(pred_parse(f, "!192.0.2.0/24", &pr, err, sizeof(err)), 0);
	assert_string_equal(pred_fmt(&pr, buf, sizeof(buf)), "!192.0.2.0/24");
	f = field_find(pkt_fields, "tcp.flags");
	assert_int_equal(pred_parse(f, "ack,syn", &pr, err, sizeof(err)), 0);
	assert_string_equal(pred_fmt(&pr, buf, sizeof(buf)), "syn,ack");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_equality_and_names), cmocka_unit_test(test_operators),
		cmocka_unit_test(test_absent_fields),	   cmocka_unit_test(test_parse_errors),
		cmocka_unit_test(test_formatting),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
