/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Links over rtnetlink: veth pairs across namespaces, state, MTU and MAC. */
#ifndef NFLAB_LINK_H
#define NFLAB_LINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "topo/nl.h"

/* One end of a veth pair. */
struct veth_end {
	const char *name;   /* interface name in its netns, < IFNAMSIZ */
	int nsfd;	    /* netns fd holding this end */
	unsigned int mtu;   /* bytes, 0 = kernel default */
	const uint8_t *mac; /* 6 bytes, NULL = random */
};

/*
 * Creates a veth pair in one RTM_NEWLINK: end a in the socket's netns (s must be
 * open in a->nsfd) and end b moved at creation into b->nsfd, so neither end is
 * ever visible in the home netns. Both ends are left down. Returns 0 or -1.
 */
int link_veth_add(struct nl_sock *s, const struct veth_end *a, const struct veth_end *b,
		  struct diag *d);

/* Sets the link named name up (IFF_UP). Returns 0 or -1. */
int link_up(struct nl_sock *s, const char *name, struct diag *d);
/* Sets the link named name up or down (IFF_UP). Returns 0 or -1. */
int link_set_up(struct nl_sock *s, const char *name, bool up, struct diag *d);

/* Returns the ifindex of name in the socket's netns, or -1 (diag set) when absent. */
int link_index(struct nl_sock *s, const char *name, struct diag *d);

/* Reads the link's MAC address into mac[6]. Returns 0 or -1. */
int link_mac(struct nl_sock *s, const char *name, uint8_t mac[6], struct diag *d);

/* Whether an interface can transmit now, and its transmit counters. */
struct link_tx {
	bool up;	  /* administratively up */
	bool carrier;	  /* its link is up: a veth's other end is up */
	bool queue;	  /* the kernel activated its queue (not "noop", which drops all) */
	uint64_t packets; /* sent, as the driver counts them */
	uint64_t dropped; /* tx_dropped: accepted and dropped by the device */
};
/* Fills tx for interface name. Returns 0 or -1. */
int link_tx_state(struct nl_sock *s, const char *name, struct link_tx *tx, struct diag *d);

/*
 * Waits until each named link of the netns (s open in it, nsfd holding it) is up
 * and can send: the kernel brings links up in the background, and until then a
 * device drops what it is given. Event-driven (link notifications), bounded by
 * timeout_ns. Returns 0, or -1 naming the link that did not come up.
 */
int link_wait_ready(struct nl_sock *s, int nsfd, const char *const *names, size_t n,
		    uint64_t timeout_ns, struct diag *d);

#endif
