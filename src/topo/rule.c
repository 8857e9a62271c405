// SPDX-License-Identifier: GPL-2.0-or-later
/* Policy routing rules over rtnetlink (RTM_NEWRULE, "ip rule add"). */
#include "topo/rule.h"

#include <inttypes.h>
#include <libmnl/libmnl.h>
#include <linux/fib_rules.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <sys/socket.h>

int rule_add(struct nl_sock *s, const struct rule_spec *r, struct diag *d)
{
	char buf[NL_REQUEST_SIZE] = {0}, t1[IPADDR_STRLEN], t2[IPADDR_STRLEN];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct fib_rule_hdr *frh;

	nlh->nlmsg_type = RTM_NEWRULE;
	nlh->nlmsg_flags = NLM_F_CREATE | NLM_F_EXCL;
	frh = mnl_nlmsg_put_extra_header(nlh, sizeof(*frh));
	frh->family = (uint8_t)r->family;
	frh->action = FR_ACT_TO_TBL;
	/* The header's table has 8 bits: larger tables go in FRA_TABLE only. */
	frh->table = r->table < 256 ? (uint8_t)r->table : RT_TABLE_UNSPEC;
	if (r->from) {
		frh->src_len = (uint8_t)r->from_plen;
		mnl_attr_put(nlh, FRA_SRC, (size_t)ipaddr_len(r->from), r->from->b);
	}
	if (r->to) {
		frh->dst_len = (uint8_t)r->to_plen;
		mnl_attr_put(nlh, FRA_DST, (size_t)ipaddr_len(r->to), r->to->b);
	}
	if (r->has_fwmark) {
		mnl_attr_put_u32(nlh, FRA_FWMARK, r->fwmark);
		mnl_attr_put_u32(nlh, FRA_FWMASK, r->fwmask);
	}
	if (r->iif)
		mnl_attr_put_strz(nlh, FRA_IIFNAME, r->iif);
	if (r->oif)
		mnl_attr_put_strz(nlh, FRA_OIFNAME, r->oif);
	if (r->has_priority)
		mnl_attr_put_u32(nlh, FRA_PRIORITY, r->priority);
	mnl_attr_put_u32(nlh, FRA_TABLE, r->table);
	if (nl_request(s, nlh, d)) {
		char from[IPADDR_STRLEN + 8] = "all", to[IPADDR_STRLEN + 12] = "";

		if (r->from)
			snprintf(from, sizeof(from), "%s/%d", ipaddr_fmt(r->from, t1),
				 r->from_plen);
		if (r->to)
			snprintf(to, sizeof(to), " to %s/%d", ipaddr_fmt(r->to, t2), r->to_plen);
		diag_prefix(d, "%s rule from %s%s lookup %" PRIu32,
			    r->family == AF_INET6 ? "IPv6" : "IPv4", from, to, r->table);
		return -1;
	}
	return 0;
}
