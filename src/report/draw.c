// SPDX-License-Identifier: GPL-2.0-or-later
/* The topology picture of a lab: nodes, links, interfaces and addresses, as SVG. */
#include "report/draw.h"

#include <inttypes.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "report/svg.h"
#include "rules/natmap.h"
#include "util/outfile.h"
#include "util/xalloc.h"

#define MARGIN	  24
#define TITLE_H	  56 /* title and subtitle above the nodes */
#define NAME_PX	  14 /* node names */
#define LABEL_PX  11 /* interface names and addresses */
#define LH	  13 /* px between label lines */
#define ROUTE_PX  10 /* routes under a node */
#define ROUTE_LH  12
#define VGAP	  36 /* between two nodes of one column */
#define PORT_TOP  26 /* box top to its first link */
#define MIN_BOX_W 96
#define MIN_BOX_H 48
#define MIN_GAP	  48 /* between two columns */
#define LOOP_STEP 8  /* between the verticals of links inside one column */
#define MAX_RULES 12 /* NAT and comment lines under a node; more are counted */

static const char css[] = ".title{font-size:16px;font-weight:bold}\n"
			  ".sub{font-size:11px;fill:#555}\n"
			  ".name{font-size:14px;font-weight:bold}\n"
			  ".role{font-size:11px;fill:#444}\n"
			  ".ifname{font-size:11px;font-weight:bold;fill:#1a4d8f}\n"
			  ".addr{font-size:11px;fill:#222}\n"
			  ".route{font-size:10px;fill:#666}\n"
			  ".rule{font-size:10px;fill:#1a4d8f}\n"
			  ".router{fill:#fde9c9;stroke:#b5651d;stroke-width:1.5}\n"
			  ".host{fill:#dfeaf7;stroke:#3b6ea8;stroke-width:1.5}\n"
			  ".link{fill:none;stroke:#333;stroke-width:1.5}\n"
			  ".port{fill:#333}\n";

enum side {
	SIDE_LEFT, /* towards the previous column */
	SIDE_RIGHT,
};

/* One end of a link as drawn: where it leaves its box and what it says there. */
struct port {
	size_t node, iface;
	enum side side;
	double y;		/* px, where the link leaves the box */
	double stub;		/* px of horizontal run out of the box, under the label */
	struct svg_lines label; /* the interface name, then its addresses */
};

struct nbox {
	size_t layer, slot; /* column, and place in it from the top */
	double x, y, w, h;  /* the box */
	struct svg_lines below;
	size_t below_rules; /* the first of below's lines that tell NAT and rule comments */
	double below_h, below_w;
};

struct layout {
	const struct lab *lab;
	struct nbox *n;
	struct port *p; /* two per link: link k's ends a and b are 2k and 2k + 1 */
	double *loop_x; /* per link: x of the vertical of a link inside one column */
	size_t n_layers;
	double *col_x, *col_w, *gap;
	double w, h;
};

static double text_w(const char *s, double px)
{
	return svg_text_width(s, px);
}

/* The node at the other end of port i's link. */
static size_t other_node(const struct layout *lo, size_t i)
{
	return lo->p[i ^ 1].node;
}

/*
 * Columns by breadth-first distance from the first node (then from the first
 * node of each further component), so every link joins one column to itself or
 * to the next. order gets the nodes column by column.
 */
static void assign_layers(const struct lab *lab, struct nbox *n, size_t *order)
{
	size_t *queue = xcalloc(lab->n_nodes + 1, sizeof(*queue));
	bool *seen = xcalloc(lab->n_nodes + 1, sizeof(*seen));
	size_t head = 0, tail = 0, i, k, layer, o = 0;

	for (i = 0; i < lab->n_nodes; i++) {
		if (seen[i])
			continue;
		seen[i] = true;
		n[i].layer = 0;
		queue[tail++] = i;
		while (head < tail) {
			size_t u = queue[head++];

			for (k = 0; k < lab->n_links; k++) {
				const struct lab_link *l = &lab->links[k];
				size_t v;

				if (l->a.node == u)
					v = l->b.node;
				else if (l->b.node == u)
					v = l->a.node;
				else
					continue;
				if (!seen[v]) {
					seen[v] = true;
					n[v].layer = n[u].layer + 1;
					queue[tail++] = v;
				}
			}
		}
	}
	/* Discovery order within a column keeps neighbours near each other. */
	for (layer = 0; o < lab->n_nodes; layer++) {
		size_t slot = 0;

		for (i = 0; i < tail; i++)
			if (n[queue[i]].layer == layer) {
				n[queue[i]].slot = slot++;
				order[o++] = queue[i];
			}
	}
	free(queue);
	free(seen);
}

