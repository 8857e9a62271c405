// SPDX-License-Identifier: GPL-2.0-or-later
/* Sysctls of one network namespace, written through /proc/sys from inside it. */
#include "topo/sysctl.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

#include "topo/netns.h"

/* "/proc/sys/net/ipv4/ip_forward" from either spelling; -1 for non-net keys. */
static int sysctl_path(const char *key, char *path, size_t len)
{
	size_t i, n;

	if (strncmp(key, "net.", 4) && strncmp(key, "net/", 4))
		return -1;
	n = (size_t)snprintf(path, len, "/proc/sys/%s", key);
	if (n >= len)
		return -1;
	/* Dots separate levels unless the key is written with slashes already. */
	if (!strchr(key, '/'))
		for (i = strlen("/proc/sys/"); path[i]; i++)
			if (path[i] == '.')
				path[i] = '/';
	return 0;
}

static int sysctl_open(int nsfd, const char *key, int flags, struct diag *d)
{
	char path[256];
	int fd;

	if (sysctl_path(key, path, sizeof(path)))
		return diag_set(d, "sysctl %s: only net.* keys belong to a namespace", key);
	if (netns_enter(nsfd, d))
		return -1;
	/* /proc/sys/net resolves the netns of the thread at open(): open it inside. */
	fd = open(path, flags | O_CLOEXEC);
	if (fd < 0)
		diag_errno(d, "sysctl %s", key);
	if (netns_restore(d)) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

int sysctl_set(int nsfd, const char *key, const char *value, struct diag *d)
{
	int fd = sysctl_open(nsfd, key, O_WRONLY, d);
	size_t len = strlen(value);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = write(fd, value, len);
	if (n < 0 || (size_t)n != len) {
		diag_errno(d, "sysctl %s=%s", key, value);
		close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

int sysctl_set_optional(int nsfd, const char *key, const char *value, bool optional, bool *absent,
			struct diag *d)
{
	*absent = false;
	if (!sysctl_set(nsfd, key, value, d))
		return 0;
	if (!optional || d->err != ENOENT)
		return -1;
	diag_clear(d);
	*absent = true;
	return 0;
}

int sysctl_get(int nsfd, const char *key, char *buf, size_t len, struct diag *d)
{
	int fd = sysctl_open(nsfd, key, O_RDONLY, d);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return diag_errno(d, "sysctl %s", key);
	buf[n] = '\0';
	while (n > 0 && buf[n - 1] == '\n')
		buf[--n] = '\0';
	return 0;
}

/* A private procfs: see the header for why. */
int sysctl_procfs_open(void)
{
	int fs = fsopen("proc", FSOPEN_CLOEXEC), mnt = -1;

	if (fs < 0)
		return -1;
	if (!fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0))
		mnt = fsmount(fs, FSMOUNT_CLOEXEC, MOUNT_ATTR_NODEV | MOUNT_ATTR_NOSUID);
	close(fs);
	return mnt;
}

/*
 * One private procfs serves PROCFS_SHARE namespaces, then a new one takes over:
 * releasing one waits out an RCU grace period (the mount's), so one per node
 * would add a grace period per node. A few dozen namespaces' entries keep its
 * lookups short.
 */
#define PROCFS_SHARE 32

static int procfs = -1;
static unsigned int procfs_uses;

int sysctl_procfs_shared(void)
{
	if (procfs >= 0 && procfs_uses < PROCFS_SHARE) {
		procfs_uses++;
		return procfs;
	}
	sysctl_procfs_close();
	procfs = sysctl_procfs_open();
	procfs_uses = 1;
	return procfs;
}

void sysctl_procfs_close(void)
{
	if (procfs >= 0)
		netns_close_later(&procfs, 1);
	procfs = -1;
}

int sysctl_write_here(int proc, const struct sysctl_kv *kv, size_t n, size_t *failed)
{
	size_t i;

	for (i = 0; i < n; i++) {
		char path[256];
		size_t len = strlen(kv[i].value);
		int fd, err;

		*failed = i;
		if (sysctl_path(kv[i].key, path, sizeof(path))) {
			errno = EINVAL;
			return -1;
		}
		/* "/proc/sys/net/..." is "sys/net/..." below a procfs root. */
		fd = proc >= 0 ? openat(proc, path + strlen("/proc/"), O_WRONLY | O_CLOEXEC)
			       : open(path, O_WRONLY | O_CLOEXEC);
		if (fd < 0 && errno == ENOENT && kv[i].optional)
			continue;
		if (fd < 0)
			return -1;
		if (write(fd, kv[i].value, len) != (ssize_t)len) {
			err = errno;
			close(fd);
			errno = err;
			return -1;
		}
		close(fd);
	}
	return 0;
}

int sysctl_set_all(int nsfd, const struct sysctl_kv *kv, size_t n, struct diag *d)
{
	size_t failed;
	int rc = 0;

	if (netns_enter(nsfd, d))
		return -1;
	/* One trip into the netns for all of them: they are resolved at open(). */
	if (sysctl_write_here(sysctl_procfs_shared(), kv, n, &failed))
		rc = sysctl_failed(&kv[failed], d);
	if (netns_restore(d))
		return -1;
	return rc;
}

int sysctl_failed(const struct sysctl_kv *kv, struct diag *d)
{
	char path[256];

	if (sysctl_path(kv->key, path, sizeof(path)))
		return diag_set(d, "sysctl %s: only net.* keys belong to a namespace", kv->key);
	return diag_errno(d, "sysctl %s=%s", kv->key, kv->value);
}
