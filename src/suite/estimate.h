/* SPDX-License-Identifier: GPL-2.0-or-later */
/* How long a lab takes by its own design: what `nflab test` starts first. */
#ifndef NFLAB_ESTIMATE_H
#define NFLAB_ESTIMATE_H

#include <stddef.h>
#include <stdint.h>

/*
 * The time the lab file at path asks for, in ns, read from the file alone: its
 * steps' waits, timeouts waited out, ping intervals, paced replays and
 * programs (each step kind's estimate_ns, src/step/step.h), plus a little per
 * step and per node. 0 when the file does not load (its run ends at once with
 * the error). No clock and no remembered durations: the same files, the same
 * figures.
 */
uint64_t lab_estimate_ns(const char *path, const char *topo_dir);

/*
 * Fills order with 0 ... n - 1, the longest of cost first, equal costs in
 * index order: with labs running side by side, a long lab started last would
 * leave the other workers idle while it ends.
 */
void longest_first(const uint64_t *cost, size_t *order, size_t n);

#endif
