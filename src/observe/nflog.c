// SPDX-License-Identifier: GPL-2.0-or-later
/* NFLOG records of one node: what its log rules saw, with each packet's conntrack state. */
#include "observe/nflog.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <libnetfilter_log/libnetfilter_log.h>
#include <linux/netfilter/nf_conntrack_common.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>
#include <stdlib.h>
#include <string.h>

#include "observe/event.h"
#include "observe/nlwatch.h"
#include "topo/nl.h"
#include "util/xalloc.h"

struct nflog_listener {
	struct nlwatch *w;
	size_t node;
	const struct ifnames *names;
	uint16_t *groups;
	uint32_t *next_seq; /* per group: the sequence number the next record must carry */
	size_t n_groups;
	bool has_ct; /* records carry conntrack info (the kernel has NETLINK_GLUE_CT) */
};

struct read_ctx {
	struct nflog_listener *l;
	struct evlog *log;
	struct diag *d;
	int lost; /* a gap in a group's sequence numbers */
};

/* Sends one config message for group and reads its acknowledgement. */
static int config(struct nflog_listener *l, uint16_t group, uint8_t cmd, bool settings,
		  struct diag *d)
{
	char buf[NL_REQUEST_SIZE] = {0}; /* zeroed: see NL_REQUEST_SIZE */
	struct mnl_socket *mnl = nlwatch_mnl(l->w);
	struct nlmsghdr *nlh = nflog_nlmsg_put_header(buf, NFULNL_MSG_CONFIG, AF_UNSPEC, group);
	uint32_t seq = (uint32_t)group + 1;
	char ack[MNL_SOCKET_BUFFER_SIZE];
	ssize_t n;

	nlh->nlmsg_flags |= NLM_F_ACK;
	nlh->nlmsg_seq = seq;
	if (cmd)
		nflog_attr_put_cfg_cmd(nlh, cmd);
	if (settings) {
		nflog_attr_put_cfg_mode(nlh, NFULNL_COPY_PACKET, 0xffff);
		/* One record per netlink message, sent at once: no batching delay. */
		mnl_attr_put_u32(nlh, NFULA_CFG_QTHRESH, htonl(1));
		mnl_attr_put_u32(nlh, NFULA_CFG_TIMEOUT, htonl(0));
		mnl_attr_put_u16(
			nlh, NFULA_CFG_FLAGS,
			htons(NFULNL_CFG_F_SEQ | (l->has_ct ? NFULNL_CFG_F_CONNTRACK : 0)));
	}
	if (mnl_socket_sendto(mnl, nlh, nlh->nlmsg_len) < 0)
		return diag_errno(d, "NFLOG group %u", group);
	/* The kernel handles the request inside sendto: its ack is already queued. */
	n = mnl_socket_recvfrom(mnl, ack, sizeof(ack));
	if (n < 0 || mnl_cb_run(ack, (size_t)n, seq, mnl_socket_get_portid(mnl), NULL, NULL) < 0)
		return diag_errno(d, "NFLOG group %u: the kernel refused %s", group,
				  cmd == NFULNL_CFG_CMD_BIND ? "the bind" : "the settings");
	return 0;
}

struct nflog_listener *nflog_listener_open(int nsfd, size_t node, const uint16_t *groups,
					   size_t n_groups, const struct ifnames *names, int rcvbuf,
					   const char *what, struct diag *d)
{
	struct nflog_listener *l = xzalloc(sizeof(*l));
	size_t i;

	l->node = node;
	l->names = names;
	l->n_groups = n_groups;
	l->groups = xcalloc(n_groups + 1, sizeof(*l->groups));
	l->next_seq = xcalloc(n_groups + 1, sizeof(*l->next_seq));
	memcpy(l->groups, groups, n_groups * sizeof(*groups));
	l->w = nlwatch_open(nsfd, 0, rcvbuf, what, d);
	if (!l->w)
		goto err;
	l->has_ct = true;
	for (i = 0; i < n_groups; i++) {
		int rc;

		if (config(l, groups[i], NFULNL_CFG_CMD_BIND, false, d))
			goto err;
		rc = config(l, groups[i], 0, true, d);
		/* Without CONFIG_NETFILTER_NETLINK_GLUE_CT the kernel cannot add conntrack info. */
		if (rc && l->has_ct && errno == EOPNOTSUPP) {
			diag_clear(d);
			l->has_ct = false;
			rc = config(l, groups[i], 0, true, d);
		}
		if (rc)
			goto err;
	}
	return l;
err:
	diag_prefix(d, "%s", what);
	nflog_listener_close(l);
	return NULL;
}

