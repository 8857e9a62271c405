/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A netlink command socket bound to one netns, with acked requests and extended-ack errors. */
#ifndef NFLAB_NL_H
#define NFLAB_NL_H

#include <linux/netlink.h>
#include <stddef.h>
#include <stdint.h>

#include "util/diag.h"

struct nl_sock;

/*
 * Room for one request message. Callers zero their buffer: libmnl 1.0.4 does
 * not clear attribute padding, and those bytes would go to the kernel.
 */
#define NL_REQUEST_SIZE 4096

/*
 * Opens a NETLINK_ROUTE (bus) socket inside the netns held by nsfd (-1: the home
 * netns) with NETLINK_EXT_ACK on. The socket stays in that netns for its whole
 * life. Returns a new socket; caller frees it with nl_close(). NULL on error.
 */
struct nl_sock *nl_open(int nsfd, int bus, struct diag *d);

struct mnl_socket;
/*
 * Opens a libmnl socket on bus inside the netns held by nsfd (-1: home), with
 * extra socket flags (SOCK_NONBLOCK ...) besides SOCK_CLOEXEC; unbound. For
 * sockets that are not command sockets, such as event listeners. NULL on error.
 */
struct mnl_socket *nl_mnl_open(int nsfd, int bus, int flags, struct diag *d);
void nl_close(struct nl_sock *s);

/* The socket's descriptor, for ioctls in its netns. */
int nl_fd(const struct nl_sock *s);

/*
 * For code that waits on the kernel's notifications: blocks until watch (a
 * non-blocking subscribed socket) has news or deadline (CLOCK_MONOTONIC ns)
 * passes, then reads and drops what arrived. Returns 1 on news, 0 at the deadline.
 */
int nl_wait_news(struct mnl_socket *watch, uint64_t deadline);

/*
 * Sends nlh (its nlmsg_seq is assigned here and NLM_F_ACK is set) and reads
 * until its ack or error arrives. A kernel error is reported with the kernel's
 * errno and its extended-ack text when it gave one. Returns 0 or -1.
 */
int nl_request(struct nl_sock *s, struct nlmsghdr *nlh, struct diag *d);

/* As nl_request(), passing every reply message before the ack to cb(nlh, data). */
int nl_request_cb(struct nl_sock *s, struct nlmsghdr *nlh,
		  int (*cb)(const struct nlmsghdr *, void *), void *data, struct diag *d);

/*
 * Sends the requests laid one after another in buf (len bytes) in one send,
 * each with its own seq and NLM_F_ACK, and reads until every one is acked: the
 * kernel handles each message of a send in turn, whatever the others got. what
 * names them in errors ("ethtool FEATURES_SET"). Returns 0, or -1 with the first
 * refusal in d and its index in the batch in *failed (when not NULL).
 */
int nl_request_batch(struct nl_sock *s, void *buf, size_t len, const char *what, size_t *failed,
		     struct diag *d);

/*
 * Sends a dump request (NLM_F_DUMP) and calls cb(nlh, data) for every reply
 * message until NLMSG_DONE. cb returns MNL_CB_OK to go on. Returns 0 or -1.
 */
int nl_dump(struct nl_sock *s, struct nlmsghdr *nlh, int (*cb)(const struct nlmsghdr *, void *),
	    void *data, struct diag *d);

#endif
