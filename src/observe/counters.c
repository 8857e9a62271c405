// SPDX-License-Identifier: GPL-2.0-or-later
/* Rule and named counters of a node's rulesets (nft and iptables), read on demand. */
#include "observe/counters.h"

#include <arpa/inet.h>
#include <libmnl/libmnl.h>
#include <libnftnl/chain.h>
#include <libnftnl/common.h>
#include <libnftnl/expr.h>
#include <libnftnl/object.h>
#include <libnftnl/rule.h>
#include <libnftnl/udata.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <stdlib.h>
#include <string.h>

#include "observe/event.h"
#include "topo/nl.h"
#include "util/xalloc.h"

const char *counters_family_name(uint32_t f)
{
	switch (f) {
	case NFPROTO_IPV4:
		return "ip";
	case NFPROTO_IPV6:
		return "ip6";
	case NFPROTO_INET:
		return "inet";
	case NFPROTO_ARP:
		return "arp";
	case NFPROTO_BRIDGE:
		return "bridge";
	case NFPROTO_NETDEV:
		return "netdev";
	default:
		return "?";
	}
}

static int comment_cb(const struct nftnl_udata *attr, void *data)
{
	char *out = data;

	if (nftnl_udata_type(attr) == NFTNL_UDATA_RULE_COMMENT && nftnl_udata_len(attr) > 0)
		snprintf(out, 128, "%.*s", (int)nftnl_udata_len(attr) - 1,
			 (const char *)nftnl_udata_get(attr));
	return 0;
}

/* What a dumped rule gives: identity, comment and its counter expression's values. */
struct rule_view {
	struct nft_rule_info info;
	bool has_counter;
	uint64_t packets, bytes;
};

static void rule_view(const struct nftnl_rule *r, struct rule_view *v)
{
	struct nftnl_expr_iter *it;
	struct nftnl_expr *e;

	memset(v, 0, sizeof(*v));
	v->info.family = nftnl_rule_get_u32(r, NFTNL_RULE_FAMILY);
	snprintf(v->info.table, sizeof(v->info.table), "%s",
		 nftnl_rule_get_str(r, NFTNL_RULE_TABLE));
	snprintf(v->info.chain, sizeof(v->info.chain), "%s",
		 nftnl_rule_get_str(r, NFTNL_RULE_CHAIN));
	v->info.handle = nftnl_rule_get_u64(r, NFTNL_RULE_HANDLE);
	if (nftnl_rule_is_set(r, NFTNL_RULE_USERDATA)) {
		uint32_t len;
		const void *ud = nftnl_rule_get_data(r, NFTNL_RULE_USERDATA, &len);

		nftnl_udata_parse(ud, len, comment_cb, v->info.comment);
	}
	it = nftnl_expr_iter_create(r);
	while (it && (e = nftnl_expr_iter_next(it))) {
		const char *name = nftnl_expr_get_str(e, NFTNL_EXPR_NAME);

		if (!strcmp(name, "reject"))
			v->info.reject =
				nftnl_expr_is_set(e, NFTNL_EXPR_REJECT_TYPE) &&
						nftnl_expr_get_u32(e, NFTNL_EXPR_REJECT_TYPE) ==
							NFT_REJECT_TCP_RST
					? RULE_REJECT_RESET
					: RULE_REJECT_ICMP;
		else if (!strcmp(name, "target") &&
			 !strcmp(nftnl_expr_get_str(e, NFTNL_EXPR_TG_NAME), "REJECT"))
			v->info.reject =
				RULE_REJECT_EITHER; /* iptables-nft: its options are opaque */
		if (strcmp(name, "counter"))
			continue;
		v->has_counter = true;
		v->packets = nftnl_expr_get_u64(e, NFTNL_EXPR_CTR_PACKETS);
		v->bytes = nftnl_expr_get_u64(e, NFTNL_EXPR_CTR_BYTES);
	}
	nftnl_expr_iter_destroy(it);
}

typedef void (*rule_fn)(const struct rule_view *v, void *data);

