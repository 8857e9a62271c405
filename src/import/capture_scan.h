/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A customer's capture (pcap or pcapng) walked frame by frame: its interfaces and each frame's addresses. */
#ifndef NFLAB_IMPORT_CAPTURE_SCAN_H
#define NFLAB_IMPORT_CAPTURE_SCAN_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/diag.h"
#include "util/ipaddr.h"

/* One interface of a capture (a pcapng interface description block, or a pcap file's one). */
struct cap_iface {
	char *name;	    /* pcapng if_name; NULL when the file names none */
	uint16_t linktype;  /* LINKTYPE_* */
	size_t n_frames;    /* frames captured on it */
};

/* What a frame says about itself, as far as the import needs it. */
struct cap_frame {
	size_t iface;		      /* index into capture.ifaces */
	bool has_eth;		      /* an Ethernet header (eth_src, eth_dst) */
	uint8_t eth_src[6], eth_dst[6];
	bool has_ip;		      /* an IPv4 or IPv6 header (src, dst) */
	struct ipaddr src, dst;
};

struct capture {
	uint8_t *data; /* the file */
	size_t len;
	bool pcapng;
	struct cap_iface *ifaces;
	size_t n_ifaces, cap_ifaces;
};

typedef void cap_frame_fn(const struct cap_frame *fr, void *arg);

/*
 * Reads path and calls fn for each frame (fn may be NULL: only count).
 * Returns 0, or -1 with d set to "PATH: what is wrong" (not a capture, cut
 * short, a block that runs past the file ...). Release c with capture_release().
 */
int capture_read(const char *path, struct capture *c, cap_frame_fn *fn, void *arg, struct diag *d);
void capture_release(struct capture *c);

/*
 * Writes the frames of interface iface of a pcapng capture to out_path as a
 * pcapng of its own (the section header, that interface, its frames).
 * Returns 0 or -1 with d set.
 */
int capture_split(const struct capture *c, size_t iface, const char *out_path, struct diag *d);

#endif
