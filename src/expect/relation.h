/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * References between checks ({ref: syn.tcp.seq, add: 1}): the values of the
 * record a check with an id matched, kept when it passes, and put into the
 * conditions of later checks that refer to it.
 */
#ifndef NFLAB_RELATION_H
#define NFLAB_RELATION_H

#include <stdbool.h>

#include "expect/field.h"
#include "lab/lab.h"
#include "observe/event.h"
#include "util/diag.h"

/* The fields of the first record a passed check with an id matched. */
struct ref_snap {
	bool set;
	char *skipped; /* why the check was skipped (what the kernel cannot give), or NULL */
	char *record; /* "at client:eth0 out: 10.0.0.2.40000 > ..." for messages */
	const struct field_def **f;
	struct value *v;
	size_t n;
};

/* Keeps every field of ev (a record of e's source) present; where says where it was seen. */
void ref_snap_take(struct ref_snap *s, const struct step_expect *e, const struct event *ev,
		   const char *where);
void ref_snap_release(struct ref_snap *s);

/*
 * When e has references: *out is a copy of e->preds with their values set
 * from snaps (one per step of lab; the caller frees *out with free()) and
 * *note says where each came from (caller frees); both NULL otherwise.
 * Returns 0, or -1 with d at the reference when the check it names did not pass
 * or its record lacks the field.
 */
int ref_resolve(const struct lab *lab, const struct step_expect *e, const struct ref_snap *snaps,
		struct pred **out, char **note, struct diag *d);

#endif
