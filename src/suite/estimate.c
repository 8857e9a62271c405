// SPDX-License-Identifier: GPL-2.0-or-later
/* How long a lab takes by its own design: what `nflab test` starts first. */
#include "suite/estimate.h"

#include "lab/lab.h"
#include "step/step.h"
#include "util/diag.h"

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

void longest_first(const uint64_t *cost, size_t *order, size_t n)
{
	size_t i, k;

	/* Insertion sort, stable: suites are tens to hundreds of labs. */
	for (i = 0; i < n; i++) {
		for (k = i; k > 0 && cost[order[k - 1]] < cost[i]; k--)
			order[k] = order[k - 1];
		order[k] = i;
	}
}
