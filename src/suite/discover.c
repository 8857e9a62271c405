// SPDX-License-Identifier: GPL-2.0-or-later
/* Which lab files a suite runs: found under paths, filtered, and split into shards. */
#include "suite/discover.h"

#include <dirent.h>
#include <errno.h>
#include <fnmatch.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "util/xalloc.h"

static bool is_lab(const char *name)
{
	size_t n = strlen(name);

	return n > 5 && !strcmp(name + n - 5, ".yaml") && name[0] != '.';
}

static void add(struct lab_list *l, char *path)
{
	XGROW(l->paths, l->n, l->cap);
	l->paths[l->n++] = path;
}

/* Directories walked so far (device and inode), so a symlink loop is walked once. */
struct seen_dirs {
	struct stat *v;
	size_t n, cap;
};

static bool seen_before(struct seen_dirs *seen, const struct stat *st)
{
	size_t i;

	for (i = 0; i < seen->n; i++)
		if (seen->v[i].st_dev == st->st_dev && seen->v[i].st_ino == st->st_ino)
			return true;
	XGROW(seen->v, seen->n, seen->cap);
	seen->v[seen->n++] = *st;
	return false;
}

/*
 * Every *.yaml under dir. A *.yaml that is not a regular file (a FIFO, a
 * device, a symlink to one) is listed too, so loading it says what it is
 * instead of it being skipped without a word; reading never waits on it.
 */
static int walk(const char *dir, struct lab_list *out, struct seen_dirs *seen, struct diag *d)
{
	DIR *dp = opendir(dir);
	struct dirent *e;

	if (!dp)
		return diag_errno(d, "cannot read %s", dir);
	while ((e = readdir(dp))) {
		char *path;
		struct stat st;

		if (e->d_name[0] == '.')
			continue;
		path = xasprintf("%s/%s", dir, e->d_name);
		if (stat(path, &st)) {
			free(path);
			continue;
		}
		if (S_ISDIR(st.st_mode)) {
			if (!seen_before(seen, &st) && walk(path, out, seen, d)) {
				free(path);
				closedir(dp);
				return -1;
			}
			free(path);
		} else if (is_lab(e->d_name)) {
			add(out, path);
		} else {
			free(path);
		}
	}
	closedir(dp);
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int discover_labs(char *const *paths, size_t n_paths, struct lab_list *out, struct diag *d)
{
	size_t i, j;

	for (i = 0; i < n_paths; i++) {
		struct stat st;
		char *p = xstrdup(paths[i]);
		size_t len = strlen(p);

		while (len > 1 && p[len - 1] == '/')
			p[--len] = '\0';
		if (stat(p, &st)) {
			diag_errno(d, "%s", p);
			free(p);
			return -1;
		}
		if (S_ISDIR(st.st_mode)) {
			struct seen_dirs seen = {0};
			int rc;

			seen_before(&seen, &st); /* the top directory itself */
			rc = walk(p, out, &seen, d);

			free(seen.v);
			free(p);
			if (rc)
				return -1;
		} else {
			add(out, p);
		}
	}
	qsort(out->paths, out->n, sizeof(*out->paths), cmp_str);
	for (i = j = 0; i < out->n; i++) {
		if (j && !strcmp(out->paths[j - 1], out->paths[i])) {
			free(out->paths[i]);
			continue;
		}
		out->paths[j++] = out->paths[i];
	}
	out->n = j;
	return 0;
}

static void keep_if(struct lab_list *l, bool (*keep)(const char *, const void *), const void *arg)
{
	size_t i, j;

	for (i = j = 0; i < l->n; i++) {
		if (keep(l->paths[i], arg))
			l->paths[j++] = l->paths[i];
		else
			free(l->paths[i]);
	}
	l->n = j;
}

static bool matches(const char *path, const void *arg)
{
	const char *pattern = arg;

	if (strpbrk(pattern, "*?["))
		return fnmatch(pattern, path, 0) == 0;
	return strstr(path, pattern) != NULL;
}

void filter_labs(struct lab_list *l, const char *pattern)
{
	keep_if(l, matches, pattern);
}

unsigned int lab_shard(const char *path, unsigned int count)
{
	uint32_t h = 2166136261u; /* FNV-1a */

	for (; *path; path++)
		h = (h ^ (uint8_t)*path) * 16777619u;
	return h % count + 1;
}

struct shard {
	unsigned int index, count;
};

static bool in_shard(const char *path, const void *arg)
{
	const struct shard *s = arg;

	return lab_shard(path, s->count) == s->index;
}

void shard_labs(struct lab_list *l, unsigned int index, unsigned int count)
{
	struct shard s = {index, count};

	keep_if(l, in_shard, &s);
}

void lab_list_release(struct lab_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->paths[i]);
	free(l->paths);
	memset(l, 0, sizeof(*l));
}
