// SPDX-License-Identifier: GPL-2.0-or-later
/* Links over rtnetlink: veth pairs across namespaces, state, MTU and MAC. */
#include "topo/link.h"

#include <libmnl/libmnl.h>
#include <linux/if.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>

#include "util/clock.h"

static void put_end(struct nlmsghdr *nlh, const struct veth_end *e)
{
	mnl_attr_put_strz(nlh, IFLA_IFNAME, e->name);
	/*
	 * One queue each way, which is all veth uses unless told otherwise: left to
	 * the kernel, it makes one per CPU, then cuts them to one on a registered
	 * device, which waits out an RCU grace period per end.
	 */
	mnl_attr_put_u32(nlh, IFLA_NUM_TX_QUEUES, 1);
	mnl_attr_put_u32(nlh, IFLA_NUM_RX_QUEUES, 1);
	if (e->mtu)
		mnl_attr_put_u32(nlh, IFLA_MTU, e->mtu);
	if (e->mac)
		mnl_attr_put(nlh, IFLA_ADDRESS, 6, e->mac);
}

int link_veth_add(struct nl_sock *s, const struct veth_end *a, const struct veth_end *b,
		  struct diag *d)
{
	char buf[NL_REQUEST_SIZE] = {0}; /* zeroed: see NL_REQUEST_SIZE */
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct nlattr *info, *data, *peer;
	struct ifinfomsg *ifm;

	nlh->nlmsg_type = RTM_NEWLINK;
	nlh->nlmsg_flags = NLM_F_CREATE | NLM_F_EXCL;
	ifm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifm));
	ifm->ifi_family = AF_UNSPEC;
	put_end(nlh, a);
	/* As ip/link_veth.c: the peer is a nested ifinfomsg plus its attributes. */
	info = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "veth");
	data = mnl_attr_nest_start(nlh, IFLA_INFO_DATA);
	peer = mnl_attr_nest_start(nlh, VETH_INFO_PEER);
	ifm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifm));
	ifm->ifi_family = AF_UNSPEC;
	put_end(nlh, b);
	/* Created straight into its netns: the end is never visible at home. */
	mnl_attr_put_u32(nlh, IFLA_NET_NS_FD, (uint32_t)b->nsfd);
	mnl_attr_nest_end(nlh, peer);
	mnl_attr_nest_end(nlh, data);
	mnl_attr_nest_end(nlh, info);
	return nl_request(s, nlh, d);
}

int link_up(struct nl_sock *s, const char *name, struct diag *d)
{
	return link_set_up(s, name, true, d);
}

int link_set_up(struct nl_sock *s, const char *name, bool up, struct diag *d)
{
	char buf[NL_REQUEST_SIZE] = {0}; /* zeroed: see NL_REQUEST_SIZE */
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ifinfomsg *ifm;

	nlh->nlmsg_type = RTM_NEWLINK;
	ifm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifm));
	ifm->ifi_family = AF_UNSPEC;
	ifm->ifi_flags = up ? IFF_UP : 0;
	ifm->ifi_change = IFF_UP;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	if (nl_request(s, nlh, d)) {
		diag_prefix(d, "cannot set %s %s", name, up ? "up" : "down");
		return -1;
	}
	return 0;
}

struct link_info {
	int index;
	unsigned int flags; /* IFF_* */
	uint8_t mac[6];
	int has_mac;
	uint8_t operstate; /* IF_OPER_* */
	char qdisc[16];	   /* "noop" until the kernel activated the device's queue */
	int carrier;	   /* IFLA_CARRIER, or -1 when the kernel did not say */
	uint64_t tx_packets, tx_dropped;
};

static int link_attr_cb(const struct nlattr *attr, void *data)
{
	struct link_info *li = data;

	if (mnl_attr_get_type(attr) == IFLA_ADDRESS && mnl_attr_get_payload_len(attr) == 6) {
		memcpy(li->mac, mnl_attr_get_payload(attr), 6);
		li->has_mac = 1;
	} else if (mnl_attr_get_type(attr) == IFLA_OPERSTATE &&
		   mnl_attr_get_payload_len(attr) >= 1) {
		li->operstate = mnl_attr_get_u8(attr);
	} else if (mnl_attr_get_type(attr) == IFLA_QDISC) {
		snprintf(li->qdisc, sizeof(li->qdisc), "%.*s", (int)mnl_attr_get_payload_len(attr),
			 (const char *)mnl_attr_get_payload(attr));
	} else if (mnl_attr_get_type(attr) == IFLA_CARRIER && mnl_attr_get_payload_len(attr) >= 1) {
		li->carrier = mnl_attr_get_u8(attr);
	} else if (mnl_attr_get_type(attr) == IFLA_STATS64 &&
		   mnl_attr_get_payload_len(attr) >= sizeof(struct rtnl_link_stats64)) {
		struct rtnl_link_stats64 st;

		memcpy(&st, mnl_attr_get_payload(attr), sizeof(st)); /* 4-byte aligned only */
		li->tx_packets = st.tx_packets;
		li->tx_dropped = st.tx_dropped;
	}
	return MNL_CB_OK;
}

