/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Which ports a netns has open, asked through sock_diag (how ss does it). */
#ifndef NFLAB_SOCKDIAG_H
#define NFLAB_SOCKDIAG_H

#include <stdint.h>

#include "util/diag.h"

struct mnl_socket;

/* A sock_diag socket of the netns held by nsfd (close with mnl_socket_close()), or NULL. */
struct mnl_socket *sockdiag_open(int nsfd, struct diag *d);
/*
 * Whether a socket of that netns has local port: a listening TCP socket
 * (proto IPPROTO_TCP) or a bound UDP socket (IPPROTO_UDP), IPv4 or IPv6.
 * Returns 1 or 0, or -1 with d set.
 */
int sockdiag_port_open(struct mnl_socket *nl, int proto, uint16_t port, struct diag *d);

#endif
