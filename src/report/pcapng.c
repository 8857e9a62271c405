// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * pcapng files of captured packets (draft-ietf-opsawg-pcapng): one section,
 * one interface block per capture point, enhanced packet blocks in time order.
 * Written by hand because libpcap writes only the classic format, which
 * pcapng_write_classic() writes through libpcap.
 */
#include "report/pcapng.h"

#include <errno.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/outfile.h"
#include "util/xalloc.h"

#define BT_SHB 0x0A0D0D0Au
#define BT_IDB 0x00000001u
#define BT_EPB 0x00000006u

#define OPT_END	      0
#define OPT_COMMENT   1
#define SHB_USERAPPL  4
#define IF_NAME	      2
#define IF_DESC	      3
#define IF_TSRESOL    9
#define EPB_FLAGS     2
#define LINKTYPE_ETH  1
#define FLAG_INBOUND  1u
#define FLAG_OUTBOUND 2u

/* A block is built in memory, then written with its length at both ends. */
struct block {
	uint8_t *buf;
	size_t len, cap;
};

static void put(struct block *b, const void *data, size_t len)
{
	size_t pad = (4 - len % 4) % 4;

	if (b->len + len + pad > b->cap) {
		b->cap = (b->len + len + pad) * 2;
		b->buf = xrealloc(b->buf, b->cap);
	}
	memcpy(b->buf + b->len, data, len);
	memset(b->buf + b->len + len, 0, pad);
	b->len += len + pad;
}

static void put32(struct block *b, uint32_t v)
{
	put(b, &v, 4);
}

static void put_opt(struct block *b, uint16_t code, const void *data, size_t len)
{
	uint16_t h[2] = {code, (uint16_t)(len > 0xfff0 ? 0xfff0 : len)};

	put(b, h, 4);
	put(b, data, h[1]);
}

static void put_str_opt(struct block *b, uint16_t code, const char *s)
{
	if (s && *s)
		put_opt(b, code, s, strlen(s));
}

static void end_opts(struct block *b)
{
	put32(b, OPT_END); /* code 0, length 0 */
}

static int emit(FILE *f, uint32_t type, const struct block *body)
{
	uint32_t total = (uint32_t)body->len + 12;

	return fwrite(&type, 4, 1, f) != 1 || fwrite(&total, 4, 1, f) != 1 ||
			       (body->len && fwrite(body->buf, body->len, 1, f) != 1) ||
			       fwrite(&total, 4, 1, f) != 1
		       ? -1
		       : 0;
}

