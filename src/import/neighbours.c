// SPDX-License-Identifier: GPL-2.0-or-later
/* The nodes around an imported box: one per connected subnet, holding what fw's routes and rules name. */
#include <arpa/inet.h>
#include <ctype.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>

#include "import/neighbours.h"
#include "lab/lab.h"
#include "util/xalloc.h"

static bool usable_addr(const struct box_addr *a)
{
	return !a->why;
}

bool box_iface_imported(const struct box_iface *ifc)
{
	size_t i;

	if (!lab_name_valid(ifc->name, IFNAMSIZ - 1))
		return false;
	for (i = 0; i < ifc->n_addrs; i++)
		if (usable_addr(&ifc->addrs[i]))
			return true;
	return false;
}

/* The first (network) or the last (IPv4 broadcast) address of a/plen. */
static struct ipaddr edge(const struct ipaddr *a, int plen, bool last)
{
	struct ipaddr n = *a;
	int i, len = ipaddr_len(a);

	for (i = 0; i < len; i++) {
		int bits = plen - i * 8;
		uint8_t host = bits >= 8 ? 0 : bits <= 0 ? 0xff : (uint8_t)(0xff >> bits);

		n.b[i] = last ? n.b[i] | host : n.b[i] & (uint8_t)~host;
	}
	return n;
}

static struct ipaddr network(const struct ipaddr *a, int plen)
{
	return edge(a, plen, false);
}

static struct ipaddr last(const struct ipaddr *a, int plen)
{
	return edge(a, plen, true);
}

static struct ipaddr next(const struct ipaddr *a)
{
	struct ipaddr n = *a;
	int i;

	for (i = ipaddr_len(a) - 1; i >= 0; i--)
		if (++n.b[i])
			break;
	return n;
}

/* Whether a is one of fw's own addresses. */
static bool fw_has(const struct box *b, const struct ipaddr *a)
{
	size_t i, k;

	for (i = 0; i < b->n_ifaces; i++)
		for (k = 0; k < b->ifaces[i].n_addrs; k++)
			if (ipaddr_equal(&b->ifaces[i].addrs[k].a, a))
				return true;
	return false;
}

/* fw's usable address on ifc whose subnet holds a (a subnet of more than one address), or NULL. */
static const struct box_addr *subnet_holding(const struct box_iface *ifc, const struct ipaddr *a)
{
	size_t k;

	for (k = 0; k < ifc->n_addrs; k++) {
		const struct box_addr *ba = &ifc->addrs[k];

		if (usable_addr(ba) && ba->a.family == a->family &&
		    ba->plen < (a->family == AF_INET ? 32 : 128) &&
		    ipaddr_in_prefix(a, &ba->a, ba->plen))
			return ba;
	}
	return NULL;
}

/* The imported interface of fw whose subnet holds a, or NULL. */
static const struct box_iface *iface_holding(const struct box *b, const struct ipaddr *a)
{
	size_t i;

	for (i = 0; i < b->n_ifaces; i++)
		if (box_iface_imported(&b->ifaces[i]) && strcmp(b->ifaces[i].name, "lo") &&
		    subnet_holding(&b->ifaces[i], a))
			return &b->ifaces[i];
	return NULL;
}

static void route_fmt(const struct box_route *r, char *buf, size_t len)
{
	char dst[IPADDR_STRLEN], via[IPADDR_STRLEN];

	if (r->is_default)
		snprintf(dst, sizeof(dst), "default");
	else
		snprintf(dst, sizeof(dst), "%s/%d", ipaddr_fmt(&r->dst, via), r->plen);
	snprintf(buf, len, "%s%s%s%s%s", dst, r->has_via ? " via " : "",
		 r->has_via ? ipaddr_fmt(&r->via, via) : "", r->dev ? " dev " : "",
		 r->dev ? r->dev : "");
}

