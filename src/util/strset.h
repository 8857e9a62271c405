/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A small set of strings, kept sorted, each once: names to look up and to list in messages. */
#ifndef NFLAB_STRSET_H
#define NFLAB_STRSET_H

#include <stdbool.h>
#include <stddef.h>

struct strset {
	char **v; /* sorted (strcmp), no repeats; owned */
	size_t n, cap;
};

#define STRSET_INIT \
	{           \
		0   \
	}

/* Adds a copy of s (nothing when it is already there or empty). */
void strset_add(struct strset *set, const char *s);
bool strset_has(const struct strset *set, const char *s);
/*
 * "a, b, c" into buf, at most max names, then ", ... (N more)"; "" when the
 * set is empty. Returns buf.
 */
const char *strset_fmt(const struct strset *set, size_t max, char *buf, size_t len);
void strset_release(struct strset *set);

#endif