static int link_cb(const struct nlmsghdr *nlh, void *data)
{
	struct link_info *li = data;
	const struct ifinfomsg *ifm = mnl_nlmsg_get_payload(nlh);

	if (nlh->nlmsg_type != RTM_NEWLINK)
		return MNL_CB_OK;
	li->index = ifm->ifi_index;
	li->flags = ifm->ifi_flags;
	mnl_attr_parse(nlh, sizeof(*ifm), link_attr_cb, li);
	return MNL_CB_OK;
}

static int link_get(struct nl_sock *s, const char *name, struct link_info *li, struct diag *d)
{
	char buf[NL_REQUEST_SIZE] = {0}; /* zeroed: see NL_REQUEST_SIZE */
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ifinfomsg *ifm;

	memset(li, 0, sizeof(*li));
	li->carrier = -1;
	nlh->nlmsg_type = RTM_GETLINK;
	ifm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifm));
	ifm->ifi_family = AF_UNSPEC;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	/* A GET with NLM_F_ACK answers with the link, then the ack. */
	if (nl_request_cb(s, nlh, link_cb, li, d)) {
		diag_prefix(d, "interface \"%s\"", name);
		return -1;
	}
	return 0;
}

/*
 * By ioctl on the netlink socket, in its netns: an RTM_GETLINK first settles the
 * link's pending carrier change, and one to "no carrier" (a veth end up before
 * its peer) waits out an RCU grace period.
 */
int link_index(struct nl_sock *s, const char *name, struct diag *d)
{
	struct ifreq ifr = {0};

	if (strlen(name) >= sizeof(ifr.ifr_name)) {
		errno = ENODEV;
		return diag_errno(d, "interface \"%s\"", name);
	}
	strcpy(ifr.ifr_name, name);
	if (ioctl(nl_fd(s), SIOCGIFINDEX, &ifr))
		return diag_errno(d, "interface \"%s\"", name);
	return ifr.ifr_ifindex;
}

int link_mac(struct nl_sock *s, const char *name, uint8_t mac[6], struct diag *d)
{
	struct link_info li;

	if (link_get(s, name, &li, d))
		return -1;
	if (!li.has_mac)
		return diag_set(d, "%s has no MAC address", name);
	memcpy(mac, li.mac, 6);
	return 0;
}

int link_tx_state(struct nl_sock *s, const char *name, struct link_tx *tx, struct diag *d)
{
	struct link_info li;

	if (link_get(s, name, &li, d))
		return -1;
	tx->up = li.flags & IFF_UP;
	tx->carrier = li.carrier >= 0 ? li.carrier > 0 : (li.flags & IFF_LOWER_UP) != 0;
	tx->queue = strcmp(li.qdisc, "noop") != 0;
	tx->packets = li.tx_packets;
	tx->dropped = li.tx_dropped;
	return 0;
}

/* Up and able to send: operstate UP, and the kernel has replaced the "noop" queue. */
static int link_ready(struct nl_sock *s, const char *name, struct diag *d)
{
	struct link_info li;

	if (link_get(s, name, &li, d))
		return -1;
	return li.operstate == IF_OPER_UP && strcmp(li.qdisc, "noop") != 0;
}

int link_wait_ready(struct nl_sock *s, int nsfd, const char *const *names, size_t n,
		    uint64_t timeout_ns, struct diag *d)
{
	struct mnl_socket *watch = nl_mnl_open(nsfd, NETLINK_ROUTE, SOCK_NONBLOCK, d);
	uint64_t deadline = now_mono_ns() + timeout_ns;
	size_t i = 0;
	int rc = -1;

	/* Subscribed before looking: a change after the look is then never missed. */
	if (!watch || mnl_socket_bind(watch, RTMGRP_LINK, MNL_SOCKET_AUTOPID)) {
		if (watch)
			diag_errno(d, "cannot watch links");
		goto out;
	}
	while (i < n) {
		int ready = link_ready(s, names[i], d);

		if (ready < 0)
			goto out;
		if (ready) {
			i++;
			continue;
		}
		if (!nl_wait_news(watch, deadline)) {
			diag_set(d, "interface %s did not come up within %llu ms", names[i],
				 (unsigned long long)(timeout_ns / 1000000));
			goto out;
		}
	}
	rc = 0;
out:
	if (watch)
		mnl_socket_close(watch);
	return rc;
}
