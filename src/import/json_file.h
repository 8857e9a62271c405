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

/* The string member key of obj, or NULL when absent or not a string. */
const char *json_str(const json_t *obj, const char *key);

#endif
