/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Inside the C API: the lab builder (builder.c) that nflab.c renders and parses. */
#ifndef NFLAB_API_H
#define NFLAB_API_H

#include <stdbool.h>

struct builder;

/* Each returns 0, or -1 with *err (caller frees; err may be NULL). */
struct builder *builder_new(const char *name);
int builder_node(struct builder *b, const char *node, bool router, char **err);
int builder_link(struct builder *b, const char *a, const char *z, char **err);
int builder_address(struct builder *b, const char *end, const char *cidr, char **err);
int builder_route(struct builder *b, const char *node, const char *route, char **err);
int builder_ruleset(struct builder *b, const char *node, const char *kind, const char *text,
		    char **err);
/* The lab file the model stands for (caller frees). */
char *builder_yaml(const struct builder *b);
void builder_free(struct builder *b);

#endif
