/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A netlink socket that listens to kernel notifications in one netns and never loses them silently.
 */
#ifndef NFLAB_NLWATCH_H
#define NFLAB_NLWATCH_H

#include <libmnl/libmnl.h>
#include <stddef.h>
#include <stdint.h>

#include "util/diag.h"

#define NLWATCH_RCVBUF (8 << 20) /* bytes: a burst of some ten thousand notifications */

struct nlwatch;

/*
 * Opens a non-blocking NETLINK_NETFILTER socket in the netns held by nsfd, joins
 * the multicast groups in the bit set groups (bit g-1 for group g; 0 for unicast
 * senders such as NFLOG) and sizes its
 * receive buffer to rcvbuf bytes (0: NLWATCH_RCVBUF). what names the observer in
 * messages ("conntrack events of fw"). Returns a new watcher (free with
 * nlwatch_close()), or NULL.
 */
struct nlwatch *nlwatch_open(int nsfd, uint32_t groups, int rcvbuf, const char *what,
			     struct diag *d);
void nlwatch_close(struct nlwatch *w);
int nlwatch_fd(const struct nlwatch *w);
struct mnl_socket *nlwatch_mnl(const struct nlwatch *w);
/* The observer's name given to nlwatch_open(). */
const char *nlwatch_name(const struct nlwatch *w);

/*
 * Reads every message waiting and passes each to cb(nlh, data). Returns 0, or -1
 * when the kernel dropped notifications (ENOBUFS: the verdict could be wrong, and d
 * names the observer) or on error.
 */
int nlwatch_read(struct nlwatch *w, mnl_cb_t cb, void *data, struct diag *d);

#endif
