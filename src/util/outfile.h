/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Output files written whole or not at all: never interleaved, never through a symlink. */
#ifndef NFLAB_OUTFILE_H
#define NFLAB_OUTFILE_H

#include <stdbool.h>
#include <stdio.h>

#include "util/diag.h"

/*
 * A file being written. It has no name until outfile_commit(): it is an
 * unnamed file (O_TMPFILE) in the target's directory, so a run killed while
 * writing leaves nothing, and it replaces the target with one rename(), so two
 * runs writing the same path never mix their bytes and a symlink someone left
 * at the path is replaced, not followed.
 */
struct outfile {
	FILE *f;    /* write here */
	char *path; /* the target */
	int dirfd;  /* the target's directory */
};

#define OUTFILE_INIT                                 \
	{                                            \
		.f = NULL, .path = NULL, .dirfd = -1 \
	}

/*
 * Opens of for path (mode "w" text or binary alike). Returns of->f, or NULL
 * with d set: the directory is missing or not writable, or path is a directory.
 */
FILE *outfile_open(struct outfile *of, const char *path, struct diag *d);
/* Closes of->f and puts it in place of path. Returns 0 or -1; releases of either way. */
int outfile_commit(struct outfile *of, struct diag *d);
/* Drops what was written (path is left as it was). No-op on an unopened of. */
void outfile_discard(struct outfile *of);

/* Whether path could be written now (checked before any work). Returns 0 or -1. */
int outfile_check(const char *path, struct diag *d);
/* Whether files can be made in dir; creates dir (one level) when missing. Returns 0 or -1. */
int outfile_check_dir(const char *dir, struct diag *d);

/*
 * dir/name for a file whose name comes from a lab (a pcap, a kept file),
 * caller frees; or NULL with d set when name is not one plain file name:
 * empty, ".", "..", with a '/' or a control character. So such a file is
 * always made directly in dir, never beside or above it.
 */
char *outfile_join(const char *dir, const char *name, struct diag *d);

/* Writes len bytes of data to path, whole or not at all. Returns 0 or -1. */
int outfile_write(const char *path, const void *data, size_t len, struct diag *d);

#endif
