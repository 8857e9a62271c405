// SPDX-License-Identifier: GPL-2.0-or-later
/* Interface addresses over rtnetlink; IPv6 ones are usable at once (no DAD). */
#include "topo/addr.h"

#include <libmnl/libmnl.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>
#include <string.h>

#include "topo/link.h"

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
