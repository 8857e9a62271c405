// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The packet builder against frames scapy built (craft_ref.h, each annotated
 * with its tcpdump line), round trips through the decoder, checksum patching
 * and fragmentation.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "craft/craft.h"
#include "observe/packet.h"

#include "craft_ref.h"

static const uint8_t mac1[6] = {2, 0, 0, 0, 0, 1}, mac2[6] = {2, 0, 0, 0, 0, 2};

static void addr(struct ipaddr *a, const char *text)
{
	assert_int_equal(ipaddr_parse(text, a, NULL), 0);
}

static void same_bytes(const uint8_t *got, int len, const uint8_t *want, size_t want_len)
{
	int i;

	assert_int_equal(len, (int)want_len);
	for (i = 0; i < len; i++)
		if (got[i] != want[i]) {
			print_error("byte %d: got 0x%02x, want 0x%02x\n", i, got[i], want[i]);
			fail();
		}
}

static void udp4_craft(struct craft *c)
{
	craft_init(c);
	c->eth.present = true;
	memcpy(c->eth.src, mac1, 6);
	memcpy(c->eth.dst, mac2, 6);
	c->ip.version = 4;
	addr(&c->ip.src, "192.0.2.10");
	addr(&c->ip.dst, "203.0.113.10");
	c->ip.id = 1;
	c->ip.df = true;
	c->l4.kind = CRAFT_L4_UDP;
	c->l4.sport = 40000;
	c->l4.dport = 9;
	c->payload = (const uint8_t *)"probe";
	c->payload_len = 5;
}

static void test_udp4(void **state)
{
	uint8_t buf[256];
	struct craft c;
	struct craft_layout lay;
	struct pkt p;
	int n;

	(void)state;
	udp4_craft(&c);
	n = craft_build(&c, buf, sizeof(buf), &lay);
	same_bytes(buf, n, udp4, sizeof(udp4));
	assert_int_equal(lay.l3, 14);
	assert_int_equal(lay.l4, 34);
	assert_int_equal(lay.sport, 34);
	assert_int_equal(pkt_decode(buf, (size_t)n, (size_t)n, PKT_LINK_ETHERNET, &p), 0);
	assert_int_equal(p.outer.sport, 40000);
	assert_int_equal(p.outer.udp_len, 13);
	assert_true(p.outer.dont_frag);
	/* Too small a buffer is refused, never overrun. */
	assert_int_equal(craft_build(&c, buf, 40, NULL), -1);
}

static void test_wrong_on_purpose(void **state)
{
	uint8_t buf[256];
	struct craft c;
	int n;

	(void)state;
	udp4_craft(&c);
	c.ip.checksum = 0xbeef;
	c.l4.checksum = 0;
	c.l4.len = 99;
	c.ip.len = 1000;
	n = craft_build(&c, buf, sizeof(buf), NULL);
	assert_int_equal(n, (int)sizeof(udp4));
	assert_int_equal(buf[14 + 10] << 8 | buf[14 + 11], 0xbeef);
	assert_int_equal(buf[34 + 6] << 8 | buf[34 + 7], 0);
	assert_int_equal(buf[34 + 4] << 8 | buf[34 + 5], 99);
	assert_int_equal(buf[14 + 2] << 8 | buf[14 + 3], 1000);
}

static void test_tcp_options(void **state)
{
	uint8_t buf[256];
	struct craft c;
	struct pkt p;
	int n;

	(void)state;
	craft_init(&c);
	c.ip.version = 4;
	addr(&c.ip.src, "192.0.2.10");
	addr(&c.ip.dst, "198.51.100.20");
	c.ip.id = 7;
	c.ip.ttl = 63;
	c.l4.kind = CRAFT_L4_TCP;
	c.l4.sport = 41000;
	c.l4.dport = 80;
	c.l4.seq = 1000;
	c.l4.flags = 0x02;
	c.l4.window = 64240;
	c.l4.mss = 1460;
	c.l4.ts = true;
	c.l4.tsval = 1;
	n = craft_build(&c, buf, sizeof(buf), NULL);
	same_bytes(buf, n, tcp4_syn, sizeof(tcp4_syn));
	assert_int_equal(pkt_decode(buf, (size_t)n, (size_t)n, PKT_LINK_RAW, &p), 0);
	assert_int_equal(p.outer.tcp_flags, 0x02);
	assert_int_equal(p.outer.tcp_seq, 1000);
}

