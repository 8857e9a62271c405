// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Output files are whole or absent: two writers of one path never mix their
 * bytes, a symlink at the path is replaced and not followed, a bad path is
 * refused before any work, and nothing but the target is ever left behind.
 */
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

#include "util/outfile.h"
#include "util/xalloc.h"

static char dir[64];

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/nflab-outfile.XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = xmalloc(1 << 16);
	size_t n;

	assert_non_null(f);
	n = fread(buf, 1, (1 << 16) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

/* The names in dir, sorted, joined by spaces. */
static char *listing(void)
{
	struct dirent **names;
	int n = scandir(dir, &names, NULL, alphasort), i;
	char *out = xstrdup("");

	assert_true(n >= 0);
	for (i = 0; i < n; i++) {
		if (strcmp(names[i]->d_name, ".") && strcmp(names[i]->d_name, "..")) {
			char *next = xasprintf("%s%s%s", out, *out ? " " : "", names[i]->d_name);

			free(out);
			out = next;
		}
		free(names[i]);
	}
	free(names);
	return out;
}

/* A writes half, B writes all and commits, A finishes: A's file whole, nothing of B's. */
static void test_interleaved_writers(void **state)
{
	char *path = xasprintf("%s/client-eth0.pcapng", dir), *text, *names;
	struct outfile a, b;
	struct diag d = DIAG_INIT;

	(void)state;
	assert_non_null(outfile_open(&a, path, &d));
	assert_non_null(outfile_open(&b, path, &d));
	fputs("AAAA first half;", a.f);
	fflush(a.f);
	fputs("BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB the whole of B\n", b.f);
	assert_int_equal(outfile_commit(&b, &d), 0);
	text = slurp(path);
	assert_string_equal(text,
			    "BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB the whole of B\n");
	free(text);
	fputs("AAAA second half\n", a.f);
	assert_int_equal(outfile_commit(&a, &d), 0);
	text = slurp(path);
	assert_string_equal(text, "AAAA first half;AAAA second half\n");
	free(text);
	names = listing();
	assert_string_equal(names, "client-eth0.pcapng"); /* no temporary name left */
	free(names);
	free(path);
}

/* A symlink at the path is replaced; the file it pointed to is untouched. */
static void test_symlink_replaced(void **state)
{
	char *path = xasprintf("%s/report.xml", dir), *victim = xasprintf("%s/victim", dir);
	char *text;
	struct diag d = DIAG_INIT;
	struct stat st;

	(void)state;
	assert_int_equal(outfile_write(victim, "precious\n", 9, &d), 0);
	assert_int_equal(symlink(victim, path), 0);
	assert_int_equal(outfile_write(path, "<report/>\n", 10, &d), 0);
	assert_int_equal(lstat(path, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	text = slurp(victim);
	assert_string_equal(text, "precious\n");
	free(text);
	free(path);
	free(victim);
}

/* Discarded: the old file stays as it was, and nothing else appears. */
static void test_discard_keeps_old(void **state)
{
	char *path = xasprintf("%s/events.jsonl", dir), *text, *names;
	struct outfile of;
	struct diag d = DIAG_INIT;

	(void)state;
	assert_int_equal(outfile_write(path, "old\n", 4, &d), 0);
	assert_non_null(outfile_open(&of, path, &d));
	fputs("half of the new", of.f);
	outfile_discard(&of);
	text = slurp(path);
	assert_string_equal(text, "old\n");
	free(text);
	names = listing();
	assert_string_equal(names, "events.jsonl");
	free(names);
	free(path);
}

/* Refused before any work: a missing directory, a directory as the file. */
static void test_bad_paths(void **state)
{
	char *missing = xasprintf("%s/no/such/j.xml", dir);
	char *sub = xasprintf("%s/sub", dir), *slash = xasprintf("%s/sub/", dir);
	struct diag d = DIAG_INIT;

	(void)state;
	assert_int_equal(outfile_check(missing, &d), -1);
	assert_non_null(strstr(d.msg, "No such file or directory"));
	diag_clear(&d);
	assert_int_equal(mkdir(sub, 0755), 0);
	assert_int_equal(outfile_check(sub, &d), -1);
	assert_non_null(strstr(d.msg, "is a directory"));
	diag_clear(&d);
	assert_int_equal(outfile_check(slash, &d), -1);
	diag_clear(&d);
	assert_int_equal(outfile_check_dir(missing, &d), -1); /* its parent is missing too */
	diag_clear(&d);
	assert_int_equal(outfile_check_dir(sub, &d), 0);
	free(missing);
	free(sub);
	free(slash);
}

/* A name from a lab is one file directly in the directory, or refused. */
static void test_join(void **state)
{
	static const char *const bad[] = {"", ".", "..", "../x", "a/b", "x\033", "x\n", NULL};
	struct diag d = DIAG_INIT;
	char *path;
	size_t i;

	(void)state;
	path = outfile_join("out", "lab-a..b.pcapng", &d);
	assert_string_equal(path, "out/lab-a..b.pcapng");
	free(path);
	for (i = 0; bad[i]; i++) {
		diag_clear(&d);
		assert_null(outfile_join("out", bad[i], &d));
		assert_non_null(strstr(d.msg, "not one plain file name"));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_interleaved_writers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_symlink_replaced, setup, teardown),
		cmocka_unit_test_setup_teardown(test_discard_keeps_old, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_paths, setup, teardown),
		cmocka_unit_test(test_join),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
