// SPDX-License-Identifier: GPL-2.0-or-later
/* What a lab's ruleset texts say about NAT, for pictures: each mapping and each rule comment. */
#include "rules/natmap.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"

#define MAX_WORDS 96
#define WORD_LEN  160

/* The words of one rule: quoted strings and { sets } are one word each, quotes dropped. */
struct words {
	char w[MAX_WORDS][WORD_LEN];
	size_t n;
};

/*
 * Splits one rule's text [s, end) into words. A quoted string keeps its
 * spaces; a brace set runs to its closing brace.
 */
static void split(const char *s, const char *end, struct words *out)
{
	out->n = 0;
	while (s < end && out->n < MAX_WORDS) {
		char *w = out->w[out->n];
		size_t k = 0;
		int depth = 0;

		while (s < end && (*s == ' ' || *s == '\t' || *s == ','))
			s++;
		if (s >= end)
			break;
		if (*s == '"') {
			for (s++; s < end && *s != '"'; s++)
				if (k + 1 < WORD_LEN)
					w[k++] = *s;
			s += s < end;
		} else {
			for (; s < end && (depth || (*s != ' ' && *s != '\t')); s++) {
				depth += *s == '{';
				depth -= *s == '}' && depth;
				if (k + 1 < WORD_LEN)
					w[k++] = *s;
			}
		}
		w[k] = '\0';
		out->n++;
	}
}

static void add_line(struct natmap *m, const char *line)
{
	XGROW(m->line, m->n, m->cap);
	m->line[m->n++] = xstrdup(line);
}

/* The word after the first word equal to key (after any of keys, NULL-ended), or NULL. */
static const char *after(const struct words *w, const char *const *keys)
{
	size_t i, k;

	for (i = 0; i + 1 < w->n; i++)
		for (k = 0; keys[k]; k++)
			if (!strcmp(w->w[i], keys[k]))
				return w->w[i + 1];
	return NULL;
}

/* "!x" for a negated match: the word before key's value is "!" (iptables) or "!=" (nft). */
static const char *match_value(const struct words *w, const char *const *keys, char *buf,
			       size_t len)
{
	size_t i, k;

	for (i = 0; i + 1 < w->n; i++)
		for (k = 0; keys[k]; k++) {
			bool neg;
			const char *v;

			if (strcmp(w->w[i], keys[k]))
				continue;
			v = w->w[i + 1];
			neg = (i > 0 && !strcmp(w->w[i - 1], "!")) || !strcmp(v, "!=");
			if (!strcmp(v, "!=") || !strcmp(v, "=="))
				v = i + 2 < w->n ? w->w[i + 2] : "";
			snprintf(buf, len, "%s%s", neg ? "!" : "", v);
			return buf;
		}
	return NULL;
}

/* The parts of a NAT rule the picture says, read from its words. */
struct nat_rule {
	const char *kind; /* "dnat", "snat", "masquerade", "redirect", or NULL */
	char to[WORD_LEN];
	char saddr[WORD_LEN], daddr[WORD_LEN], dport[WORD_LEN], oif[WORD_LEN], iif[WORD_LEN];
	const char *comment;
};

/* The words that name a rule's matches and comment, in one ruleset language. */
struct match_keys {
	const char *daddr[4], *saddr[4], *dport[4], *oif[3], *iif[3], *comment[2];
};

static const struct match_keys nft_keys = {
	.daddr = {"daddr"},
	.saddr = {"saddr"},
	.dport = {"dport"},
	.oif = {"oifname", "oif"},
	.iif = {"iifname", "iif"},
	.comment = {"comment"},
};

static const struct match_keys ipt_keys = {
	.daddr = {"-d", "--destination", "--dst"},
	.saddr = {"-s", "--source", "--src"},
	.dport = {"--dport", "--destination-port", "--dports"},
	.oif = {"-o", "--out-interface"},
	.iif = {"-i", "--in-interface"},
	.comment = {"--comment"},
};

/* The matches and comment of rule words w, by keys, into r (whose comment points into w). */
static void read_matches(const struct words *w, const struct match_keys *k, struct nat_rule *r)
{
	match_value(w, k->daddr, r->daddr, sizeof(r->daddr));
	match_value(w, k->saddr, r->saddr, sizeof(r->saddr));
	match_value(w, k->dport, r->dport, sizeof(r->dport));
	match_value(w, k->oif, r->oif, sizeof(r->oif));
	match_value(w, k->iif, r->iif, sizeof(r->iif));
	r->comment = after(w, k->comment);
}

/* "dnat 203.0.113.10:80 -> 192.168.1.10:8080 \"publish\"", or only the comment. */
static void rule_line(struct natmap *m, const struct nat_rule *r)
{
	char line[1024];
	size_t n = 0;

#define PUT(...)                                                                                  \
	do {                                                                                      \
		int w_ = snprintf(line + n, sizeof(line) - n, __VA_ARGS__);                       \
		n = w_ < 0 || n + (size_t)w_ >= sizeof(line) ? sizeof(line) - 1 : n + (size_t)w_; \
	} while (0)

	line[0] = '\0';
	if (r->kind) {
		PUT("%s", r->kind);
		if (r->saddr[0])
			PUT(" from %s", r->saddr);
		if (r->iif[0])
			PUT(" in %s", r->iif);
		if (!strcmp(r->kind, "dnat") || !strcmp(r->kind, "redirect")) {
			if (r->daddr[0])
				PUT(" %s", r->daddr);
			/* One port as "addr:port", a set as "port { 80, 8080 }". */
			if (r->dport[0])
				PUT("%s%s",
				    r->dport[0] == '{' || r->dport[0] == '!' ? " port "
				    : r->daddr[0]			     ? ":"
									     : " :",
				    r->dport);
			PUT(" -> %s", r->to[0] ? r->to : "?");
		} else {
			if (r->daddr[0])
				PUT(" to-dst %s", r->daddr);
			if (r->oif[0])
				PUT(" out %s", r->oif);
			if (r->to[0])
				PUT(" -> %s", r->to);
		}
		if (r->comment)
			PUT(" ");
	}
	if (r->comment)
		PUT("\"%s\"", r->comment);
#undef PUT
	if (line[0])
		add_line(m, line);
}

