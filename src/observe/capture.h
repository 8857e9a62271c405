/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Packet capture on a node's interface with libpcap, one handle per direction. */
#ifndef NFLAB_CAPTURE_H
#define NFLAB_CAPTURE_H

#include "observe/event.h"
#include "util/diag.h"

struct capture;

/*
 * Opens a capture of packets going dir (DIR_IN or DIR_OUT) on ifname inside the
 * netns held by nsfd: immediate mode, nanosecond timestamps, non-blocking, so it
 * sees a packet the moment the kernel does. point tags the events it produces.
 * Frames are captured whole up to the interface's mtu (0: 1500): in immediate
 * mode the ring holds fixed-size slots, so a smaller snap length means more slots.
 * bufsize is the kernel ring in bytes (0: sized for bursts).
 * Returns a new capture; caller frees it with cap_close(). NULL on error.
 */
struct capture *cap_open(int nsfd, const char *ifname, enum pkt_dir dir, size_t point,
			 unsigned int mtu, int bufsize, struct diag *d);
void cap_close(struct capture *c);
/* The fd to poll for readability. */
int cap_fd(const struct capture *c);
/*
 * Reads every packet waiting and appends it to log. Returns the number of
 * packets read, or -1 on error.
 */
int cap_read(struct capture *c, struct evlog *log, struct diag *d);
/* Packets the kernel dropped for this capture (ring full), from pcap_stats. */
unsigned int cap_drops(struct capture *c);

/* Bytes captured of each frame on an interface of that mtu (0: 1500). */
unsigned int cap_snaplen(unsigned int mtu);

#endif
