// SPDX-License-Identifier: GPL-2.0-or-later
/* Typed access to a YAML document with the file position of every node, for lab-file errors. */
#include "lab/yamlnode.h"

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"

/* A YAML syntax error of parser, at its position in file. Returns -1. */
static int syntax_error(yaml_parser_t *parser, const char *file, struct diag *d)
{
	struct srcloc loc = {file, (int)parser->problem_mark.line + 1,
			     (int)parser->problem_mark.column + 1};

	if (parser->context)
		return diag_at(d, &loc, "YAML syntax: %s %s (line %d)", parser->problem,
			       parser->context, (int)parser->context_mark.line + 1);
	return diag_at(d, &loc, "YAML syntax: %s",
		       parser->problem ? parser->problem : "cannot parse");
}

/*
 * libyaml reads one document per call and leaves the rest of the stream
 * unread: a second document ("---" and more text) would be ignored without a
 * word. Reads on, to the end of the stream, and refuses anything there.
 */
static int check_one_document(yaml_parser_t *parser, const char *file, struct diag *d)
{
	yaml_document_t next;
	struct srcloc loc = {file, 0, 0};
	bool more;

	if (!yaml_parser_load(parser, &next))
		return syntax_error(parser, file, d);
	more = yaml_document_get_root_node(&next) != NULL;
	loc.line = (int)next.start_mark.line + 1;
	loc.col = (int)next.start_mark.column + 1;
	yaml_document_delete(&next);
	if (!more)
		return 0;
	return diag_at(d, &loc,
		       "a second YAML document (\"---\"): a file holds one document, and nflab "
		       "would ignore this one; remove the \"---\" line and what follows, or merge "
		       "it into the first document");
}

/* A key of a mapping, for sorting: its text and its node. */
struct key_ref {
	const char *text;
	const yaml_node_t *node;
};

static int key_ref_cmp(const void *a, const void *b)
{
	const struct key_ref *x = a, *y = b;
	int c = strcmp(x->text, y->text);

	if (c)
		return c;
	return x->node->start_mark.index < y->node->start_mark.index
		       ? -1
		       : x->node->start_mark.index > y->node->start_mark.index;
}

/*
 * The key whose value is node index: the key of its mapping's pair, or, when
 * it is an item of a list (*in_list), the key of that list. NULL when none.
 */
static const char *parent_key(struct ydoc *y, int index, bool *in_list)
{
	yaml_node_t *n;
	int list = 0;

	*in_list = false;
	for (n = y->doc.nodes.start; n < y->doc.nodes.top && !list; n++) {
		yaml_node_pair_t *p;
		yaml_node_item_t *it;

		if (n->type == YAML_MAPPING_NODE) {
			for (p = ymap_begin(n); p < ymap_end(n); p++)
				if (p->value == index)
					return ykey(y, p);
		} else if (n->type == YAML_SEQUENCE_NODE) {
			for (it = yseq_begin(n); it < yseq_end(n); it++)
				if (*it == index)
					list = (int)(n - y->doc.nodes.start) + 1;
		}
	}
	if (!list)
		return NULL;
	*in_list = true;
	for (n = y->doc.nodes.start; n < y->doc.nodes.top; n++) {
		yaml_node_pair_t *p;

		if (n->type == YAML_MAPPING_NODE)
			for (p = ymap_begin(n); p < ymap_end(n); p++)
				if (p->value == list)
					return ykey(y, p);
	}
	return NULL;
}

/*
 * YAML wants a mapping's keys unique, but libyaml keeps every pair: a key
 * given twice would have one of its values silently lost (ymap_get() takes the
 * first; lists of pairs, such as sysctl or env, apply both and the last
 * wins): a second "ip.src" in a match, a sysctl written twice. Every mapping
 * of the document is checked; the first repeat in the file is reported,
 * naming the key, the mapping and where the key was first given. Returns 0 or -1.
 */
