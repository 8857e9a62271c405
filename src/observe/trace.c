// SPDX-License-Identifier: GPL-2.0-or-later
/* nft trace events of one node: each rule, return and policy a traced packet met. */
#include "observe/trace.h"

#include <arpa/inet.h>
#include <libmnl/libmnl.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_conntrack_common.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <stdlib.h>
#include <string.h>

#include "observe/event.h"
#include "observe/nlwatch.h"
#include "rules/ruleset.h"
#include "util/kernel.h"
#include "util/xalloc.h"

/* Conntrack attributes of trace events, newer than Debian 12's headers. */
#define TRACE_ATTR_CT_ID	18
#define TRACE_ATTR_CT_DIRECTION 19
#define TRACE_ATTR_CT_STATUS	20
#define TRACE_ATTR_CT_STATE	21
#define TRACE_ATTR_MAX		21

#define TRACE_PKTS 64 /* packets remembered for the events that come without headers */

struct trace {
	struct nlwatch *w;
	size_t node;
	const struct ifnames *names;
	const struct nft_rules *rules;
	struct trace_rec recent[TRACE_PKTS]; /* each packet's latest event with headers */
	size_t next;
	struct evlog *all; /* every event, nflab's own included, or NULL */
	size_t own_moves;  /* events of nflab's table in this read, of packets not chatter */
	bool drop_ct;	   /* NFLAB_TEST_NO_TRACE_CT: events read as before 6.16 */
};

struct trace *trace_open(int nsfd, size_t node, const struct ifnames *names,
			 const struct nft_rules *rules, int rcvbuf, const char *what,
			 struct diag *d)
{
	struct trace *t = xzalloc(sizeof(*t));

	t->node = node;
	t->names = names;
	t->rules = rules;
	t->drop_ct = kernel_test_no_trace_ct();
	t->w = nlwatch_open(nsfd, 1u << (NFNLGRP_NFTRACE - 1), rcvbuf, what, d);
	if (!t->w) {
		free(t);
		return NULL;
	}
	return t;
}

void trace_close(struct trace *t)
{
	if (!t)
		return;
	nlwatch_close(t->w);
	free(t);
}

int trace_fd(const struct trace *t)
{
	return nlwatch_fd(t->w);
}

void trace_keep_all(struct trace *t, struct evlog *all)
{
	t->all = all;
}

bool trace_is_nflab(const struct trace_rec *r)
{
	return r->family == NFPROTO_INET && !strcmp(r->table, RULESET_FATE_TABLE);
}

static int attr_cb(const struct nlattr *a, void *data)
{
	const struct nlattr **tb = data;
	uint16_t type = mnl_attr_get_type(a);

	if (type <= TRACE_ATTR_MAX)
		tb[type] = a;
	return MNL_CB_OK;
}

static int verdict_cb(const struct nlattr *a, void *data)
{
	struct trace_rec *r = data;

	if (mnl_attr_get_type(a) == NFTA_VERDICT_CODE && mnl_attr_validate(a, MNL_TYPE_U32) == 0) {
		r->verdict = (int32_t)ntohl(mnl_attr_get_u32(a));
		if (r->verdict >= 0)
			r->verdict &= NF_VERDICT_MASK; /* queue numbers live in the high bits */
		r->present |= TRACE_HAS_VERDICT;
	} else if (mnl_attr_get_type(a) == NFTA_VERDICT_CHAIN) {
		snprintf(r->target, sizeof(r->target), "%s", mnl_attr_get_str(a));
	}
	return MNL_CB_OK;
}

static uint32_t attr_u32(const struct nlattr *a)
{
	return mnl_attr_get_payload_len(a) >= 4 ? ntohl(mnl_attr_get_u32(a)) : 0;
}

/*
 * The kernel sends at most 40 bytes of network header: the transport header
 * follows it in the packet only when those 40 bytes held all of it (IPv6
 * extension headers, such as MLD's hop-by-hop, are cut off).
 */
