// SPDX-License-Identifier: GPL-2.0-or-later
/* Golden timelines: a lab's normalised event stream, kept in expected/ and compared. */
#include "report/golden.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "lab/lab.h"
#include "util/xalloc.h"

#define DIFF_CONTEXT 2
#define DIFF_LINES   24 /* lines of each side shown at most */

const char *golden_lab_name(const char *lab_path)
{
	const char *at = NULL, *p;

	for (p = lab_path; (p = strstr(p, "labs/")); p++)
		if (p == lab_path || p[-1] == '/')
			at = p;
	return at;
}

char *golden_path(const char *lab_path)
{
	const char *at = golden_lab_name(lab_path), *dot;
	char *out;

	if (!at)
		return NULL;
	dot = strrchr(at, '.');
	if (!dot || strcmp(dot, ".yaml"))
		dot = at + strlen(at);
	out = xasprintf("%.*sexpected/%.*s.timeline", (int)(at - lab_path), lab_path,
			(int)(dot - at - 5), at + 5);
	return out;
}

static int mkdirs(char *path)
{
	char *p;

	for (p = path + 1; (p = strchr(p, '/')); p++) {
		*p = '\0';
		if (mkdir(path, 0755) && errno != EEXIST) {
			*p = '/';
			return -1;
		}
		*p = '/';
	}
	return 0;
}

int golden_write(const char *path, const char *text, struct diag *d)
{
	char *dirs = xstrdup(path);
	FILE *f;
	int rc = 0;

	if (mkdirs(dirs)) {
		rc = diag_errno(d, "cannot create the directories of %s", path);
		free(dirs);
		return rc;
	}
	free(dirs);
	f = fopen(path, "w");
	if (!f)
		return diag_errno(d, "cannot write %s", path);
	fputs(text, f);
	if (fclose(f))
		return diag_errno(d, "cannot write %s", path);
	return 0;
}

/* Splits text into lines (in place). Returns the number; *lines is a new array. */
static size_t split(char *text, char ***lines)
{
	size_t n = 0, cap = 0;
	char *p = text;

	*lines = NULL;
	while (*p) {
		char *eol = strchr(p, '\n');

		XGROW(*lines, n, cap);
		(*lines)[n++] = p;
		if (!eol)
			break;
		*eol = '\0';
		p = eol + 1;
	}
	return n;
}

int golden_compare(const char *path, const char *got, char **diff, struct diag *d)
{
	size_t na, nb, pre = 0, post = 0, i, len;
	char *want = lab_read_file(path, &len, d), *mine, **a, **b;
	char *text = NULL;
	size_t size = 0;
	FILE *f;

	if (!want)
		return -1;
	mine = xstrdup(got);
	if (!strcmp(want, got)) {
		free(want);
		free(mine);
		return 0;
	}
	na = split(want, &a);
	nb = split(mine, &b);
	while (pre < na && pre < nb && !strcmp(a[pre], b[pre]))
		pre++;
	while (post < na - pre && post < nb - pre && !strcmp(a[na - 1 - post], b[nb - 1 - post]))
		post++;
	f = open_memstream(&text, &size);
	fprintf(f, "the event stream differs from %s (-expected +got):\n", path);
	for (i = pre > DIFF_CONTEXT ? pre - DIFF_CONTEXT : 0; i < pre; i++)
		fprintf(f, "  %s\n", a[i]);
	for (i = pre; i < na - post && i < pre + DIFF_LINES; i++)
		fprintf(f, "- %s\n", a[i]);
	if (na - post > pre + DIFF_LINES)
		fprintf(f, "- ... (%zu more)\n", na - post - pre - DIFF_LINES);
	for (i = pre; i < nb - post && i < pre + DIFF_LINES; i++)
		fprintf(f, "+ %s\n", b[i]);
	if (nb - post > pre + DIFF_LINES)
		fprintf(f, "+ ... (%zu more)\n", nb - post - pre - DIFF_LINES);
	for (i = na - post; i < na && i < na - post + DIFF_CONTEXT; i++)
		fprintf(f, "  %s\n", a[i]);
	fprintf(f, "if the change is right: nflab run --update-expected, and review the file\n");
	fclose(f);
	*diff = text;
	free(a);
	free(b);
	free(want);
	free(mine);
	return 1;
}