static int check_duplicates(struct ydoc *y, struct diag *d)
{
	const yaml_node_t *dup = NULL, *first = NULL;
	int dup_map = 0;
	yaml_node_t *n;

	for (n = y->doc.nodes.start; n < y->doc.nodes.top; n++) {
		size_t count = 0, i;
		struct key_ref *keys;
		yaml_node_pair_t *p;

		if (n->type != YAML_MAPPING_NODE || ymap_end(n) - ymap_begin(n) < 2)
			continue;
		keys = xcalloc((size_t)(ymap_end(n) - ymap_begin(n)), sizeof(*keys));
		for (p = ymap_begin(n); p < ymap_end(n); p++) {
			yaml_node_t *k = ynode(y, p->key);

			if (k && k->type == YAML_SCALAR_NODE)
				keys[count++] =
					(struct key_ref){(const char *)k->data.scalar.value, k};
		}
		qsort(keys, count, sizeof(*keys), key_ref_cmp);
		/* Sorted by text, then by place: a key's first repeat follows its first place. */
		for (i = 1; i < count; i++) {
			if (strcmp(keys[i].text, keys[i - 1].text) ||
			    (i > 1 && !strcmp(keys[i].text, keys[i - 2].text)))
				continue;
			if (!dup || keys[i].node->start_mark.index < dup->start_mark.index) {
				dup = keys[i].node;
				first = keys[i - 1].node;
				dup_map = (int)(n - y->doc.nodes.start) + 1;
			}
		}
		free(keys);
	}
	if (dup) {
		struct srcloc loc = ynode_loc(y, dup);
		bool in_list;
		const char *parent = parent_key(y, dup_map, &in_list);
		char where[200];

		if (dup_map == 1) /* the root is the first node */
			snprintf(where, sizeof(where), " at the top level");
		else if (parent)
			snprintf(where, sizeof(where), " in %s%.150s", in_list ? "an item of " : "",
				 parent);
		else
			where[0] = '\0';
		return diag_at(d, &loc,
			       "duplicate key \"%s\"%s (first given at line %d, column %d): a key "
			       "may be given once, or one of its values would be silently lost",
			       (const char *)dup->data.scalar.value, where,
			       (int)first->start_mark.line + 1, (int)first->start_mark.column + 1);
	}
	return 0;
}

/*
 * Reads the stream as events, before libyaml builds the document: nesting
 * deeper than YDOC_DEPTH_MAX, more than YDOC_VALUES_MAX values or more than
 * YDOC_ANCHORS_MAX anchors stop here, at the place they are reached.
 * libyaml's scanner costs time quadratic in the nesting depth of flow lists
 * ("[[[[..."), and its loader looks every anchor and alias up in a list of
 * all anchors (45,000 of each took 22 s), so these have to be stopped while
 * parsing, not after. A syntax error is left to the load that follows, which
 * reports it. Returns 0 or -1.
 */
/*
 * libyaml reads all of a document's directives (%YAML, %TAG) before its first
 * event, checking each new %TAG against every one before it: 60,000 took 50 s.
 * Lines that start with '%' are counted first, on the bytes: more than
 * YDOC_DIRECTIVES_MAX is an error at the first one over. Returns 0 or -1.
 */
static int check_directives(const char *file, const char *text, size_t len, struct diag *d)
{
	size_t i, n = 0;
	int line = 1;

	for (i = 0; i < len; i++) {
		if ((i == 0 || text[i - 1] == '\n') && text[i] == '%' && ++n > YDOC_DIRECTIVES_MAX)
			return diag_at(d, &(struct srcloc){file, line, 1},
				       "more than %d directive lines (%%YAML, %%TAG): a lab file "
				       "may have at most %d",
				       YDOC_DIRECTIVES_MAX, YDOC_DIRECTIVES_MAX);
		if (text[i] == '\n')
			line++;
	}
	return 0;
}