static bool network_header_whole(const uint8_t *h, size_t len)
{
	if (len >= 20 && (h[0] >> 4) == 4)
		return len == (size_t)(h[0] & 0x0f) * 4;
	if (len >= 40 && (h[0] >> 4) == 6)
		return len == 40 && h[6] != 0 && h[6] != 43 && h[6] != 44 && h[6] != 60 &&
		       h[6] != 51 && h[6] != 50;
	return false;
}

/*
 * The hook r happened in: its chain's, when the lab's listed ruleset has it as
 * a base chain (nflab's fate table names its chains after their hooks);
 * otherwise, for a chain jumped to, that of first, the event that began the
 * packet's walk through this hook (NULL: r began it). Unknown (no
 * TRACE_HAS_HOOK) when neither tells: a trace that began inside a chain jumped to.
 */
static void trace_hook(const struct trace *t, struct trace_rec *r, const struct trace_rec *first)
{
	static const char *const own[NF_INET_NUMHOOKS] = {
		[NF_INET_PRE_ROUTING] = "prerouting",	[NF_INET_LOCAL_IN] = "input",
		[NF_INET_FORWARD] = "forward",		[NF_INET_LOCAL_OUT] = "output",
		[NF_INET_POST_ROUTING] = "postrouting",
	};
	int h = nft_rules_chain_hook(t->rules, r->family, r->table, r->chain);

	if (h < 0 && trace_is_nflab(r)) {
		size_t len = strcspn(r->chain, "_");

		for (h = NF_INET_NUMHOOKS; h-- > 0;)
			if (strlen(own[h]) == len && !strncmp(r->chain, own[h], len))
				break;
	}
	if (h < 0 && first && (first->present & TRACE_HAS_HOOK))
		h = first->hook;
	if (h < 0)
		return;
	r->hook = (uint8_t)h;
	r->present |= TRACE_HAS_HOOK;
}

/*
 * Headers, interfaces and conntrack come with the first event of a packet in each
 * hook only: decode them, or carry them over from that event.
 */
static void trace_packet(struct trace *t, const struct nlattr **tb, struct trace_rec *r)
{
	const uint32_t carried = TRACE_HAS_PKT | TRACE_HAS_CT | TRACE_HAS_CT_STATUS;
	uint8_t buf[128];
	size_t n, i;

	if (tb[NFTA_TRACE_NETWORK_HEADER]) {
		size_t nl = mnl_attr_get_payload_len(tb[NFTA_TRACE_NETWORK_HEADER]);
		size_t tl = tb[NFTA_TRACE_TRANSPORT_HEADER]
				    ? mnl_attr_get_payload_len(tb[NFTA_TRACE_TRANSPORT_HEADER])
				    : 0;

		nl = nl > 64 ? 64 : nl;
		tl = tl > 64 ? 64 : tl;
		memcpy(buf, mnl_attr_get_payload(tb[NFTA_TRACE_NETWORK_HEADER]), nl);
		if (tl && network_header_whole(buf, nl))
			memcpy(buf + nl, mnl_attr_get_payload(tb[NFTA_TRACE_TRANSPORT_HEADER]), tl);
		else
			tl = 0; /* not copied: the packet ends with its cut network header */
		n = nl + tl;
		pkt_decode(buf, n, n, PKT_LINK_RAW, &r->pkt);
		/* The kernel sends at most 64 bytes from the transport header: no whole payload. */
		r->pkt.has_payload = false;
		r->pkt.payload_caplen = 0;
		r->present |= TRACE_HAS_PKT;
		/* Headers come once per base chain walked: this event begins one hook's walk. */
		trace_hook(t, r, NULL);
		t->recent[t->next] = *r;
		t->next = (t->next + 1) % TRACE_PKTS;
		return;
	}
	for (i = 0; i < TRACE_PKTS; i++) {
		const struct trace_rec *first =
			&t->recent[(t->next + TRACE_PKTS - 1 - i) % TRACE_PKTS];

		if (first->id != r->id || !(first->present & TRACE_HAS_PKT))
			continue;
		r->pkt = first->pkt;
		r->present |= first->present & carried;
		memcpy(r->iif, first->iif, sizeof(r->iif));
		memcpy(r->oif, first->oif, sizeof(r->oif));
		r->ct_state = first->ct_state;
		r->ct_status = first->ct_status;
		r->ct_id = first->ct_id;
		r->ct_dir = first->ct_dir;
		trace_hook(t, r, first);
		return;
	}
}

