// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The route step: route: {node: NODE, add: ROUTE} or {node, del: ROUTE} adds
 * or deletes a route mid-lab. ROUTE is written as in a node's routes: list
 * ("default via ADDR", "PREFIX via ADDR dev IFACE", or a mapping with to, via,
 * dev, table), so whatever that list can say, the step can too.
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "lab/parse.h"
#include "run/run_priv.h"
#include "step/step.h"
#include "topo/route.h"
#include "util/xalloc.h"

struct route_step {
	size_t node;
	bool add;
	struct lab_route r;
};

static const char *const keys[] = {"node", "add", "del", NULL};

static int parse(struct parser *p, struct lab_step *st, yaml_node_t *v)
{
	struct ydoc *y = &p->y;
	struct route_step *s = xcalloc(1, sizeof(*s));
	const struct lab_node *n;
	yaml_node_t *add, *del;
	size_t i;

	st->ext.priv = s;
	if (yexpect_map(y, v, "a route step ({node: NODE, add|del: ROUTE})", p->d) ||
	    ymap_check(y, v, "route step", keys, p->d) || step_node(p, v, "node", &s->node))
		return -1;
	add = ymap_get(y, v, "add");
	del = ymap_get(y, v, "del");
	if (!add == !del)
		return fail_at(p, v,
			       "expected one of \"add\" or \"del\" (a route, as in a node's "
			       "routes list)");
	s->add = add != NULL;
	if (parse_route_one(p, add ? add : del, &s->r))
		return -1;
	if (!s->r.dev || !strcmp(s->r.dev, "lo"))
		return 0;
	n = &p->lab->nodes[s->node];
	for (i = 0; i < n->n_ifaces; i++)
		if (!strcmp(n->ifaces[i].name, s->r.dev))
			return 0;
	return fail_at(p, add ? add : del, "route via device \"%s\": node %s has no such interface",
		       s->r.dev, n->name);
}

static int run(struct run *r, const struct lab_step *st, char *text, size_t len, char **detail)
{
	const struct route_step *s = st->ext.priv;
	const struct lab_route *rt = &s->r;
	struct nl_sock *sk = r->b.nodes[s->node].rtnl;
	const struct ipaddr *gw = rt->has_gw ? &rt->gw : NULL;
	int rc;

	(void)text;
	(void)len;
	(void)detail;
	if (s->add)
		rc = route_add_table(sk, &rt->dst, rt->plen, gw, rt->dev, rt->table, &r->d);
	else
		rc = route_del(sk, &rt->dst, rt->plen, gw, rt->dev, rt->table, &r->d);
	return rc ? -1 : NFLAB_PASS;
}

static void describe(const struct lab *lab, const struct lab_step *st, char *buf, size_t len)
{
	const struct route_step *s = st->ext.priv;
	const struct lab_route *rt = &s->r;
	char dst[IPADDR_STRLEN + 8], gw[IPADDR_STRLEN], table[24] = "";

	if (rt->plen == 0)
		snprintf(dst, sizeof(dst), "default");
	else
		snprintf(dst, sizeof(dst), "%s/%d", ipaddr_fmt(&rt->dst, gw), rt->plen);
	if (rt->table != LAB_TABLE_MAIN)
		snprintf(table, sizeof(table), " table %" PRIu32, rt->table);
	snprintf(buf, len, "route %s%s%s%s%s%s %s %s", dst, rt->has_gw ? " via " : "",
		 rt->has_gw ? ipaddr_fmt(&rt->gw, gw) : "", rt->dev ? " dev " : "",
		 rt->dev ? rt->dev : "", table, s->add ? "added in" : "deleted in",
		 lab->nodes[s->node].name);
}

static void release(struct lab_step *st)
{
	struct route_step *s = st->ext.priv;

	if (s)
		free(s->r.dev);
	free(s);
}

const struct step_ops step_route = {
	.key = "route",
	.kind = STEP_EXT,
	.parse = parse,
	.run = run,
	.describe = describe,
	.release = release,
};
