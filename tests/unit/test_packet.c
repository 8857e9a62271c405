// SPDX-License-Identifier: GPL-2.0-or-later
/* Packet decoder against frames annotated with the tcpdump line they encode. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>
#include <sys/socket.h>

#include "observe/packet.h"

/* 198.51.100.10.40000 > 203.0.113.10.9: UDP, length 5 */
static const uint8_t udp4[] = {
	0x02, 0x00, 0x00, 0x00, 0x00, 0x02, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01,
	0x08, 0x00, 0x45, 0x00, 0x00, 0x21, 0x00, 0x01, 0x40, 0x00, 0x40, 0x11,
	0xd4, 0x82, 0xc6, 0x33, 0x64, 0x0a, 0xcb, 0x00, 0x71, 0x0a, 0x9c, 0x40,
	0x00, 0x09, 0x00, 0x0d, 0x00, 0x00, 0x70, 0x72, 0x6f, 0x62, 0x65,
};

/* 203.0.113.10 > 198.51.100.10: ICMP 203.0.113.10 udp port 9 unreachable (quotes
 * 198.51.100.10.40000 > 203.0.113.10.9) */
static const uint8_t unreach4[] = {
	0x02, 0x00, 0x00, 0x00, 0x00, 0x02, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01, 0x08, 0x00,
	0x45, 0x00, 0x00, 0x38, 0x00, 0x07, 0x00, 0x00, 0x40, 0x01, 0x14, 0x76, 0xcb, 0x00,
	0x71, 0x0a, 0xc6, 0x33, 0x64, 0x0a, 0x03, 0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x45, 0x00, 0x00, 0x21, 0x00, 0x01, 0x40, 0x00, 0x40, 0x11, 0xd4, 0x82, 0xc6, 0x33,
	0x64, 0x0a, 0xcb, 0x00, 0x71, 0x0a, 0x9c, 0x40, 0x00, 0x09, 0x00, 0x0d, 0x00, 0x00,
};

/* 2001:db8:1::10 > 2001:db8::2: ICMP6, destination unreachable, unreachable port, 2001:db8:1::10
 * udp port 53 */
static const uint8_t unreach6[] = {
	0x02, 0x00, 0x00, 0x00, 0x00, 0x02, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01, 0x86, 0xdd,
	0x60, 0x01, 0x23, 0x45, 0x00, 0x38, 0x3a, 0x40, 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x01,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10, 0x20, 0x01, 0x0d, 0xb8,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x01, 0x04,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x60, 0x01, 0x23, 0x45, 0x00, 0x09, 0x11, 0x40,
	0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x02, 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x10, 0x14, 0xe9, 0x00, 0x35, 0x00, 0x09, 0x00, 0x00,
};

/* 2001:db8::1 > 2001:db8::2: frag (0|24) 1000 > 2000: UDP, length 16 */
static const uint8_t frag6[] = {
	0x02, 0x00, 0x00, 0x00, 0x00, 0x02, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01, 0x86, 0xdd, 0x60,
	0x01, 0x23, 0x45, 0x00, 0x20, 0x2c, 0x40, 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x11, 0x00, 0x00, 0x01, 0x00, 0x00,
	0xab, 0xcd, 0x03, 0xe8, 0x07, 0xd0, 0x00, 0x18, 0x00, 0x00, 0x78, 0x78, 0x78, 0x78, 0x78,
	0x78, 0x78, 0x78, 0x78, 0x78, 0x78, 0x78, 0x78, 0x78, 0x78, 0x78,
};

/* 192.0.2.1.40001 > 192.0.2.2.80: Flags [S], seq 1000, win 64240, options [mss 1460], length 0 */
static const uint8_t syn4[] = {
	0x02, 0x00, 0x00, 0x00, 0x00, 0x02, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01, 0x08, 0x00, 0x45,
	0x00, 0x00, 0x2c, 0x00, 0x01, 0x40, 0x00, 0x40, 0x06, 0xb6, 0xc7, 0xc0, 0x00, 0x02, 0x01,
	0xc0, 0x00, 0x02, 0x02, 0x9c, 0x41, 0x00, 0x50, 0x00, 0x00, 0x03, 0xe8, 0x00, 0x00, 0x00,
	0x00, 0x60, 0x02, 0xfa, 0xf0, 0x00, 0x00, 0x00, 0x00, 0x02, 0x04, 0x05, 0xb4,
};