struct rule_dump {
	rule_fn fn;
	void *data;
};

static int rule_cb(const struct nlmsghdr *nlh, void *data)
{
	struct rule_dump *rd = data;
	struct nftnl_rule *r = nftnl_rule_alloc();
	struct rule_view v;

	if (!r)
		return MNL_CB_ERROR;
	if (nftnl_rule_nlmsg_parse(nlh, r) == 0) {
		rule_view(r, &v);
		rd->fn(&v, rd->data);
	}
	nftnl_rule_free(r);
	return MNL_CB_OK;
}

/* Dumps every rule of every nft table in the netns, in chain order. */
static int rules_each(int nsfd, rule_fn fn, void *data, struct diag *d)
{
	char buf[NL_REQUEST_SIZE] = {0}; /* zeroed: see NL_REQUEST_SIZE */
	struct nlmsghdr *nlh = nftnl_nlmsg_build_hdr(buf, NFT_MSG_GETRULE, NFPROTO_UNSPEC, 0, 0);
	struct rule_dump rd = {fn, data};
	struct nl_sock *s = nl_open(nsfd, NETLINK_NETFILTER, d);
	int rc;

	if (!s)
		return -1;
	rc = nl_dump(s, nlh, rule_cb, &rd, d);
	nl_close(s);
	return rc;
}

static void add_rule_info(const struct rule_view *v, void *data)
{
	struct nft_rules *out = data;

	XGROW(out->v, out->n, out->cap);
	out->v[out->n++] = v->info;
}

static int chain_cb(const struct nlmsghdr *nlh, void *data)
{
	struct nft_rules *out = data;
	struct nftnl_chain *c = nftnl_chain_alloc();
	struct nft_chain_info *ci;
	uint32_t family;

	if (!c)
		return MNL_CB_ERROR;
	if (nftnl_chain_nlmsg_parse(nlh, c) == 0) {
		XGROW(out->chains, out->n_chains, out->cap_chains);
		ci = &out->chains[out->n_chains++];
		memset(ci, 0, sizeof(*ci));
		family = nftnl_chain_get_u32(c, NFTNL_CHAIN_FAMILY);
		ci->family = family;
		snprintf(ci->table, sizeof(ci->table), "%s",
			 nftnl_chain_get_str(c, NFTNL_CHAIN_TABLE));
		snprintf(ci->chain, sizeof(ci->chain), "%s",
			 nftnl_chain_get_str(c, NFTNL_CHAIN_NAME));
		ci->hook = -1;
		/* Only these families number their hooks as NF_INET_*. */
		if (nftnl_chain_is_set(c, NFTNL_CHAIN_HOOKNUM) &&
		    (family == NFPROTO_IPV4 || family == NFPROTO_IPV6 || family == NFPROTO_INET) &&
		    nftnl_chain_get_u32(c, NFTNL_CHAIN_HOOKNUM) < NF_INET_NUMHOOKS)
			ci->hook = (int)nftnl_chain_get_u32(c, NFTNL_CHAIN_HOOKNUM);
	}
	nftnl_chain_free(c);
	return MNL_CB_OK;
}

int nft_rules_read(int nsfd, struct nft_rules *out, struct diag *d)
{
	char buf[NL_REQUEST_SIZE] = {0}; /* zeroed: see NL_REQUEST_SIZE */
	struct nlmsghdr *nlh;
	struct nl_sock *s;
	int rc;

	if (rules_each(nsfd, add_rule_info, out, d))
		return -1;
	nlh = nftnl_nlmsg_build_hdr(buf, NFT_MSG_GETCHAIN, NFPROTO_UNSPEC, 0, 0);
	s = nl_open(nsfd, NETLINK_NETFILTER, d);
	if (!s)
		return -1;
	rc = nl_dump(s, nlh, chain_cb, out, d);
	nl_close(s);
	return rc;
}

void nft_rules_release(struct nft_rules *r)
{
	free(r->v);
	free(r->chains);
	memset(r, 0, sizeof(*r));
}

