// SPDX-License-Identifier: GPL-2.0-or-later
/* What a lab needs from the machine ("requires:"), probed before anything is built. */
#include "run/requires.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "observe/nflog.h"
#include "rules/ruleset.h"
#include "topo/netns.h"
#include "step/step.h"
#include "util/kernel.h"
#include "util/rootless.h"
#include "util/xalloc.h"

#define HELPER_PREFIX "kernel:ct-helper-"

static bool in_path(const char *prog)
{
	const char *path = getenv("PATH");
	char *dirs, *dir, *save = NULL;
	bool found = false;

	if (strchr(prog, '/'))
		return access(prog, X_OK) == 0;
	dirs = xstrdup(path ? path : "/usr/sbin:/usr/bin:/sbin:/bin");
	for (dir = strtok_r(dirs, ":", &save); dir && !found; dir = strtok_r(NULL, ":", &save)) {
		char *full = xasprintf("%s/%s", dir, prog);

		found = access(full, X_OK) == 0;
		free(full);
	}
	free(dirs);
	return found;
}

/*
 * As root nflab gives each lab a TUN device of its own; without root, the
 * lab's programs have the host's /dev/net/tun as its mode allows this user.
 */
static bool tun_usable(void)
{
	if (!rootless_active())
		return access("/dev/net/tun", F_OK) == 0;
	return access("/dev/net/tun", R_OK | W_OK) == 0;
}

int requires_valid(const char *req, char *err, size_t len)
{
	static const char accepted[] =
		"a program name (no '/'), \"sysctl:NAME\", \"kernel:nflog-conntrack\", "
		"\"kernel:ct-helper-NAME\", \"kernel:tun\", \"kernel:>=X.Y\" or "
		"\"kernel:<X.Y\"";
	int cmp;

	if (!strncmp(req, "sysctl:", 7) && req[7])
		return 0;
	if (!strcmp(req, "kernel:nflog-conntrack") || !strcmp(req, "kernel:tun"))
		return 0;
	if (!strncmp(req, "kernel:>=", 9) && kernel_version_cmp(req + 9, &cmp))
		return 0;
	if (!strncmp(req, "kernel:<", 8) && req[8] != '=' && kernel_version_cmp(req + 8, &cmp))
		return 0;
	if (!strncmp(req, HELPER_PREFIX, strlen(HELPER_PREFIX)) && req[strlen(HELPER_PREFIX)])
		return 0;
	/* A program on PATH, by name: a path would test the host's files. */
	if (!strchr(req, ':') && !strchr(req, '/') && *req)
		return 0;
	snprintf(err, len, "expected %s, got \"%s\"", accepted, req);
	return -1;
}

static bool sysctl_exists(const char *name)
{
	char *path = xasprintf("/proc/sys/%s", name), *p;
	bool ok;

	for (p = path + 10; *p; p++)
		if (*p == '.')
			*p = '/';
	ok = access(path, F_OK) == 0;
	free(path);
	return ok;
}

/* Can NFLOG records carry conntrack here? Bound and asked in a scratch netns. */
static bool nflog_conntrack(int nsfd)
{
	struct diag d = DIAG_INIT;
	uint16_t group = 0;
	struct nflog_listener *l = nflog_listener_open(nsfd, 0, &group, 1, NULL, 0, "probe", &d);
	bool ok = l && nflog_listener_has_ct(l);

	nflog_listener_close(l);
	return ok;
}

/* Does the kernel have the conntrack helper? nft loads it for a ct helper object. */
static bool ct_helper(int nsfd, const char *name)
{
	struct diag d = DIAG_INIT;
	struct srcloc where = {.file = "probe", .line = 1, .col = 1};
	char *rules = xasprintf("table inet nflab_probe {\n"
				"  ct helper h { type \"%s\" protocol tcp; }\n"
				"}\n",
				name);
	int rc = ruleset_nft_apply(nsfd, rules, &where, &d);

	free(rules);
	return rc == 0;
}

/* "kernel:>=X.Y" or "kernel:<X.Y": true when req is one (*missing set if unmet). */
static bool version_unmet(const char *req, struct diag *d, int *missing)
{
	bool at_least = !strncmp(req, "kernel:>=", 9);
	int cmp;

	if (!at_least && strncmp(req, "kernel:<", 8))
		return false;
	kernel_version_cmp(req + (at_least ? 9 : 8), &cmp); /* checked at load */
	if (at_least ? cmp < 0 : cmp >= 0)
		*missing = diag_skip(d, "needs kernel %s %s, and this is %s",
				     at_least ? ">=" : "<", req + (at_least ? 9 : 8),
				     kernel_release());
	return true;
}

int requires_check(const struct lab *lab, struct diag *d)
{
	int nsfd = -1, missing = 0;
	size_t i;

	for (i = 0; i < lab->n_requires && !missing; i++) {
		const char *req = lab->requires[i];

		if (!strncmp(req, "sysctl:", 7)) {
			if (!sysctl_exists(req + 7))
				missing = diag_skip(
					d, "needs the sysctl %s, which this kernel lacks", req + 7);
			continue;
		}
		if (!strcmp(req, "kernel:tun")) {
			if (!tun_usable())
				missing = diag_skip(
					d, "needs a TUN device the lab's root can open: without "
					   "root nflab cannot make one, and /dev/net/tun of this "
					   "host is not open to this user");
			continue;
		}
		if (strncmp(req, "kernel:", 7)) {
			if (!in_path(req))
				missing = diag_skip(d, "needs %s, which is not installed", req);
			continue;
		}
		if (version_unmet(req, d, &missing))
			continue;
		if (nsfd < 0 && (nsfd = netns_new(d)) < 0)
			return -1;
		if (!strcmp(req, "kernel:nflog-conntrack") && !nflog_conntrack(nsfd))
			missing = diag_skip(
				d, "needs NFLOG records with conntrack info, which kernel %s "
				   "cannot give (CONFIG_NETFILTER_NETLINK_GLUE_CT)",
				kernel_release());
		else if (!strncmp(req, HELPER_PREFIX, strlen(HELPER_PREFIX)) &&
			 !ct_helper(nsfd, req + strlen(HELPER_PREFIX)))
			missing = diag_skip(
				d, "needs the %s conntrack helper, which kernel %s lacks",
				req + strlen(HELPER_PREFIX), kernel_release());
	}
	/* What the lab's step kinds need of the kernel, asked of it. */
	for (i = 0; i < lab->n_steps && !missing; i++) {
		const struct step_ops *ops = lab->steps[i].ops;
		const char *lacks;

		if (!ops || !ops->kernel_lacks)
			continue;
		if (nsfd < 0 && (nsfd = netns_new(d)) < 0)
			return -1;
		lacks = ops->kernel_lacks(nsfd);
		if (lacks)
			missing = diag_skip(d, "step %zu (%s) needs %s, which kernel %s refuses",
					    i + 1, ops->key, lacks, kernel_release());
	}
	if (nsfd >= 0)
		close(nsfd);
	return missing;
}