static int check_shape(const char *file, const char *text, size_t len, struct diag *d)
{
	yaml_parser_t parser;
	yaml_event_t ev;
	unsigned long values = 0, anchors = 0;
	int depth = 0, rc = 0;
	bool done = false;

	if (!yaml_parser_initialize(&parser))
		return diag_set(d, "cannot initialise the YAML parser");
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	while (!done && !rc && yaml_parser_parse(&parser, &ev)) {
		struct srcloc loc = {file, (int)ev.start_mark.line + 1,
				     (int)ev.start_mark.column + 1};
		const yaml_char_t *anchor =
			ev.type == YAML_SCALAR_EVENT	       ? ev.data.scalar.anchor
			: ev.type == YAML_SEQUENCE_START_EVENT ? ev.data.sequence_start.anchor
			: ev.type == YAML_MAPPING_START_EVENT  ? ev.data.mapping_start.anchor
							       : NULL;

		if (anchor && ++anchors > YDOC_ANCHORS_MAX)
			rc = diag_at(d, &loc,
				     "more than %d anchors (&name): a lab file may have at most %d",
				     YDOC_ANCHORS_MAX, YDOC_ANCHORS_MAX);
		switch (ev.type) {
		case YAML_SEQUENCE_START_EVENT:
		case YAML_MAPPING_START_EVENT:
			if (++depth > YDOC_DEPTH_MAX && !rc)
				rc = diag_at(d, &loc,
					     "lists and mappings nested more than %d deep: a lab "
					     "file may nest at most %d levels",
					     YDOC_DEPTH_MAX, YDOC_DEPTH_MAX);
			/* fall through */
		case YAML_SCALAR_EVENT:
		case YAML_ALIAS_EVENT:
			if (!rc && ++values > YDOC_VALUES_MAX)
				rc = diag_at(d, &loc,
					     "more than %d values (scalars, lists, mappings, "
					     "aliases): a lab file may hold at most %d",
					     YDOC_VALUES_MAX, YDOC_VALUES_MAX);
			break;
		case YAML_SEQUENCE_END_EVENT:
		case YAML_MAPPING_END_EVENT:
			depth--;
			break;
		case YAML_STREAM_END_EVENT:
			done = true;
			break;
		default:
			break;
		}
		yaml_event_delete(&ev);
	}
	yaml_parser_delete(&parser);
	return rc;
}

/* What one node of the document becomes once its aliases are expanded. */
struct expansion {
	uint64_t values; /* nodes (the walk stops at the first over the limit) */
	uint64_t bytes;	 /* of scalar text */
	int depth;
	int state; /* 0 not seen, 1 being expanded, 2 done */
};

/* The children of node n (1-based index), as node indices: items, or keys and values. */
static int child_of(const yaml_node_t *n, size_t i)
{
	if (n->type == YAML_SEQUENCE_NODE)
		return yseq_begin(n)[i];
	return i % 2 ? ymap_begin(n)[i / 2].value : ymap_begin(n)[i / 2].key;
}

static size_t children_of(const yaml_node_t *n)
{
	if (n->type == YAML_SEQUENCE_NODE)
		return (size_t)(yseq_end(n) - yseq_begin(n));
	if (n->type == YAML_MAPPING_NODE)
		return 2 * (size_t)(ymap_end(n) - ymap_begin(n));
	return 0;
}

/* True when pair p is a merge key: a plain "<<". */
static bool is_merge_key(struct ydoc *y, const yaml_node_pair_t *p)
{
	yaml_node_t *k = ynode(y, p->key);

	return k && k->type == YAML_SCALAR_NODE &&
	       k->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
	       !strcmp((const char *)k->data.scalar.value, "<<");
}

/*
 * The keys a merged mapping has so far, hashed: a mapping of many keys and a
 * merge would otherwise compare every key with every other.
 */
struct keyset {
	const char **slot; /* cap of them, NULL when free */
	size_t n, cap;
};

static size_t key_hash(const char *s)
{
	uint64_t h = 14695981039346656037ull; /* FNV-1a */

	while (*s)
		h = (h ^ (unsigned char)*s++) * 1099511628211ull;
	return (size_t)h;
}

/* Adds k; false when it was there already. */
static bool keyset_add(struct keyset *ks, const char *k)
{
	size_t i;

	if (2 * (ks->n + 1) > ks->cap) {
		struct keyset grown = {xcalloc(ks->cap ? 2 * ks->cap : 16, sizeof(char *)), 0,
				       ks->cap ? 2 * ks->cap : 16};

		for (i = 0; i < ks->cap; i++)
			if (ks->slot[i])
				keyset_add(&grown, ks->slot[i]);
		free(ks->slot);
		*ks = grown;
	}
	for (i = key_hash(k) & (ks->cap - 1); ks->slot[i]; i = (i + 1) & (ks->cap - 1))
		if (!strcmp(ks->slot[i], k))
			return false;
	ks->slot[i] = k;
	ks->n++;
	return true;
}

static int merge_map(struct ydoc *y, int index, char *state, struct diag *d);

/*
 * Appends the pairs of mapping src whose keys are not in have (out's, n of
 * cap), src's own merges done first.
 */
