/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Rulesets: nft text through libnftables and iptables-restore text, inside a node's netns. */
#ifndef NFLAB_RULESET_H
#define NFLAB_RULESET_H

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
 */
char *ruleset_nft_list(int nsfd, struct diag *d);

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

#endif
