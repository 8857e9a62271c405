// SPDX-License-Identifier: GPL-2.0-or-later
/* The box's interfaces, from `ip -j addr` (or `ip -j -d addr`): names, MTUs, addresses. */
#include <arpa/inet.h>
#include <string.h>

#include "import/box.h"
#include "import/json_file.h"
#include "util/xalloc.h"

/* Why the lab cannot use a, or NULL when it can. */
static const char *unusable(const struct ipaddr *a, const char *scope)
{
	static const struct {
		int family;
		const char *net;
		int plen;
		const char *why;
	} ranges[] = {
		{AF_INET, "127.0.0.0", 8, "a loopback address (every lab node's lo has its own)"},
		{AF_INET6, "::1", 128, "a loopback address (every lab node's lo has its own)"},
		{AF_INET, "169.254.0.0", 16, "a link-local address (the lab's kernel makes its own)"},
		{AF_INET6, "fe80::", 10, "a link-local address (the lab's kernel makes its own)"},
	};
	size_t i;

	for (i = 0; i < sizeof(ranges) / sizeof(ranges[0]); i++) {
		struct ipaddr net;

		if (ranges[i].family != a->family)
			continue;
		ipaddr_parse(ranges[i].net, &net, NULL);
		if (ipaddr_in_prefix(a, &net, ranges[i].plen))
			return ranges[i].why;
	}
	if (scope && !strcmp(scope, "host"))
		return "a host-scope address (the box's own, never on a link)";
	return NULL;
}

static int read_addr_info(struct box_iface *ifc, const json_t *info, size_t k, const char *path,
			  struct diag *d)
{
	const char *family = json_str(info, "family"), *local = json_str(info, "local");
	const json_t *plen = json_object_get(info, "prefixlen");
	struct box_addr *ba;
	struct ipaddr a;
	int want;

	if (!json_is_object(info))
		return diag_set(d, "%s: interface \"%s\": addr_info[%zu] is not a JSON object",
				path, ifc->name, k);
	if (!family || (strcmp(family, "inet") && strcmp(family, "inet6")))
		return 0; /* not an IP address: nothing for the lab */
	want = strcmp(family, "inet") ? AF_INET6 : AF_INET;
	if (!local || ipaddr_parse(local, &a, NULL) || a.family != want)
		return diag_set(d,
				"%s: interface \"%s\": addr_info[%zu]: expected \"local\": an %s "
				"address, got %s%s%s",
				path, ifc->name, k, want == AF_INET ? "IPv4" : "IPv6",
				local ? "\"" : "", local ? local : "nothing", local ? "\"" : "");
	if (!json_is_integer(plen) || json_integer_value(plen) < 0 ||
	    json_integer_value(plen) > (want == AF_INET ? 32 : 128))
		return diag_set(d,
				"%s: interface \"%s\": addr_info[%zu] (%s): expected \"prefixlen\": "
				"a number from 0 to %d",
				path, ifc->name, k, local, want == AF_INET ? 32 : 128);
	XGROW(ifc->addrs, ifc->n_addrs, ifc->cap_addrs);
	ba = &ifc->addrs[ifc->n_addrs++];
	ba->a = a;
	ba->plen = (int)json_integer_value(plen);
	ba->why = unusable(&a, json_str(info, "scope"));
	return 0;
}

static int read_iface(void *arg, const json_t *e, size_t i, const char *path, struct diag *d)
{
	struct box *b = arg;
	const char *name = json_str(e, "ifname"), *mac;
	const json_t *info = json_object_get(e, "addr_info"), *mtu = json_object_get(e, "mtu");
	struct box_iface *ifc;
	size_t k;

	if (!json_is_object(e))
		return diag_set(d, "%s: entry %zu is not a JSON object (expected ip -j addr)", path,
				i + 1);
	if (!json_object_size(e))
		return 0; /* older ip -j -4 addr writes {} for an interface without IPv4 */
	if (!name || !*name)
		return diag_set(d, "%s: entry %zu has no \"ifname\": expected the output of ip -j addr",
				path, i + 1);
	if (!json_is_array(info))
		return diag_set(d,
				"%s: interface \"%s\" has no \"addr_info\" list: expected the output "
				"of ip -j addr (not ip -j link)",
				path, name);
	if (mtu && (!json_is_integer(mtu) || json_integer_value(mtu) < 68 ||
		    json_integer_value(mtu) > 65536))
		return diag_set(d, "%s: interface \"%s\": expected \"mtu\": a number from 68 to 65536",
				path, name);
	ifc = box_iface_find(b, name); /* ip -j -4 addr; ip -j -6 addr in one file */
	if (!ifc) {
		XGROW(b->ifaces, b->n_ifaces, b->cap_ifaces);
		ifc = &b->ifaces[b->n_ifaces++];
		memset(ifc, 0, sizeof(*ifc));
		ifc->name = xstrdup(name);
	}
	if (mtu)
		ifc->mtu = (unsigned int)json_integer_value(mtu);
	if (json_str(e, "link_type") && !ifc->link_type)
		ifc->link_type = xstrdup(json_str(e, "link_type"));
	mac = json_str(e, "address");
	if (mac && !mac_parse(mac, ifc->mac))
		ifc->has_mac = true;
	for (k = 0; k < json_array_size(info); k++)
		if (read_addr_info(ifc, json_array_get(info, k), k, path, d))
			return -1;
	return 0;
}

int box_read_addr(struct box *b, const char *path, struct diag *d)
{
	return json_file_each(path, read_iface, b, d);
}
