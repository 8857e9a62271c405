// SPDX-License-Identifier: GPL-2.0-or-later
/* A netlink socket that listens to kernel notifications in one netns and never loses them silently.
 */
#include "observe/nlwatch.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/socket.h>

#include "topo/nl.h"
#include "util/xalloc.h"

struct nlwatch {
	struct mnl_socket *mnl;
	char *what;
	char buf[65536];
};

struct nlwatch *nlwatch_open(int nsfd, uint32_t groups, int rcvbuf, const char *what,
			     struct diag *d)
{
	struct nlwatch *w = xzalloc(sizeof(*w));
	int size = rcvbuf > 0 ? rcvbuf : NLWATCH_RCVBUF;
	unsigned int group;

	w->what = xstrdup(what);
	w->mnl = nl_mnl_open(nsfd, NETLINK_NETFILTER, SOCK_NONBLOCK, d);
	if (!w->mnl)
		goto err;
	if (mnl_socket_bind(w->mnl, 0, MNL_SOCKET_AUTOPID)) {
		diag_errno(d, "%s: cannot bind a netlink socket", what);
		goto err;
	}
	for (group = 1; group <= 32; group++) {
		if (!(groups & (1u << (group - 1))))
			continue;
		if (mnl_socket_setsockopt(w->mnl, NETLINK_ADD_MEMBERSHIP, &group, sizeof(group))) {
			diag_errno(d, "%s: cannot subscribe", what);
			goto err;
		}
	}
	/* FORCE passes rmem_max (root); fall back to what an unprivileged size gives. */
	if (setsockopt(mnl_socket_get_fd(w->mnl), SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size)))
		setsockopt(mnl_socket_get_fd(w->mnl), SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
	return w;
err:
	nlwatch_close(w);
	return NULL;
}

void nlwatch_close(struct nlwatch *w)
{
	if (!w)
		return;
	if (w->mnl)
		mnl_socket_close(w->mnl);
	free(w->what);
	free(w);
}

int nlwatch_fd(const struct nlwatch *w)
{
	return mnl_socket_get_fd(w->mnl);
}

struct mnl_socket *nlwatch_mnl(const struct nlwatch *w)
{
	return w->mnl;
}

const char *nlwatch_name(const struct nlwatch *w)
{
	return w->what;
}

int nlwatch_read(struct nlwatch *w, mnl_cb_t cb, void *data, struct diag *d)
{
	for (;;) {
		ssize_t n = mnl_socket_recvfrom(w->mnl, w->buf, sizeof(w->buf));

		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return 0;
			if (errno == ENOBUFS)
				return diag_set(
					d,
					"%s lost (ENOBUFS): the kernel dropped what nflab "
					"could not read in time, so verdicts cannot be trusted",
					w->what);
			return diag_errno(d, "%s", w->what);
		}
		/* Errors of our own requests (NFLOG config) arrive here too: keep their errno. */
		if (mnl_cb_run(w->buf, (size_t)n, 0, 0, cb, data) < 0)
			return diag_errno(d, "%s", w->what);
	}
}
