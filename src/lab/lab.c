// SPDX-License-Identifier: GPL-2.0-or-later
/* Lab files: YAML into the lab model, every mistake reported at file:line:column before anything
 * runs. */
#include "lab/lab.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "expect/source.h"
#include "lab/parse.h"
#include "lab/yamlnode.h"
#include "observe/nflog.h"
#include "observe/pktfilter.h"
#include "rules/rulecheck.h"
#include "run/requires.h"
#include "step/step.h"
#include "util/xalloc.h"

static const char *const lab_keys[] = {"name",	"description", "topology", "nodes",  "links",
				       "steps", "requires",    "quiet",	   "golden", "env",
				       "hosts", "capture",     "keep",	   "fate",   NULL};
static const char *const topo_keys[] = {"name", "description", "nodes", "links", NULL};
static const char *const node_keys[] = {
	"router",   "sysctl",	 "interfaces",	     "routes",	 "rules", "nft",
	"iptables", "ip6tables", "iptables-backend", "resolver", NULL};
static const char *const iface_keys[] = {"address", "mtu", "mac", NULL};
static const char *const link_keys[] = {"ends", "mtu", "offloads", NULL};
static const char *const route_keys[] = {"to", "via", "dev", "table", NULL};
static const char *const rule_keys[] = {"from", "to",	 "fwmark",   "iif",
					"oif",	"table", "priority", NULL};

static struct srcloc loc_of(struct parser *p, yaml_node_t *n)
{
	return ynode_loc(&p->y, n);
}

int parse_sysctls(struct parser *p, yaml_node_t *v, struct lab_sysctl **arr, size_t *n, size_t *cap)
{
	struct ydoc *y = &p->y;
	yaml_node_pair_t *pr;

	if (yexpect_map(y, v, "a mapping of sysctl keys to values", p->d))
		return -1;
	for (pr = ymap_begin(v); pr < ymap_end(v); pr++) {
		yaml_node_t *k = ynode(y, pr->key), *sv = ynode(y, pr->value);
		const char *ks, *vs;
		size_t len;
		bool optional;

		if (ystr(y, k, "a sysctl key", &ks, p->d) ||
		    ystr(y, sv, "a sysctl value", &vs, p->d))
			return -1;
		/* "KEY?": set only where this kernel has the key. */
		len = strlen(ks);
		optional = len > 0 && ks[len - 1] == '?';
		len -= optional;
		if (strncmp(ks, "net.", 4) || strstr(ks, "..") || strchr(ks, '/') ||
		    memchr(ks, '?', len) || ks[len - 1] == '.')
			return fail_at(p, k,
				       "expected a net.* sysctl key (other keys are global and "
				       "would change the host), optionally ending in \"?\" (set "
				       "only where the kernel has it), got \"%s\"",
				       ks);
		XGROW(*arr, *n, *cap);
		(*arr)[(*n)++] =
			(struct lab_sysctl){xstrndup(ks, len), xstrdup(vs), loc_of(p, k), optional};
	}
	return 0;
}

int fail_at(struct parser *p, yaml_node_t *n, const char *fmt, ...)
{
	struct srcloc loc = loc_of(p, n);
	va_list ap;

	va_start(ap, fmt);
	diag_vset(p->d, &loc, fmt, ap);
	va_end(ap);
	return -1;
}

/*
 * Refuses one more of what (count already there) at n when it would pass max:
 * the limits of lab.h. Returns 0 or -1.
 */
static int limit_at(struct parser *p, yaml_node_t *n, size_t count, size_t max, const char *what)
{
	if (count < max)
		return 0;
	return fail_at(p, n, "more than %zu %s: a lab may have at most %zu", max, what, max);
}

void lab_node_step_rules(struct lab_node *n, const char *text)
{
	char *joined = n->step_rules ? xasprintf("%s\n%s", n->step_rules, text) : xstrdup(text);

	free(n->step_rules);
	n->step_rules = joined;
}

bool lab_name_valid(const char *s, size_t max)
{
	size_t n = strlen(s);

	if (n == 0 || n > max)
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '-' && *s != '_' && *s != '.')
			return false;
	return true;
}

/*
 * A lab's name names files (--pcap-merge writes DIR/<name>.pcapng): one file
 * name, so no '/', no leading '.' ("..", hidden files); and a line of the
 * report, so no control characters (C0, DEL, C1 as UTF-8).
 */
static bool valid_lab_name(const char *s)
{
	size_t i, chars = 0;

	if (!*s || s[0] == '.')
		return false;
	for (i = 0; s[i]; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x20 || c == 0x7f || c == '/' ||
		    (c == 0xc2 && (unsigned char)s[i + 1] >= 0x80 &&
		     (unsigned char)s[i + 1] <= 0x9f))
			return false;
		chars += (c & 0xc0) != 0x80; /* UTF-8: continuation bytes are no characters */
	}
	return chars <= LAB_NAME_MAX && i <= LAB_NAME_BYTES_MAX;
}

int lab_node_find(const struct lab *lab, const char *name)
{
	size_t i;

	for (i = 0; i < lab->n_nodes; i++)
		if (!strcmp(lab->nodes[i].name, name))
			return (int)i;
	return -1;
}

static int iface_find(const struct lab_node *node, const char *name)
{
	size_t i;

	for (i = 0; i < node->n_ifaces; i++)
		if (!strcmp(node->ifaces[i].name, name))
			return (int)i;
	return -1;
}

const struct lab_end *lab_link_peer(const struct lab *lab, const struct lab_end *e)
{
	size_t i;

	for (i = 0; i < lab->n_links; i++) {
		const struct lab_link *l = &lab->links[i];

		if (l->a.node == e->node && l->a.iface == e->iface)
			return &l->b;
		if (l->b.node == e->node && l->b.iface == e->iface)
			return &l->a;
	}
	return NULL;
}

const char *lab_end_fmt(const struct lab *lab, const struct lab_end *e, char *buf, size_t len)
{
	const struct lab_node *n = &lab->nodes[e->node];

	snprintf(buf, len, "%s:%s", n->name, n->ifaces[e->iface].name);
	return buf;
}

static struct lab_node *node_get(struct parser *p, const char *name, yaml_node_t *at)
{
	struct lab *lab = p->lab;
	struct lab_node *node;
	int i = lab_node_find(lab, name);

	if (i >= 0)
		return &lab->nodes[i];
	if (limit_at(p, at, lab->n_nodes, LAB_NODES_MAX, "nodes"))
		return NULL;
	XGROW(lab->nodes, lab->n_nodes, lab->cap_nodes);
	node = &lab->nodes[lab->n_nodes++];
	memset(node, 0, sizeof(*node));
	node->name = xstrdup(name);
	node->loc = loc_of(p, at);
	return node;
}

static struct lab_iface *iface_get(struct parser *p, struct lab_node *node, const char *name,
				   yaml_node_t *at)
{
	struct lab_iface *ifc;
	int i = iface_find(node, name);

	if (i >= 0)
		return &node->ifaces[i];
	if (!lab_name_valid(name, IFNAMSIZ - 1)) {
		fail_at(p, at,
			"expected an interface name of 1 to %d letters, digits, '-', '_' or '.', "
			"got \"%s\"",
			IFNAMSIZ - 1, name);
		return NULL;
	}
	XGROW(node->ifaces, node->n_ifaces, node->cap_ifaces);
	ifc = &node->ifaces[node->n_ifaces++];
	memset(ifc, 0, sizeof(*ifc));
	ifc->name = xstrdup(name);
	ifc->loc = loc_of(p, at);
	ifc->linked = !strcmp(name, "lo");
	return ifc;
}

/* ---- small value parsers ---- */

static int parse_addr_plen(struct parser *p, yaml_node_t *n, struct lab_addr *out)
{
	const char *s;

	if (ystr(&p->y, n, "an address with prefix length (192.0.2.1/24, 2001:db8::1/64)", &s,
		 p->d))
		return -1;
	if (ipaddr_parse(s, &out->a, &out->plen) || out->plen < 0)
		return fail_at(p, n,
			       "expected an address with prefix length (192.0.2.1/24, "
			       "2001:db8::1/64), got \"%s\"",
			       s);
	out->loc = loc_of(p, n);
	return 0;
}

/* "192.0.2.1:53" or "[2001:db8::1]:53". */
static int parse_hostport(const char *s, struct ipaddr *a, uint16_t *port)
{
	char host[IPADDR_STRLEN];
	const char *colon;
	char *end;
	unsigned long v;
	size_t n;

	if (*s == '[') {
		const char *close = strchr(s, ']');

		if (!close || close[1] != ':')
			return -1;
		n = (size_t)(close - s - 1);
		s++;
		colon = close + 1;
	} else {
		colon = strrchr(s, ':');
		if (!colon)
			return -1;
		n = (size_t)(colon - s);
	}
	if (n == 0 || n >= sizeof(host))
		return -1;
	memcpy(host, s, n);
	host[n] = '\0';
	if (ipaddr_parse(host, a, NULL))
		return -1;
	errno = 0;
	v = strtoul(colon + 1, &end, 10);
	if (errno || end == colon + 1 || *end || v == 0 || v > 65535)
		return -1;
	*port = (uint16_t)v;
	return 0;
}

int parse_addr(struct parser *p, yaml_node_t *n, const char *what, struct ipaddr *a)
{
	const char *s;

	if (ystr(&p->y, n, what, &s, p->d))
		return -1;
	if (ipaddr_parse(s, a, NULL))
		return fail_at(p, n, "expected %s, got \"%s\"", what, s);
	return 0;
}

int parse_u16(struct parser *p, yaml_node_t *n, const char *what, uint16_t *out)
{
	uint64_t v;

	if (yuint(&p->y, n, what, 65535, &v, p->d))
		return -1;
	*out = (uint16_t)v;
	return 0;
}

/* A scalar that must be one of a few words; the error lists them ("in, out or any"). */

int parse_keyword(struct parser *p, yaml_node_t *n, const struct keyword *kw, int *out)
{
	char list[256] = "";
	const char *s;
	size_t i, len = 0, count;

	for (count = 0; kw[count].name; count++)
		len += (size_t)snprintf(list + len, sizeof(list) - len, "%s%s",
					count == 0	     ? ""
					: kw[count + 1].name ? ", "
							     : " or ",
					kw[count].name);
	if (ystr(&p->y, n, list, &s, p->d))
		return -1;
	for (i = 0; i < count; i++) {
		if (!strcmp(s, kw[i].name)) {
			*out = kw[i].value;
			return 0;
		}
	}
	return fail_at(p, n, "expected %s, got \"%s\"", list, s);
}

static int parse_mtu(struct parser *p, yaml_node_t *n, unsigned int *mtu)
{
	uint64_t v;

	if (yuint(&p->y, n, "an MTU in bytes (68 to 65535)", 65535, &v, p->d))
		return -1;
	if (v < 68) /* the IPv4 minimum; the kernel refuses less */
		return fail_at(p, n, "expected an MTU in bytes (68 to 65535), got %llu",
			       (unsigned long long)v);
	*mtu = (unsigned int)v;
	return 0;
}

