// SPDX-License-Identifier: GPL-2.0-or-later
/* Golden timelines: a lab's normalised event stream, kept in expected/ and compared. */
#include "report/golden.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lab/lab.h"
#include "util/outfile.h"
#include "util/xalloc.h"

#define DIFF_CONTEXT 3	  /* unchanged lines around a change, as diff -u */
#define DIFF_CHANGED 2000 /* changed lines shown at most; the rest are counted */

const char *golden_lab_name(const char *lab_path)
{
	const char *at = NULL, *p;

	for (p = lab_path; (p = strstr(p, "labs/")); p++)
		if (p == lab_path || p[-1] == '/')
			at = p;
	return at;
}

char *golden_path(const char *lab_path)
{
	const char *at = golden_lab_name(lab_path), *dot;
	char *out;

	if (!at)
		return NULL;
	dot = strrchr(at, '.');
	if (!dot || strcmp(dot, ".yaml"))
		dot = at + strlen(at);
	out = xasprintf("%.*sexpected/%.*s.timeline", (int)(at - lab_path), lab_path,
			(int)(dot - at - 5), at + 5);
	return out;
}

/* Makes the directories of path, each '/' after the first character in turn. */
static int mkdirs(char *path)
{
	size_t i;

	for (i = 1; path[0] && path[i]; i++) {
		if (path[i] != '/')
			continue;
		path[i] = '\0';
		if (mkdir(path, 0755) && errno != EEXIST) {
			path[i] = '/';
			return -1;
		}
		path[i] = '/';
	}
	return 0;
}

int golden_write(const char *path, const char *text, struct diag *d)
{
	char *dirs = xstrdup(path);
	int rc;

	rc = mkdirs(dirs);
	free(dirs);
	if (rc)
		return diag_errno(d, "cannot create the directories of %s", path);
	return outfile_write(path, text, strlen(text), d); /* whole, or not at all */
}

/* One line of a text, not NUL-terminated. */
struct line {
	const char *s;
	size_t len;
	bool nonl; /* the text's last line, and no newline ends it */
};

/* Splits text into lines. Returns the number; *lines is a new array. */
static size_t split(const char *text, struct line **lines)
{
	size_t n = 0, cap = 0;
	const char *p = text;

	*lines = NULL;
	while (*p) {
		const char *eol = strchr(p, '\n');

		XGROW(*lines, n, cap);
		(*lines)[n].s = p;
		(*lines)[n].len = eol ? (size_t)(eol - p) : strlen(p);
		(*lines)[n].nonl = !eol;
		n++;
		if (!eol)
			break;
		p = eol + 1;
	}
	return n;
}

static uint64_t line_hash(const struct line *l)
{
	uint64_t h = 14695981039346656037ull; /* FNV-1a */
	size_t i;

	for (i = 0; i < l->len; i++)
		h = (h ^ (unsigned char)l->s[i]) * 1099511628211ull;
	return h ^ l->nonl;
}

static bool line_eq(const struct line *x, const struct line *y)
{
	return x->len == y->len && x->nonl == y->nonl && !memcmp(x->s, y->s, x->len);
}

/*
 * Numbers the lines of both texts so that equal lines get equal numbers
 * (ids[0..na) for a, ids[na..na+nb) for b). Returns how many distinct lines.
 */
static size_t intern(const struct line *a, size_t na, const struct line *b, size_t nb, size_t *ids)
{
	size_t cap = 16, n = na + nb, i, distinct = 0;
	size_t *slot; /* 1 + the index of the first line with that text, 0 when free */

	while (cap < 2 * n)
		cap *= 2;
	slot = xcalloc(cap, sizeof(*slot));
	for (i = 0; i < n; i++) {
		const struct line *l = i < na ? &a[i] : &b[i - na];
		size_t h = (size_t)line_hash(l) & (cap - 1);

		for (;; h = (h + 1) & (cap - 1)) {
			size_t j = slot[h];

			if (!j) {
				slot[h] = i + 1;
				ids[i] = distinct++;
				break;
			}
			if (line_eq(l, j - 1 < na ? &a[j - 1] : &b[j - 1 - na])) {
				ids[i] = ids[j - 1];
				break;
			}
		}
	}
	free(slot);
	return distinct;
}

/* Myers' O((N+M)D) diff in linear space, on line numbers from intern(). */
struct myers {
	const size_t *a, *b;
	bool *keep_a, *keep_b; /* set for the lines of a longest common subsequence */
	long *v1, *v2;	       /* furthest reaching paths, forward and backward */
};

