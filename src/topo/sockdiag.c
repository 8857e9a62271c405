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
#include <string.h>
#include <unistd.h>

#include "topo/netns.h"

struct port_query {
	uint16_t port; /* network order */
	int found;
};

static int on_socket(const struct nlmsghdr *nlh, void *arg)
{
	const struct inet_diag_msg *m = mnl_nlmsg_get_payload(nlh);
	struct port_query *q = arg;

	if (m->id.idiag_sport == q->port)
		q->found = 1;
	return MNL_CB_OK;
}

static int dump_family(struct mnl_socket *nl, int family, int proto, struct port_query *q,
		       struct diag *d)
{
	char buf[32768];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct inet_diag_req_v2 *req;
	unsigned int seq = 1, portid = mnl_socket_get_portid(nl);
	ssize_t n;
	int rc;

	nlh->nlmsg_type = SOCK_DIAG_BY_FAMILY;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = seq;
	req = mnl_nlmsg_put_extra_header(nlh, sizeof(*req));
	req->sdiag_family = (uint8_t)family;
	req->sdiag_protocol = (uint8_t)proto;
	/* TCP: listeners only; UDP: any state (an unconnected bound socket is "close"). */
	req->idiag_states = proto == IPPROTO_TCP ? 1u << TCP_LISTEN : ~0u;
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		return diag_errno(d, "sock_diag request");
	do {
		n = mnl_socket_recvfrom(nl, buf, sizeof(buf));
		if (n < 0)
			return diag_errno(d, "sock_diag dump");
		rc = mnl_cb_run(buf, (size_t)n, seq, portid, on_socket, q);
	} while (rc > 0);
	/* A kernel without IPv6 (or its diag module) has nothing to report there. */
	if (rc < 0 && errno != ENOENT)
		return diag_errno(d, "sock_diag dump");
	return 0;
}

struct mnl_socket *sockdiag_open(int nsfd, struct diag *d)
{
	struct mnl_socket *nl;

	if (netns_enter(nsfd, d))
		return NULL;
	nl = mnl_socket_open2(NETLINK_SOCK_DIAG, SOCK_CLOEXEC);
	if (netns_restore(d)) {
		if (nl)
			mnl_socket_close(nl);
		return NULL;
	}
	if (!nl) {
		diag_errno(d, "sock_diag socket");
		return NULL;
	}
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		diag_errno(d, "sock_diag bind");
		mnl_socket_close(nl);
		return NULL;
	}
	return nl;
}

int sockdiag_port_open(struct mnl_socket *nl, int proto, uint16_t port, struct diag *d)
{
	struct port_query q = {htons(port), 0};

	if (dump_family(nl, AF_INET, proto, &q, d) || dump_family(nl, AF_INET6, proto, &q, d))
		return -1;
	return q.found;
}
