// SPDX-License-Identifier: GPL-2.0-or-later
/* References between checks: values kept from one check's record for later ones. */
#include "expect/relation.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "expect/source.h"
#include "util/xalloc.h"

void ref_snap_take(struct ref_snap *s, const struct step_expect *e, const struct event *ev,
		   const char *where)
{
	const struct source_def *src = &sources[e->source];
	size_t t, cap = 0;
	char sum[600];

	ref_snap_release(s);
	for (t = 0; t < 2 && src->fields[t]; t++) {
		const struct field_def *fd;

		for (fd = src->fields[t]; fd->name; fd++) {
			struct value v;

			if (!fd->get(event_record(ev), &v))
				continue;
			if (s->n == cap) {
				cap = cap ? 2 * cap : 64;
				s->f = xrealloc(s->f, cap * sizeof(*s->f));
				s->v = xrealloc(s->v, cap * sizeof(*s->v));
			}
			s->f[s->n] = fd;
			s->v[s->n++] = v;
		}
	}
	s->record = xasprintf("%s: %s", where, event_summary(ev, sum, sizeof(sum)));
	s->set = true;
}

void ref_snap_release(struct ref_snap *s)
{
	free(s->record);
	free(s->skipped);
	free(s->f);
	free(s->v);
	memset(s, 0, sizeof(*s));
}

static const struct value *snap_value(const struct ref_snap *s, const struct field_def *f)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (s->f[i] == f)
			return &s->v[i];
	return NULL;
}

int ref_resolve(const struct lab *lab, const struct step_expect *e, const struct ref_snap *snaps,
		struct pred **out, char **note, struct diag *d)
{
	char *text = NULL;
	size_t size = 0, i;
	FILE *f;

	*out = NULL;
	*note = NULL;
	for (i = 0; i < e->n_preds && !e->preds[i].ref; i++)
		;
	if (i == e->n_preds)
		return 0;
	*out = xcalloc(e->n_preds, sizeof(**out));
	memcpy(*out, e->preds, e->n_preds * sizeof(**out));
	f = open_memstream(&text, &size);
	for (i = 0; i < e->n_preds; i++) {
		struct pred *p = &(*out)[i];
		const struct pred_ref *ref = p->ref;
		const struct srcloc *loc = e->pred_locs ? &e->pred_locs[i] : &e->node_loc;
		const struct lab_step *to;
		const struct value *v;
		char shown[200];

		if (!ref)
			continue;
		to = &lab->steps[ref->step];
		if (!snaps[ref->step].set) {
			diag_at(d, loc,
				"%s: %s refers to the check %s (line %d), which did not pass: "
				"there "
				"is no record to take %s from",
				p->field->name, ref->text, to->expect.id, to->loc.line,
				ref->field->name);
			goto err;
		}
		v = snap_value(&snaps[ref->step], ref->field);
		if (!v) {
			diag_at(d, loc,
				"%s: the record the check %s (line %d) matched has no %s (%s)",
				p->field->name, to->expect.id, to->loc.line, ref->field->name,
				snaps[ref->step].record);
			goto err;
		}
		pred_ref_set(p, v); /* kinds were checked when the lab was read */
		fprintf(f, "%s is %s, of the record %s (line %d) matched at %s\n", ref->text,
			value_show(ref->field, v, shown, sizeof(shown)), to->expect.id,
			to->loc.line, snaps[ref->step].record);
	}
	fclose(f);
	*note = text;
	return 0;
err:
	fclose(f);
	free(text);
	free(*out);
	*out = NULL;
	return -1;
}