/*
 * Finds a point (*sx, *sy) of a shortest edit path from (a0, b0) to (a1, b1)
 * by meeting in the middle (Myers 1986, section 4b). The inputs have no common
 * first or last line; when no line is common, the point is (a1, b0).
 */
static void myers_split(struct myers *m, long a0, long a1, long b0, long b1, long *sx, long *sy)
{
	const size_t *a = m->a + a0, *b = m->b + b0;
	long n = a1 - a0, mm = b1 - b0, delta = n - mm;
	long maxd = (n + mm + 1) / 2, off = maxd, vlen = 2 * maxd + 2;
	long k1start = 0, k1end = 0, k2start = 0, k2end = 0, d, k, x1, y1, x2, y2, i;
	bool front = delta % 2 != 0;
	long *v1 = m->v1, *v2 = m->v2;

	for (i = 0; i < vlen; i++)
		v1[i] = v2[i] = -1;
	v1[off + 1] = 0;
	v2[off + 1] = 0;
	for (d = 0; d < maxd; d++) {
		for (k = -d + k1start; k <= d - k1end; k += 2) {
			long ko = off + k, k2o = off + delta - k;

			if (k == -d || (k != d && v1[ko - 1] < v1[ko + 1]))
				x1 = v1[ko + 1];
			else
				x1 = v1[ko - 1] + 1;
			y1 = x1 - k;
			while (x1 < n && y1 < mm && a[x1] == b[y1]) {
				x1++;
				y1++;
			}
			v1[ko] = x1;
			if (x1 > n) {
				k1end += 2;
			} else if (y1 > mm) {
				k1start += 2;
			} else if (front && k2o >= 0 && k2o < vlen && v2[k2o] != -1 &&
				   x1 >= n - v2[k2o]) {
				*sx = a0 + x1;
				*sy = b0 + y1;
				return;
			}
		}
		for (k = -d + k2start; k <= d - k2end; k += 2) {
			long ko = off + k, k1o = off + delta - k;

			if (k == -d || (k != d && v2[ko - 1] < v2[ko + 1]))
				x2 = v2[ko + 1];
			else
				x2 = v2[ko - 1] + 1;
			y2 = x2 - k;
			while (x2 < n && y2 < mm && a[n - x2 - 1] == b[mm - y2 - 1]) {
				x2++;
				y2++;
			}
			v2[ko] = x2;
			if (x2 > n) {
				k2end += 2;
			} else if (y2 > mm) {
				k2start += 2;
			} else if (!front && k1o >= 0 && k1o < vlen && v1[k1o] != -1 &&
				   v1[k1o] >= n - x2) {
				*sx = a0 + v1[k1o];
				*sy = b0 + v1[k1o] - (k1o - off);
				return;
			}
		}
	}
	*sx = a1;
	*sy = b0;
}

static void myers_diff(struct myers *m, long a0, long a1, long b0, long b1)
{
	long x, y;

	for (;;) {
		while (a0 < a1 && b0 < b1 && m->a[a0] == m->b[b0])
			m->keep_a[a0++] = m->keep_b[b0++] = true;
		while (a0 < a1 && b0 < b1 && m->a[a1 - 1] == m->b[b1 - 1])
			m->keep_a[--a1] = m->keep_b[--b1] = true;
		if (a0 == a1 || b0 == b1)
			return;
		myers_split(m, a0, a1, b0, b1, &x, &y);
		if ((x == a0 && y == b0) || (x == a1 && y == b1))
			return; /* cannot happen: the split is strictly inside */
		myers_diff(m, a0, x, b0, y);
		a0 = x; /* the second half without recursion */
		b0 = y;
	}
}

/*
 * Marks in keep_a and keep_b the lines of a longest common subsequence of a
 * and b. Lines found in only one text cannot be part of it: they are left out
 * before the diff proper, which keeps it fast when much changed.
 */
