/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What a lab's ruleset texts say about NAT, for pictures: each mapping and each rule comment. */
#ifndef NFLAB_NATMAP_H
#define NFLAB_NATMAP_H

#include <stddef.h>

/* One line per NAT rule or commented rule, in ruleset order. */
struct natmap {
	char **line; /* "dnat 203.0.113.10:80 -> 192.168.1.10:8080 \"publish\"" ... */
	size_t n, cap;
};

/*
 * Adds to m, from nft ruleset text, one line per rule that maps addresses or
 * ports, saying what it matches and what it maps to: "dnat 203.0.113.10:80 ->
 * 192.168.1.10:8080", "snat from 192.168.1.0/24 out eth1 to 203.0.113.1",
 * "masquerade out eth1", "redirect :80 -> :8080"; and one line per other rule
 * with a comment. A rule's comment follows its mapping in quotes. What the
 * text spells in ways not listed here (maps, sets of targets) is shown as
 * written. The text is the lab's own, read as words: nothing is loaded.
 */
void natmap_parse_nft(const char *text, struct natmap *m);
/* The same from iptables-restore text: "-j DNAT --to-destination", SNAT, MASQUERADE, REDIRECT. */
void natmap_parse_ipt(const char *text, struct natmap *m);
void natmap_release(struct natmap *m);

#endif
