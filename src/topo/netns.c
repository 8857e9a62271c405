// SPDX-License-Identifier: GPL-2.0-or-later
/* Anonymous network namespaces held by file descriptors: they vanish with the process. */
#include "topo/netns.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <unistd.h>

static int home_fd = -1;

int netns_home_open(struct diag *d)
{
	if (home_fd >= 0)
		return 0;
	home_fd = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	if (home_fd < 0)
		return diag_errno(d, "cannot open the current network namespace");
	return 0;
}

void netns_home_close(void)
{
	if (home_fd >= 0)
		close(home_fd);
	home_fd = -1;
}

int netns_home_fd(void)
{
	return home_fd;
}

int netns_new(struct diag *d)
{
	int fd;

	if (unshare(CLONE_NEWNET))
		return diag_errno(d, "cannot create a network namespace");
	fd = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		diag_errno(d, "cannot open the new network namespace");
	/* Back home at once: the caller's sockets must keep being created at home. */
	if (netns_restore(d)) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

int netns_enter(int fd, struct diag *d)
{
	if (setns(fd, CLONE_NEWNET))
		return diag_errno(d, "cannot enter a network namespace");
	return 0;
}

int netns_restore(struct diag *d)
{
	if (home_fd < 0)
		return diag_set(d, "netns_restore() before netns_home_open()");
	return netns_enter(home_fd, d);
}