static void test_icmp_error_quotes(void **state)
{
	uint8_t buf[256];
	struct craft c;
	struct pkt p;
	int n;

	(void)state;
	craft_init(&c);
	c.ip.version = 4;
	addr(&c.ip.src, "203.0.113.10");
	addr(&c.ip.dst, "198.51.100.10");
	c.ip.id = 2;
	c.l4.kind = CRAFT_L4_ICMP;
	c.l4.type = 3;
	c.l4.code = 3;
	c.quote = udp4 + 14; /* the IP datagram above, 28 bytes of it */
	c.quote_len = 28;
	n = craft_build(&c, buf, sizeof(buf), NULL);
	same_bytes(buf, n, icmp4_unreach, sizeof(icmp4_unreach));
	assert_int_equal(pkt_decode(buf, (size_t)n, (size_t)n, PKT_LINK_RAW, &p), 0);
	assert_true(p.has_inner);
	assert_int_equal(p.inner.dport, 9);
}

static void v6_addrs(struct craft *c, const char *src, const char *dst)
{
	c->ip.version = 6;
	addr(&c->ip.src, src);
	addr(&c->ip.dst, dst);
}

static void test_ipv6(void **state)
{
	uint8_t buf[512], first[256];
	struct craft c;
	int n, m;

	(void)state;
	craft_init(&c);
	v6_addrs(&c, "2001:db8:1::10", "2001:db8:2::20");
	c.ip.flowlabel = 0x12345;
	c.l4.kind = CRAFT_L4_UDP;
	c.l4.sport = 40000;
	c.l4.dport = 9;
	c.payload = (const uint8_t *)"probe";
	c.payload_len = 5;
	m = craft_build(&c, first, sizeof(first), NULL);
	same_bytes(first, m, udp6, sizeof(udp6));

	craft_init(&c);
	v6_addrs(&c, "2001:db8:1::10", "2001:db8:2::20");
	c.l4.kind = CRAFT_L4_ICMP6;
	c.l4.type = 128;
	c.l4.id = 0x4242;
	c.l4.seq16 = 1;
	c.payload = (const uint8_t *)"abcd";
	c.payload_len = 4;
	n = craft_build(&c, buf, sizeof(buf), NULL);
	same_bytes(buf, n, echo6, sizeof(echo6));

	craft_init(&c);
	v6_addrs(&c, "2001:db8:2::1", "2001:db8:1::10");
	c.l4.kind = CRAFT_L4_ICMP6;
	c.l4.type = 2;
	c.l4.mtu = 1280;
	c.quote = first;
	c.quote_len = (size_t)m;
	n = craft_build(&c, buf, sizeof(buf), NULL);
	same_bytes(buf, n, ptb6, sizeof(ptb6));

	craft_init(&c);
	v6_addrs(&c, "2001:db8:1::10", "ff02::1:ff00:1");
	c.ip.ttl = 255;
	c.l4.kind = CRAFT_L4_ICMP6;
	c.l4.type = 135;
	addr(&c.l4.target, "2001:db8:1::1");
	c.l4.has_lladdr = true;
	memcpy(c.l4.lladdr, mac1, 6);
	n = craft_build(&c, buf, sizeof(buf), NULL);
	same_bytes(buf, n, ns6, sizeof(ns6));
}

static void test_arp(void **state)
{
	uint8_t buf[128];
	struct craft c;
	int n;

	(void)state;
	craft_init(&c);
	c.eth.present = true;
	memcpy(c.eth.src, mac1, 6);
	memset(c.eth.dst, 0xff, 6);
	c.arp.present = true;
	c.arp.op = 1;
	memcpy(c.arp.sha, mac1, 6);
	addr(&c.arp.spa, "192.0.2.10");
	addr(&c.arp.tpa, "192.0.2.1");
	n = craft_build(&c, buf, sizeof(buf), NULL);
	same_bytes(buf, n, arp_req, sizeof(arp_req));
}

