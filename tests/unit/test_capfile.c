// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Replayed frames: the address map and checksum fixes against frames the
 * packet builder makes with the mapped addresses (an independent computation
 * of every checksum), the Ethernet rewrite, link types made Ethernet, and a
 * broken rewrite (addresses changed, checksums not) caught by the comparison.
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

#include "craft/craft.h"
#include "probe/capfile.h"

static const uint8_t mac_a[6] = {0x00, 0x16, 0x3e, 0x20, 0x00, 0xfe};
static const uint8_t mac_b[6] = {0x00, 0x16, 0x3e, 0x20, 0x00, 0x01};
static const uint8_t lab_src[6] = {2, 0, 0, 0, 0, 1}, lab_dst[6] = {2, 0, 0, 0, 0, 2};

static struct ipaddr ip(const char *text)
{
	struct ipaddr a;

	assert_int_equal(ipaddr_parse(text, &a, NULL), 0);
	return a;
}

/* A frame from src to dst of kind (UDP, TCP, ICMP error quoting quote), into buf. */
static int frame(uint8_t *buf, const char *src, const char *dst, enum craft_l4 kind,
		 const uint8_t *quote, size_t quote_len)
{
	struct craft c;

	craft_init(&c);
	c.eth.present = true;
	memcpy(c.eth.src, mac_a, 6);
	memcpy(c.eth.dst, mac_b, 6);
	c.ip.src = ip(src);
	c.ip.dst = ip(dst);
	c.ip.version = c.ip.src.family == AF_INET ? 4 : 6;
	c.l4.kind = kind;
	c.l4.sport = 40000;
	c.l4.dport = 9;
	c.l4.seq = 1000;
	c.l4.flags = 0x02;
	if (kind == CRAFT_L4_ICMP || kind == CRAFT_L4_ICMP6) {
		c.l4.type = kind == CRAFT_L4_ICMP ? 3 : 1;
		c.l4.code = kind == CRAFT_L4_ICMP ? 3 : 4;
		c.quote = quote;
		c.quote_len = quote_len;
	} else {
		c.payload = (const uint8_t *)"probe";
		c.payload_len = 5;
	}
	return craft_build(&c, buf, CRAFT_MAX, NULL);
}

static void same(const uint8_t *got, const uint8_t *want, int len)
{
	int i;

	for (i = 0; i < len; i++)
		if (got[i] != want[i]) {
			print_error("byte %d: got 0x%02x, want 0x%02x\n", i, got[i], want[i]);
			fail();
		}
}

static void mapped_as_built(enum craft_l4 kind, const char *from_src, const char *from_dst,
			    const struct capmap *map, size_t n, const char *to_src,
			    const char *to_dst, unsigned int changes)
{
	uint8_t *got = malloc(CRAFT_MAX), *want = malloc(CRAFT_MAX);
	int len = frame(got, from_src, from_dst, kind, NULL, 0);

	assert_int_equal(frame(want, to_src, to_dst, kind, NULL, 0), len);
	assert_int_equal(capframe_map(got, (size_t)len, map, n), changes);
	same(got, want, len);
	free(got);
	free(want);
}

static void test_map_udp4(void **state)
{
	struct capmap m[] = {{ip("192.0.2.50"), ip("198.51.100.10")}};

	(void)state;
	mapped_as_built(CRAFT_L4_UDP, "192.0.2.50", "203.0.113.10", m, 1, "198.51.100.10",
			"203.0.113.10", 1);
}

static void test_map_tcp4_both(void **state)
{
	struct capmap m[] = {{ip("192.0.2.50"), ip("198.51.100.10")},
			     {ip("203.0.113.10"), ip("192.168.1.10")}};

	(void)state;
	mapped_as_built(CRAFT_L4_TCP, "192.0.2.50", "203.0.113.10", m, 2, "198.51.100.10",
			"192.168.1.10", 2);
}

static void test_map_udp6(void **state)
{
	struct capmap m[] = {{ip("2001:db8:1::50"), ip("2001:db8::1")}};

	(void)state;
	mapped_as_built(CRAFT_L4_UDP, "2001:db8:1::50", "2001:db8::2", m, 1, "2001:db8::1",
			"2001:db8::2", 1);
}