static int cmp_ts(const void *a, const void *b)
{
	const struct event *x = *(const struct event *const *)a;
	const struct event *y = *(const struct event *const *)b;

	if (x->ts_ns != y->ts_ns)
		return x->ts_ns < y->ts_ns ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static int cmp_mark(const void *a, const void *b)
{
	const struct pcapng_mark *x = a, *y = b;

	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* The first of the n marks (sorted by seq) on the packet of log position seq. */
static size_t first_mark(const struct pcapng_mark *m, size_t n, size_t seq)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (m[mid].seq < seq)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* The interface block index of a point, or -1 when it is not written. */
static long if_index(const struct pcapng_if *ifs, size_t n_ifs, size_t point)
{
	size_t i;

	for (i = 0; i < n_ifs; i++)
		if (ifs[i].point == point)
			return (long)i;
	return -1;
}

/* Whether a packet event is written: at one of the interfaces, passing its filter. */
static bool written(const struct pcapng_if *ifs, size_t n_ifs, const struct event *ev)
{
	long i;

	if (ev->kind != EV_PACKET || (i = if_index(ifs, n_ifs, ev->point)) < 0)
		return false;
	return !ifs[i].filter ||
	       pktfilter_match(ifs[i].filter, ev->data, ev->caplen, ev->pkt.wirelen);
}

static void section(struct block *b, const char *comment)
{
	uint16_t v16[2] = {1, 0}; /* version 1.0 */
	int64_t unknown = -1;	  /* section length: not given */

	put32(b, 0x1A2B3C4Du); /* byte-order magic: readers swap if they must */
	put(b, v16, 4);
	put(b, &unknown, 8);
	put_str_opt(b, OPT_COMMENT, comment);
	put_str_opt(b, SHB_USERAPPL, "nflab");
	end_opts(b);
}

static void interface(struct block *b, const struct pcapng_if *ifc)
{
	uint16_t v16[2] = {LINKTYPE_ETH, 0};
	uint8_t tsresol = 9; /* nanoseconds */

	put(b, v16, 4);
	put32(b, ifc->snaplen);
	put_str_opt(b, IF_NAME, ifc->name);
	put_str_opt(b, IF_DESC, ifc->description);
	put_opt(b, IF_TSRESOL, &tsresol, 1);
	end_opts(b);
}

static void packet(struct block *b, long ifi, const struct event *e,
		   const struct pcapng_mark *marks, size_t from, size_t to)
{
	uint32_t flags = e->dir == DIR_IN ? FLAG_INBOUND : e->dir == DIR_OUT ? FLAG_OUTBOUND : 0;
	size_t i;

	put32(b, (uint32_t)ifi);
	put32(b, (uint32_t)(e->ts_ns >> 32));
	put32(b, (uint32_t)e->ts_ns);
	put32(b, e->caplen);
	put32(b, e->pkt.wirelen ? e->pkt.wirelen : e->caplen);
	put(b, e->data, e->caplen);
	if (flags)
		put_opt(b, EPB_FLAGS, &flags, 4);
	for (i = from; i < to; i++)
		put_str_opt(b, OPT_COMMENT, marks[i].text);
	end_opts(b);
}

int pcapng_write(const char *path, const char *section_comment, const struct pcapng_if *ifs,
		 size_t n_ifs, const struct evlog *log, const struct pcapng_mark *marks,
		 size_t n_marks, struct diag *d)
{
	const struct event **sorted = xcalloc(log->n + 1, sizeof(*sorted));
	struct pcapng_mark *m = xcalloc(n_marks + 1, sizeof(*m));
	struct block b = {0};
	size_t i, n = 0;
	struct outfile of;
	FILE *f = outfile_open(&of, path, d);
	int rc = 0;

	if (!f) {
		free(sorted);
		free(m);
		return -1;
	}
	for (i = 0; i < log->n; i++)
		if (written(ifs, n_ifs, &log->ev[i]))
			sorted[n++] = &log->ev[i];
	/* Each direction of each point is read from its own handle: restore the time order. */
	qsort(sorted, n, sizeof(*sorted), cmp_ts);
	memcpy(m, marks, n_marks * sizeof(*m));
	qsort(m, n_marks, sizeof(*m), cmp_mark);
	section(&b, section_comment);
	rc |= emit(f, BT_SHB, &b);
	for (i = 0; i < n_ifs; i++) {
		b.len = 0;
		interface(&b, &ifs[i]);
		rc |= emit(f, BT_IDB, &b);
	}
	for (i = 0; i < n; i++) {
		size_t from = first_mark(m, n_marks, sorted[i]->seq), to = from;

		while (to < n_marks && m[to].seq == sorted[i]->seq)
			to++;
		b.len = 0;
		packet(&b, if_index(ifs, n_ifs, sorted[i]->point), sorted[i], m, from, to);
		rc |= emit(f, BT_EPB, &b);
	}
	if (rc) {
		errno = errno ? errno : EIO;
		diag_errno(d, "cannot write %s", path);
		outfile_discard(&of);
	} else {
		rc = outfile_commit(&of, d);
	}
	free(b.buf);
	free(sorted);
	free(m);
	return rc;
}

/* The packets of ifc in time order, into a new array of *n. */
static const struct event **packets_of(const struct pcapng_if *ifc, const struct evlog *log,
				       size_t *n)
{
	const struct event **sorted = xcalloc(log->n + 1, sizeof(*sorted));
	size_t i;

	*n = 0;
	for (i = 0; i < log->n; i++)
		if (written(ifc, 1, &log->ev[i]))
			sorted[(*n)++] = &log->ev[i];
	qsort(sorted, *n, sizeof(*sorted), cmp_ts);
	return sorted;
}

int pcapng_write_classic(const char *path, const struct pcapng_if *ifc, const struct evlog *log,
			 struct diag *d)
{
	pcap_t *dead = pcap_open_dead_with_tstamp_precision(DLT_EN10MB, (int)ifc->snaplen,
							    PCAP_TSTAMP_PRECISION_NANO);
	const struct event **sorted;
	pcap_dumper_t *dump;
	struct outfile of;
	size_t i, n;
	FILE *f, *g;
	int fd;

	if (!dead)
		return diag_set(d, "libpcap cannot write %s", path);
	if (!(f = outfile_open(&of, path, d))) {
		pcap_close(dead);
		return -1;
	}
	/*
	 * pcap_dump_close() closes the FILE it wrote to, and outfile_commit() must
	 * close (and name) the unnamed file itself: libpcap gets a FILE of its own
	 * on a duplicate of the descriptor, the same open file.
	 */
	fd = dup(fileno(f));
	g = fd >= 0 ? fdopen(fd, "wb") : NULL;
	if (!g) {
		if (fd >= 0)
			close(fd);
		diag_errno(d, "cannot write %s", path);
		goto err;
	}
	if (!(dump = pcap_dump_fopen(dead, g))) {
		fclose(g);
		diag_set(d, "cannot write %s: %s", path, pcap_geterr(dead));
		goto err;
	}
	sorted = packets_of(ifc, log, &n);
	for (i = 0; i < n; i++) {
		const struct event *e = sorted[i];
		struct pcap_pkthdr h = {.ts = {(time_t)(e->ts_ns / 1000000000ull),
					       (long)(e->ts_ns % 1000000000ull)},
					.caplen = e->caplen,
					.len = e->pkt.wirelen ? e->pkt.wirelen : e->caplen};

		pcap_dump((u_char *)dump, &h, e->data);
	}
	free(sorted);
	errno = 0;
	if (pcap_dump_flush(dump) || ferror(g)) {
		errno = errno ? errno : EIO;
		diag_errno(d, "cannot write %s", path);
		pcap_dump_close(dump);
		goto err;
	}
	pcap_dump_close(dump);
	pcap_close(dead);
	return outfile_commit(&of, d);
err:
	pcap_close(dead);
	outfile_discard(&of);
	return -1;
}
