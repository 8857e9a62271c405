// SPDX-License-Identifier: GPL-2.0-or-later
/* A customer's box: its interfaces, routes, rules and ruleset, and what the lab leaves out. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "import/box.h"
#include "util/xalloc.h"

#define TABLE_NAMED_FIRST 10000 /* numbers for tables the box named with words */

void box_release(struct box *b)
{
	size_t i;

	for (i = 0; i < b->n_ifaces; i++) {
		free(b->ifaces[i].name);
		free(b->ifaces[i].link_type);
		free(b->ifaces[i].addrs);
	}
	free(b->ifaces);
	for (i = 0; i < b->n_routes; i++) {
		free(b->routes[i].dev);
		free(b->routes[i].skip);
	}
	free(b->routes);
	for (i = 0; i < b->n_rules; i++) {
		struct box_rule *r = &b->rules[i];

		free(r->from);
		free(r->to);
		free(r->fwmark);
		free(r->iif);
		free(r->oif);
		free(r->skip);
	}
	free(b->rules);
	for (i = 0; i < b->n_tables; i++)
		free(b->tables[i].name);
	free(b->tables);
	free(b->nft);
	free(b->iptables);
	free(b->ip6tables);
	for (i = 0; i < b->n_notes; i++)
		free(b->notes[i]);
	free(b->notes);
	memset(b, 0, sizeof(*b));
	b->ip_forward = b->ip6_forward = -1;
}

void box_note(struct box *b, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		abort();
	va_end(ap);
	for (char *p = s; *p; p++) /* names from the dumps: a note stays one comment line */
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	XGROW(b->notes, b->n_notes, b->cap_notes);
	b->notes[b->n_notes++] = s;
}

struct box_iface *box_iface_find(const struct box *b, const char *name)
{
	size_t i;

	for (i = 0; i < b->n_ifaces; i++)
		if (!strcmp(b->ifaces[i].name, name))
			return &b->ifaces[i];
	return NULL;
}

int64_t box_table_id(struct box *b, const char *name)
{
	unsigned long long v;
	char *end;
	size_t i;

	if (!name || !*name)
		return -1;
	if (!strcmp(name, "main"))
		return 254;
	if (!strcmp(name, "default"))
		return 253;
	if (!strcmp(name, "local"))
		return 0;
	if (*name >= '0' && *name <= '9') {
		errno = 0;
		v = strtoull(name, &end, 0);
		if (errno || *end || v == 0 || v > 0xffffffffULL)
			return -1;
		return (int64_t)v;
	}
	for (i = 0; i < b->n_tables; i++)
		if (!strcmp(b->tables[i].name, name))
			return b->tables[i].id;
	XGROW(b->tables, b->n_tables, b->cap_tables);
	b->tables[b->n_tables].name = xstrdup(name);
	b->tables[b->n_tables].id = TABLE_NAMED_FIRST + (uint32_t)b->n_tables;
	box_note(b,
		 "routing table \"%s\" (a name from the box's rt_tables, which the dumps do "
		 "not give) is table %u in the lab",
		 name, b->tables[b->n_tables].id);
	return b->tables[b->n_tables++].id;
}
