/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Inside a lab run: the state its step modules share (run.c, progrun.c, src/step/). */
#ifndef NFLAB_RUN_PRIV_H
#define NFLAB_RUN_PRIV_H

#include <stdint.h>

#include "lab/lab.h"
#include "observe/event.h"
#include "expect/expect.h"
#include "expect/relation.h"
#include "observe/counters.h"
#include "observe/ifnames.h"
#include "observe/mib.h"
#include "observe/trace.h"
#include "report/pcapng.h"
#include "report/report.h"
#include "run/build.h"
#include "run/nodeproc.h"
#include "run/run.h"

struct prog_slot;

/* The programs of a lab, and the lab's private /tmp they share. */
struct progs {
	struct prog_slot **v;
	size_t n, cap;
	bool fs_open;
	struct labfs fs;
	char **envp; /* the environment every program gets */
};

#define TAG_EXTRA  UINT64_MAX	/* epoll tag of a probe's own socket */
#define TAG_OBS	   (1ull << 32) /* epoll tags from here on: observer (tag - TAG_OBS) */
#define TAG_LISTEN (1ull << 40) /* from here on: accepting listener, fd (tag - TAG_LISTEN) */
#define TAG_CONN   (1ull << 41) /* from here on: accepted connection, fd (tag - TAG_CONN) */
#define TAG_BGTCP  (1ull << 42) /* from here on: connecting background tcp step (tag - it) */
#define TAG_PROC \
	(1ull << 39) /* from here on: program output, (tag - TAG_PROC) = slot * 2 + stream */
#define PLURAL(n) ((n) == 1 ? "" : "s")

/* An interface under capture, with one handle per direction. */
struct point {
	struct lab_end end;
	char name[80];	     /* "node:iface" */
	struct capture *cap; /* both directions */
	uint64_t down_ns;    /* monotonic: when its socket last said the interface went down */
	const struct lab_step *down_step; /* the step running then, NULL after the steps */
};

/* A kernel-side observer of one node: conntrack events, NFLOG or trace. */
struct observer {
	enum expect_source src; /* SRC_CT_EVENT, SRC_NFLOG or SRC_TRACE */
	size_t node;
	char name[96]; /* "conntrack events of fw": for loss reports */
	union {
		struct ctev *ct;
		struct nflog_listener *log;
		struct trace *trace;
	};
};

/* What the observers of one node need to name things. */
struct node_info {
	struct ifnames ifnames;
	struct nft_rules rules;
};

/* A crafted-packet socket, kept for the whole lab. */
struct sender {
	size_t node;
	int ifindex; /* L2; 0 for L3 */
	int family;  /* L3 */
	struct injector *inj;
};

/* A UDP socket of the lab's, kept in socks: a udp probe's or a udp listen step's. */
struct udp_sock {
	size_t node;
	int fd;
};

struct timeline_mark;

/* Where a packet check's verdict shows in the story: report/timeline.h's struct timeline_mark. */
struct run_mark {
	size_t step; /* index of the expect step */
	bool pass;
	size_t seq;	      /* the log's event it matched, or SIZE_MAX: none */
	uint64_t at_ns;	      /* seq SIZE_MAX: CLOCK_REALTIME ns it was decided */
	unsigned int matched; /* seq SIZE_MAX: how many it matched */
};