/* ---- topology ---- */
static int add_addr(struct parser *p, struct lab_iface *ifc, yaml_node_t *n)
{
	if (limit_at(p, n, p->lab->n_addrs_total, LAB_ADDRS_MAX, "addresses"))
		return -1;
	XGROW(ifc->addrs, ifc->n_addrs, ifc->cap_addrs);
	if (parse_addr_plen(p, n, &ifc->addrs[ifc->n_addrs]))
		return -1;
	ifc->n_addrs++;
	p->lab->n_addrs_total++;
	return 0;
}

static int parse_iface(struct parser *p, struct lab_node *node, yaml_node_t *key, yaml_node_t *val)
{
	struct ydoc *y = &p->y;
	struct lab_iface *ifc;
	yaml_node_t *addrs = val, *v;
	yaml_node_item_t *it;

	ifc = iface_get(p, node, (const char *)key->data.scalar.value, key);
	if (!ifc)
		return -1;
	if (val->type == YAML_MAPPING_NODE) {
		if (ymap_check(y, val, "interface", iface_keys, p->d))
			return -1;
		addrs = ymap_get(y, val, "address");
		if ((v = ymap_get(y, val, "mtu")) && parse_mtu(p, v, &ifc->mtu))
			return -1;
		if ((v = ymap_get(y, val, "mac"))) {
			const char *s;

			if (ystr(y, v, "a MAC address (02:00:00:00:00:01)", &s, p->d))
				return -1;
			if (mac_parse(s, ifc->mac))
				return fail_at(
					p, v,
					"expected a MAC address (02:00:00:00:00:01), got \"%s\"",
					s);
			if (ifc->mac[0] & 1)
				return fail_at(
					p, v,
					"expected a unicast MAC address, got multicast \"%s\"", s);
			ifc->has_mac = true;
		}
		if (!addrs)
			return 0;
	}
	if (addrs->type == YAML_SCALAR_NODE)
		return add_addr(p, ifc, addrs);
	if (yexpect_seq(y, addrs, "an address or a list of addresses with prefix lengths", p->d))
		return -1;
	for (it = yseq_begin(addrs); it < yseq_end(addrs); it++)
		if (add_addr(p, ifc, ynode(y, *it)))
			return -1;
	return 0;
}

/* A routing table: "main" or a number from 1 to 2^32-1. Returns 0 or -1. */
static int table_parse(const char *s, uint32_t *table)
{
	unsigned long long v;
	char *end;

	if (!strcmp(s, "main")) {
		*table = LAB_TABLE_MAIN;
		return 0;
	}
	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end || v == 0 || v > UINT32_MAX)
		return -1;
	*table = (uint32_t)v;
	return 0;
}

static int parse_table(struct parser *p, yaml_node_t *n, uint32_t *table)
{
	const char *s;

	if (ystr(&p->y, n, "a routing table (1 to 4294967295 or main)", &s, p->d))
		return -1;
	if (table_parse(s, table))
		return fail_at(p, n,
			       "expected a routing table (1 to 4294967295 or main), got \"%s\"", s);
	return 0;
}

/*
 * "default via 192.0.2.1", "203.0.113.0/24 via 192.168.42.1 dev eth0", "10.0.0.0/8 dev eth1",
 * each optionally with "table N".
 */
static int parse_route_text(struct parser *p, yaml_node_t *n, const char *s, struct lab_route *r)
{
	static const char *usage = "a route: \"default via ADDR\", \"PREFIX via ADDR\", "
				   "\"PREFIX dev IFACE\", each optionally with \"table N\" "
				   "(or a mapping with to, via, dev, table)";
	char *copy = xstrdup(s), *save = NULL, *tok;
	bool is_default = false, has_table = false;
	int ret = -1;

	tok = strtok_r(copy, " \t", &save);
	if (!tok)
		goto bad;
	if (!strcmp(tok, "default")) {
		is_default = true;
	} else if (ipaddr_parse(tok, &r->dst, &r->plen)) {
		goto bad;
	}
	while ((tok = strtok_r(NULL, " \t", &save))) {
		char *arg = strtok_r(NULL, " \t", &save);

		if (!arg)
			goto bad;
		if (!strcmp(tok, "via") && !r->has_gw) {
			if (ipaddr_parse(arg, &r->gw, NULL))
				goto bad;
			r->has_gw = true;
		} else if (!strcmp(tok, "dev") && !r->dev) {
			r->dev = xstrdup(arg);
		} else if (!strcmp(tok, "table") && !has_table) {
			if (table_parse(arg, &r->table)) {
				fail_at(p, n,
					"route \"%s\": expected a routing table (1 to 4294967295 "
					"or main), got \"%s\"",
					s, arg);
				goto out;
			}
			has_table = true;
		} else {
			goto bad;
		}
	}
	if (is_default) {
		memset(&r->dst, 0, sizeof(r->dst));
		r->dst.family = r->has_gw ? r->gw.family : AF_INET;
		r->plen = 0;
	}
	ret = 0;
	goto out;
bad:
	fail_at(p, n, "expected %s, got \"%s\"", usage, s);
out:
	free(copy);
	return ret;
}

static int parse_route(struct parser *p, struct lab_node *node, yaml_node_t *n)
{
	struct ydoc *y = &p->y;
	struct lab_route *r;
	const char *s;

	if (limit_at(p, n, p->lab->n_routes_total++, LAB_ROUTES_MAX, "routes and rules"))
		return -1;
	XGROW(node->routes, node->n_routes, node->cap_routes);
	r = &node->routes[node->n_routes++];
	memset(r, 0, sizeof(*r));
	r->loc = loc_of(p, n);
	r->table = LAB_TABLE_MAIN;
	if (n->type == YAML_SCALAR_NODE) {
		if (parse_route_text(p, n, (const char *)n->data.scalar.value, r))
			return -1;
	} else {
		yaml_node_t *to, *via, *dev, *table;

		if (yexpect_map(y, n,
				"a route (\"default via ADDR\" or a mapping with to, via, dev, "
				"table)",
				p->d) ||
		    ymap_check(y, n, "route", route_keys, p->d))
			return -1;
		to = ymap_get(y, n, "to");
		via = ymap_get(y, n, "via");
		dev = ymap_get(y, n, "dev");
		table = ymap_get(y, n, "table");
		if (table && parse_table(p, table, &r->table))
			return -1;
		if (!to)
			return fail_at(p, n, "route needs \"to\" (a prefix or \"default\")");
		if (ystr(y, to, "a prefix or \"default\"", &s, p->d))
			return -1;
		if (via) {
			if (parse_addr(p, via, "a gateway address", &r->gw))
				return -1;
			r->has_gw = true;
		}
		if (dev) {
			if (ystr(y, dev, "an interface name", &s, p->d))
				return -1;
			r->dev = xstrdup(s);
		}
		s = (const char *)to->data.scalar.value;
		if (!strcmp(s, "default")) {
			r->dst.family = r->has_gw ? r->gw.family : AF_INET;
			r->plen = 0;
		} else if (ipaddr_parse(s, &r->dst, &r->plen)) {
			return fail_at(
				p, to,
				"expected a prefix (203.0.113.0/24) or \"default\", got \"%s\"", s);
		}
	}
	if (r->plen < 0)
		r->plen = ipaddr_len(&r->dst) * 8;
	if (!r->has_gw && !r->dev)
		return fail_at(p, n, "route needs a gateway (via) or a device (dev)");
	if (r->has_gw && r->gw.family != r->dst.family)
		return fail_at(p, n, "route to an %s prefix via an %s gateway",
			       r->dst.family == AF_INET ? "IPv4" : "IPv6",
			       r->gw.family == AF_INET ? "IPv4" : "IPv6");
	return 0;
}

/* A rule's from or to: a prefix (a bare address is a host). */
static int parse_rule_prefix(struct parser *p, yaml_node_t *n, struct ipaddr *a, int *plen)
{
	const char *s;

	if (ystr(&p->y, n, "a prefix (10.0.2.0/24, 2001:db8::/32) or an address", &s, p->d))
		return -1;
	if (ipaddr_parse(s, a, plen))
		return fail_at(p, n,
			       "expected a prefix (10.0.2.0/24, 2001:db8::/32) or an address, "
			       "got \"%s\"",
			       s);
	if (*plen < 0)
		*plen = ipaddr_len(a) * 8;
	return 0;
}

/* "N" or "N/MASK", each decimal or 0x hex, up to 32 bits. */
static int parse_fwmark(struct parser *p, yaml_node_t *n, struct lab_rule *r)
{
	unsigned long long v, m = UINT32_MAX;
	const char *s;
	char *end;

	if (ystr(&p->y, n, "a firewall mark (N or N/MASK)", &s, p->d))
		return -1;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (end == s || *s == '-' || errno || v > UINT32_MAX)
		goto bad;
	if (*end == '/') {
		const char *ms = end + 1;

		m = strtoull(ms, &end, 0);
		if (end == ms || *ms == '-' || errno || m > UINT32_MAX)
			goto bad;
	}
	if (*end)
		goto bad;
	r->has_fwmark = true;
	r->fwmark = (uint32_t)v;
	r->fwmask = (uint32_t)m;
	return 0;
bad:
	return fail_at(p, n,
		       "expected a firewall mark (N or N/MASK, each up to 0xffffffff), got \"%s\"",
		       s);
}

static int parse_rule_iface(struct parser *p, yaml_node_t *n, char **out)
{
	const char *s;

	if (ystr(&p->y, n, "an interface name", &s, p->d))
		return -1;
	if (!*s || strlen(s) > 15)
		return fail_at(p, n, "expected an interface name of 1 to 15 characters, got \"%s\"",
			       s);
	*out = xstrdup(s);
	return 0;
}

