// SPDX-License-Identifier: GPL-2.0-or-later
/* Golden timelines: the unified diff of two event streams, and saving the stream got. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "report/golden.h"
#include "util/xalloc.h"

/* "event 1\n" ... "event n\n", with line k (1-based) replaced by repl[k] when set. */
static char *events(size_t n, const char *const *repl, size_t n_repl)
{
	char *text = NULL;
	size_t size = 0, i;
	FILE *f = open_memstream(&text, &size);

	for (i = 1; i <= n; i++)
		if (i < n_repl && repl[i])
			fprintf(f, "%s\n", repl[i]);
		else
			fprintf(f, "event %zu\n", i);
	fclose(f);
	return text;
}

static void assert_diff(const char *want, const char *got, const char *hunks)
{
	char *diff = golden_diff(want, got);

	assert_string_equal(diff, hunks);
	free(diff);
}

/* Two one-line changes 51 lines apart: two hunks, each with its own context. */
static void test_two_changes(void **state)
{
	const char *repl[72] = {[20] = "EVENT 20", [71] = "EVENT 71"};
	char *want = events(100, NULL, 0), *got = events(100, repl, 72);

	(void)state;
	assert_diff(want, got,
		    "@@ -17,7 +17,7 @@\n"
		    " event 17\n"
		    " event 18\n"
		    " event 19\n"
		    "-event 20\n"
		    "+EVENT 20\n"
		    " event 21\n"
		    " event 22\n"
		    " event 23\n"
		    "@@ -68,7 +68,7 @@\n"
		    " event 68\n"
		    " event 69\n"
		    " event 70\n"
		    "-event 71\n"
		    "+EVENT 71\n"
		    " event 72\n"
		    " event 73\n"
		    " event 74\n");
	free(want);
	free(got);
}

/* Changes 6 unchanged lines apart share a hunk (their contexts touch); 7 apart do not. */
static void test_hunks_merge(void **state)
{
	const char *near[13] = {[5] = "X", [12] = "Y"}, *far[14] = {[5] = "X", [13] = "Y"};
	char *want = events(20, NULL, 0), *got = events(20, near, 13);

	(void)state;
	assert_diff(want, got,
		    "@@ -2,14 +2,14 @@\n event 2\n event 3\n event 4\n-event 5\n+X\n event 6\n"
		    " event 7\n event 8\n event 9\n event 10\n event 11\n-event 12\n+Y\n"
		    " event 13\n event 14\n event 15\n");
	free(got);
	got = events(20, far, 14);
	assert_diff(want, got,
		    "@@ -2,7 +2,7 @@\n event 2\n event 3\n event 4\n-event 5\n+X\n event 6\n"
		    " event 7\n event 8\n"
		    "@@ -10,7 +10,7 @@\n event 10\n event 11\n event 12\n-event 13\n+Y\n"
		    " event 14\n event 15\n event 16\n");
	free(want);
	free(got);
}

static void test_insertion(void **state)
{
	(void)state;
	assert_diff("1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n", "1\n2\n3\n4\n5\nnew\n6\n7\n8\n9\n10\n",
		    "@@ -3,6 +3,7 @@\n 3\n 4\n 5\n+new\n 6\n 7\n 8\n");
	assert_diff("a\nb\n", "new\na\nb\n", "@@ -1,2 +1,3 @@\n+new\n a\n b\n");
	assert_diff("a\nb\n", "a\nb\nnew\n", "@@ -1,2 +1,3 @@\n a\n b\n+new\n");
}

static void test_deletion(void **state)
{
	(void)state;
	assert_diff("1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n", "1\n2\n3\n4\n6\n7\n8\n9\n10\n",
		    "@@ -2,7 +2,6 @@\n 2\n 3\n 4\n-5\n 6\n 7\n 8\n");
	assert_diff("a\nb\nc\n", "b\nc\n", "@@ -1,3 +1,2 @@\n-a\n b\n c\n");
}