static int trace_cb(const struct nlmsghdr *nlh, void *data)
{
	struct trace *t = ((void **)data)[0];
	struct evlog *log = ((void **)data)[1];
	const struct nlattr *tb[TRACE_ATTR_MAX + 1] = {0};
	const struct nfgenmsg *nfg = mnl_nlmsg_get_payload(nlh);
	struct trace_rec r;
	const struct nft_rule_info *rule;
	struct event *ev = NULL;

	if ((nlh->nlmsg_type >> 8) != NFNL_SUBSYS_NFTABLES ||
	    (nlh->nlmsg_type & 0xff) != NFT_MSG_TRACE ||
	    mnl_attr_parse(nlh, sizeof(*nfg), attr_cb, tb) < 0)
		return MNL_CB_OK;
	memset(&r, 0, sizeof(r));
	r.family = nfg->nfgen_family;
	if (tb[NFTA_TRACE_ID])
		r.id = attr_u32(tb[NFTA_TRACE_ID]);
	if (tb[NFTA_TRACE_TYPE])
		r.type = (uint8_t)attr_u32(tb[NFTA_TRACE_TYPE]);
	if (tb[NFTA_TRACE_TABLE])
		snprintf(r.table, sizeof(r.table), "%s", mnl_attr_get_str(tb[NFTA_TRACE_TABLE]));
	if (tb[NFTA_TRACE_CHAIN])
		snprintf(r.chain, sizeof(r.chain), "%s", mnl_attr_get_str(tb[NFTA_TRACE_CHAIN]));
	if (tb[NFTA_TRACE_RULE_HANDLE] &&
	    mnl_attr_get_payload_len(tb[NFTA_TRACE_RULE_HANDLE]) == 8) {
		r.handle = be64toh(mnl_attr_get_u64(tb[NFTA_TRACE_RULE_HANDLE]));
		r.present |= TRACE_HAS_HANDLE;
		rule = nft_rules_find(t->rules, r.family, r.table, r.chain, r.handle);
		if (rule) {
			snprintf(r.comment, sizeof(r.comment), "%s", rule->comment);
			r.reject = rule->reject;
		}
	}
	if (tb[NFTA_TRACE_VERDICT])
		mnl_attr_parse_nested(tb[NFTA_TRACE_VERDICT], verdict_cb, &r);
	if (tb[NFTA_TRACE_POLICY]) {
		r.verdict = (int32_t)attr_u32(tb[NFTA_TRACE_POLICY]);
		r.present |= TRACE_HAS_VERDICT;
	}
	if (tb[NFTA_TRACE_IIF])
		ifnames_get(t->names, attr_u32(tb[NFTA_TRACE_IIF]), r.iif);
	if (tb[NFTA_TRACE_OIF])
		ifnames_get(t->names, attr_u32(tb[NFTA_TRACE_OIF]), r.oif);
	if (tb[NFTA_TRACE_MARK])
		r.mark = attr_u32(tb[NFTA_TRACE_MARK]);
	if (t->drop_ct)
		tb[TRACE_ATTR_CT_STATE] = tb[TRACE_ATTR_CT_DIRECTION] = tb[TRACE_ATTR_CT_ID] =
			tb[TRACE_ATTR_CT_STATUS] = NULL;
	if (tb[TRACE_ATTR_CT_STATE]) {
		r.present |= TRACE_HAS_CT;
		r.ct_state = attr_u32(tb[TRACE_ATTR_CT_STATE]);
	}
	if (tb[TRACE_ATTR_CT_DIRECTION])
		r.ct_dir = mnl_attr_get_u8(tb[TRACE_ATTR_CT_DIRECTION]);
	if (tb[TRACE_ATTR_CT_ID]) /* sent in host order, unlike ctnetlink's CTA_ID */
		r.ct_id = mnl_attr_get_u32(tb[TRACE_ATTR_CT_ID]);
	if (tb[TRACE_ATTR_CT_STATUS]) {
		r.present |= TRACE_HAS_CT_STATUS;
		r.ct_status = attr_u32(tb[TRACE_ATTR_CT_STATUS]);
	}
	trace_packet(t, tb, &r);
	/* nflab's own table only tells fates apart: it is no part of the lab's story. */
	if (!trace_is_nflab(&r)) {
		ev = evlog_add_node(log, EV_TRACE, t->node, NULL, 0);
		ev->trace = r;
	} else if (!pkt_is_chatter(&r.pkt)) { /* a packet on its way: the lab is not quiet */
		t->own_moves++;
	}
	if (t->all) { /* the same event, time and all, so the two can be matched */
		struct event *copy = evlog_add_node(t->all, EV_TRACE, t->node, NULL, 0);

		copy->trace = r;
		if (ev) {
			copy->ts_ns = ev->ts_ns;
			copy->arrival_ns = ev->arrival_ns;
		}
	}
	return MNL_CB_OK;
}

