/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Packet capture on a node's interface: an AF_PACKET socket and its mapped ring. */
#ifndef NFLAB_CAPTURE_H
#define NFLAB_CAPTURE_H

#include "observe/event.h"
#include "util/diag.h"

struct capture;

/*
 * A capture of the packets going both ways on an interface, in two halves.
 * cap_prepare() makes the socket and its ring inside the netns held by nsfd,
 * bound to no interface, so they can be made before the interface exists
 * (setting up a ring waits out an RCU grace period: made while the lab is being
 * built, that wait costs nothing). cap_bind() then binds it to ifname, from when
 * on it captures: non-blocking, nanosecond timestamps, and each packet readable
 * the moment the kernel has it. point tags the events it produces. The ring holds
 * fixed-size slots for frames of the interface's mtu (0: 1500), so a smaller mtu
 * means more slots; a bigger frame (a super-frame of offloads) is read whole from
 * the socket, up to cap_snaplen() bytes. bufsize is the ring in bytes (0: sized
 * for bursts). cap_prepare() returns a new capture, which the caller frees with
 * cap_close(), or NULL on error; cap_bind() returns 0 or -1.
 */
struct capture *cap_prepare(int nsfd, size_t point, unsigned int mtu, int bufsize, struct diag *d);
int cap_bind(struct capture *c, int nsfd, const char *ifname, struct diag *d);
void cap_close(struct capture *c);
/*
 * Unmaps the capture's ring and hands its socket to the caller to close (cap_close()
 * then only frees the rest); -1 for none.
 */
int cap_take_fd(struct capture *c);
/* The fd to poll for readability. */
int cap_fd(const struct capture *c);
/*
 * Reads every packet waiting and appends it to log, each with its direction.
 * Returns the number of packets read, or -1 on error.
 */
int cap_read(struct capture *c, struct evlog *log, struct diag *d);
/* Packets the kernel dropped for this capture (ring full), since it was opened. */
unsigned int cap_drops(struct capture *c);

/*
 * Frames read shorter than they were on the wire, since the capture was opened:
 * bigger than cap_snaplen(), or too big for a slot while the kernel had no room
 * to queue them whole (the socket's receive budget full).
 */
unsigned int cap_cut(const struct capture *c);

/*
 * Whether the capture died: 0 while it still sees its interface, ENODEV when
 * the interface was deleted or moved to another netns, or the socket's own
 * error. A capture that died sees nothing more, ever.
 */
int cap_gone(struct capture *c);

/* Bytes of a ring with room for that many frames of an interface of that mtu. */
size_t cap_ring_bytes(unsigned int mtu, unsigned int frames);
/* Bytes kept of each frame, on any interface: 262144, tcpdump's most. */
unsigned int cap_snaplen(void);

#endif
