// SPDX-License-Identifier: GPL-2.0-or-later
/* How long a lab takes by its own design: what `nflab test` starts first. */
#include "suite/estimate.h"

#include <stdlib.h>

#include "lab/lab.h"
#include "step/step.h"
#include "util/diag.h"
#include "util/xalloc.h"

/* Making a node (namespace, veths, sysctls) and a step's own work, roughly. */
#define NODE_NS 1000000ull
#define STEP_NS 1000000ull

uint64_t lab_estimate_ns(const char *path, const char *topo_dir)
{
	struct diag d = DIAG_INIT;
	struct lab *lab = lab_load(path, topo_dir, &d);
	uint64_t ns;
	size_t i;

	if (!lab)
		return 0;
	ns = lab->n_nodes * NODE_NS;
	for (i = 0; i < lab->n_steps; i++) {
		const struct lab_step *st = &lab->steps[i];

		ns += STEP_NS + (st->ops->estimate_ns ? st->ops->estimate_ns(st) : 0);
	}
	lab_free(lab);
	return ns;
}

struct ranked {
	uint64_t cost;
	size_t i;
};

/* Longest first; equal ones in their order (qsort is not stable by itself). */
static int by_cost(const void *a, const void *b)
{
	const struct ranked *x = a, *y = b;

	if (x->cost != y->cost)
		return x->cost > y->cost ? -1 : 1;
	return x->i < y->i ? -1 : x->i > y->i;
}

void longest_first(const uint64_t *cost, size_t *order, size_t n)
{
	struct ranked *v = xcalloc(n + 1, sizeof(*v));
	size_t i;

	/* qsort: --repeat makes a suite of labs times repeats runs. */
	for (i = 0; i < n; i++)
		v[i] = (struct ranked){cost[i], i};
	qsort(v, n, sizeof(*v), by_cost);
	for (i = 0; i < n; i++)
		order[i] = v[i].i;
	free(v);
}