int trace_read(struct trace *t, struct evlog *log, struct diag *d)
{
	void *ctx[2] = {t, log};
	size_t before = log->n;

	t->own_moves = 0;
	if (nlwatch_read(t->w, trace_cb, ctx, d))
		return -1;
	return (int)(log->n - before + t->own_moves);
}

const char *trace_verdict_name(int32_t v)
{
	switch (v) {
	case NF_DROP:
		return "drop";
	case NF_ACCEPT:
		return "accept";
	case NF_STOLEN:
		return "stolen";
	case NF_QUEUE:
		return "queue";
	case NF_REPEAT:
		return "repeat";
	case NFT_CONTINUE:
		return "continue";
	case NFT_BREAK:
		return "break";
	case NFT_JUMP:
		return "jump";
	case NFT_GOTO:
		return "goto";
	case NFT_RETURN:
		return "return";
	default:
		return "?";
	}
}

const char *trace_ct_state_name(uint32_t s)
{
	switch (s) {
	case TRACE_CT_INVALID:
		return "INVALID";
	case TRACE_CT_ESTABLISHED:
		return "ESTABLISHED";
	case TRACE_CT_RELATED:
		return "RELATED";
	case TRACE_CT_NEW:
		return "NEW";
	case TRACE_CT_UNTRACKED:
		return "UNTRACKED";
	default:
		return "?";
	}
}

const char *trace_summary(const struct trace_rec *r, char *buf, size_t len)
{
	static const char *const types[] = {"?", "policy", "return", "rule"};
	size_t n = (size_t)snprintf(buf, len, "[TRACE %08x] %s %s %s", r->id, r->table, r->chain,
				    r->type < 4 ? types[r->type] : "?");
	char sum[400];

	if (n < len && (r->present & TRACE_HAS_HANDLE))
		n += (size_t)snprintf(buf + n, len - n, " handle %llu",
				      (unsigned long long)r->handle);
	if (n < len && r->comment[0])
		n += (size_t)snprintf(buf + n, len - n, " \"%s\"", r->comment);
	if (n < len && (r->present & TRACE_HAS_VERDICT))
		n += (size_t)snprintf(buf + n, len - n, " %s%s%s", trace_verdict_name(r->verdict),
				      r->target[0] ? " " : "", r->target);
	if (n < len && r->iif[0])
		n += (size_t)snprintf(buf + n, len - n, " in=%s", r->iif);
	if (n < len && r->oif[0])
		n += (size_t)snprintf(buf + n, len - n, " out=%s", r->oif);
	if (n < len && (r->present & TRACE_HAS_CT))
		n += (size_t)snprintf(buf + n, len - n, " ct %s%s%s%s",
				      trace_ct_state_name(r->ct_state), r->ct_dir ? " reply" : "",
				      r->ct_status & IPS_SRC_NAT ? " [SRC_NAT]" : "",
				      r->ct_status & IPS_DST_NAT ? " [DST_NAT]" : "");
	if (n < len && (r->present & TRACE_HAS_PKT))
		snprintf(buf + n, len - n, ": %s", pkt_summary(&r->pkt, sum, sizeof(sum)));
	return buf;
}
