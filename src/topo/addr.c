// SPDX-License-Identifier: GPL-2.0-or-later
/* Interface addresses over rtnetlink; IPv6 ones are usable at once (no DAD). */
#include "topo/addr.h"

#include <libmnl/libmnl.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "topo/link.h"
#include "topo/netns.h"
#include "util/clock.h"

int addr_add(struct nl_sock *s, const char *ifname, const struct ipaddr *a, int plen,
	     struct diag *d)
{
	char buf[NL_REQUEST_SIZE] = {0}, text[IPADDR_STRLEN];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ifaddrmsg *ifa;
	int index = link_index(s, ifname, d);
	uint16_t alen = (uint16_t)ipaddr_len(a);

	if (index < 0)
		return -1;
	nlh->nlmsg_type = RTM_NEWADDR;
	nlh->nlmsg_flags = NLM_F_CREATE | NLM_F_EXCL;
	ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	ifa->ifa_family = (uint8_t)a->family;
	ifa->ifa_prefixlen = (uint8_t)plen;
	ifa->ifa_index = (uint32_t)index;
	mnl_attr_put(nlh, IFA_LOCAL, alen, a->b);
	mnl_attr_put(nlh, IFA_ADDRESS, alen, a->b);
	if (a->family == AF_INET && plen < 31) {
		struct ipaddr brd = *a;
		uint32_t host = plen ? 0xffffffffu >> plen : 0xffffffffu;

		brd.v4.s_addr |= htonl(host);
		mnl_attr_put(nlh, IFA_BROADCAST, 4, brd.b);
	}
	if (a->family == AF_INET6) {
		ifa->ifa_flags = IFA_F_NODAD;
		mnl_attr_put_u32(nlh, IFA_FLAGS, IFA_F_NODAD);
	}
	if (nl_request(s, nlh, d)) {
		diag_prefix(d, "address %s/%d on %s", ipaddr_fmt(a, text), plen, ifname);
		return -1;
	}
	return 0;
}

int addr_del(struct nl_sock *s, const char *ifname, const struct ipaddr *a, int plen,
	     struct diag *d)
{
	char buf[NL_REQUEST_SIZE] = {0}, text[IPADDR_STRLEN];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ifaddrmsg *ifa;
	int index = link_index(s, ifname, d);

	if (index < 0)
		return -1;
	nlh->nlmsg_type = RTM_DELADDR;
	ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	ifa->ifa_family = (uint8_t)a->family;
	ifa->ifa_prefixlen = (uint8_t)plen;
	ifa->ifa_index = (uint32_t)index;
	mnl_attr_put(nlh, IFA_LOCAL, (size_t)ipaddr_len(a), a->b);
	if (nl_request(s, nlh, d)) {
		diag_prefix(d, "address %s/%d on %s", ipaddr_fmt(a, text), plen, ifname);
		return -1;
	}
	return 0;
}

#define SETTLE_ADDRS 64 /* addresses checked for their solicited-node group */

struct settle {
	const int *ifindex; /* links that must have a usable link-local address */
	bool *has_ll;
	size_t n;
	int tentative;
	/* the IPv6 addresses of those links, whose solicited-node groups must be joined */
	struct {
		int ifindex;
		uint8_t addr[16];
	} a[SETTLE_ADDRS];
	size_t n_a;
};

static int settle_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct ifaddrmsg *ifa = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *a;
	const uint8_t *addr = NULL;
	struct settle *st = data;
	uint32_t flags;
	size_t i;

	if (nlh->nlmsg_type != RTM_NEWADDR || ifa->ifa_family != AF_INET6)
		return MNL_CB_OK;
	flags = ifa->ifa_flags;
	mnl_attr_for_each(a, nlh, sizeof(*ifa))
	{
		if (mnl_attr_get_type(a) == IFA_FLAGS && mnl_attr_get_payload_len(a) >= 4)
			flags = mnl_attr_get_u32(a);
		if (mnl_attr_get_type(a) == IFA_ADDRESS && mnl_attr_get_payload_len(a) == 16)
			addr = mnl_attr_get_payload(a);
	}
	if (flags & IFA_F_TENTATIVE) {
		st->tentative++;
		return MNL_CB_OK;
	}
	for (i = 0; addr && i < st->n; i++) {
		if (st->ifindex[i] != (int)ifa->ifa_index)
			continue;
		if (addr[0] == 0xfe && (addr[1] & 0xc0) == 0x80)
			st->has_ll[i] = true;
		if (st->n_a < SETTLE_ADDRS) {
			st->a[st->n_a].ifindex = (int)ifa->ifa_index;
			memcpy(st->a[st->n_a++].addr, addr, 16);
		}
	}
	return MNL_CB_OK;
}

