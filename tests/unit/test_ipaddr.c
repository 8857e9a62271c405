// SPDX-License-Identifier: GPL-2.0-or-later
/* Addresses as lab files write them: parsing, prefixes and formatting. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <sys/socket.h>

#include "util/ipaddr.h"

static void test_parse(void **state)
{
	struct ipaddr a;
	char buf[IPADDR_STRLEN];
	int plen;

	(void)state;
	assert_int_equal(ipaddr_parse("192.0.2.1", &a, &plen), 0);
	assert_int_equal(a.family, AF_INET);
	assert_int_equal(plen, -1);
	assert_string_equal(ipaddr_fmt(&a, buf), "192.0.2.1");
	assert_int_equal(ipaddr_parse("2001:db8::1/64", &a, &plen), 0);
	assert_int_equal(a.family, AF_INET6);
	assert_int_equal(plen, 64);
	assert_string_equal(ipaddr_fmt(&a, buf), "2001:db8::1");
	assert_int_equal(ipaddr_parse("10.0.0.0/0", &a, &plen), 0);
	assert_int_equal(plen, 0);
}

static void test_bad(void **state)
{
	struct ipaddr a;
	int plen;

	(void)state;
	assert_int_equal(ipaddr_parse("", &a, &plen), -1);
	assert_int_equal(ipaddr_parse("192.0.2.256", &a, &plen), -1);
	assert_int_equal(ipaddr_parse("192.0.2.1/33", &a, &plen), -1);
	assert_int_equal(ipaddr_parse("2001:db8::/129", &a, &plen), -1);
	assert_int_equal(ipaddr_parse("192.0.2.1/", &a, &plen), -1);
	assert_int_equal(ipaddr_parse("192.0.2.1/2x", &a, &plen), -1);
	assert_int_equal(ipaddr_parse("192.0.2.1/24", &a, NULL), -1);
	assert_int_equal(ipaddr_parse("host.example", &a, &plen), -1);
}

static void test_prefix(void **state)
{
	struct ipaddr a, net;
	int plen;

	(void)state;
	ipaddr_parse("192.168.1.20", &a, NULL);
	ipaddr_parse("192.168.0.0/16", &net, &plen);
	assert_true(ipaddr_in_prefix(&a, &net, plen));
	ipaddr_parse("192.168.1.0/28", &net, &plen);
	assert_false(ipaddr_in_prefix(&a, &net, plen));
	ipaddr_parse("192.168.1.16/28", &net, &plen);
	assert_true(ipaddr_in_prefix(&a, &net, plen));
	ipaddr_parse("2001:db8::/32", &net, &plen);
	assert_false(ipaddr_in_prefix(&a, &net, plen)); /* family differs */
	ipaddr_parse("2001:db8:1::5", &a, NULL);
	assert_true(ipaddr_in_prefix(&a, &net, plen));
	ipaddr_parse("2001:db9::5", &a, NULL);
	assert_false(ipaddr_in_prefix(&a, &net, plen));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_bad),
		cmocka_unit_test(test_prefix),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
