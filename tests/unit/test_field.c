// SPDX-License-Identifier: GPL-2.0-or-later
/* Field predicates: parsing (with errors that say what was expected), matching and formatting. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
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
	bool ok;

	if (pred_parse(f, cond, &pr, err, sizeof(err))) {
		print_error("%s: %s: %s\n", field, cond, err);
		fail();
	}
	ok = pred_match(&pr, p);
	pred_release(&pr);
	return ok;
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

/* The value of field in p, as value_fmt() (show false) or value_show() writes it. */
static const char *got(const char *field, const struct pkt *p, bool show, char *buf, size_t len)
{
	const struct field_def *f = field_find(pkt_fields, field);
	struct value v;

	assert_non_null(f);
	assert_true(f->get(p, &v));
	return show ? value_show(f, &v, buf, len) : value_fmt(f, &v, buf, len);
}

/* An ICMP (v6 false) or ICMPv6 packet of that type and code. */
static void make_icmp(struct pkt *p, bool v6, uint8_t type, uint8_t code)
{
	memset(p, 0, sizeof(*p));
	p->outer.present = (v6 ? PKT_IP6 | PKT_ICMP6 : PKT_IP4 | PKT_ICMP4);
	p->outer.proto = v6 ? 58 : 1;
	p->outer.icmp_type = type;
	p->outer.icmp_code = code;
}

static void test_formatting(void **state)
{
	const struct field_def *f;
	struct pkt icmp, tcp;
	struct pred pr;
	char buf[128], err[128];

	(void)state;
	make_packets(&icmp, &tcp);
	assert_string_equal(got("icmp.code", &icmp, false, buf, sizeof(buf)), "port-unreachable");
	icmp.outer.icmp_code = 5;
	assert_string_equal(got("icmp.code", &icmp, false, buf, sizeof(buf)),
			    "source-route-failed");
	icmp.outer.icmp_code = 16;
	assert_string_equal(got("icmp.code", &icmp, false, buf, sizeof(buf)), "16");
	f = field_find(pkt_fields, "ip.src");
	assert_int_equal(pred_parse(f, "!192.0.2.0/24", &pr, err, sizeof(err)), 0);
	assert_string_equal(pred_fmt(&pr, buf, sizeof(buf)), "!192.0.2.0/24");
	f = field_find(pkt_fields, "tcp.flags");
	assert_int_equal(pred_parse(f, "ack,syn", &pr, err, sizeof(err)), 0);
	assert_string_equal(pred_fmt(&pr, buf, sizeof(buf)), "syn,ack");
}

/* Codes are named per type: the names of destination unreachable are no other type's. */
static void test_icmp_codes_per_type(void **state)
{
	struct pkt p;
	char buf[128];

	(void)state;
	make_icmp(&p, false, 8, 0); /* echo request */
	assert_false(holds("icmp.code", "net-unreachable", &p));
	assert_true(holds("icmp.code", "0", &p));
	assert_true(holds("icmp.code", "!net-unreachable", &p));
	assert_string_equal(got("icmp.code", &p, false, buf, sizeof(buf)), "0");
	make_icmp(&p, false, 5, 1); /* redirect for host */
	assert_true(holds("icmp.code", "host", &p));
	assert_true(holds("icmp.code", "host-redirect", &p));
	assert_false(holds("icmp.code", "host-unreachable", &p));
	assert_string_equal(got("icmp.code", &p, false, buf, sizeof(buf)), "host");
	make_icmp(&p, false, 11, 0);
	assert_string_equal(got("icmp.code", &p, false, buf, sizeof(buf)),
			    "ttl-zero-during-transit");
	assert_false(holds("icmp.code", "net-unreachable", &p));
	make_icmp(&p, false, 11, 1);
	assert_true(holds("icmp.code", "reassembly", &p));
	assert_string_equal(got("icmp.code", &p, false, buf, sizeof(buf)),
			    "ttl-zero-during-reassembly");
	make_icmp(&p, false, 12, 1);
	assert_string_equal(got("icmp.code", &p, false, buf, sizeof(buf)),
			    "required-option-missing");
	make_icmp(&p, true, 2, 0); /* packet too big: no named codes */
	assert_string_equal(got("icmp6.code", &p, false, buf, sizeof(buf)), "0");
	assert_false(holds("icmp6.code", "no-route", &p));
	make_icmp(&p, true, 1, 2);
	assert_string_equal(got("icmp6.code", &p, false, buf, sizeof(buf)), "beyond-scope");
	make_icmp(&p, true, 1, 3);
	assert_true(holds("icmp6.code", "address-unreachable", &p));
	assert_true(holds("icmp6.code", "addr-unreachable", &p));
	make_icmp(&p, true, 3, 0);
	assert_string_equal(got("icmp6.code", &p, false, buf, sizeof(buf)), "hop-limit");
	assert_false(holds("icmp6.code", "no-route", &p));
	make_icmp(&p, true, 3, 1);
	assert_true(holds("icmp6.code", "reassembly", &p));
	make_icmp(&p, true, 4, 1);
	assert_string_equal(got("icmp6.code", &p, false, buf, sizeof(buf)), "unknown-header-type");
}

