/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The lab an import makes: fw as the box was, its neighbours, and where the engineer goes on. */
#ifndef NFLAB_IMPORT_LAB_WRITE_H
#define NFLAB_IMPORT_LAB_WRITE_H
#include <stdio.h>

#include "import/box.h"
#include "import/neighbours.h"

/* A replay step for one interface of a capture. */
struct replay_plan {
	char *pcap;    /* the capture, relative to the lab file */
	char *at;      /* NODE:IFACE the frames are sent from */
	char *filter;  /* tcpdump expression: the frames that came to fw there */
	char *comment; /* how at was chosen */
};

struct import_opts {
	const char *fw_name;  /* the box's node */
	const char *lab_name; /* name: */
	const char *made_by;  /* the command line, for the header comment */
	const struct replay_plan *replays;
	size_t n_replays;
};

/* Writes the lab to f. The notes of b are in its comments. Returns 0, or -1 on a write error. */
int import_lab_write(const struct box *b, const struct neighbours *nbs,
		     const struct import_opts *o, FILE *f);

#endif
