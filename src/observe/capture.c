// SPDX-License-Identifier: GPL-2.0-or-later
/* Packet capture on a node's interface with libpcap, one handle per direction. */
#include "observe/capture.h"

#include <linux/filter.h>
#include <linux/if_packet.h>
#include <pcap/pcap.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "topo/netns.h"
#include "util/xalloc.h"

#define CAP_SNAPLEN 65535      /* most a frame can be */
#define CAP_L2_ROOM 64	       /* link header and tags on top of the MTU */
#define CAP_BUFFER  (4u << 20) /* bytes of kernel ring per handle: ~2000 full-size frames */

struct capture {
	pcap_t *p;
	enum pkt_dir dir;
	size_t point;
	int linktype;
};

/*
 * Keeps only frames going dir, in the kernel: in immediate mode libpcap tests
 * the direction in userland, so without this each direction's ring would also
 * fill with the other direction's frames. Attached behind libpcap's back (its
 * own filters are re-run in userland on frames already in the ring, where a
 * packet-type test cannot be evaluated); pcap_setdirection() still sorts the
 * frames that arrived before it.
 */
static int keep_direction(int fd, enum pkt_dir dir)
{
	struct sock_filter code[] = {
		BPF_STMT(BPF_LD | BPF_B | BPF_ABS, (uint32_t)(SKF_AD_OFF + SKF_AD_PKTTYPE)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, PACKET_OUTGOING, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, dir == DIR_OUT ? 0xffffffffu : 0),
		BPF_STMT(BPF_RET | BPF_K, dir == DIR_OUT ? 0 : 0xffffffffu),
	};
	struct sock_fprog prog = {sizeof(code) / sizeof(code[0]), code};

	return setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof(prog));
}

struct capture *cap_open(int nsfd, const char *ifname, enum pkt_dir dir, size_t point,
			 unsigned int mtu, int bufsize, struct diag *d)
{
	char errbuf[PCAP_ERRBUF_SIZE] = "";
	struct capture *c;
	int rc;

	if (netns_enter(nsfd, d))
		return NULL;
	c = xzalloc(sizeof(*c));
	c->dir = dir;
	c->point = point;
	/* The AF_PACKET socket is created here, so it belongs to the node's netns. */
	c->p = pcap_create(ifname, errbuf);
	if (!c->p) {
		diag_set(d, "cannot capture on %s: %s", ifname, errbuf);
		goto err;
	}
	pcap_set_snaplen(c->p, (int)cap_snaplen(mtu));
	pcap_set_immediate_mode(c->p, 1);
	pcap_set_buffer_size(c->p, bufsize > 0 ? bufsize : (int)CAP_BUFFER);
	pcap_set_tstamp_precision(c->p, PCAP_TSTAMP_PRECISION_NANO);
	rc = pcap_activate(c->p);
	if (rc < 0) {
		diag_set(d, "cannot capture on %s: %s", ifname, pcap_geterr(c->p));
		goto err;
	}
	if (keep_direction(pcap_fileno(c->p), dir)) {
		diag_errno(d, "cannot filter the capture on %s by direction", ifname);
		goto err;
	}
	if (pcap_setdirection(c->p, dir == DIR_IN ? PCAP_D_IN : PCAP_D_OUT) ||
	    pcap_setnonblock(c->p, 1, errbuf)) {
		diag_set(d, "cannot capture on %s: %s", ifname, pcap_geterr(c->p));
		goto err;
	}
	c->linktype = pcap_datalink(c->p);
	if (netns_restore(d))
		goto err_restored;
	return c;
err:
	netns_restore(NULL);
err_restored:
	cap_close(c);
	return NULL;
}

void cap_close(struct capture *c)
{
	if (!c)
		return;
	if (c->p)
		pcap_close(c->p);
	free(c);
}

int cap_fd(const struct capture *c)
{
	return pcap_get_selectable_fd(c->p);
}

struct read_ctx {
	struct capture *c;
	struct evlog *log;
	uint64_t arrival;
};

static void on_packet(u_char *user, const struct pcap_pkthdr *h, const u_char *bytes)
{
	struct read_ctx *rc = (struct read_ctx *)user;
	struct event *e = evlog_add(rc->log, bytes, h->caplen);

	/* With nanosecond precision, tv_usec holds nanoseconds. */
	e->ts_ns = (uint64_t)h->ts.tv_sec * 1000000000ull + (uint64_t)h->ts.tv_usec;
	e->arrival_ns = rc->arrival;
	e->point = rc->c->point;
	e->dir = rc->c->dir;
	pkt_decode(e->data, h->caplen, h->len, rc->c->linktype, &e->pkt);
}

unsigned int cap_snaplen(unsigned int mtu)
{
	mtu = (mtu ? mtu : 1500) + CAP_L2_ROOM;
	return mtu < CAP_SNAPLEN ? mtu : CAP_SNAPLEN;
}

int cap_read(struct capture *c, struct evlog *log, struct diag *d)
{
	struct read_ctx rc = {c, log, now_mono_ns()};
	int n, total = 0;

	do {
		n = pcap_dispatch(c->p, -1, on_packet, (u_char *)&rc);
		if (n < 0)
			return diag_set(d, "capture read failed: %s", pcap_geterr(c->p));
		total += n;
	} while (n > 0);
	return total;
}

unsigned int cap_drops(struct capture *c)
{
	struct pcap_stat st;

	if (pcap_stats(c->p, &st))
		return 0;
	return st.ps_drop;
}
