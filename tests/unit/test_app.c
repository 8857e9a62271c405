// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Application lines: DNS questions and answers, HTTP request and status lines,
 * from bytes as dig, dnsmasq and curl send them, and from hostile ones
 * (compression loops, counts past the end, truncation) that must say nothing
 * rather than read past the packet.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "observe/app.h"

static struct pkt udp_pkt(uint16_t sport, uint16_t dport)
{
	struct pkt p = {0};

	p.outer.present = PKT_IP4 | PKT_UDP | PKT_PORTS;
	p.outer.proto = 17;
	p.outer.sport = sport;
	p.outer.dport = dport;
	return p;
}

static struct pkt tcp_pkt(uint16_t sport, uint16_t dport)
{
	struct pkt p = udp_pkt(sport, dport);

	p.outer.present = PKT_IP4 | PKT_TCP | PKT_PORTS;
	p.outer.proto = 6;
	return p;
}

/* www.example.com A, id 0x1234, RD; as dig sends it (without EDNS). */
static const uint8_t query[] = {0x12, 0x34, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00,
				0x00, 3,    'w',  'w',	'w',  7,    'e',  'x',	'a',  'm',  'p',
				'l',  'e',  3,	  'c',	'o',  'm',  0,	  0x00, 0x01, 0x00, 0x01};

/* Its answer: one A record 192.0.2.7, the name a pointer to the question's. */
static const uint8_t answer[] = {0x12, 0x34, 0x81, 0x80, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00,
				 0x00, 0x00, 3,	   'w',	 'w',  'w',  7,	   'e',	 'x',  'a',
				 'm',  'p',  'l',  'e',	 3,    'c',  'o',  'm',	 0,    0x00,
				 0x01, 0x00, 0x01, 0xc0, 0x0c, 0x00, 0x01, 0x00, 0x01, 0x00,
				 0x00, 0x01, 0x2c, 0x00, 0x04, 192,  0,	   2,	 7};

static void test_dns(void **state)
{
	struct pkt q = udp_pkt(40000, 53), a = udp_pkt(53, 40000);
	uint8_t nx[sizeof(query)], aaaa[sizeof(query)];
	char buf[200];

	(void)state;
	assert_true(app_summary(&q, query, sizeof(query), buf, sizeof(buf)));
	assert_string_equal(buf, "DNS query A www.example.com");
	assert_true(app_summary(&a, answer, sizeof(answer), buf, sizeof(buf)));
	assert_string_equal(buf, "DNS response A www.example.com -> 192.0.2.7");
	memcpy(nx, query, sizeof(query));
	nx[2] = 0x81;
	nx[3] = 0x83; /* a response, NXDOMAIN */
	assert_true(app_summary(&a, nx, sizeof(nx), buf, sizeof(buf)));
	assert_string_equal(buf, "DNS response A www.example.com: NXDOMAIN");
	memcpy(aaaa, query, sizeof(query));
	aaaa[sizeof(aaaa) - 3] = 28;
	assert_true(app_summary(&q, aaaa, sizeof(aaaa), buf, sizeof(buf)));
	assert_string_equal(buf, "DNS query AAAA www.example.com");
	/* Over TCP, behind a two-byte length. */
	{
		uint8_t t[sizeof(query) + 2] = {0, sizeof(query)};
		struct pkt tq = tcp_pkt(40000, 53);

		memcpy(t + 2, query, sizeof(query));
		assert_true(app_summary(&tq, t, sizeof(t), buf, sizeof(buf)));
		assert_string_equal(buf, "DNS query A www.example.com");
	}
	/* Not port 53: not DNS. */
	q = udp_pkt(40000, 9);
	assert_false(app_summary(&q, query, sizeof(query), buf, sizeof(buf)));
}

static void test_dns_hostile(void **state)
{
	struct pkt a = udp_pkt(53, 40000);
	uint8_t m[sizeof(answer)];
	char buf[200];
	size_t n;

	(void)state;
	/* Every truncation of a good message: never a read past its end (ASan), never a crash. */
	for (n = 0; n < sizeof(answer); n++) {
		uint8_t *cut = malloc(n ? n : 1);

		memcpy(cut, answer, n);
		app_summary(&a, cut, n, buf, sizeof(buf));
		free(cut);
	}
	/* A question cut inside its name says nothing. */
	assert_false(app_summary(&a, answer, 20, buf, sizeof(buf)));
	/* An answer's name that points at itself: a loop, ended. */
	memcpy(m, answer, sizeof(m));
	m[33] = 0xc0;
	m[34] = 33;
	assert_true(app_summary(&a, m, sizeof(m), buf, sizeof(buf)));
	assert_string_equal(buf, "DNS response A www.example.com");
	/* An answer count far past the end: only what is there. */
	memcpy(m, answer, sizeof(m));
	m[7] = 0xff;
	assert_true(app_summary(&a, m, sizeof(m), buf, sizeof(buf)));
	assert_string_equal(buf, "DNS response A www.example.com -> 192.0.2.7");
	/* Bytes that cannot be shown become '?'. */
	memcpy(m, answer, sizeof(m));
	m[13] = '\n';
	m[14] = ' ';
	assert_true(app_summary(&a, m, sizeof(m), buf, sizeof(buf)));
	assert_string_equal(buf, "DNS response A ??w.example.com -> 192.0.2.7");
	/* A small buffer is filled, not overrun. */
	assert_true(app_summary(&a, answer, sizeof(answer), buf, 10));
	assert_string_equal(buf, "DNS respo");
}

static void test_http(void **state)
{
	static const char get[] = "GET /index.html HTTP/1.1\r\nHost: www.example.com\r\n\r\n";
	static const char ok[] = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello";
	static const char nf[] = "HTTP/1.0 404 Not Found\r\n";
	static const char body[] = "hello, world\n";
	static const char half[] = "GET /index.html"; /* a request line cut short */
	struct pkt p = tcp_pkt(40000, 8080);
	char buf[200], big[300];

	(void)state;
	assert_true(app_summary(&p, (const uint8_t *)get, strlen(get), buf, sizeof(buf)));
	assert_string_equal(buf, "HTTP GET /index.html");
	assert_true(app_summary(&p, (const uint8_t *)ok, strlen(ok), buf, sizeof(buf)));
	assert_string_equal(buf, "HTTP 200 OK");
	assert_true(app_summary(&p, (const uint8_t *)nf, strlen(nf), buf, sizeof(buf)));
	assert_string_equal(buf, "HTTP 404 Not Found");
	assert_false(app_summary(&p, (const uint8_t *)body, strlen(body), buf, sizeof(buf)));
	assert_false(app_summary(&p, (const uint8_t *)half, strlen(half), buf, sizeof(buf)));
	/* A long target is cut, marked with "...". */
	memset(big, 'a', sizeof(big));
	memcpy(big, "GET /", 5);
	memcpy(big + 200, " HTTP/1.1\r\n", 11);
	assert_true(app_summary(&p, (const uint8_t *)big, 211, buf, sizeof(buf)));
	assert_int_equal(strncmp(buf, "HTTP GET /aaaa", 14), 0);
	assert_string_equal(buf + strlen(buf) - 3, "...");
	/* Not over UDP. */
	p = udp_pkt(40000, 80);
	assert_false(app_summary(&p, (const uint8_t *)get, strlen(get), buf, sizeof(buf)));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dns),
		cmocka_unit_test(test_dns_hostile),
		cmocka_unit_test(test_http),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