/* 192.0.2.1 > 192.0.2.2: ip-proto-17 (frag 9:24@24+) */
static const uint8_t frag4[] = {
	0x02, 0x00, 0x00, 0x00, 0x00, 0x02, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01, 0x08, 0x00, 0x45,
	0x00, 0x00, 0x2c, 0x00, 0x09, 0x20, 0x03, 0x40, 0x11, 0xd6, 0xb1, 0xc0, 0x00, 0x02, 0x01,
	0xc0, 0x00, 0x02, 0x02, 0x79, 0x79, 0x79, 0x79, 0x79, 0x79, 0x79, 0x79, 0x79, 0x79, 0x79,
	0x79, 0x79, 0x79, 0x79, 0x79, 0x79, 0x79, 0x79, 0x79, 0x79, 0x79, 0x79, 0x79,
};

/* 198.51.100.10 > 203.0.113.10: ICMP echo request, id 4660, seq 7, length 12 */
static const uint8_t echo4[] = {
	0x02, 0x00, 0x00, 0x00, 0x00, 0x02, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01,
	0x08, 0x00, 0x45, 0x00, 0x00, 0x20, 0x00, 0x01, 0x40, 0x00, 0x40, 0x01,
	0xd4, 0x93, 0xc6, 0x33, 0x64, 0x0a, 0xcb, 0x00, 0x71, 0x0a, 0x08, 0x00,
	0x06, 0xf4, 0x12, 0x34, 0x00, 0x07, 0x70, 0x69, 0x6e, 0x67,
};

static void decode(const uint8_t *f, size_t len, struct pkt *p)
{
	assert_int_equal(pkt_decode(f, len, len, PKT_LINK_ETHERNET, p), 0);
}

static void assert_addr(const struct ipaddr *a, const char *text)
{
	char buf[IPADDR_STRLEN];

	assert_string_equal(ipaddr_fmt(a, buf), text);
}

static void test_udp4(void **state)
{
	struct pkt p;
	char sum[256];

	(void)state;
	decode(udp4, sizeof(udp4), &p);
	assert_true(p.present & PKT_ETH);
	assert_int_equal(p.eth_type, 0x0800);
	assert_int_equal(p.eth_src[5], 1);
	assert_true(p.outer.present & PKT_IP4);
	assert_true(p.outer.present & PKT_UDP);
	assert_addr(&p.outer.src, "198.51.100.10");
	assert_addr(&p.outer.dst, "203.0.113.10");
	assert_int_equal(p.outer.proto, 17);
	assert_int_equal(p.outer.ttl, 64);
	assert_int_equal(p.outer.dont_frag, 1);
	assert_int_equal(p.outer.sport, 40000);
	assert_int_equal(p.outer.dport, 9);
	assert_int_equal(p.outer.udp_len, 13);
	assert_false(p.has_inner);
	assert_string_equal(pkt_summary(&p, sum, sizeof(sum)),
			    "198.51.100.10.40000 > 203.0.113.10.9: UDP, length 5");
}

static void test_unreach4_quotes_udp(void **state)
{
	struct pkt p;
	char sum[256];

	(void)state;
	decode(unreach4, sizeof(unreach4), &p);
	assert_true(p.outer.present & PKT_ICMP4);
	assert_int_equal(p.outer.icmp_type, 3);
	assert_int_equal(p.outer.icmp_code, 3);
	assert_addr(&p.outer.src, "203.0.113.10");
	assert_true(p.has_inner);
	assert_addr(&p.inner.src, "198.51.100.10");
	assert_addr(&p.inner.dst, "203.0.113.10");
	assert_int_equal(p.inner.proto, 17);
	assert_true(p.inner.present & PKT_PORTS);
	assert_int_equal(p.inner.sport, 40000);
	assert_int_equal(p.inner.dport, 9);
	pkt_summary(&p, sum, sizeof(sum));
	assert_non_null(
		strstr(sum, "ICMP port unreachable [quoting 198.51.100.10.40000 > 203.0.113.10.9"));
}