/* {from, to, fwmark, iif, oif, table, priority}: an "ip rule" selecting table. */
static int parse_rule(struct parser *p, struct lab_node *node, yaml_node_t *n)
{
	struct ydoc *y = &p->y;
	struct lab_rule *r;
	yaml_node_t *v;
	uint64_t u;

	if (yexpect_map(y, n,
			"a rule (a mapping with table and from, to, fwmark, iif, oif, priority)",
			p->d) ||
	    ymap_check(y, n, "rule", rule_keys, p->d) ||
	    limit_at(p, n, p->lab->n_routes_total++, LAB_ROUTES_MAX, "routes and rules"))
		return -1;
	XGROW(node->rules, node->n_rules, node->cap_rules);
	r = &node->rules[node->n_rules++];
	memset(r, 0, sizeof(*r));
	r->loc = loc_of(p, n);
	r->family = AF_UNSPEC;
	if ((v = ymap_get(y, n, "from"))) {
		if (parse_rule_prefix(p, v, &r->from, &r->from_plen))
			return -1;
		r->has_from = true;
		r->family = r->from.family;
	}
	if ((v = ymap_get(y, n, "to"))) {
		if (parse_rule_prefix(p, v, &r->to, &r->to_plen))
			return -1;
		r->has_to = true;
		if (r->has_from && r->from.family != r->to.family)
			return fail_at(p, v, "rule from an %s prefix to an %s prefix",
				       r->from.family == AF_INET ? "IPv4" : "IPv6",
				       r->to.family == AF_INET ? "IPv4" : "IPv6");
		r->family = r->to.family;
	}
	if ((v = ymap_get(y, n, "fwmark")) && parse_fwmark(p, v, r))
		return -1;
	if ((v = ymap_get(y, n, "iif")) && parse_rule_iface(p, v, &r->iif))
		return -1;
	if ((v = ymap_get(y, n, "oif")) && parse_rule_iface(p, v, &r->oif))
		return -1;
	if ((v = ymap_get(y, n, "priority"))) {
		if (yuint(y, v, "a rule priority (0 to 4294967295)", UINT32_MAX, &u, p->d))
			return -1;
		r->priority = (uint32_t)u;
		r->has_priority = true;
	}
	if (!(v = ymap_get(y, n, "table")))
		return fail_at(p, n, "rule needs \"table\" (the routing table it selects)");
	return parse_table(p, v, &r->table);
}

/* nft text (nft) or iptables-restore text, never reaching the host's files (rulecheck.h). */
static int parse_ruleset(struct parser *p, yaml_node_t *n, const char *what, bool nft,
			 struct lab_ruleset *rs)
{
	const char *s;

	if (ystr(&p->y, n, what, &s, p->d))
		return -1;
	free(rs->text);
	rs->text = xstrdup(s);
	rs->loc = yscalar_content_loc(&p->y, n);
	return nft ? rulecheck_nft(s, &rs->loc, p->d) : rulecheck_ipt(s, &rs->loc, p->d);
}

static int parse_node(struct parser *p, yaml_node_t *key, yaml_node_t *val)
{
	struct ydoc *y = &p->y;
	const char *name = (const char *)key->data.scalar.value;
	struct lab_node *node;
	yaml_node_pair_t *pr;
	yaml_node_item_t *it;
	yaml_node_t *v;

	if (!lab_name_valid(name, 32))
		return fail_at(p, key,
			       "expected a node name of 1 to 32 letters, digits, '-', '_' or '.', "
			       "got \"%s\"",
			       name);
	node = node_get(p, name, key);
	if (!node)
		return -1;
	if (val->type == YAML_SCALAR_NODE && val->data.scalar.length == 0)
		return 0; /* "client:" with nothing: a bare node */
	if (yexpect_map(y, val, "a node (a mapping with interfaces, routes, nft ...)", p->d) ||
	    ymap_check(y, val, "node", node_keys, p->d))
		return -1;
	if ((v = ymap_get(y, val, "router")) && ybool(y, v, "true or false", &node->router, p->d))
		return -1;
	if ((v = ymap_get(y, val, "sysctl")) &&
	    parse_sysctls(p, v, &node->sysctls, &node->n_sysctls, &node->cap_sysctls))
		return -1;
	if ((v = ymap_get(y, val, "interfaces"))) {
		if (yexpect_map(y, v, "a mapping of interface names to addresses", p->d))
			return -1;
		for (pr = ymap_begin(v); pr < ymap_end(v); pr++) {
			if (yexpect_scalar(y, ynode(y, pr->key), "an interface name", p->d))
				return -1;
			if (parse_iface(p, node, ynode(y, pr->key), ynode(y, pr->value)))
				return -1;
		}
	}
	if ((v = ymap_get(y, val, "routes"))) {
		if (yexpect_seq(y, v, "a list of routes", p->d))
			return -1;
		for (it = yseq_begin(v); it < yseq_end(v); it++)
			if (parse_route(p, node, ynode(y, *it)))
				return -1;
	}
	if ((v = ymap_get(y, val, "rules"))) {
		if (yexpect_seq(y, v, "a list of policy routing rules", p->d))
			return -1;
		for (it = yseq_begin(v); it < yseq_end(v); it++)
			if (parse_rule(p, node, ynode(y, *it)))
				return -1;
	}
	if ((v = ymap_get(y, val, "nft")) &&
	    parse_ruleset(p, v, "nft ruleset text (use a \"|\" block)", true, &node->nft))
		return -1;
	if ((v = ymap_get(y, val, "iptables")) &&
	    parse_ruleset(p, v, "iptables-restore text (use a \"|\" block)", false,
			  &node->iptables))
		return -1;
	if ((v = ymap_get(y, val, "ip6tables")) &&
	    parse_ruleset(p, v, "ip6tables-restore text (use a \"|\" block)", false,
			  &node->ip6tables))
		return -1;
	if ((v = ymap_get(y, val, "iptables-backend"))) {
		static const struct keyword backends[] = {
			{"nft", IPT_BACKEND_NFT}, {"legacy", IPT_BACKEND_LEGACY}, {NULL, 0}};
		int b;

		if (parse_keyword(p, v, backends, &b))
			return -1;
		node->ipt_backend = (enum ipt_backend)b;
	}
	if ((v = ymap_get(y, val, "resolver"))) {
		if (parse_addr(p, v, "the address of the node's DNS resolver", &node->resolver))
			return -1;
		node->has_resolver = true;
	}
	return 0;
}

static int parse_nodes(struct parser *p, yaml_node_t *n)
{
	yaml_node_pair_t *pr;

	if (yexpect_map(&p->y, n, "a mapping of node names to nodes", p->d))
		return -1;
	for (pr = ymap_begin(n); pr < ymap_end(n); pr++) {
		yaml_node_t *k = ynode(&p->y, pr->key);

		if (yexpect_scalar(&p->y, k, "a node name", p->d))
			return -1;
		if (parse_node(p, k, ynode(&p->y, pr->value)))
			return -1;
	}
	return 0;
}

/* "node:iface" naming an existing node; the interface is created if new. */
static int parse_link_end(struct parser *p, yaml_node_t *n, struct lab_end *end)
{
	const char *s, *colon;
	char node_name[64];
	struct lab_iface *ifc;
	int ni;

	if (ystr(&p->y, n, "a link end \"node:iface\"", &s, p->d))
		return -1;
	colon = strchr(s, ':');
	if (!colon || colon == s || !colon[1] || (size_t)(colon - s) >= sizeof(node_name))
		return fail_at(p, n, "expected a link end \"node:iface\", got \"%s\"", s);
	memcpy(node_name, s, (size_t)(colon - s));
	node_name[colon - s] = '\0';
	ni = lab_node_find(p->lab, node_name);
	if (ni < 0)
		return fail_at(p, n, "link end \"%s\" names node \"%s\", which is not in nodes", s,
			       node_name);
	if (!strcmp(colon + 1, "lo"))
		return fail_at(p, n, "link end \"%s\": lo is the loopback device, not a link end",
			       s);
	ifc = iface_get(p, &p->lab->nodes[ni], colon + 1, n);
	if (!ifc)
		return -1;
	if (ifc->linked)
		return fail_at(p, n, "interface \"%s\" is already an end of another link", s);
	ifc->linked = true;
	end->node = (size_t)ni;
	end->iface = (size_t)(ifc - p->lab->nodes[ni].ifaces);
	return 0;
}

static int parse_links(struct parser *p, yaml_node_t *n)
{
	struct ydoc *y = &p->y;
	yaml_node_item_t *it;

	if (yexpect_seq(y, n, "a list of links", p->d))
		return -1;
	for (it = yseq_begin(n); it < yseq_end(n); it++) {
		yaml_node_t *ln = ynode(y, *it), *ends = ln, *v;
		struct lab *lab = p->lab;
		struct lab_link *link;

		if (limit_at(p, ln, lab->n_links, LAB_LINKS_MAX, "links"))
			return -1;
		XGROW(lab->links, lab->n_links, lab->cap_links);
		link = &lab->links[lab->n_links];
		memset(link, 0, sizeof(*link));
		link->loc = loc_of(p, ln);
		if (ln->type == YAML_MAPPING_NODE) {
			if (ymap_check(y, ln, "link", link_keys, p->d))
				return -1;
			ends = ymap_get(y, ln, "ends");
			if (!ends)
				return fail_at(p, ln,
					       "link needs \"ends\": [node:iface, node:iface]");
			if ((v = ymap_get(y, ln, "mtu")) && parse_mtu(p, v, &link->mtu))
				return -1;
			if ((v = ymap_get(y, ln, "offloads")) &&
			    ybool(y, v, "true or false", &link->offloads, p->d))
				return -1;
		}
		if (yexpect_seq(y, ends,
				"a link: [node:iface, node:iface] or {ends: [...], mtu: N}", p->d))
			return -1;
		if (yseq_end(ends) - yseq_begin(ends) != 2)
			return fail_at(p, ends, "expected exactly two link ends, got %d",
				       (int)(yseq_end(ends) - yseq_begin(ends)));
		if (parse_link_end(p, ynode(y, yseq_begin(ends)[0]), &link->a) ||
		    parse_link_end(p, ynode(y, yseq_begin(ends)[1]), &link->b))
			return -1;
		lab->nodes[link->a.node].ifaces[link->a.iface].offloads = link->offloads;
		lab->nodes[link->b.node].ifaces[link->b.iface].offloads = link->offloads;
		lab->n_links++;
	}
	return 0;
}

/* ---- files ---- */

/* "a FIFO", "a directory" ... for "not a regular file" messages. */
static const char *file_kind(mode_t mode)
{
	if (S_ISDIR(mode))
		return "a directory";
	if (S_ISFIFO(mode))
		return "a FIFO";
	if (S_ISCHR(mode))
		return "a character device";
	if (S_ISBLK(mode))
		return "a block device";
	if (S_ISSOCK(mode))
		return "a socket";
	return "not a regular file";
}