/* Outer and quoted addresses mapped; every checksum, inner ones too, as if built so. */
static void error_mapped(enum craft_l4 kind, const char *c_old, const char *c_new,
			 const char *server)
{
	struct capmap m[] = {{ip(c_old), ip(c_new)}};
	uint8_t *q_old = malloc(CRAFT_MAX), *q_new = malloc(CRAFT_MAX);
	uint8_t *got = malloc(CRAFT_MAX), *want = malloc(CRAFT_MAX);
	int ql = frame(q_old, c_old, server, CRAFT_L4_UDP, NULL, 0), len;

	frame(q_new, c_new, server, CRAFT_L4_UDP, NULL, 0);
	/* The quote is the datagram from its IP header on. */
	len = frame(got, server, c_old, kind, q_old + 14, (size_t)ql - 14);
	assert_int_equal(frame(want, server, c_new, kind, q_new + 14, (size_t)ql - 14), len);
	assert_int_equal(capframe_map(got, (size_t)len, m, 1), 2);
	same(got, want, len);
	free(q_old);
	free(q_new);
	free(got);
	free(want);
}

static void test_map_icmp_error(void **state)
{
	(void)state;
	error_mapped(CRAFT_L4_ICMP, "192.0.2.50", "198.51.100.10", "203.0.113.10");
}

static void test_map_icmp6_error(void **state)
{
	(void)state;
	error_mapped(CRAFT_L4_ICMP6, "2001:db8:1::50", "2001:db8::1", "2001:db8::2");
}

/* A rewrite that changes addresses but not checksums differs from the right frame. */
static void test_broken_rewrite_caught(void **state)
{
	uint8_t got[128], want[128];
	int len = frame(got, "192.0.2.50", "203.0.113.10", CRAFT_L4_UDP, NULL, 0);
	struct ipaddr to = ip("198.51.100.10");

	(void)state;
	frame(want, "198.51.100.10", "203.0.113.10", CRAFT_L4_UDP, NULL, 0);
	memcpy(got + 14 + 12, to.b, 4); /* the address alone, as a broken map would */
	assert_memory_not_equal(got, want, (size_t)len);
	assert_memory_equal(got + 14 + 12, want + 14 + 12, 4);
}

static void test_map_arp_and_eth(void **state)
{
	struct capmap m[] = {{ip("10.20.0.254"), ip("192.168.42.254")},
			     {ip("10.20.0.1"), ip("192.168.42.1")}};
	uint8_t f[42] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00, 0x16, 0x3e, 0x20, 0x00,
			 0xfe, 0x08, 0x06, 0x00, 0x01, 0x08, 0x00, 0x06, 0x04, 0x00, 0x01,
			 0x00, 0x16, 0x3e, 0x20, 0x00, 0xfe, 10,   20,	 0,    254,  0,
			 0,    0,    0,	   0,	 0,    10,   20,   0,	 1};

	(void)state;
	assert_int_equal(capframe_map(f, sizeof(f), m, 2), 2);
	assert_memory_equal(f + 28, ((uint8_t[]){192, 168, 42, 254}), 4);
	assert_memory_equal(f + 38, ((uint8_t[]){192, 168, 42, 1}), 4);
	capframe_set_eth(f, sizeof(f), lab_src, lab_dst);
	assert_memory_equal(f, ((uint8_t[]){0xff, 0xff, 0xff, 0xff, 0xff, 0xff}), 6);
	assert_memory_equal(f + 6, lab_src, 6);
	assert_memory_equal(f + 22, lab_src, 6); /* the sender hardware address too */
}

static void test_eth_unicast_multicast(void **state)
{
	uint8_t f[64];
	int len = frame(f, "192.0.2.50", "203.0.113.10", CRAFT_L4_UDP, NULL, 0);

	(void)state;
	capframe_set_eth(f, (size_t)len, lab_src, lab_dst);
	assert_memory_equal(f, lab_dst, 6);
	assert_memory_equal(f + 6, lab_src, 6);
	f[0] = 0x01; /* a multicast destination stays */
	capframe_set_eth(f, (size_t)len, lab_src, lab_dst);
	assert_int_equal(f[0], 0x01);
	assert_int_equal(f[5], lab_dst[5]);
}

