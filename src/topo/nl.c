// SPDX-License-Identifier: GPL-2.0-or-later
/* A netlink command socket bound to one netns, with acked requests and extended-ack errors. */
#include "topo/nl.h"

#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/rtnetlink.h>
#include <stdlib.h>
#include <poll.h>
#include <string.h>

#include "topo/netns.h"
#include "util/clock.h"
#include "util/xalloc.h"

#ifndef NETLINK_EXT_ACK
#define NETLINK_EXT_ACK 11
#endif

struct nl_sock {
	struct mnl_socket *mnl;
	uint32_t portid;
	uint32_t seq;
	char buf[32768]; /* one recv of a dump; MNL_SOCKET_DUMP_SIZE is newer than libmnl 1.0.4 */
};

struct mnl_socket *nl_mnl_open(int nsfd, int bus, int flags, struct diag *d)
{
	struct mnl_socket *mnl;

	if (nsfd >= 0 && netns_enter(nsfd, d))
		return NULL;
	/* Created while inside: the socket belongs to that netns for good. */
	mnl = mnl_socket_open2(bus, SOCK_CLOEXEC | flags);
	if (!mnl)
		diag_errno(d, "cannot open a netlink socket");
	if (nsfd >= 0 && netns_restore(d)) {
		if (mnl)
			mnl_socket_close(mnl);
		return NULL;
	}
	return mnl;
}

struct nl_sock *nl_open(int nsfd, int bus, struct diag *d)
{
	struct nl_sock *s = xzalloc(sizeof(*s));
	int one = 1;

	s->mnl = nl_mnl_open(nsfd, bus, 0, d);
	if (!s->mnl)
		goto err;
	if (mnl_socket_bind(s->mnl, 0, MNL_SOCKET_AUTOPID)) {
		diag_errno(d, "cannot bind a netlink socket");
		goto err;
	}
	/* Without these the kernel's reason for a refusal is lost. */
	mnl_socket_setsockopt(s->mnl, NETLINK_EXT_ACK, &one, sizeof(one));
	mnl_socket_setsockopt(s->mnl, NETLINK_CAP_ACK, &one, sizeof(one));
	s->portid = mnl_socket_get_portid(s->mnl);
	s->seq = 1;
	return s;
err:
	nl_close(s);
	return NULL;
}

int nl_fd(const struct nl_sock *s)
{
	return mnl_socket_get_fd(s->mnl);
}

void nl_close(struct nl_sock *s)
{
	if (!s)
		return;
	if (s->mnl)
		mnl_socket_close(s->mnl);
	free(s);
}

static const char *msg_name(uint16_t type)
{
	switch (type) {
	case RTM_NEWLINK:
		return "RTM_NEWLINK";
	case RTM_GETLINK:
		return "RTM_GETLINK";
	case RTM_NEWADDR:
		return "RTM_NEWADDR";
	case RTM_NEWROUTE:
		return "RTM_NEWROUTE";
	default:
		return "netlink request";
	}
}

struct ack_ctx {
	uint16_t type;
	const char *what; /* the request's name when its type says nothing (genetlink) */
	struct diag *d;
	int (*cb)(const struct nlmsghdr *, void *);
	void *data;
};

static const char *ctx_name(const struct ack_ctx *c)
{
	return c->what ? c->what : msg_name(c->type);
}

static int extack_attr_cb(const struct nlattr *attr, void *data)
{
	const struct nlattr **tb = data;
	uint16_t type = mnl_attr_get_type(attr);

	if (type > NLMSGERR_ATTR_MAX)
		return MNL_CB_OK;
	if (type == NLMSGERR_ATTR_MSG && mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) < 0)
		return MNL_CB_OK;
	tb[type] = attr;
	return MNL_CB_OK;
}

static int error_cb(const struct nlmsghdr *nlh, void *data)
{
	struct ack_ctx *c = data;
	const struct nlmsgerr *err = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *tb[NLMSGERR_ATTR_MAX + 1] = {0};
	unsigned int off;

	if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*err)))
		return diag_set(c->d, "%s: truncated netlink error", ctx_name(c)), MNL_CB_ERROR;
	if (err->error == 0)
		return MNL_CB_STOP;
	/* Extended-ack attributes follow the (capped) original message. */
	off = sizeof(*err);
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		off += err->msg.nlmsg_len - sizeof(struct nlmsghdr);
	if ((nlh->nlmsg_flags & NLM_F_ACK_TLVS) && mnl_nlmsg_size(off) <= nlh->nlmsg_len)
		mnl_attr_parse(nlh, off, extack_attr_cb, tb);
	errno = -err->error;
	if (tb[NLMSGERR_ATTR_MSG])
		diag_set(c->d, "%s: %s (kernel: %s)", ctx_name(c), strerror(-err->error),
			 mnl_attr_get_str(tb[NLMSGERR_ATTR_MSG]));
	else if (tb[NLMSGERR_ATTR_MISS_TYPE] &&
		 mnl_attr_validate(tb[NLMSGERR_ATTR_MISS_TYPE], MNL_TYPE_U32) == 0)
		diag_set(c->d, "%s: %s (kernel: attribute %u missing)", ctx_name(c),
			 strerror(-err->error), mnl_attr_get_u32(tb[NLMSGERR_ATTR_MISS_TYPE]));
	else
		diag_set(c->d, "%s: %s", ctx_name(c), strerror(-err->error));
	if (c->d)
		c->d->err = -err->error;
	return MNL_CB_ERROR;
}

