// SPDX-License-Identifier: GPL-2.0-or-later
/* Conntrack of one node: its event stream (NEW, UPDATE, DESTROY) and table dumps. */
#include "observe/ctev.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdbool.h>
#include <libmnl/libmnl.h>
#include <libnetfilter_conntrack/libnetfilter_conntrack.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>
#include <stdlib.h>
#include <string.h>

#include "observe/event.h"
#include "observe/nlwatch.h"
#include "topo/nl.h"
#include "util/xalloc.h"

struct ctev {
	struct nlwatch *w;
	size_t node;
};

struct ctev *ctev_open(int nsfd, size_t node, int rcvbuf, const char *what, struct diag *d)
{
	struct ctev *c = xzalloc(sizeof(*c));

	c->node = node;
	c->w = nlwatch_open(nsfd,
			    NF_NETLINK_CONNTRACK_NEW | NF_NETLINK_CONNTRACK_UPDATE |
				    NF_NETLINK_CONNTRACK_DESTROY,
			    rcvbuf, what, d);
	if (!c->w) {
		free(c);
		return NULL;
	}
	return c;
}

void ctev_close(struct ctev *c)
{
	if (!c)
		return;
	nlwatch_close(c->w);
	free(c);
}

int ctev_fd(const struct ctev *c)
{
	return nlwatch_fd(c->w);
}

static void get_addr(const struct nf_conntrack *ct, int family, int a4, int a6, struct ipaddr *out)
{
	memset(out, 0, sizeof(*out));
	out->family = family;
	if (family == AF_INET)
		out->v4.s_addr = nfct_get_attr_u32(ct, a4);
	else if (family == AF_INET6)
		memcpy(out->b, nfct_get_attr(ct, a6), 16);
}

/* Converts a parsed nf_conntrack into the record expectations look at. */
static void ct_fill(const struct nf_conntrack *ct, uint8_t event, struct ct_rec *r)
{
	int family = nfct_get_attr_u8(ct, ATTR_L3PROTO);

	memset(r, 0, sizeof(*r));
	r->event = event;
	r->proto = nfct_get_attr_u8(ct, ATTR_L4PROTO);
	get_addr(ct, family, ATTR_ORIG_IPV4_SRC, ATTR_ORIG_IPV6_SRC, &r->orig_src);
	get_addr(ct, family, ATTR_ORIG_IPV4_DST, ATTR_ORIG_IPV6_DST, &r->orig_dst);
	get_addr(ct, family, ATTR_REPL_IPV4_SRC, ATTR_REPL_IPV6_SRC, &r->reply_src);
	get_addr(ct, family, ATTR_REPL_IPV4_DST, ATTR_REPL_IPV6_DST, &r->reply_dst);
	if (nfct_attr_is_set(ct, ATTR_ORIG_PORT_SRC) > 0) {
		r->present |= CT_HAS_PORTS;
		r->orig_sport = ntohs(nfct_get_attr_u16(ct, ATTR_ORIG_PORT_SRC));
		r->orig_dport = ntohs(nfct_get_attr_u16(ct, ATTR_ORIG_PORT_DST));
		r->reply_sport = ntohs(nfct_get_attr_u16(ct, ATTR_REPL_PORT_SRC));
		r->reply_dport = ntohs(nfct_get_attr_u16(ct, ATTR_REPL_PORT_DST));
	}
	if (nfct_attr_is_set(ct, ATTR_ICMP_TYPE) > 0) {
		r->present |= CT_HAS_ICMP;
		r->icmp_type = nfct_get_attr_u8(ct, ATTR_ICMP_TYPE);
		r->icmp_code = nfct_get_attr_u8(ct, ATTR_ICMP_CODE);
		r->icmp_id = ntohs(nfct_get_attr_u16(ct, ATTR_ICMP_ID));
	}
	if (nfct_attr_is_set(ct, ATTR_TCP_STATE) > 0) {
		r->present |= CT_HAS_TCP_STATE;
		r->tcp_state = nfct_get_attr_u8(ct, ATTR_TCP_STATE);
	}
	if (nfct_attr_is_set(ct, ATTR_TIMEOUT) > 0) {
		r->present |= CT_HAS_TIMEOUT;
		r->timeout = nfct_get_attr_u32(ct, ATTR_TIMEOUT);
	}
	if (nfct_attr_is_set(ct, ATTR_HELPER_NAME) > 0) {
		r->present |= CT_HAS_HELPER;
		snprintf(r->helper, sizeof(r->helper), "%s",
			 (const char *)nfct_get_attr(ct, ATTR_HELPER_NAME));
	}
	r->status = nfct_get_attr_u32(ct, ATTR_STATUS);
	r->mark = nfct_get_attr_u32(ct, ATTR_MARK);
	r->zone = nfct_get_attr_u16(ct, ATTR_ZONE);
	r->id = nfct_get_attr_u32(ct, ATTR_ID);
}

