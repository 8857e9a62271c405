// SPDX-License-Identifier: GPL-2.0-or-later
/* Builds a lab's topology and rulesets in fresh namespaces, and takes them down. */
#include "run/build.h"

#include <errno.h>
#include <stdbool.h>
#include <linux/netlink.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "rules/ruleset.h"
#include "topo/addr.h"
#include "topo/link.h"
#include "topo/netns.h"
#include "topo/offload.h"
#include "topo/route.h"
#include "topo/rule.h"
#include "topo/sysctl.h"
#include "util/xalloc.h"

/*
 * A new netns copies the host's IPv4 conf/all and conf/default (devconf_inherit_init_net
 * 0), so without a baseline a lab would behave differently on every host.
 */
static const struct sysctl_kv baseline[] = {
	{"net.ipv4.conf.all.rp_filter", "0", false},
	{"net.ipv4.conf.default.rp_filter", "0", false},
	{"net.ipv4.conf.all.accept_redirects", "0", false},
	{"net.ipv4.conf.default.accept_redirects", "0", false},
	{"net.ipv6.conf.all.accept_dad", "0", false},
	{"net.ipv6.conf.default.accept_dad", "0", false},
	{"net.ipv6.conf.default.router_solicitations", "0", false},
	{"net.ipv6.conf.all.accept_ra", "0", false},
	{"net.ipv6.conf.default.accept_ra", "0", false},
	{"net.ipv4.icmp_ratelimit", "0", false},
	{"net.ipv6.icmp.ratelimit", "0", false},
	/*
	 * The global ICMP budget (1000/s, bursts of 50) cuts error bursts. Per-netns
	 * only on newer kernels: where the key is absent from a node's netns it is
	 * the host's, and it is left alone.
	 */
	{"net.ipv4.icmp_msgs_per_sec", "1000000", true},
	{"net.ipv4.icmp_msgs_burst", "1000000", true},
};

static int inherited[sizeof(baseline) / sizeof(baseline[0]) + 1] = {-1};
static char host_forward[8];

/*
 * Once per process: which baseline values a new netns already has. IPv4
 * settings are copied from the host's at creation (net.core.devconf_inherit_init_net
 * 0), IPv6 forwarding starts at 0. Each write is a /proc/sys lookup whose cost
 * grows with the number of namespaces, so a thousand-node lab feels every one.
 */
static void baseline_probe(struct diag *d)
{
	char mode[8] = "2";
	bool inherit;
	size_t i;

	if (inherited[0] != -1)
		return;
	/* 2: new namespaces start from the kernel's defaults, not the host's values. */
	if (sysctl_get(netns_home_fd(), "net.core.devconf_inherit_init_net", mode, sizeof(mode), d))
		diag_clear(d);
	inherit = strcmp(mode, "2") != 0;
	for (i = 0; i < sizeof(baseline) / sizeof(baseline[0]); i++) {
		char v[16];

		inherited[i] = inherit && !strncmp(baseline[i].key, "net.ipv4.conf.", 14) &&
			       !sysctl_get(netns_home_fd(), baseline[i].key, v, sizeof(v), d) &&
			       !strcmp(v, baseline[i].value);
		diag_clear(d);
	}
	if (!inherit || sysctl_get(netns_home_fd(), "net.ipv4.ip_forward", host_forward,
				   sizeof(host_forward), d))
		diag_clear(d);
}

/*
 * The baseline a new netns of node k lacks, written before any of its links
 * exists (they copy conf/default): by the namespace factory as it makes the
 * netns (netns_expect()), or by make_node().
 */
static size_t node_baseline(void *arg, size_t k, struct sysctl_kv *kv)
{
	const struct lab *lab = arg;
	const char *fwd = lab->nodes[k].router ? "1" : "0";
	size_t i, n = 0;

	_Static_assert(sizeof(baseline) / sizeof(baseline[0]) + 2 <= NETNS_PRESET_MAX,
		       "the baseline fits a preset");
	for (i = 0; i < sizeof(baseline) / sizeof(baseline[0]); i++)
		if (!inherited[i])
			kv[n++] = baseline[i];
	if (strcmp(host_forward, fwd))
		kv[n++] = (struct sysctl_kv){"net.ipv4.ip_forward", fwd, false};
	if (strcmp(fwd, "0"))
		kv[n++] = (struct sysctl_kv){"net.ipv6.conf.all.forwarding", fwd, false};
	return n;
}