/* Routes through interfaces the lab lacks, to gateways it cannot reach, or given twice, are left out. */
static void check_routes(struct box *b)
{
	size_t i, j;

	for (i = 0; i < b->n_routes; i++) {
		struct box_route *r = &b->routes[i];
		const struct box_iface *dev = r->dev ? box_iface_find(b, r->dev) : NULL;
		char text[256];

		if (r->skip)
			continue;
		route_fmt(r, text, sizeof(text));
		if (r->dev && (!dev || !box_iface_imported(dev))) {
			r->skip = xasprintf("route %s: the lab has no interface %s", text, r->dev);
			continue;
		}
		if (r->has_via && !(dev ? subnet_holding(dev, &r->via) != NULL
					: iface_holding(b, &r->via) != NULL)) {
			r->skip = xasprintf("route %s: its gateway is on no subnet of the box%s%s",
					    text, dev ? "'s " : "", dev ? dev->name : "");
			continue;
		}
		for (j = 0; j < i; j++) {
			const struct box_route *o = &b->routes[j];

			if (!o->skip && o->family == r->family && o->table == r->table &&
			    o->plen == r->plen && o->is_default == r->is_default &&
			    (r->is_default || ipaddr_equal(&o->dst, &r->dst))) {
				r->skip = xasprintf("route %s: a second route to that prefix in "
						    "table %u (the lab's routes have no metric)",
						    text, r->table);
				break;
			}
		}
	}
	for (i = 0; i < b->n_rules; i++) {
		struct box_rule *r = &b->rules[i];
		const char *ifs[2] = {r->iif, r->oif};
		int k;

		for (k = 0; k < 2 && !r->skip; k++) {
			const struct box_iface *ifc = ifs[k] ? box_iface_find(b, ifs[k]) : NULL;

			if (ifs[k] && strcmp(ifs[k], "lo") && (!ifc || !box_iface_imported(ifc)))
				r->skip = xasprintf("rule %u: the lab has no interface %s",
						    r->priority, ifs[k]);
		}
		for (j = 0; j < i && !r->skip; j++) {
			const struct box_rule *o = &b->rules[j];

#define SAME(f) ((!o->f && !r->f) || (o->f && r->f && !strcmp(o->f, r->f)))
			if (!o->skip && o->priority == r->priority && o->table == r->table &&
			    SAME(from) && SAME(to) && SAME(fwmark) && SAME(iif) && SAME(oif) &&
			    (o->family == r->family || !o->family || !r->family))
				r->skip = xasprintf("rule %u: given twice (a rule without from or "
						    "to is one rule for IPv4 and IPv6 in a lab)",
						    r->priority);
#undef SAME
		}
	}
	for (i = 0; i < b->n_routes; i++)
		if (b->routes[i].skip)
			box_note(b, "%s", b->routes[i].skip);
	for (i = 0; i < b->n_rules; i++)
		if (b->rules[i].skip)
			box_note(b, "%s", b->rules[i].skip);
}

static void nb_add(struct neighbour *nb, const struct ipaddr *a, int plen, const char *why)
{
	size_t i;

	for (i = 0; i < nb->n_addrs; i++)
		if (ipaddr_equal(&nb->addrs[i].a, a))
			return;
	XGROW(nb->addrs, nb->n_addrs, nb->cap_addrs);
	nb->addrs[nb->n_addrs].a = *a;
	nb->addrs[nb->n_addrs].plen = plen;
	nb->addrs[nb->n_addrs].on_lo = false;
	nb->addrs[nb->n_addrs++].why = xstrdup(why);
}

static void nb_route(struct neighbour *nb, const char *text)
{
	size_t i;

	for (i = 0; i < nb->n_routes; i++)
		if (!strcmp(nb->routes[i], text))
			return;
	XGROW(nb->routes, nb->n_routes, nb->cap_routes);
	nb->routes[nb->n_routes++] = xstrdup(text);
}

enum host_role {
	HOST_NAMED,	/* in a rule */
	HOST_PUBLISHED, /* matched by a DNAT rule, before its "dnat to" */
	HOST_TARGET,	/* after it: where the DNAT sends */
};

/* Where on a line the DNAT statement starts (nft "dnat to", "dnat ip ...", iptables "-j DNAT"). */
static const char *dnat_at(const char *line, size_t n)
{
	static const char *const marks[] = {"dnat to ", "dnat ip ", "dnat ip6 ", "-j DNAT"};
	size_t k;

	for (k = 0; k < sizeof(marks) / sizeof(marks[0]); k++) {
		const char *m = memmem(line, n, marks[k], strlen(marks[k]));

		if (m)
			return m;
	}
	return NULL;
}

/*
 * Host addresses the ruleset names, with their role: "192.168.1.10",
 * "192.168.1.10:80", "[2001:db8::10]:80", "/32", the first of a range.
 */
