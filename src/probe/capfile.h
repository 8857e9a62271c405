/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Capture files replayed into a lab: read with libpcap (pcap and pcapng),
 * each frame made an Ethernet frame whatever the file's link type (Ethernet,
 * Linux cooked SLL and SLL2, raw IP, BSD loopback), its addresses mapped with
 * every checksum recomputed, and its Ethernet addresses set for the lab's link.
 */
#ifndef NFLAB_CAPFILE_H
#define NFLAB_CAPFILE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "observe/pktfilter.h"
#include "util/diag.h"
#include "util/ipaddr.h"

#define CAPFILE_MAX_FRAMES 100000      /* frames one replay keeps */
#define CAPFILE_MAX_BYTES  (64u << 20) /* bytes of frames one replay keeps */

/* One frame of a capture file, as an Ethernet frame. */
struct capframe {
	uint8_t *data; /* owned */
	size_t len;
	uint64_t ts_ns; /* capture time, ns since the epoch */
	size_t number;	/* its place in the file, from 1 (as Wireshark numbers it) */
};

struct capframes {
	struct capframe *v;
	size_t n, cap;
	size_t bytes; /* of all frames */
};

struct capfile;

/*
 * Starts reading the capture file open as f (pcap or pcapng); name labels
 * messages. Takes f: capfile_close() closes it, and it is closed on failure
 * too. Returns the reader, or NULL with d saying why (not a capture file,
 * truncated header, a link type nflab cannot replay, named).
 */
struct capfile *capfile_open(FILE *f, const char *name, struct diag *d);
/* The file's link type (a DLT_ value), for compiling its filter. */
int capfile_linktype(const struct capfile *cf);
/*
 * Reads the frames that filter accepts (NULL: every one), converted to
 * Ethernet, into out, at most max of them. A frame captured shorter than it
 * was, or one too short for its link header, is an error naming its number;
 * so is a file cut short and more than CAPFILE_MAX_FRAMES or CAPFILE_MAX_BYTES.
 * Returns 0 or -1 with d (out keeps what was read: release it).
 */
int capfile_read(struct capfile *cf, const struct pktfilter *filter, size_t max,
		 struct capframes *out, struct diag *d);
void capfile_close(struct capfile *cf);
void capframes_release(struct capframes *fs);

/* One address of a map: from is replaced by to (same family). */
struct capmap {
	struct ipaddr from, to;
};

/*
 * Replaces the addresses of map in the Ethernet frame (len bytes): ARP sender
 * and target, IPv4 and IPv6 source and destination, the neighbour discovery
 * target, and the same inside the packet an ICMP or ICMPv6 error quotes; then
 * recomputes the IPv4 header, TCP, UDP, ICMP and ICMPv6 checksums (with their
 * pseudo-headers) of a whole packet, and adjusts those of a first fragment and
 * of the quoted headers. Returns the number of addresses replaced.
 */
unsigned int capframe_map(uint8_t *frame, size_t len, const struct capmap *map, size_t n);
/*
 * Sets the frame's Ethernet source to src, and its destination to dst when it
 * is unicast (broadcast and multicast are kept), and the same hardware
 * addresses of an ARP body, so the lab's link carries it to dst's owner.
 */
void capframe_set_eth(uint8_t *frame, size_t len, const uint8_t src[6], const uint8_t dst[6]);

#endif