/* A sysctl that names one of the node's interfaces only exists once the link does. */
static bool sysctl_names_iface(const struct lab_node *node, const char *key)
{
	size_t i;

	for (i = 0; i < node->n_ifaces; i++) {
		char pat[40];

		snprintf(pat, sizeof(pat), ".%s.", node->ifaces[i].name);
		if (strstr(key, pat))
			return true;
	}
	return false;
}

static int apply_sysctls(struct built *b, size_t ni, bool iface_phase, struct diag *d)
{
	const struct lab_node *node = &b->lab->nodes[ni];
	bool absent;
	size_t i;

	for (i = 0; i < node->n_sysctls; i++) {
		const struct lab_sysctl *s = &node->sysctls[i];

		if (sysctl_names_iface(node, s->key) != iface_phase)
			continue;
		if (sysctl_set_optional(b->nodes[ni].nsfd, s->key, s->value, s->optional, &absent,
					d)) {
			diag_locate(d, &s->loc); /* the node is named by the caller */
			return -1;
		}
		if (absent)
			continue; /* "KEY?" this kernel lacks */
		b->n_sysctls++;
	}
	return 0;
}

/* preset: the factory wrote the node's baseline (netns_expect()); else it is written here. */
static int make_node(struct built *b, size_t ni, bool preset, struct diag *d)
{
	struct built_node *bn = &b->nodes[ni];
	struct sysctl_kv kv[NETNS_PRESET_MAX];

	bn->nsfd = netns_new(d);
	if (bn->nsfd < 0)
		return -1;
	bn->rtnl = nl_open(bn->nsfd, NETLINK_ROUTE, d);
	if (!bn->rtnl)
		return -1;
	if (!preset && sysctl_set_all(bn->nsfd, kv, node_baseline((void *)b->lab, ni, kv), d))
		return -1;
	return apply_sysctls(b, ni, false, d);
}

static int make_link(struct built *b, const struct lab_link *l, struct diag *d)
{
	const struct lab *lab = b->lab;
	const struct lab_iface *ia = &lab->nodes[l->a.node].ifaces[l->a.iface];
	const struct lab_iface *ib = &lab->nodes[l->b.node].ifaces[l->b.iface];
	struct veth_end a = {
		.name = ia->name,
		.nsfd = b->nodes[l->a.node].nsfd,
		.mtu = ia->mtu ? ia->mtu : l->mtu,
		.mac = ia->has_mac ? ia->mac : NULL,
	};
	struct veth_end e = {
		.name = ib->name,
		.nsfd = b->nodes[l->b.node].nsfd,
		.mtu = ib->mtu ? ib->mtu : l->mtu,
		.mac = ib->has_mac ? ib->mac : NULL,
	};
	char an[80], bn[80];

	if (link_veth_add(b->nodes[l->a.node].rtnl, &a, &e, d)) {
		diag_locate(d, &l->loc);
		diag_prefix(d, "link %s -- %s", lab_end_fmt(lab, &l->a, an, sizeof(an)),
			    lab_end_fmt(lab, &l->b, bn, sizeof(bn)));
		return -1;
	}
	return 0;
}

/*
 * Lab links carry wire-sized frames: TSO, GSO and GRO would let veth pass 64 KiB
 * super-frames, which no wire carries, into captures and checks. Done while the
 * links are still down, in one batch per node; a link with offloads: true keeps
 * the kernel's defaults.
 */
static int wire_sized(struct built *b, size_t ni, struct diag *d)
{
	const struct lab_node *node = &b->lab->nodes[ni];
	const char **names = xcalloc(node->n_ifaces + 1, sizeof(*names));
	struct nl_sock *genl = NULL;
	size_t i, n = 0;
	int rc = 0;

	for (i = 0; i < node->n_ifaces; i++)
		if (node->ifaces[i].linked && !node->ifaces[i].offloads &&
		    strcmp(node->ifaces[i].name, "lo"))
			names[n++] = node->ifaces[i].name;
	/* Closed at once: a thousand nodes would otherwise hold a thousand sockets. */
	if (n)
		rc = (genl = nl_open(b->nodes[ni].nsfd, NETLINK_GENERIC, d))
			     ? offload_off(genl, names, n, d)
			     : -1;
	nl_close(genl);
	free(names);
	if (rc)
		diag_prefix(d, "node %s", node->name);
	return rc;
}

