// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Lab discovery for `nflab test`: recursion, order, filters, and shards that add
 * up; and the order labs start in, longest by design first.
 */
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
#include "suite/estimate.h"

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

/* A lab's estimate is its steps' designed waits plus 1 ms per node and per step. */
static void test_estimate(void **state)
{
	static const char lab[] =
		"name: est\n"
		"nodes:\n"
		"  a: {interfaces: {eth0: 10.0.0.1/24}}\n"
		"  b: {interfaces: {eth0: 10.0.0.2/24}}\n"
		"links: [[a:eth0, b:eth0]]\n"
		"steps:\n"
		"  - wait: 200ms\n"
		"  - ping: {from: a, to: 10.0.0.2, outcome: no-reply, timeout: 100ms}\n"
		"  - ping: {from: a, to: 10.0.0.2, count: 3, interval: 50ms}\n"
		"  - ping: {from: a, to: 10.0.0.2}\n";
	char path[256];
	FILE *f;

	(void)state;
	snprintf(path, sizeof(path), "%s/est.lab", root);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(lab, f);
	fclose(f);
	/* 2 nodes, 4 steps, the wait, the timeout waited out, two intervals. */
	assert_int_equal(lab_estimate_ns(path, NULL), (2 + 4 + 200 + 100 + 100) * 1000000ull);
	unlink(path);
	/* A file that does not load: its run ends at once with the error. */
	assert_int_equal(lab_estimate_ns(path, NULL), 0);
}

static void test_longest_first(void **state)
{
	const uint64_t cost[] = {5, 30, 5, 0, 30, 7};
	const size_t want[] = {1, 4, 5, 0, 2, 3}; /* equal costs keep their order */
	size_t order[6], i;

	(void)state;
	longest_first(cost, order, 6);
	for (i = 0; i < 6; i++)
		assert_int_equal(order[i], want[i]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_discover_and_filter),
		cmocka_unit_test(test_shards_partition),
		cmocka_unit_test(test_estimate),
		cmocka_unit_test(test_longest_first),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