static void nft_rule(struct natmap *m, const struct words *w)
{
	static const char *const kinds[] = {"dnat", "snat", "masquerade", "redirect"};
	struct nat_rule r = {0};
	size_t i, k;

	if (!w->n || !strcmp(w->w[0], "table") || !strcmp(w->w[0], "chain") ||
	    !strcmp(w->w[0], "type") || !strcmp(w->w[0], "policy") || !strcmp(w->w[0], "set") ||
	    !strcmp(w->w[0], "map") || !strcmp(w->w[0], "comment") || w->w[0][0] == '#')
		return;
	for (i = 0; i < w->n && !r.kind; i++)
		for (k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
			size_t j = i + 1;

			/* A statement, not a match on one ("ct status dnat"). */
			if (strcmp(w->w[i], kinds[k]) || (i && !strcmp(w->w[i - 1], "status")))
				continue;
			/* "dnat ip to X", "snat to X", "redirect to :8080" ... */
			while (j < w->n && j < i + 4 && strcmp(w->w[j], "to"))
				j++;
			if (j + 1 < w->n && !strcmp(w->w[j], "to"))
				snprintf(r.to, sizeof(r.to), "%s", w->w[j + 1]);
			else if (k < 2) /* dnat and snat always say "to" */
				continue;
			r.kind = kinds[k];
			break;
		}
	read_matches(w, &nft_keys, &r);
	/* "redirect to 8080" means a port. */
	if (r.kind && !strcmp(r.kind, "redirect") && r.to[0] && r.to[0] != ':') {
		char port[WORD_LEN];

		snprintf(port, sizeof(port), ":%.*s", WORD_LEN - 2, r.to);
		memcpy(r.to, port, sizeof(r.to));
	}
	rule_line(m, &r);
}

void natmap_parse_nft(const char *text, struct natmap *m)
{
	const char *s = text, *end;
	struct words *w = xcalloc(1, sizeof(*w));

	/* A rule ends at a line's end (unless escaped) or at ';'. */
	for (; s && *s; s = *end ? end + 1 : end) {
		bool quoted = false;

		for (end = s; *end && (quoted || (*end != '\n' && *end != ';')); end++) {
			if (*end == '"')
				quoted = !quoted;
			if (*end == '\\' && end[1] == '\n')
				end++;
		}
		split(s, end, w);
		/* Braces of blocks are no words of a rule: "chain x {" / "}" are skipped. */
		while (w->n && (!strcmp(w->w[w->n - 1], "{") || !strcmp(w->w[w->n - 1], "}")))
			w->n--;
		nft_rule(m, w);
	}
	free(w);
}

static void ipt_rule(struct natmap *m, const struct words *w)
{
	static const char *const jump[] = {"-j", "--jump", NULL},
				 *const to_dst[] = {"--to-destination", NULL},
				 *const to_src[] = {"--to-source", NULL},
				 *const to_ports[] = {"--to-ports", NULL};
	struct nat_rule r = {0};
	const char *target = after(w, jump), *to = NULL;

	if (!w->n ||
	    (strcmp(w->w[0], "-A") && strcmp(w->w[0], "-I") && strcmp(w->w[0], "--append")))
		return;
	if (target && !strcmp(target, "DNAT")) {
		r.kind = "dnat";
		to = after(w, to_dst);
	} else if (target && !strcmp(target, "SNAT")) {
		r.kind = "snat";
		to = after(w, to_src);
	} else if (target && !strcmp(target, "MASQUERADE")) {
		r.kind = "masquerade";
		to = after(w, to_ports);
	} else if (target && !strcmp(target, "REDIRECT")) {
		r.kind = "redirect";
		to = after(w, to_ports);
	}
	if (to)
		snprintf(r.to, sizeof(r.to), "%s%s",
			 r.kind && strcmp(r.kind, "dnat") && strcmp(r.kind, "snat") ? ":" : "", to);
	read_matches(w, &ipt_keys, &r);
	rule_line(m, &r);
}

void natmap_parse_ipt(const char *text, struct natmap *m)
{
	const char *s = text, *end;
	struct words *w = xcalloc(1, sizeof(*w));

	for (; s && *s; s = *end ? end + 1 : end) {
		end = strchr(s, '\n');
		if (!end)
			end = s + strlen(s);
		split(s, end, w);
		ipt_rule(m, w);
	}
	free(w);
}

void natmap_release(struct natmap *m)
{
	size_t i;

	for (i = 0; i < m->n; i++)
		free(m->line[i]);
	free(m->line);
	memset(m, 0, sizeof(*m));
}