static int configure_node(struct built *b, size_t ni, struct diag *d)
{
	const struct lab_node *node = &b->lab->nodes[ni];
	struct nl_sock *s = b->nodes[ni].rtnl;
	size_t i, j;

	if (wire_sized(b, ni, d))
		return -1;
	if (link_up(s, "lo", d))
		return -1;
	for (i = 0; i < node->n_ifaces; i++) {
		const struct lab_iface *ifc = &node->ifaces[i];

		if (strcmp(ifc->name, "lo") && link_up(s, ifc->name, d))
			goto err;
		for (j = 0; j < ifc->n_addrs; j++) {
			if (addr_add(s, ifc->name, &ifc->addrs[j].a, ifc->addrs[j].plen, d)) {
				diag_locate(d, &ifc->addrs[j].loc);
				goto err;
			}
			b->n_addrs++;
		}
	}
	if (apply_sysctls(b, ni, true, d)) {
		diag_prefix(d, "node %s", node->name);
		return -1;
	}
	return 0;
err:
	diag_prefix(d, "node %s: interface %s", node->name, node->ifaces[i].name);
	return -1;
}

#define LINK_UP_TIMEOUT_NS 2000000000ull

static bool node_has_ipv6(const struct lab_node *n)
{
	size_t i, j;

	for (i = 0; i < n->n_ifaces; i++)
		for (j = 0; j < n->ifaces[i].n_addrs; j++)
			if (n->ifaces[i].addrs[j].a.family == AF_INET6)
				return true;
	return false;
}

/*
 * A probe sent before a link is ready, or to an IPv6 address the kernel is still
 * finishing, would be dropped: wait for both, on the kernel's own notifications.
 */
static int wait_links(struct built *b, size_t ni, struct diag *d)
{
	const struct lab_node *n = &b->lab->nodes[ni];
	const char **names = xcalloc(n->n_ifaces + 1, sizeof(*names));
	int *v6 = xcalloc(n->n_ifaces + 1, sizeof(*v6));
	size_t i, k = 0, k6 = 0;
	int rc;

	for (i = 0; i < n->n_ifaces; i++)
		if (n->ifaces[i].linked && strcmp(n->ifaces[i].name, "lo"))
			names[k++] = n->ifaces[i].name;
	rc = link_wait_ready(b->nodes[ni].rtnl, b->nodes[ni].nsfd, names, k, LINK_UP_TIMEOUT_NS, d);
	/* Links where IPv6 is on must get their link-local address (no IPv6 traffic, no wait). */
	for (i = 0; !rc && node_has_ipv6(n) && i < k; i++) {
		struct diag none = DIAG_INIT; /* no such sysctl: no IPv6 on that link */
		char key[96], val[8] = "0";
		int idx;

		snprintf(key, sizeof(key), "net.ipv6.conf.%s.disable_ipv6", names[i]);
		if (sysctl_get(b->nodes[ni].nsfd, key, val, sizeof(val), &none) || val[0] != '0')
			continue;
		idx = link_index(b->nodes[ni].rtnl, names[i], d);
		if (idx < 0)
			rc = -1;
		else
			v6[k6++] = idx;
	}
	if (!rc && node_has_ipv6(n))
		rc = addr_wait_settled(b->nodes[ni].rtnl, b->nodes[ni].nsfd, v6, k6,
				       LINK_UP_TIMEOUT_NS, d);
	free(names);
	free(v6);
	if (rc)
		diag_prefix(d, "node %s", n->name);
	return rc;
}

static int add_routes(struct built *b, size_t ni, struct diag *d)
{
	const struct lab_node *node = &b->lab->nodes[ni];
	size_t i;

	for (i = 0; i < node->n_routes; i++) {
		const struct lab_route *r = &node->routes[i];

		if (route_add_table(b->nodes[ni].rtnl, &r->dst, r->plen, r->has_gw ? &r->gw : NULL,
				    r->dev, r->table, d)) {
			diag_locate(d, &r->loc);
			diag_prefix(d, "node %s: route", node->name);
			return -1;
		}
		b->n_routes++;
	}
	return 0;
}