static int merge_from(struct ydoc *y, yaml_node_t *src, int src_index, yaml_node_pair_t **out,
		      size_t *n, size_t *cap, struct keyset *have, char *state, struct diag *d)
{
	yaml_node_pair_t *p;
	struct srcloc loc;

	if (!src || src->type != YAML_MAPPING_NODE) {
		loc = src ? ynode_loc(y, src) : (struct srcloc){y->file, 1, 1};
		return diag_at(d, &loc,
			       "a merge key \"<<\" takes a mapping (<<: *base) or a list of them "
			       "(<<: [*a, *b])");
	}
	if (merge_map(y, src_index, state, d))
		return -1;
	for (p = ymap_begin(src); p < ymap_end(src); p++) {
		if (!keyset_add(have, ykey(y, p)))
			continue; /* given explicitly, or by an earlier merge */
		XGROW(*out, *n, *cap);
		(*out)[(*n)++] = *p;
	}
	return 0;
}

/*
 * An alias is a reference to an earlier node: the document is small, but what
 * reads it sees every alias as a copy. Nine lists of nine aliases each to the
 * list before ("billion laughs") are a few hundred bytes that expand to a
 * billion values. Counts the values each node expands to (each node once, in
 * a walk with its own stack: aliases may chain deeper than the C stack), and
 * refuses more than YDOC_EXPANDED_MAX, expanded nesting deeper than
 * YDOC_DEPTH_MAX, and an alias to a list or mapping inside itself. Returns 0
 * or -1 at the first node that is too big.
 */
static int check_expansion(struct ydoc *y, struct diag *d)
{
	size_t n = (size_t)(y->doc.nodes.top - y->doc.nodes.start), sp = 0;
	struct expansion *x = xcalloc(n + 1, sizeof(*x));
	struct frame {
		int node;
		size_t next;
	} *stack = xcalloc(n + 1, sizeof(*stack));
	const yaml_node_t *bad = NULL;
	int why = 0;

	stack[sp++] = (struct frame){1, 0};
	x[1] = (struct expansion){.values = 1, .state = 1};
	while (sp && !bad) {
		struct frame *f = &stack[sp - 1];
		const yaml_node_t *node = ynode(y, f->node);
		struct expansion *e = &x[f->node], *c;
		int child;

		if (f->next == children_of(node)) {
			e->state = 2;
			e->depth++;
			sp--;
			continue;
		}
		child = child_of(node, f->next);
		c = &x[child];
		if (c->state == 1) {
			bad = ynode(y, child);
			why = 1;
		} else if (c->state == 0) { /* expanded first, then counted here */
			const yaml_node_t *cn = ynode(y, child);

			*c = (struct expansion){.values = 1, .state = 1};
			if (cn->type == YAML_SCALAR_NODE)
				c->bytes = cn->data.scalar.length;
			stack[sp++] = (struct frame){child, 0};
		} else {
			f->next++;
			e->values += c->values;
			e->bytes += c->bytes;
			if (c->depth > e->depth)
				e->depth = c->depth;
			if (e->values > YDOC_EXPANDED_MAX)
				bad = node, why = 2;
			else if (e->bytes > YDOC_EXPANDED_BYTES_MAX)
				bad = node, why = 4;
			else if (e->depth >= YDOC_DEPTH_MAX)
				bad = node, why = 3;
		}
	}
	free(stack);
	free(x);
	if (bad) {
		static const struct {
			const char *what;
			int max;
		} over[] = {[2] = {"values", YDOC_EXPANDED_MAX},
			    [3] = {"levels of nesting", YDOC_DEPTH_MAX},
			    [4] = {"bytes of text", YDOC_EXPANDED_BYTES_MAX}};
		struct srcloc loc = ynode_loc(y, bad);

		if (why == 1)
			return diag_at(d, &loc,
				       "an alias to the list or mapping that holds it: it would "
				       "expand without end");
		return diag_at(d, &loc,
			       "this expands (through aliases) to more than %d %s: a lab file may "
			       "have at most %d %s with its aliases expanded",
			       over[why].max, over[why].what, over[why].max, over[why].what);
	}
	return 0;
}

/*
 * Expands the merge keys of the mapping at index (YAML's "<<", which libyaml
 * leaves to the application): the pairs of the merged mappings whose keys the
 * mapping does not give itself follow its own, and "<<" goes. With a list,
 * an earlier mapping's key wins over a later one's. state: per node, 1 while
 * expanding, 2 once done.
 */
