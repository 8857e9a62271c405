// SPDX-License-Identifier: GPL-2.0-or-later
/* The names a node's loaded rulesets give, as the kernel lists them: what checks may name. */
#include "rules/rulenames.h"

#include <libmnl/libmnl.h>
#include <libnftnl/chain.h>
#include <libnftnl/common.h>
#include <libnftnl/expr.h>
#include <libnftnl/object.h>
#include <libnftnl/rule.h>
#include <libnftnl/set.h>
#include <libnftnl/udata.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "topo/nl.h"
#include "util/xalloc.h"

static int comment_cb(const struct nftnl_udata *attr, void *data)
{
	char *out = data;

	if (nftnl_udata_type(attr) == NFTNL_UDATA_RULE_COMMENT && nftnl_udata_len(attr) > 0)
		snprintf(out, 256, "%.*s", (int)nftnl_udata_len(attr) - 1,
			 (const char *)nftnl_udata_get(attr));
	return 0;
}

/* What one expression adds: an NFLOG target, or the nftrace flag. */
static void expr_names(struct nftnl_expr *e, struct rulenames *rn)
{
	const char *name = nftnl_expr_get_str(e, NFTNL_EXPR_NAME);
	char group[8];

	if (!strcmp(name, "log") && nftnl_expr_is_set(e, NFTNL_EXPR_LOG_GROUP)) {
		/* Without a group, log writes to the kernel log, not to NFLOG. */
		snprintf(group, sizeof(group), "%u", nftnl_expr_get_u16(e, NFTNL_EXPR_LOG_GROUP));
		strset_add(&rn->log_groups, group);
		if (nftnl_expr_is_set(e, NFTNL_EXPR_LOG_PREFIX))
			strset_add(&rn->log_prefixes, nftnl_expr_get_str(e, NFTNL_EXPR_LOG_PREFIX));
	} else if (!strcmp(name, "target") && nftnl_expr_is_set(e, NFTNL_EXPR_TG_NAME) &&
		   !strcmp(nftnl_expr_get_str(e, NFTNL_EXPR_TG_NAME), "CT")) {
		rn->ct_expect = true; /* iptables-nft "-j CT": its options are opaque */
	} else if (!strcmp(name, "meta") &&
		   nftnl_expr_get_u32(e, NFTNL_EXPR_META_KEY) == NFT_META_NFTRACE &&
		   nftnl_expr_is_set(e, NFTNL_EXPR_META_SREG)) {
		rn->nftrace = true; /* a "set", not a match on the flag */
	}
}

/* True for a table of nflab's own: the fate table, which no check may name. */
static bool nflab_table(uint32_t family, const char *table)
{
	return family == NFPROTO_INET && table && !strcmp(table, RULESET_FATE_TABLE);
}

/* nflab's fate table gives no names: it only says whether it traces every packet. */
static void fate_rule(struct nftnl_rule *r, struct rulenames *rn)
{
	struct rulenames own = RULENAMES_INIT;
	struct nftnl_expr_iter *it = nftnl_expr_iter_create(r);
	struct nftnl_expr *e;

	while (it && (e = nftnl_expr_iter_next(it)))
		expr_names(e, &own);
	nftnl_expr_iter_destroy(it);
	rn->fate_trace |= own.nftrace;
	rulenames_release(&own);
}

/* What a rule of the lab's gives: its comment or handle, NFLOG groups, nftrace. */
static void lab_rule(struct nftnl_rule *r, struct rulenames *rn)
{
	struct nftnl_expr_iter *it;
	struct nftnl_expr *e;
	char comment[256] = "";

	if (nftnl_rule_is_set(r, NFTNL_RULE_USERDATA)) {
		uint32_t len;
		const void *ud = nftnl_rule_get_data(r, NFTNL_RULE_USERDATA, &len);

		nftnl_udata_parse(ud, len, comment_cb, comment);
	}
	if (comment[0]) {
		strset_add(&rn->comments, comment);
	} else {
		char handle[24];

		snprintf(handle, sizeof(handle), "%llu",
			 (unsigned long long)nftnl_rule_get_u64(r, NFTNL_RULE_HANDLE));
		strset_add(&rn->handles, handle);
	}
	it = nftnl_expr_iter_create(r);
	while (it && (e = nftnl_expr_iter_next(it)))
		expr_names(e, rn);
	nftnl_expr_iter_destroy(it);
}

static int rule_cb(const struct nlmsghdr *nlh, void *data)
{
	struct rulenames *rn = data;
	struct nftnl_rule *r = nftnl_rule_alloc();

	if (!r)
		return MNL_CB_ERROR;
	if (nftnl_rule_nlmsg_parse(nlh, r) == 0) {
		if (nflab_table(nftnl_rule_get_u32(r, NFTNL_RULE_FAMILY),
				nftnl_rule_get_str(r, NFTNL_RULE_TABLE)))
			fate_rule(r, rn);
		else
			lab_rule(r, rn);
	}
	nftnl_rule_free(r);
	return MNL_CB_OK;
}

static int chain_cb(const struct nlmsghdr *nlh, void *data)
{
	struct rulenames *rn = data;
	struct nftnl_chain *c = nftnl_chain_alloc();

	if (!c)
		return MNL_CB_ERROR;
	if (nftnl_chain_nlmsg_parse(nlh, c) == 0) {
		if (nflab_table(nftnl_chain_get_u32(c, NFTNL_CHAIN_FAMILY),
				nftnl_chain_get_str(c, NFTNL_CHAIN_TABLE))) {
			rn->fate_table = true;
		} else {
			strset_add(&rn->tables, nftnl_chain_get_str(c, NFTNL_CHAIN_TABLE));
			strset_add(&rn->chains, nftnl_chain_get_str(c, NFTNL_CHAIN_NAME));
		}
	}
	nftnl_chain_free(c);
	return MNL_CB_OK;
}