static void test_identical(void **state)
{
	char *want = events(100, NULL, 0);

	(void)state;
	assert_diff(want, want, "");
	assert_diff("", "", "");
	free(want);
}

static void test_all_different(void **state)
{
	(void)state;
	assert_diff("a\nb\nc\n", "x\ny\n", "@@ -1,3 +1,2 @@\n-a\n-b\n-c\n+x\n+y\n");
	assert_diff("a\n", "b\n", "@@ -1 +1 @@\n-a\n+b\n");
}

static void test_empty(void **state)
{
	(void)state;
	assert_diff("", "x\ny\n", "@@ -0,0 +1,2 @@\n+x\n+y\n");
	assert_diff("x\ny\n", "", "@@ -1,2 +0,0 @@\n-x\n-y\n");
}

static void test_no_newline(void **state)
{
	(void)state;
	assert_diff("a\nb", "a\nb\n",
		    "@@ -1,2 +1,2 @@\n a\n-b\n\\ No newline at end of file\n+b\n");
}

/* Applies diff's hunks to a, checking every context and removed line. */
static char *patch(const char *a, const char *diff)
{
	char *text = NULL, *d = xstrdup(diff), *line, *save = NULL;
	const char *p = a;
	size_t size = 0, at = 0; /* lines of a consumed */
	FILE *f = open_memstream(&text, &size);

	for (line = strtok_r(d, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		unsigned long start, count = 1;
		const char *eol;

		if (!strncmp(line, "@@ -", 4)) {
			char *end;

			start = strtoul(line + 4, &end, 10);
			if (*end == ',')
				count = strtoul(end + 1, NULL, 10);
			/* From 1; an empty range is named by the line before it. */
			if (count)
				start--;
			for (; at < start; at++) {
				eol = strchr(p, '\n');
				fprintf(f, "%.*s\n", (int)(eol - p), p);
				p = eol + 1;
			}
			continue;
		}
		if (line[0] == '+') {
			fprintf(f, "%s\n", line + 1);
			continue;
		}
		eol = strchr(p, '\n');
		assert_non_null(eol);
		assert_int_equal(strlen(line + 1), eol - p);
		assert_memory_equal(line + 1, p, (size_t)(eol - p));
		if (line[0] == ' ')
			fprintf(f, "%s\n", line + 1);
		else
			assert_int_equal(line[0], '-');
		p = eol + 1;
		at++;
	}
	fputs(p, f);
	fclose(f);
	free(d);
	return text;
}

static size_t split_lines(char *text, char **lines)
{
	size_t n = 0;
	char *save = NULL, *l;

	for (l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save))
		lines[n++] = l;
	return n;
}

/* The length of a longest common subsequence of two texts' lines, by the textbook table. */
static size_t lcs_length(const char *a, const char *b)
{
	char *ca = xstrdup(a), *cb = xstrdup(b), *la[64], *lb[64];
	size_t na = split_lines(ca, la), nb = split_lines(cb, lb), t[65][65] = {{0}}, i, j;

	for (i = 1; i <= na; i++)
		for (j = 1; j <= nb; j++)
			if (!strcmp(la[i - 1], lb[j - 1]))
				t[i][j] = t[i - 1][j - 1] + 1;
			else
				t[i][j] = t[i - 1][j] > t[i][j - 1] ? t[i - 1][j] : t[i][j - 1];
	free(ca);
	free(cb);
	return t[na][nb];
}

static char *random_text(size_t *n)
{
	static const char *const words[] = {"a", "b", "c", "d", "e"};
	char *text = NULL;
	size_t size = 0, i;
	FILE *f = open_memstream(&text, &size);

	*n = (size_t)(rand() % 40);
	for (i = 0; i < *n; i++)
		fprintf(f, "%s\n", words[rand() % (1 + rand() % 5)]);
	fclose(f);
	return text;
}