static void test_unreach6_quotes_udp(void **state)
{
	struct pkt p;

	(void)state;
	decode(unreach6, sizeof(unreach6), &p);
	assert_true(p.outer.present & PKT_IP6);
	assert_true(p.outer.present & PKT_ICMP6);
	assert_int_equal(p.outer.icmp_type, 1);
	assert_int_equal(p.outer.icmp_code, 4);
	assert_int_equal(p.outer.flowlabel, 0x12345);
	assert_true(p.has_inner);
	assert_addr(&p.inner.src, "2001:db8::2");
	assert_addr(&p.inner.dst, "2001:db8:1::10");
	assert_int_equal(p.inner.sport, 5353);
	assert_int_equal(p.inner.dport, 53);
}

static void test_frag6_first_fragment(void **state)
{
	struct pkt p;

	(void)state;
	decode(frag6, sizeof(frag6), &p);
	assert_int_equal(p.outer.nexthdr, 44);
	assert_int_equal(p.outer.proto, 17); /* upper layer after the fragment header */
	assert_int_equal(p.outer.more_frags, 1);
	assert_int_equal(p.outer.frag_off, 0);
	assert_int_equal(p.outer.id, 0xabcd);
	assert_int_equal(p.outer.sport, 1000);
	assert_false(p.outer.present & PKT_FRAG);
}

static void test_tcp_syn(void **state)
{
	struct pkt p;

	(void)state;
	decode(syn4, sizeof(syn4), &p);
	assert_true(p.outer.present & PKT_TCP);
	assert_int_equal(p.outer.tcp_flags, 0x02);
	assert_int_equal(p.outer.tcp_seq, 1000);
	assert_int_equal(p.outer.tcp_win, 64240);
	assert_int_equal(p.outer.dport, 80);
	assert_int_equal(p.outer.payload_len, 0);
}

static void test_frag4_non_first(void **state)
{
	struct pkt p;

	(void)state;
	decode(frag4, sizeof(frag4), &p);
	assert_true(p.outer.present & PKT_FRAG);
	assert_int_equal(p.outer.frag_off, 24);
	assert_int_equal(p.outer.more_frags, 1);
	assert_false(p.outer.present & PKT_PORTS);
}

static void test_echo(void **state)
{
	struct pkt p;

	(void)state;
	decode(echo4, sizeof(echo4), &p);
	assert_true(p.outer.present & PKT_ICMPID);
	assert_int_equal(p.outer.echo_id, 0x1234);
	assert_int_equal(p.outer.echo_seq, 7);
	assert_false(p.has_inner);
}

/* Every prefix of every frame decodes without reading past it (ASan checks the reads). */
static void test_truncation(void **state)
{
	static const struct {
		const uint8_t *f;
		size_t len;
	} frames[] = {{udp4, sizeof(udp4)},	    {unreach4, sizeof(unreach4)},
		      {unreach6, sizeof(unreach6)}, {frag6, sizeof(frag6)},
		      {syn4, sizeof(syn4)},	    {frag4, sizeof(frag4)},
		      {echo4, sizeof(echo4)}};
	size_t i, n;

	(void)state;
	for (i = 0; i < sizeof(frames) / sizeof(frames[0]); i++) {
		for (n = 0; n <= frames[i].len; n++) {
			uint8_t *copy = test_malloc(n ? n : 1);
			struct pkt p;
			char sum[512];

			memcpy(copy, frames[i].f, n);
			pkt_decode(copy, n, frames[i].len, PKT_LINK_ETHERNET, &p);
			pkt_summary(&p, sum, sizeof(sum));
			test_free(copy);
		}
	}
}

static void test_truncated_quote_keeps_ports(void **state)
{
	struct pkt p;

	(void)state;
	/* Cut the quoted UDP header after its ports: they must still be known. */
	pkt_decode(unreach4, sizeof(unreach4) - 4, sizeof(unreach4), PKT_LINK_ETHERNET, &p);
	assert_true(p.has_inner);
	assert_true(p.inner.present & PKT_PORTS);
	assert_int_equal(p.inner.dport, 9);
	/* Cut inside the quoted IP header: no quoted packet at all. */
	pkt_decode(unreach4, 14 + 20 + 8 + 10, sizeof(unreach4), PKT_LINK_ETHERNET, &p);
	assert_false(p.has_inner);
}