/* A swept port patched with incremental checksums equals a frame built afresh. */
static void test_patch_equals_rebuild(void **state)
{
	uint8_t a[256], b[256];
	struct craft c;
	struct craft_layout lay;
	unsigned int port;

	(void)state;
	udp4_craft(&c);
	craft_build(&c, a, sizeof(a), &lay);
	for (port = 0; port < 65536; port += 251) {
		int n;

		craft_patch16(a, &lay, lay.sport, (uint16_t)port, false, true);
		craft_patch16(a, &lay, lay.ip_id, (uint16_t)(port ^ 0x5a5a), true, false);
		c.l4.sport = (uint16_t)port;
		c.ip.id = (uint16_t)(port ^ 0x5a5a);
		n = craft_build(&c, b, sizeof(b), NULL);
		same_bytes(a, n, b, (size_t)n);
	}
	/* An address word is covered by both checksums. */
	craft_patch16(a, &lay, lay.ip_src + 2, 0x0299, true, true);
	addr(&c.ip.src, "192.0.2.153");
	craft_build(&c, b, sizeof(b), NULL);
	same_bytes(a, (int)lay.len, b, lay.len);
}

static void test_fragments(void **state)
{
	uint8_t buf[256], frags[3][CRAFT_MAX > 256 ? 256 : CRAFT_MAX], *out[3];
	size_t len[3];
	uint8_t x40[40];
	struct craft c;
	struct pkt p;
	int n, i;

	(void)state;
	craft_init(&c);
	c.ip.version = 4;
	addr(&c.ip.src, "192.0.2.10");
	addr(&c.ip.dst, "203.0.113.10");
	c.ip.id = 9;
	c.l4.kind = CRAFT_L4_UDP;
	c.l4.sport = 40000;
	c.l4.dport = 9;
	memset(x40, 'x', sizeof(x40));
	c.payload = x40;
	c.payload_len = sizeof(x40);
	n = craft_build(&c, buf, sizeof(buf), NULL);
	for (i = 0; i < 3; i++)
		out[i] = frags[i];
	assert_int_equal(craft_fragment(NULL, 0, buf, (size_t)n, 3, 0, out, len), 3);
	same_bytes(frags[0], (int)len[0], frag4_0, sizeof(frag4_0));
	same_bytes(frags[1], (int)len[1], frag4_1, sizeof(frag4_1));
	same_bytes(frags[2], (int)len[2], frag4_2, sizeof(frag4_2));
	assert_int_equal(pkt_decode(frags[1], len[1], len[1], PKT_LINK_RAW, &p), 0);
	assert_true(p.outer.present & PKT_FRAG);
	assert_int_equal(p.outer.frag_off, 16);
	assert_true(p.outer.more_frags);
	/* 48 bytes cannot make 7 pieces of 8-byte multiples with data in each. */
	assert_int_equal(craft_fragment(NULL, 0, buf, (size_t)n, 7, 0, out, len), -1);
}

static void test_fragments_v6(void **state)
{
	uint8_t buf[256], frags[2][256], *out[2] = {frags[0], frags[1]};
	size_t len[2];
	struct craft c;
	struct pkt p;
	int n;

	(void)state;
	craft_init(&c);
	v6_addrs(&c, "2001:db8:1::10", "2001:db8:2::20");
	c.l4.kind = CRAFT_L4_UDP;
	c.l4.sport = 1;
	c.l4.dport = 2;
	c.payload = (const uint8_t *)"0123456789abcdef0123456789abcdef";
	c.payload_len = 32;
	n = craft_build(&c, buf, sizeof(buf), NULL);
	assert_int_equal(craft_fragment(NULL, 0, buf, (size_t)n, 2, 77, out, len), 2);
	assert_int_equal(len[0], 40 + 8 + 24);
	assert_int_equal(len[1], 40 + 8 + 16);
	assert_int_equal(pkt_decode(frags[0], len[0], len[0], PKT_LINK_RAW, &p), 0);
	assert_int_equal(p.outer.proto, 17);
	assert_int_equal(p.outer.nexthdr, 44);
	assert_true(p.outer.more_frags);
	assert_int_equal(pkt_decode(frags[1], len[1], len[1], PKT_LINK_RAW, &p), 0);
	assert_int_equal(p.outer.frag_off, 24);
	assert_false(p.outer.more_frags);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_udp4),
		cmocka_unit_test(test_wrong_on_purpose),
		cmocka_unit_test(test_tcp_options),
		cmocka_unit_test(test_icmp_error_quotes),
		cmocka_unit_test(test_ipv6),
		cmocka_unit_test(test_arp),
		cmocka_unit_test(test_patch_equals_rebuild),
		cmocka_unit_test(test_fragments),
		cmocka_unit_test(test_fragments_v6),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