char *lab_read_file(const char *path, size_t *len, struct diag *d)
{
	struct stat st;
	size_t got = 0;
	ssize_t n = 0;
	char *buf;
	int fd;

	/* O_NONBLOCK: opening a FIFO with no writer would wait for one, for ever. */
	fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		return diag_errno(d, "cannot open %s", path), NULL;
	if (fstat(fd, &st)) {
		close(fd);
		return diag_errno(d, "cannot read %s", path), NULL;
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		return diag_at(d, &(struct srcloc){path, 1, 1},
			       "%s, not a regular file: a lab or topology must be a file",
			       file_kind(st.st_mode)),
		       NULL;
	}
	if ((size_t)st.st_size > LAB_FILE_MAX) {
		close(fd);
		return diag_at(d, &(struct srcloc){path, 1, 1},
			       "%lld bytes: a lab or topology file may have at most %u bytes",
			       (long long)st.st_size, LAB_FILE_MAX),
		       NULL;
	}
	/* At most one byte more than the limit: a file may grow after fstat(), and
	 * some (in /proc) say 0. Pages not read into are never touched. */
	buf = xmalloc(LAB_FILE_MAX + 2);
	while (got <= LAB_FILE_MAX && (n = read(fd, buf + got, LAB_FILE_MAX + 1 - got)) > 0)
		got += (size_t)n;
	close(fd);
	if (n < 0) {
		free(buf);
		return diag_errno(d, "cannot read %s", path), NULL;
	}
	if (got > LAB_FILE_MAX) {
		free(buf);
		return diag_at(d, &(struct srcloc){path, 1, 1},
			       "more than %u bytes: a lab or topology file may have at most %u "
			       "bytes",
			       LAB_FILE_MAX, LAB_FILE_MAX),
		       NULL;
	}
	*len = got;
	buf[got] = '\0';
	if (memchr(buf, '\0', got)) {
		free(buf);
		return diag_at(d, &(struct srcloc){path, 1, 1}, "binary data in a lab file"), NULL;
	}
	return buf;
}

static char *find_topology(const char *lab_path, const char *topo_dir, const char *name)
{
	char *dir = xstrdup(lab_path), *base, *path;
	int up;

	if (topo_dir) {
		free(dir);
		return xasprintf("%s/%s.yaml", topo_dir, name);
	}
	base = dirname(dir);
	/* labs/<area>/x.yaml looks in labs/<area>/, labs/ and the project root. */
	for (up = 0; up < 4; up++) {
		path = xasprintf("%s/%.*stopologies/%s.yaml", base, up * 3, "../../../../", name);
		if (access(path, R_OK) == 0) {
			free(dir);
			return path;
		}
		free(path);
	}
	free(dir);
	return xasprintf("topologies/%s.yaml", name);
}

static int load_topology(struct parser *p, yaml_node_t *n)
{
	struct parser tp = {.lab = p->lab, .topo_dir = p->topo_dir, .d = p->d};
	const char *name;
	char *text, *path;
	size_t len;
	yaml_node_t *root, *v;
	int ret = -1;

	if (ystr(&p->y, n, "a topology name (a file in topologies/)", &name, p->d))
		return -1;
	if (!lab_name_valid(name, 64))
		return fail_at(p, n, "expected a topology name, got \"%s\"", name);
	path = find_topology(p->lab->path, p->topo_dir, name);
	text = lab_read_file(path, &len, p->d);
	if (!text) {
		struct srcloc loc = loc_of(p, n);

		diag_locate(p->d, &loc);
		diag_prefix(p->d, "topology \"%s\"", name);
		free(path);
		return -1;
	}
	p->lab->topology = xstrdup(name);
	p->lab->topology_path = path;
	if (ydoc_load(&tp.y, path, text, len, p->d))
		goto out;
	root = ydoc_root(&tp.y);
	if (!root) {
		diag_at(p->d, &(struct srcloc){path, 1, 1},
			"expected a topology mapping with nodes and links, got an empty file");
		goto out;
	}
	if (yexpect_map(&tp.y, root, "a topology mapping with nodes and links", p->d) ||
	    ymap_check(&tp.y, root, "topology", topo_keys, p->d))
		goto out;
	if ((v = ymap_get(&tp.y, root, "nodes")) && parse_nodes(&tp, v))
		goto out;
	if ((v = ymap_get(&tp.y, root, "links")) && parse_links(&tp, v))
		goto out;
	ret = 0;
out:
	ydoc_release(&tp.y);
	/* Ruleset locations point into the topology file's text: keep the path alive. */
	free(text);
	return ret;
}

/* ---- steps ---- */

static const char *const udp_keys[] = {"from", "to",  "src", "sport", "payload",
				       "ttl",  "tos", "df",  NULL};
static const char *const tcp_keys[] = {"from",	  "to",	 "src", "sport", "outcome",    "timeout",
				       "payload", "ttl", "tos", "df",	 "background", NULL};
static const char *const ping_keys[] = {"from",	   "to",       "src",  "count", "id",
					"outcome", "timeout",  "size", "df",	"ttl",
					"tos",	   "interval", NULL};
static const char *const listen_keys[] = {"node", "proto", "port", "family", "accept", NULL};
static const char *const expect_keys[] = {
	"at",	    "conntrack", "conntrack-table", "conntrack-expect",
	"nflog",    "trace",	 "counters",	    "fate",
	"dir",	    "match",	 "filter",	    "count",
	"within",   "quiet",	 "since",	    "id",
	"distinct", NULL};

int step_node(struct parser *p, yaml_node_t *map, const char *key, size_t *out)
{
	yaml_node_t *v = ymap_get(&p->y, map, key);
	const char *s;
	int i;

	if (!v)
		return fail_at(p, map, "missing \"%s\" (a node name)", key);
	if (ystr(&p->y, v, "a node name", &s, p->d))
		return -1;
	i = lab_node_find(p->lab, s);
	if (i < 0)
		return fail_at(p, v, "unknown node \"%s\"", s);
	*out = (size_t)i;
	return 0;
}

/* An integer from min to max into *out; what names the range ("a TTL (1 to 255)"). */
static int parse_int_range(struct parser *p, yaml_node_t *v, const char *what, int min, int max,
			   int *out)
{
	char got[64];
	uint64_t u;

	if (yuint(&p->y, v, what, (uint64_t)max, &u, p->d))
		return -1;
	if (u < (uint64_t)min)
		return fail_at(p, v, "expected %s, got %s", what,
			       ynode_describe(v, got, sizeof(got)));
	*out = (int)u;
	return 0;
}

/* The IP header keys of a probe's packets: ttl, tos, df, and ping's size and interval. */
static int parse_probe_ip(struct parser *p, struct lab_step *st, yaml_node_t *m)
{
	struct ydoc *y = &p->y;
	struct step_probe *pr = &st->probe;
	int size_max = pr->dst.family == AF_INET6 ? 65535 - 8 : 65535 - 20 - 8;
	yaml_node_t *v;
	char got[64];
	bool b;
	int n;

	pr->size = 56;
	pr->tos = -1;
	pr->df = -1;
	if ((v = ymap_get(y, m, "ttl")) &&
	    parse_int_range(p, v,
			    pr->dst.family == AF_INET6 ? "a hop limit (1 to 255)"
						       : "a TTL (1 to 255)",
			    1, 255, &pr->ttl))
		return -1;
	if ((v = ymap_get(y, m, "tos")) &&
	    parse_int_range(p, v,
			    pr->dst.family == AF_INET6 ? "a traffic class (0 to 255)"
						       : "a TOS byte (0 to 255)",
			    0, 255, &pr->tos))
		return -1;
	if ((v = ymap_get(y, m, "df"))) {
		if (ybool(y, v, "true or false", &b, p->d))
			return -1;
		pr->df = b;
	}
	if ((v = ymap_get(y, m, "size"))) {
		char what[64];

		snprintf(what, sizeof(what), "an echo payload size in bytes (0 to %d)", size_max);
		if (parse_int_range(p, v, what, 0, size_max, &n))
			return -1;
		pr->size = (uint16_t)n;
	}
	if ((v = ymap_get(y, m, "interval"))) {
		if (yduration(y, v, "a duration up to 10s (100ms, 1s)", &pr->interval_ns, p->d))
			return -1;
		if (pr->interval_ns > 10000000000ull)
			return fail_at(p, v, "expected a duration up to 10s (100ms, 1s), got %s",
				       ynode_describe(v, got, sizeof(got)));
	}
	return 0;
}

static int parse_probe(struct parser *p, struct lab_step *st, yaml_node_t *m)
{
	struct ydoc *y = &p->y;
	struct step_probe *pr = &st->probe;
	const char *const *keys = st->kind == STEP_UDP	 ? udp_keys
				  : st->kind == STEP_TCP ? tcp_keys
							 : ping_keys;
	const char *what = st->kind == STEP_UDP	  ? "udp probe"
			   : st->kind == STEP_TCP ? "tcp probe"
						  : "ping probe";
	yaml_node_t *v;
	const char *s;

	if (yexpect_map(y, m, "a probe (a mapping with from, to ...)", p->d) ||
	    ymap_check(y, m, what, keys, p->d) || step_node(p, m, "from", &pr->node))
		return -1;
	v = ymap_get(y, m, "to");
	if (!v)
		return fail_at(p, m, "%s needs \"to\"", what);
	if (st->kind == STEP_PING) {
		if (parse_addr(p, v, "an IPv4 or IPv6 address", &pr->dst))
			return -1;
	} else {
		if (ystr(y, v, "ADDR:PORT ([ADDR]:PORT for IPv6)", &s, p->d))
			return -1;
		if (parse_hostport(s, &pr->dst, &pr->dport))
			return fail_at(p, v,
				       "expected ADDR:PORT ([ADDR]:PORT for IPv6) with a port from "
				       "1 to 65535, got \"%s\"",
				       s);
	}
	if ((v = ymap_get(y, m, "src"))) {
		if (parse_addr(p, v, "a source address", &pr->src))
			return -1;
		if (pr->src.family != pr->dst.family)
			return fail_at(p, v, "source and destination addresses differ in family");
		pr->has_src = true;
	}
	if ((v = ymap_get(y, m, "sport")) &&
	    parse_u16(p, v, "a source port (1 to 65535)", &pr->sport))
		return -1;
	if ((v = ymap_get(y, m, "payload"))) {
		yaml_node_item_t *it;

		/* A list sends each text as its own segment (tcp): a protocol's lines. */
		if (st->kind == STEP_TCP && v->type == YAML_SEQUENCE_NODE) {
			for (it = yseq_begin(v); it < yseq_end(v); it++) {
				yaml_node_t *item = ynode(y, *it);
				size_t n;

				if (ystr(y, item, "payload text", &s, p->d))
					return -1;
				n = item->data.scalar.length;
				pr->payload = xrealloc(pr->payload, pr->payload_len + n + 1);
				memcpy(pr->payload + pr->payload_len, s, n);
				pr->payload_len += n;
				XGROW(pr->segments, pr->n_segments, pr->cap_segments);
				pr->segments[pr->n_segments++] = n;
			}
		} else {
			if (ystr(y, v, "payload text", &s, p->d))
				return -1;
			pr->payload = xstrdup(s);
			pr->payload_len = v->data.scalar.length;
		}
	}
	pr->count = 1;
	if ((v = ymap_get(y, m, "count"))) {
		uint64_t c;

		if (yuint(y, v, "a number of echo requests (1 to 1000)", 1000, &c, p->d))
			return -1;
		if (c == 0)
			return fail_at(p, v,
				       "expected a number of echo requests (1 to 1000), got 0");
		pr->count = (unsigned int)c;
	}
	if ((v = ymap_get(y, m, "id")) &&
	    parse_u16(p, v, "an ICMP echo id (0 to 65535)", &pr->echo_id))
		return -1;
	pr->timeout_ns = st->kind == STEP_TCP ? LAB_DEFAULT_TCP_TIMEOUT_NS : LAB_DEFAULT_TIMEOUT_NS;
	if ((v = ymap_get(y, m, "timeout")) &&
	    yduration(y, v, "a duration (500ms, 2s)", &pr->timeout_ns, p->d))
		return -1;
	if ((v = ymap_get(y, m, "outcome"))) {
		static const struct keyword tcp_outcomes[] = {
			{"connected", TCP_CONNECTED}, {"refused", TCP_REFUSED},
			{"timeout", TCP_TIMEOUT},     {"unreachable", TCP_UNREACHABLE},
			{"reset", TCP_RESET},	      {NULL, 0}};
		static const struct keyword ping_outcomes[] = {
			{"reply", PING_REPLY}, {"no-reply", PING_NO_REPLY}, {NULL, 0}};

		if (parse_keyword(p, v, st->kind == STEP_TCP ? tcp_outcomes : ping_outcomes,
				  &pr->outcome))
			return -1;
	}
	if ((v = ymap_get(y, m, "background"))) {
		yaml_node_t *w;

		if (ybool(y, v, "true or false", &pr->background, p->d))
			return -1;
		if (pr->background &&
		    ((w = ymap_get(y, m, "outcome")) || (w = ymap_get(y, m, "timeout"))))
			return fail_at(p, w,
				       "a background tcp probe has no %s: later steps do not wait "
				       "for its connect (check its packets with expect)",
				       ymap_get(y, m, "outcome") == w ? "outcome" : "timeout");
	}
	return parse_probe_ip(p, st, m);
}

