/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Crafted packets out of one socket per sender: frames at L2, IP packets at L3, in batches. */
#ifndef NFLAB_INJECT_H
#define NFLAB_INJECT_H

#include <stddef.h>
#include <stdint.h>

#include "craft/craft.h"
#include "lab/lab.h"
#include "util/diag.h"

struct injector;

/*
 * Opens the sending socket of a node (netns nsfd): an AF_PACKET socket bound to
 * ifindex for frames, or (ifindex 0) a raw IPv4/IPv6 socket (family) for IP
 * packets, which the node routes. Returns it (free with inj_close()), or NULL.
 */
struct injector *inj_open(int nsfd, int ifindex, int family, struct diag *d);
void inj_close(struct injector *inj);
/* The injector's socket, handed to the caller to close (inj_close() then does not); -1 for none. */
int inj_take_fd(struct injector *inj);

/* Sends n packets (frames or IP packets) as one batch. Returns 0 or -1. */
int inj_send(struct injector *inj, uint8_t *const *pkts, const size_t *lens, size_t n,
	     const struct ipaddr *dst, struct diag *d);

/*
 * Sends count copies of the built packet tmpl (laid out as lay), changing the
 * swept fields of each (and their checksums, incrementally), in sendmmsg batches;
 * at rate packets per second when rate is not 0. dst routes IP packets.
 * between(arg), when not NULL, runs after each batch (observers read what the
 * batch caused, so a long burst never overruns them); its -1 stops the burst.
 * Returns 0 or -1.
 */
int inj_burst(struct injector *inj, const uint8_t *tmpl, const struct craft_layout *lay,
	      const struct sweep *sw, size_t n_sw, uint64_t count, uint64_t rate,
	      const struct ipaddr *dst, int (*between)(void *), void *arg, struct diag *d);

#endif
