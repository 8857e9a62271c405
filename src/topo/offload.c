// SPDX-License-Identifier: GPL-2.0-or-later
/* Segmentation offloads of links over ethtool netlink: off, so every frame is wire-sized. */
#include "topo/offload.h"

#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/ethtool.h>
#include <linux/ethtool_netlink.h>
#include <linux/genetlink.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"

/*
 * The kernel's names (net/ethtool/common.c, netdev_features_strings) of the
 * features that make super-frames: a TCP or UDP socket hands a device up to
 * 64 KiB at once when it can segment (the tx-*-segmentation family, GSO), and
 * a device glues received segments together (GRO, LRO, their variants). veth
 * passes either to its peer as one frame, so captures and frame-size checks
 * would see what no wire carries. ethtool(8) calls some of them by other
 * names: generic-segmentation-offload, generic-receive-offload,
 * large-receive-offload.
 */
static const char *const super_features[] = {
	"tx-generic-segmentation",
	"tx-tcp-segmentation",
	"tx-tcp-ecn-segmentation",
	"tx-tcp-mangleid-segmentation",
	"tx-tcp6-segmentation",
	"tx-udp-segmentation",
	"tx-gso-list",
	"tx-sctp-segmentation",
	"tx-esp-segmentation",
	"tx-gre-segmentation",
	"tx-gre-csum-segmentation",
	"tx-ipxip4-segmentation",
	"tx-ipxip6-segmentation",
	"tx-udp_tnl-segmentation",
	"tx-udp_tnl-csum-segmentation",
	"tx-tunnel-remcsum-segmentation",
	"tx-gso-partial",
	"rx-gro",
	"rx-gro-list",
	"rx-udp-gro-forwarding",
	"rx-gro-hw",
	"rx-lro",
};

#define N_SUPER (sizeof(super_features) / sizeof(super_features[0]))

/* Feature bits the kernel may have: netdev_features_t is 64 bits today. */
#define FEATURE_BITS_MAX 256

/* Room for one FEATURES_SET: headers, the device name and two bitmaps of FEATURE_BITS_MAX. */
#define OFFLOAD_MSG_ROOM 256

/*
 * What the kernel told once: family ids and feature names are the same in every
 * netns. The request names bits by index (a compact bitset): by name, the kernel
 * spends a third of the request's time looking each one up, for every link.
 */
static struct {
	int state; /* 0: not asked yet, 1: known */
	uint16_t family;
	uint32_t nbits;			      /* features of this kernel */
	uint32_t mask[FEATURE_BITS_MAX / 32]; /* the super-frame features among them */
} kernel;

static struct nlmsghdr *genl_put(void *buf, uint16_t family, uint8_t cmd, uint8_t version)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct genlmsghdr *g;

	nlh->nlmsg_type = family;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = cmd;
	g->version = version;
	return nlh;
}

static int family_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *a;

	mnl_attr_for_each(a, nlh, sizeof(struct genlmsghdr))
	{
		if (mnl_attr_get_type(a) == CTRL_ATTR_FAMILY_ID &&
		    mnl_attr_validate(a, MNL_TYPE_U16) == 0)
			*(uint16_t *)data = mnl_attr_get_u16(a);
	}
	return MNL_CB_OK;
}

/* STRING{INDEX, VALUE}: a feature's bit, put in the mask when it makes super-frames. */
static void string_parse(const struct nlattr *str)
{
	const struct nlattr *v;
	const char *name = NULL;
	uint32_t bit = FEATURE_BITS_MAX;
	size_t i;

	mnl_attr_for_each_nested(v, str)
	{
		if (mnl_attr_get_type(v) == ETHTOOL_A_STRING_INDEX &&
		    mnl_attr_validate(v, MNL_TYPE_U32) == 0)
			bit = mnl_attr_get_u32(v);
		else if (mnl_attr_get_type(v) == ETHTOOL_A_STRING_VALUE &&
			 mnl_attr_validate(v, MNL_TYPE_NUL_STRING) == 0)
			name = mnl_attr_get_str(v);
	}
	if (!name || bit >= kernel.nbits)
		return;
	for (i = 0; i < N_SUPER; i++)
		if (!strcmp(name, super_features[i]))
			kernel.mask[bit / 32] |= 1u << (bit % 32);
}

/* STRINGSET{ID, COUNT, STRINGS{STRING...}}: the features string set. */
static void strset_parse(const struct nlattr *set)
{
	const struct nlattr *a, *strs = NULL, *str;
	bool features = false;

	mnl_attr_for_each_nested(a, set)
	{
		if (mnl_attr_get_type(a) == ETHTOOL_A_STRINGSET_ID &&
		    mnl_attr_validate(a, MNL_TYPE_U32) == 0)
			features = mnl_attr_get_u32(a) == ETH_SS_FEATURES;
		else if (mnl_attr_get_type(a) == ETHTOOL_A_STRINGSET_COUNT &&
			 mnl_attr_validate(a, MNL_TYPE_U32) == 0)
			kernel.nbits = mnl_attr_get_u32(a);
		else if (mnl_attr_get_type(a) == ETHTOOL_A_STRINGSET_STRINGS)
			strs = a;
	}
	if (!features || !strs)
		return;
	if (kernel.nbits > FEATURE_BITS_MAX)
		kernel.nbits = FEATURE_BITS_MAX; /* a kernel from the future: its first bits */
	mnl_attr_for_each_nested(str, strs)
	{
		if (mnl_attr_get_type(str) == ETHTOOL_A_STRINGS_STRING)
			string_parse(str);
	}
}

