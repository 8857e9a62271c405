// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Driving labs from a C test (cmocka) with the nflab library: expectations are
 * registered first and return futures, traffic is sent, and the futures are
 * waited for afterwards, the way an asynchronous packet test in Python would do
 * it with scapy. Needs root (labs are network namespaces); exits 77 without.
 *
 * Build out of tree:  cc async_expect.c $(pkg-config --cflags --libs nflab cmocka)
 * Run:                NFLAB_LABS=/path/to/nflab/labs ./a.out
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <nflab/nflab.h>

static char flagship[4096];

/* Fails the test with nflab's message. */
static void check_ok(const void *p, char *err)
{
	if (!p)
		fail_msg("%s", err ? err : "(no message)");
}

/* A callback expectation: done once fw's output hook sees the error as RELATED. */
struct related_seen {
	unsigned int events;
	char chain[32];
};

static int on_trace(const struct nflab_event *ev, void *arg)
{
	struct related_seen *s = arg;
	char state[32], chain[32];

	s->events++;
	if (!nflab_event_field(ev, "trace.ct.state", state, sizeof(state)) ||
	    !nflab_event_field(ev, "trace.chain", chain, sizeof(chain)))
		return NFLAB_MORE;
	if (strcmp(state, "RELATED"))
		return NFLAB_MORE;
	snprintf(s->chain, sizeof(s->chain), "%s", chain);
	return NFLAB_DONE;
}

/* The flagship lab, driven from C: three futures made before the datagram is sent. */
static void test_flagship_async(void **state)
{
	struct nflab_future *error, *related, *snat;
	struct related_seen seen = {0};
	struct nflab_callbacks cb = {.on_event = on_trace};
	struct nflab_lab *lab;
	struct nflab_run *run;
	char *err = NULL;

	(void)state;
	lab = nflab_lab_load(flagship, &err);
	check_ok(lab, err);
	run = nflab_start(lab, &(struct nflab_options){.report = stderr}, &err);
	check_ok(run, err);

	error = nflab_expect(run,
			     "{at: client:eth0, dir: in, count: 1, match: {ip.src: 203.0.113.10,"
			     " icmp.type: destination-unreachable, inner.ip.dst: 203.0.113.10}}",
			     &err);
	check_ok(error, err);
	related = nflab_expect_fn(run, "{trace: fw}", &cb, &seen, &err);
	check_ok(related, err);
	/* Made to fail: the SNAT rule never rewrites the error. */
	snat = nflab_expect(run, "{at: client:eth0, match: {ip.src: 203.0.113.1}, within: 300ms}",
			    &err);
	check_ok(snat, err);

	assert_int_equal(
		nflab_step(run, "udp: {from: client, to: 203.0.113.10:9, sport: 40000}", &err),
		NFLAB_PASS);

	assert_int_equal(nflab_future_wait(error), NFLAB_PASS);
	assert_int_equal(nflab_future_matched(error), 1);
	assert_int_equal(nflab_future_wait(related), NFLAB_PASS);
	assert_string_equal(seen.chain, "output");
	assert_int_equal(nflab_future_wait(snat), NFLAB_FAIL);
	assert_non_null(strstr(nflab_future_explain(snat), "ip.src: expected 203.0.113.1"));

	assert_int_equal(nflab_stop(run), NFLAB_PASS);
	/* A future outlives its run, and keeps its verdict. */
	assert_int_equal(nflab_future_verdict(error), NFLAB_PASS);
	nflab_future_free(error);
	nflab_future_free(related);
	nflab_future_free(snat);
	nflab_lab_free(lab);
}

/* A lab built in code: two hosts on one link, a ping, and a future on the far end. */
static void test_built_lab(void **state)
{
	struct nflab_lab *lab = nflab_lab_new("built");
	struct nflab_future *echo;
	struct nflab_run *run;
	char *err = NULL, *yaml;

	(void)state;
	assert_int_equal(nflab_lab_link(lab, "a:eth0", "b:eth0", &err), 0);
	assert_int_equal(nflab_lab_address(lab, "a:eth0", "192.0.2.1/24", &err), 0);
	assert_int_equal(nflab_lab_address(lab, "b:eth0", "192.0.2.2/24", &err), 0);
	assert_int_equal(
		nflab_lab_ruleset(lab, "b", "nft",
				  "table inet f {\n"
				  "  chain input {\n"
				  "    type filter hook input priority filter; policy accept;\n"
				  "    icmp type echo-request counter comment \"pings\"\n"
				  "  }\n"
				  "}\n",
				  &err),
		0);
	assert_int_equal(nflab_lab_address(lab, "a eth0", "192.0.2.1/24", &err), -1);
	assert_non_null(strstr(err, "expected \"node:iface\""));
	free(err);
	err = NULL;
	yaml = nflab_lab_yaml(lab);
	assert_non_null(strstr(yaml, "  - [a:eth0, b:eth0]"));
	free(yaml);

	run = nflab_start(lab, NULL, &err);
	check_ok(run, err);
	echo = nflab_expect(
		run, "{at: b:eth0, dir: in, match: {icmp.type: echo-request}, count: 3}", &err);
	check_ok(echo, err);
	assert_int_equal(
		nflab_step(run, "ping: {from: a, to: 192.0.2.2, count: 3, outcome: reply}", &err),
		NFLAB_PASS);
	assert_int_equal(nflab_future_wait(echo), NFLAB_PASS);
	assert_int_equal(nflab_stepf(run, &err,
				     "expect: {counters: b, match: {counter.comment: pings, "
				     "counter.packets: %d}}",
				     3),
			 NFLAB_PASS);
	assert_int_equal(nflab_stop(run), NFLAB_PASS);
	nflab_future_free(echo);
	nflab_lab_free(lab);
}

/* Mistakes are reported as the command reports them: where, and what was expected. */
static void test_errors(void **state)
{
	struct nflab_lab *lab;
	struct nflab_run *run;
	char *err = NULL;

	(void)state;
	lab = nflab_lab_load(flagship, &err);
	check_ok(lab, err);
	run = nflab_start(lab, NULL, &err);
	check_ok(run, err);
	assert_int_equal(nflab_step(run, "udp: {from: nowhere, to: 203.0.113.10:9}", &err),
			 NFLAB_ERROR);
	assert_non_null(strstr(err, "nflab_step():1:"));
	assert_non_null(strstr(err, "unknown node \"nowhere\""));
	free(err);
	err = NULL;
	assert_null(nflab_expect(run, "{at: client:eth9}", &err));
	assert_non_null(strstr(err, "eth9"));
	free(err);
	err = NULL;
	/* A failing check step says why, as the report does. */
	assert_int_equal(nflab_step(run,
				    "expect: {at: dmz:eth0, match: {udp.dport: 9}, within: 100ms}",
				    &err),
			 NFLAB_FAIL);
	assert_non_null(strstr(err, "expected at least 1 matching packet"));
	free(err);
	assert_int_equal(nflab_stop(run), NFLAB_FAIL);
	nflab_lab_free(lab);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_flagship_async),
		cmocka_unit_test(test_built_lab),
		cmocka_unit_test(test_errors),
	};
	const char *labs = getenv("NFLAB_LABS");

	if (geteuid() != 0) {
		puts("needs root: labs are network namespaces");
		return 77;
	}
	snprintf(flagship, sizeof(flagship), "%s/nat/icmp-error-related.yaml",
		 labs ? labs : "labs");
	printf("nflab %s\n", nflab_version());
	return cmocka_run_group_tests(tests, NULL, NULL);
}
