// SPDX-License-Identifier: GPL-2.0-or-later
/* Fields of the netfilter observers: NFLOG records, nft trace events, counters, fates. */
/* Our headers first: they bring <netinet/in.h>, which must come before <linux/in.h>. */
#include "expect/field.h"
#include "observe/counters.h"
#include "observe/nflog.h"
#include "observe/trace.h"
#include "report/fate.h"

#include <string.h>

#include <linux/netfilter.h>
#include <linux/netfilter/nf_conntrack_common.h>
#include <linux/netfilter/nf_tables.h>
#include <stdio.h>

/* ---- NFLOG ---- */

static const struct sym hook_syms[] = {
	{"prerouting", NF_INET_PRE_ROUTING},   {"input", NF_INET_LOCAL_IN},
	{"forward", NF_INET_FORWARD},	       {"output", NF_INET_LOCAL_OUT},
	{"postrouting", NF_INET_POST_ROUTING}, {NULL, 0},
};

static const struct sym ctinfo_syms[] = {
	{"ESTABLISHED", IP_CT_ESTABLISHED},
	{"RELATED", IP_CT_RELATED},
	{"NEW", IP_CT_NEW},
	{"ESTABLISHED_REPLY", IP_CT_ESTABLISHED_REPLY},
	{"RELATED_REPLY", IP_CT_RELATED_REPLY},
	{"UNTRACKED", LOG_CT_UNTRACKED},
	{"none", LOG_CT_NONE},
	{NULL, 0},
};

REC_GET(get_log_group, struct log_rec, true, value_uint(v, r->group))
REC_GET(get_log_prefix, struct log_rec, true, value_str(v, r->prefix))
REC_GET(get_log_hook, struct log_rec, true, value_uint(v, r->hook))
REC_GET(get_log_indev, struct log_rec, r->indev[0], value_str(v, r->indev))
REC_GET(get_log_outdev, struct log_rec, r->outdev[0], value_str(v, r->outdev))
REC_GET(get_log_mark, struct log_rec, true, value_uint(v, r->mark))
REC_GET(get_log_ct_state, struct log_rec, r->ct_known, value_uint(v, r->ct_state))
REC_GET(get_log_ct_status, struct log_rec, r->has_ct_status, value_flags(v, r->ct_status))
REC_GET(get_log_ct_id, struct log_rec, r->has_ct_status, value_uint(v, r->ct_id))

const struct field_def log_fields[] = {
	{"log.group", VAL_UINT, NULL, "NFLOG group", get_log_group},
	{"log.prefix", VAL_STR, NULL, "log prefix", get_log_prefix},
	{"log.hook", VAL_UINT, hook_syms,
	 "hook: prerouting, input, forward, output, "
	 "postrouting",
	 get_log_hook},
	{"log.indev", VAL_STR, NULL, "input interface", get_log_indev},
	{"log.outdev", VAL_STR, NULL, "output interface", get_log_outdev},
	{"log.mark", VAL_UINT, NULL, "packet mark", get_log_mark},
	{"log.ct.state", VAL_UINT, ctinfo_syms,
	 "NEW, ESTABLISHED, RELATED, ESTABLISHED_REPLY, RELATED_REPLY, or none (INVALID "
	 "or UNTRACKED)",
	 get_log_ct_state},
	{"log.ct.status", VAL_FLAGS, ct_status_syms, "status bits of the packet's entry",
	 get_log_ct_status},
	{"log.ct.id", VAL_UINT, NULL, "conntrack id of the packet's entry", get_log_ct_id},
	{NULL, 0, NULL, NULL, NULL},
};

/* ---- nft trace ---- */

static const struct sym trace_type_syms[] = {
	{"policy", NFT_TRACETYPE_POLICY},
	{"return", NFT_TRACETYPE_RETURN},
	{"rule", NFT_TRACETYPE_RULE},
	{NULL, 0},
};

/* Verdicts as unsigned 32-bit values: nft's own are negative. */
static const struct sym verdict_syms[] = {
	{"drop", NF_DROP},
	{"accept", NF_ACCEPT},
	{"stolen", NF_STOLEN},
	{"queue", NF_QUEUE},
	{"repeat", NF_REPEAT},
	{"continue", (uint32_t)NFT_CONTINUE},
	{"break", (uint32_t)NFT_BREAK},
	{"jump", (uint32_t)NFT_JUMP},
	{"goto", (uint32_t)NFT_GOTO},
	{"return", (uint32_t)NFT_RETURN},
	{NULL, 0},
};