void nflog_listener_close(struct nflog_listener *l)
{
	if (!l)
		return;
	nlwatch_close(l->w);
	free(l->groups);
	free(l->next_seq);
	free(l);
}

bool nflog_listener_has_ct(const struct nflog_listener *l)
{
	return l->has_ct;
}

int nflog_listener_fd(const struct nflog_listener *l)
{
	return nlwatch_fd(l->w);
}

/* Status and id of the packet's conntrack entry, from the nested CTA_* attributes. */
static int ct_attr_cb(const struct nlattr *a, void *data)
{
	struct log_rec *r = data;

	switch (mnl_attr_get_type(a)) {
	case CTA_STATUS:
		if (mnl_attr_validate(a, MNL_TYPE_U32) == 0) {
			r->has_ct_status = true;
			r->ct_status = ntohl(mnl_attr_get_u32(a));
		}
		break;
	case CTA_ID:
		if (mnl_attr_validate(a, MNL_TYPE_U32) == 0)
			r->ct_id = ntohl(mnl_attr_get_u32(a));
		break;
	}
	return MNL_CB_OK;
}

/* A gap in the group's sequence numbers means records were dropped in the kernel. */
static bool seq_ok(struct nflog_listener *l, uint16_t group, uint32_t seq)
{
	size_t i;

	for (i = 0; i < l->n_groups; i++) {
		if (l->groups[i] != group)
			continue;
		if (seq != l->next_seq[i])
			return false;
		l->next_seq[i] = seq + 1;
	}
	return true;
}

static int record_cb(const struct nlmsghdr *nlh, void *data)
{
	struct read_ctx *rc = data;
	struct nlattr *tb[NFULA_MAX + 1] = {0};
	struct nfgenmsg *nfg = mnl_nlmsg_get_payload(nlh);
	const uint8_t *p = NULL;
	uint16_t len = 0;
	struct log_rec r;

	if ((nlh->nlmsg_type & 0xff) != NFULNL_MSG_PACKET || nflog_nlmsg_parse(nlh, tb) < 0)
		return MNL_CB_OK;
	memset(&r, 0, sizeof(r));
	r.group = ntohs(nfg->res_id);
	r.ct_known = rc->l->has_ct;
	r.ct_state = LOG_CT_NONE;
	if (tb[NFULA_SEQ] && !seq_ok(rc->l, r.group, ntohl(mnl_attr_get_u32(tb[NFULA_SEQ]))))
		rc->lost = 1;
	if (tb[NFULA_PACKET_HDR]) {
		const struct nfulnl_msg_packet_hdr *ph = mnl_attr_get_payload(tb[NFULA_PACKET_HDR]);

		r.hook = ph->hook;
	}
	if (tb[NFULA_PREFIX])
		snprintf(r.prefix, sizeof(r.prefix), "%s", mnl_attr_get_str(tb[NFULA_PREFIX]));
	if (tb[NFULA_MARK])
		r.mark = ntohl(mnl_attr_get_u32(tb[NFULA_MARK]));
	if (tb[NFULA_IFINDEX_INDEV])
		ifnames_get(rc->l->names, ntohl(mnl_attr_get_u32(tb[NFULA_IFINDEX_INDEV])),
			    r.indev);
	if (tb[NFULA_IFINDEX_OUTDEV])
		ifnames_get(rc->l->names, ntohl(mnl_attr_get_u32(tb[NFULA_IFINDEX_OUTDEV])),
			    r.outdev);
	if (tb[NFULA_CT_INFO])
		r.ct_state = (uint8_t)ntohl(mnl_attr_get_u32(tb[NFULA_CT_INFO]));
	if (tb[NFULA_CT])
		mnl_attr_parse_nested(tb[NFULA_CT], ct_attr_cb, &r);
	if (tb[NFULA_PAYLOAD]) {
		p = mnl_attr_get_payload(tb[NFULA_PAYLOAD]);
		len = mnl_attr_get_payload_len(tb[NFULA_PAYLOAD]);
		pkt_decode(p, len, len, PKT_LINK_RAW, &r.pkt);
	}
	evlog_add_node(rc->log, EV_LOG, rc->l->node, p, len)->log = r;
	return MNL_CB_OK;
}

