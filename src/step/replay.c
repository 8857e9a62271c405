// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The replay step: replay: {pcap: FILE, at: NODE:IFACE, filter: EXPR,
 * map: {ADDR: ADDR}, pace: original|fast|RATE, count: N} sends the frames of
 * a capture file (a customer's) out of a lab interface. The file is read when
 * the lab is: libpcap reads it (pcap or pcapng), the tcpdump filter picks
 * frames, each becomes an Ethernet frame with its addresses mapped and its
 * checksums recomputed; at run time each gets the interface's MAC as source
 * and the peer's as destination, and goes out through the injector like a
 * send step's frames. FILE is opened beneath the lab file's directory
 * (openat2 RESOLVE_BENEATH): no "..", absolute path or symlink leads out.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "lab/parse.h"
#include "probe/capfile.h"
#include "probe/inject.h"
#include "run/run_priv.h"
#include "step/step.h"
#include "topo/link.h"
#include "util/clock.h"
#include "util/xalloc.h"

#define REPLAY_GAP_MAX_NS 1000000000ull /* pace: original waits at most 1 s between frames */
#define REPLAY_RATE_MAX	  1000000	/* frames per second */
#define REPLAY_BATCH	  64		/* frames per sendmmsg when pace allows */

enum pace {
	PACE_ORIGINAL, /* the capture's gaps, each capped at REPLAY_GAP_MAX_NS */
	PACE_FAST,     /* back to back */
	PACE_RATE,     /* rate frames per second */
};

struct replay_step {
	struct lab_end at;
	char *file; /* as written */
	char *filter;
	struct capframes frames;
	size_t map_n;
	enum pace pace;
	uint64_t rate;
	unsigned int count; /* 0: every frame the filter passes */
};

static const char *const keys[] = {"pcap", "at", "filter", "map", "pace", "count", NULL};

/* The directory of the lab file, where its captures are looked up. */
static char *lab_dir(const struct lab *lab)
{
	const char *slash = strrchr(lab->path, '/');

	if (!slash)
		return xstrdup(".");
	if (slash == lab->path)
		return xstrdup("/");
	return xasprintf("%.*s", (int)(slash - lab->path), lab->path);
}

/* Opens name beneath the lab's directory, a regular file. Returns a FILE, or NULL at v. */
static FILE *open_beneath(struct parser *p, yaml_node_t *v, const char *name)
{
	struct open_how how = {.flags = O_RDONLY | O_CLOEXEC | O_NONBLOCK,
			       .resolve = RESOLVE_BENEATH};
	char *dir = lab_dir(p->lab);
	int dirfd, fd, err;
	struct stat sb;
	FILE *f;

	dirfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0) {
		fail_at(p, v, "cannot open the lab's directory %s: %s", dir, strerror(errno));
		free(dir);
		return NULL;
	}
	/* Not O_NOFOLLOW: a symlink staying beneath the directory is fine. */
	fd = (int)syscall(SYS_openat2, dirfd, name, &how, sizeof(how));
	err = errno;
	close(dirfd);
	if (fd < 0) {
		if (err == EXDEV)
			fail_at(p, v,
				"capture file \"%s\" leads out of the lab's directory %s: a "
				"replayed capture must be in it or below it (no \"..\", absolute "
				"path or symlink out)",
				name, dir);
		else
			fail_at(p, v, "cannot open capture file \"%s\" in %s: %s", name, dir,
				strerror(err));
		free(dir);
		return NULL;
	}
	free(dir);
	if (fstat(fd, &sb) || !S_ISREG(sb.st_mode)) {
		close(fd);
		fail_at(p, v, "capture file \"%s\" is not a regular file", name);
		return NULL;
	}
	fcntl(fd, F_SETFL, 0);
	f = fdopen(fd, "rb");
	if (!f) {
		close(fd);
		fail_at(p, v, "cannot read capture file \"%s\": %s", name, strerror(errno));
	}
	return f;
}

/* pace: original, fast, or "N/s". */
static int parse_pace(struct parser *p, yaml_node_t *v, struct replay_step *s)
{
	const char *t;
	char *end;
	unsigned long long n;

	if (ystr(&p->y, v, "original, fast or a rate (100/s)", &t, p->d))
		return -1;
	if (!strcmp(t, "original")) {
		s->pace = PACE_ORIGINAL;
		return 0;
	}
	if (!strcmp(t, "fast")) {
		s->pace = PACE_FAST;
		return 0;
	}
	errno = 0;
	n = strtoull(t, &end, 10);
	if (end == t || errno || strcmp(end, "/s") || !n || n > REPLAY_RATE_MAX)
		return fail_at(p, v,
			       "expected original, fast or a rate of 1/s to %d/s (100/s), got "
			       "\"%s\"",
			       REPLAY_RATE_MAX, t);
	s->pace = PACE_RATE;
	s->rate = n;
	return 0;
}