static int merge_map(struct ydoc *y, int index, char *state, struct diag *d)
{
	yaml_node_t *n = ynode(y, index);
	yaml_node_pair_t *p, *out = NULL;
	size_t count = 0, cap = 0;
	struct keyset have = {0};
	bool any = false;

	if (state[index] == 2)
		return 0;
	if (state[index] == 1) {
		struct srcloc loc = ynode_loc(y, n);

		return diag_at(d, &loc, "a mapping merges itself (\"<<\")");
	}
	state[index] = 1;
	for (p = ymap_begin(n); p < ymap_end(n); p++) {
		if (is_merge_key(y, p)) {
			any = true;
			continue;
		}
		XGROW(out, count, cap);
		out[count++] = *p;
		keyset_add(&have, ykey(y, p));
	}
	for (p = ymap_begin(n); any && p < ymap_end(n); p++) {
		yaml_node_t *v = ynode(y, p->value);
		yaml_node_item_t *it;
		int rc = 0;

		if (!is_merge_key(y, p))
			continue;
		if (v && v->type == YAML_SEQUENCE_NODE)
			for (it = yseq_begin(v); it < yseq_end(v) && !rc; it++)
				rc = merge_from(y, ynode(y, *it), *it, &out, &count, &cap, &have,
						state, d);
		else
			rc = merge_from(y, v, p->value, &out, &count, &cap, &have, state, d);
		if (rc) {
			free(out);
			free(have.slot);
			return -1;
		}
	}
	if (any) {
		/* libyaml frees the pairs with free(): out takes their place. */
		free(n->data.mapping.pairs.start);
		if (!out)
			out = xcalloc(1, sizeof(*out));
		n->data.mapping.pairs.start = out;
		n->data.mapping.pairs.top = out + count;
		n->data.mapping.pairs.end = out + (count ? count : 1);
	} else {
		free(out);
	}
	free(have.slot);
	state[index] = 2;
	return 0;
}

/* Expands every merge key of the document; after check_duplicates(), so merged keys are no repeats.
 */
static int expand_merges(struct ydoc *y, struct diag *d)
{
	size_t total = (size_t)(y->doc.nodes.top - y->doc.nodes.start);
	char *state = xcalloc(total + 2, 1);
	size_t i;
	int rc = 0;

	for (i = 1; i <= total && !rc; i++)
		if (ynode(y, (int)i)->type == YAML_MAPPING_NODE)
			rc = merge_map(y, (int)i, state, d);
	free(state);
	return rc;
}

int ydoc_load(struct ydoc *y, const char *file, const char *text, size_t len, struct diag *d)
{
	yaml_parser_t parser;
	int ret = 0;

	memset(y, 0, sizeof(*y));
	y->file = file;
	y->text = text;
	y->len = len;
	if (check_directives(file, text, len, d) || check_shape(file, text, len, d))
		return -1;
	if (!yaml_parser_initialize(&parser))
		return diag_set(d, "cannot initialise the YAML parser");
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	if (!yaml_parser_load(&parser, &y->doc)) {
		ret = syntax_error(&parser, file, d);
	} else {
		y->loaded = true;
		if (yaml_document_get_root_node(&y->doc) &&
		    (check_one_document(&parser, file, d) || check_expansion(y, d) ||
		     check_duplicates(y, d) || expand_merges(y, d))) {
			ydoc_release(y);
			ret = -1;
		}
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

/*
 * Up to max bytes of s into buf as a quoted string, control characters as
 * escapes (\n, \x1b): a message never carries a lab's line break or escape
 * sequence. "..." marks a cut.
 */
static void quote_text(const char *s, size_t max, char *buf, size_t len)
{
	size_t i, n = 0;

	n += (size_t)snprintf(buf, len, "\"");
	for (i = 0; s[i] && i < max && n + 8 < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '\n')
			n += (size_t)snprintf(buf + n, len - n, "\\n");
		else if (c == '\t')
			n += (size_t)snprintf(buf + n, len - n, "\\t");
		else if (c < 0x20 || c == 0x7f)
			n += (size_t)snprintf(buf + n, len - n, "\\x%02x", c);
		else
			buf[n++] = (char)c;
	}
	snprintf(buf + n, len - n, "%s\"", s[i] ? "..." : "");
}

const char *ynode_describe(const yaml_node_t *n, char *buf, size_t len)
{
	if (!n)
		snprintf(buf, len, "nothing");
	else if (n->type == YAML_MAPPING_NODE)
		snprintf(buf, len, "a mapping");
	else if (n->type == YAML_SEQUENCE_NODE)
		snprintf(buf, len, "a list");
	else
		quote_text((const char *)n->data.scalar.value, n->data.scalar.length > 40 ? 37 : 40,
			   buf, len);
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
	yaml_node_pair_t *p;

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
