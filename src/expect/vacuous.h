/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Checks that could never fail: names a node's rulesets lack, observers nothing feeds. */
#ifndef NFLAB_VACUOUS_H
#define NFLAB_VACUOUS_H

#include <stdbool.h>

#include "lab/lab.h"
#include "observe/event.h"
#include "rules/rulenames.h"
#include "util/diag.h"

/*
 * Whether vacuous_check() needs the node's rulesets listed (rulenames_read())
 * for e: every trace and fate check (is nftrace set anywhere?), an NFLOG check naming
 * a log.prefix, a counters check naming a counter.comment (to say when the
 * rule is there but has no counter).
 */
bool vacuous_needs_rulenames(const struct step_expect *e);

/*
 * Refuses a check of node that could never fail because what it names is not
 * there. Only equality conditions are checked ("!x", "<n" or "absent" may
 * rightly hold for nothing):
 *   counters: counter.name, counter.comment, counter.chain, counter.table must
 *     be those of a counter read (dump, the records the check was decided on),
 *     and the node must have some counter;
 *   nflog: log.prefix must be the prefix of a rule that logs to an NFLOG group;
 *   trace: some rule must set nftrace (or nflab's fate table, fate: true);
 *     trace.table, trace.chain, trace.target must name a table or chain,
 *     trace.rule a rule's comment (or the handle of one without comment);
 *   fate: as trace, for fate.table, fate.chain and fate.rule; fate.node must
 *     be the check's node.
 * rn is the node's rulesets now (NULL when vacuous_needs_rulenames() said no),
 * dump the counters (NULL for other sources). Returns 0, or -1 with d saying
 * what is missing and what there is, at the condition's place in the lab file.
 */
int vacuous_check(const struct step_expect *e, const char *node, const struct rulenames *rn,
		  const struct evlog *dump, struct diag *d);

/*
 * Refuses a fate.reason condition of e when the drop counters are not read
 * (counted false: no fate: true, no --fate), and one written as a fate.by
 * value ("rule", "none" ...). Returns 0, or -1 with d at the condition.
 */
int vacuous_fate_reason(const struct step_expect *e, bool counted, struct diag *d);

#endif