static const struct sym nfproto_syms[] = {
	{"inet", NFPROTO_INET},
	{"ip", NFPROTO_IPV4},
	{"ip6", NFPROTO_IPV6},
	{"arp", NFPROTO_ARP},
	{"bridge", NFPROTO_BRIDGE},
	{"netdev", NFPROTO_NETDEV},
	{NULL, 0},
};

static const struct sym trace_ct_state_syms[] = {
	{"INVALID", TRACE_CT_INVALID},	   {"ESTABLISHED", TRACE_CT_ESTABLISHED},
	{"RELATED", TRACE_CT_RELATED},	   {"NEW", TRACE_CT_NEW},
	{"UNTRACKED", TRACE_CT_UNTRACKED}, {NULL, 0},
};

static const struct sym ct_dir_syms[] = {{"original", 0}, {"reply", 1}, {NULL, 0}};

/* The rule's comment, or its handle as text when it has none. */
static bool get_trace_rule(const void *rec, struct value *v)
{
	const struct trace_rec *r = rec;
	char handle[24];

	if (!(r->present & TRACE_HAS_HANDLE))
		return false;
	if (r->comment[0])
		return value_str(v, r->comment);
	snprintf(handle, sizeof(handle), "%llu", (unsigned long long)r->handle);
	return value_str(v, handle);
}

#define HAS(bit) (r->present & (bit))
REC_GET(get_trace_table, struct trace_rec, true, value_str(v, r->table))
REC_GET(get_trace_chain, struct trace_rec, true, value_str(v, r->chain))
REC_GET(get_trace_handle, struct trace_rec, HAS(TRACE_HAS_HANDLE), value_uint(v, r->handle))
REC_GET(get_trace_type, struct trace_rec, true, value_uint(v, r->type))
REC_GET(get_trace_verdict, struct trace_rec, HAS(TRACE_HAS_VERDICT),
	value_uint(v, (uint32_t)r->verdict))
REC_GET(get_trace_target, struct trace_rec, r->target[0], value_str(v, r->target))
REC_GET(get_trace_iif, struct trace_rec, r->iif[0], value_str(v, r->iif))
REC_GET(get_trace_oif, struct trace_rec, r->oif[0], value_str(v, r->oif))
REC_GET(get_trace_mark, struct trace_rec, true, value_uint(v, r->mark))
REC_GET(get_trace_id, struct trace_rec, true, value_uint(v, r->id))
REC_GET(get_trace_family, struct trace_rec, true, value_uint(v, r->family))
REC_GET(get_trace_ct_state, struct trace_rec, HAS(TRACE_HAS_CT), value_uint(v, r->ct_state))
REC_GET(get_trace_ct_status, struct trace_rec, HAS(TRACE_HAS_CT_STATUS),
	value_flags(v, r->ct_status))
REC_GET(get_trace_ct_dir, struct trace_rec, HAS(TRACE_HAS_CT) && r->ct_id, value_uint(v, r->ct_dir))
REC_GET(get_trace_ct_id, struct trace_rec, HAS(TRACE_HAS_CT) && r->ct_id, value_uint(v, r->ct_id))
REC_GET(get_trace_hook, struct trace_rec, HAS(TRACE_HAS_HOOK), value_uint(v, r->hook))

const struct field_def trace_fields[] = {
	{"trace.table", VAL_STR, NULL, "table name", get_trace_table},
	{"trace.chain", VAL_STR, NULL, "chain name", get_trace_chain},
	{"trace.hook", VAL_UINT, hook_syms,
	 "hook: its chain's, or for a chain jumped to the hook it was entered from; "
	 "absent when not known",
	 get_trace_hook},
	{"trace.rule", VAL_STR, NULL, "the rule's comment, or its handle when it has none",
	 get_trace_rule},
	{"trace.handle", VAL_UINT, NULL, "rule handle", get_trace_handle},
	{"trace.type", VAL_UINT, trace_type_syms, "rule, return or policy", get_trace_type},
	{"trace.verdict", VAL_UINT, verdict_syms, "accept, drop, continue, jump, goto, return ...",
	 get_trace_verdict},
	{"trace.target", VAL_STR, NULL, "chain of a jump or goto", get_trace_target},
	{"trace.iif", VAL_STR, NULL, "input interface", get_trace_iif},
	{"trace.oif", VAL_STR, NULL, "output interface", get_trace_oif},
	{"trace.mark", VAL_UINT, NULL, "packet mark", get_trace_mark},
	{"trace.id", VAL_UINT, NULL, "the kernel's id of the traced packet", get_trace_id},
	{"trace.family", VAL_UINT, nfproto_syms, "table family", get_trace_family},
	{"trace.ct.state", VAL_UINT, trace_ct_state_syms,
	 "NEW, ESTABLISHED, RELATED, UNTRACKED; absent: no entry (INVALID)", get_trace_ct_state},
	{"trace.ct.status", VAL_FLAGS, ct_status_syms, "status bits of the packet's entry",
	 get_trace_ct_status},
	{"trace.ct.direction", VAL_UINT, ct_dir_syms, "original or reply", get_trace_ct_dir},
	{"trace.ct.id", VAL_UINT, NULL, "conntrack id of the packet's entry", get_trace_ct_id},
	{NULL, 0, NULL, NULL, NULL},
};

