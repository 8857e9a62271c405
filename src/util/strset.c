// SPDX-License-Identifier: GPL-2.0-or-later
/* A small set of strings, kept sorted, each once: names to look up and to list in messages. */
#include "util/strset.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"

/* Index of s, or of the place it would go; *found says which. */
static size_t find(const struct strset *set, const char *s, bool *found)
{
	size_t lo = 0, hi = set->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(set->v[mid], s);

		if (c == 0) {
			*found = true;
			return mid;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	*found = false;
	return lo;
}

void strset_add(struct strset *set, const char *s)
{
	bool found;
	size_t i;

	if (!s || !*s)
		return;
	i = find(set, s, &found);
	if (found)
		return;
	XGROW(set->v, set->n, set->cap);
	memmove(&set->v[i + 1], &set->v[i], (set->n - i) * sizeof(*set->v));
	set->v[i] = xstrdup(s);
	set->n++;
}

bool strset_has(const struct strset *set, const char *s)
{
	bool found;

	find(set, s, &found);
	return found;
}

const char *strset_fmt(const struct strset *set, size_t max, char *buf, size_t len)
{
	size_t i, n = 0;

	if (len)
		buf[0] = '\0';
	for (i = 0; i < set->n && i < max && n < len; i++)
		n += (size_t)snprintf(buf + n, len - n, "%s%s", i ? ", " : "", set->v[i]);
	if (set->n > max && n < len)
		snprintf(buf + n, len - n, ", ... (%zu more)", set->n - max);
	return buf;
}

void strset_release(struct strset *set)
{
	size_t i;

	for (i = 0; i < set->n; i++)
		free(set->v[i]);
	free(set->v);
	memset(set, 0, sizeof(*set));
}
