/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The names a node's loaded rulesets give, as the kernel lists them: what checks may name. */
#ifndef NFLAB_RULENAMES_H
#define NFLAB_RULENAMES_H

#include <stdbool.h>
#include <stdint.h>

#include "rules/ruleset.h"
#include "util/diag.h"
#include "util/strset.h"

/*
 * What a node's rulesets hold now. nft lists cover the tables iptables-nft
 * makes too (their comments are xt matches, not nft comments).
 */
struct rulenames {
	struct strset tables;	    /* nft table names */
	struct strset chains;	    /* nft chain names, of every table */
	struct strset comments;	    /* nft rule comments */
	struct strset handles;	    /* handles of nft rules without a comment, as text */
	struct strset log_groups;   /* NFLOG groups rules log to, as text ("5") */
	struct strset log_prefixes; /* prefixes of the rules that log to an NFLOG group */
	struct strset sets;	    /* nft named sets and maps (not anonymous ones) */
	struct strset quotas;	    /* nft named quotas */
	bool nftrace;		    /* some nft rule sets nftrace ("meta nftrace set 1") */
	/*
	 * Something can make conntrack expectations: an nft ct helper or ct
	 * expectation object, or an iptables "-j CT" rule (nft backend: any CT
	 * target; legacy: one with --helper).
	 */
	bool ct_expect;
	bool fate_table; /* nflab's fate table is there (its names are not listed) */
	bool fate_trace; /* and it traces every packet (fate: true, --fate) */
};

#define RULENAMES_INIT \
	{              \
		0      \
	}

/*
 * Lists the rulesets of the netns held by nsfd into out (release it with
 * rulenames_release(), also after an error): every nft table, chain, rule,
 * named set and quota but those of nflab's fate table (RULESET_FATE_TABLE), which only set the
 * fate_* flags, and with legacy_v4 / legacy_v6 (an iptables-legacy ruleset, which nft does
 * not see) the "-j NFLOG" and "-j CT --helper" rules of iptables-save / ip6tables-save.
 * Returns 0 or -1.
 */
int rulenames_read(int nsfd, bool legacy_v4, bool legacy_v6, struct rulenames *out, struct diag *d);
void rulenames_release(struct rulenames *rn);

/*
 * Adds the NFLOG groups and prefixes of the "-j NFLOG" rules of iptables-save
 * (or iptables-restore) text to rn: "--nflog-group N" (0 when not given),
 * "--nflog-prefix TEXT" (quoted or not); and ct_expect for a "-j CT --helper" rule.
 */
void rulenames_parse_ipt(const char *text, struct rulenames *rn);

#endif
