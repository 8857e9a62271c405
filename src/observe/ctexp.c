// SPDX-License-Identifier: GPL-2.0-or-later
/* Conntrack expectations of one node (what helpers such as ftp and sip expect), dumped on demand.
 */
#include "observe/ctexp.h"

#include <arpa/inet.h>
#include <libmnl/libmnl.h>
#include <libnetfilter_conntrack/libnetfilter_conntrack.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>
#include <stdio.h>
#include <string.h>

#include "observe/event.h"
#include "topo/nl.h"

/* An address of a tuple (a conntrack object of an expectation) into out. */
static void tuple_addr(const struct nf_conntrack *ct, bool src, struct ipaddr *out)
{
	int family = nfct_get_attr_u8(ct, ATTR_L3PROTO);
	const void *a6;

	memset(out, 0, sizeof(*out));
	out->family = (uint8_t)family;
	if (family == AF_INET) {
		out->v4.s_addr =
			nfct_get_attr_u32(ct, src ? ATTR_ORIG_IPV4_SRC : ATTR_ORIG_IPV4_DST);
	} else if (family == AF_INET6) {
		a6 = nfct_get_attr(ct, src ? ATTR_ORIG_IPV6_SRC : ATTR_ORIG_IPV6_DST);
		if (a6)
			memcpy(out->b, a6, 16);
	}
}

static bool has_ports(uint8_t proto)
{
	return proto == 6 || proto == 17 || proto == 132 || proto == 33 || proto == 136;
}

/* A wildcard in the mask: all its bytes zero. */
static bool mask_zero(const struct ipaddr *a)
{
	static const uint8_t zero[16];

	return !memcmp(a->b, zero, a->family == AF_INET6 ? 16 : 4);
}

static void exp_fill(const struct nf_expect *exp, struct exp_rec *r)
{
	const struct nf_conntrack *t = nfexp_get_attr(exp, ATTR_EXP_EXPECTED);
	const struct nf_conntrack *mask = nfexp_get_attr(exp, ATTR_EXP_MASK);
	const struct nf_conntrack *m = nfexp_get_attr(exp, ATTR_EXP_MASTER);
	struct ipaddr msrc;

	memset(r, 0, sizeof(*r));
	if (t) {
		r->proto = nfct_get_attr_u8(t, ATTR_L4PROTO);
		tuple_addr(t, true, &r->src);
		tuple_addr(t, false, &r->dst);
		if (has_ports(r->proto)) {
			r->present |= EXP_HAS_PORTS;
			r->sport = ntohs(nfct_get_attr_u16(t, ATTR_ORIG_PORT_SRC));
			r->dport = ntohs(nfct_get_attr_u16(t, ATTR_ORIG_PORT_DST));
		}
	}
	r->present |= EXP_HAS_SRC | EXP_HAS_SPORT;
	if (mask) { /* a helper leaves out what it cannot know: the peer's source port */
		tuple_addr(mask, true, &msrc);
		if (mask_zero(&msrc))
			r->present &= ~(uint32_t)EXP_HAS_SRC;
		if (!nfct_get_attr_u16(mask, ATTR_ORIG_PORT_SRC))
			r->present &= ~(uint32_t)EXP_HAS_SPORT;
	}
	if (!(r->present & EXP_HAS_PORTS))
		r->present &= ~(uint32_t)EXP_HAS_SPORT;
	if (m) {
		r->master_proto = nfct_get_attr_u8(m, ATTR_L4PROTO);
		tuple_addr(m, true, &r->master_src);
		tuple_addr(m, false, &r->master_dst);
		if (has_ports(r->master_proto)) {
			r->present |= EXP_HAS_MASTER_PORTS;
			r->master_sport = ntohs(nfct_get_attr_u16(m, ATTR_ORIG_PORT_SRC));
			r->master_dport = ntohs(nfct_get_attr_u16(m, ATTR_ORIG_PORT_DST));
		}
	}
	if (nfexp_attr_is_set(exp, ATTR_EXP_HELPER_NAME) > 0)
		snprintf(r->helper, sizeof(r->helper), "%s",
			 (const char *)nfexp_get_attr(exp, ATTR_EXP_HELPER_NAME));
	r->timeout = nfexp_get_attr_u32(exp, ATTR_EXP_TIMEOUT);
	r->flags = nfexp_get_attr_u32(exp, ATTR_EXP_FLAGS);
	r->class = nfexp_get_attr_u32(exp, ATTR_EXP_CLASS);
	r->zone = nfexp_get_attr_u16(exp, ATTR_EXP_ZONE);
}

