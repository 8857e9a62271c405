// SPDX-License-Identifier: GPL-2.0-or-later
/* What a lab's ruleset text may not ask for: the host's files. */
#include "rules/rulecheck.h"

#include <ctype.h>
#include <stdbool.h>
#include <string.h>
#include <strings.h>

/* The lab-file position of text + off. */
static struct srcloc locate(const char *text, size_t off, const struct srcloc *where)
{
	struct srcloc loc = *where;
	size_t i, bol = 0;

	for (i = 0; i < off; i++)
		if (text[i] == '\n') {
			loc.line++;
			bol = i + 1;
		}
	loc.col = where->col + (int)(off - bol);
	return loc;
}

/* A character that continues a word of nft's scanner (its "string" rule, generously). */
static bool nft_word_char(char c)
{
	return isalnum((unsigned char)c) || c == '_' || c == '.' || c == '/' || c == '-';
}

int rulecheck_nft(const char *text, const struct srcloc *where, struct diag *d)
{
	static const char word[] = "include";
	size_t i, n = strlen(word);

	for (i = 0; text[i]; i++) {
		struct srcloc loc;

		if (text[i] == '#') { /* a comment, to the end of the line */
			while (text[i + 1] && text[i + 1] != '\n')
				i++;
			continue;
		}
		if (text[i] == '"') { /* a quoted string: no escapes in nft */
			const char *end = strchr(text + i + 1, '"');

			if (!end)
				break; /* nft refuses the unterminated string itself */
			i = (size_t)(end - text);
			continue;
		}
		if (strncasecmp(text + i, word, n) || (i && nft_word_char(text[i - 1])) ||
		    nft_word_char(text[i + n]))
			continue;
		loc = locate(text, i, where);
		return diag_at(d, &loc,
			       "nft \"include\": a lab's ruleset cannot read files (nflab applies "
			       "it with the host's files in view); write the rules into the lab");
	}
	return 0;
}

/* Whether word (up to '=') is a prefix of opt at least min long: getopt_long abbreviations. */
static bool abbreviates(const char *word, size_t len, const char *opt, size_t min)
{
	const char *eq = memchr(word, '=', len);

	if (eq)
		len = (size_t)(eq - word);
	return len >= min && len <= strlen(opt) && !strncmp(word, opt, len);
}

int rulecheck_ipt(const char *text, const struct srcloc *where, struct diag *d)
{
	size_t i = 0;

	while (text[i]) {
		size_t len = strcspn(text + i, " \t\r\n");
		const char *w = text + i;
		const char *bad = NULL;

		if (len > 2 && w[0] == '-' && w[1] == '-') {
			if (abbreviates(w, len, "--modprobe", 4))
				bad = "--modprobe runs a program of the host";
			else if (abbreviates(w, len, "--object-pinned", 4))
				bad = "--object-pinned opens a file of the host";
		} else if (len > 1 && w[0] == '-' && w[1] != '-' && memchr(w, 'M', len)) {
			bad = "-M (--modprobe) runs a program of the host";
		}
		if (bad) {
			struct srcloc loc = locate(text, i, where);

			return diag_at(d, &loc,
				       "iptables option \"%.*s\": %s; a lab's rules cannot reach "
				       "the host's files or programs",
				       (int)(len > 40 ? 40 : len), w, bad);
		}
		i += len;
		i += strspn(text + i, " \t\r\n");
	}
	return 0;
}
