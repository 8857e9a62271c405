// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Packet capture on a node's interface: one AF_PACKET socket with a TPACKET_V2 ring
 * mapped into nflab, both directions. This is what libpcap does in immediate mode,
 * without what it adds per handle (ethtool and sysfs lookups, a second bind, a
 * userland buffer), which cost the flagship lab 3.5 ms for its 12 handles; and the
 * ring tells each frame's direction, so one socket serves where libpcap needed two.
 *
 * Slots are sized for the interface's MTU, which keeps rings small. A bigger
 * frame (a 64 KiB super-frame of a link with offloads: true, or of lo) does not
 * fit one: with PACKET_COPY_THRESH the kernel then also queues it whole on the
 * socket and marks its slot TP_STATUS_COPY, and cap_read() takes it from there.
 * A frame that still ends up shorter than it was (the queue full) is counted.
 */
#include "observe/capture.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_arp.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include "observe/packet.h"
#include "topo/netns.h"
#include "util/clock.h"
#include "util/xalloc.h"

#define CAP_SLOT_MAX 65535	/* bytes of a slot's frame, at most */
#define CAP_L2_ROOM  64		/* link header and tags on top of the MTU */
#define CAP_BUFFER   (8u << 20) /* bytes of ring: ~4000 full-size frames */
#define CAP_WHOLE    262144	/* bytes kept of a frame bigger than a slot (tcpdump's most) */
#define CAP_COPY_BUF (8 << 20)	/* bytes of such frames queued unread: 60 or more */
#define VLAN_TAG_LEN 4

struct capture {
	int fd;
	size_t point;
	int linktype;
	uint8_t *ring;
	size_t ring_len;
	unsigned int frame_size, frames_per_block, block_size, frame_nr;
	unsigned int next; /* the frame to look at next */
	unsigned int drops;
	unsigned int cut;  /* frames kept shorter than they were */
	uint8_t *whole;	   /* CAP_WHOLE bytes: a frame too big for a slot; NULL until one */
	uint8_t *tagged;   /* a frame with its 802.1Q tag put back */
	size_t tagged_len; /* bytes of tagged */
};

/*
 * Where the kernel puts a frame's first byte in a slot (net/packet/af_packet.c,
 * tpacket_rcv: the header and address, then room for a link header of 16 bytes).
 */
static unsigned int mac_offset(void)
{
	return TPACKET_ALIGN(TPACKET2_HDRLEN + 16) - ETH_HLEN;
}

/*
 * Slots in blocks of a power of two pages, each slot big enough for snaplen
 * bytes. A bigger block, up to 32 KiB (above that the kernel's allocations get
 * costly), is taken when its tail wastes less: 1632-byte slots (MTU 1500) fill
 * 4 KiB blocks to 80%, 8 KiB ones to 99.6%, a quarter more frames for the bytes.
 */
static void slot_layout(struct capture *c, unsigned int snaplen)
{
	long page = sysconf(_SC_PAGESIZE);
	unsigned int size;

	c->frame_size = TPACKET_ALIGN(mac_offset() + snaplen);
	c->block_size = page > 0 ? (unsigned int)page : 4096;
	while (c->block_size < c->frame_size)
		c->block_size *= 2;
	for (size = c->block_size * 2; size <= 32768; size *= 2)
		if ((uint64_t)(size / c->frame_size) * c->block_size >
		    (uint64_t)(c->block_size / c->frame_size) * size)
			c->block_size = size;
	c->frames_per_block = c->block_size / c->frame_size;
}

/* As many slots as bufsize bytes hold, at least one block. */
static void ring_layout(struct capture *c, unsigned int snaplen, unsigned int bufsize)
{
	unsigned int blocks;

	slot_layout(c, snaplen);
	blocks = bufsize / c->block_size;
	if (blocks == 0)
		blocks = 1;
	c->frame_nr = blocks * c->frames_per_block;
	c->ring_len = (size_t)blocks * c->block_size;
}

/*
 * The socket and its ring, bound to no interface yet: protocol 0, so nothing
 * arrives before ring_bind(). Setting up the ring waits out a grace period.
 */
