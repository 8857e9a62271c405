/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What each expectation source is: its lab-file key, events, fields and words for reports. */
#ifndef NFLAB_SOURCE_H
#define NFLAB_SOURCE_H

#include <stdbool.h>

#include "expect/field.h"
#include "lab/lab.h"
#include "observe/event.h"

struct source_def {
	const char *key;   /* lab-file key naming the point or node: "at", "nflog" */
	enum ev_kind kind; /* the events it looks at */
	bool snapshot;	   /* read at the step, again until decided, not a stream */
	const struct field_def *fields[2]; /* searched in order; NULL-terminated */
	const char *thing[2];		   /* "packet", "packets" */
	const char *what;		   /* "conntrack events" in "... of fw" */
	const char *examples;		   /* fields for "unknown field" messages */
};

/* Indexed by enum expect_source. */
extern const struct source_def sources[SRC_COUNT];

/* The field named name among the source's fields, or NULL. */
const struct field_def *source_field(enum expect_source src, const char *name);

/*
 * The first field of check e that comes from the conntrack attributes of nft
 * trace events (trace.ct.*, and fate.ct.*, which a fate takes from its
 * trace), in its match or as its distinct field; NULL when it reads none.
 */
const char *expect_trace_ct_field(const struct step_expect *e);
/* As expect_trace_ct_field(), for log.ct.* of an NFLOG check. */
const char *expect_log_ct_field(const struct step_expect *e);
/*
 * Copies e's predicates but those on conntrack fields a kernel may not give
 * (trace.ct.*, fate.ct.*, log.ct.*) to out (room for e->n_preds); returns how
 * many.
 */
size_t expect_without_ct(const struct step_expect *e, struct pred *out);

#endif