/*
 * What libnetfilter_conntrack leaves out of a message: the reply tuple's ICMP
 * id, and the zone of each tuple. A directional zone ("ct original zone set
 * 1") is a CTA_TUPLE_ZONE in its tuple and no CTA_ZONE; a zone of both
 * directions is CTA_ZONE alone.
 */
struct tuple_extras {
	bool has_zone;
	uint16_t zone;
	bool has_icmp_id;
	uint16_t icmp_id;
};

static int proto_attr_cb(const struct nlattr *a, void *data)
{
	struct tuple_extras *t = data;
	int type = mnl_attr_get_type(a);

	if ((type == CTA_PROTO_ICMP_ID || type == CTA_PROTO_ICMPV6_ID) &&
	    mnl_attr_validate(a, MNL_TYPE_U16) >= 0) {
		t->has_icmp_id = true;
		t->icmp_id = ntohs(mnl_attr_get_u16(a));
	}
	return MNL_CB_OK;
}

static int tuple_attr_cb(const struct nlattr *a, void *data)
{
	struct tuple_extras *t = data;

	if (mnl_attr_get_type(a) == CTA_TUPLE_ZONE && mnl_attr_validate(a, MNL_TYPE_U16) >= 0) {
		t->has_zone = true;
		t->zone = ntohs(mnl_attr_get_u16(a));
	} else if (mnl_attr_get_type(a) == CTA_TUPLE_PROTO &&
		   mnl_attr_validate(a, MNL_TYPE_NESTED) >= 0) {
		mnl_attr_parse_nested(a, proto_attr_cb, t);
	}
	return MNL_CB_OK;
}

static void ct_fill_tuples(const struct nlmsghdr *nlh, struct ct_rec *r)
{
	struct tuple_extras orig = {0}, reply = {0};
	const struct nlattr *a;

	mnl_attr_for_each(a, nlh, sizeof(struct nfgenmsg))
	{
		struct tuple_extras *t = mnl_attr_get_type(a) == CTA_TUPLE_ORIG	   ? &orig
					 : mnl_attr_get_type(a) == CTA_TUPLE_REPLY ? &reply
										   : NULL;

		if (t && mnl_attr_validate(a, MNL_TYPE_NESTED) >= 0)
			mnl_attr_parse_nested(a, tuple_attr_cb, t);
	}
	r->zone_orig = orig.has_zone ? orig.zone : r->zone;
	r->zone_reply = reply.has_zone ? reply.zone : r->zone;
	r->reply_icmp_id = reply.has_icmp_id ? reply.icmp_id : r->icmp_id;
}

struct parse_ctx {
	struct evlog *log;
	size_t node;
	int dump;
};