void draw_node_order(const struct lab *lab, size_t *order)
{
	struct nbox *n = xcalloc(lab->n_nodes + 1, sizeof(*n));

	assign_layers(lab, n, order);
	free(n);
}

static void port_label(const struct lab *lab, const struct lab_link *l, struct port *p)
{
	const struct lab_iface *ifc = &lab->nodes[p->node].ifaces[p->iface];
	unsigned int mtu = ifc->mtu ? ifc->mtu : l->mtu;
	char buf[IPADDR_STRLEN + 40];
	size_t i;

	if (mtu)
		snprintf(buf, sizeof(buf), "%s mtu %u", ifc->name, mtu);
	else
		snprintf(buf, sizeof(buf), "%s", ifc->name);
	svg_lines_add(&p->label, buf);
	for (i = 0; i < ifc->n_addrs; i++) {
		char a[IPADDR_STRLEN];

		snprintf(buf, sizeof(buf), "%s/%d", ipaddr_fmt(&ifc->addrs[i].a, a),
			 ifc->addrs[i].plen);
		svg_lines_add(&p->label, buf);
	}
	p->stub = (double)svg_lines_cols(&p->label) * SVG_CHAR_EM * LABEL_PX + 14;
}

/* A route as a lab writes it: "default via 192.0.2.1", "10.9.0.0/16 dev eth2". */
static void route_text(const struct lab_route *r, char *buf, size_t len)
{
	char d[IPADDR_STRLEN], g[IPADDR_STRLEN];
	int n;

	if (r->plen == 0)
		n = snprintf(buf, len, "default");
	else
		n = snprintf(buf, len, "%s/%d", ipaddr_fmt(&r->dst, d), r->plen);
	if (r->has_gw && n > 0 && (size_t)n < len)
		n += snprintf(buf + n, len - (size_t)n, " via %s", ipaddr_fmt(&r->gw, g));
	if (r->dev && n > 0 && (size_t)n < len)
		n += snprintf(buf + n, len - (size_t)n, " dev %s", r->dev);
	if (r->table && r->table != LAB_TABLE_MAIN && n > 0 && (size_t)n < len)
		snprintf(buf + n, len - (size_t)n, " table %" PRIu32, r->table);
}

/*
 * What the node's rulesets map (DNAT, SNAT, masquerade, redirect) and their
 * rule comments, as the lab writes them, nft's first: lines under the node.
 */
static void node_rules(const struct lab_node *node, struct nbox *b)
{
	struct natmap m = {0};
	char more[40];
	size_t i;

	if (node->nft.text)
		natmap_parse_nft(node->nft.text, &m);
	if (node->iptables.text)
		natmap_parse_ipt(node->iptables.text, &m);
	if (node->ip6tables.text)
		natmap_parse_ipt(node->ip6tables.text, &m);
	for (i = 0; i < m.n && i < MAX_RULES; i++)
		svg_lines_add(&b->below, m.line[i]);
	if (m.n > MAX_RULES) {
		snprintf(more, sizeof(more), "(%zu more rules)", m.n - MAX_RULES);
		svg_lines_add(&b->below, more);
	}
	natmap_release(&m);
}

/* What goes under a node: addresses of interfaces without a link (lo), then routes. */
static void node_below(const struct lab_node *node, bool routes, struct nbox *b)
{
	char buf[300];
	size_t i, j;

	for (i = 0; i < node->n_ifaces; i++) {
		const struct lab_iface *ifc = &node->ifaces[i];

		if (strcmp(ifc->name, "lo") && ifc->linked)
			continue;
		for (j = 0; j < ifc->n_addrs; j++) {
			char a[IPADDR_STRLEN];

			snprintf(buf, sizeof(buf), "%s %s/%d", ifc->name,
				 ipaddr_fmt(&ifc->addrs[j].a, a), ifc->addrs[j].plen);
			svg_lines_add(&b->below, buf);
		}
	}
	for (i = 0; routes && i < node->n_routes; i++) {
		route_text(&node->routes[i], buf, sizeof(buf));
		svg_lines_add(&b->below, buf);
	}
	b->below_rules = b->below.n;
	node_rules(node, b);
	b->below_w = (double)svg_lines_cols(&b->below) * SVG_CHAR_EM * ROUTE_PX;
	b->below_h = b->below.n ? (double)b->below.n * ROUTE_LH + 6 : 0;
}