static void lcs(const struct line *a, size_t na, const struct line *b, size_t nb, bool *keep_a,
		bool *keep_b)
{
	size_t *ids = xcalloc(na + nb + 1, sizeof(*ids)), distinct, i, ra = 0, rb = 0;
	size_t *ida, *idb, *in_a, *in_b;
	unsigned char *seen;
	struct myers m;
	long maxd;

	distinct = intern(a, na, b, nb, ids);
	seen = xcalloc(distinct + 1, 1);
	for (i = 0; i < na; i++)
		seen[ids[i]] |= 1;
	for (i = 0; i < nb; i++)
		seen[ids[na + i]] |= 2;
	ida = xcalloc(na + 1, sizeof(*ida));
	idb = xcalloc(nb + 1, sizeof(*idb));
	in_a = xcalloc(na + 1, sizeof(*in_a));
	in_b = xcalloc(nb + 1, sizeof(*in_b));
	for (i = 0; i < na; i++)
		if (seen[ids[i]] == 3) {
			in_a[ra] = i;
			ida[ra++] = ids[i];
		}
	for (i = 0; i < nb; i++)
		if (seen[ids[na + i]] == 3) {
			in_b[rb] = i;
			idb[rb++] = ids[na + i];
		}
	maxd = (long)(ra + rb + 1) / 2;
	m = (struct myers){.a = ida,
			   .b = idb,
			   .keep_a = xcalloc(ra + 1, sizeof(bool)),
			   .keep_b = xcalloc(rb + 1, sizeof(bool)),
			   .v1 = xcalloc((size_t)(2 * maxd + 2), sizeof(long)),
			   .v2 = xcalloc((size_t)(2 * maxd + 2), sizeof(long))};
	myers_diff(&m, 0, (long)ra, 0, (long)rb);
	for (i = 0; i < ra; i++)
		keep_a[in_a[i]] = m.keep_a[i];
	for (i = 0; i < rb; i++)
		keep_b[in_b[i]] = m.keep_b[i];
	free(m.keep_a);
	free(m.keep_b);
	free(m.v1);
	free(m.v2);
	free(in_a);
	free(in_b);
	free(ida);
	free(idb);
	free(seen);
	free(ids);
}

/* A run of changed lines: a[a, a + na) replaced by b[b, b + nb). */
struct change {
	size_t a, na, b, nb;
};

static void print_line(FILE *f, char prefix, const struct line *l)
{
	fprintf(f, "%c%.*s\n", prefix, (int)l->len, l->s);
	if (l->nonl)
		fputs("\\ No newline at end of file\n", f);
}

/* A hunk header's range, as diff -u writes it: "start,count", "start" when one line. */
static void print_range(FILE *f, size_t start, size_t count)
{
	if (count == 1)
		fprintf(f, "%zu", start + 1);
	else
		fprintf(f, "%zu,%zu", count ? start + 1 : start, count);
}

char *golden_diff(const char *want, const char *got)
{
	struct line *a, *b;
	size_t na = split(want, &a), nb = split(got, &b);
	bool *keep_a = xcalloc(na + 1, sizeof(bool)), *keep_b = xcalloc(nb + 1, sizeof(bool));
	struct change *ch = NULL;
	size_t n_ch = 0, cap_ch = 0, i = 0, j = 0, c, e, shown = 0, total = 0, size = 0;
	char *text = NULL;
	FILE *f;

	lcs(a, na, b, nb, keep_a, keep_b);
	while (i < na || j < nb) {
		if (i < na && j < nb && keep_a[i] && keep_b[j]) {
			i++;
			j++;
			continue;
		}
		XGROW(ch, n_ch, cap_ch);
		ch[n_ch] = (struct change){.a = i, .b = j};
		while (i < na && !keep_a[i])
			i++;
		while (j < nb && !keep_b[j])
			j++;
		ch[n_ch].na = i - ch[n_ch].a;
		ch[n_ch].nb = j - ch[n_ch].b;
		total += ch[n_ch].na + ch[n_ch].nb;
		n_ch++;
	}
	f = open_memstream(&text, &size);
	/* A hunk: the changes ch[c..e] whose contexts touch or overlap. */
	for (c = 0; c < n_ch && shown < DIFF_CHANGED; c = e + 1) {
		size_t as, ae, bs, be, after;

		for (e = c; e + 1 < n_ch && ch[e + 1].a - (ch[e].a + ch[e].na) <= 2 * DIFF_CONTEXT;)
			e++;
		as = ch[c].a > DIFF_CONTEXT ? ch[c].a - DIFF_CONTEXT : 0;
		bs = ch[c].b - (ch[c].a - as);
		ae = ch[e].a + ch[e].na;
		be = ch[e].b + ch[e].nb;
		after = na - ae < DIFF_CONTEXT ? na - ae : DIFF_CONTEXT;
		ae += after;
		be += after;
		fputs("@@ -", f);
		print_range(f, as, ae - as);
		fputs(" +", f);
		print_range(f, bs, be - bs);
		fputs(" @@\n", f);
		for (i = as, j = bs; (i < ae || j < be) && shown < DIFF_CHANGED;) {
			if (i < ae && j < be && keep_a[i] && keep_b[j]) {
				print_line(f, ' ', &a[i++]);
				j++;
				continue;
			}
			for (; i < ae && !keep_a[i] && shown < DIFF_CHANGED; shown++)
				print_line(f, '-', &a[i++]);
			for (; j < be && !keep_b[j] && shown < DIFF_CHANGED; shown++)
				print_line(f, '+', &b[j++]);
		}
	}
	if (shown < total)
		fprintf(f, "... %zu more changed lines\n", total - shown);
	fclose(f);
	free(ch);
	free(keep_a);
	free(keep_b);
	free(a);
	free(b);
	return text;
}