static int parse_listen(struct parser *p, struct lab_step *st, yaml_node_t *m)
{
	struct ydoc *y = &p->y;
	static const struct keyword protos[] = {
		{"tcp", IPPROTO_TCP}, {"udp", IPPROTO_UDP}, {NULL, 0}};
	static const struct keyword families[] = {
		{"ipv4", AF_INET}, {"ipv6", AF_INET6}, {"both", AF_UNSPEC}, {NULL, 0}};
	struct step_listen *l = &st->listen;
	yaml_node_t *v;

	if (yexpect_map(y, m, "a listener (a mapping with node, proto, port)", p->d) ||
	    ymap_check(y, m, "listen", listen_keys, p->d) || step_node(p, m, "node", &l->node))
		return -1;
	l->proto = IPPROTO_TCP;
	if ((v = ymap_get(y, m, "proto")) && parse_keyword(p, v, protos, &l->proto))
		return -1;
	v = ymap_get(y, m, "port");
	if (!v)
		return fail_at(p, m, "listen needs \"port\"");
	if (parse_u16(p, v, "a port (1 to 65535)", &l->port))
		return -1;
	l->family = AF_UNSPEC;
	if ((v = ymap_get(y, m, "family")) && parse_keyword(p, v, families, &l->family))
		return -1;
	if ((v = ymap_get(y, m, "accept"))) {
		if (ybool(y, v, "true or false", &l->accept, p->d))
			return -1;
		if (l->accept && l->proto != IPPROTO_TCP)
			return fail_at(p, v, "accept applies to tcp listeners");
	}
	return 0;
}

/* close: NAME of an earlier tcp step, whose connection is closed (a FIN). */
static int parse_close(struct parser *p, struct lab_step *st, yaml_node_t *v)
{
	const char *s;
	size_t i;

	if (ystr(&p->y, v, "the name of an earlier tcp step", &s, p->d))
		return -1;
	for (i = 0; i + 1 < p->lab->n_steps; i++) {
		const struct lab_step *t = &p->lab->steps[i];

		if (t->name && !strcmp(t->name, s)) {
			if (t->kind != STEP_TCP)
				return fail_at(p, v, "step \"%s\" is not a tcp step", s);
			st->close = i;
			return 0;
		}
	}
	return fail_at(p, v, "no earlier step is named \"%s\" (close names a tcp step)", s);
}

/* "node:iface" naming an existing interface (or lo). */
int parse_point(struct parser *p, yaml_node_t *v, struct lab_end *end)
{
	const char *s, *colon;
	char node_name[64];
	int ni, ii;

	if (ystr(&p->y, v, "a capture point \"node:iface\"", &s, p->d))
		return -1;
	colon = strchr(s, ':');
	if (!colon || colon == s || !colon[1] || (size_t)(colon - s) >= sizeof(node_name))
		return fail_at(p, v, "expected a capture point \"node:iface\", got \"%s\"", s);
	memcpy(node_name, s, (size_t)(colon - s));
	node_name[colon - s] = '\0';
	ni = lab_node_find(p->lab, node_name);
	if (ni < 0)
		return fail_at(p, v, "unknown node \"%s\" in \"%s\"", node_name, s);
	ii = iface_find(&p->lab->nodes[ni], colon + 1);
	if (ii < 0 && !strcmp(colon + 1, "lo"))
		ii = (int)(iface_get(p, &p->lab->nodes[ni], "lo", v) - p->lab->nodes[ni].ifaces);
	if (ii < 0)
		return fail_at(p, v, "node %s has no interface \"%s\"", node_name, colon + 1);
	end->node = (size_t)ni;
	end->iface = (size_t)ii;
	return 0;
}

static int parse_count(struct parser *p, yaml_node_t *v, struct step_expect *e)
{
	static const char *what = "a count: N (exactly), \">= N\" (at least) or none";
	const char *s, *num;
	char *end;
	unsigned long n;

	if (ystr(&p->y, v, what, &s, p->d))
		return -1;
	if (!strcmp(s, "none")) {
		e->mode = COUNT_EXACTLY;
		e->count = 0;
		return 0;
	}
	num = s;
	e->mode = COUNT_EXACTLY;
	if (!strncmp(s, ">=", 2)) {
		e->mode = COUNT_AT_LEAST;
		for (num = s + 2; *num == ' '; num++)
			;
	}
	errno = 0;
	n = strtoul(num, &end, 10);
	if (errno || end == num || *end || *num == '-' || n > 1000000)
		return fail_at(p, v, "expected %s, got \"%s\"", what, s);
	e->count = (unsigned int)n;
	return 0;
}

/* True when some rule of node logs to an NFLOG group. */
static bool node_logs(const struct lab_node *n)
{
	uint16_t *groups;
	size_t count = nflog_node_groups(n, &groups);

	free(groups);
	return count > 0;
}

/*
 * Exactly one source key: at (packets), conntrack, conntrack-table, conntrack-expect, nflog,
 * trace, counters, fate.
 */
static int parse_expect_source(struct parser *p, struct step_expect *e, yaml_node_t *m)
{
	yaml_node_t *found = NULL;
	int i, n = 0;

	for (i = 0; i < SRC_COUNT; i++) {
		yaml_node_t *v = ymap_get(&p->y, m, sources[i].key);

		if (v) {
			found = v;
			e->source = (enum expect_source)i;
			n++;
		}
	}
	if (n != 1)
		return fail_at(p, found && n > 1 ? found : m,
			       "expect needs exactly one of \"at\" (packets at node:iface), "
			       "\"conntrack\" (a node's conntrack events), \"conntrack-table\", "
			       "\"conntrack-expect\", \"nflog\", \"trace\", \"counters\" or "
			       "\"fate\" (a node's)");
	e->node_loc = loc_of(p, found);
	if (e->source == SRC_CAPTURE)
		return parse_point(p, found, &e->at);
	if (e->source == SRC_FATE && found->type == YAML_SCALAR_NODE &&
	    !strcmp((const char *)found->data.scalar.value, "any") &&
	    lab_node_find(p->lab, "any") < 0) {
		e->node = LAB_ANY_NODE; /* every node's fates ("any" is no node name) */
		return 0;
	}
	if (step_node(p, m, sources[e->source].key, &e->node))
		return -1;
	if (e->source == SRC_NFLOG && !node_logs(&p->lab->nodes[e->node]))
		return fail_at(p, found,
			       "node %s has no rule that logs to an NFLOG group (nft \"log group "
			       "N\", iptables \"-j NFLOG\"), so no record could be seen",
			       p->lab->nodes[e->node].name);
	return 0;
}

/* A list of conditions on f ([80, 443]): any of them holds. */
static int parse_any_of(struct parser *p, const struct field_def *f, yaml_node_t *v,
			struct pred *out)
{
	yaml_node_item_t *it;
	char err[1024];
	const char *s;

	if (yseq_begin(v) == yseq_end(v))
		return fail_at(p, v, "%s: an empty list matches nothing: give at least one value",
			       f->name);
	memset(out, 0, sizeof(*out));
	out->field = f;
	out->op = PRED_ANY;
	out->plen = -1;
	out->alts = xcalloc((size_t)(yseq_end(v) - yseq_begin(v)), sizeof(*out->alts));
	for (it = yseq_begin(v); it < yseq_end(v); it++) {
		yaml_node_t *item = ynode(&p->y, *it);

		if (ystr(&p->y, item, "a value (a list holds values, any of which matches)", &s,
			 p->d))
			return -1;
		if (pred_parse(f, s, &out->alts[out->n_alts], err, sizeof(err)))
			return fail_at(p, item, "%s: %s", f->name, err);
		out->n_alts++;
	}
	return 0;
}

static const char *const ref_keys[] = {"ref", "add", NULL};

/* {ref: ID.field, add: N}: checked against the lab's checks once all are read. */
static int parse_ref(struct parser *p, const struct field_def *f, yaml_node_t *v, struct pred *out)
{
	yaml_node_t *r = ymap_get(&p->y, v, "ref"), *a = ymap_get(&p->y, v, "add");
	const char *s;

	if (ymap_check(&p->y, v, "reference", ref_keys, p->d))
		return -1;
	if (!r)
		return fail_at(p, v,
			       "%s: a mapping here is a reference to an earlier check's record: "
			       "{ref: ID.field} (ID: that check's id), with an optional add: N",
			       f->name);
	if (ystr(&p->y, r, "a reference ID.field (syn.tcp.seq)", &s, p->d))
		return -1;
	memset(out, 0, sizeof(*out));
	out->field = f;
	out->op = PRED_EQ;
	out->plen = -1;
	out->v.kind = f->kind;
	out->ref = xzalloc(sizeof(*out->ref));
	out->ref->text = xstrdup(s);
	if (!strchr(s, '.') || s[0] == '.')
		return fail_at(p, r, "%s: expected a reference ID.field (syn.tcp.seq), got \"%s\"",
			       f->name, s);
	if (a) {
		const char *as;
		char *end;
		long long n;

		if (ystr(&p->y, a, "a number to add (1, -1)", &as, p->d))
			return -1;
		errno = 0;
		n = strtoll(as, &end, 0);
		if (errno || end == as || *end)
			return fail_at(p, a, "add: expected a number (1, -1), got \"%s\"", as);
		if (f->kind != VAL_UINT)
			return fail_at(p, a, "add applies to number fields; %s is not one",
				       f->name);
		out->ref->add = n;
	}
	return 0;
}