int nft_rules_chain_hook(const struct nft_rules *r, uint32_t family, const char *table,
			 const char *chain)
{
	size_t i;

	for (i = 0; r && i < r->n_chains; i++)
		if (r->chains[i].family == family && !strcmp(r->chains[i].table, table) &&
		    !strcmp(r->chains[i].chain, chain))
			return r->chains[i].hook;
	return -1;
}

const struct nft_rule_info *nft_rules_find(const struct nft_rules *r, uint32_t family,
					   const char *table, const char *chain, uint64_t handle)
{
	size_t i;

	for (i = 0; r && i < r->n; i++)
		if (r->v[i].handle == handle && r->v[i].family == family &&
		    !strcmp(r->v[i].table, table) && !strcmp(r->v[i].chain, chain))
			return &r->v[i];
	return NULL;
}

const char *nft_rules_comment(const struct nft_rules *r, uint32_t family, const char *table,
			      const char *chain, uint64_t handle)
{
	const struct nft_rule_info *info = nft_rules_find(r, family, table, chain, handle);

	return info && info->comment[0] ? info->comment : NULL;
}

struct count_ctx {
	struct evlog *log;
	size_t node;
	const struct lab_node *node_def; /* its iptables text says which tables iptables-nft owns */
	char last_chain[140];
	uint32_t position;
};

static struct counter_rec *counter_add(struct evlog *log, size_t node)
{
	return &evlog_add_node(log, EV_COUNTER, node, NULL, 0)->counter;
}

/*
 * True when iptables-nft made this table: the node's iptables (ip) or ip6tables
 * (ip6) text declares it ("*nat"). Its rules are reported as iptables counters.
 */
static bool owned_by_iptables(const struct lab_node *node, uint32_t family, const char *table)
{
	const char *text = family == NFPROTO_IPV4   ? node->iptables.text
			   : family == NFPROTO_IPV6 ? node->ip6tables.text
						    : NULL;
	char decl[80];
	const char *p;
	size_t n;

	if (!text || node->ipt_backend != IPT_BACKEND_NFT)
		return false;
	n = (size_t)snprintf(decl, sizeof(decl), "*%s", table);
	for (p = text; (p = strstr(p, decl)); p += n)
		if ((p == text || p[-1] == '\n') && (p[n] == '\n' || p[n] == '\0' || p[n] == ' '))
			return true;
	return false;
}

static void add_rule_counter(const struct rule_view *v, void *data)
{
	struct count_ctx *cc = data;
	char key[140];
	struct counter_rec *c;

	snprintf(key, sizeof(key), "%u %s %s", v->info.family, v->info.table, v->info.chain);
	if (strcmp(key, cc->last_chain)) {
		snprintf(cc->last_chain, sizeof(cc->last_chain), "%s", key);
		cc->position = 0;
	}
	cc->position++;
	if (!v->has_counter || owned_by_iptables(cc->node_def, v->info.family, v->info.table))
		return;
	c = counter_add(cc->log, cc->node);
	c->kind = COUNTER_RULE;
	c->ruleset = RULESET_NFT;
	snprintf(c->family, sizeof(c->family), "%s", counters_family_name(v->info.family));
	snprintf(c->table, sizeof(c->table), "%s", v->info.table);
	snprintf(c->chain, sizeof(c->chain), "%s", v->info.chain);
	snprintf(c->comment, sizeof(c->comment), "%s", v->info.comment);
	c->handle = v->info.handle;
	c->position = cc->position;
	c->packets = v->packets;
	c->bytes = v->bytes;
}

