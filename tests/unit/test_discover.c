// SPDX-License-Identifier: GPL-2.0-or-later
/* Lab discovery for `nflab test`: recursion, order, filters, and shards that add up. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "suite/discover.h"

static char root[] = "/tmp/nflab-discover.XXXXXX";

static void touch(const char *rel)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	f = fopen(path, "w");
	assert_non_null(f);
	fclose(f);
}

static int setup(void **state)
{
	char path[256];

	(void)state;
	if (!mkdtemp(root))
		return -1;
	snprintf(path, sizeof(path), "%s/nat", root);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/nat/deep", root);
	mkdir(path, 0755);
	touch("b.yaml");
	touch("a.yaml");
	touch("notes.txt");
	touch(".hidden.yaml");
	touch("nat/dnat.yaml");
	touch("nat/deep/snat.yaml");
	return 0;
}

static int teardown(void **state)
{
	char cmd[300];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", root);
	return system(cmd);
}

static void test_discover_and_filter(void **state)
{
	struct lab_list l = {0};
	struct diag d = DIAG_INIT;
	char *paths[2], a[256];

	(void)state;
	snprintf(a, sizeof(a), "%s/a.yaml", root);
	paths[0] = root;
	paths[1] = a; /* named twice: run once */
	assert_int_equal(discover_labs(paths, 2, &l, &d), 0);
	assert_int_equal(l.n, 4);
	assert_non_null(strstr(l.paths[0], "/a.yaml"));
	assert_non_null(strstr(l.paths[1], "/b.yaml"));
	assert_non_null(strstr(l.paths[2], "/nat/deep/snat.yaml"));
	assert_non_null(strstr(l.paths[3], "/nat/dnat.yaml"));
	filter_labs(&l, "nat");
	assert_int_equal(l.n, 2);
	filter_labs(&l, "*/deep/*");
	assert_int_equal(l.n, 1);
	lab_list_release(&l);
	paths[0] = "/nonexistent/nflab";
	assert_int_equal(discover_labs(paths, 1, &l, &d), -1);
	assert_non_null(strstr(d.msg, "/nonexistent/nflab"));
	lab_list_release(&l);
}

/* Every path lands in exactly one shard, and no shard is left empty by bad hashing. */
static void test_shards_partition(void **state)
{
	unsigned int count[5] = {0};
	char path[64];
	int i;

	(void)state;
	for (i = 0; i < 1000; i++) {
		unsigned int s;

		snprintf(path, sizeof(path), "labs/x/lab-%d.yaml", i);
		s = lab_shard(path, 4);
		assert_true(s >= 1 && s <= 4);
		assert_int_equal(lab_shard(path, 4), s); /* stable */
		count[s]++;
	}
	for (i = 1; i <= 4; i++)
		assert_true(count[i] > 150);
	assert_int_equal(lab_shard("anything", 1), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_discover_and_filter),
		cmocka_unit_test(test_shards_partition),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