/* If s starts with one of words (then a space, ':', ']' or the end), its length; else 0. */
static size_t word_at(const char *s, const char *const *words)
{
	size_t i, n;

	for (i = 0; words[i]; i++) {
		n = strlen(words[i]);
		if (!strncmp(s, words[i], n) && strchr(" :]\n", s[n]))
			return n;
	}
	return 0;
}

/* In a trace line ("[TRACE ...] ... ct NEW reply [DST_NAT]: packet"): the ct part's span. */
static bool trace_ct_span(const char *line, const char *eol, const char **from, const char **to)
{
	static const char *const states[] = {"NEW",	  "ESTABLISHED", "RELATED", "INVALID",
					     "UNTRACKED", "?",		 NULL};
	static const char *const extras[] = {" reply", " [SRC_NAT]", " [DST_NAT]", NULL};
	const char *p = strstr(line, "[TRACE "), *q;
	size_t i, n;

	for (; p && p < eol && (p = strstr(p, " ct ")) && p < eol; p++) {
		n = word_at(p + 4, states);
		if (!n)
			continue;
		q = p + 4 + n;
		for (i = 0; extras[i]; i++)
			if (!strncmp(q, extras[i], strlen(extras[i])))
				q += strlen(extras[i]);
		if (q == eol || *q == ':') {
			*from = p;
			*to = q;
			return true;
		}
	}
	return false;
}

/* In a fate line ("=> fate: ... [ct NEW]", "[no ct entry]"): the conntrack part's span. */
static bool fate_ct_span(const char *line, const char *eol, const char **from, const char **to)
{
	const char *p = line, *q;

	while (*p == ' ')
		p++;
	if (strncmp(p, "=> fate:", 8))
		return false;
	if ((q = strstr(p, " [no ct entry]")) && q < eol) {
		*from = q;
		*to = q + strlen(" [no ct entry]");
		return true;
	}
	for (q = p; (q = strstr(q, " [ct ")) && q < eol; q++) {
		const char *end = memchr(q, ']', (size_t)(eol - q));

		if (end && (end + 1 == eol || end[1] == ' ')) {
			*from = q;
			*to = end + 1;
			return true;
		}
	}
	return false;
}

/* In an NFLOG line ("[NFLOG 5] \"pfx\" forward in=eth0 NEW: packet"): the state's span. */
static bool nflog_ct_span(const char *line, const char *eol, const char **from, const char **to)
{
	static const char *const hooks[] = {"prerouting",  "input", "forward", "output",
					    "postrouting", "?",	    NULL};
	static const char *const states[] = {"conntrack unknown",
					     "no conntrack",
					     "ESTABLISHED_REPLY",
					     "RELATED_REPLY",
					     "ESTABLISHED",
					     "RELATED",
					     "NEW",
					     "UNTRACKED",
					     NULL};
	const char *p = strstr(line, "[NFLOG "), *q;
	size_t n;

	/* The prefix is quoted and may hold anything: the hook after it is the anchor. */
	for (; p && p < eol && (p = strstr(p, "\" ")) && p < eol; p++) {
		n = word_at(p + 2, hooks);
		if (!n)
			continue;
		q = p + 2 + n;
		while (q < eol && (!strncmp(q, " in=", 4) || !strncmp(q, " out=", 5)))
			for (q++; q < eol && *q != ' ';)
				q++;
		if (*q != ' ' || !(n = word_at(q + 1, states)) || q[1 + n] != ':')
			continue;
		*from = q;
		*to = q + 1 + n;
		return true;
	}
	return false;
}

/* In a trace line, "return continue" right after "[TRACE *] TABLE CHAIN": its span. */
static bool chain_end_span(const char *line, const char *eol, const char **from, const char **to)
{
	const char *p = strstr(line, "[TRACE "), *q;
	int words;

	if (!p || p >= eol || !(p = memchr(p, ']', (size_t)(eol - p))))
		return false;
	for (words = 0, q = p + 1; words < 2; words++) { /* the table, the chain */
		if (*q != ' ')
			return false;
		for (q++; q < eol && *q != ' ';)
			q++;
	}
	if (strncmp(q, " return continue", 16) || !strchr(" :\n", q[16]))
		return false;
	*from = q + 1;
	*to = q + 7;
	return true;
}