/* Random texts: the hunks turn want into got, with as few changed lines as can be. */
static void test_random(void **state)
{
	int round;

	(void)state;
	srand(16);
	for (round = 0; round < 3000; round++) {
		size_t na, nb, changed = 0;
		char *a = random_text(&na), *b = random_text(&nb);
		char *diff = golden_diff(a, b), *back = patch(a, diff);
		const char *l;

		assert_string_equal(back, b);
		for (l = diff; *l; l = strchr(l, '\n') + 1)
			changed += *l == '-' || *l == '+';
		assert_int_equal(changed, na + nb - 2 * lcs_length(a, b));
		free(back);
		free(diff);
		free(a);
		free(b);
	}
}

/* Thousands of lines: fast and exact; and a flood of changes is counted past 2000 lines. */
static void test_big(void **state)
{
	const char *repl[19001] = {
		[10] = "EVENT 10", [9000] = "EVENT 9000", [19000] = "EVENT 19000"};
	char *want = events(20000, NULL, 0), *got = events(20000, repl, 19001), *diff, *p;
	char *other = NULL;
	size_t size = 0, i, n = 0;
	FILE *f;

	(void)state;
	diff = golden_diff(want, got);
	for (p = diff; (p = strstr(p, "\n@@ ")); p++)
		n++;
	assert_int_equal(n, 2); /* and the first at the start */
	assert_non_null(strstr(diff, "@@ -8997,7 +8997,7 @@\n event 8997\n"));
	assert_non_null(strstr(diff, "-event 19000\n+EVENT 19000\n"));
	free(diff);
	f = open_memstream(&other, &size);
	for (i = 0; i < 20000; i++)
		fprintf(f, "other %zu\n", i);
	fclose(f);
	diff = golden_diff(want, other);
	assert_true(!strncmp(diff, "@@ -1,20000 +1,20000 @@\n-event 1\n", 32));
	assert_non_null(strstr(diff, "\n-event 2000\n... 38000 more changed lines\n"));
	free(diff);
	free(other);
	free(want);
	free(got);
}

static char *read_text(const char *path)
{
	char *text = NULL;
	size_t size = 0;
	FILE *f = fopen(path, "r"), *m = open_memstream(&text, &size);
	int c;

	assert_non_null(f);
	while ((c = getc(f)) != EOF)
		putc(c, m);
	fclose(f);
	fclose(m);
	return text;
}

/* Files in dir whose name starts with a dot (golden_write()'s temporary files). */
static size_t dot_files(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t n = 0;

	assert_non_null(d);
	while ((e = readdir(d)))
		n += e->d_name[0] == '.' && strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
	closedir(d);
	return n;
}

