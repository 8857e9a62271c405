// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The link step: link: {at: NODE:IFACE, state: up|down} sets an interface
 * administratively down or up mid-lab (rtnetlink). Up waits, as the lab's start
 * does, until the interface can send again.
 */
#include <stdlib.h>

#include "lab/parse.h"
#include "run/run_priv.h"
#include "step/step.h"
#include "topo/link.h"
#include "util/xalloc.h"

#define LINK_READY_NS 5000000000ull /* 5 s */

struct link_step {
	struct lab_end at;
	int up;
};

static const char *const keys[] = {"at", "state", NULL};

static int parse(struct parser *p, struct lab_step *st, yaml_node_t *v)
{
	static const struct keyword states[] = {{"up", 1}, {"down", 0}, {NULL, 0}};
	struct ydoc *y = &p->y;
	struct link_step *s = xcalloc(1, sizeof(*s));
	yaml_node_t *at, *state;

	st->ext.priv = s;
	if (yexpect_map(y, v, "a link step ({at: NODE:IFACE, state: up|down})", p->d) ||
	    ymap_check(y, v, "link step", keys, p->d))
		return -1;
	if (!(at = ymap_get(y, v, "at")))
		return fail_at(p, v, "missing \"at\" (the interface, NODE:IFACE)");
	if (!(state = ymap_get(y, v, "state")))
		return fail_at(p, v, "missing \"state\" (up or down)");
	return parse_point(p, at, &s->at) || parse_keyword(p, state, states, &s->up) ? -1 : 0;
}

static int run(struct run *r, const struct lab_step *st, char *text, size_t len, char **detail)
{
	const struct link_step *s = st->ext.priv;
	const struct built_node *bn = &r->b.nodes[s->at.node];
	const char *name = r->lab->nodes[s->at.node].ifaces[s->at.iface].name;
	const struct lab_end *peer;

	(void)text;
	(void)len;
	(void)detail;
	if (link_set_up(bn->rtnl, name, s->up, &r->d))
		return -1;
	if (s->up && link_wait_ready(bn->rtnl, bn->nsfd, &name, 1, LINK_READY_NS, &r->d))
		return -1;
	/* The other end gets its carrier back too, and only then sends again. */
	if (s->up && (peer = lab_link_peer(r->lab, &s->at))) {
		const struct built_node *pn = &r->b.nodes[peer->node];
		const char *pname = r->lab->nodes[peer->node].ifaces[peer->iface].name;

		if (link_wait_ready(pn->rtnl, pn->nsfd, &pname, 1, LINK_READY_NS, &r->d))
			return -1;
	}
	return NFLAB_PASS;
}

static void describe(const struct lab *lab, const struct lab_step *st, char *buf, size_t len)
{
	const struct link_step *s = st->ext.priv;
	char at[96];

	snprintf(buf, len, "link %s set %s", lab_end_fmt(lab, &s->at, at, sizeof(at)),
		 s->up ? "up" : "down");
}

const struct step_ops step_link = {
	.key = "link",
	.kind = STEP_EXT,
	.parse = parse,
	.run = run,
	.describe = describe,
	.release = step_priv_free,
};
