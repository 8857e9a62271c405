/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Which lab files a suite runs: found under paths, filtered, and split into shards. */
#ifndef NFLAB_DISCOVER_H
#define NFLAB_DISCOVER_H

#include <stddef.h>

#include "util/diag.h"

struct lab_list {
	char **paths; /* sorted, each once */
	size_t n, cap;
};

/*
 * Adds every *.yaml file under each of paths (files are taken as they are,
 * directories searched recursively) to out, sorted and without duplicates.
 * Returns 0, or -1 when a path does not exist or cannot be read.
 */
int discover_labs(char *const *paths, size_t n_paths, struct lab_list *out, struct diag *d);

/*
 * Keeps the labs whose path contains pattern, or matches it as a shell glob
 * (fnmatch) when it has *, ? or [.
 */
void filter_labs(struct lab_list *l, const char *pattern);

/*
 * Keeps shard index (1-based) of count: a lab belongs to the shard its path's
 * hash picks, so the split depends only on the path, never on which other labs
 * exist or the order they were found in.
 */
void shard_labs(struct lab_list *l, unsigned int index, unsigned int count);

/* The shard (1-based) of count that path belongs to. */
unsigned int lab_shard(const char *path, unsigned int count);

void lab_list_release(struct lab_list *l);

#endif