/* A differing stream is saved where the message says; one that cannot be is said to be not. */
static void test_compare_saves(void **state)
{
	char dir[] = "/tmp/nflab-test-golden.XXXXXX", *golden, *got_path, *diff = NULL, *text;
	char *bad;
	struct diag d = DIAG_INIT;

	(void)state;
	assert_non_null(mkdtemp(dir));
	golden = xasprintf("%s/expected/nat/x.timeline", dir);
	got_path = xasprintf("%s.got", golden);
	assert_int_equal(golden_write(golden, "a\nb\nc\n", &d), 0);
	assert_int_equal(golden_compare(golden, "a\nb\nc\n", got_path, 0, NULL, &diff, &d), 0);
	assert_null(diff);
	assert_int_equal(access(got_path, F_OK), -1);

	assert_int_equal(golden_compare(golden, "a\nB\nc\n", got_path, 0, NULL, &diff, &d), 1);
	text = xasprintf(
		"the event stream differs from %s (-expected +got):\n"
		"--- %s\n+++ %s\n"
		"@@ -1,3 +1,3 @@\n a\n-b\n+B\n c\n"
		"the stream got is in %s, for diff or meld\n"
		"if the change is right: nflab run --update-expected, and review the file\n",
		golden, golden, got_path, got_path);
	assert_string_equal(diff, text);
	free(text);
	free(diff);
	text = read_text(got_path);
	assert_string_equal(text, "a\nB\nc\n");
	free(text);

	/* Under a regular file: cannot be written, and the comparison still fails. */
	bad = xasprintf("%s/sub/timeline.got", golden);
	assert_int_equal(golden_compare(golden, "a\nB\nc\n", bad, 0, NULL, &diff, &d), 1);
	assert_false(d.set);
	assert_non_null(strstr(diff, "+++ got\n"));
	assert_non_null(strstr(diff, "the stream got is not saved: cannot create the directories"));
	free(diff);
	free(bad);

	/* Without a place to save it. */
	assert_int_equal(golden_compare(golden, "a\nB\nc\n", NULL, 0, NULL, &diff, &d), 1);
	assert_null(strstr(diff, "saved"));
	free(diff);

	text = xasprintf("%s/missing.timeline", dir);
	assert_int_equal(golden_compare(text, "a\n", NULL, 0, NULL, &diff, &d), -1);
	assert_true(d.set);
	free(text);

	text = xasprintf("rm -rf '%s'", dir);
	assert_int_equal(system(text), 0);
	free(text);
	free(golden);
	free(got_path);
}