/* A classic pcap in memory: link type dlt, one record of data. */
static FILE *pcap_mem(int dlt, const uint8_t *data, size_t len, char *buf, size_t cap)
{
	uint32_t hdr[6] = {0xa1b2c3d4, 2 | 4 << 16, 0, 0, 65535, (uint32_t)dlt};
	uint32_t rec[4] = {1, 0, (uint32_t)len, (uint32_t)len};

	assert_true(40 + len <= cap);
	memcpy(buf, hdr, 24);
	memcpy(buf + 24, rec, 16);
	memcpy(buf + 40, data, len);
	return fmemopen(buf, 40 + len, "rb");
}

static void read_one(int dlt, const uint8_t *data, size_t len, struct capframes *fs)
{
	char buf[256];
	struct diag d = DIAG_INIT;
	struct capfile *cf = capfile_open(pcap_mem(dlt, data, len, buf, sizeof(buf)), "mem", &d);

	assert_non_null(cf);
	assert_int_equal(capfile_read(cf, NULL, 0, fs, &d), 0);
	capfile_close(cf);
	assert_int_equal(fs->n, 1);
}

static void test_link_types(void **state)
{
	uint8_t f[128], sll[128], raw[128];
	int len = frame(f, "192.0.2.50", "224.0.0.251", CRAFT_L4_UDP, NULL, 0);
	size_t ip_len = (size_t)len - 14;
	struct capframes fs = {0};

	(void)state;
	/* Linux cooked: packet type, ARPHRD, address length, address, protocol. */
	memset(sll, 0, 16);
	sll[1] = 4; /* PACKET_OUTGOING */
	sll[5] = 6;
	memcpy(sll + 6, mac_a, 6);
	sll[14] = 0x08;
	memcpy(sll + 16, f + 14, ip_len);
	read_one(113, sll, 16 + ip_len, &fs);
	assert_int_equal(fs.v[0].len, (size_t)len);
	assert_memory_equal(fs.v[0].data + 14, f + 14, ip_len);
	assert_memory_equal(fs.v[0].data, ((uint8_t[]){0x01, 0x00, 0x5e, 0, 0, 0xfb}), 6);
	assert_memory_equal(fs.v[0].data + 12, ((uint8_t[]){0x08, 0x00}), 2);
	capframes_release(&fs);
	/* Raw IP (LINKTYPE_RAW, 101). */
	memcpy(raw, f + 14, ip_len);
	read_one(101, raw, ip_len, &fs);
	assert_memory_equal(fs.v[0].data + 14, f + 14, ip_len);
	assert_int_equal(fs.v[0].ts_ns, 1000000000ull);
	capframes_release(&fs);
}

static void test_unknown_link_type(void **state)
{
	char buf[256];
	struct diag d = DIAG_INIT;
	uint8_t data[8] = {0};

	(void)state;
	assert_null(capfile_open(pcap_mem(105, data, sizeof(data), buf, sizeof(buf)), "wifi", &d));
	assert_non_null(strstr(d.msg, "IEEE802_11"));
}

static void test_filter(void **state)
{
	char err[256];
	struct pktfilter *f = pktfilter_new(PKTFILTER_ETHERNET, "udp dst port 9", err, sizeof(err));
	uint8_t fr[128];
	int len = frame(fr, "192.0.2.50", "203.0.113.10", CRAFT_L4_UDP, NULL, 0);

	(void)state;
	assert_non_null(f);
	assert_true(pktfilter_match(f, fr, (size_t)len, (size_t)len));
	fr[14 + 20 + 3] = 10; /* dport 10 */
	assert_false(pktfilter_match(f, fr, (size_t)len, (size_t)len));
	pktfilter_free(f);
	assert_null(pktfilter_new(PKTFILTER_ETHERNET, "udp port", err, sizeof(err)));
	assert_non_null(strstr(err, "syntax error"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_map_udp4),
		cmocka_unit_test(test_map_tcp4_both),
		cmocka_unit_test(test_map_udp6),
		cmocka_unit_test(test_map_icmp_error),
		cmocka_unit_test(test_map_icmp6_error),
		cmocka_unit_test(test_broken_rewrite_caught),
		cmocka_unit_test(test_map_arp_and_eth),
		cmocka_unit_test(test_eth_unicast_multicast),
		cmocka_unit_test(test_link_types),
		cmocka_unit_test(test_unknown_link_type),
		cmocka_unit_test(test_filter),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