static int ct_msg_cb(const struct nlmsghdr *nlh, void *data)
{
	struct parse_ctx *pc = data;
	struct nf_conntrack *ct = nfct_new();
	uint8_t type = CT_ENTRY;
	struct ct_rec r;

	if (!ct)
		return MNL_CB_ERROR;
	if (!pc->dump) {
		switch (nlh->nlmsg_type & 0xff) {
		case IPCTNL_MSG_CT_NEW:
			/* The kernel marks the first event of an entry with CREATE|EXCL. */
			type = nlh->nlmsg_flags & (NLM_F_CREATE | NLM_F_EXCL) ? CT_NEW : CT_UPDATE;
			break;
		case IPCTNL_MSG_CT_DELETE:
			type = CT_DESTROY;
			break;
		default:
			nfct_destroy(ct);
			return MNL_CB_OK;
		}
	}
	if (nfct_nlmsg_parse(nlh, ct) == 0) {
		ct_fill(ct, type, &r);
		ct_fill_tuples(nlh, &r);
		evlog_add_ct(pc->log, pc->node, &r);
	}
	nfct_destroy(ct);
	return MNL_CB_OK;
}

int ctev_read(struct ctev *c, struct evlog *log, struct diag *d)
{
	struct parse_ctx pc = {log, c->node, 0};
	size_t before = log->n;

	if (nlwatch_read(c->w, ct_msg_cb, &pc, d))
		return -1;
	return (int)(log->n - before);
}

static int stats_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *a;

	mnl_attr_for_each(a, nlh, sizeof(struct nfgenmsg))
	{
		if (mnl_attr_get_type(a) == CTA_STATS_GLOBAL_ENTRIES &&
		    mnl_attr_validate(a, MNL_TYPE_U32) >= 0)
			*(long *)data = (long)ntohl(mnl_attr_get_u32(a));
	}
	return MNL_CB_OK;
}

/* A ctnetlink request of type msg for every family, in buf. */
static struct nlmsghdr *ct_request(char *buf, int msg)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct nfgenmsg *nfg;

	nlh->nlmsg_type = (NFNL_SUBSYS_CTNETLINK << 8) | msg;
	nfg = mnl_nlmsg_put_extra_header(nlh, sizeof(*nfg));
	nfg->nfgen_family = AF_UNSPEC;
	nfg->version = NFNETLINK_V0;
	return nlh;
}

/*
 * The netns's entry count, every entry allocated and not yet freed (so at least
 * those in its table); -1 when the kernel does not say.
 */
static long ct_entries(struct nl_sock *s)
{
	char buf[NL_REQUEST_SIZE] = {0}; /* zeroed: see NL_REQUEST_SIZE */
	struct diag ignored = DIAG_INIT;
	long n = -1;

	if (nl_request_cb(s, ct_request(buf, IPCTNL_MSG_CT_GET_STATS), stats_cb, &n, &ignored))
		return -1;
	return n;
}

int ctev_dump(int nsfd, size_t node, struct evlog *log, struct diag *d)
{
	char buf[NL_REQUEST_SIZE] = {0}; /* zeroed: see NL_REQUEST_SIZE */
	struct parse_ctx pc = {log, node, 1};
	struct nl_sock *s = nl_open(nsfd, NETLINK_NETFILTER, d);
	int rc = 0;

	if (!s)
		return -1;
	/*
	 * A dump walks every bucket of the host-wide hash table for the few entries of
	 * this netns (262,144 buckets on the project's machine: 2.4 ms); an empty
	 * table needs no walk.
	 */
	if (ct_entries(s) != 0)
		rc = nl_dump(s, ct_request(buf, IPCTNL_MSG_CT_GET), ct_msg_cb, &pc, d);
	nl_close(s);
	return rc;
}

static const char *const tcp_states[] = {"NONE",     "SYN_SENT",   "SYN_RECV", "ESTABLISHED",
					 "FIN_WAIT", "CLOSE_WAIT", "LAST_ACK", "TIME_WAIT",
					 "CLOSE",    "SYN_SENT2"};