/*
 * Counts the addresses whose solicited-node multicast group (ff02::1:ffXX:XXXX)
 * their link has not joined yet: the kernel joins it in the background, and
 * ignores neighbour solicitations for the address until then.
 */
static int groups_missing(int nsfd, const struct settle *st, struct diag *d)
{
	char line[256];
	int missing = 0;
	size_t i;
	FILE *f;

	if (netns_enter(nsfd, d))
		return -1;
	f = fopen("/proc/thread-self/net/igmp6", "r");
	if (netns_restore(d)) {
		if (f)
			fclose(f);
		return -1;
	}
	if (!f)
		return 0; /* no IPv6 in this kernel: nothing to wait for */
	for (i = 0; i < st->n_a; i++) {
		char want[40];
		bool found = false;

		snprintf(want, sizeof(want), "ff0200000000000000000001ff%02x%02x%02x",
			 st->a[i].addr[13], st->a[i].addr[14], st->a[i].addr[15]);
		rewind(f);
		while (!found && fgets(line, sizeof(line), f)) {
			int idx;
			char name[32], group[40];

			found = sscanf(line, "%d %31s %39s", &idx, name, group) == 3 &&
				idx == st->a[i].ifindex && !strcmp(group, want);
		}
		missing += !found;
	}
	fclose(f);
	return missing;
}

int addr_wait_settled(struct nl_sock *s, int nsfd, const int *ifindex, size_t n,
		      uint64_t timeout_ns, struct diag *d)
{
	bool *has_ll = calloc(n + 1, sizeof(*has_ll));
	struct mnl_socket *watch = nl_mnl_open(nsfd, NETLINK_ROUTE, SOCK_NONBLOCK, d);
	uint64_t deadline = now_mono_ns() + timeout_ns;
	int rc = -1;

	/* Subscribed before looking, so the change that settles it is never missed. */
	if (!watch || mnl_socket_bind(watch, RTMGRP_IPV6_IFADDR, MNL_SOCKET_AUTOPID)) {
		if (watch)
			diag_errno(d, "cannot watch addresses");
		goto out;
	}
	for (;;) {
		char req[NL_REQUEST_SIZE] = {0}; /* zeroed: see NL_REQUEST_SIZE */
		struct nlmsghdr *nlh = mnl_nlmsg_put_header(req);
		struct settle st = {.ifindex = ifindex, .has_ll = has_ll, .n = n};
		struct ifaddrmsg *ifa;
		size_t missing = 0, i;
		int groups;

		nlh->nlmsg_type = RTM_GETADDR;
		ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
		ifa->ifa_family = AF_INET6;
		memset(has_ll, 0, n * sizeof(*has_ll));
		if (nl_dump(s, nlh, settle_cb, &st, d))
			goto out;
		for (i = 0; i < n; i++)
			missing += !has_ll[i];
		groups = groups_missing(nsfd, &st, d);
		if (groups < 0)
			goto out;
		if (!st.tentative && !missing && !groups)
			break;
		if (!nl_wait_news(watch, deadline)) {
			diag_set(d,
				 "IPv6 not ready after %llu ms (%d tentative address%s, %zu link%s "
				 "without a link-local address, %d solicited-node group%s not "
				 "joined)",
				 (unsigned long long)(timeout_ns / 1000000), st.tentative,
				 st.tentative == 1 ? "" : "es", missing, missing == 1 ? "" : "s",
				 groups, groups == 1 ? "" : "s");
			goto out;
		}
	}
	rc = 0;
out:
	if (watch)
		mnl_socket_close(watch);
	free(has_ll);
	return rc;
}