/* Policy routing rules; one without from or to goes in for IPv4 and IPv6. */
static int add_rules(struct built *b, size_t ni, struct diag *d)
{
	const struct lab_node *node = &b->lab->nodes[ni];
	size_t i;

	for (i = 0; i < node->n_rules; i++) {
		const struct lab_rule *r = &node->rules[i];
		static const int both[] = {AF_INET, AF_INET6};
		struct rule_spec spec = {
			.from = r->has_from ? &r->from : NULL,
			.to = r->has_to ? &r->to : NULL,
			.from_plen = r->from_plen,
			.to_plen = r->to_plen,
			.has_fwmark = r->has_fwmark,
			.fwmark = r->fwmark,
			.fwmask = r->fwmask,
			.iif = r->iif,
			.oif = r->oif,
			.table = r->table,
			.has_priority = r->has_priority,
			.priority = r->priority,
		};
		size_t f;

		for (f = 0; f < 2; f++) {
			if (r->family != AF_UNSPEC && r->family != both[f])
				continue;
			spec.family = both[f];
			if (rule_add(b->nodes[ni].rtnl, &spec, d)) {
				diag_locate(d, &r->loc);
				diag_prefix(d, "node %s", node->name);
				return -1;
			}
		}
		b->n_rules++;
	}
	return 0;
}

static int apply_rulesets(struct built *b, size_t ni, struct diag *d)
{
	const struct lab_node *node = &b->lab->nodes[ni];
	int ns = b->nodes[ni].nsfd;

	if (node->nft.text) {
		if (ruleset_nft_apply(ns, node->nft.text, &node->nft.loc, d))
			goto err;
		b->n_rulesets++;
	}
	if (node->iptables.text) {
		if (ruleset_ipt_apply(ns, AF_INET, node->ipt_backend, node->iptables.text,
				      &node->iptables.loc, d))
			goto err;
		b->n_rulesets++;
	}
	if (node->ip6tables.text) {
		if (ruleset_ipt_apply(ns, AF_INET6, node->ipt_backend, node->ip6tables.text,
				      &node->ip6tables.loc, d))
			goto err;
		b->n_rulesets++;
	}
	return 0;
err:
	diag_prefix(d, "node %s", node->name);
	return -1;
}

/*
 * The indexes below n sorted by key[index] (each below n_keys), equal keys in
 * index order: a counting sort. The caller frees the array.
 */
static size_t *order_by(const size_t *key, size_t n, size_t n_keys)
{
	size_t *start = xcalloc(n_keys + 1, sizeof(*start));
	size_t *order = xcalloc(n + 1, sizeof(*order));
	size_t i;

	for (i = 0; i < n; i++)
		start[key[i] + 1]++;
	for (i = 1; i <= n_keys; i++)
		start[i] += start[i - 1];
	for (i = 0; i < n; i++)
		order[start[key[i]]++] = i;
	free(start);
	return order;
}

/*
 * When each part of a build can be done, as the number of the namespace after
 * whose making all it needs exists: a big lab's build goes on with it while the
 * factory makes the next namespaces. Each *_at array holds those numbers, the
 * array beside it its indexes in that order, the cursor how many are done.
 */
struct build_plan {
	size_t *link_at, *links, n_links;	/* once both its namespaces exist */
	size_t *config_at, *configs, n_configs; /* links up, addresses: all its links exist */
	size_t *ready_at, *readies, n_readies;	/* routes, rules: its neighbours configured */
};

static size_t later(size_t a, size_t b)
{
	return a > b ? a : b;
}

static struct build_plan *plan_make(const struct lab *lab)
{
	struct build_plan *p = xcalloc(1, sizeof(*p));
	size_t i;

	p->link_at = xcalloc(lab->n_links + 1, sizeof(*p->link_at));
	p->config_at = xcalloc(lab->n_nodes, sizeof(*p->config_at));
	p->ready_at = xcalloc(lab->n_nodes, sizeof(*p->ready_at));
	for (i = 0; i < lab->n_nodes; i++)
		p->config_at[i] = i;
	for (i = 0; i < lab->n_links; i++) {
		const struct lab_link *l = &lab->links[i];

		p->link_at[i] = later(l->a.node, l->b.node);
		p->config_at[l->a.node] = later(p->config_at[l->a.node], p->link_at[i]);
		p->config_at[l->b.node] = later(p->config_at[l->b.node], p->link_at[i]);
	}
	for (i = 0; i < lab->n_nodes; i++)
		p->ready_at[i] = p->config_at[i];
	for (i = 0; i < lab->n_links; i++) {
		const struct lab_link *l = &lab->links[i];

		p->ready_at[l->a.node] = later(p->ready_at[l->a.node], p->config_at[l->b.node]);
		p->ready_at[l->b.node] = later(p->ready_at[l->b.node], p->config_at[l->a.node]);
	}
	p->links = order_by(p->link_at, lab->n_links, lab->n_nodes);
	p->configs = order_by(p->config_at, lab->n_nodes, lab->n_nodes);
	p->readies = order_by(p->ready_at, lab->n_nodes, lab->n_nodes);
	return p;
}

