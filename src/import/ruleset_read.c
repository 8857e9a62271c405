// SPDX-License-Identifier: GPL-2.0-or-later
/* The box's ruleset (nft list ruleset, iptables-save) taken verbatim, and its forwarding sysctls. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "import/box.h"
#include "import/json_file.h"
#include "util/utf8.h"
#include "util/xalloc.h"

/* The whole file as text; NULL with d set when unreadable or binary. */
static char *read_text(const char *path, struct diag *d)
{
	size_t len;
	char *buf = file_slurp(path, &len, d);

	if (buf && memchr(buf, '\0', len)) {
		diag_set(d, "%s: binary data, not text", path);
		free(buf);
		return NULL;
	}
	return buf;
}

/* The first line (1-based) that starts, after blanks, with word; 0 when none does. */
static int line_starting(const char *text, const char *word)
{
	const char *p = text;
	int line = 1;

	for (;;) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (!strncmp(p, word, strlen(word)))
			return line;
		p = strchr(p, '\n');
		if (!p)
			return 0;
		p++;
		line++;
	}
}

/*
 * Text a lab file can hold: UTF-8 without control characters but tab and
 * newline (YAML allows no others). A CR before each LF (a file that went
 * through Windows) is dropped, with a note.
 */
static int check_chars(struct box *b, char *text, const char *path, struct diag *d)
{
	size_t n = strlen(text), i = 0, out = 0, len, crs = 0;
	int line = 1;

	while (i < n) {
		int32_t cp = utf8_decode(text + i, n - i, &len);

		if (cp < 0)
			return diag_set(d, "%s: line %d is not UTF-8 text", path, line);
		if (cp == '\r' && text[i + 1] == '\n') {
			crs++;
			i++;
			continue;
		}
		if ((cp < 0x20 && cp != '\t' && cp != '\n') || cp == 0x7f ||
		    (cp >= 0x80 && cp < 0xa0 && cp != 0x85))
			return diag_set(d,
					"%s: line %d holds the control character U+%04X: not the "
					"text a ruleset dump is",
					path, line, (unsigned int)cp);
		line += cp == '\n';
		memmove(text + out, text + i, len);
		out += len;
		i += len;
	}
	text[out] = '\0';
	if (crs)
		box_note(b, "%s: its %zu CR LF line ends are LF in the lab", path, crs);
	return 0;
}

static int check_nft(const char *text, const char *path, struct diag *d)
{
	const char *p = text;

	while (isspace((unsigned char)*p))
		p++;
	if (*p == '{' || *p == '[')
		return diag_set(d, "%s: nft JSON; give the text of nft list ruleset", path);
	if (line_starting(text, "*filter") || line_starting(text, "*nat") ||
	    line_starting(text, "-A "))
		return diag_set(d, "%s: iptables-save text; give it with --iptables", path);
	if (!line_starting(text, "table "))
		return diag_set(d, "%s: no \"table\" line: expected the output of nft list ruleset",
				path);
	return 0;
}

static int check_iptables(const char *text, const char *path, struct diag *d)
{
	int table = line_starting(text, "*"), commit = line_starting(text, "COMMIT");

	if (line_starting(text, "table "))
		return diag_set(d, "%s: nft ruleset text; give it with --nft", path);
	if (!table)
		return diag_set(d,
				"%s: no \"*TABLE\" line: expected the output of iptables-save "
				"(or ip6tables-save)",
				path);
	if (!commit)
		return diag_set(d,
				"%s: line %d starts a table, but no COMMIT line ends it "
				"(iptables-save ends each table with COMMIT)",
				path, table);
	return 0;
}

int box_read_ruleset(struct box *b, enum box_ruleset_kind kind, bool v6, const char *path,
		     struct diag *d)
{
	char *text = read_text(path, d);

	if (!text)
		return -1;
	if (check_chars(b, text, path, d)) {
		free(text);
		return -1;
	}
	if (kind == BOX_RULESET_NFT ? check_nft(text, path, d) : check_iptables(text, path, d)) {
		free(text);
		return -1;
	}
	b->ruleset_kind = kind;
	if (kind == BOX_RULESET_NFT)
		b->nft = text;
	else if (v6)
		b->ip6tables = text;
	else
		b->iptables = text;
	return 0;
}

/* "net.ipv4.ip_forward = 1" -> 1 into *out when the line is key's. */
static void sysctl_line(const char *line, const char *key, int *out)
{
	size_t n = strlen(key);
	const char *p = line + n;

	if (strncmp(line, key, n))
		return;
	while (*p == ' ' || *p == '\t')
		p++;
	if (*p != '=')
		return;
	p++;
	while (*p == ' ' || *p == '\t')
		p++;
	if (*p == '0' || *p == '1')
		*out = *p - '0';
}

int box_read_sysctl(struct box *b, const char *path, struct diag *d)
{
	char *text = read_text(path, d), *line, *save = NULL;

	if (!text)
		return -1;
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		sysctl_line(line, "net.ipv4.ip_forward", &b->ip_forward);
		sysctl_line(line, "net.ipv6.conf.all.forwarding", &b->ip6_forward);
	}
	free(text);
	if (b->ip_forward < 0)
		return diag_set(d,
				"%s: no net.ipv4.ip_forward line: expected the output of sysctl -a",
				path);
	return 0;
}