static void ruleset_hosts(const char *text,
			  void (*fn)(const struct ipaddr *, enum host_role, void *), void *arg)
{
	const char *line = text;

	while (*line) {
		size_t len = strcspn(line, "\n");
		const char *p = line, *end = line + len, *dnat = dnat_at(line, len);

		while (p < end) {
			char tok[80];
			size_t n = strcspn(p, " \t\n,{}()[];=\"'-");
			struct ipaddr a;
			int plen;
			char *colon;

			if (p + n > end)
				n = (size_t)(end - p);
			if (n && n < sizeof(tok)) {
				memcpy(tok, p, n);
				tok[n] = '\0';
				/* IPv4 with a port ("10.0.0.1:80"); IPv6 ports come in [], cut above */
				colon = strchr(tok, ':');
				if (colon && strchr(tok, '.') && !strchr(colon + 1, ':'))
					*colon = '\0';
				if (!ipaddr_parse(tok, &a, &plen) &&
				    (plen < 0 || plen == (a.family == AF_INET ? 32 : 128)))
					fn(&a,
					   !dnat      ? HOST_NAMED
					   : p < dnat ? HOST_PUBLISHED
						      : HOST_TARGET,
					   arg);
			}
			p += n ? n : 1;
		}
		line = *end ? end + 1 : end;
	}
}

struct host_ctx {
	const struct box *b;
	struct neighbours *nbs;
	struct ipaddr *published; /* DNATed addresses on no subnet of fw */
	size_t n_published, cap_published;
};

/* The neighbour holding the gateway of the box's main-table route (not a default one) to a. */
static struct neighbour *behind(const struct host_ctx *c, const struct ipaddr *a)
{
	const struct box_route *best = NULL;
	size_t i, k;

	for (i = 0; i < c->b->n_routes; i++) {
		const struct box_route *r = &c->b->routes[i];

		if (!r->skip && r->has_via && !r->is_default && r->table == 254 &&
		    r->family == a->family && ipaddr_in_prefix(a, &r->dst, r->plen) &&
		    (!best || r->plen > best->plen))
			best = r;
	}
	for (i = 0; best && i < c->nbs->n; i++)
		for (k = 0; k < c->nbs->v[i].n_addrs; k++)
			if (ipaddr_equal(&c->nbs->v[i].addrs[k].a, &best->via))
				return &c->nbs->v[i];
	return NULL;
}

static void host_named(const struct ipaddr *a, enum host_role role, void *arg)
{
	struct host_ctx *c = arg;
	const struct box_iface *ifc = iface_holding(c->b, a);
	const struct box_addr *sub;
	struct neighbour *nb;
	struct ipaddr net, bcast;
	size_t i;

	if (fw_has(c->b, a))
		return;
	if (!ifc && role == HOST_PUBLISHED) {
		for (i = 0; i < c->n_published; i++)
			if (ipaddr_equal(&c->published[i], a))
				return;
		XGROW(c->published, c->n_published, c->cap_published);
		c->published[c->n_published++] = *a;
		return;
	}
	if (!ifc) {
		nb = behind(c, a);
		if (nb && role != HOST_PUBLISHED) {
			nb_add(nb, a, a->family == AF_INET ? 32 : 128,
			       "named in the box's ruleset, behind this node");
			nb->addrs[nb->n_addrs - 1].on_lo = true;
		}
		return;
	}
	sub = subnet_holding(ifc, a);
	net = network(&sub->a, sub->plen);
	bcast = last(&sub->a, sub->plen);
	if (a->family == AF_INET && sub->plen < 31 &&
	    (ipaddr_equal(a, &net) || ipaddr_equal(a, &bcast)))
		return;
	for (i = 0; i < c->nbs->n; i++)
		if (c->nbs->v[i].link == ifc)
			nb_add(&c->nbs->v[i], a, sub->plen, "named in the box's ruleset");
}

