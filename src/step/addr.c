// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The addr step: addr: {at: NODE:IFACE, add: ADDR/PLEN} or {at, del: ADDR/PLEN}
 * adds an address to an interface mid-lab, as a node's interface list does at
 * its start (IPv6 without DAD, usable at once), or removes one.
 */
#include <stdbool.h>
#include <stdlib.h>

#include "lab/parse.h"
#include "run/run_priv.h"
#include "step/step.h"
#include "topo/addr.h"
#include "topo/link.h"
#include "util/xalloc.h"

#define ADDR_SETTLE_NS 5000000000ull /* 5 s */

struct addr_step {
	struct lab_end at;
	bool add;
	struct ipaddr a;
	int plen;
};

static const char *const keys[] = {"at", "add", "del", NULL};

static int parse(struct parser *p, struct lab_step *st, yaml_node_t *v)
{
	static const char *what = "an address with prefix length (192.0.2.1/24, 2001:db8::1/64)";
	struct ydoc *y = &p->y;
	struct addr_step *s = xcalloc(1, sizeof(*s));
	yaml_node_t *at, *add, *del, *a;
	const char *text;

	st->ext.priv = s;
	if (yexpect_map(y, v, "an addr step ({at: NODE:IFACE, add|del: ADDR/PLEN})", p->d) ||
	    ymap_check(y, v, "addr step", keys, p->d))
		return -1;
	if (!(at = ymap_get(y, v, "at")))
		return fail_at(p, v, "missing \"at\" (the interface, NODE:IFACE)");
	add = ymap_get(y, v, "add");
	del = ymap_get(y, v, "del");
	if (!add == !del)
		return fail_at(p, v,
			       "expected one of \"add\" or \"del\" (an address with prefix "
			       "length)");
	if (parse_point(p, at, &s->at))
		return -1;
	s->add = add != NULL;
	a = add ? add : del;
	if (ystr(y, a, what, &text, p->d))
		return -1;
	if (ipaddr_parse(text, &s->a, &s->plen) || s->plen < 0)
		return fail_at(p, a, "expected %s, got \"%s\"", what, text);
	return 0;
}

static int run(struct run *r, const struct lab_step *st, char *text, size_t len, char **detail)
{
	const struct addr_step *s = st->ext.priv;
	const struct built_node *bn = &r->b.nodes[s->at.node];
	const char *name = r->lab->nodes[s->at.node].ifaces[s->at.iface].name;
	int index;

	(void)text;
	(void)len;
	(void)detail;
	if (!s->add)
		return addr_del(bn->rtnl, name, &s->a, s->plen, &r->d) ? -1 : NFLAB_PASS;
	if (addr_add(bn->rtnl, name, &s->a, s->plen, &r->d))
		return -1;
	/* As at the lab's start: the address answers neighbour solicitations at once. */
	if (s->a.family == AF_INET6) {
		index = link_index(bn->rtnl, name, &r->d);
		if (index < 0 ||
		    addr_wait_settled(bn->rtnl, bn->nsfd, &index, 1, ADDR_SETTLE_NS, &r->d))
			return -1;
	}
	return NFLAB_PASS;
}

static void describe(const struct lab *lab, const struct lab_step *st, char *buf, size_t len)
{
	const struct addr_step *s = st->ext.priv;
	char at[96], a[IPADDR_STRLEN];

	snprintf(buf, len, "addr %s/%d %s %s", ipaddr_fmt(&s->a, a), s->plen,
		 s->add ? "added to" : "removed from", lab_end_fmt(lab, &s->at, at, sizeof(at)));
}

const struct step_ops step_addr = {
	.key = "addr",
	.kind = STEP_EXT,
	.parse = parse,
	.run = run,
	.describe = describe,
	.release = step_priv_free,
};
