/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nflab from C: build a lab (from a lab file, or node by node in code), start
 * it, register expectations that return futures, send traffic, then wait for
 * the futures. Link with `pkg-config --cflags --libs nflab`; run as root (labs
 * are network namespaces).
 *
 *	struct nflab_lab *lab = nflab_lab_load("labs/nat/icmp-error-related.yaml", &err);
 *	struct nflab_run *run = nflab_start(lab, NULL, &err);
 *	struct nflab_future *f = nflab_expect(run,
 *		"{at: client:eth0, dir: in, match: {icmp.type: destination-unreachable}}", &err);
 *	nflab_step(run, "udp: {from: client, to: 203.0.113.10:9}", &err);
 *	if (nflab_future_wait(f) != NFLAB_PASS)
 *		puts(nflab_future_explain(f));
 *	nflab_future_free(f);
 *	nflab_stop(run);
 *	nflab_lab_free(lab);
 *
 * Ownership, everywhere:
 * - A function with a `char **err` argument that fails stores a message there
 *   that the caller frees with free(); err may be NULL. On success *err is
 *   left alone.
 * - nflab_lab_*() constructors return a lab the caller frees with
 *   nflab_lab_free(), after any run of it has stopped. A run borrows its lab,
 *   and adds the steps it runs to it.
 * - nflab_start() returns a run that nflab_stop() ends and frees.
 * - Futures are the caller's: nflab_future_free() each, before or after
 *   nflab_stop(). After the stop, a future only answers what it had decided.
 * - Strings returned as `const char *` belong to the object they came from
 *   and live as long as it does. `char *` returns are the caller's to free().
 * - An event handed to a callback is valid during the call only.
 *
 * One run at a time per process; none of this is thread-safe. Futures are
 * asynchronous in the sense that matters for tests: registered before the
 * traffic, they see every event from that moment on, whenever they are
 * waited for. Events are read from the kernel during any call that waits.
 */
#ifndef NFLAB_NFLAB_H
#define NFLAB_NFLAB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <nflab/outcome.h>