/* ---- counters ---- */

static const struct sym counter_kind_syms[] = {
	{"rule", COUNTER_RULE},	  {"named", COUNTER_NAMED},	{"policy", COUNTER_POLICY},
	{"quota", COUNTER_QUOTA}, {"element", COUNTER_ELEMENT}, {NULL, 0}};
static const struct sym ruleset_syms[] = {{"nft", RULESET_NFT},
					  {"iptables", RULESET_IPTABLES},
					  {"ip6tables", RULESET_IP6TABLES},
					  {NULL, 0}};

REC_GET(get_ctr_kind, struct counter_rec, true, value_uint(v, r->kind))
REC_GET(get_ctr_ruleset, struct counter_rec, true, value_uint(v, r->ruleset))
REC_GET(get_ctr_family, struct counter_rec, true, value_str(v, r->family))
REC_GET(get_ctr_table, struct counter_rec, true, value_str(v, r->table))
REC_GET(get_ctr_chain, struct counter_rec, r->chain[0], value_str(v, r->chain))
REC_GET(get_ctr_name, struct counter_rec, r->kind == COUNTER_NAMED, value_str(v, r->name))
REC_GET(get_ctr_comment, struct counter_rec, r->comment[0], value_str(v, r->comment))
REC_GET(get_ctr_policy, struct counter_rec, r->policy[0], value_str(v, r->policy))
REC_GET(get_ctr_handle, struct counter_rec, r->handle, value_uint(v, r->handle))
REC_GET(get_ctr_position, struct counter_rec, r->position, value_uint(v, r->position))
REC_GET(get_ctr_packets, struct counter_rec, !r->uncounted, value_uint(v, r->packets))
REC_GET(get_ctr_bytes, struct counter_rec, !r->uncounted, value_uint(v, r->bytes))
#define ELEM  (r->kind == COUNTER_ELEMENT)
#define QUOTA (r->kind == COUNTER_QUOTA)
REC_GET(get_set_name, struct counter_rec, ELEM, value_str(v, r->set))
REC_GET(get_set_elem, struct counter_rec, ELEM, value_str(v, r->elem))
REC_GET(get_quota_name, struct counter_rec, QUOTA, value_str(v, r->name))
REC_GET(get_quota_used, struct counter_rec, QUOTA, value_uint(v, r->quota_used))
REC_GET(get_quota_limit, struct counter_rec, QUOTA, value_uint(v, r->quota_limit))
REC_GET(get_quota_over, struct counter_rec, QUOTA, value_uint(v, r->quota_over))

const struct field_def counter_fields[] = {
	{"counter.kind", VAL_UINT, counter_kind_syms, "rule, named, policy, quota or element",
	 get_ctr_kind},
	{"counter.ruleset", VAL_UINT, ruleset_syms, "nft, iptables or ip6tables", get_ctr_ruleset},
	{"counter.family", VAL_STR, NULL, "table family (ip, ip6, inet ...)", get_ctr_family},
	{"counter.table", VAL_STR, NULL, "table name", get_ctr_table},
	{"counter.chain", VAL_STR, NULL, "chain name", get_ctr_chain},
	{"counter.name", VAL_STR, NULL, "name of an nft named counter", get_ctr_name},
	{"counter.comment", VAL_STR, NULL, "the rule's comment", get_ctr_comment},
	{"counter.policy", VAL_STR, NULL, "policy of an iptables built-in chain", get_ctr_policy},
	{"counter.handle", VAL_UINT, NULL, "nft rule handle", get_ctr_handle},
	{"counter.position", VAL_UINT, NULL, "1-based position of the rule in its chain",
	 get_ctr_position},
	{"counter.packets", VAL_UINT, NULL, "packets counted", get_ctr_packets},
	{"counter.bytes", VAL_UINT, NULL, "bytes counted", get_ctr_bytes},
	{"set.name", VAL_STR, NULL, "the named set or map of an element", get_set_name},
	{"set.elem", VAL_STR, NULL, "an element's key, as nft lists it", get_set_elem},
	{"quota.name", VAL_STR, NULL, "name of an nft named quota", get_quota_name},
	{"quota.used", VAL_UINT, NULL, "bytes the quota used (at most its limit)", get_quota_used},
	{"quota.limit", VAL_UINT, NULL, "the quota's limit in bytes", get_quota_limit},
	{"quota.over", VAL_UINT, NULL, "1 for a \"quota over\" (it matches once used up), else 0",
	 get_quota_over},
	{NULL, 0, NULL, NULL, NULL},
};