struct run {
	const struct lab *lab;
	const struct run_opts *o;
	struct report rep;
	struct built b;
	struct point *points;
	size_t n_points, cap_points;
	struct ring_job *rings; /* rings being made while the lab is built, or NULL */
	size_t *point_node;	 /* per point: its node, for timelines */
	size_t *point_iface;	 /* per point: its interface in that node */
	const char **point_name; /* per point: "node:iface" */
	struct observer *obs;
	size_t n_obs, cap_obs;
	struct node_info *info; /* per node */
	int epfd;
	struct evlog log;
	int *socks; /* probe sockets, open until the lab ends (-1 once closed) */
	size_t n_socks, cap_socks;
	struct udp_sock *udp; /* where a later udp probe from the same port sends from */
	size_t n_udp, cap_udp;
	int *step_fd;		/* per step: the tcp step's connection, -1 when none */
	struct sender *senders; /* one socket per sending interface or node and family */
	size_t n_senders, cap_senders;
	uint64_t start_mono, start_real;
	char *golden;		    /* the golden timeline to compare with or write, or NULL */
	struct ladder_step *ladder; /* per step, for --ladder, or NULL */
	struct run_mark *marks;	    /* packet checks' verdicts where they held, for the story */
	size_t n_marks, cap_marks;
	struct timeline_mark *tl_marks; /* marks as the story takes them (timeline_of()) */
	const struct lab_step *cur; /* the step running */
	bool window_kernel;	    /* the latest probe's packets are handled by the kernel only */
	size_t window_seq;	    /* log position when the latest probe started */
	struct evlog traces;	    /* every trace event, nflab's fate table's too (fates) */
	size_t window_traces;	    /* traces.n when the latest probe started */
	bool *fate_table;	    /* per node: nflab's fate table is in it; NULL: in none */
	size_t fate_pending;	    /* packets the latest fate check saw still on their way */
	struct mib_reader **mib;    /* per node, with fate: true: its drop counters; else NULL */
	struct mib_series *mib_series; /* per node: their readings, one per step at least */
	bool *mib_dirty;	       /* per node: traced a packet since its last reading */
	size_t mib_scanned;	       /* traces.n when the latest reading was taken */
	struct fate_why *why;	       /* the kernel's reasons, for the story (made once) */
	uint64_t window_mono, window_real;
	uint64_t last_activity; /* CLOCK_MONOTONIC ns of the last packet read */
	uint64_t *step_real;	/* per step: CLOCK_REALTIME ns when it started, for pcap marks */
	char **step_text;	/* per step, once run: "step N (file:line): what it did" */
	struct ref_snap *snaps; /* per step: the record a passed check with an id matched */
	size_t n_step_state;	/* steps the four arrays above cover */
	char *last_detail;	/* what the latest failed step said under its line */
	struct pcapng_mark *frame_marks; /* comments on single packets (texts owned) */
	size_t n_frame_marks, cap_frame_marks;
	uint64_t t0;		/* CLOCK_MONOTONIC ns when the run began */
	bool home_open;		/* netns_home_open() succeeded: close it at the end */
	struct progs progs;	/* programs started by run and service steps */
	size_t late_failed;	/* failures reported outside a step's own line (services) */
	size_t n_checks;	/* checks decided: expect steps and the golden timeline */
	size_t n_skipped;	/* checks skipped: they read what this kernel cannot give */
	char *skip_why;		/* the skips' reasons, each once, "; " between them */
	char skip_now[300];	/* the reason of the step being skipped */
	struct diag d;
};

/*
 * Waits for captured packets, kernel events and program output until deadline
 * (CLOCK_MONOTONIC ns) and logs them. Returns 1 when a fd the caller registered
 * with TAG_EXTRA became ready, 0 when the wait ended otherwise, -1 on error.
 */
int run_pump(struct run *r, uint64_t deadline);
/* Starts a probe's window: checks after it look at what it caused. Returns 0 or -1. */
int run_window_open(struct run *r);
/* text with every line indented to sit under a step's line (caller frees). */
char *run_indent(const char *text);
/* Counts a skipped check, keeping why (once) for the lab's result. */
void run_note_skip(struct run *r, const char *why);

/*
 * The phases of a run, for run_lab() and the C API. run_open() builds the lab
 * and opens every observer; on failure r->d is set (and only run_close() is
 * left to call). run_step() runs step i of r->lab (steps may be appended
 * between calls) and returns NFLAB_PASS, NFLAB_FAIL, or -1 with r->d set;
 * failed counts failures. run_finish() stops services and reads what is left.
 * run_close() reports, tears everything down, frees r and returns the outcome.
 */
struct run *run_open(const struct lab *lab, const struct run_opts *o);
int run_step(struct run *r, size_t i, size_t *failed);
int run_finish(struct run *r);
int run_close(struct run *r, size_t failed, bool ok);
/* Keeps a failed lab up, its nodes named, until Enter (explore.c). */
void run_pause(struct run *r);
/*
 * Before step i (--pause-at, --break): names the lab's namespaces and waits
 * for Enter on standard input, or SIGCONT or SIGUSR1. Returns 0 or -1 with r->d.
 */
int run_pause_before(struct run *r, size_t i);
/* Writes the run's pcapng files when its options ask for them. Returns 0 or -1. */
int run_write_pcaps(struct run *r);
/* The quiet interval of e now: its own, the lab's, or the one the latest probe allows. */
uint64_t run_quiet_ns(const struct run *r, const struct step_expect *e);
/* Whether a service of the lab is running. */
bool progs_running(const struct run *r);
/* Reads everything already captured, without waiting. Returns 0 or -1. */
int run_drain(struct run *r);
/* The run's capture point of e (opened when the run began), or -1. */
long run_point_find(const struct run *r, const struct lab_end *e);
/* As run_point_find(), for a point a check or quote names (which the run opened). */
size_t run_point_of(struct run *r, const struct lab_end *e);
/* Decides es now if it can; *wake is when to look again. */
enum verdict run_decide(const struct run *r, struct expect_state *es, uint64_t deadline,
			uint64_t *wake);