#ifdef __cplusplus
extern "C" {
#endif

#define NFLAB_API __attribute__((visibility("default")))

struct nflab_lab;
struct nflab_run;
struct nflab_future;
struct nflab_event;

/* "0.1.0" */
NFLAB_API const char *nflab_version(void);

/* ---- labs ---- */

/* A lab file; topologies it names are looked up as the nflab command does. */
NFLAB_API struct nflab_lab *nflab_lab_load(const char *path, char **err);
/* A lab from YAML text; name labels messages ("my-test.yaml"). */
NFLAB_API struct nflab_lab *nflab_lab_parse(const char *name, const char *yaml, char **err);

/*
 * An empty lab to build in code. Each call below adds to it and returns 0, or
 * -1 with *err for a malformed argument; the whole lab is checked by
 * nflab_start(), with the lab-file parser's messages.
 */
NFLAB_API struct nflab_lab *nflab_lab_new(const char *name);
/* A node; router: it forwards IPv4 and IPv6. */
NFLAB_API int nflab_lab_node(struct nflab_lab *lab, const char *node, bool router, char **err);
/* A veth link between "node:iface" ends; nodes and interfaces are created as needed. */
NFLAB_API int nflab_lab_link(struct nflab_lab *lab, const char *a, const char *b, char **err);
/* An address, "192.0.2.1/24" or "2001:db8::1/64", on "node:iface". */
NFLAB_API int nflab_lab_address(struct nflab_lab *lab, const char *node_iface, const char *cidr,
				char **err);
/* A route as a lab file writes it: "default via 192.0.2.1", "198.51.100.0/24 dev eth1". */
NFLAB_API int nflab_lab_route(struct nflab_lab *lab, const char *node, const char *route,
			      char **err);
/* A ruleset of kind "nft", "iptables" or "ip6tables" (restore format), replacing any before. */
NFLAB_API int nflab_lab_ruleset(struct nflab_lab *lab, const char *node, const char *kind,
				const char *text, char **err);
/* The lab as a lab file (caller frees): what nflab_start() will check and run. */
NFLAB_API char *nflab_lab_yaml(const struct nflab_lab *lab);
NFLAB_API void nflab_lab_free(struct nflab_lab *lab);

/* ---- runs ---- */

struct nflab_options {
	FILE *report;		/* the human report (NULL: none) */
	bool quiet;		/* report failures and the result only */
	const char *pcap_dir;	/* write each interface's pcapng there at the stop, or NULL */
	const char *topologies; /* where "topology: NAME" files are, NULL: as the command */
};

/*
 * Builds the lab's topology and rulesets and starts every observer (captures
 * of every interface, conntrack, NFLOG, trace). The lab's own steps are not
 * run (see nflab_run_steps()). opt may be NULL. Returns NULL with *err when the
 * lab is malformed or the kernel refused it; with NFLAB_SKIP from
 * nflab_last_outcome() when it cannot run here (not root, requires:).
 */
NFLAB_API struct nflab_run *nflab_start(struct nflab_lab *lab, const struct nflab_options *opt,
					char **err);
/* The outcome of the latest nflab_start() that returned NULL: NFLAB_ERROR or NFLAB_SKIP. */
NFLAB_API int nflab_last_outcome(void);

/*
 * Runs one step, written as an item of a lab file's steps: a probe
 * ("udp: {from: client, to: 203.0.113.10:9}"), a crafted packet (send), a
 * program (run, service, stop), listen, close, or an expect. Returns
 * NFLAB_PASS, NFLAB_FAIL (*err says why), NFLAB_SKIP for an expect that
 * reads what the kernel cannot give (*err says which kernel lacks what), or
 * NFLAB_ERROR (*err).
 */
NFLAB_API int nflab_step(struct nflab_run *run, const char *yaml, char **err);
/* As nflab_step(), the step formatted printf-style. */
NFLAB_API int nflab_stepf(struct nflab_run *run, char **err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Runs the steps the lab file has, in order. Returns the worst outcome. */
NFLAB_API int nflab_run_steps(struct nflab_run *run, char **err);
/*
 * Stops services, tears the lab down (nothing is left behind) and frees run.
 * Returns the run's outcome: NFLAB_PASS unless a step failed or errored.
 */
NFLAB_API int nflab_stop(struct nflab_run *run);

/* ---- asynchronous expectations ---- */

/*
 * An expectation written as a lab file's expect step body: the source (at,
 * conntrack, nflog, trace), dir, match, count, within, quiet. It looks at events
 * from now on (since: start looks at every event of the run), and its deadline
 * (within, default 1 s) counts from the first wait. Returns a future, or NULL
 * with *err.
 */
NFLAB_API struct nflab_future *nflab_expect(struct nflab_run *run, const char *yaml, char **err);

enum nflab_next {
	NFLAB_MORE = 0, /* keep going */
	NFLAB_DONE = 1, /* the stop condition holds: decide now */
};

/* An expectation in C: called on each event of the source, in order. */
struct nflab_callbacks {
	/* Required. Returns NFLAB_MORE or NFLAB_DONE. */
	int (*on_event)(const struct nflab_event *ev, void *arg);
	/*
	 * Optional: the verdict, NFLAB_PASS or NFLAB_FAIL, once on_event said done
	 * (done true) or the deadline passed (done false). Without it: pass when done.
	 */
	int (*verdict)(bool done, void *arg);
};

/*
 * An expectation decided by callbacks on the events of source, written as an
 * expect step body without count: "{at: client:eth0, dir: in}", "{conntrack: fw,
 * within: 2s}"; a match there filters the events the callbacks see.
 */
NFLAB_API struct nflab_future *nflab_expect_fn(struct nflab_run *run, const char *source,
					       const struct nflab_callbacks *cb, void *arg,
					       char **err);

/* Waits (reading events) until f is decided. Returns NFLAB_PASS, NFLAB_FAIL or NFLAB_ERROR. */
NFLAB_API int nflab_future_wait(struct nflab_future *f);
/* Reads the events waiting, without blocking; true once f is decided. */
NFLAB_API bool nflab_future_poll(struct nflab_future *f);
/* What f decided so far: NFLAB_PASS, NFLAB_FAIL, NFLAB_ERROR, or -1 while pending. */
NFLAB_API int nflab_future_verdict(const struct nflab_future *f);
/* Events that matched (every event the callbacks saw, for nflab_expect_fn()). */
NFLAB_API unsigned int nflab_future_matched(const struct nflab_future *f);
/* Why f failed, as the nflab report says it; "" when it did not. */
NFLAB_API const char *nflab_future_explain(const struct nflab_future *f);
NFLAB_API void nflab_future_free(struct nflab_future *f);

/* ---- events, inside callbacks ---- */

/* A field as lab files write it ("ip.src", "ct.state", "trace.verdict") into buf; NULL if absent.
 */
NFLAB_API const char *nflab_event_field(const struct nflab_event *ev, const char *field, char *buf,
					size_t len);
/* Where it was seen: "client:eth0" for packets, the node for kernel events. */
NFLAB_API const char *nflab_event_where(const struct nflab_event *ev);
/* Kernel time of the event, CLOCK_REALTIME ns (for kernel events: when nflab read it). */
NFLAB_API uint64_t nflab_event_time_ns(const struct nflab_event *ev);

#ifdef __cplusplus
}
#endif

#endif