const char *ct_summary(const struct ct_rec *ct, char *buf, size_t len)
{
	static const char *const events[] = {"ENTRY", "NEW", "UPDATE", "DESTROY"};
	char a[IPADDR_STRLEN], b[IPADDR_STRLEN], c[IPADDR_STRLEN], e[IPADDR_STRLEN];
	char reply_id[16] = ""; /* the reply's ICMP id, when NAT changed it */
	size_t n;

	const char *proto = ct->proto == 6    ? "tcp"
			    : ct->proto == 17 ? "udp"
			    : ct->proto == 1  ? "icmp"
			    : ct->proto == 58 ? "icmpv6"
					      : NULL;

	if (proto)
		n = (size_t)snprintf(buf, len, "[%s] %s ", events[ct->event & 3], proto);
	else
		n = (size_t)snprintf(buf, len, "[%s] proto %u ", events[ct->event & 3], ct->proto);
	if (n < len && (ct->present & CT_HAS_TCP_STATE) && ct->tcp_state < 10)
		n += (size_t)snprintf(buf + n, len - n, "%s ", tcp_states[ct->tcp_state]);
	ipaddr_fmt(&ct->orig_src, a);
	ipaddr_fmt(&ct->orig_dst, b);
	ipaddr_fmt(&ct->reply_src, c);
	ipaddr_fmt(&ct->reply_dst, e);
	if (ct->reply_icmp_id != ct->icmp_id)
		snprintf(reply_id, sizeof(reply_id), " id=%u", ct->reply_icmp_id);
	if (n < len && (ct->present & CT_HAS_PORTS))
		n += (size_t)snprintf(
			buf + n, len - n,
			"src=%s dst=%s sport=%u dport=%u reply src=%s dst=%s sport=%u dport=%u", a,
			b, ct->orig_sport, ct->orig_dport, c, e, ct->reply_sport, ct->reply_dport);
	else if (n < len && (ct->present & CT_HAS_ICMP))
		n += (size_t)snprintf(buf + n, len - n,
				      "src=%s dst=%s type=%u code=%u id=%u reply src=%s dst=%s%s",
				      a, b, ct->icmp_type, ct->icmp_code, ct->icmp_id, c, e,
				      reply_id);
	else if (n < len)
		n += (size_t)snprintf(buf + n, len - n, "src=%s dst=%s reply src=%s dst=%s", a, b,
				      c, e);
	if (n < len) {
		static const char *const flags[] = {"EXPECTED",	 "SEEN_REPLY", "ASSURED",
						    "CONFIRMED", "SRC_NAT",    "DST_NAT"};
		int i;

		if (!(ct->status & 2))
			n += (size_t)snprintf(buf + n, len - n, " [UNREPLIED]");
		for (i = 0; i < 6 && n < len; i++)
			if (i != 1 && i != 3 && (ct->status & (1u << i)))
				n += (size_t)snprintf(buf + n, len - n, " [%s]", flags[i]);
		if (n < len && ct->mark)
			n += (size_t)snprintf(buf + n, len - n, " mark=%u", ct->mark);
		if (n < len && ct->zone)
			n += (size_t)snprintf(buf + n, len - n, " zone=%u", ct->zone);
		if (n < len && ct->zone_orig != ct->zone)
			n += (size_t)snprintf(buf + n, len - n, " zone-orig=%u", ct->zone_orig);
		if (n < len && ct->zone_reply != ct->zone)
			snprintf(buf + n, len - n, " zone-reply=%u", ct->zone_reply);
	}
	return buf;
}

int ctev_flush(int nsfd, struct diag *d)
{
	char buf[NL_REQUEST_SIZE] = {0}; /* zeroed: see NL_REQUEST_SIZE */
	struct nl_sock *s = nl_open(nsfd, NETLINK_NETFILTER, d);
	int rc;

	if (!s)
		return -1;
	/* A delete without a tuple flushes the netns's table, of every family. */
	rc = nl_request(s, ct_request(buf, IPCTNL_MSG_CT_DELETE), d);
	nl_close(s);
	if (rc)
		diag_prefix(d, "cannot flush the conntrack table");
	return rc;
}