/* A node name from an interface name: other characters become '-'; unique, never fw's. */
static char *node_name(const char *ifname, const char *fw_name, const struct neighbours *nbs)
{
	char base[33], *name;
	size_t i, k;
	bool taken;

	snprintf(base, sizeof(base), "%s", ifname);
	for (i = 0; base[i]; i++)
		if (!isalnum((unsigned char)base[i]) && base[i] != '-' && base[i] != '_' &&
		    base[i] != '.')
			base[i] = '-';
	name = xstrdup(base);
	for (k = 1;; k++) {
		taken = !strcmp(name, fw_name);
		for (i = 0; i < nbs->n && !taken; i++)
			taken = !strcmp(nbs->v[i].name, name);
		if (!taken)
			return name;
		free(name);
		name = k == 1 ? xasprintf("%.24s-net", base) : xasprintf("%.24s-net%zu", base, k);
	}
}

/* The subnet's first address neither fw nor the neighbour has. */
static void first_free(const struct box *b, struct neighbour *nb, const struct box_addr *sub)
{
	struct ipaddr a = network(&sub->a, sub->plen), end = last(&sub->a, sub->plen);
	int tries;

	if (!(sub->a.family == AF_INET && sub->plen == 31) &&
	    !(sub->a.family == AF_INET6 && sub->plen == 127))
		a = next(&a); /* not the network's own address */
	for (tries = 0; tries < 1024; tries++, a = next(&a)) {
		size_t i;
		bool used = fw_has(b, &a);

		if (sub->a.family == AF_INET && sub->plen < 31 && ipaddr_equal(&a, &end))
			return;
		for (i = 0; i < nb->n_addrs; i++)
			used = used || ipaddr_equal(&nb->addrs[i].a, &a);
		if (!used) {
			nb_add(nb, &a, sub->plen, "the first free address of the subnet");
			return;
		}
		if (ipaddr_equal(&a, &end))
			return;
	}
}

static void add_gateways(const struct box *b, struct neighbour *nb)
{
	size_t i;

	/* the main table first: its routes are the ones the comments are best named by */
	for (i = 0; i < 2 * b->n_routes; i++) {
		const struct box_route *r = &b->routes[i % b->n_routes];

		if ((i < b->n_routes) != (r->table == 254))
			continue;
		const struct box_addr *sub;
		char text[256], why[320], tbl[24] = "";

		if (r->skip || !r->has_via || !(sub = subnet_holding(nb->link, &r->via)) ||
		    (r->dev && strcmp(r->dev, nb->link->name)))
			continue;
		route_fmt(r, text, sizeof(text));
		if (r->table != 254)
			snprintf(tbl, sizeof(tbl), " table %u", r->table);
		snprintf(why, sizeof(why), "%s of the box's route %s%s",
			 r->is_default ? "the gateway" : "the next hop", text, tbl);
		nb_add(nb, &r->via, sub->plen, why);
	}
}

/* Whether nb holds the gateway of one of fw's default routes of family f: it is the way out. */
static bool upstream(const struct box *b, const struct neighbour *nb, int f)
{
	size_t i, k;

	for (i = 0; i < b->n_routes; i++) {
		const struct box_route *r = &b->routes[i];

		if (r->skip || !r->is_default || !r->has_via || r->family != f)
			continue;
		for (k = 0; k < nb->n_addrs; k++)
			if (ipaddr_equal(&nb->addrs[k].a, &r->via))
				return true;
	}
	return false;
}

/*
 * Routes back to fw: to its other subnets and the addresses it publishes
 * for the way out, a default route for the others.
 */
static void add_routes(const struct box *b, const struct host_ctx *hc, struct neighbour *nb)
{
	static const int families[] = {AF_INET, AF_INET6};
	size_t f, i, k;

	for (f = 0; f < 2; f++) {
		const struct box_addr *fw = NULL;
		char via[IPADDR_STRLEN], dst[IPADDR_STRLEN], text[200];

		for (k = 0; k < nb->n_addrs && !fw; k++)
			if (nb->addrs[k].a.family == families[f])
				fw = subnet_holding(nb->link, &nb->addrs[k].a);
		if (!fw)
			continue;
		ipaddr_fmt(&fw->a, via);
		if (!upstream(b, nb, families[f])) {
			snprintf(text, sizeof(text), "default via %s", via);
			nb_route(nb, text);
			continue;
		}
		for (i = 0; i < b->n_ifaces; i++) {
			const struct box_iface *ifc = &b->ifaces[i];

			if (ifc == nb->link || !box_iface_imported(ifc))
				continue;
			for (k = 0; k < ifc->n_addrs; k++) {
				const struct box_addr *a = &ifc->addrs[k];
				struct ipaddr net = network(&a->a, a->plen);

				if (!usable_addr(a) || a->a.family != families[f])
					continue;
				snprintf(text, sizeof(text), "%s/%d via %s", ipaddr_fmt(&net, dst),
					 a->plen, via);
				nb_route(nb, text);
			}
		}
		for (i = 0; i < hc->n_published; i++) {
			if (hc->published[i].family != families[f])
				continue;
			snprintf(text, sizeof(text), "%s via %s", ipaddr_fmt(&hc->published[i], dst),
				 via);
			nb_route(nb, text);
		}
		for (i = 0; i < b->n_routes; i++) {
			const struct box_route *r = &b->routes[i];

			if (r->skip || r->is_default || r->family != families[f] ||
			    (r->dev && !strcmp(r->dev, nb->link->name)) ||
			    (r->has_via && subnet_holding(nb->link, &r->via)))
				continue;
			snprintf(text, sizeof(text), "%s/%d via %s", ipaddr_fmt(&r->dst, dst),
				 r->plen, via);
			nb_route(nb, text);
		}
	}
}