/* map: {ADDR: ADDR, ...} into a new array (*out, *n). */
static int parse_map(struct parser *p, yaml_node_t *v, struct capmap **out, size_t *n)
{
	yaml_node_pair_t *pr;
	size_t i;

	if (yexpect_map(&p->y, v, "a map of addresses ({192.168.1.10: 10.0.1.10})", p->d))
		return -1;
	*out = xcalloc((size_t)(ymap_end(v) - ymap_begin(v)) + 1, sizeof(**out));
	for (pr = ymap_begin(v); pr < ymap_end(v); pr++) {
		yaml_node_t *k = ynode(&p->y, pr->key), *val = ynode(&p->y, pr->value);
		struct capmap *m = &(*out)[*n];
		char a[IPADDR_STRLEN];

		if (parse_addr(p, k, "an IPv4 or IPv6 address", &m->from) ||
		    parse_addr(p, val, "an IPv4 or IPv6 address", &m->to))
			return -1;
		if (m->from.family != m->to.family)
			return fail_at(p, val, "%s is mapped to an address of the other family",
				       ipaddr_fmt(&m->from, a));
		for (i = 0; i < *n; i++)
			if (ipaddr_equal(&(*out)[i].from, &m->from))
				return fail_at(p, k, "%s is mapped twice", ipaddr_fmt(&m->from, a));
		(*n)++;
	}
	return 0;
}

static int parse(struct parser *p, struct lab_step *st, yaml_node_t *v)
{
	struct ydoc *y = &p->y;
	struct replay_step *s = xcalloc(1, sizeof(*s));
	struct pktfilter *filter = NULL;
	struct capmap *map = NULL;
	struct capfile *cf = NULL;
	yaml_node_t *file, *fv, *cv;
	const char *text;
	char err[512];
	uint64_t u;
	size_t i;
	FILE *f;
	int rc = -1;

	st->ext.priv = s;
	if (yexpect_map(y, v, "a replay step ({pcap: FILE, at: NODE:IFACE ...})", p->d) ||
	    ymap_check(y, v, "replay step", keys, p->d))
		return -1;
	if (!(file = ymap_get(y, v, "pcap")))
		return fail_at(p, v, "missing \"pcap\" (a capture file next to the lab file)");
	if (!ymap_get(y, v, "at"))
		return fail_at(p, v, "missing \"at\" (the node:iface the frames are sent out of)");
	if (parse_point(p, ymap_get(y, v, "at"), &s->at) ||
	    ystr(y, file, "a capture file (customer.pcap)", &text, p->d))
		return -1;
	s->file = xstrdup(text);
	if ((cv = ymap_get(y, v, "count"))) {
		if (yuint(y, cv, "a number of frames (1 to 100000)", CAPFILE_MAX_FRAMES, &u, p->d))
			return -1;
		if (!u)
			return fail_at(p, cv, "expected a number of frames (1 to 100000), got 0");
		s->count = (unsigned int)u;
	}
	if ((fv = ymap_get(y, v, "pace")) && parse_pace(p, fv, s))
		return -1;
	if ((fv = ymap_get(y, v, "map")) && parse_map(p, fv, &map, &s->map_n))
		goto out;
	if (!(f = open_beneath(p, file, text)))
		goto out;
	if (!(cf = capfile_open(f, text, p->d))) {
		struct srcloc at = ynode_loc(y, file);

		diag_locate(p->d, &at);
		goto out;
	}
	if ((fv = ymap_get(y, v, "filter"))) {
		if (ystr(y, fv, "a tcpdump filter expression", &text, p->d) ||
		    filter_budget(p, fv, text))
			goto out;
		filter = pktfilter_new(capfile_linktype(cf), text, err, sizeof(err));
		if (!filter) {
			fail_at(p, fv, "filter \"%.*s%s\": %s", FILTER_SHOWN(text), err);
			goto out;
		}
		s->filter = xstrdup(text);
	}
	if (capfile_read(cf, filter, s->count, &s->frames, p->d)) {
		struct srcloc at = ynode_loc(y, file);

		diag_locate(p->d, &at);
		goto out;
	}
	if (!s->frames.n) {
		fail_at(p, fv ? fv : file, "no frame of %s %s: the step would send nothing",
			s->file, s->filter ? "passes the filter" : "can be replayed");
		goto out;
	}
	/* Without a map too: every checksum is recomputed (offload leaves them wrong). */
	for (i = 0; i < s->frames.n; i++)
		capframe_map(s->frames.v[i].data, s->frames.v[i].len, map, s->map_n);
	rc = 0;
out:
	capfile_close(cf);
	pktfilter_free(filter);
	free(map);
	return rc;
}