/* The end of the line that starts at line: its '\n', or the end of the text. */
static const char *line_end(const char *line)
{
	const char *eol = strchr(line, '\n');

	return eol ? eol : line + strlen(line);
}

/* The line after the one that ends at eol (the text's end stays there). */
#define NEXT_LINE(eol) (*(eol) ? (eol) + 1 : (eol))

char *golden_without(const char *text, unsigned int parts)
{
	char *out = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&out, &size);
	const char *line, *eol;

	for (line = text; *line; line = NEXT_LINE(eol)) {
		const char *from, *to, *at = line, *end_from, *end_to;
		bool cut;

		eol = line_end(line);
		cut = ((parts & GOLDEN_TRACE_CT) && (trace_ct_span(line, eol, &from, &to) ||
						     fate_ct_span(line, eol, &from, &to))) ||
		      ((parts & GOLDEN_NFLOG_CT) && nflog_ct_span(line, eol, &from, &to));
		if (!cut)
			from = to = eol;
		/* The end of a chain comes before the ct part on the same line. */
		if ((parts & GOLDEN_CHAIN_END) && chain_end_span(line, eol, &end_from, &end_to) &&
		    end_to <= from) {
			fwrite(line, 1, (size_t)(end_from - line), f);
			fputs("rule", f);
			at = end_to;
		}
		fwrite(at, 1, (size_t)(from - at), f);
		fwrite(to, 1, (size_t)(eol - to), f);
		if (*eol)
			fputc('\n', f);
	}
	fclose(f);
	return out;
}

int golden_nflog_ct_unknown(const char *text)
{
	const char *line, *eol, *from, *to;
	int said = -1;

	for (line = text; *line; line = NEXT_LINE(eol)) {
		eol = line_end(line);
		if (nflog_ct_span(line, eol, &from, &to)) {
			if (!strncmp(from, " conntrack unknown", 18))
				return 1;
			said = 0;
		}
	}
	return said;
}

/* Does a trace line of text end a chain with "return continue"? */
static bool has_chain_end(const char *text)
{
	const char *line, *eol, *from, *to;

	for (line = text; *line; line = NEXT_LINE(eol)) {
		eol = line_end(line);
		if (chain_end_span(line, eol, &from, &to))
			return true;
	}
	return false;
}

int golden_compare(const char *path, const char *got_all, const char *got_path,
		   unsigned int without, unsigned int *left_out, char **diff, struct diag *d)
{
	struct diag wd = DIAG_INIT;
	char *want, *hunks, *text = NULL, *got, *raw;
	size_t len, size = 0;
	bool saved = false;
	int want_unknown, got_unknown;
	FILE *f;

	raw = lab_read_file(path, &len, d);
	if (!raw)
		return -1;
	/* NFLOG conntrack is compared only when both kernels gave it, or neither. */
	want_unknown = golden_nflog_ct_unknown(raw);
	got_unknown = golden_nflog_ct_unknown(got_all);
	if (want_unknown >= 0 && got_unknown >= 0 && want_unknown != got_unknown)
		without |= GOLDEN_NFLOG_CT | (want_unknown ? GOLDEN_NFLOG_CT_RECORDED_NONE : 0);
	/* Said only when the two name a chain's end apart: one kernel never does. */
	if (has_chain_end(raw) != has_chain_end(got_all))
		without |= GOLDEN_CHAIN_END;
	want = golden_without(raw, without);
	got = golden_without(got_all, without);
	/* Only what was there to leave out is said to be left out. */
	if (!strcmp(want, raw) && !strcmp(got, got_all))
		without = 0;
	if (left_out)
		*left_out = without;
	free(raw);
	if (!strcmp(want, got)) {
		free(want);
		free(got);
		return 0;
	}
	hunks = golden_diff(want, got);
	if (got_path) /* what the run gave, whole: --update-expected would write it */
		saved = !golden_write(got_path, got_all, &wd);
	f = open_memstream(&text, &size);
	fprintf(f, "the event stream differs from %s (-expected +got):\n", path);
	fprintf(f, "--- %s\n+++ %s\n", path, saved ? got_path : "got");
	fputs(hunks, f);
	if (saved)
		fprintf(f, "the stream got is in %s, for diff or meld\n", got_path);
	else if (got_path)
		fprintf(f, "the stream got is not saved: %s\n", wd.msg);
	fprintf(f, "if the change is right: nflab run --update-expected, and review the file\n");
	fclose(f);
	*diff = text;
	free(hunks);
	free(want);
	free(got);
	return 1;
}