/* The original tuple of ct, nested in nlh. */
static void ct_put_tuple(struct nlmsghdr *nlh, const struct ct_rec *ct)
{
	struct nlattr *tuple = mnl_attr_nest_start(nlh, CTA_TUPLE_ORIG);
	struct nlattr *ip = mnl_attr_nest_start(nlh, CTA_TUPLE_IP), *proto;
	bool v4 = ct->orig_src.family == AF_INET;

	if (v4) {
		mnl_attr_put(nlh, CTA_IP_V4_SRC, 4, &ct->orig_src.v4);
		mnl_attr_put(nlh, CTA_IP_V4_DST, 4, &ct->orig_dst.v4);
	} else {
		mnl_attr_put(nlh, CTA_IP_V6_SRC, 16, &ct->orig_src.v6);
		mnl_attr_put(nlh, CTA_IP_V6_DST, 16, &ct->orig_dst.v6);
	}
	mnl_attr_nest_end(nlh, ip);
	proto = mnl_attr_nest_start(nlh, CTA_TUPLE_PROTO);
	mnl_attr_put_u8(nlh, CTA_PROTO_NUM, ct->proto);
	if (ct->present & CT_HAS_PORTS) {
		mnl_attr_put_u16(nlh, CTA_PROTO_SRC_PORT, htons(ct->orig_sport));
		mnl_attr_put_u16(nlh, CTA_PROTO_DST_PORT, htons(ct->orig_dport));
	} else if ((ct->present & CT_HAS_ICMP) && v4) {
		mnl_attr_put_u16(nlh, CTA_PROTO_ICMP_ID, htons(ct->icmp_id));
		mnl_attr_put_u8(nlh, CTA_PROTO_ICMP_TYPE, ct->icmp_type);
		mnl_attr_put_u8(nlh, CTA_PROTO_ICMP_CODE, ct->icmp_code);
	} else if (ct->present & CT_HAS_ICMP) {
		mnl_attr_put_u16(nlh, CTA_PROTO_ICMPV6_ID, htons(ct->icmp_id));
		mnl_attr_put_u8(nlh, CTA_PROTO_ICMPV6_TYPE, ct->icmp_type);
		mnl_attr_put_u8(nlh, CTA_PROTO_ICMPV6_CODE, ct->icmp_code);
	}
	mnl_attr_nest_end(nlh, proto);
	/* A directional zone is looked up in the tuple's own zone. */
	if (ct->zone_orig != ct->zone)
		mnl_attr_put_u16(nlh, CTA_TUPLE_ZONE, htons(ct->zone_orig));
	mnl_attr_nest_end(nlh, tuple);
}

int ctev_delete(int nsfd, const struct ct_rec *ct, struct diag *d)
{
	char buf[NL_REQUEST_SIZE] = {0}; /* zeroed: see NL_REQUEST_SIZE */
	struct nl_sock *s = nl_open(nsfd, NETLINK_NETFILTER, d);
	struct nlmsghdr *nlh;
	int was_set = d->set, rc, err;

	if (!s)
		return -1;
	nlh = ct_request(buf, IPCTNL_MSG_CT_DELETE);
	((struct nfgenmsg *)mnl_nlmsg_get_payload(nlh))->nfgen_family =
		(uint8_t)ct->orig_src.family;
	ct_put_tuple(nlh, ct);
	if (ct->zone)
		mnl_attr_put_u16(nlh, CTA_ZONE, htons(ct->zone));
	if (ct->id)
		mnl_attr_put_u32(nlh, CTA_ID, htonl(ct->id));
	rc = nl_request(s, nlh, d);
	err = errno;
	nl_close(s);
	if (rc && err == ENOENT && !was_set) { /* gone since the dump: timed out, or deleted */
		memset(d, 0, sizeof(*d));
		rc = 0;
	}
	if (rc)
		diag_prefix(d, "cannot delete a conntrack entry");
	return rc;
}
