// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Labs built in code: a small model of nodes, interfaces, links, routes and
 * rulesets that renders as a lab file. The lab-file parser then checks it, so a
 * lab built in code and one written by hand mean exactly the same.
 */
#include "api/api.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"

struct biface {
	char *name;
	char **addrs;
	size_t n_addrs, cap_addrs;
};

struct bnode {
	char *name;
	bool router;
	struct biface *ifaces;
	size_t n_ifaces, cap_ifaces;
	char **routes;
	size_t n_routes, cap_routes;
	char *rules[3]; /* nft, iptables, ip6tables */
};

struct builder {
	char *name;
	struct bnode *nodes;
	size_t n_nodes, cap_nodes;
	char **links; /* pairs of "node:iface" */
	size_t n_links, cap_links;
};

static const char *const rule_kinds[] = {"nft", "iptables", "ip6tables"};

static int fail(char **err, const char *fmt, const char *arg)
{
	if (err)
		*err = xasprintf(fmt, arg);
	return -1;
}

/* Names go into YAML unquoted: keep them to what lab files accept anyway. */
static bool plain(const char *s)
{
	size_t i;

	for (i = 0; s[i]; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
		      (s[i] >= '0' && s[i] <= '9') || strchr("-_.", s[i])))
			return false;
	return i > 0 && i <= 32;
}

struct builder *builder_new(const char *name)
{
	struct builder *b = xzalloc(sizeof(*b));

	b->name = xstrdup(name && *name ? name : "lab");
	return b;
}

static struct bnode *node_get(struct builder *b, const char *name)
{
	size_t i;

	for (i = 0; i < b->n_nodes; i++)
		if (!strcmp(b->nodes[i].name, name))
			return &b->nodes[i];
	XGROW(b->nodes, b->n_nodes, b->cap_nodes);
	memset(&b->nodes[b->n_nodes], 0, sizeof(b->nodes[0]));
	b->nodes[b->n_nodes].name = xstrdup(name);
	return &b->nodes[b->n_nodes++];
}

static struct biface *iface_get(struct bnode *n, const char *name)
{
	size_t i;

	for (i = 0; i < n->n_ifaces; i++)
		if (!strcmp(n->ifaces[i].name, name))
			return &n->ifaces[i];
	XGROW(n->ifaces, n->n_ifaces, n->cap_ifaces);
	memset(&n->ifaces[n->n_ifaces], 0, sizeof(n->ifaces[0]));
	n->ifaces[n->n_ifaces].name = xstrdup(name);
	return &n->ifaces[n->n_ifaces++];
}

/* "node:iface" into its interface, created as needed. */
static struct biface *end_get(struct builder *b, const char *end, char **err)
{
	const char *colon = strchr(end, ':');
	char node[64];

	if (!colon || (size_t)(colon - end) >= sizeof(node)) {
		fail(err, "expected \"node:iface\", got \"%s\"", end);
		return NULL;
	}
	memcpy(node, end, (size_t)(colon - end));
	node[colon - end] = '\0';
	if (!plain(node) || !plain(colon + 1)) {
		fail(err, "expected \"node:iface\" of letters, digits, '-', '_', '.', got \"%s\"",
		     end);
		return NULL;
	}
	return iface_get(node_get(b, node), colon + 1);
}

int builder_node(struct builder *b, const char *node, bool router, char **err)
{
	if (!plain(node))
		return fail(err,
			    "expected a node name of letters, digits, '-', '_', '.', got \"%s\"",
			    node);
	node_get(b, node)->router |= router;
	return 0;
}

int builder_link(struct builder *b, const char *a, const char *z, char **err)
{
	if (!end_get(b, a, err) || !end_get(b, z, err))
		return -1;
	XGROW(b->links, b->n_links, b->cap_links);
	b->links[b->n_links++] = xstrdup(a);
	XGROW(b->links, b->n_links, b->cap_links);
	b->links[b->n_links++] = xstrdup(z);
	return 0;
}

int builder_address(struct builder *b, const char *end, const char *cidr, char **err)
{
	struct biface *ifc = end_get(b, end, err);

	if (!ifc)
		return -1;
	if (!*cidr || strpbrk(cidr, " \t\n,[]{}#"))
		return fail(err, "expected an address with its prefix length, got \"%s\"", cidr);
	XGROW(ifc->addrs, ifc->n_addrs, ifc->cap_addrs);
	ifc->addrs[ifc->n_addrs++] = xstrdup(cidr);
	return 0;
}

