/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Sysctls of one network namespace, written through /proc/sys from inside it. */
#ifndef NFLAB_SYSCTL_H
#define NFLAB_SYSCTL_H

#include <stdbool.h>
#include <stddef.h>

#include "util/diag.h"

/*
 * Writes value to key inside the netns held by nsfd. key is dotted
 * ("net.ipv4.ip_forward") or a path under /proc/sys ("net/ipv4/ip_forward").
 * Only net.* keys are accepted: anything else is global and would touch the host.
 * Returns 0 or -1; a missing key is reported as such (ENOENT).
 */
int sysctl_set(int nsfd, const char *key, const char *value, struct diag *d);
/*
 * As sysctl_set(); when optional, a key this kernel lacks (ENOENT) is no error
 * and sets *absent. Returns 0 or -1.
 */
int sysctl_set_optional(int nsfd, const char *key, const char *value, bool optional, bool *absent,
			struct diag *d);
/* Reads key into buf (trailing newline stripped). Returns 0 or -1. */
int sysctl_get(int nsfd, const char *key, char *buf, size_t len, struct diag *d);

struct sysctl_kv {
	const char *key, *value;
	bool optional; /* absent in this kernel's namespaces: skip it */
};

/* Sets n sysctls of the netns held by nsfd in one trip into it. Returns 0 or -1. */
int sysctl_set_all(int nsfd, const struct sysctl_kv *kv, size_t n, struct diag *d);

/*
 * Sets n sysctls of the calling thread's netns through the procfs proc (from
 * sysctl_procfs_open(); -1: /proc), in order, without a diag: for the
 * namespace factory, a process of its own. Returns 0, or -1 with errno set and
 * *failed the index of the one that failed (sysctl_failed() words it).
 */
int sysctl_write_here(int proc, const struct sysctl_kv *kv, size_t n, size_t *failed);
/* Records the failure of kv, from errno, as sysctl_set_all() does. Returns -1. */
int sysctl_failed(const struct sysctl_kv *kv, struct diag *d);

/*
 * A procfs of nflab's own, attached nowhere (an fd for openat()), or -1. In
 * /proc, the ipv4 and ipv6 directories of every netns are entries of one
 * directory under the same names, and the first lookup of one in a new netns
 * compares it with all of them: 0.45 ms each with 1000 namespaces. A private
 * procfs holds only the entries looked up through it. Its "net" is the netns
 * of the thread that looks it up. The caller closes it (a grace period).
 */
int sysctl_procfs_open(void);

/*
 * The private procfs sysctl_set_all() uses, shared by a few dozen namespaces:
 * the caller must not close it; sysctl_procfs_close() does.
 */
int sysctl_procfs_shared(void);

/*
 * Closes the shared procfs; its release waits out a grace period, so it is left
 * to netns_close_later().
 */
void sysctl_procfs_close(void);

#endif
