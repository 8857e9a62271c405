// SPDX-License-Identifier: GPL-2.0-or-later
/* The box's routes, from `ip -j route` (-6, `show table all`): those a lab can hold. */
#include <arpa/inet.h>
#include <string.h>

#include "import/box.h"
#include "import/json_file.h"
#include "util/xalloc.h"

/* Routes the kernel makes by itself: from addresses, in the local table, multicast. */
static bool kernel_made(const json_t *e, const char *type)
{
	const char *proto = json_str(e, "protocol");
	bool by_kernel = proto && !strcmp(proto, "kernel");

	if (type && (!strcmp(type, "multicast") || !strcmp(type, "anycast")))
		return true;
	if (type && (!strcmp(type, "local") || !strcmp(type, "broadcast")))
		return by_kernel;
	return by_kernel && !json_object_get(e, "gateway");
}

static int read_route(void *arg, const json_t *e, size_t i, const char *path, struct diag *d)
{
	struct box *b = arg;
	const char *dst = json_str(e, "dst"), *type = json_str(e, "type");
	const char *table = json_str(e, "table"), *gw = json_str(e, "gateway");
	const char *dev = json_str(e, "dev");
	struct box_route r = {.plen = -1};
	int64_t id = table ? box_table_id(b, table) : 254;
	char where[160];

	if (!json_is_object(e))
		return diag_set(d, "%s: entry %zu is not a JSON object (expected ip -j route)", path,
				i + 1);
	if (!dst)
		return diag_set(d, "%s: entry %zu has no \"dst\": expected the output of ip -j route",
				path, i + 1);
	if (id < 0)
		return diag_set(d, "%s: route %zu (%s): \"table\" is no table: \"%s\"", path, i + 1,
				dst, table);
	if (kernel_made(e, type))
		return 0;
	r.table = (uint32_t)id;
	if (!strcmp(dst, "default")) {
		struct ipaddr g;

		r.is_default = true;
		/* ip -j -6 route marks its routes with "pref": a default without gateway has no other sign */
		if (gw && !ipaddr_parse(gw, &g, NULL))
			r.family = g.family;
		else
			r.family = json_object_get(e, "pref") ? AF_INET6 : AF_INET;
		r.plen = 0;
	} else if (ipaddr_parse(dst, &r.dst, &r.plen)) {
		return diag_set(d, "%s: route %zu: expected \"dst\": default or an address, got \"%s\"",
				path, i + 1, dst);
	} else {
		r.family = r.dst.family;
		if (r.plen < 0)
			r.plen = r.family == AF_INET ? 32 : 128;
	}
	snprintf(where, sizeof(where), "%s%s%s%s%s", dst, gw ? " via " : "", gw ? gw : "",
		 dev ? " dev " : "", dev ? dev : "");
	if (gw) {
		if (ipaddr_parse(gw, &r.via, NULL) || r.via.family != r.family)
			return diag_set(d,
					"%s: route %zu (%s): expected \"gateway\": an %s address, "
					"got \"%s\"",
					path, i + 1, dst, r.family == AF_INET ? "IPv4" : "IPv6", gw);
		r.has_via = true;
	}
	if (dev)
		r.dev = xstrdup(dev);
	if (type && !strcmp(type, "local"))
		r.skip = xasprintf("route %s: a local route, addresses the box answers for itself "
				   "(the lab's routes are unicast: give them to an interface)",
				   where);
	else if (type && strcmp(type, "unicast"))
		r.skip = xasprintf("route %s: a %s route (the lab's routes are unicast)", where, type);
	else if (id == 0)
		r.skip = xasprintf("route %s: in the local table (the lab's routes are not)", where);
	else if (json_object_get(e, "nexthops"))
		r.skip = xasprintf("route %s: a multipath route (the lab's routes have one next hop)",
				   where);
	else if (json_object_get(e, "nhid"))
		r.skip = xasprintf("route %s: it uses nexthop object %lld (the lab has none)", where,
				   (long long)json_integer_value(json_object_get(e, "nhid")));
	else if (json_object_get(e, "via"))
		r.skip = xasprintf("route %s: its gateway is of another family (the lab's are not)",
				   where);
	else if (!gw && !dev)
		r.skip = xasprintf("route %s: neither gateway nor device", where);
	if (!r.skip && json_str(e, "prefsrc"))
		box_note(b, "route %s: its source address %s is left out (the lab's routes have no src)",
			 where, json_str(e, "prefsrc"));
	if (!r.skip && json_is_integer(json_object_get(e, "metric")) && r.family == AF_INET)
		box_note(b, "route %s: its metric %lld is left out (the lab's routes have none)", where,
			 (long long)json_integer_value(json_object_get(e, "metric")));
	XGROW(b->routes, b->n_routes, b->cap_routes);
	b->routes[b->n_routes++] = r;
	return 0;
}

int box_read_route(struct box *b, const char *path, struct diag *d)
{
	return json_file_each(path, read_route, b, d);
}