static int ring_open(struct capture *c, unsigned int snaplen, unsigned int bufsize, struct diag *d)
{
	int version = TPACKET_V2, one = 1, copybuf = CAP_COPY_BUF;
	struct tpacket_req req;

	c->fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (c->fd < 0)
		return diag_errno(d, "AF_PACKET socket");
	ring_layout(c, snaplen, bufsize);
	req = (struct tpacket_req){
		.tp_block_size = c->block_size,
		.tp_block_nr = (unsigned int)(c->ring_len / c->block_size),
		.tp_frame_size = c->frame_size,
		.tp_frame_nr = c->frame_nr,
	};
	if (setsockopt(c->fd, SOL_PACKET, PACKET_VERSION, &version, sizeof(version)) ||
	    setsockopt(c->fd, SOL_PACKET, PACKET_RX_RING, &req, sizeof(req)))
		return diag_errno(d, "packet ring of %zu bytes", c->ring_len);
	/*
	 * Frames too big for a slot are queued whole as well (TPACKET_V1/V2 only):
	 * their bytes are the kernel's skb, shared, so the budget costs nothing
	 * until such frames come. Without CAP_NET_ADMIN the budget is rmem_max.
	 */
	if (setsockopt(c->fd, SOL_PACKET, PACKET_COPY_THRESH, &one, sizeof(one)))
		return diag_errno(d, "PACKET_COPY_THRESH");
	if (setsockopt(c->fd, SOL_SOCKET, SO_RCVBUFFORCE, &copybuf, sizeof(copybuf)))
		setsockopt(c->fd, SOL_SOCKET, SO_RCVBUF, &copybuf, sizeof(copybuf));
	c->ring = mmap(NULL, c->ring_len, PROT_READ | PROT_WRITE, MAP_SHARED, c->fd, 0);
	if (c->ring == MAP_FAILED) {
		c->ring = NULL;
		return diag_errno(d, "mapping its ring");
	}
	return 0;
}

static int ring_bind(struct capture *c, const char *ifname, struct diag *d)
{
	struct sockaddr_ll sll = {.sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_ALL)};
	socklen_t len = sizeof(sll);

	sll.sll_ifindex = (int)if_nametoindex(ifname);
	if (!sll.sll_ifindex || bind(c->fd, (struct sockaddr *)&sll, sizeof(sll)) ||
	    getsockname(c->fd, (struct sockaddr *)&sll, &len))
		return diag_errno(d, "cannot capture on %s", ifname);
	/* Loopback frames carry an Ethernet header too; tunnels carry bare IP. */
	c->linktype = sll.sll_hatype == ARPHRD_ETHER || sll.sll_hatype == ARPHRD_LOOPBACK
			      ? PKT_LINK_ETHERNET
			      : PKT_LINK_RAW;
	return 0;
}

/* Bytes of a frame a slot holds on an interface of that mtu (0: 1500). */
static unsigned int slot_snaplen(unsigned int mtu)
{
	mtu = (mtu ? mtu : 1500) + CAP_L2_ROOM;
	return mtu < CAP_SLOT_MAX ? mtu : CAP_SLOT_MAX;
}

struct capture *cap_prepare(int nsfd, size_t point, unsigned int mtu, int bufsize, struct diag *d)
{
	unsigned int snaplen = slot_snaplen(mtu);
	struct capture *c;
	int rc;

	if (netns_enter(nsfd, d))
		return NULL;
	c = xzalloc(sizeof(*c));
	c->fd = -1;
	c->point = point;
	/* The socket is created here, so it belongs to the node's netns. */
	rc = ring_open(c, snaplen, bufsize > 0 ? (unsigned int)bufsize : CAP_BUFFER, d);
	if (netns_restore(rc ? NULL : d) || rc) {
		cap_close(c);
		return NULL;
	}
	c->tagged_len = c->frame_size + VLAN_TAG_LEN; /* more than any frame in a slot */
	c->tagged = xmalloc(c->tagged_len);
	return c;
}

int cap_bind(struct capture *c, int nsfd, const char *ifname, struct diag *d)
{
	int rc;

	if (netns_enter(nsfd, d))
		return -1;
	rc = ring_bind(c, ifname, d);
	return netns_restore(rc ? NULL : d) || rc ? -1 : 0;
}

void cap_close(struct capture *c)
{
	if (!c)
		return;
	if (c->ring)
		munmap(c->ring, c->ring_len);
	if (c->fd >= 0)
		close(c->fd);
	free(c->whole);
	free(c->tagged);
	free(c);
}

int cap_fd(const struct capture *c)
{
	return c->fd;
}

int cap_take_fd(struct capture *c)
{
	int fd = c ? c->fd : -1;

	if (!c)
		return -1;
	/* Unmapped while the socket lives: unmapped later, each waits on its release. */
	if (c->ring)
		munmap(c->ring, c->ring_len);
	c->ring = NULL;
	c->fd = -1;
	return fd;
}

static struct tpacket2_hdr *slot(const struct capture *c, unsigned int i)
{
	return (struct tpacket2_hdr *)(c->ring + (size_t)(i / c->frames_per_block) * c->block_size +
				       (size_t)(i % c->frames_per_block) * c->frame_size);
}

/* The kernel takes a VLAN tag out of a received frame into the slot's header: put it back. */
static const uint8_t *with_tag(struct capture *c, const struct tpacket2_hdr *h,
			       const uint8_t *frame, uint32_t *caplen, uint32_t *wirelen)
{
	uint16_t tpid = h->tp_status & TP_STATUS_VLAN_TPID_VALID ? h->tp_vlan_tpid : ETH_P_8021Q;
	uint16_t tag[2] = {htons(tpid), htons(h->tp_vlan_tci)};

	if (!(h->tp_status & TP_STATUS_VLAN_VALID) || c->linktype != PKT_LINK_ETHERNET ||
	    *caplen < 2 * ETH_ALEN)
		return frame;
	if (c->tagged_len < *caplen + VLAN_TAG_LEN) { /* a whole frame, bigger than a slot */
		c->tagged_len = *caplen + VLAN_TAG_LEN;
		c->tagged = xrealloc(c->tagged, c->tagged_len);
	}
	memcpy(c->tagged, frame, 2 * ETH_ALEN);
	memcpy(c->tagged + 2 * ETH_ALEN, tag, VLAN_TAG_LEN);
	memcpy(c->tagged + 2 * ETH_ALEN + VLAN_TAG_LEN, frame + 2 * ETH_ALEN,
	       *caplen - 2 * ETH_ALEN);
	*caplen += VLAN_TAG_LEN;
	*wirelen += VLAN_TAG_LEN;
	return c->tagged;
}