static int obj_cb(const struct nlmsghdr *nlh, void *data)
{
	struct count_ctx *cc = data;
	struct nftnl_obj *o = nftnl_obj_alloc();
	struct counter_rec *c;

	if (!o)
		return MNL_CB_ERROR;
	if (nftnl_obj_nlmsg_parse(nlh, o) == 0 &&
	    nftnl_obj_get_u32(o, NFTNL_OBJ_TYPE) == NFT_OBJECT_COUNTER) {
		c = counter_add(cc->log, cc->node);
		c->kind = COUNTER_NAMED;
		c->ruleset = RULESET_NFT;
		snprintf(c->family, sizeof(c->family), "%s",
			 counters_family_name(nftnl_obj_get_u32(o, NFTNL_OBJ_FAMILY)));
		snprintf(c->table, sizeof(c->table), "%s", nftnl_obj_get_str(o, NFTNL_OBJ_TABLE));
		snprintf(c->name, sizeof(c->name), "%s", nftnl_obj_get_str(o, NFTNL_OBJ_NAME));
		c->packets = nftnl_obj_get_u64(o, NFTNL_OBJ_CTR_PKTS);
		c->bytes = nftnl_obj_get_u64(o, NFTNL_OBJ_CTR_BYTES);
	}
	nftnl_obj_free(o);
	return MNL_CB_OK;
}

static int named_counters(int nsfd, struct count_ctx *cc, struct diag *d)
{
	char buf[NL_REQUEST_SIZE] = {0}; /* zeroed: see NL_REQUEST_SIZE */
	struct nlmsghdr *nlh = nftnl_nlmsg_build_hdr(buf, NFT_MSG_GETOBJ, NFPROTO_UNSPEC, 0, 0);
	struct nl_sock *s = nl_open(nsfd, NETLINK_NETFILTER, d);
	int rc;

	if (!s)
		return -1;
	rc = nl_dump(s, nlh, obj_cb, cc, d);
	nl_close(s);
	return rc;
}

/* The text of option opt in an iptables-save rule line ("--comment"), unquoted, into out. */
static void ipt_option(const char *line, const char *opt, char *out, size_t len)
{
	const char *eol = strchr(line, '\n');
	const char *p = strstr(line, opt);
	size_t n = 0;

	out[0] = '\0';
	if (!p || (eol && p > eol)) /* only this line's option */
		return;
	p += strlen(opt);
	while (*p == ' ')
		p++;
	if (*p == '"') {
		for (p++; *p && *p != '"' && *p != '\n' && n + 1 < len; p++) {
			if (*p == '\\' && p[1])
				p++;
			out[n++] = *p;
		}
	} else {
		while (*p && *p != ' ' && *p != '\n' && n + 1 < len)
			out[n++] = *p++;
	}
	out[n] = '\0';
}

void counters_parse_ipt_save(const char *text, enum counter_ruleset rs, size_t node,
			     struct evlog *log)
{
	struct count_ctx ctx = {.log = log, .node = node}, *cc = &ctx;
	char table[64] = "", chain[64] = "", prev[64] = "";
	const char *line = text;
	uint32_t position = 0;

	for (; line && *line; line = strchr(line, '\n'), line = line ? line + 1 : NULL) {
		unsigned long long p, b;
		char policy[16];
		struct counter_rec *c;
		int used = 0;

		if (line[0] == '*') {
			sscanf(line + 1, "%63s", table);
			prev[0] = '\0';
			continue;
		}
		if (line[0] == ':' &&
		    sscanf(line + 1, "%63s %15s [%llu:%llu]", chain, policy, &p, &b) == 4) {
			if (!strcmp(policy, "-"))
				continue; /* a user chain has no policy */
			c = counter_add(cc->log, cc->node);
			c->kind = COUNTER_POLICY;
			snprintf(c->policy, sizeof(c->policy), "%s", policy);
		} else if (line[0] == '[' &&
			   sscanf(line, "[%llu:%llu] -A %63s %n", &p, &b, chain, &used) == 3) {
			if (strcmp(chain, prev))
				position = 0;
			snprintf(prev, sizeof(prev), "%s", chain);
			c = counter_add(cc->log, cc->node);
			c->kind = COUNTER_RULE;
			c->position = ++position;
			ipt_option(line, "--comment", c->comment, sizeof(c->comment));
		} else {
			continue;
		}
		c->ruleset = (uint8_t)rs;
		snprintf(c->family, sizeof(c->family), "%s",
			 rs == RULESET_IP6TABLES ? "ip6" : "ip");
		snprintf(c->table, sizeof(c->table), "%s", table);
		snprintf(c->chain, sizeof(c->chain), "%s", chain);
		c->packets = p;
		c->bytes = b;
	}
}