struct exp_ctx {
	struct evlog *log;
	size_t node;
};

static int exp_msg_cb(const struct nlmsghdr *nlh, void *data)
{
	struct exp_ctx *xc = data;
	struct nf_expect *exp = nfexp_new();

	if (!exp)
		return MNL_CB_ERROR;
	if (nfexp_nlmsg_parse(nlh, exp) == 0)
		exp_fill(exp, &evlog_add_node(xc->log, EV_CT_EXP, xc->node, NULL, 0)->exp);
	nfexp_destroy(exp);
	return MNL_CB_OK;
}

int ctexp_dump(int nsfd, size_t node, struct evlog *log, struct diag *d)
{
	char buf[NL_REQUEST_SIZE] = {0}; /* zeroed: see NL_REQUEST_SIZE */
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct exp_ctx xc = {log, node};
	struct nfgenmsg *nfg;
	struct nl_sock *s;
	int rc;

	nlh->nlmsg_type = (NFNL_SUBSYS_CTNETLINK_EXP << 8) | IPCTNL_MSG_EXP_GET;
	nfg = mnl_nlmsg_put_extra_header(nlh, sizeof(*nfg));
	nfg->nfgen_family = AF_UNSPEC; /* every family */
	nfg->version = NFNETLINK_V0;
	s = nl_open(nsfd, NETLINK_NETFILTER, d);
	if (!s)
		return -1;
	rc = nl_dump(s, nlh, exp_msg_cb, &xc, d);
	nl_close(s);
	if (rc)
		diag_prefix(d, "cannot dump the conntrack expectations");
	return rc;
}

/* "192.0.2.10:41000" (IPv6 in brackets), or the address alone without a port. */
static const char *endpoint(const struct ipaddr *a, bool port, uint16_t p, char *buf, size_t len)
{
	char s[IPADDR_STRLEN];

	ipaddr_fmt(a, s);
	if (!port)
		snprintf(buf, len, "%s", s);
	else if (a->family == AF_INET6)
		snprintf(buf, len, "[%s]:%u", s, p);
	else
		snprintf(buf, len, "%s:%u", s, p);
	return buf;
}

const char *exp_summary(const struct exp_rec *x, char *buf, size_t len)
{
	char s[IPADDR_STRLEN + 8], d[IPADDR_STRLEN + 8], ms[IPADDR_STRLEN + 8],
		md[IPADDR_STRLEN + 8];
	const char *proto = x->proto == 6 ? "tcp" : x->proto == 17 ? "udp" : NULL;
	size_t n;

	if (x->present & EXP_HAS_SRC)
		endpoint(&x->src, x->present & EXP_HAS_SPORT, x->sport, s, sizeof(s));
	else
		snprintf(s, sizeof(s), "any");
	endpoint(&x->dst, x->present & EXP_HAS_PORTS, x->dport, d, sizeof(d));
	endpoint(&x->master_src, x->present & EXP_HAS_MASTER_PORTS, x->master_sport, ms,
		 sizeof(ms));
	endpoint(&x->master_dst, x->present & EXP_HAS_MASTER_PORTS, x->master_dport, md,
		 sizeof(md));
	if (proto)
		n = (size_t)snprintf(buf, len, "[EXPECT] %s %s -> %s", proto, s, d);
	else
		n = (size_t)snprintf(buf, len, "[EXPECT] proto %u %s -> %s", x->proto, s, d);
	if (n < len)
		n += (size_t)snprintf(buf + n, len - n, " master %s -> %s", ms, md);
	if (n < len && x->helper[0])
		n += (size_t)snprintf(buf + n, len - n, " helper %s", x->helper);
	if (n < len)
		snprintf(buf + n, len - n, " timeout %u", x->timeout);
	return buf;
}
