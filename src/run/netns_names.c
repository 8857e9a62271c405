// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A running lab's nodes under names in /run/netns (nflab-<lab>-<node>), for
 * `ip netns`, `ip netns exec` and `nflab exec` while a person looks around.
 * Names outlive the process that binds them, so a janitor process removes
 * them when nflab ends, however it ends: it waits on a pipe only nflab writes.
 */
#include "run/netns_names.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util/xalloc.h"

#define NETNS_DIR "/run/netns"

/* Netns names keep to what ip(8) accepts; the rest of a lab name becomes '-'. */
static void sanitize(char *s)
{
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '-' || *s == '_' || *s == '.'))
			*s = '-';
}

static void unbind_all(char **paths, size_t n, bool made_dir)
{
	size_t i;

	for (i = 0; i < n; i++) {
		umount2(paths[i], MNT_DETACH);
		unlink(paths[i]);
	}
	if (made_dir)
		rmdir(NETNS_DIR); /* only if empty: ip(8) may have put names there meanwhile */
}

/* Waits for nflab's end (end of file on the pipe), then removes the names. */
static void janitor(struct netns_names *nn, int rd)
{
	struct sigaction ign = {.sa_handler = SIG_IGN};
	char c;

	/* Its own session: a Ctrl-C or hangup for nflab's terminal is not for it. */
	setsid();
	sigaction(SIGINT, &ign, NULL);
	sigaction(SIGHUP, &ign, NULL);
	sigaction(SIGTERM, &ign, NULL);
	close_range(0, (unsigned int)rd - 1, 0);
	close_range((unsigned int)rd + 1, ~0u, 0);
	while (read(rd, &c, 1) < 0 && errno == EINTR)
		;
	unbind_all(nn->paths, nn->n, nn->made_dir);
	_exit(0);
}

int netns_names_publish(struct netns_names *nn, const struct lab *lab, const int *nsfds,
			struct diag *d)
{
	int pipefd[2];
	size_t i;

	memset(nn, 0, sizeof(*nn));
	nn->lifeline = -1;
	nn->paths = xcalloc(lab->n_nodes + 1, sizeof(*nn->paths));
	for (i = 0; i < lab->n_nodes; i++) {
		char *name = xasprintf("nflab-%s-%s", lab->name, lab->nodes[i].name);

		sanitize(name);
		nn->paths[i] = xasprintf(NETNS_DIR "/%s", name);
		free(name);
	}
	nn->n = lab->n_nodes;
	if (mkdir(NETNS_DIR, 0755) == 0)
		nn->made_dir = true;
	else if (errno != EEXIST)
		return diag_errno(d, "cannot create " NETNS_DIR);
	for (i = 0; i < nn->n; i++)
		if (access(nn->paths[i], F_OK) == 0)
			return diag_set(
				d, "%s exists: is the lab already open in another nflab shell?",
				nn->paths[i]);
	/* The janitor first: from the first name on, something is there to remove it. */
	if (pipe2(pipefd, O_CLOEXEC))
		return diag_errno(d, "pipe");
	nn->janitor = fork();
	if (nn->janitor < 0) {
		close(pipefd[0]);
		close(pipefd[1]);
		return diag_errno(d, "fork");
	}
	if (nn->janitor == 0) {
		close(pipefd[1]);
		janitor(nn, pipefd[0]);
	}
	close(pipefd[0]);
	nn->lifeline = pipefd[1];
	for (i = 0; i < nn->n; i++) {
		char src[64];
		int fd = open(nn->paths[i], O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0444);

		if (fd < 0)
			return diag_errno(d, "cannot create %s", nn->paths[i]);
		close(fd);
		snprintf(src, sizeof(src), "/proc/self/fd/%d", nsfds[i]);
		if (mount(src, nn->paths[i], NULL, MS_BIND, NULL))
			return diag_errno(d, "cannot bind %s", nn->paths[i]);
	}
	return 0;
}

const char *netns_names_of(const struct netns_names *nn, size_t node)
{
	return strrchr(nn->paths[node], '/') + 1;
}

void netns_names_withdraw(struct netns_names *nn)
{
	size_t i;

	if (nn->lifeline >= 0) {
		close(nn->lifeline); /* the janitor removes them, now */
		while (waitpid(nn->janitor, NULL, 0) < 0 && errno == EINTR)
			;
	}
	for (i = 0; i < nn->n; i++)
		free(nn->paths[i]);
	free(nn->paths);
	memset(nn, 0, sizeof(*nn));
	nn->lifeline = -1;
}
