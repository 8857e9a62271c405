// SPDX-License-Identifier: GPL-2.0-or-later
/* Which ports a netns has open, asked through sock_diag (how ss does it). */
#include "topo/sockdiag.h"

#include <arpa/inet.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/inet_diag.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"

struct port_query {
	uint16_t port;	       /* network order */
	unsigned long *inodes; /* of the sockets found */
	size_t n, cap;
};

static int on_socket(const struct nlmsghdr *nlh, void *arg)
{
	const struct inet_diag_msg *m = mnl_nlmsg_get_payload(nlh);
	struct port_query *q = arg;

	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*m) || m->id.idiag_sport != q->port)
		return MNL_CB_OK;
	XGROW(q->inodes, q->n, q->cap);
	q->inodes[q->n++] = m->idiag_inode;
	return MNL_CB_OK;
}
static int dump_family(struct nl_sock *s, int family, int proto, struct port_query *q,
		       struct diag *d)
{
	char buf[NL_REQUEST_SIZE] = {0};
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct inet_diag_req_v2 *req;

	nlh->nlmsg_type = SOCK_DIAG_BY_FAMILY;
	req = mnl_nlmsg_put_extra_header(nlh, sizeof(*req));
	req->sdiag_family = (uint8_t)family;
	req->sdiag_protocol = (uint8_t)proto;
	/* TCP: listeners only; UDP: any state (an unconnected bound socket is "close"). */
	req->idiag_states = proto == IPPROTO_TCP ? 1u << TCP_LISTEN : ~0u;
	if (nl_dump(s, nlh, on_socket, q, d)) {
		/* A kernel without IPv6 (or its diag module) has nothing to report there. */
		if (d->err != ENOENT)
			return -1;
		diag_clear(d);
	}
	return 0;
}

struct nl_sock *sockdiag_open(int nsfd, struct diag *d)
{
	return nl_open(nsfd, NETLINK_SOCK_DIAG, d);
}

long sockdiag_port_inodes(struct nl_sock *s, int proto, uint16_t port, unsigned long **inodes,
			  struct diag *d)
{
	struct port_query q = {.port = htons(port)};

	if (dump_family(s, AF_INET, proto, &q, d) || dump_family(s, AF_INET6, proto, &q, d)) {
		free(q.inodes);
		return -1;
	}
	*inodes = q.inodes;
	return (long)q.n;
}