static int done_cb(const struct nlmsghdr *nlh, void *data)
{
	(void)nlh;
	(void)data;
	return MNL_CB_STOP;
}

static int data_cb(const struct nlmsghdr *nlh, void *data)
{
	struct ack_ctx *c = data;

	return c->cb ? c->cb(nlh, c->data) : MNL_CB_OK;
}

static int nl_talk(struct nl_sock *s, struct nlmsghdr *nlh, struct ack_ctx *c)
{
	/* With a control array libmnl ignores types it has no entry for: DONE needs one. */
	mnl_cb_t ctl[NLMSG_MIN_TYPE] = {[NLMSG_ERROR] = error_cb, [NLMSG_DONE] = done_cb};
	uint32_t seq = s->seq++;
	ssize_t n;
	int rc;

	nlh->nlmsg_seq = seq;
	if (mnl_socket_sendto(s->mnl, nlh, nlh->nlmsg_len) < 0)
		return diag_errno(c->d, "%s: send", ctx_name(c));
	do {
		n = mnl_socket_recvfrom(s->mnl, s->buf, sizeof(s->buf));
		if (n < 0)
			return diag_errno(c->d, "%s: receive", ctx_name(c));
		rc = mnl_cb_run2(s->buf, (size_t)n, seq, s->portid, data_cb, c, ctl,
				 MNL_ARRAY_SIZE(ctl));
	} while (rc > 0);
	if (rc < 0) {
		if (c->d && !c->d->set)
			diag_errno(c->d, "%s", ctx_name(c));
		return -1;
	}
	return 0;
}

int nl_request(struct nl_sock *s, struct nlmsghdr *nlh, struct diag *d)
{
	struct ack_ctx c = {.type = nlh->nlmsg_type, .d = d};

	nlh->nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
	return nl_talk(s, nlh, &c);
}

int nl_request_cb(struct nl_sock *s, struct nlmsghdr *nlh,
		  int (*cb)(const struct nlmsghdr *, void *), void *data, struct diag *d)
{
	struct ack_ctx c = {.type = nlh->nlmsg_type, .d = d, .cb = cb, .data = data};

	nlh->nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
	return nl_talk(s, nlh, &c);
}

int nl_request_batch(struct nl_sock *s, void *buf, size_t len, const char *what, size_t *failed,
		     struct diag *d)
{
	struct ack_ctx c = {.what = what, .d = d};
	uint32_t first = s->seq, n = 0, acked = 0;
	struct nlmsghdr *nlh;
	int left = (int)len, bad = 0;

	for (nlh = buf; mnl_nlmsg_ok(nlh, left); nlh = mnl_nlmsg_next(nlh, &left)) {
		nlh->nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
		nlh->nlmsg_seq = s->seq++;
		n++;
	}
	if (mnl_socket_sendto(s->mnl, buf, len) < 0)
		return diag_errno(d, "%s: send", what);
	while (acked < n) {
		ssize_t got = mnl_socket_recvfrom(s->mnl, s->buf, sizeof(s->buf));

		if (got < 0)
			return diag_errno(d, "%s: receive", what);
		left = (int)got;
		for (nlh = (struct nlmsghdr *)s->buf; mnl_nlmsg_ok(nlh, left);
		     nlh = mnl_nlmsg_next(nlh, &left)) {
			uint32_t i = nlh->nlmsg_seq - first; /* unsigned: wraps with seq */

			/* Only acks count: a reply the kernel sends before one is skipped. */
			if (nlh->nlmsg_type != NLMSG_ERROR || i >= n || nlh->nlmsg_pid != s->portid)
				continue;
			acked++;
			if (!bad && error_cb(nlh, &c) == MNL_CB_ERROR) {
				bad = 1;
				if (failed)
					*failed = i;
			}
		}
	}
	return bad ? -1 : 0;
}

int nl_dump(struct nl_sock *s, struct nlmsghdr *nlh, int (*cb)(const struct nlmsghdr *, void *),
	    void *data, struct diag *d)
{
	struct ack_ctx c = {.type = nlh->nlmsg_type, .d = d, .cb = cb, .data = data};

	nlh->nlmsg_flags |= NLM_F_REQUEST | NLM_F_DUMP;
	return nl_talk(s, nlh, &c);
}

int nl_wait_news(struct mnl_socket *watch, uint64_t deadline)
{
	struct pollfd pfd = {.fd = mnl_socket_get_fd(watch), .events = POLLIN};
	uint64_t now = now_mono_ns();
	char buf[8192];

	if (now >= deadline || poll(&pfd, 1, (int)((deadline - now) / 1000000 + 1)) <= 0)
		return 0;
	while (mnl_socket_recvfrom(watch, buf, sizeof(buf)) > 0)
		; /* what changed does not matter to the caller: it looks again */
	return 1;
}