static int parse_match_refs(struct parser *p, yaml_node_t *v, enum expect_source src, bool refs,
			    struct pred **preds, size_t *n)
{
	struct ydoc *y = &p->y;
	yaml_node_pair_t *pr;
	yaml_node_t **vals;
	char err[1024];
	const char *s;
	size_t bad;

	if (yexpect_map(y, v, "a mapping of fields to values (ip.src: 192.0.2.1)", p->d))
		return -1;
	*preds = xcalloc((size_t)(ymap_end(v) - ymap_begin(v)) + 1, sizeof(**preds));
	vals = xcalloc((size_t)(ymap_end(v) - ymap_begin(v)) + 1, sizeof(*vals));
	for (pr = ymap_begin(v); pr < ymap_end(v); pr++) {
		yaml_node_t *k = ynode(y, pr->key), *val = ynode(y, pr->value);
		const struct field_def *f;
		const char *fs;
		int rc;

		if (ystr(y, k, "a field name", &fs, p->d))
			goto err;
		f = source_field(src, fs);
		if (!f) {
			fail_at(p, k,
				"unknown field \"%s\" for %s (see docs/lab-format.md for the "
				"list: %s)",
				fs, sources[src].what, sources[src].examples);
			goto err;
		}
		vals[*n] = val;
		if (val->type == YAML_SEQUENCE_NODE) {
			rc = parse_any_of(p, f, val, &(*preds)[*n]);
		} else if (val->type == YAML_MAPPING_NODE && refs) {
			rc = parse_ref(p, f, val, &(*preds)[*n]);
		} else if (val->type == YAML_MAPPING_NODE) {
			rc = fail_at(p, val,
				     "%s: references ({ref: ...}) are for an expect step's match; "
				     "here give a value",
				     fs);
		} else {
			if (ystr(y, val, "a value", &s, p->d))
				goto err;
			rc = pred_parse(f, s, &(*preds)[*n], err, sizeof(err));
			if (rc)
				fail_at(p, val, "%s: %s", fs, err);
		}
		(*n)++; /* counted also on failure: its list and reference are freed */
		if (rc)
			goto err;
	}
	/* Code names are a type's: check them against the type given beside them. */
	if (pred_list_resolve(*preds, *n, &bad, err, sizeof(err))) {
		fail_at(p, vals[bad], "%s: %s", (*preds)[bad].field->name, err);
		goto err;
	}
	free(vals);
	return 0;
err:
	free(vals);
	return -1;
}

int parse_match(struct parser *p, yaml_node_t *v, enum expect_source src, struct pred **preds,
		size_t *n)
{
	return parse_match_refs(p, v, src, false, preds, n);
}

/*
 * Where each of e's conditions is written, for errors found when the lab runs
 * (a name its node's rulesets lack): the value of the match key that is the
 * condition's field (keys are unique, see ydoc_load()).
 */
static void match_locate(struct parser *p, yaml_node_t *match, struct step_expect *e)
{
	yaml_node_pair_t *pr;
	size_t i;

	e->pred_locs = xcalloc(e->n_preds + 1, sizeof(*e->pred_locs));
	for (i = 0; i < e->n_preds; i++) {
		e->pred_locs[i] = loc_of(p, match);
		for (pr = ymap_begin(match); pr < ymap_end(match); pr++)
			if (!strcmp(ykey(&p->y, pr), e->preds[i].field->name))
				e->pred_locs[i] = loc_of(p, ynode(&p->y, pr->value));
	}
}

/*
 * NFLOG groups are bound when the lab starts, those its node's rules log to:
 * a check on any other group could never see a record.
 */
static int check_log_groups(struct parser *p, const struct step_expect *e)
{
	const struct lab_node *n;
	uint16_t *groups;
	size_t count, i, j, k;
	int rc = 0;

	if (e->source != SRC_NFLOG)
		return 0;
	n = &p->lab->nodes[e->node];
	count = nflog_node_groups(n, &groups);
	for (i = 0; i < e->n_preds && !rc; i++)
		for (k = 0; k < pred_n_leaves(&e->preds[i]) && !rc; k++) {
			const struct pred *pd = pred_leaf(&e->preds[i], k);
			char list[256];
			size_t len = 0;

			if (pd->op != PRED_EQ || strcmp(pd->field->name, "log.group"))
				continue;
			for (j = 0; j < count && groups[j] != pd->v.u; j++)
				;
			if (j < count)
				continue;
			list[0] = '\0';
			for (j = 0; j < count && len < sizeof(list); j++)
				len += (size_t)snprintf(list + len, sizeof(list) - len, "%s%u",
							j ? ", " : "", groups[j]);
			rc = diag_at(p->d, &e->pred_locs[i],
				     "no rule of node %s logs to NFLOG group %llu, so no record "
				     "could match (its rules log to group%s %s)",
				     n->name, (unsigned long long)pd->v.u, count == 1 ? "" : "s",
				     list);
		}
	free(groups);
	return rc;
}

/* The value node n's sysctl key is last set to, or NULL. */
static const struct lab_sysctl *node_sysctl(const struct lab_node *n, const char *key)
{
	size_t i = n->n_sysctls;

	while (i-- > 0)
		if (!strcmp(n->sysctls[i].key, key))
			return &n->sysctls[i];
	return NULL;
}

/*
 * An observer the node's own settings switch off could never report anything,
 * so a check on it could never fail: conntrack events with
 * net.netfilter.nf_conntrack_events 0. (NFLOG without a log rule: see
 * parse_expect_source(); trace without a rule that sets nftrace, and names its
 * rulesets lack, are found when the lab runs, once the rulesets are loaded.)
 */
static int check_observer_on(struct parser *p, const struct step_expect *e, yaml_node_t *at)
{
	const struct lab_node *n = &p->lab->nodes[e->node];
	const struct lab_sysctl *sc;
	char *end, where[600];
	long v;

	if (e->source != SRC_CT_EVENT ||
	    !(sc = node_sysctl(n, "net.netfilter.nf_conntrack_events")))
		return 0;
	errno = 0;
	v = strtol(sc->value, &end, 0);
	if (errno || end == sc->value || *end || v != 0)
		return 0;
	if (!strcmp(sc->loc.file, p->y.file))
		snprintf(where, sizeof(where), "line %d", sc->loc.line);
	else /* a topology's node */
		snprintf(where, sizeof(where), "%s:%d", sc->loc.file, sc->loc.line);
	return fail_at(p, at,
		       "node %s sets net.netfilter.nf_conntrack_events to 0 (%s), so its kernel "
		       "sends no conntrack events and this check could never fail; remove that "
		       "sysctl, or check the table (conntrack-table: %s)",
		       n->name, where, n->name);
}

int filter_budget(struct parser *p, yaml_node_t *v, const char *text)
{
	if (strlen(text) > PKTFILTER_TEXT_MAX)
		return 0; /* too long alone: pktfilter_new() says so */
	p->lab->filter_chars += strlen(text);
	if (p->lab->filter_chars <= PKTFILTER_LAB_MAX)
		return 0;
	return fail_at(p, v,
		       "the lab's filters have more than %d characters together: a lab may "
		       "have at most %d",
		       PKTFILTER_LAB_MAX, PKTFILTER_LAB_MAX);
}

int parse_filter(struct parser *p, yaml_node_t *v, enum expect_source src, struct pktfilter **out)
{
	char err[512];
	const char *text;

	if (src != SRC_CAPTURE)
		return fail_at(p, v, "filter applies to packets (at), not to %s",
			       sources[src].what);
	if (ystr(&p->y, v, "a tcpdump filter expression (\"icmp and src host 192.0.2.1\")", &text,
		 p->d))
		return -1;
	/* Compiled once, now: a bad expression is the lab's error, at its line. */
	if (filter_budget(p, v, text))
		return -1;
	if (!(*out = pktfilter_new(PKTFILTER_ETHERNET, text, err, sizeof(err))))
		return fail_at(p, v, "filter \"%.*s%s\": %s", FILTER_SHOWN(text), err);
	return 0;
}

/* id: a name later checks refer to ({ref: ID.field}); unique among the lab's checks. */
static int parse_expect_id(struct parser *p, struct step_expect *e, yaml_node_t *v)
{
	const struct lab *lab = p->lab;
	const char *s;
	size_t i;

	if (ystr(&p->y, v, "an id (letters, digits, - and _)", &s, p->d))
		return -1;
	if (!lab_name_valid(s, 64) || strchr(s, '.'))
		return fail_at(p, v,
			       "expected an id of letters, digits, '-' and '_' (up to 64, no "
			       "'.': references are ID.field), got \"%s\"",
			       s);
	for (i = 0; i < lab->n_steps; i++)
		if (lab->steps[i].kind == STEP_EXPECT && lab->steps[i].expect.id &&
		    !strcmp(lab->steps[i].expect.id, s))
			return fail_at(p, v, "id \"%s\" is already the id of the check at line %d",
				       s, lab->steps[i].loc.line);
	e->id = xstrdup(s);
	return 0;
}

/* distinct: FIELD: the count counts distinct values of FIELD among the matches. */
static int parse_distinct(struct parser *p, struct step_expect *e, yaml_node_t *v)
{
	const char *s;

	if (ystr(&p->y, v, "a field name (tcp.sport)", &s, p->d))
		return -1;
	e->distinct = source_field(e->source, s);
	if (!e->distinct)
		return fail_at(p, v, "distinct: unknown field \"%s\" for %s (%s)", s,
			       sources[e->source].what, sources[e->source].examples);
	if (e->mode == COUNT_EXACTLY && e->count == 0)
		return fail_at(p, v,
			       "distinct with count: none says nothing more than count: none; "
			       "remove distinct, or give the number of distinct values");
	return 0;
}

