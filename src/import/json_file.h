/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The JSON of an `ip -j` dump, read with jansson, with errors at the file's line and column. */
#ifndef NFLAB_IMPORT_JSON_FILE_H
#define NFLAB_IMPORT_JSON_FILE_H
#include <jansson.h>

#include "util/diag.h"

/*
 * Reads path: one JSON array, or several one after the other (the output of
 * `ip -j route; ip -j -6 route` in one file), joined into one array. Returns
 * a new array (caller json_decref()s it), or NULL with d set to
 * "PATH:LINE:COLUMN: TEXT" (a syntax error, as jansson reports it) or
 * "PATH: TEXT" (not an array, unreadable, empty).
 */
json_t *json_file_load(const char *path, struct diag *d);

/*
 * Calls fn for each entry of the array(s) json_file_load() reads from path,
 * until one returns -1. Returns 0, or -1 with d set (by the load or by fn).
 */
typedef int json_entry_fn(void *arg, const json_t *e, size_t i, const char *path, struct diag *d);
int json_file_each(const char *path, json_entry_fn *fn, void *arg, struct diag *d);

/*
 * The whole file at path (a dump, a capture), NUL-terminated, its length in *len; NULL with d
 * set when it cannot be read. Caller frees.
 */
char *file_slurp(const char *path, size_t *len, struct diag *d);

/* The string member key of obj, or NULL when absent or not a string. */
const char *json_str(const json_t *obj, const char *key);

#endif