/*
 * Refuses a check that could never fail because its node's rulesets lack what
 * it names (see vacuous_check()): listed now, with dump the counters a
 * counters check was decided on (NULL for streams). Returns 0 or -1 with d.
 */
int run_expect_vacuous(struct run *r, const struct step_expect *e, const struct evlog *dump,
		       struct diag *d);
/* Why es failed, with each line indented under a step (caller frees). */
char *run_explain(struct run *r, const struct lab_step *st, const struct expect_state *es);

/*
 * The crafted-packet socket of node: frames out of ifindex, or (ifindex 0) IP
 * packets of family. Opened once and kept until the lab ends. NULL with r->d.
 */
struct injector *run_sender(struct run *r, size_t node, int ifindex, int family);
/* The MAC of the interface at the other end of e's link, or broadcast when there is none. */
int run_peer_mac(struct run *r, const struct lab_end *e, uint8_t mac[6]);
/* Puts text (taken) on the packet event of log position seq, as its comment in pcapng files. */
void run_mark_packet(struct run *r, size_t seq, char *text);
/* The largest IP packet interface e can send: its MTU, its link's, 65536 for lo. */
unsigned int run_iface_mtu(const struct run *r, const struct lab_end *e);
struct link_tx;
/*
 * Whether the sent frames a step gave the packet socket of interface out left
 * it, from its state and counters before and after. Appends why to text
 * ("\n", an indent, "file:line: N of M packets were not transmitted: ...")
 * when some did not leave; returns NFLAB_PASS or NFLAB_FAIL.
 */
int run_tx_judge(struct run *r, const struct lab_step *st, const struct lab_end *out, uint64_t sent,
		 const struct link_tx *before, const struct link_tx *after, char *text, size_t len);

/* Lines under a step's PASS/FAIL line start with this. */
#define DETAIL_INDENT "         "
/*
 * Waits until fd is ready for events (reading the observers meanwhile) or the
 * deadline passes; with done, until done(fd, arg) also says so. Returns 1
 * ready, 0 timed out, -1 with r->d.
 */
int run_wait_fd(struct run *r, int fd, uint32_t events, uint64_t deadline, int (*done)(int, void *),
		void *arg);
/* Sends p's payload on fd, a connected tcp probe's socket, each part as its own segment. */
int run_tcp_payload(struct run *r, int fd, const struct step_probe *p);
/* Keeps fd, a socket of the lab's, open until the lab ends. */
void run_keep_socket(struct run *r, int fd);
/* Closes fd, one of the lab's sockets, before the lab ends. */
void run_close_socket(struct run *r, int fd);
/* Records fd, a UDP socket of node's: a later udp probe from its port sends from it. */
void run_udp_add(struct run *r, size_t node, int fd);
/*
 * The running of the kinds not yet whole in src/step/ (expect.c, run.c,
 * service.c and stop.c wrap them). Each returns NFLAB_PASS, NFLAB_FAIL or -1
 * (r->d says why). A check (expect step) is an error when the capture it read
 * lost frames or died; a program step writes its line into text.
 */
int run_step_expect(struct run *r, const struct lab_step *st, char **detail);
int run_step_prog(struct run *r, const struct lab_step *st, char *text, size_t len, char **detail);
int run_step_service(struct run *r, const struct lab_step *st, char *text, size_t len, char **detail);
int run_step_stop(struct run *r, const struct lab_step *st, char *text, size_t len, char **detail);
/*
 * Runs argv in node on nflab's own terminal (an interactive shell), with the
 * programs' environment plus extra_env ("NAME=value", NULL-terminated, or NULL), and waits for it.
 * Returns 0 with its exit status in *status, or -1.
 */
int progs_terminal(struct run *r, size_t node, char *const argv[], char *const extra_env[],
		   int *status);
/* Reads program output for an epoll tag at or above TAG_PROC. */
void progs_read(struct run *r, uint64_t tag);
/* Copies the lab's keep: files from its /tmp into dir. Returns 0 or -1. */
int progs_keep(struct run *r, const char *dir);
/*
 * Reports each service that ended on its own, before it was stopped, with a
 * status its exit: does not allow: a FAIL at the service's step, counted in
 * r->late_failed. Returns 0 or -1.
 */
int progs_judge_ends(struct run *r);
/*
 * Judges the services that ended on their own, then stops every one still
 * running, newest first, each with its grace. Returns 0 or -1.
 */
int progs_stop_all(struct run *r);
/* Kills whatever is left and frees the programs and the lab's /tmp. */
void progs_release(struct progs *ps);

/*
 * Lists node's nft rules again after something loaded rules in it (a program, an
 * nft step): trace events name rules by the comments listed then. Returns 0 or -1.
 */
int run_rules_refresh(struct run *r, size_t node);

#endif