/*
 * Parses a match of two conditions, field a: ca and field b: cb, and resolves
 * its code names. Returns 0, or -1 with err.
 */
static int parse_match(const char *a, const char *ca, const char *b, const char *cb,
		       struct pred preds[2], char *err, size_t errlen)
{
	size_t bad = 99;

	assert_int_equal(pred_parse(field_find(pkt_fields, a), ca, &preds[0], err, errlen), 0);
	assert_int_equal(pred_parse(field_find(pkt_fields, b), cb, &preds[1], err, errlen), 0);
	if (pred_list_resolve(preds, 2, &bad, err, errlen) == 0)
		return 0;
	assert_int_equal(bad, 1);
	return -1;
}

static void test_code_names_checked_against_type(void **state)
{
	struct pred preds[2];
	char err[1024];
	struct pkt p;
	uint64_t u;

	(void)state;
	assert_int_equal(parse_match("icmp.type", "echo-request", "icmp.code", "net-unreachable",
				     preds, err, sizeof(err)),
			 -1);
	assert_non_null(strstr(err, "echo-request has no named codes"));
	assert_int_equal(parse_match("icmp.type", "redirect", "icmp.code", "port-unreachable",
				     preds, err, sizeof(err)),
			 -1);
	assert_non_null(strstr(err, "\"port-unreachable\" is not a code of icmp.type redirect"));
	assert_non_null(strstr(err, "net, host, tos-net, tos-host"));
	assert_int_equal(parse_match("icmp6.type", "time-exceeded", "icmp6.code", "no-route", preds,
				     err, sizeof(err)),
			 -1);
	assert_non_null(strstr(err, "hop-limit, reassembly"));
	/* A name valid for the type given; a type given after the code. */
	assert_int_equal(
		parse_match("icmp.code", "host", "icmp.type", "redirect", preds, err, sizeof(err)),
		0);
	make_icmp(&p, false, 5, 1);
	assert_true(pred_match(&preds[0], &p) && pred_match(&preds[1], &p));
	/* Without a type, a name means its own type. */
	assert_int_equal(
		parse_match("ip.ttl", "64", "icmp.code", "frag-needed", preds, err, sizeof(err)),
		0);
	make_icmp(&p, false, 3, 4);
	assert_true(pred_match(&preds[1], &p));
	/* Crafting: the code of the type the packet has. */
	assert_int_equal(field_parse_number(field_find(pkt_fields, "icmp.code"), &(uint64_t){5},
					    "tos-host", &u, err, sizeof(err)),
			 0);
	assert_int_equal(u, 3);
	assert_int_equal(field_parse_number(field_find(pkt_fields, "icmp.code"), &(uint64_t){0},
					    "port-unreachable", &u, err, sizeof(err)),
			 -1);
	assert_non_null(strstr(err, "echo-reply has no named codes"));
}

static void test_tcp_flags_by_name(void **state)
{
	struct pkt icmp, tcp;
	char buf[128];

	(void)state;
	make_packets(&icmp, &tcp);
	assert_string_equal(got("tcp.flags", &tcp, false, buf, sizeof(buf)), "syn,ack");
	assert_string_equal(got("tcp.flags", &tcp, true, buf, sizeof(buf)), "syn,ack [S.]");
	tcp.outer.tcp_flags = 0x19;
	assert_string_equal(got("tcp.flags", &tcp, true, buf, sizeof(buf)), "fin,psh,ack [FP.]");
}

