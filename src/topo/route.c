// SPDX-License-Identifier: GPL-2.0-or-later
/* Routes over rtnetlink: default and prefix routes via a gateway and/or a device. */
#include "topo/route.h"

#include <libmnl/libmnl.h>
#include <linux/rtnetlink.h>

#include "topo/link.h"

int route_add(struct nl_sock *s, const struct ipaddr *dst, int plen, const struct ipaddr *gw,
	      const char *dev, struct diag *d)
{
	char buf[NL_REQUEST_SIZE] = {0}, t1[IPADDR_STRLEN], t2[IPADDR_STRLEN];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct rtmsg *rtm;
	int index = -1;

	if (dev) {
		index = link_index(s, dev, d);
		if (index < 0)
			return -1;
	}
	nlh->nlmsg_type = RTM_NEWROUTE;
	nlh->nlmsg_flags = NLM_F_CREATE | NLM_F_EXCL;
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = (uint8_t)dst->family;
	rtm->rtm_dst_len = (uint8_t)plen;
	rtm->rtm_table = RT_TABLE_MAIN;
	rtm->rtm_protocol = RTPROT_STATIC;
	rtm->rtm_type = RTN_UNICAST;
	/* Without a gateway the prefix is on the link, as "ip route add X dev Y" makes it. */
	rtm->rtm_scope = gw ? RT_SCOPE_UNIVERSE : RT_SCOPE_LINK;
	if (plen > 0)
		mnl_attr_put(nlh, RTA_DST, (size_t)ipaddr_len(dst), dst->b);
	if (gw)
		mnl_attr_put(nlh, RTA_GATEWAY, (size_t)ipaddr_len(gw), gw->b);
	if (index >= 0)
		mnl_attr_put_u32(nlh, RTA_OIF, (uint32_t)index);
	if (nl_request(s, nlh, d)) {
		diag_prefix(d, "%s/%d%s%s%s%s", ipaddr_fmt(dst, t1), plen, gw ? " via " : "",
			    gw ? ipaddr_fmt(gw, t2) : "", dev ? " dev " : "", dev ? dev : "");
		return -1;
	}
	return 0;
}