static int parse_expect(struct parser *p, struct lab_step *st, yaml_node_t *m)
{
	struct ydoc *y = &p->y;
	static const struct keyword dirs[] = {
		{"in", DIR_IN}, {"out", DIR_OUT}, {"any", DIR_ANY}, {NULL, 0}};
	static const struct keyword sinces[] = {
		{"probe", SINCE_PROBE}, {"start", SINCE_START}, {NULL, 0}};
	struct step_expect *e = &st->expect;
	int kw = DIR_ANY;
	yaml_node_t *v;

	if (yexpect_map(y, m, "an expectation (a mapping with at, match, count ...)", p->d) ||
	    ymap_check(y, m, "expect", expect_keys, p->d))
		return -1;
	if (parse_expect_source(p, e, m) ||
	    (e->source == SRC_CT_EVENT &&
	     check_observer_on(p, e, ymap_get(y, m, sources[e->source].key))))
		return -1;
	if ((v = ymap_get(y, m, "dir"))) {
		if (e->source != SRC_CAPTURE)
			return fail_at(p, v, "dir applies to packets (at), not to %s",
				       sources[e->source].what);
		if (parse_keyword(p, v, dirs, &kw))
			return -1;
		e->dir = (enum pkt_dir)kw;
	}
	if ((v = ymap_get(y, m, "id")) && parse_expect_id(p, e, v))
		return -1;
	if ((v = ymap_get(y, m, "match"))) {
		if (parse_match_refs(p, v, e->source, true, &e->preds, &e->n_preds))
			return -1;
		match_locate(p, v, e);
		if (check_log_groups(p, e))
			return -1;
	}
	if ((v = ymap_get(y, m, "filter")) && parse_filter(p, v, e->source, &e->filter))
		return -1;
	e->mode = COUNT_AT_LEAST;
	e->count = 1;
	if ((v = ymap_get(y, m, "count")) && parse_count(p, v, e))
		return -1;
	if ((v = ymap_get(y, m, "distinct")) && parse_distinct(p, e, v))
		return -1;
	e->within_ns = LAB_DEFAULT_WITHIN_NS;
	if ((v = ymap_get(y, m, "within")) &&
	    yduration(y, v, "a duration (500ms, 2s)", &e->within_ns, p->d))
		return -1;
	if (v && e->within_ns == 0 && e->mode == COUNT_EXACTLY)
		return fail_at(p, v,
			       "count: %s with within: 0 gives the check no time: an exact count "
			       "passes only once the lab is quiet, and within: 0 ends it before "
			       "anything more can arrive, so a late packet could never fail it; "
			       "leave within out (1s) or give the time to wait",
			       e->count ? (const char *)ymap_get(y, m, "count")->data.scalar.value
					: "none");
	e->quiet_ns = p->lab->quiet_ns;
	if ((v = ymap_get(y, m, "quiet")) &&
	    yduration(y, v, "a duration (20ms, 100ms)", &e->quiet_ns, p->d))
		return -1;
	kw = SINCE_PROBE;
	if ((v = ymap_get(y, m, "since")) && parse_keyword(p, v, sinces, &kw))
		return -1;
	e->since = (enum since)kw;
	return 0;
}

static const struct {
	const char *key;
	enum step_kind kind;
} step_kinds[] = {
	{"udp", STEP_UDP},	 {"tcp", STEP_TCP},	  {"ping", STEP_PING},
	{"listen", STEP_LISTEN}, {"expect", STEP_EXPECT}, {"close", STEP_CLOSE},
	{"send", STEP_SEND},	 {"run", STEP_RUN},	  {"service", STEP_SERVICE},
	{"stop", STEP_STOP},
};