static void test_show_quotes_text(void **state)
{
	const struct field_def *f = field_find(log_fields, "log.prefix");
	struct pred pr;
	struct value v;
	char buf[128], err[128];

	(void)state;
	value_str(&v, "acc-rpf4 ");
	assert_string_equal(value_show(f, &v, buf, sizeof(buf)), "\"acc-rpf4 \"");
	assert_string_equal(value_fmt(f, &v, buf, sizeof(buf)), "acc-rpf4 ");
	value_str(&v, "a\tb\"c\\\x01\x7f");
	assert_string_equal(value_show(f, &v, buf, sizeof(buf)), "\"a\\tb\\\"c\\\\\\x01\\x7f\"");
	value_str(&v, "caf\xc3\xa9 \xff\xc3");
	assert_string_equal(value_show(f, &v, buf, sizeof(buf)), "\"caf\xc3\xa9 \\xff\\xc3\"");
	value_str(&v, "0123456789abcdef");
	assert_string_equal(value_show(f, &v, buf, 16), "\"0123456789...\"");
	assert_int_equal(pred_parse(f, "!fw-in ", &pr, err, sizeof(err)), 0);
	assert_string_equal(pred_show(&pr, buf, sizeof(buf)), "!\"fw-in \"");
}

/* A payload of text and of bytes with a NUL: whole, contains, hex and regex conditions. */
static void test_payload(void **state)
{
	static const uint8_t bin[] = {0x00, 0x01, 'G', 'E', 'T', 0xff};
	const struct field_def *f = field_find(pkt_fields, "payload");
	struct pkt icmp, tcp;
	struct pred pr;
	char buf[256], err[256];

	(void)state;
	make_packets(&icmp, &tcp);
	assert_false(holds("payload", "", &tcp)); /* no payload captured: absent */
	assert_true(holds("payload", "absent", &tcp));
	tcp.has_payload = true;
	tcp.payload_caplen = 18;
	memcpy(tcp.payload, "GET / HTTP/1.0\r\n\r\n", 18);
	assert_true(holds("payload", "GET / HTTP/1.0\r\n\r\n", &tcp));
	assert_false(holds("payload", "GET /", &tcp));
	assert_true(holds("payload", "contains:HTTP/1.0", &tcp));
	assert_true(holds("payload", "!contains:POST", &tcp));
	assert_true(holds("payload", "contains:hex:0d0a0d0a", &tcp));
	assert_true(holds("payload", "hex:47:45:54:20:2f:20:48:54:54:50:2f:31:2e:30:0d:0a:0d:0a",
			  &tcp));
	assert_true(holds("payload", "regex:^GET /[^ ]* HTTP/1\\.[01]\r\n", &tcp));
	assert_false(holds("payload", "regex:^POST", &tcp));
	assert_false(holds("payload", "<html>", &tcp)); /* text, not an operator */
	memcpy(tcp.payload, bin, sizeof(bin));
	tcp.payload_caplen = sizeof(bin);
	assert_true(holds("payload", "regex:GET", &tcp)); /* past the NUL byte */
	assert_true(holds("payload", "contains:GET", &tcp));
	assert_string_equal(got("payload", &tcp, true, buf, sizeof(buf)), "hex:0001474554ff");
	assert_int_equal(pred_parse(f, "regex:(", &pr, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "bad regular expression \"(\""));
	/* Regular expressions whose compiling would take exponential memory. */
	assert_int_equal(pred_parse(f, "regex:x:-++++++++++++++++++++++++++++a", &pr, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "a repetition of a repetition at character 5"));
	assert_int_equal(pred_parse(f, "regex:((((((((((((((a+)+)+)+)+)+)+)+)+)+)+)+)+)+", &pr, err, sizeof(err)),
			 -1);
	assert_non_null(strstr(err, "more than 4096 copies"));
	assert_int_equal(pred_parse(f, "regex:(a{1,100}){1,100}", &pr, err, sizeof(err)), -1);
	assert_int_equal(pred_parse(f, "regex:[+*]+(a+)+b{2}\\++", &pr, err, sizeof(err)), 0);
	pred_release(&pr);
	assert_int_equal(pred_parse(f, "hex:4", &pr, err, sizeof(err)), -1);
	assert_int_equal(pred_parse(f, "contains:", &pr, err, sizeof(err)), -1);
	assert_int_equal(pred_parse(f, "!contains:a b", &pr, err, sizeof(err)), 0);
	assert_string_equal(pred_show(&pr, buf, sizeof(buf)), "!contains:\"a b\"");
	pred_release(&pr);
}

