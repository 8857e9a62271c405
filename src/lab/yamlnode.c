// SPDX-License-Identifier: GPL-2.0-or-later
/* Typed access to a YAML document with the file position of every node, for lab-file errors. */
#include "lab/yamlnode.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

int ydoc_load(struct ydoc *y, const char *file, const char *text, size_t len, struct diag *d)
{
	yaml_parser_t parser;
	int ret = 0;

	memset(y, 0, sizeof(*y));
	y->file = file;
	y->text = text;
	y->len = len;
	if (!yaml_parser_initialize(&parser))
		return diag_set(d, "cannot initialise the YAML parser");
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	if (!yaml_parser_load(&parser, &y->doc)) {
		struct srcloc loc = {file, (int)parser.problem_mark.line + 1,
				     (int)parser.problem_mark.column + 1};

		if (parser.context)
			diag_at(d, &loc, "YAML syntax: %s %s (line %d)", parser.problem,
				parser.context, (int)parser.context_mark.line + 1);
		else
			diag_at(d, &loc, "YAML syntax: %s",
				parser.problem ? parser.problem : "cannot parse");
		ret = -1;
	} else {
		y->loaded = true;
	}
	yaml_parser_delete(&parser);
	return ret;
}

void ydoc_release(struct ydoc *y)
{
	if (y->loaded)
		yaml_document_delete(&y->doc);
	y->loaded = false;
}

yaml_node_t *ydoc_root(struct ydoc *y)
{
	return yaml_document_get_root_node(&y->doc);
}

yaml_node_t *ynode(struct ydoc *y, int index)
{
	return yaml_document_get_node(&y->doc, index);
}

struct srcloc ynode_loc(const struct ydoc *y, const yaml_node_t *n)
{
	struct srcloc loc = {y->file, (int)n->start_mark.line + 1, (int)n->start_mark.column + 1};

	return loc;
}

struct srcloc yscalar_content_loc(const struct ydoc *y, const yaml_node_t *n)
{
	struct srcloc loc = ynode_loc(y, n);
	size_t i = n->start_mark.index;

	if (n->type != YAML_SCALAR_NODE)
		return loc;
	switch (n->data.scalar.style) {
	case YAML_LITERAL_SCALAR_STYLE:
	case YAML_FOLDED_SCALAR_STYLE:
		/* Content starts on the line after the indicator, at its indentation. */
		while (i < y->len && y->text[i] != '\n')
			i++;
		loc.line++;
		loc.col = 1;
		for (i++; i < y->len && y->text[i] == ' '; i++)
			loc.col++;
		return loc;
	case YAML_SINGLE_QUOTED_SCALAR_STYLE:
	case YAML_DOUBLE_QUOTED_SCALAR_STYLE:
		loc.col++;
		return loc;
	default:
		return loc;
	}
}

const char *ynode_describe(const yaml_node_t *n, char *buf, size_t len)
{
	if (!n)
		snprintf(buf, len, "nothing");
	else if (n->type == YAML_MAPPING_NODE)
		snprintf(buf, len, "a mapping");
	else if (n->type == YAML_SEQUENCE_NODE)
		snprintf(buf, len, "a list");
	else if (n->data.scalar.length > 40)
		snprintf(buf, len, "\"%.37s...\"", (const char *)n->data.scalar.value);
	else
		snprintf(buf, len, "\"%s\"", (const char *)n->data.scalar.value);
	return buf;
}

static int expect_type(struct ydoc *y, yaml_node_t *n, yaml_node_type_t type, const char *what,
		       struct diag *d)
{
	char got[64];
	struct srcloc loc;

	if (n && n->type == type)
		return 0;
	loc = ynode_loc(y, n);
	return diag_at(d, &loc, "expected %s, got %s", what, ynode_describe(n, got, sizeof(got)));
}

int yexpect_map(struct ydoc *y, yaml_node_t *n, const char *what, struct diag *d)
{
	return expect_type(y, n, YAML_MAPPING_NODE, what, d);
}

int yexpect_seq(struct ydoc *y, yaml_node_t *n, const char *what, struct diag *d)
{
	return expect_type(y, n, YAML_SEQUENCE_NODE, what, d);
}

int yexpect_scalar(struct ydoc *y, yaml_node_t *n, const char *what, struct diag *d)
{
	return expect_type(y, n, YAML_SCALAR_NODE, what, d);
}