static int set_cb(const struct nlmsghdr *nlh, void *data)
{
	struct rulenames *rn = data;
	struct nftnl_set *set = nftnl_set_alloc();

	if (!set)
		return MNL_CB_ERROR;
	if (nftnl_set_nlmsg_parse(nlh, set) == 0 &&
	    !(nftnl_set_get_u32(set, NFTNL_SET_FLAGS) & NFT_SET_ANONYMOUS) &&
	    !nflab_table(nftnl_set_get_u32(set, NFTNL_SET_FAMILY),
			 nftnl_set_get_str(set, NFTNL_SET_TABLE)))
		strset_add(&rn->sets, nftnl_set_get_str(set, NFTNL_SET_NAME));
	nftnl_set_free(set);
	return MNL_CB_OK;
}

static int obj_cb(const struct nlmsghdr *nlh, void *data)
{
	struct rulenames *rn = data;
	struct nftnl_obj *o = nftnl_obj_alloc();

	if (!o)
		return MNL_CB_ERROR;
	if (nftnl_obj_nlmsg_parse(nlh, o) == 0) {
		uint32_t type = nftnl_obj_get_u32(o, NFTNL_OBJ_TYPE);

		if (type == NFT_OBJECT_QUOTA)
			strset_add(&rn->quotas, nftnl_obj_get_str(o, NFTNL_OBJ_NAME));
		else if (type == NFT_OBJECT_CT_HELPER || type == NFT_OBJECT_CT_EXPECT)
			rn->ct_expect = true;
	}
	nftnl_obj_free(o);
	return MNL_CB_OK;
}

/* The number or text after opt in line (up to its end), unquoted, into out; false if absent. */
static bool ipt_option(const char *line, size_t len, const char *opt, char *out, size_t size)
{
	const char *p = line, *end = line + len;
	size_t n = 0, olen = strlen(opt);

	for (;; p++) {
		p = memmem(p, (size_t)(end - p), opt, olen);
		if (!p)
			return false;
		if (p + olen == end || p[olen] == ' ')
			break;
	}
	for (p += olen; p < end && *p == ' '; p++)
		;
	if (p < end && *p == '"') {
		for (p++; p < end && *p != '"' && n + 1 < size; p++) {
			if (*p == '\\' && p + 1 < end)
				p++;
			out[n++] = *p;
		}
	} else {
		while (p < end && *p != ' ' && n + 1 < size)
			out[n++] = *p++;
	}
	out[n] = '\0';
	return true;
}

void rulenames_parse_ipt(const char *text, struct rulenames *rn)
{
	const char *line = text;

	while (line && *line) {
		const char *eol = strchr(line, '\n');
		size_t len = eol ? (size_t)(eol - line) : strlen(line);
		char group[8], prefix[256];

		if (memmem(line, len, "-j CT ", 6) && memmem(line, len, "--helper", 8))
			rn->ct_expect = true;
		if (memmem(line, len, "-j NFLOG", 8)) {
			if (!ipt_option(line, len, "--nflog-group", group, sizeof(group)))
				snprintf(group, sizeof(group), "0");
			strset_add(&rn->log_groups, group);
			if (ipt_option(line, len, "--nflog-prefix", prefix, sizeof(prefix)))
				strset_add(&rn->log_prefixes, prefix);
		}
		line = eol ? eol + 1 : NULL;
	}
}

/* The "-j NFLOG" rules of an iptables-legacy ruleset of family, from iptables-save. */
static int legacy_names(int nsfd, int family, struct rulenames *rn, struct diag *d)
{
	char *text = ruleset_ipt_save(nsfd, family, IPT_BACKEND_LEGACY, d);

	if (!text)
		return -1;
	rulenames_parse_ipt(text, rn);
	free(text);
	return 0;
}

static int dump(struct nl_sock *s, uint16_t type, int (*cb)(const struct nlmsghdr *, void *),
		struct rulenames *rn, struct diag *d)
{
	char buf[NL_REQUEST_SIZE] = {0}; /* zeroed: see NL_REQUEST_SIZE */
	struct nlmsghdr *nlh = nftnl_nlmsg_build_hdr(buf, type, NFPROTO_UNSPEC, 0, 0);

	return nl_dump(s, nlh, cb, rn, d);
}

int rulenames_read(int nsfd, bool legacy_v4, bool legacy_v6, struct rulenames *out, struct diag *d)
{
	struct nl_sock *s = nl_open(nsfd, NETLINK_NETFILTER, d);
	int rc;

	if (!s)
		return -1;
	rc = dump(s, NFT_MSG_GETCHAIN, chain_cb, out, d) ||
			     dump(s, NFT_MSG_GETRULE, rule_cb, out, d) ||
			     dump(s, NFT_MSG_GETSET, set_cb, out, d) ||
			     dump(s, NFT_MSG_GETOBJ, obj_cb, out, d)
		     ? -1
		     : 0;
	nl_close(s);
	if (!rc && legacy_v4)
		rc = legacy_names(nsfd, AF_INET, out, d);
	if (!rc && legacy_v6)
		rc = legacy_names(nsfd, AF_INET6, out, d);
	return rc;
}

void rulenames_release(struct rulenames *rn)
{
	strset_release(&rn->tables);
	strset_release(&rn->chains);
	strset_release(&rn->comments);
	strset_release(&rn->handles);
	strset_release(&rn->log_groups);
	strset_release(&rn->log_prefixes);
	strset_release(&rn->sets);
	strset_release(&rn->quotas);
	memset(rn, 0, sizeof(*rn));
}