static const char *node_role(const struct lab_node *node, char *buf, size_t len)
{
	snprintf(buf, len, "%s%s%s", node->router ? "router" : "host",
		 node->nft.text ? ", nft" : "",
		 node->iptables.text || node->ip6tables.text ? ", iptables" : "");
	return buf;
}

/* Space a port takes on its side: its name above the link, its addresses below. */
static double port_height(const struct port *p)
{
	return (double)(p->label.n - 1) * LH + 4 + LH + 8;
}

/* Sorts a node's ports on one side by where their other end is, and places them. */
static void place_ports(struct layout *lo, size_t node, enum side side)
{
	size_t *idx = xcalloc(2 * lo->lab->n_links + 1, sizeof(*idx));
	size_t n = 0, i, j;
	double off = PORT_TOP;

	for (i = 0; i < 2 * lo->lab->n_links; i++)
		if (lo->p[i].node == node && lo->p[i].side == side)
			idx[n++] = i;
	/* Insertion sort: a node has a handful of links. */
	for (i = 1; i < n; i++) {
		size_t v = idx[i];
		const struct nbox *ov = &lo->n[other_node(lo, v)];

		for (j = i; j > 0; j--) {
			const struct nbox *oj = &lo->n[other_node(lo, idx[j - 1])];

			if (oj->y < ov->y || (oj->y == ov->y && idx[j - 1] < v))
				break;
			idx[j] = idx[j - 1];
		}
		idx[j] = v;
	}
	for (i = 0; i < n; i++) {
		lo->p[idx[i]].y = lo->n[node].y + off;
		off += port_height(&lo->p[idx[i]]);
	}
	free(idx);
}

/* How far port p reaches past its column's edge. */
static double reach(const struct layout *lo, const struct port *p)
{
	const struct nbox *b = &lo->n[p->node];

	return p->stub - (lo->col_w[b->layer] - b->w) / 2;
}