static void plan_free(struct build_plan *p)
{
	if (!p)
		return;
	free(p->link_at);
	free(p->links);
	free(p->config_at);
	free(p->configs);
	free(p->ready_at);
	free(p->readies);
	free(p);
}

/*
 * Does what the plan has due once namespace upto exists, links first, then
 * nodes, then their readiness: with every namespace there, that is the order
 * of dependencies (links need both namespaces, routes addresses on up links).
 */
static int plan_run(struct built *b, size_t upto, struct diag *d)
{
	struct build_plan *p = b->plan;
	const struct lab *lab = b->lab;

	for (; p->n_links < lab->n_links && p->link_at[p->links[p->n_links]] <= upto; p->n_links++)
		if (make_link(b, &lab->links[p->links[p->n_links]], d))
			return -1;
	for (; p->n_configs < lab->n_nodes && p->config_at[p->configs[p->n_configs]] <= upto;
	     p->n_configs++)
		if (configure_node(b, p->configs[p->n_configs], d))
			return -1;
	for (; p->n_readies < lab->n_nodes && p->ready_at[p->readies[p->n_readies]] <= upto;
	     p->n_readies++) {
		size_t ni = p->readies[p->n_readies];

		if (wait_links(b, ni, d) || add_routes(b, ni, d) || add_rules(b, ni, d))
			return -1;
	}
	return 0;
}

/*
 * Labs of more nodes are built as their namespaces come (struct build_plan),
 * the factory writing each one's baseline. Fewer nodes' namespaces come within
 * milliseconds: then nflab writes the baselines while the factory makes the
 * next namespaces, and what waits for all of them (capture rings, a grace
 * period each) starts sooner with nothing else between.
 */
#define BUILD_PIPELINE_NODES 16

int build_nodes(struct built *b, const struct lab *lab, struct diag *d)
{
	bool pipeline = lab->n_nodes > BUILD_PIPELINE_NODES;
	size_t i;

	memset(b, 0, sizeof(*b));
	b->lab = lab;
	b->n_nodes = lab->n_nodes;
	b->nodes = xcalloc(lab->n_nodes, sizeof(*b->nodes));
	for (i = 0; i < lab->n_nodes; i++)
		b->nodes[i].nsfd = -1;
	b->plan = plan_make(lab);
	baseline_probe(d);
	netns_expect(lab->n_nodes, pipeline ? node_baseline : NULL, (void *)lab);
	for (i = 0; i < lab->n_nodes; i++) {
		if (make_node(b, i, pipeline, d))
			goto err_node;
		/* The last namespace's share is build_rest()'s: the rings start first. */
		if (pipeline && i + 1 < lab->n_nodes && plan_run(b, i, d))
			goto err;
	}
	netns_expect(0, NULL, NULL);
	return 0;
err_node:
	if (d->outcome != NFLAB_SKIP && (d->err == EPERM || d->err == EACCES)) {
		/* Not the lab's fault: the harness lacks the privilege to build it. */
		d->outcome = NFLAB_SKIP;
		diag_prefix(d, "needs root (CAP_SYS_ADMIN and CAP_NET_ADMIN)");
	} else {
		diag_prefix(d, "node %s", lab->nodes[i].name);
	}
err:
	netns_expect(0, NULL, NULL); /* lab is not for the namespaces made next */
	build_release(b);
	return -1;
}

int build_rest(struct built *b, struct diag *d)
{
	size_t i;

	if (plan_run(b, SIZE_MAX, d))
		return -1;
	for (i = 0; i < b->lab->n_nodes; i++)
		if (apply_rulesets(b, i, d))
			return -1;
	return 0;
}

int build_lab(struct built *b, const struct lab *lab, struct diag *d)
{
	if (build_nodes(b, lab, d))
		return -1;
	if (!build_rest(b, d))
		return 0;
	build_release(b);
	return -1;
}

void build_release(struct built *b)
{
	size_t i;

	for (i = 0; i < b->n_nodes; i++) {
		nl_close(b->nodes[i].rtnl);
		if (b->nodes[i].nsfd >= 0)
			close(b->nodes[i].nsfd);
	}
	free(b->nodes);
	b->nodes = NULL;
	plan_free(b->plan);
	b->plan = NULL;
	sysctl_procfs_close();
	b->n_nodes = 0;
}
