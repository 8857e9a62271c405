// SPDX-License-Identifier: GPL-2.0-or-later
/* nflab without root: a user namespace of its own. */
#include "util/rootless.h"

#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

static bool active;

int rootless_proc_write(pid_t pid, const char *name, const char *text)
{
	char path[64];
	ssize_t n;
	int fd;

	if (pid)
		snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, name);
	else
		snprintf(path, sizeof(path), "/proc/self/%s", name);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = write(fd, text, strlen(text));
	close(fd);
	return n == (ssize_t)strlen(text) ? 0 : -1;
}

bool rootless_enter(void)
{
	unsigned int uid = (unsigned int)geteuid(), gid = (unsigned int)getegid();
	char map[64];

	if (uid == 0 || active)
		return active;
	if (unshare(CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWNET))
		return false;
	snprintf(map, sizeof(map), "0 %u 1\n", uid);
	if (rootless_proc_write(0, "uid_map", map) || rootless_proc_write(0, "setgroups", "deny"))
		return false;
	snprintf(map, sizeof(map), "0 %u 1\n", gid);
	if (rootless_proc_write(0, "gid_map", map))
		return false;
	/*
	 * What nflab mounts stays its own; iptables takes its lock in /run,
	 * which is the host root's.
	 */
	if (mount("none", "/", "none", MS_REC | MS_PRIVATE, NULL) ||
	    mount("tmpfs", "/run", "tmpfs", MS_NOSUID | MS_NODEV, "mode=755,size=16m"))
		return false;
	active = true;
	return true;
}

bool rootless_active(void)
{
	return active;
}