/* inner.icmp.type names are ICMP ones for an IPv4 quote, ICMPv6 ones for an IPv6 quote. */
static void test_inner_icmp_type_per_family(void **state)
{
	struct pkt icmp, tcp;
	char buf[64];

	(void)state;
	make_packets(&icmp, &tcp);
	icmp.inner.present = PKT_IP4 | PKT_ICMP4 | PKT_ICMPID;
	icmp.inner.icmp_type = 8;
	icmp.inner.echo_seq = 3;
	assert_true(holds("inner.icmp.type", "echo-request", &icmp));
	assert_true(holds("inner.icmp.type", "8", &icmp));
	assert_true(holds("inner.icmp.seq", "3", &icmp));
	assert_string_equal(got("inner.icmp.type", &icmp, false, buf, sizeof(buf)), "echo-request");
	icmp.inner.present = PKT_IP6 | PKT_ICMP6 | PKT_ICMPID;
	icmp.inner.icmp_type = 128;
	assert_true(holds("inner.icmp.type", "echo-request", &icmp));
	assert_false(holds("inner.icmp.type", "8", &icmp));
	assert_true(holds("inner.icmp.type", "!redirect", &icmp)); /* no ICMPv6 type of that name */
	assert_string_equal(got("inner.icmp.type", &icmp, false, buf, sizeof(buf)), "echo-request");
	icmp.inner.icmp_type = 137;
	assert_true(holds("inner.icmp.type", "nd-redirect", &icmp));
}

/* A list holds when any of its conditions does; a reference once its value is set. */
static void test_lists_and_refs(void **state)
{
	const struct field_def *dport = field_find(pkt_fields, "tcp.dport");
	const struct field_def *ack = field_find(pkt_fields, "tcp.ack");
	struct pkt icmp, tcp;
	struct pred list = {.field = dport, .op = PRED_ANY, .plen = -1}, ref;
	struct pred_ref r = {.text = "syn.tcp.seq", .add = 1};
	struct value v;
	char err[256], buf[128];

	(void)state;
	make_packets(&icmp, &tcp);
	list.alts = calloc(2, sizeof(*list.alts));
	assert_int_equal(pred_parse(dport, "80", &list.alts[0], err, sizeof(err)), 0);
	assert_int_equal(pred_parse(dport, "40000", &list.alts[1], err, sizeof(err)), 0);
	list.n_alts = 2;
	assert_true(pred_match(&list, &tcp));
	assert_false(pred_match(&list, &icmp)); /* no tcp.dport */
	assert_string_equal(pred_fmt(&list, buf, sizeof(buf)), "[80, 40000]");
	assert_int_equal(pred_parse(dport, "40001", &list.alts[1], err, sizeof(err)), 0);
	assert_false(pred_match(&list, &tcp));
	free(list.alts);

	memset(&ref, 0, sizeof(ref));
	ref.field = ack;
	ref.op = PRED_EQ;
	ref.plen = -1;
	ref.ref = &r;
	tcp.outer.tcp_ack = 0;
	assert_false(pred_match(&ref, &tcp)); /* not set yet: holds for nothing */
	assert_string_equal(pred_fmt(&ref, buf, sizeof(buf)), "syn.tcp.seq + 1");
	value_uint(&v, 0xffffffff);
	assert_int_equal(pred_ref_set(&ref, &v), 0);
	assert_int_equal(ref.v.u, 0); /* 32-bit values wrap */
	assert_true(pred_match(&ref, &tcp));
	assert_string_equal(pred_fmt(&ref, buf, sizeof(buf)), "0 (syn.tcp.seq + 1)");
	v.kind = VAL_ADDR;
	assert_int_equal(pred_ref_set(&ref, &v), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_equality_and_names),
		cmocka_unit_test(test_operators),
		cmocka_unit_test(test_absent_fields),
		cmocka_unit_test(test_parse_errors),
		cmocka_unit_test(test_formatting),
		cmocka_unit_test(test_icmp_codes_per_type),
		cmocka_unit_test(test_code_names_checked_against_type),
		cmocka_unit_test(test_tcp_flags_by_name),
		cmocka_unit_test(test_show_quotes_text),
		cmocka_unit_test(test_payload),
		cmocka_unit_test(test_inner_icmp_type_per_family),
		cmocka_unit_test(test_lists_and_refs),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