int builder_route(struct builder *b, const char *node, const char *route, char **err)
{
	struct bnode *n;

	if (!plain(node))
		return fail(err, "expected a node name, got \"%s\"", node);
	if (!*route || strpbrk(route, "\n#{}[]"))
		return fail(err, "expected a route (\"default via 192.0.2.1\"), got \"%s\"", route);
	n = node_get(b, node);
	XGROW(n->routes, n->n_routes, n->cap_routes);
	n->routes[n->n_routes++] = xstrdup(route);
	return 0;
}

int builder_ruleset(struct builder *b, const char *node, const char *kind, const char *text,
		    char **err)
{
	struct bnode *n;
	size_t k;

	if (!plain(node))
		return fail(err, "expected a node name, got \"%s\"", node);
	for (k = 0; k < 3; k++)
		if (!strcmp(kind, rule_kinds[k]))
			break;
	if (k == 3)
		return fail(err, "expected nft, iptables or ip6tables, got \"%s\"", kind);
	n = node_get(b, node);
	free(n->rules[k]);
	n->rules[k] = xstrdup(text);
	return 0;
}

/* A block scalar: every line of text indented. */
static void put_block(FILE *f, const char *key, const char *text)
{
	const char *p = text;

	fprintf(f, "    %s: |\n", key);
	while (*p) {
		size_t len = strcspn(p, "\n");

		fprintf(f, "      %.*s\n", (int)len, p);
		p += len + (p[len] == '\n');
	}
}

char *builder_yaml(const struct builder *b)
{
	char *text = NULL;
	size_t size = 0, i, j, k;
	FILE *f = open_memstream(&text, &size);

	fprintf(f, "# built in code with the nflab C API\nname: %s\nnodes:\n", b->name);
	for (i = 0; i < b->n_nodes; i++) {
		const struct bnode *n = &b->nodes[i];

		fprintf(f, "  %s:\n", n->name);
		if (n->router)
			fprintf(f, "    router: true\n");
		if (n->n_ifaces)
			fprintf(f, "    interfaces:\n");
		for (j = 0; j < n->n_ifaces; j++) {
			fprintf(f, "      %s: [", n->ifaces[j].name);
			for (k = 0; k < n->ifaces[j].n_addrs; k++)
				fprintf(f, "%s%s", k ? ", " : "", n->ifaces[j].addrs[k]);
			fprintf(f, "]\n");
		}
		if (n->n_routes)
			fprintf(f, "    routes:\n");
		for (j = 0; j < n->n_routes; j++)
			fprintf(f, "      - %s\n", n->routes[j]);
		for (k = 0; k < 3; k++)
			if (n->rules[k])
				put_block(f, rule_kinds[k], n->rules[k]);
		if (!n->router && !n->n_ifaces && !n->n_routes && !n->rules[0] && !n->rules[1] &&
		    !n->rules[2])
			fprintf(f, "    router: false\n");
	}
	if (b->n_links)
		fprintf(f, "links:\n");
	for (i = 0; i + 1 < b->n_links; i += 2)
		fprintf(f, "  - [%s, %s]\n", b->links[i], b->links[i + 1]);
	fclose(f);
	return text;
}

void builder_free(struct builder *b)
{
	size_t i, j, k;

	if (!b)
		return;
	for (i = 0; i < b->n_nodes; i++) {
		struct bnode *n = &b->nodes[i];

		for (j = 0; j < n->n_ifaces; j++) {
			for (k = 0; k < n->ifaces[j].n_addrs; k++)
				free(n->ifaces[j].addrs[k]);
			free(n->ifaces[j].addrs);
			free(n->ifaces[j].name);
		}
		free(n->ifaces);
		for (j = 0; j < n->n_routes; j++)
			free(n->routes[j]);
		free(n->routes);
		for (k = 0; k < 3; k++)
			free(n->rules[k]);
		free(n->name);
	}
	free(b->nodes);
	for (i = 0; i < b->n_links; i++)
		free(b->links[i]);
	free(b->links);
	free(b->name);
	free(b);
}