void neighbours_build(struct box *b, const char *fw_name, struct neighbours *out)
{
	struct host_ctx hc = {.b = b, .nbs = out};
	size_t i, k;

	memset(out, 0, sizeof(*out));
	for (i = 0; i < b->n_ifaces; i++) {
		const struct box_iface *ifc = &b->ifaces[i];

		for (k = 0; k < ifc->n_addrs; k++) {
			char a[IPADDR_STRLEN];

			if (ifc->addrs[k].why)
				box_note(b, "%s: %s/%d is %s: not imported", ifc->name,
					 ipaddr_fmt(&ifc->addrs[k].a, a), ifc->addrs[k].plen,
					 ifc->addrs[k].why);
		}
		if (!lab_name_valid(ifc->name, IFNAMSIZ - 1))
			box_note(b, "interface \"%s\": a name a lab cannot give an interface: not "
				    "imported",
				 ifc->name);
		else if (!box_iface_imported(ifc) && strcmp(ifc->name, "lo"))
			box_note(b, "interface %s: no address the lab can use: not imported",
				 ifc->name);
	}
	check_routes(b);
	for (i = 0; i < b->n_ifaces; i++) {
		const struct box_iface *ifc = &b->ifaces[i];
		struct neighbour *nb;

		if (!box_iface_imported(ifc) || !strcmp(ifc->name, "lo"))
			continue;
		XGROW(out->v, out->n, out->cap);
		nb = &out->v[out->n];
		memset(nb, 0, sizeof(*nb));
		nb->name = node_name(ifc->name, fw_name, out);
		nb->link = ifc;
		out->n++;
		add_gateways(b, nb);
	}
	if (b->nft)
		ruleset_hosts(b->nft, host_named, &hc);
	if (b->iptables)
		ruleset_hosts(b->iptables, host_named, &hc);
	if (b->ip6tables)
		ruleset_hosts(b->ip6tables, host_named, &hc);
	for (i = 0; i < out->n; i++) {
		struct neighbour *nb = &out->v[i];

		/* every subnet of fw's interface gets an address, the first free one if nothing else */
		for (k = 0; k < nb->link->n_addrs; k++) {
			const struct box_addr *sub = &nb->link->addrs[k];
			struct ipaddr net = network(&sub->a, sub->plen);
			size_t j;
			bool held = false;

			if (!usable_addr(sub) || sub->plen >= (sub->a.family == AF_INET ? 32 : 128))
				continue;
			for (j = 0; j < nb->n_addrs && !held; j++)
				held = ipaddr_in_prefix(&nb->addrs[j].a, &net, sub->plen);
			if (!held)
				first_free(b, nb, sub);
		}
		add_routes(b, &hc, nb);
	}
	free(hc.published);
}

void neighbours_release(struct neighbours *nbs)
{
	size_t i, k;

	for (i = 0; i < nbs->n; i++) {
		for (k = 0; k < nbs->v[i].n_addrs; k++)
			free(nbs->v[i].addrs[k].why);
		free(nbs->v[i].addrs);
		for (k = 0; k < nbs->v[i].n_routes; k++)
			free(nbs->v[i].routes[k]);
		free(nbs->v[i].routes);
		free(nbs->v[i].name);
	}
	free(nbs->v);
	memset(nbs, 0, sizeof(*nbs));
}