/* Sends frames [from, to) of s as one batch, each with the link's Ethernet addresses. */
static int send_batch(struct run *r, struct injector *inj, const struct replay_step *s, size_t from,
		      size_t to, const uint8_t src[6], const uint8_t dst[6])
{
	uint8_t *pkts[REPLAY_BATCH];
	size_t lens[REPLAY_BATCH], i;
	int rc;

	for (i = from; i < to; i++) {
		const struct capframe *fr = &s->frames.v[i];

		pkts[i - from] = xmalloc(fr->len);
		memcpy(pkts[i - from], fr->data, fr->len);
		lens[i - from] = fr->len;
		capframe_set_eth(pkts[i - from], fr->len, src, dst);
	}
	rc = inj_send(inj, pkts, lens, to - from, NULL, &r->d);
	if (rc)
		diag_prefix(&r->d, "%s frames %zu to %zu", s->file, s->frames.v[from].number,
			    s->frames.v[to - 1].number);
	for (i = from; i < to; i++)
		free(pkts[i - from]);
	return rc;
}

/* When frame i is due, in CLOCK_MONOTONIC ns, for a replay that started at start. */
static uint64_t due_ns(const struct replay_step *s, size_t i, uint64_t start, uint64_t *elapsed)
{
	const struct capframe *fr = s->frames.v;
	uint64_t gap;

	switch (s->pace) {
	case PACE_FAST:
		return start;
	case PACE_RATE:
		return start + (uint64_t)i * 1000000000ull / s->rate;
	default:
		if (i) {
			gap = fr[i].ts_ns > fr[i - 1].ts_ns ? fr[i].ts_ns - fr[i - 1].ts_ns : 0;
			*elapsed += gap < REPLAY_GAP_MAX_NS ? gap : REPLAY_GAP_MAX_NS;
		}
		return start + *elapsed;
	}
}

/* How long the replay's pace spreads its frames over (the filter aside). */
static uint64_t estimate_ns(const struct lab_step *st)
{
	const struct replay_step *s = st->ext.priv;
	size_t i, n = s->count && s->count < s->frames.n ? s->count : s->frames.n;
	uint64_t elapsed = 0, last = 0;

	for (i = 0; i < n; i++) /* due_ns() adds each gap to elapsed in turn */
		last = due_ns(s, i, 0, &elapsed);
	return last;
}

/* The IP bytes of an Ethernet frame: after its header and VLAN tags. */
static size_t l3_len(const struct capframe *fr)
{
	size_t off = 14;

	while (off + 4 <= fr->len && (fr->data[off - 2] == 0x81 || fr->data[off - 2] == 0x88) &&
	       (fr->data[off - 1] == 0x00 || fr->data[off - 1] == 0xa8))
		off += 4;
	return fr->len - off;
}

/* A frame too big for the interface: the packet socket would refuse it (EMSGSIZE). */
static int check_mtu(struct run *r, const struct replay_step *s)
{
	unsigned int mtu = run_iface_mtu(r, &s->at);
	char at[80];
	size_t i;

	if (!mtu)
		mtu = 1500; /* the kernel's default for a veth */
	for (i = 0; i < s->frames.n; i++)
		if (l3_len(&s->frames.v[i]) > mtu)
			return diag_set(&r->d,
					"%s frame %zu carries %zu bytes, more than the MTU of %s "
					"(%u): give the link a larger mtu, or leave the frame out "
					"with filter",
					s->file, s->frames.v[i].number, l3_len(&s->frames.v[i]),
					lab_end_fmt(r->lab, &s->at, at, sizeof(at)), mtu);
	return 0;
}

/*
 * Marks the captured copies of frames [from, to), sent out of s->at, found in
 * the log from position since: each is commented with the step and its frame
 * number in the file, so a pcapng reader can go back to the customer's frame.
 */
