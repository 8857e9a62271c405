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
 * Whether a socket of that netns has local port: a listening TCP socket
 * (proto IPPROTO_TCP) or a bound UDP socket (IPPROTO_UDP), IPv4 or IPv6.
 * Returns 1 or 0, or -1 with d set.
 */
int sockdiag_port_open(struct nl_sock *s, int proto, uint16_t port, struct diag *d);

#endif