static void layout_build(struct layout *lo, const struct lab *lab, bool routes)
{
	size_t *order = xcalloc(lab->n_nodes + 1, sizeof(*order));
	size_t *loops = NULL;
	double side_h[2], x;
	size_t i, k;
	char role[64];

	lo->lab = lab;
	lo->n = xcalloc(lab->n_nodes + 1, sizeof(*lo->n));
	lo->p = xcalloc(2 * lab->n_links + 1, sizeof(*lo->p));
	lo->loop_x = xcalloc(lab->n_links + 1, sizeof(*lo->loop_x));
	assign_layers(lab, lo->n, order);
	for (i = 0; i < lab->n_nodes; i++)
		if (lo->n[i].layer + 1 > lo->n_layers)
			lo->n_layers = lo->n[i].layer + 1;
	for (k = 0; k < lab->n_links; k++) {
		const struct lab_link *l = &lab->links[k];

		lo->p[2 * k] = (struct port){.node = l->a.node, .iface = l->a.iface};
		lo->p[2 * k + 1] = (struct port){.node = l->b.node, .iface = l->b.iface};
	}
	for (i = 0; i < 2 * lab->n_links; i++) {
		struct port *p = &lo->p[i];

		p->side = lo->n[other_node(lo, i)].layer < lo->n[p->node].layer ? SIDE_LEFT
										: SIDE_RIGHT;
		port_label(lab, &lab->links[i / 2], p);
	}
	/* Box sizes: the text inside, and room for the links on the busier side. */
	for (i = 0; i < lab->n_nodes; i++) {
		const struct lab_node *node = &lab->nodes[i];
		struct nbox *b = &lo->n[i];
		double w = text_w(node->name, NAME_PX);

		if (text_w(node_role(node, role, sizeof(role)), LABEL_PX) > w)
			w = text_w(role, LABEL_PX);
		b->w = w + 28 > MIN_BOX_W ? w + 28 : MIN_BOX_W;
		side_h[0] = side_h[1] = PORT_TOP;
		for (k = 0; k < 2 * lab->n_links; k++)
			if (lo->p[k].node == i)
				side_h[lo->p[k].side] += port_height(&lo->p[k]);
		b->h = side_h[0] > side_h[1] ? side_h[0] : side_h[1];
		b->h = b->h > MIN_BOX_H ? b->h : MIN_BOX_H;
		node_below(node, routes, b);
	}
	lo->col_x = xcalloc(lo->n_layers + 1, sizeof(double));
	lo->col_w = xcalloc(lo->n_layers + 1, sizeof(double));
	lo->gap = xcalloc(lo->n_layers + 1, sizeof(double));
	loops = xcalloc(lo->n_layers + 1, sizeof(*loops));
	for (i = 0; i < lab->n_nodes; i++) {
		struct nbox *b = &lo->n[i];
		double w = b->w > b->below_w ? b->w : b->below_w;

		if (w > lo->col_w[b->layer])
			lo->col_w[b->layer] = w;
	}
	for (i = 0; i <= lo->n_layers; i++)
		lo->gap[i] = MIN_GAP;
	/* Each gap fits the labels of the links across it. */
	for (k = 0; k < lab->n_links; k++) {
		const struct port *a = &lo->p[2 * k], *b = &lo->p[2 * k + 1];
		size_t la = lo->n[a->node].layer, lb = lo->n[b->node].layer;
		double need;

		if (la != lb) {
			need = reach(lo, a) + reach(lo, b) + 36;
			la = la < lb ? la : lb;
		} else {
			/* Within a column: out to the right, down (or up), and back. */
			need = reach(lo, a) > reach(lo, b) ? reach(lo, a) : reach(lo, b);
			need += 14 + LOOP_STEP * (double)loops[la];
			lo->loop_x[k] = need; /* from the column's right edge, for now */
			loops[la]++;
			need += 24;
		}
		if (need > lo->gap[la])
			lo->gap[la] = need;
	}
	x = MARGIN;
	for (i = 0; i < lo->n_layers; i++) {
		lo->col_x[i] = x;
		x += lo->col_w[i] + lo->gap[i];
	}
	lo->w = x; /* the last gap is the right margin, and room for links looping there */
	/* Columns stack from the top: a chain's boxes, and so its links, line up. */
	lo->h = 0;
	for (i = 0; i < lab->n_nodes; i++) {
		struct nbox *b = &lo->n[order[i]];
		double y = TITLE_H + MARGIN;
		size_t j;

		for (j = 0; j < i; j++) {
			const struct nbox *above = &lo->n[order[j]];

			if (above->layer == b->layer)
				y = above->y + above->h + above->below_h + VGAP;
		}
		b->y = y;
		b->x = lo->col_x[b->layer] + (lo->col_w[b->layer] - b->w) / 2;
		if (y + b->h + b->below_h + MARGIN > lo->h)
			lo->h = y + b->h + b->below_h + MARGIN;
	}
	for (i = 0; i < lab->n_nodes; i++) {
		place_ports(lo, i, SIDE_LEFT);
		place_ports(lo, i, SIDE_RIGHT);
	}
	for (k = 0; k < lab->n_links; k++) {
		const struct nbox *b = &lo->n[lo->p[2 * k].node];

		if (lo->loop_x[k] > 0)
			lo->loop_x[k] += lo->col_x[b->layer] + lo->col_w[b->layer];
	}
	free(loops);
	free(order);
}

static void layout_release(struct layout *lo)
{
	size_t i;

	for (i = 0; i < 2 * lo->lab->n_links; i++)
		svg_lines_release(&lo->p[i].label);
	for (i = 0; i < lo->lab->n_nodes; i++)
		svg_lines_release(&lo->n[i].below);
	free(lo->n);
	free(lo->p);
	free(lo->loop_x);
	free(lo->col_x);
	free(lo->col_w);
	free(lo->gap);
}

/* x where port p leaves its box. */
static double port_x(const struct layout *lo, const struct port *p)
{
	const struct nbox *b = &lo->n[p->node];

	return p->side == SIDE_LEFT ? b->x : b->x + b->w;
}