int nflog_listener_read(struct nflog_listener *l, struct evlog *log, struct diag *d)
{
	struct read_ctx rc = {l, log, d, 0};
	size_t before = log->n;

	if (nlwatch_read(l->w, record_cb, &rc, d))
		return -1;
	if (rc.lost)
		return diag_set(d,
				"%s lost records (a gap in NFLOG sequence numbers): verdicts "
				"cannot be trusted",
				nlwatch_name(l->w));
	return (int)(log->n - before);
}

static const char *const ctinfo_names[] = {
	[IP_CT_ESTABLISHED] = "ESTABLISHED",
	[IP_CT_RELATED] = "RELATED",
	[IP_CT_NEW] = "NEW",
	[IP_CT_ESTABLISHED_REPLY] = "ESTABLISHED_REPLY",
	[IP_CT_RELATED_REPLY] = "RELATED_REPLY",
};

static const char *const hook_names[] = {"prerouting", "input", "forward", "output", "postrouting"};

const char *log_summary(const struct log_rec *r, char *buf, size_t len)
{
	const char *state = !r->ct_known		      ? "conntrack unknown"
			    : r->ct_state < 5		      ? ctinfo_names[r->ct_state]
			    : r->ct_state == LOG_CT_UNTRACKED ? "UNTRACKED"
							      : "no conntrack";
	char sum[400];
	int n = snprintf(buf, len, "[NFLOG %u] \"%s\" %s", r->group, r->prefix,
			 r->hook < 5 ? hook_names[r->hook] : "?");

	if (n > 0 && (size_t)n < len && r->indev[0])
		n += snprintf(buf + n, len - (size_t)n, " in=%s", r->indev);
	if (n > 0 && (size_t)n < len && r->outdev[0])
		n += snprintf(buf + n, len - (size_t)n, " out=%s", r->outdev);
	if (n > 0 && (size_t)n < len)
		snprintf(buf + n, len - (size_t)n, " %s: %s", state,
			 pkt_summary(&r->pkt, sum, sizeof(sum)));
	return buf;
}

static void group_add(uint16_t g, uint16_t **groups, size_t *n, size_t *cap)
{
	size_t i;

	for (i = 0; i < *n; i++)
		if ((*groups)[i] == g)
			return;
	XGROW(*groups, *n, *cap);
	(*groups)[(*n)++] = g;
}

/* The number after word in line (e.g. "group 2"), or -1. */
static long number_after(const char *line, const char *word)
{
	const char *p = strstr(line, word);
	char *end;
	long v;

	if (!p)
		return -1;
	p += strlen(word);
	while (*p == ' ' || *p == '\t')
		p++;
	v = strtol(p, &end, 10);
	return end == p || v < 0 || v > 65535 ? -1 : v;
}

static void groups_scan(const char *rules, uint16_t **groups, size_t *n, size_t *cap)
{
	const char *line = rules;

	while (line && *line) {
		const char *eol = strchr(line, '\n');
		size_t len = eol ? (size_t)(eol - line) : strlen(line);
		char *l = xstrndup(line, len);
		long g;

		if (strstr(l, "-j NFLOG")) {
			g = number_after(l, "--nflog-group");
			group_add(g < 0 ? 0 : (uint16_t)g, groups, n, cap);
		} else if (strstr(l, "log ") && (g = number_after(l, " group")) >= 0) {
			group_add((uint16_t)g, groups, n, cap);
		}
		free(l);
		line = eol ? eol + 1 : NULL;
	}
}

size_t nflog_node_groups(const struct lab_node *n, uint16_t **groups)
{
	size_t count = 0, cap = 0;

	*groups = NULL;
	groups_scan(n->nft.text, groups, &count, &cap);
	groups_scan(n->step_rules, groups, &count, &cap); /* nft and iptables steps: bound from the start */
	groups_scan(n->iptables.text, groups, &count, &cap);
	groups_scan(n->ip6tables.text, groups, &count, &cap);
	return count;
}