/* golden_write() replaces a symlink at the path instead of writing through it. */
static void test_write_replaces(void **state)
{
	char dir[] = "/tmp/nflab-test-golden.XXXXXX", *path, *victim, *text;
	struct diag d = DIAG_INIT;
	struct stat st;

	(void)state;
	assert_non_null(mkdtemp(dir));
	path = xasprintf("%s/x.timeline", dir);
	victim = xasprintf("%s/victim", dir);
	assert_int_equal(golden_write(victim, "keep\n", &d), 0);
	assert_int_equal(symlink(victim, path), 0);
	assert_int_equal(golden_write(path, "new\n", &d), 0);
	assert_int_equal(lstat(path, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(st.st_mode & 07777, 0644);
	text = read_text(path);
	assert_string_equal(text, "new\n");
	free(text);
	text = read_text(victim);
	assert_string_equal(text, "keep\n");
	free(text);
	assert_int_equal(dot_files(dir), 0);
	free(path);
	free(victim);
	text = xasprintf("rm -rf '%s'", dir);
	assert_int_equal(system(text), 0);
	free(text);
}

/* Lines of a timeline recorded on 6.18 (trace conntrack, no NFLOG conntrack). */
#define TL_TRACE                                                                                   \
	"    fw trace           [TRACE *] filter forward rule handle * \"reject-published\" drop " \
	"in=eth0 out=eth1 ct NEW [DST_NAT]: 198.51.100.10.EPH > 192.168.1.10.9: UDP, length 5\n"
#define TL_TRACE_BARE                                                                              \
	"    fw trace           [TRACE *] filter forward rule handle * \"reject-published\" drop " \
	"in=eth0 out=eth1: 198.51.100.10.EPH > 192.168.1.10.9: UDP, length 5\n"
#define TL_REPLY                                                                                  \
	"    fw trace           [TRACE *] filter output policy accept out=eth0 ct RELATED reply " \
	"[DST_NAT]: 192.168.42.1 > 198.51.100.10: ICMP port unreachable\n"
#define TL_REPLY_BARE                                                                            \
	"    fw trace           [TRACE *] filter output policy accept out=eth0: 192.168.42.1 > " \
	"198.51.100.10: ICMP port unreachable\n"
#define TL_FATE \
	"    => fate: rejected at fw by ip filter forward rule \"r\" (handle *): drop [ct NEW]\n"
#define TL_FATE_NONE                                                                           \
	"    => fate: rejected at fw by ip filter forward rule \"r\" (handle *): drop [no ct " \
	"entry]\n"
#define TL_FATE_BARE \
	"    => fate: rejected at fw by ip filter forward rule \"r\" (handle *): drop\n"
#define TL_NFLOG(state)                                                                    \
	"    fw nflog           [NFLOG 5] \"fwd: ct NEW\" forward in=eth0 out=eth1 " state \
	": 198.51.100.10.EPH > 192.168.1.10.5353: UDP, length 2\n"
#define TL_NFLOG_BARE                                                                 \
	"    fw nflog           [NFLOG 5] \"fwd: ct NEW\" forward in=eth0 out=eth1: " \
	"198.51.100.10.EPH > 192.168.1.10.5353: UDP, length 2\n"

static void remove_dir(const char *dir)
{
	char *cmd = xasprintf("rm -rf '%s'", dir);

	assert_int_equal(system(cmd), 0);
	free(cmd);
}

static void check_without(const char *text, unsigned int parts, const char *want)
{
	char *got = golden_without(text, parts);

	assert_string_equal(got, want);
	free(got);
}

/* Trace conntrack goes from trace and fate lines, and from nothing else. */
static void test_without_trace_ct(void **state)
{
	(void)state;
	check_without(TL_TRACE, GOLDEN_TRACE_CT, TL_TRACE_BARE);
	check_without(TL_REPLY, GOLDEN_TRACE_CT, TL_REPLY_BARE);
	check_without(TL_FATE, GOLDEN_TRACE_CT, TL_FATE_BARE);
	check_without(TL_FATE_NONE, GOLDEN_TRACE_CT, TL_FATE_BARE);
	/* Not asked: kept whole. */
	check_without(TL_TRACE TL_FATE, 0, TL_TRACE TL_FATE);
	check_without(TL_TRACE TL_FATE, GOLDEN_NFLOG_CT, TL_TRACE TL_FATE);
	/* An NFLOG prefix saying "ct NEW" is the lab's text, not the kernel's conntrack. */
	check_without(TL_NFLOG("NEW"), GOLDEN_TRACE_CT, TL_NFLOG("NEW"));
	/* A packet line is never touched, nor a text without a final newline. */
	check_without("- 1.2.3.4 > 5.6.7.8: ct NEW\n", GOLDEN_TRACE_CT,
		      "- 1.2.3.4 > 5.6.7.8: ct NEW\n");
	check_without("    => fate: dropped [ct NEW]", GOLDEN_TRACE_CT, "    => fate: dropped");
}

static void test_without_nflog_ct(void **state)
{
	(void)state;
	check_without(TL_NFLOG("conntrack unknown"), GOLDEN_NFLOG_CT, TL_NFLOG_BARE);
	check_without(TL_NFLOG("RELATED_REPLY"), GOLDEN_NFLOG_CT, TL_NFLOG_BARE);
	check_without(TL_NFLOG("NEW") TL_TRACE, GOLDEN_NFLOG_CT, TL_NFLOG_BARE TL_TRACE);
	assert_int_equal(golden_nflog_ct_unknown(TL_TRACE), -1);
	assert_int_equal(golden_nflog_ct_unknown(TL_NFLOG("NEW")), 0);
	assert_int_equal(golden_nflog_ct_unknown(TL_TRACE TL_NFLOG("conntrack unknown")), 1);
}

/* A chain's end: "return continue" (6.1) read as "rule continue" (6.18), and nothing else. */
static void test_chain_end(void **state)
{
	char dir[] = "/tmp/nflab-test-golden.XXXXXX", *golden, *diff = NULL;
	struct diag d = DIAG_INIT;
	unsigned int left = 0;

	(void)state;
	check_without(
		"    fw trace           [TRACE *] filter output return continue out=eth0 ct NEW: "
		"x\n",
		GOLDEN_CHAIN_END | GOLDEN_TRACE_CT,
		"    fw trace           [TRACE *] filter output rule continue out=eth0: x\n");
	/* A rule's own return verdict, with its handle, is another event. */
	check_without("    fw trace           [TRACE *] filter sub rule handle * return\n",
		      GOLDEN_CHAIN_END,
		      "    fw trace           [TRACE *] filter sub rule handle * return\n");
	check_without("    fw trace           [TRACE *] filter output return continue\n", 0,
		      "    fw trace           [TRACE *] filter output return continue\n");
	assert_non_null(mkdtemp(dir));
	golden = xasprintf("%s/g.timeline", dir);
	assert_int_equal(
		golden_write(golden,
			     TL_REPLY_BARE
			     "    fw trace           [TRACE *] filter output rule continue\n",
			     &d),
		0);
	assert_int_equal(golden_compare(golden,
					TL_REPLY_BARE "    fw trace           [TRACE *] filter "
						      "output return continue\n",
					NULL, 0, &left, &diff, &d),
			 0);
	assert_int_equal(left, GOLDEN_CHAIN_END);
	/* A policy that changed is still a difference. */
	assert_int_equal(
		golden_compare(golden,
			       "    fw trace           [TRACE *] filter output policy drop\n"
			       "    fw trace           [TRACE *] filter output return continue\n",
			       NULL, 0, &left, &diff, &d),
		1);
	free(diff);
	free(golden);
	remove_dir(dir);
}

/* golden_compare(): what is left out, and that a real difference still fails. */
static void test_compare_without(void **state)
{
	char dir[] = "/tmp/nflab-test-golden.XXXXXX", *golden, *diff = NULL;
	struct diag d = DIAG_INIT;
	unsigned int left = 99;

	(void)state;
	assert_non_null(mkdtemp(dir));
	golden = xasprintf("%s/g.timeline", dir);
	assert_int_equal(golden_write(golden, TL_TRACE TL_FATE TL_NFLOG("conntrack unknown"), &d),
			 0);
	/* A kernel without trace conntrack, with NFLOG conntrack (Debian's 6.1). */
	assert_int_equal(golden_compare(golden, TL_TRACE_BARE TL_FATE_NONE TL_NFLOG("NEW"), NULL,
					GOLDEN_TRACE_CT, &left, &diff, &d),
			 0);
	assert_int_equal(left, GOLDEN_TRACE_CT | GOLDEN_NFLOG_CT | GOLDEN_NFLOG_CT_RECORDED_NONE);
	/* Not told the kernel lacks trace conntrack: the lines differ. */
	assert_int_equal(golden_compare(golden, TL_TRACE_BARE TL_FATE TL_NFLOG("NEW"), NULL, 0,
					&left, &diff, &d),
			 1);
	assert_non_null(strstr(diff, "-" TL_TRACE));
	free(diff);
	/* The same kernel as the file's: nothing left out, and a changed verdict still shows. */
	assert_int_equal(golden_compare(golden, TL_TRACE TL_FATE TL_NFLOG("conntrack unknown"),
					NULL, 0, &left, &diff, &d),
			 0);
	assert_int_equal(left, 0);
	assert_int_equal(golden_compare(golden, TL_REPLY_BARE TL_FATE_NONE TL_NFLOG("NEW"), NULL,
					GOLDEN_TRACE_CT, &left, &diff, &d),
			 1);
	free(diff);
	free(golden);
	remove_dir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_two_changes),
		cmocka_unit_test(test_hunks_merge),
		cmocka_unit_test(test_insertion),
		cmocka_unit_test(test_deletion),
		cmocka_unit_test(test_identical),
		cmocka_unit_test(test_all_different),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_no_newline),
		cmocka_unit_test(test_random),
		cmocka_unit_test(test_big),
		cmocka_unit_test(test_compare_saves),
		cmocka_unit_test(test_write_replaces),
		cmocka_unit_test(test_without_trace_ct),
		cmocka_unit_test(test_without_nflog_ct),
		cmocka_unit_test(test_compare_without),
		cmocka_unit_test(test_chain_end),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