static void mark_frames(struct run *r, const struct lab_step *st, const struct replay_step *s,
			size_t from, size_t to, size_t since, const uint8_t src[6],
			const uint8_t dst[6])
{
	long point = run_point_find(r, &s->at);
	size_t i, j = since, step = (size_t)(st - r->lab->steps) + 1;
	uint8_t *copy;

	if (point < 0)
		return; /* not captured: no pcap holds it */
	for (i = from; i < to; i++) {
		const struct capframe *fr = &s->frames.v[i];

		copy = xmalloc(fr->len);
		memcpy(copy, fr->data, fr->len);
		capframe_set_eth(copy, fr->len, src, dst);
		for (; j < r->log.n; j++) {
			const struct event *ev = &r->log.ev[j];

			if (ev->kind != EV_PACKET || ev->point != (size_t)point ||
			    ev->dir != DIR_OUT || ev->caplen > fr->len ||
			    memcmp(ev->data, copy, ev->caplen))
				continue;
			run_mark_packet(r, ev->seq,
					xasprintf("replayed by step %zu (%s:%d): frame %zu of %s",
						  step, st->loc.file, st->loc.line, fr->number,
						  s->file));
			j++;
			break;
		}
		free(copy);
	}
}

static int run(struct run *r, const struct lab_step *st, char *line, size_t len, char **detail)
{
	const struct replay_step *s = st->ext.priv;
	const struct lab_iface *ifc = &r->lab->nodes[s->at.node].ifaces[s->at.iface];
	struct nl_sock *rtnl = r->b.nodes[s->at.node].rtnl;
	uint8_t src[6], dst[6];
	struct link_tx before, after;
	struct injector *inj;
	uint64_t start, elapsed = 0, due = 0;
	char text[1024] = "";
	size_t i = 0, j, since;
	int ifindex;

	(void)line;
	(void)len;
	ifindex = link_index(rtnl, ifc->name, &r->d);
	if (check_mtu(r, s) || ifindex < 0 || link_mac(rtnl, ifc->name, src, &r->d) ||
	    run_peer_mac(r, &s->at, dst) || run_drain(r))
		return -1;
	inj = run_sender(r, s->at.node, ifindex, 0);
	if (!inj || run_window_open(r) || link_tx_state(rtnl, ifc->name, &before, &r->d))
		return -1;
	start = due = now_mono_ns();
	while (i < s->frames.n) {
		while (now_mono_ns() < due)
			if (run_pump(r, due) < 0)
				return -1;
		/* Frames already due go out together; between batches the observers are read. */
		for (j = i + 1; j < s->frames.n && j - i < REPLAY_BATCH; j++) {
			uint64_t e = elapsed;

			if (due_ns(s, j, start, &e) > now_mono_ns())
				break;
			elapsed = e;
		}
		since = r->log.n;
		if (send_batch(r, inj, s, i, j, src, dst) || run_drain(r))
			return -1;
		mark_frames(r, st, s, i, j, since, src, dst);
		i = j;
		if (i < s->frames.n)
			due = due_ns(s, i, start, &elapsed);
	}
	if (link_tx_state(rtnl, ifc->name, &after, &r->d))
		return -1;
	if (run_tx_judge(r, st, &s->at, s->frames.n, &before, &after, text, sizeof(text)) ==
	    NFLAB_FAIL) {
		/* Without the newline that ends the step's line, with one that ends its own. */
		*detail = xasprintf("%s\n", text + 1);
		return NFLAB_FAIL;
	}
	return NFLAB_PASS;
}

static void describe(const struct lab *lab, const struct lab_step *st, char *buf, size_t len)
{
	const struct replay_step *s = st->ext.priv;
	char at[80], pace[32];

	if (s->pace == PACE_RATE)
		snprintf(pace, sizeof(pace), "%llu/s", (unsigned long long)s->rate);
	snprintf(buf, len, "replay %s at %s: %zu frame%s%s%s%s, %zu address%s mapped, pace %s",
		 s->file, lab_end_fmt(lab, &s->at, at, sizeof(at)), s->frames.n,
		 s->frames.n == 1 ? "" : "s", s->filter ? " (filter \"" : "",
		 s->filter ? s->filter : "", s->filter ? "\")" : "", s->map_n,
		 s->map_n == 1 ? "" : "es",
		 s->pace == PACE_FAST	? "fast"
		 : s->pace == PACE_RATE ? pace
					: "original");
}

static void release(struct lab_step *st)
{
	struct replay_step *s = st->ext.priv;

	if (!s)
		return;
	capframes_release(&s->frames);
	free(s->file);
	free(s->filter);
	free(s);
}

static long sender(const struct lab *lab, const struct lab_step *st, long *iface)
{
	(void)lab;
	const struct replay_step *s = st->ext.priv;

	*iface = (long)s->at.iface;
	return (long)s->at.node;
}

const struct step_ops step_replay = {
	.key = "replay",
	.kind = STEP_EXT,
	.parse = parse,
	.run = run,
	.describe = describe,
	.release = release,
	.sender = sender,
	.estimate_ns = estimate_ns,
};
