// SPDX-License-Identifier: GPL-2.0-or-later
/* What a failed lab leaves behind for people: each node's ruleset and conntrack table. */
#include "run/artifacts.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>

#include "observe/ctev.h"
#include "observe/event.h"
#include "rules/ruleset.h"
#include "util/outfile.h"
#include "util/xalloc.h"

static FILE *open_in(struct outfile *of, const char *dir, const char *node, const char *what,
		     struct diag *d)
{
	char *path = xasprintf("%s/%s.%s.txt", dir, node, what);
	FILE *f = outfile_open(of, path, d);

	free(path);
	return f;
}

static void ipt_section(FILE *f, int nsfd, int family, const struct lab_node *n, struct diag *d)
{
	char *text = ruleset_ipt_save(nsfd, family, n->ipt_backend, d);

	fprintf(f, "\n# %s-save -c\n", family == AF_INET6 ? "ip6tables" : "iptables");
	fputs(text ? text : "(could not be read)\n", f);
	free(text);
}

int artifacts_node_state(const char *dir, int nsfd, const struct lab_node *n, size_t idx,
			 struct diag *d)
{
	struct evlog table = EVLOG_INIT;
	char *nft = ruleset_nft_list(nsfd, d);
	struct outfile of;
	FILE *f = open_in(&of, dir, n->name, "ruleset", d);
	size_t i;

	if (f) {
		fprintf(f, "# nft list ruleset\n%s", nft ? nft : "(could not be read)\n");
		if (n->iptables.text)
			ipt_section(f, nsfd, AF_INET, n, d);
		if (n->ip6tables.text)
			ipt_section(f, nsfd, AF_INET6, n, d);
		outfile_commit(&of, d);
	}
	free(nft);
	f = open_in(&of, dir, n->name, "conntrack", d);
	if (!f)
		return -1;
	if (ctev_dump(nsfd, idx, &table, d) == 0) {
		for (i = 0; i < table.n; i++) {
			char line[512];

			fprintf(f, "%s\n", ct_summary(&table.ev[i].ct, line, sizeof(line)));
		}
		if (!table.n)
			fputs("(empty)\n", f);
	}
	evlog_release(&table);
	return outfile_commit(&of, d);
}
