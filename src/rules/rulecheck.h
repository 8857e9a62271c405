/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What a lab's ruleset text may not ask for: the host's files. nft reads
 * the file an "include" names (and prints it line by line when it is not nft,
 * or spins on /dev/zero); iptables-restore runs the program --modprobe names
 * and opens the path --object-pinned names. nflab applies rulesets with the
 * host's filesystem in view, so these are refused before anything runs.
 */
#ifndef NFLAB_RULECHECK_H
#define NFLAB_RULECHECK_H

#include "util/diag.h"

/*
 * Refuses an "include" statement in nft text: the word include outside
 * comments ("#" to the end of the line) and quoted strings ("..."), as nft's
 * scanner reads them. where is the lab-file position of the text's first
 * character (its line and column; later lines at the same column, as in a
 * "|" block). Returns 0, or -1 with d at the word; never shows the named file.
 */
int rulecheck_nft(const char *text, const struct srcloc *where, struct diag *d);
/*
 * Refuses the options of iptables-restore text that reach host files:
 * --modprobe (also abbreviated, or as -M) and --object-pinned. Returns 0 or
 * -1 with d at the option.
 */
int rulecheck_ipt(const char *text, const struct srcloc *where, struct diag *d);

#endif