/*
 * The whole of a frame whose slot holds only its start (TP_STATUS_COPY): the
 * kernel queued it on the socket before handing the slot over, in slot order.
 * Falls back to the slot's part when it cannot be read.
 */
static const uint8_t *whole_frame(struct capture *c, const uint8_t *part, uint32_t *caplen)
{
	ssize_t n;
	int tries = 0;

	if (!c->whole)
		c->whole = xmalloc(CAP_WHOLE);
	/*
	 * A pending socket error (ENETDOWN: the interface went down) is returned
	 * first and cleared by being read; the frame is still queued behind it,
	 * and leaving it there would hand it to the next such slot.
	 */
	do
		n = recv(c->fd, c->whole, CAP_WHOLE, MSG_TRUNC | MSG_DONTWAIT);
	while (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && ++tries < 3);
	if (n < (ssize_t)*caplen)
		return part;
	*caplen = n < CAP_WHOLE ? (uint32_t)n : CAP_WHOLE;
	return c->whole;
}

int cap_read(struct capture *c, struct evlog *log, struct diag *d)
{
	uint64_t arrival = now_mono_ns();
	int total = 0;

	(void)d; /* reading a mapped ring cannot fail */
	for (;;) {
		struct tpacket2_hdr *h = slot(c, c->next);
		const struct sockaddr_ll *sll;
		uint32_t caplen, wirelen;
		const uint8_t *frame;
		struct event *e;

		/* Acquire: the frame's bytes are the kernel's until it hands the slot over. */
		if (!(__atomic_load_n(&h->tp_status, __ATOMIC_ACQUIRE) & TP_STATUS_USER))
			break;
		sll = (const struct sockaddr_ll *)((uint8_t *)h +
						   TPACKET_ALIGN(sizeof(struct tpacket2_hdr)));
		caplen = h->tp_snaplen;
		wirelen = h->tp_len;
		frame = (uint8_t *)h + h->tp_mac;
		if (h->tp_status & TP_STATUS_COPY)
			frame = whole_frame(c, frame, &caplen);
		if (caplen < wirelen)
			c->cut++;
		frame = with_tag(c, h, frame, &caplen, &wirelen);
		e = evlog_add(log, frame, caplen);
		e->ts_ns = (uint64_t)h->tp_sec * 1000000000ull + h->tp_nsec;
		e->arrival_ns = arrival;
		e->point = c->point;
		e->dir = sll->sll_pkttype == PACKET_OUTGOING ? DIR_OUT : DIR_IN;
		pkt_decode(e->data, caplen, wirelen, c->linktype, &e->pkt);
		__atomic_store_n(&h->tp_status, TP_STATUS_KERNEL, __ATOMIC_RELEASE);
		c->next = (c->next + 1) % c->frame_nr;
		total++;
	}
	return total;
}

unsigned int cap_drops(struct capture *c)
{
	struct tpacket_stats st;
	socklen_t len = sizeof(st);

	/* The kernel zeroes its counters at each read: keep the sum. */
	if (!getsockopt(c->fd, SOL_PACKET, PACKET_STATISTICS, &st, &len))
		c->drops += st.tp_drops;
	return c->drops;
}

unsigned int cap_cut(const struct capture *c)
{
	return c->cut;
}

size_t cap_ring_bytes(unsigned int mtu, unsigned int frames)
{
	struct capture c;

	slot_layout(&c, slot_snaplen(mtu));
	return (size_t)((frames + c.frames_per_block - 1) / c.frames_per_block) * c.block_size;
}

unsigned int cap_snaplen(void)
{
	return CAP_WHOLE;
}

int cap_gone(struct capture *c)
{
	struct sockaddr_ll sll;
	socklen_t len = sizeof(sll), elen = sizeof(int);
	int err = 0;

	/* A pending error, cleared by reading it: ENETDOWN when the interface went down or away. */
	if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &elen))
		return errno;
	/*
	 * An interface deleted, or moved to another netns, unbinds the socket for
	 * good (ifindex -1). One that only went down keeps it, and the kernel hooks
	 * the socket in again when it comes up: nothing crosses a down interface.
	 */
	if (getsockname(c->fd, (struct sockaddr *)&sll, &len))
		return errno;
	if (sll.sll_ifindex <= 0)
		return ENODEV;
	return err == ENETDOWN ? 0 : err;
}
