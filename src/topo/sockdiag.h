/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Which ports a netns has open, asked through sock_diag (how ss does it). */
#ifndef NFLAB_SOCKDIAG_H
#define NFLAB_SOCKDIAG_H

#include <stdint.h>

#include "topo/nl.h"
#include "util/diag.h"

/* A sock_diag socket of the netns held by nsfd (close with nl_close()), or NULL. */
struct nl_sock *sockdiag_open(int nsfd, struct diag *d);
/*
 * The sockets of that netns on local port: listening TCP sockets (proto
 * IPPROTO_TCP) or bound UDP sockets (IPPROTO_UDP), IPv4 and IPv6. Returns how
 * many, with their inodes in a new array *inodes (caller frees; NULL when
 * none), or -1 with d set.
 */
long sockdiag_port_inodes(struct nl_sock *s, int proto, uint16_t port, unsigned long **inodes,
			  struct diag *d);

#endif