static void draw_link(FILE *f, const struct layout *lo, size_t k)
{
	const struct port *a = &lo->p[2 * k], *b = &lo->p[2 * k + 1];
	double xa = port_x(lo, a), xb = port_x(lo, b);

	fprintf(f, "<polyline class=\"link\" points=\"");
	if (lo->loop_x[k] > 0) {
		fprintf(f, "%.1f,%.1f %.1f,%.1f %.1f,%.1f %.1f,%.1f", xa, a->y, lo->loop_x[k], a->y,
			lo->loop_x[k], b->y, xb, b->y);
	} else {
		/* From the right-hand port of the left column to the left-hand port of the next. */
		const struct port *l = a->side == SIDE_RIGHT ? a : b, *r = l == a ? b : a;
		double xl = port_x(lo, l), xr = port_x(lo, r);

		fprintf(f, "%.1f,%.1f %.1f,%.1f %.1f,%.1f %.1f,%.1f", xl, l->y, xl + l->stub, l->y,
			xr - r->stub, r->y, xr, r->y);
	}
	fprintf(f, "\"/>\n");
	fprintf(f, "<circle class=\"port\" cx=\"%.1f\" cy=\"%.1f\" r=\"2.5\"/>\n", xa, a->y);
	fprintf(f, "<circle class=\"port\" cx=\"%.1f\" cy=\"%.1f\" r=\"2.5\"/>\n", xb, b->y);
}

/* The interface name above the link where it leaves the box, the addresses below. */
static void draw_port_label(FILE *f, const struct layout *lo, const struct port *p)
{
	bool left = p->side == SIDE_LEFT;
	double x = port_x(lo, p) + (left ? -7 : 7);
	const char *anchor = left ? "end" : NULL;
	size_t i;

	svg_text(f, x, p->y - 4, "ifname", anchor, p->label.v[0]);
	for (i = 1; i < p->label.n; i++)
		svg_text(f, x, p->y + 12 + (double)(i - 1) * LH, "addr", anchor, p->label.v[i]);
}

static void draw_node(FILE *f, const struct layout *lo, size_t i)
{
	const struct lab_node *node = &lo->lab->nodes[i];
	const struct nbox *b = &lo->n[i];
	double cx = b->x + b->w / 2;
	char role[64];
	size_t j;

	fprintf(f,
		"<rect class=\"%s\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
		"rx=\"6\"/>\n",
		node->router ? "router" : "host", b->x, b->y, b->w, b->h);
	svg_text(f, cx, b->y + 20, "name", "middle", node->name);
	svg_text(f, cx, b->y + 35, "role", "middle", node_role(node, role, sizeof(role)));
	for (j = 0; j < b->below.n; j++)
		svg_text(f, cx, b->y + b->h + 14 + (double)j * ROUTE_LH,
			 j < b->below_rules ? "route" : "rule", "middle", b->below.v[j]);
}

void draw_topology(const struct lab *lab, bool routes, FILE *f)
{
	struct layout lo = {0};
	char sub[600];
	size_t i;

	snprintf(sub, sizeof(sub), "%s%s%s: %zu node%s, %zu link%s", lab->path,
		 lab->topology ? ", topology " : "", lab->topology ? lab->topology : "",
		 lab->n_nodes, lab->n_nodes == 1 ? "" : "s", lab->n_links,
		 lab->n_links == 1 ? "" : "s");
	layout_build(&lo, lab, routes);
	if (lo.w < text_w(sub, 11) + 2 * MARGIN)
		lo.w = text_w(sub, 11) + 2 * MARGIN;
	if (lo.w < text_w(lab->name, 16) + 2 * MARGIN)
		lo.w = text_w(lab->name, 16) + 2 * MARGIN;
	svg_begin(f, lo.w, lo.h, css);
	fprintf(f, "<title>");
	svg_escape(f, lab->name);
	fprintf(f, " topology</title>\n");
	svg_text(f, MARGIN, MARGIN + 8, "title", NULL, lab->name);
	svg_text(f, MARGIN, MARGIN + 26, "sub", NULL, sub);
	for (i = 0; i < lab->n_links; i++)
		draw_link(f, &lo, i);
	for (i = 0; i < lab->n_nodes; i++)
		draw_node(f, &lo, i);
	for (i = 0; i < 2 * lab->n_links; i++)
		draw_port_label(f, &lo, &lo.p[i]);
	svg_end(f);
	layout_release(&lo);
}

int draw_topology_write(const struct lab *lab, bool routes, const char *path, struct diag *d)
{
	struct outfile of;
	FILE *f = outfile_open(&of, path, d);

	if (!f)
		return -1;
	draw_topology(lab, routes, f);
	return outfile_commit(&of, d); /* a write error is seen there */
}
