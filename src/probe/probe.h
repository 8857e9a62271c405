/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Socket probes from a node: UDP datagrams, TCP connects, ICMP echoes, and listeners. */
#ifndef NFLAB_PROBE_H
#define NFLAB_PROBE_H

#include <stdbool.h>
#include <sys/socket.h>

#include "lab/lab.h"
#include "util/diag.h"

/*
 * Each function below creates its socket inside the netns held by nsfd and
 * returns it (O_CLOEXEC, non-blocking); the caller keeps it open until the lab
 * ends, so replies meet a socket as they would in real life, and closes it.
 */

/*
 * Sends one UDP datagram as p says, from a new socket. UDP sockets are bound
 * without SO_REUSEADDR: a probe never shares a port with a program, so it can
 * never take a datagram meant for one. Returns the socket, or -1.
 */
int probe_udp_send(int nsfd, const struct step_probe *p, struct diag *d);
/*
 * Whether the UDP socket fd of nflab's (an earlier probe or listen step in the
 * same node) can send p's datagram: bound to p's source port, a family that
 * reaches p's destination, and p's source address or any. Returns 1 (as it
 * is), 2 (with p's source address given per datagram) or 0.
 */
int probe_udp_fits(int fd, const struct step_probe *p);
/* Sends p's datagram from fd, with p's source address when set_src. Returns 0 or -1. */
int probe_udp_sendto(int fd, const struct step_probe *p, bool set_src, struct diag *d);

/* Starts a TCP connect; poll the socket for POLLOUT, then call probe_tcp_outcome(). */
int probe_tcp_start(int nsfd, const struct step_probe *p, struct diag *d);
/* The outcome of a connect started by probe_tcp_start(); timed_out when the wait ended first. */
enum tcp_outcome probe_tcp_outcome(int fd, bool timed_out);
const char *probe_tcp_outcome_name(enum tcp_outcome o);

/* Opens a raw ICMP (or ICMPv6) socket for echo probes toward p->dst. Returns it, or -1. */
int probe_ping_open(int nsfd, const struct step_probe *p, struct diag *d);
/*
 * Sends echo request number seq with id p->icmp_id and p->size payload bytes.
 * Returns 0, 1 when df is set and the sender refused it as larger than the
 * path MTU it knows (EMSGSIZE: nothing left), or -1.
 */
int probe_ping_send(int fd, const struct step_probe *p, uint16_t seq, struct diag *d);
/* Reads what is waiting on fd; returns how many echo replies for p (id, source) it held. */
int probe_ping_replies(int fd, const struct step_probe *p);

/*
 * Opens the listener l asks for (a dual-stack IPv6 socket for family both).
 * TCP sockets listen with a backlog, so connections complete without accept().
 * Returns the socket, or -1.
 */
int probe_listen(int nsfd, const struct step_listen *l, struct diag *d);

/*
 * The IP options p sets, as the report shows them (" ttl 1 tos 0x10 df"), or
 * "" for none; ping's size and interval too.
 */
void probe_opts_fmt(const struct step_probe *p, char *buf, size_t len);

/* a and port as a socket address (AF_INET, or AF_INET6 for IPv6); returns its length. */
socklen_t probe_sockaddr(struct sockaddr_storage *ss, const struct ipaddr *a, uint16_t port);

#endif
