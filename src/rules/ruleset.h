/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Rulesets: nft text through libnftables and iptables-restore text, inside a node's netns. */
#ifndef NFLAB_RULESET_H
#define NFLAB_RULESET_H

#include <stdbool.h>

#include "util/diag.h"

enum ipt_backend {
	IPT_BACKEND_NFT = 0, /* iptables-nft-restore */
	IPT_BACKEND_LEGACY,  /* iptables-legacy-restore */
};

/*
 * Applies nft text in the netns held by nsfd as one atomic transaction
 * (libnftables, the whole buffer or nothing). where is the lab-file position of the
 * text's first line. On error d holds nft's own message with its line numbers
 * mapped to lab-file lines, and d->loc the failing line. Returns 0 or -1.
 */
int ruleset_nft_apply(int nsfd, const char *text, const struct srcloc *where, struct diag *d);

/*
 * Lists the netns's whole nft ruleset into a new string (caller frees), or NULL.
 * nflab's own fate table (RULESET_FATE_TABLE) is left out: it is no part of the lab.
 */
char *ruleset_nft_list(int nsfd, struct diag *d);

/*
 * nflab's own table for packet fates, "table inet nflab_fate": a chain on each
 * inet hook at the lowest priority, named after its hook ("prerouting",
 * "input", "forward", "output", "postrouting"), so that a traced packet's
 * events say which hook it entered, and two at the highest priority,
 * "input_done" and "postrouting_done", whose events say it went through that
 * hook. Its events are never shown as trace events (see trace_open()).
 */
#define RULESET_FATE_TABLE "nflab_fate"
#define RULESET_FATE_DONE  "_done" /* suffix of the chains at the highest priority */

/*
 * Adds nflab's fate table to the netns held by nsfd, after the lab's rulesets
 * (it changes no verdict: every chain accepts). With trace, its prerouting and
 * output chains also set nftrace, so every packet of the node is traced from the
 * start; without, only the packets the lab's own rules trace are. Added once
 * per netns. Returns 0 or -1 with d.
 */
int ruleset_fate_apply(int nsfd, bool trace, struct diag *d);

/*
 * Runs iptables-save -c (family AF_INET) or ip6tables-save -c (AF_INET6) of the
 * backend in the netns held by nsfd. Returns its output (caller frees), or NULL.
 */
char *ruleset_ipt_save(int nsfd, int family, enum ipt_backend backend, struct diag *d);

/*
 * Feeds text to iptables-restore (family AF_INET) or ip6tables-restore (AF_INET6)
 * of the chosen backend, run inside the netns held by nsfd. A missing binary is a
 * skip (NFLAB_SKIP). On error d holds the program's stderr, with its line number
 * mapped to a lab-file line. Returns 0 or -1.
 */
int ruleset_ipt_apply(int nsfd, int family, enum ipt_backend backend, const char *text,
		      const struct srcloc *where, struct diag *d);

/*
 * As ruleset_ipt_apply(), but with flush false the tables the text names keep
 * their other rules (iptables-restore --noflush): a mid-lab iptables step.
 */
int ruleset_ipt_restore(int nsfd, int family, enum ipt_backend backend, const char *text,
			bool flush, const struct srcloc *where, struct diag *d);

#endif