static int strset_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *a, *set;

	(void)data;
	mnl_attr_for_each(a, nlh, sizeof(struct genlmsghdr))
	{
		if (mnl_attr_get_type(a) != ETHTOOL_A_STRSET_STRINGSETS)
			continue;
		mnl_attr_for_each_nested(set, a)
		{
			if (mnl_attr_get_type(set) == ETHTOOL_A_STRINGSETS_STRINGSET)
				strset_parse(set);
		}
	}
	return MNL_CB_OK;
}

/* The ethtool family's id and which feature names this kernel has, asked once. */
static int kernel_learn(struct nl_sock *s, struct diag *d)
{
	char buf[NL_REQUEST_SIZE] = {0}; /* zeroed: see NL_REQUEST_SIZE */
	struct nlmsghdr *nlh;
	struct nlattr *sets, *set;
	uint16_t family = 0;

	if (kernel.state)
		return 0;
	nlh = genl_put(buf, GENL_ID_CTRL, CTRL_CMD_GETFAMILY, 1);
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, ETHTOOL_GENL_NAME);
	if (nl_request_cb(s, nlh, family_cb, &family, d) || !family) {
		if (d->err == ENOENT || !family) {
			diag_clear(d);
			return diag_skip(d, "the kernel has no ethtool netlink (Linux 5.6, "
					    "CONFIG_ETHTOOL_NETLINK) to turn segmentation offloads "
					    "off; a link with offloads: true leaves them alone");
		}
		return -1;
	}
	/* The features string set is global: a header (required) without a device. */
	memset(buf, 0, sizeof(buf));
	nlh = genl_put(buf, family, ETHTOOL_MSG_STRSET_GET, ETHTOOL_GENL_VERSION);
	mnl_attr_nest_end(nlh, mnl_attr_nest_start(nlh, ETHTOOL_A_STRSET_HEADER | NLA_F_NESTED));
	sets = mnl_attr_nest_start(nlh, ETHTOOL_A_STRSET_STRINGSETS | NLA_F_NESTED);
	set = mnl_attr_nest_start(nlh, ETHTOOL_A_STRINGSETS_STRINGSET | NLA_F_NESTED);
	mnl_attr_put_u32(nlh, ETHTOOL_A_STRINGSET_ID, ETH_SS_FEATURES);
	mnl_attr_nest_end(nlh, set);
	mnl_attr_nest_end(nlh, sets);
	if (nl_request_cb(s, nlh, strset_cb, NULL, d)) {
		diag_prefix(d, "ethtool feature names");
		return -1;
	}
	if (!kernel.nbits) {
		memset(kernel.mask, 0, sizeof(kernel.mask));
		return diag_set(d, "ethtool feature names: the kernel sent none");
	}
	kernel.family = family;
	kernel.state = 1;
	return 0;
}

/* One ETHTOOL_MSG_FEATURES_SET at buf: the super-frame features of link name off. */
static struct nlmsghdr *features_off_put(void *buf, const char *name)
{
	struct nlmsghdr *nlh =
		genl_put(buf, kernel.family, ETHTOOL_MSG_FEATURES_SET, ETHTOOL_GENL_VERSION);
	uint32_t off[FEATURE_BITS_MAX / 32] = {0};
	size_t words = (kernel.nbits + 31) / 32;
	struct nlattr *hdr, *wanted;

	hdr = mnl_attr_nest_start(nlh, ETHTOOL_A_FEATURES_HEADER | NLA_F_NESTED);
	mnl_attr_put_strz(nlh, ETHTOOL_A_HEADER_DEV_NAME, name);
	/* No reply telling which wishes the device could not grant: veth grants these. */
	mnl_attr_put_u32(nlh, ETHTOOL_A_HEADER_FLAGS, ETHTOOL_FLAG_OMIT_REPLY);
	mnl_attr_nest_end(nlh, hdr);
	/* Bits in the mask take their value (0: off); the others stay as they are. */
	wanted = mnl_attr_nest_start(nlh, ETHTOOL_A_FEATURES_WANTED | NLA_F_NESTED);
	mnl_attr_put_u32(nlh, ETHTOOL_A_BITSET_SIZE, kernel.nbits);
	mnl_attr_put(nlh, ETHTOOL_A_BITSET_VALUE, words * sizeof(off[0]), off);
	mnl_attr_put(nlh, ETHTOOL_A_BITSET_MASK, words * sizeof(kernel.mask[0]), kernel.mask);
	mnl_attr_nest_end(nlh, wanted);
	return nlh;
}

int offload_off(struct nl_sock *s, const char *const *names, size_t n, struct diag *d)
{
	char *buf, *p;
	size_t i, failed = 0;
	int rc;

	if (n == 0)
		return 0;
	if (kernel_learn(s, d))
		return -1;
	buf = xcalloc(n, OFFLOAD_MSG_ROOM); /* zeroed: see NL_REQUEST_SIZE */
	for (i = 0, p = buf; i < n; i++)
		p += NLMSG_ALIGN(features_off_put(p, names[i])->nlmsg_len);
	rc = nl_request_batch(s, buf, (size_t)(p - buf), "ethtool FEATURES_SET", &failed, d);
	if (rc)
		diag_prefix(d, "cannot turn segmentation offloads off on %s", names[failed]);
	free(buf);
	return rc;
}