static int parse_step(struct parser *p, yaml_node_t *n)
{
	static const char *const fixed[] = {"name",  "udp",  "tcp", "ping",    "listen", "expect",
					    "close", "send", "run", "service", "stop"};
	const char *keys[sizeof(fixed) / sizeof(fixed[0]) + 32];
	struct ydoc *y = &p->y;
	struct lab *lab = p->lab;
	struct lab_step *st;
	yaml_node_t *body = NULL, *v;
	size_t i, nk = 0, kinds = 0;
	char list[512];
	size_t len = 0;

	for (i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
		keys[nk++] = fixed[i];
	for (i = 0; i < step_registry_n && nk + 1 < sizeof(keys) / sizeof(keys[0]); i++)
		keys[nk++] = step_registry[i]->key;
	keys[nk] = NULL;
	if (yexpect_map(y, n, "a step (a mapping with one of udp, tcp, ping, listen, expect)",
			p->d) ||
	    ymap_check(y, n, "step", keys, p->d))
		return -1;
	if (limit_at(p, n, lab->n_steps, LAB_STEPS_MAX, "steps"))
		return -1;
	XGROW(lab->steps, lab->n_steps, lab->cap_steps);
	st = &lab->steps[lab->n_steps];
	memset(st, 0, sizeof(*st));
	st->loc = loc_of(p, n);
	for (i = 0; i < sizeof(step_kinds) / sizeof(step_kinds[0]); i++) {
		if ((v = ymap_get(y, n, step_kinds[i].key))) {
			st->kind = step_kinds[i].kind;
			body = v;
			kinds++;
		}
	}
	for (i = 0; i < step_registry_n; i++) {
		if ((v = ymap_get(y, n, step_registry[i]->key))) {
			st->kind = STEP_EXT;
			st->ext.ops = step_registry[i];
			body = v;
			kinds++;
		}
	}
	if (kinds != 1) {
		list[0] = '\0';
		for (i = 1; i < nk && len < sizeof(list); i++)
			len += (size_t)snprintf(list + len, sizeof(list) - len, "%s%s",
						i > 1 ? ", " : "", keys[i]);
		return fail_at(p, n, "expected a step with exactly one of %s; got %zu", list,
			       kinds);
	}
	if (st->kind == STEP_EXPECT &&
	    limit_at(p, n, lab->n_expects++, LAB_EXPECTS_MAX, "expect steps"))
		return -1;
	lab->n_steps++; /* counted now so lab_free() releases what the parse below allocates */
	if ((v = ymap_get(y, n, "name"))) {
		const char *s;

		if (ystr(y, v, "a step name", &s, p->d))
			return -1;
		st->name = xstrdup(s);
	}
	switch (st->kind) {
	case STEP_UDP:
	case STEP_TCP:
	case STEP_PING:
		return parse_probe(p, st, body);
	case STEP_LISTEN:
		return parse_listen(p, st, body);
	case STEP_EXPECT:
		return parse_expect(p, st, body);
	case STEP_CLOSE:
		return parse_close(p, st, body);
	case STEP_SEND:
		return parse_send(p, st, body);
	case STEP_RUN:
		return parse_run(p, st, body);
	case STEP_SERVICE:
		return parse_service(p, st, body);
	case STEP_STOP:
		return parse_stop(p, st, body);
	case STEP_EXT:
		return st->ext.ops->parse(p, st, body);
	}
	return 0;
}

/* ---- whole-lab checks, after every file is read ---- */

/* "a, b" of the ids of the lab's checks, into buf. */
static const char *ids_list(const struct lab *lab, char *buf, size_t len)
{
	size_t i, n = 0;

	buf[0] = '\0';
	for (i = 0; i < lab->n_steps && n < len; i++)
		if (lab->steps[i].kind == STEP_EXPECT && lab->steps[i].expect.id)
			n += (size_t)snprintf(buf + n, len - n, "%s%s", n ? ", " : "",
					      lab->steps[i].expect.id);
	return buf;
}

static const char *const kind_names[] = {
	[VAL_UINT] = "a number",	[VAL_ADDR] = "an address", [VAL_MAC] = "a MAC address",
	[VAL_FLAGS] = "a set of flags", [VAL_STR] = "text",	   [VAL_BYTES] = "bytes",
};

/*
 * Finds the check each reference of step i names (ID.field): an earlier
 * check, with an id, that can match something, whose source has the field, of
 * the same kind as the referring one.
 */
static int check_refs(struct lab *lab, size_t i, struct diag *d)
{
	struct step_expect *e = &lab->steps[i].expect;
	size_t k, j;

	if (lab->steps[i].kind != STEP_EXPECT)
		return 0;
	for (k = 0; k < e->n_preds; k++) {
		struct pred_ref *ref = e->preds[k].ref;
		const struct srcloc *loc = e->pred_locs ? &e->pred_locs[k] : &lab->steps[i].loc;
		const struct step_expect *t = NULL;
		size_t idlen;
		char ids[512];

		if (!ref)
			continue;
		idlen = (size_t)(strchr(ref->text, '.') - ref->text);
		for (j = 0; j < lab->n_steps && !t; j++)
			if (lab->steps[j].kind == STEP_EXPECT && lab->steps[j].expect.id &&
			    strlen(lab->steps[j].expect.id) == idlen &&
			    !strncmp(lab->steps[j].expect.id, ref->text, idlen))
				t = &lab->steps[j].expect;
		if (!t)
			return diag_at(d, loc,
				       "%s: no check has the id \"%.*s\" (give the earlier check "
				       "id: %.*s; the lab's ids: %s)",
				       e->preds[k].field->name, (int)idlen, ref->text, (int)idlen,
				       ref->text,
				       ids_list(lab, ids, sizeof(ids))[0] ? ids : "none");
		ref->step = --j;
		if (j >= i)
			return diag_at(
				d, loc,
				"%s: %.*s is the check at line %d, %s: a reference names the "
				"record an earlier check matched",
				e->preds[k].field->name, (int)idlen, ref->text,
				lab->steps[j].loc.line, j == i ? "this one" : "which comes later");
		if (t->mode == COUNT_EXACTLY && t->count == 0)
			return diag_at(
				d, loc,
				"%s: %.*s (line %d) expects nothing (count: none), so it has no "
				"record to refer to",
				e->preds[k].field->name, (int)idlen, ref->text,
				lab->steps[j].loc.line);
		ref->field = source_field(t->source, ref->text + idlen + 1);
		if (!ref->field)
			return diag_at(d, loc,
				       "%s: %.*s (line %d) looks at %s, which have no field \"%s\" "
				       "(%s)",
				       e->preds[k].field->name, (int)idlen, ref->text,
				       lab->steps[j].loc.line, sources[t->source].what,
				       ref->text + idlen + 1, sources[t->source].examples);
		/* Bytes are borrowed from their packet: they would not outlive it. */
		if (ref->field->kind == VAL_BYTES || e->preds[k].field->kind == VAL_BYTES)
			return diag_at(
				d, loc,
				"%s: %s is bytes (a payload), which a reference cannot carry: "
				"compare each payload with its text (\"contains:...\")",
				e->preds[k].field->name, ref->text);
		if (ref->field->kind != e->preds[k].field->kind)
			return diag_at(d, loc, "%s is %s but %s is %s: they cannot be compared",
				       e->preds[k].field->name, kind_names[e->preds[k].field->kind],
				       ref->text, kind_names[ref->field->kind]);
	}
	return 0;
}

static int addr_ref_cmp(const void *a, const void *b)
{
	const struct lab_addr *x = *(const struct lab_addr *const *)a;
	const struct lab_addr *y = *(const struct lab_addr *const *)b;
	int c = x->a.family - y->a.family;

	if (!c)
		c = memcmp(x->a.b, y->a.b, (size_t)ipaddr_len(&x->a));
	return c ? c : (x > y) - (x < y);
}

/*
 * The index of the first address of v[n] that repeats an earlier one, or n:
 * sorted, so a file of many addresses is checked in n log n, not n squared.
 */
static size_t first_duplicate(const struct lab_addr *v, size_t n)
{
	const struct lab_addr **sorted = xcalloc(n + 1, sizeof(*sorted));
	size_t i, first = n;

	for (i = 0; i < n; i++)
		sorted[i] = &v[i];
	qsort(sorted, n, sizeof(*sorted), addr_ref_cmp);
	for (i = 1; i < n; i++)
		if (ipaddr_equal(&sorted[i - 1]->a, &sorted[i]->a) &&
		    (size_t)(sorted[i] - v) < first)
			first = (size_t)(sorted[i] - v);
	free(sorted);
	return first;
}

static int check_topology(struct parser *p)
{
	struct lab *lab = p->lab;
	size_t i, j, k;

	for (i = 0; i < lab->n_nodes; i++) {
		struct lab_node *node = &lab->nodes[i];

		for (j = 0; j < node->n_ifaces; j++) {
			struct lab_iface *ifc = &node->ifaces[j];

			if (!ifc->linked)
				return diag_at(p->d, &ifc->loc,
					       "interface %s:%s is not an end of any link (add it "
					       "to links)",
					       node->name, ifc->name);
			k = first_duplicate(ifc->addrs, ifc->n_addrs);
			if (k < ifc->n_addrs)
				return diag_at(p->d, &ifc->addrs[k].loc,
					       "duplicate address on %s:%s", node->name, ifc->name);
		}
		for (j = 0; j < node->n_routes; j++) {
			struct lab_route *r = &node->routes[j];

			if (r->dev && iface_find(node, r->dev) < 0 && strcmp(r->dev, "lo"))
				return diag_at(
					p->d, &r->loc,
					"route via device \"%s\": node %s has no such interface",
					r->dev, node->name);
		}
		for (j = 0; j < node->n_rules; j++) {
			struct lab_rule *r = &node->rules[j];
			const char *bad = NULL;

			if (r->iif && iface_find(node, r->iif) < 0 && strcmp(r->iif, "lo"))
				bad = r->iif;
			else if (r->oif && iface_find(node, r->oif) < 0 && strcmp(r->oif, "lo"))
				bad = r->oif;
			if (bad)
				return diag_at(p->d, &r->loc,
					       "rule on interface \"%s\": node %s has no such "
					       "interface",
					       bad, node->name);
		}
	}
	return 0;
}

static int parse_requires(struct parser *p, yaml_node_t *n)
{
	struct lab *lab = p->lab;
	yaml_node_item_t *it;
	const char *s;

	if (yexpect_seq(&p->y, n, "a list of what the lab needs (programs, sysctl:, kernel:)",
			p->d))
		return -1;
	for (it = yseq_begin(n); it < yseq_end(n); it++) {
		char err[256];

		if (ystr(&p->y, ynode(&p->y, *it), "a program name", &s, p->d))
			return -1;
		if (requires_valid(s, err, sizeof(err)))
			return fail_at(p, ynode(&p->y, *it), "%s", err);
		XGROW(lab->requires, lab->n_requires, lab->cap_requires);
		lab->requires[lab->n_requires++] = xstrdup(s);
	}
	return 0;
}

static int parse_lab(struct parser *p)
{
	struct ydoc *y = &p->y;
	struct lab *lab = p->lab;
	yaml_node_t *root = ydoc_root(y), *v;
	yaml_node_item_t *it;
	const char *s;
	size_t i;

	if (!root)
		return diag_at(p->d, &(struct srcloc){lab->path, 1, 1},
			       "expected a lab (a mapping with name, topology or nodes, steps), "
			       "got an empty file");
	if (yexpect_map(y, root, "a lab (a mapping with name, topology or nodes, steps)", p->d) ||
	    ymap_check(y, root, "lab", lab_keys, p->d))
		return -1;
	v = ymap_get(y, root, "name");
	if (!v)
		return fail_at(p, root, "a lab needs a \"name\"");
	if (ystr(y, v, "a lab name", &s, p->d))
		return -1;
	/* It names files (--pcap-merge writes DIR/<name>.pcapng) and namespaces. */
	if (!valid_lab_name(s)) {
		char got[64];

		return fail_at(
			p, v,
			"expected a lab name of 1 to %d characters (%d bytes), without '/', "
			"control characters or a leading '.' (it names output files), got %s",
			LAB_NAME_MAX, LAB_NAME_BYTES_MAX, ynode_describe(v, got, sizeof(got)));
	}
	lab->name = xstrdup(s);
	if ((v = ymap_get(y, root, "description"))) {
		if (ystr(y, v, "a description", &s, p->d))
			return -1;
		lab->description = xstrdup(s);
	}
	lab->quiet_ns = 0;
	if ((v = ymap_get(y, root, "quiet")) &&
	    yduration(y, v, "a duration (20ms, 100ms)", &lab->quiet_ns, p->d))
		return -1;
	lab->golden = true;
	if ((v = ymap_get(y, root, "golden")) && ybool(y, v, "true or false", &lab->golden, p->d))
		return -1;
	if ((v = ymap_get(y, root, "fate")) && ybool(y, v, "true or false", &lab->fate, p->d))
		return -1;
	if ((v = ymap_get(y, root, "requires")) && parse_requires(p, v))
		return -1;
	if ((v = ymap_get(y, root, "topology")) && load_topology(p, v))
		return -1;
	if ((v = ymap_get(y, root, "nodes")) && parse_nodes(p, v))
		return -1;
	if ((v = ymap_get(y, root, "links")) && parse_links(p, v))
		return -1;
	if (lab->n_nodes == 0)
		return fail_at(p, root,
			       "a lab needs nodes (inline \"nodes:\" or \"topology: NAME\")");
	if (check_topology(p))
		return -1;
	if ((v = ymap_get(y, root, "env")) && parse_env(p, v))
		return -1;
	if ((v = ymap_get(y, root, "hosts")) && parse_hosts(p, v))
		return -1;
	if ((v = ymap_get(y, root, "capture")) && parse_capture(p, v))
		return -1;
	if ((v = ymap_get(y, root, "keep")) && parse_keep(p, v))
		return -1;
	if ((v = ymap_get(y, root, "steps"))) {
		if (yexpect_seq(y, v, "a list of steps", p->d))
			return -1;
		for (it = yseq_begin(v); it < yseq_end(v); it++)
			if (parse_step(p, ynode(y, *it)))
				return -1;
	}
	for (i = 0; i < lab->n_steps; i++)
		if (check_refs(lab, i, p->d))
			return -1;
	return 0;
}

struct lab *lab_load_buffer(const char *name, const char *text, size_t len, const char *topo_dir,
			    struct diag *d)
{
	struct parser p = {.topo_dir = topo_dir, .d = d};

	p.lab = xzalloc(sizeof(*p.lab));
	p.lab->path = xstrdup(name);
	if (ydoc_load(&p.y, p.lab->path, text, len, d) || parse_lab(&p)) {
		ydoc_release(&p.y);
		lab_free(p.lab);
		return NULL;
	}
	ydoc_release(&p.y);
	return p.lab;
}

int lab_add_step_text(struct lab *lab, const char *name, const char *text, struct diag *d)
{
	struct parser p = {.lab = lab, .d = d};
	yaml_node_t *root;
	int rc = -1;

	if (ydoc_load(&p.y, name, text, strlen(text), d))
		return -1;
	root = ydoc_root(&p.y);
	if (!root)
		diag_at(d, &(struct srcloc){name, 1, 1}, "expected a step, got nothing");
	else
		rc = parse_step(&p, root);
	if (!rc)
		rc = check_refs(lab, lab->n_steps - 1, d);
	ydoc_release(&p.y);
	return rc;
}

struct lab *lab_load(const char *path, const char *topo_dir, struct diag *d)
{
	struct lab *lab;
	size_t len;
	char *text = lab_read_file(path, &len, d);

	if (!text)
		return NULL;
	lab = lab_load_buffer(path, text, len, topo_dir, d);
	free(text);
	return lab;
}

static void step_release(struct lab_step *st)
{
	free(st->name);
	if (st->kind == STEP_UDP || st->kind == STEP_TCP || st->kind == STEP_PING) {
		free(st->probe.payload);
		free(st->probe.segments);
	} else if (st->kind == STEP_EXPECT) {
		pred_list_free(st->expect.preds, st->expect.n_preds);
		free(st->expect.pred_locs);
		pktfilter_free(st->expect.filter);
		free(st->expect.id);
	} else if (st->kind == STEP_SEND) {
		free(st->send.payload);
		free(st->send.quote_bytes);
		pred_list_free(st->send.quote_preds, st->send.n_quote_preds);
	} else if (st->kind == STEP_RUN || st->kind == STEP_SERVICE || st->kind == STEP_STOP)
		prog_release(&st->prog);
	else if (st->kind == STEP_EXT && st->ext.ops->release)
		st->ext.ops->release(st->ext.priv);
}

void lab_drop_last_step(struct lab *lab)
{
	if (lab->n_steps)
		step_release(&lab->steps[--lab->n_steps]);
}

void lab_take_last_step(struct lab *lab, struct lab_step *out)
{
	*out = lab->steps[--lab->n_steps];
}

void lab_step_release(struct lab_step *st)
{
	step_release(st);
}

void lab_free(struct lab *lab)
{
	size_t i, j;

	if (!lab)
		return;
	for (i = 0; i < lab->n_nodes; i++) {
		struct lab_node *n = &lab->nodes[i];

		for (j = 0; j < n->n_sysctls; j++) {
			free(n->sysctls[j].key);
			free(n->sysctls[j].value);
		}
		free(n->sysctls);
		for (j = 0; j < n->n_ifaces; j++) {
			free(n->ifaces[j].name);
			free(n->ifaces[j].addrs);
		}
		free(n->ifaces);
		for (j = 0; j < n->n_routes; j++)
			free(n->routes[j].dev);
		free(n->routes);
		for (j = 0; j < n->n_rules; j++) {
			free(n->rules[j].iif);
			free(n->rules[j].oif);
		}
		free(n->rules);
		free(n->nft.text);
		free(n->step_rules);
		free(n->iptables.text);
		free(n->ip6tables.text);
		free(n->name);
	}
	free(lab->nodes);
	free(lab->links);
	for (i = 0; i < lab->n_steps; i++)
		step_release(&lab->steps[i]);
	free(lab->steps);
	for (i = 0; i < lab->n_requires; i++)
		free(lab->requires[i]);
	free(lab->requires);
	for (i = 0; i < lab->n_env; i++)
		free(lab->env[i]);
	free(lab->env);
	for (i = 0; i < lab->n_hosts; i++)
		free(lab->hosts[i]);
	free(lab->hosts);
	for (i = 0; lab->capture_filter && i < lab->n_capture; i++)
		pktfilter_free(lab->capture_filter[i]);
	free(lab->capture_filter);
	free(lab->capture);
	for (i = 0; i < lab->n_keep; i++)
		free(lab->keep[i]);
	free(lab->keep);
	free(lab->name);
	free(lab->description);
	free(lab->topology);
	free(lab->topology_path);
	free(lab->path);
	free(lab);
}

int parse_route_one(struct parser *p, yaml_node_t *n, struct lab_route *out)
{
	struct lab_node tmp = {0};
	int rc = parse_route(p, &tmp, n);

	*out = tmp.routes[0]; /* also after an error: out->dev is the caller's to free */
	free(tmp.routes);
	return rc;
}
