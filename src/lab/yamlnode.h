/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Typed access to a YAML document with the file position of every node, for lab-file errors. */
#ifndef NFLAB_YAMLNODE_H
#define NFLAB_YAMLNODE_H

#include <stdbool.h>
#include <stdint.h>
#include <yaml.h>

#include "util/diag.h"

/*
 * Limits on what a YAML document may be, so that a hostile file ends at once
 * with an error where the limit is crossed (see docs/lab-format.md, "Limits").
 */
#define YDOC_DEPTH_MAX	  64	 /* lists and mappings inside each other */
#define YDOC_VALUES_MAX	  100000 /* scalars, lists, mappings and aliases written */
#define YDOC_ANCHORS_MAX  100	 /* anchors (&name) */
#define YDOC_DIRECTIVES_MAX 16	 /* lines starting with '%' (%YAML, %TAG) */
#define YDOC_EXPANDED_MAX 100000 /* values once every alias is expanded */
#define YDOC_EXPANDED_BYTES_MAX (16 << 20) /* bytes of scalar text, aliases expanded */

struct ydoc {
	yaml_document_t doc;
	bool loaded;
	const char *file; /* borrowed: the name used in messages */
	const char *text; /* borrowed: the buffer parsed (for block-scalar columns) */
	size_t len;
};

/*
 * Parses text into y (file is used in messages and must outlive y). Returns 0,
 * or -1 with the error at file:line:column: YAML syntax, a second document
 * after the first ("---"), a key repeated in a mapping (anywhere: YAML
 * would silently keep one value), or a document beyond the limits above (its
 * nesting stopped while parsing, before libyaml builds the document). Release with ydoc_release() (not needed
 * after -1).
 */
int ydoc_load(struct ydoc *y, const char *file, const char *text, size_t len, struct diag *d);
void ydoc_release(struct ydoc *y);
/* The root node, or NULL for an empty document. */
yaml_node_t *ydoc_root(struct ydoc *y);

/* File position of a node (line/col 1-based). */
struct srcloc ynode_loc(const struct ydoc *y, const yaml_node_t *n);
/*
 * Position of a scalar's first character of content: for block scalars ("|",
 * ">") that is the first line after the indicator, at its indentation.
 */
struct srcloc yscalar_content_loc(const struct ydoc *y, const yaml_node_t *n);
/* "a mapping", "a list" or "\"text\"" (truncated), for "got ..." messages. */
const char *ynode_describe(const yaml_node_t *n, char *buf, size_t len);

/* Iterates a mapping's pairs: for (p = ymap_begin(n); p < ymap_end(n); p++). */
#define ymap_begin(n) ((n)->data.mapping.pairs.start)
#define ymap_end(n)   ((n)->data.mapping.pairs.top)
#define yseq_begin(n) ((n)->data.sequence.items.start)
#define yseq_end(n)   ((n)->data.sequence.items.top)
yaml_node_t *ynode(struct ydoc *y, int index);

/* Requires n to be a mapping / list / scalar; what names the expected thing. Returns 0 or -1. */
int yexpect_map(struct ydoc *y, yaml_node_t *n, const char *what, struct diag *d);
int yexpect_seq(struct ydoc *y, yaml_node_t *n, const char *what, struct diag *d);
int yexpect_scalar(struct ydoc *y, yaml_node_t *n, const char *what, struct diag *d);

/*
 * Checks a mapping's keys: each must be a scalar listed in allowed (NULL-terminated);
 * ydoc_load() already refused repeated keys. what names the mapping ("node", "udp probe"). Returns
 * 0 or -1.
 */
int ymap_check(struct ydoc *y, yaml_node_t *map, const char *what, const char *const allowed[],
	       struct diag *d);
/* The value for key in a mapping (keys checked before), or NULL. */
yaml_node_t *ymap_get(struct ydoc *y, yaml_node_t *map, const char *key);
/* The scalar text of a key node. */
const char *ykey(struct ydoc *y, const yaml_node_pair_t *p);

/* Scalar readers; on a wrong type or value, -1 with "expected <what>, got ...". */
int ystr(struct ydoc *y, yaml_node_t *n, const char *what, const char **out, struct diag *d);
int yuint(struct ydoc *y, yaml_node_t *n, const char *what, uint64_t max, uint64_t *out,
	  struct diag *d);
int ybool(struct ydoc *y, yaml_node_t *n, const char *what, bool *out, struct diag *d);
/* A duration: "250ms", "1s", "1.5s", "20us", or a bare number of seconds. */
int yduration(struct ydoc *y, yaml_node_t *n, const char *what, uint64_t *ns, struct diag *d);
/* Parses a duration string; returns 0 or -1. */
int duration_parse(const char *text, uint64_t *ns);

#endif
