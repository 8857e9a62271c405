// SPDX-License-Identifier: GPL-2.0-or-later
/* Routes over rtnetlink: default and prefix routes via a gateway and/or a device, in any table. */
#include "topo/route.h"

#include <inttypes.h>
#include <stdbool.h>
#include <libmnl/libmnl.h>
#include <stdio.h>
#include <linux/rtnetlink.h>

#include "topo/link.h"

int route_add(struct nl_sock *s, const struct ipaddr *dst, int plen, const struct ipaddr *gw,
	      const char *dev, struct diag *d)
{
	return route_add_table(s, dst, plen, gw, dev, RT_TABLE_MAIN, d);
}

/*
 * One RTM_NEWROUTE (add) or RTM_DELROUTE request: dst/plen via gw and/or dev,
 * in table. A rejection is prefixed with the route as ip route writes it.
 */
static int route_request(struct nl_sock *s, bool add, const struct ipaddr *dst, int plen,
			 const struct ipaddr *gw, const char *dev, uint32_t table, struct diag *d)
{
	char buf[NL_REQUEST_SIZE] = {0}, t1[IPADDR_STRLEN], t2[IPADDR_STRLEN];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct rtmsg *rtm;
	int index = -1;

	if (!table)
		table = RT_TABLE_MAIN;
	if (dev) {
		index = link_index(s, dev, d);
		if (index < 0)
			return -1;
	}
	nlh->nlmsg_type = add ? RTM_NEWROUTE : RTM_DELROUTE;
	if (add)
		nlh->nlmsg_flags = NLM_F_CREATE | NLM_F_EXCL;
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = (uint8_t)dst->family;
	rtm->rtm_dst_len = (uint8_t)plen;
	/* rtm_table has 8 bits: larger tables go in RTA_TABLE only, as iproute2 does. */
	rtm->rtm_table = table < 256 ? (uint8_t)table : RT_TABLE_UNSPEC;
	if (add) {
		rtm->rtm_protocol = RTPROT_STATIC;
		rtm->rtm_type = RTN_UNICAST;
		/* Without a gateway the prefix is on the link, as "ip route add X dev Y" makes it.
		 */
		rtm->rtm_scope = gw ? RT_SCOPE_UNIVERSE : RT_SCOPE_LINK;
	} else {
		rtm->rtm_scope =
			RT_SCOPE_NOWHERE; /* any scope, protocol and type: as ip route del */
	}
	if (plen > 0)
		mnl_attr_put(nlh, RTA_DST, (size_t)ipaddr_len(dst), dst->b);
	if (gw)
		mnl_attr_put(nlh, RTA_GATEWAY, (size_t)ipaddr_len(gw), gw->b);
	if (index >= 0)
		mnl_attr_put_u32(nlh, RTA_OIF, (uint32_t)index);
	mnl_attr_put_u32(nlh, RTA_TABLE, table);
	if (nl_request(s, nlh, d)) {
		char tt[24] = "";

		if (table != RT_TABLE_MAIN)
			snprintf(tt, sizeof(tt), " table %" PRIu32, table);
		diag_prefix(d, "%s/%d%s%s%s%s%s", ipaddr_fmt(dst, t1), plen, gw ? " via " : "",
			    gw ? ipaddr_fmt(gw, t2) : "", dev ? " dev " : "", dev ? dev : "", tt);
		return -1;
	}
	return 0;
}

int route_add_table(struct nl_sock *s, const struct ipaddr *dst, int plen, const struct ipaddr *gw,
		    const char *dev, uint32_t table, struct diag *d)
{
	return route_request(s, true, dst, plen, gw, dev, table, d);
}

int route_del(struct nl_sock *s, const struct ipaddr *dst, int plen, const struct ipaddr *gw,
	      const char *dev, uint32_t table, struct diag *d)
{
	return route_request(s, false, dst, plen, gw, dev, table, d);
}