static void test_tcp_flag_letters(void **state)
{
	struct pkt p;
	char buf[16], sum[256];

	(void)state;
	assert_string_equal(pkt_tcp_flags(0x12, buf, sizeof(buf)), "S.");
	assert_string_equal(pkt_tcp_flags(0x14, buf, sizeof(buf)), "R.");
	assert_string_equal(pkt_tcp_flags(0xc2, buf, sizeof(buf)), "SEW");
	assert_string_equal(pkt_tcp_flags(0, buf, sizeof(buf)), "none");
	decode(syn4, sizeof(syn4), &p);
	assert_non_null(strstr(pkt_summary(&p, sum, sizeof(sum)), ": Flags [S], seq 1000"));
}

/* ARP, neighbour discovery and MLD are the link's chatter; a flow's packets are not. */
static void test_chatter(void **state)
{
	struct pkt p;

	(void)state;
	decode(udp4, sizeof(udp4), &p);
	assert_false(pkt_is_chatter(&p));
	decode(unreach6, sizeof(unreach6), &p);
	assert_false(pkt_is_chatter(&p));
	memset(&p, 0, sizeof(p));
	p.present = PKT_ETH;
	p.eth_type = 0x0806;
	assert_true(pkt_is_chatter(&p));
	memset(&p, 0, sizeof(p));
	p.outer.present = PKT_IP6 | PKT_ICMP6;
	ipaddr_parse("fe80::1", &p.outer.src, NULL);
	ipaddr_parse("ff02::16", &p.outer.dst, NULL);
	p.outer.icmp_type = 143; /* MLDv2 report */
	assert_true(pkt_is_chatter(&p));
	ipaddr_parse("2001:db8::2", &p.outer.dst, NULL);
	p.outer.icmp_type = 135; /* neighbour solicitation, unicast */
	assert_true(pkt_is_chatter(&p));
	p.outer.icmp_type = 128; /* echo request */
	assert_false(pkt_is_chatter(&p));
	memset(&p, 0, sizeof(p));
	p.outer.present = PKT_IP4 | PKT_UDP | PKT_PORTS;
	ipaddr_parse("224.0.0.251", &p.outer.dst, NULL);
	assert_true(pkt_is_chatter(&p));
}

static void test_kinship(void **state)
{
	struct pkt ref, p;

	(void)state;
	decode(udp4, sizeof(udp4), &ref); /* 198.51.100.10.40000 > 203.0.113.10.9 */
	assert_int_equal(pkt_kinship(&ref, &ref), PKT_SAME_FLOW);
	/* The error quotes the flow. */
	decode(unreach4, sizeof(unreach4), &p);
	assert_int_equal(pkt_kinship(&p, &ref), PKT_SAME_FLOW);
	/* The reply direction. */
	decode(udp4, sizeof(udp4), &p);
	p.outer.src = ref.outer.dst;
	p.outer.dst = ref.outer.src;
	p.outer.sport = 9;
	p.outer.dport = 40000;
	assert_int_equal(pkt_kinship(&p, &ref), PKT_SAME_FLOW);
	p.outer.dport = 40001;
	assert_int_equal(pkt_kinship(&p, &ref), PKT_SAME_HOSTS);
	/* An echo between the same hosts. */
	decode(echo4, sizeof(echo4), &p);
	assert_int_equal(pkt_kinship(&p, &ref), PKT_SAME_HOSTS);
	decode(syn4, sizeof(syn4), &p);
	assert_int_equal(pkt_kinship(&p, &ref), PKT_STRANGER);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_udp4),
		cmocka_unit_test(test_unreach4_quotes_udp),
		cmocka_unit_test(test_unreach6_quotes_udp),
		cmocka_unit_test(test_frag6_first_fragment),
		cmocka_unit_test(test_tcp_syn),
		cmocka_unit_test(test_frag4_non_first),
		cmocka_unit_test(test_echo),
		cmocka_unit_test(test_truncation),
		cmocka_unit_test(test_truncated_quote_keeps_ports),
		cmocka_unit_test(test_tcp_flag_letters),
		cmocka_unit_test(test_chatter),
		cmocka_unit_test(test_kinship),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
