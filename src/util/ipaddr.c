// SPDX-License-Identifier: GPL-2.0-or-later
/* IPv4/IPv6 addresses with an optional prefix length, and MAC addresses, as lab files write them.
 */
#include "util/ipaddr.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int ipaddr_parse(const char *text, struct ipaddr *out, int *plen)
{
	char buf[IPADDR_STRLEN];
	const char *slash = strchr(text, '/');
	size_t n = slash ? (size_t)(slash - text) : strlen(text);
	int max;

	memset(out, 0, sizeof(*out));
	if (n == 0 || n >= sizeof(buf))
		return -1;
	memcpy(buf, text, n);
	buf[n] = '\0';
	if (inet_pton(AF_INET, buf, &out->v4) == 1)
		out->family = AF_INET;
	else if (inet_pton(AF_INET6, buf, &out->v6) == 1)
		out->family = AF_INET6;
	else
		return -1;
	max = out->family == AF_INET ? 32 : 128;
	if (!slash) {
		if (plen)
			*plen = -1;
		return 0;
	}
	if (!plen)
		return -1;
	{
		char *end;
		long v;

		errno = 0;
		v = strtol(slash + 1, &end, 10);
		if (errno || end == slash + 1 || *end || v < 0 || v > max)
			return -1;
		*plen = (int)v;
	}
	return 0;
}

const char *ipaddr_fmt(const struct ipaddr *a, char *buf)
{
	if (!a->family || !inet_ntop(a->family, a->b, buf, IPADDR_STRLEN))
		strcpy(buf, "?");
	return buf;
}

int ipaddr_len(const struct ipaddr *a)
{
	return a->family == AF_INET ? 4 : a->family == AF_INET6 ? 16 : 0;
}

bool ipaddr_equal(const struct ipaddr *a, const struct ipaddr *b)
{
	return a->family == b->family && memcmp(a->b, b->b, ipaddr_len(a)) == 0;
}

bool ipaddr_in_prefix(const struct ipaddr *a, const struct ipaddr *net, int plen)
{
	int full = plen / 8, rest = plen % 8;

	if (a->family != net->family || plen > ipaddr_len(a) * 8)
		return false;
	if (memcmp(a->b, net->b, full))
		return false;
	if (rest) {
		uint8_t mask = (uint8_t)(0xff << (8 - rest));

		return (a->b[full] & mask) == (net->b[full] & mask);
	}
	return true;
}

int mac_parse(const char *text, uint8_t mac[6])
{
	unsigned int b[6];
	char tail;
	int i;

	if (sscanf(text, "%x:%x:%x:%x:%x:%x%c", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5], &tail) !=
	    6)
		return -1;
	for (i = 0; i < 6; i++) {
		if (b[i] > 0xff)
			return -1;
		mac[i] = (uint8_t)b[i];
	}
	return 0;
}
