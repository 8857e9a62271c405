// SPDX-License-Identifier: GPL-2.0-or-later
/* The JSON of an `ip -j` dump, read with jansson, with errors at the file's line and column. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "import/json_file.h"
#include "util/xalloc.h"

char *file_slurp(const char *path, size_t *len, struct diag *d)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t cap = 0, n = 0;

	if (!f)
		return diag_errno(d, "cannot open %s", path), NULL;
	for (;;) {
		XGROW(buf, n + 4096, cap);
		size_t got = fread(buf + n, 1, cap - n - 1, f);

		n += got;
		if (got == 0)
			break;
	}
	if (ferror(f)) {
		diag_errno(d, "cannot read %s", path);
		fclose(f);
		free(buf);
		return NULL;
	}
	fclose(f);
	buf[n] = '\0';
	*len = n;
	return buf;
}

/* 1-based line and column of byte off in buf. */
static void position(const char *buf, size_t off, int *line, int *col)
{
	size_t i;

	*line = 1;
	*col = 1;
	for (i = 0; i < off; i++) {
		if (buf[i] == '\n') {
			(*line)++;
			*col = 1;
		} else {
			(*col)++;
		}
	}
}

json_t *json_file_load(const char *path, struct diag *d)
{
	json_t *all = json_array();
	size_t len = 0, off = 0;
	char *buf = file_slurp(path, &len, d);
	int n_values = 0;

	if (!buf)
		goto err;
	if (memchr(buf, '\0', len)) {
		diag_set(d, "%s: binary data, not the JSON text of ip -j", path);
		goto err;
	}
	for (;;) {
		json_error_t je;
		json_t *v;
		int line, col;

		while (off < len && isspace((unsigned char)buf[off]))
			off++;
		if (off == len)
			break;
		v = json_loadb(buf + off, len - off, JSON_DISABLE_EOF_CHECK, &je);
		if (!v) {
			/* jansson counts from where this value began: move to the file's position */
			struct srcloc loc = {path, 0, 0};

			position(buf, off, &line, &col);
			loc.line = line + je.line - 1;
			loc.col = je.line <= 1 ? col + je.column - 1 : je.column;
			if (loc.col < 1)
				loc.col = 1;
			diag_at(d, &loc, "%s", je.text);
			goto err;
		}
		if (!json_is_array(v)) {
			const char *what = json_is_object(v) ? "object" : "scalar";

			struct srcloc loc = {path, 0, 0};

			position(buf, off, &loc.line, &loc.col);
			json_decref(v);
			diag_at(d, &loc, "expected a JSON array (the output of ip -j), got a JSON %s",
				what);
			goto err;
		}
		json_array_extend(all, v);
		json_decref(v);
		off += je.position;
		n_values++;
	}
	if (!n_values) {
		diag_set(d, "%s: empty: expected the JSON output of ip -j", path);
		goto err;
	}
	free(buf);
	return all;
err:
	free(buf);
	json_decref(all);
	return NULL;
}

int json_file_each(const char *path, json_entry_fn *fn, void *arg, struct diag *d)
{
	json_t *all = json_file_load(path, d);
	size_t i;
	int rc = 0;

	if (!all)
		return -1;
	for (i = 0; i < json_array_size(all) && !rc; i++)
		rc = fn(arg, json_array_get(all, i), i, path, d);
	json_decref(all);
	return rc;
}

const char *json_str(const json_t *obj, const char *key)
{
	const json_t *v = json_object_get(obj, key);

	return json_is_string(v) ? json_string_value(v) : NULL;
}