const char *ykey(struct ydoc *y, const yaml_node_pair_t *p)
{
	yaml_node_t *k = ynode(y, p->key);

	return k && k->type == YAML_SCALAR_NODE ? (const char *)k->data.scalar.value : "";
}

int ymap_check(struct ydoc *y, yaml_node_t *map, const char *what, const char *const allowed[],
	       struct diag *d)
{
	yaml_node_pair_t *p, *q;

	for (p = ymap_begin(map); p < ymap_end(map); p++) {
		yaml_node_t *k = ynode(y, p->key);
		struct srcloc loc = ynode_loc(y, k);
		const char *key;
		size_t i, n = 0;
		char list[512];

		if (k->type != YAML_SCALAR_NODE)
			return diag_at(d, &loc, "expected a key of %s, got %s", what,
				       ynode_describe(k, list, sizeof(list)));
		key = (const char *)k->data.scalar.value;
		for (q = ymap_begin(map); q < p; q++)
			if (!strcmp(ykey(y, q), key))
				return diag_at(d, &loc, "duplicate key \"%s\" in %s", key, what);
		for (i = 0; allowed[i]; i++)
			if (!strcmp(allowed[i], key))
				break;
		if (allowed[i])
			continue;
		list[0] = '\0';
		for (i = 0; allowed[i]; i++)
			n += snprintf(list + n, n < sizeof(list) ? sizeof(list) - n : 0, "%s%s",
				      i ? ", " : "", allowed[i]);
		return diag_at(d, &loc, "unknown key \"%s\" in %s; expected one of: %s", key, what,
			       list);
	}
	return 0;
}

yaml_node_t *ymap_get(struct ydoc *y, yaml_node_t *map, const char *key)
{
	yaml_node_pair_t *p;

	for (p = ymap_begin(map); p < ymap_end(map); p++)
		if (!strcmp(ykey(y, p), key))
			return ynode(y, p->value);
	return NULL;
}

int ystr(struct ydoc *y, yaml_node_t *n, const char *what, const char **out, struct diag *d)
{
	if (yexpect_scalar(y, n, what, d))
		return -1;
	*out = (const char *)n->data.scalar.value;
	return 0;
}

static int bad_value(struct ydoc *y, yaml_node_t *n, const char *what, struct diag *d)
{
	char got[64];
	struct srcloc loc = ynode_loc(y, n);

	return diag_at(d, &loc, "expected %s, got %s", what, ynode_describe(n, got, sizeof(got)));
}

int yuint(struct ydoc *y, yaml_node_t *n, const char *what, uint64_t max, uint64_t *out,
	  struct diag *d)
{
	const char *s;
	char *end;
	unsigned long long v;

	if (ystr(y, n, what, &s, d))
		return -1;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || end == s || *end || *s == '-' || v > max)
		return bad_value(y, n, what, d);
	*out = v;
	return 0;
}

int ybool(struct ydoc *y, yaml_node_t *n, const char *what, bool *out, struct diag *d)
{
	const char *s;

	if (ystr(y, n, what, &s, d))
		return -1;
	if (!strcmp(s, "true") || !strcmp(s, "yes") || !strcmp(s, "on"))
		*out = true;
	else if (!strcmp(s, "false") || !strcmp(s, "no") || !strcmp(s, "off"))
		*out = false;
	else
		return bad_value(y, n, what, d);
	return 0;
}

int duration_parse(const char *text, uint64_t *ns)
{
	static const struct {
		const char *unit;
		double scale;
	} units[] = {{"ns", 1}, {"us", 1e3}, {"ms", 1e6}, {"s", 1e9}, {"", 1e9}};
	char *end;
	double v;
	size_t i;

	errno = 0;
	v = strtod(text, &end);
	if (errno || end == text || v < 0 || !isfinite(v))
		return -1;
	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (!strcmp(end, units[i].unit)) {
			if (v * units[i].scale > 3600e9)
				return -1;
			*ns = (uint64_t)(v * units[i].scale);
			return 0;
		}
	}
	return -1;
}

int yduration(struct ydoc *y, yaml_node_t *n, const char *what, uint64_t *ns, struct diag *d)
{
	const char *s;

	if (ystr(y, n, what, &s, d))
		return -1;
	if (duration_parse(s, ns))
		return bad_value(y, n, what, d);
	return 0;
}