/* ---- packet fates ---- */

static const struct sym fate_kind_syms[] = {
	{"delivered", FATE_DELIVERED}, {"forwarded", FATE_FORWARDED},
	{"sent", FATE_SENT},	       {"dropped", FATE_DROPPED},
	{"rejected", FATE_REJECTED},   {"lost", FATE_LOST},
	{"unknown", FATE_UNKNOWN},     {NULL, 0},
};

static const struct sym fate_by_syms[] = {
	{"rule", FATE_BY_RULE},		{"policy", FATE_BY_POLICY}, {"none", FATE_BY_NONE},
	{"untraced", FATE_BY_UNTRACED}, {"kernel", FATE_BY_KERNEL}, {NULL, 0},
};

/* trace.ct.state's names, and none: the packet had no conntrack entry (INVALID, untracked node). */
static const struct sym fate_ct_syms[] = {
	{"NEW", TRACE_CT_NEW},
	{"ESTABLISHED", TRACE_CT_ESTABLISHED},
	{"RELATED", TRACE_CT_RELATED},
	{"UNTRACKED", TRACE_CT_UNTRACKED},
	{"none", 0},
	{NULL, 0},
};

/* The rule's comment, or its handle as text when it has none: as trace.rule. */
static bool get_fate_rule(const void *rec, struct value *v)
{
	const struct fate_rec *r = rec;

	return r->f.rule[0] && value_str(v, r->f.rule);
}

REC_GET(get_fate, struct fate_rec, true, value_uint(v, r->f.kind))
REC_GET(get_fate_node, struct fate_rec, r->f.node, value_str(v, r->f.node))
REC_GET(get_fate_hook, struct fate_rec, r->f.hook >= 0, value_uint(v, (uint64_t)r->f.hook))
REC_GET(get_fate_table, struct fate_rec, r->f.table[0], value_str(v, r->f.table))
REC_GET(get_fate_chain, struct fate_rec, r->f.chain[0], value_str(v, r->f.chain))
REC_GET(get_fate_by, struct fate_rec, true, value_uint(v, r->f.by))
REC_GET(get_fate_reason, struct fate_rec, r->f.reason[0],
	value_bytes(v, (const uint8_t *)r->f.reason, strlen(r->f.reason)))
REC_GET(get_fate_iface, struct fate_rec, r->f.iface[0], value_str(v, r->f.iface))
REC_GET(get_fate_ct_state, struct fate_rec, true, value_uint(v, r->f.ct_bits))
REC_GET(get_fate_ct_dir, struct fate_rec, r->f.ct_bits, value_uint(v, r->f.ct_reply))

const struct field_def fate_fields[] = {
	{"fate", VAL_UINT, fate_kind_syms,
	 "delivered, forwarded, sent, dropped, rejected, lost or unknown", get_fate},
	{"fate.node", VAL_STR, NULL, "the node", get_fate_node},
	{"fate.hook", VAL_UINT, hook_syms, "the hook where it was sealed", get_fate_hook},
	{"fate.table", VAL_STR, NULL, "table of the chain that decided", get_fate_table},
	{"fate.chain", VAL_STR, NULL, "the chain that decided", get_fate_chain},
	{"fate.rule", VAL_STR, NULL, "the rule that decided: its comment, or its handle",
	 get_fate_rule},
	{"fate.by", VAL_UINT, fate_by_syms, "what decided: rule, policy, none, untraced or kernel",
	 get_fate_by},
	{"fate.reason", VAL_BYTES, NULL,
	 "the kernel's reason, from its drop counters: \"no route (IpExt InNoRoutes +1)\"",
	 get_fate_reason},
	{"fate.iface", VAL_STR, NULL, "out interface (forwarded, sent), else in interface",
	 get_fate_iface},
	{"fate.ct.state", VAL_UINT, fate_ct_syms,
	 "NEW, ESTABLISHED, RELATED, UNTRACKED, or none (no entry: INVALID)", get_fate_ct_state},
	{"fate.ct.direction", VAL_UINT, ct_dir_syms, "original or reply", get_fate_ct_dir},
	{NULL, 0, NULL, NULL, NULL},
};