static int ipt_counters(int nsfd, const struct lab_node *node, enum counter_ruleset rs,
			struct count_ctx *cc, struct diag *d)
{
	char *text = ruleset_ipt_save(nsfd, rs == RULESET_IP6TABLES ? AF_INET6 : AF_INET,
				      node->ipt_backend, d);

	if (!text)
		return -1;
	counters_parse_ipt_save(text, rs, cc->node, cc->log);
	free(text);
	return 0;
}

int counters_dump(int nsfd, const struct lab_node *node, size_t node_idx, struct evlog *log,
		  struct diag *d)
{
	struct count_ctx cc = {.log = log, .node = node_idx};

	cc.node_def = node;
	if (rules_each(nsfd, add_rule_counter, &cc, d) || named_counters(nsfd, &cc, d))
		return -1;
	if (node->iptables.text && ipt_counters(nsfd, node, RULESET_IPTABLES, &cc, d))
		return -1;
	if (node->ip6tables.text && ipt_counters(nsfd, node, RULESET_IP6TABLES, &cc, d))
		return -1;
	return 0;
}

const char *counter_summary(const struct counter_rec *c, char *buf, size_t len)
{
	static const char *const rulesets[] = {"nft", "iptables", "ip6tables"};
	const char *rs = c->ruleset < 3 ? rulesets[c->ruleset] : "?";

	if (c->kind == COUNTER_NAMED)
		snprintf(buf, len, "[COUNTER] %s %s %s counter %s: %llu packets, %llu bytes", rs,
			 c->family, c->table, c->name, (unsigned long long)c->packets,
			 (unsigned long long)c->bytes);
	else if (c->kind == COUNTER_POLICY)
		snprintf(buf, len, "[COUNTER] %s %s %s %s policy %s: %llu packets, %llu bytes", rs,
			 c->family, c->table, c->chain, c->policy, (unsigned long long)c->packets,
			 (unsigned long long)c->bytes);
	else
		snprintf(buf, len, "[COUNTER] %s %s %s %s rule %u%s%s%s: %llu packets, %llu bytes",
			 rs, c->family, c->table, c->chain, c->position, c->comment[0] ? " \"" : "",
			 c->comment, c->comment[0] ? "\"" : "", (unsigned long long)c->packets,
			 (unsigned long long)c->bytes);
	return buf;
}

/* NFT_MSG_GETRULE_RESET (Linux 6.2), missing from older headers. */
#define MSG_GETRULE_RESET 25

static int ignore_cb(const struct nlmsghdr *nlh, void *data)
{
	(void)nlh;
	(void)data;
	return MNL_CB_OK;
}

int counters_reset(int nsfd, struct diag *d)
{
	char buf[NL_REQUEST_SIZE] = {0}; /* zeroed: see NL_REQUEST_SIZE */
	char obuf[NL_REQUEST_SIZE] = {0};
	struct nlmsghdr *nlh = nftnl_nlmsg_build_hdr(buf, MSG_GETRULE_RESET, NFPROTO_UNSPEC, 0, 0);
	struct nlmsghdr *onlh =
		nftnl_nlmsg_build_hdr(obuf, NFT_MSG_GETOBJ_RESET, NFPROTO_UNSPEC, 0, 0);
	struct nl_sock *s = nl_open(nsfd, NETLINK_NETFILTER, d);
	int rc;

	if (!s)
		return -1;
	/* Only counter objects: a quota reset is another matter. */
	mnl_attr_put_u32(onlh, NFTA_OBJ_TYPE, htonl(NFT_OBJECT_COUNTER));
	rc = nl_dump(s, nlh, ignore_cb, NULL, d) || nl_dump(s, onlh, ignore_cb, NULL, d) ? -1 : 0;
	nl_close(s);
	if (rc)
		diag_prefix(d, "cannot reset the nft counters");
	return rc;
}
