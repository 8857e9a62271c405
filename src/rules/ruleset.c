// SPDX-License-Identifier: GPL-2.0-or-later
/* Rulesets: nft text through libnftables and iptables-restore text, inside a node's netns. */
#include "rules/ruleset.h"

#include <ctype.h>
#include <errno.h>
#include <nftables/libnftables.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include "rules/rulecheck.h"
#include "topo/netns.h"
#include "util/proc.h"
#include "util/xalloc.h"

/*
 * Rewrites nft's "<cmdline>:3:5-10: Error: ..." locations (line in the text we
 * gave it) into "lab.yaml:17:11-16: Error: ...", and records the first one.
 */
static char *map_nft_errors(const char *msg, const struct srcloc *where, struct srcloc *first)
{
	size_t cap = strlen(msg) * 2 + 256, n = 0;
	char *out = xmalloc(cap);
	const char *line = msg;

	first->line = 0;
	while (*line) {
		const char *eol = strchrnul(line, '\n');
		const char *colon = memchr(line, ':', (size_t)(eol - line));
		int ln, c1, c2, used = 0;

		/* "X:LINE:COL-COL:" or "X:LINE:COL:" where X has no ':' itself. */
		if (colon &&
		    (sscanf(colon, ":%d:%d-%d:%n", &ln, &c1, &c2, &used) == 3 ||
		     (c2 = -1, sscanf(colon, ":%d:%d:%n", &ln, &c1, &used) == 2)) &&
		    used > 0 && ln > 0) {
			int fl = where->line + ln - 1, off = where->col - 1;

			if (!first->line) {
				first->file = where->file;
				first->line = fl;
				first->col = c1 + off;
			}
			if (c2 >= 0)
				n += (size_t)snprintf(out + n, cap - n, "%s:%d:%d-%d:", where->file,
						      fl, c1 + off, c2 + off);
			else
				n += (size_t)snprintf(out + n, cap - n, "%s:%d:%d:", where->file,
						      fl, c1 + off);
			line = colon + used;
		}
		if (n + (size_t)(eol - line) + 2 >= cap)
			out = xrealloc(out, cap = (cap + (size_t)(eol - line)) * 2);
		memcpy(out + n, line, (size_t)(eol - line));
		n += (size_t)(eol - line);
		if (*eol)
			out[n++] = '\n';
		line = *eol ? eol + 1 : eol;
	}
	while (n > 0 && out[n - 1] == '\n')
		n--;
	out[n] = '\0';
	return out;
}

/*
 * Runs cmd (or, with file set, the file of that name) with libnftables inside the
 * netns; returns the context (caller frees) or NULL.
 */
static struct nft_ctx *nft_run_in(int nsfd, const char *cmd, const char *file, int *rc,
				  struct diag *d)
{
	struct nft_ctx *ctx;

	if (netns_enter(nsfd, d))
		return NULL;
	/* The context's netlink socket is opened here, so it talks to this netns. */
	ctx = nft_ctx_new(NFT_CTX_DEFAULT);
	if (ctx) {
		nft_ctx_buffer_output(ctx);
		nft_ctx_buffer_error(ctx);
		*rc = file ? nft_run_cmd_from_filename(ctx, file)
			   : nft_run_cmd_from_buffer(ctx, cmd);
	} else {
		diag_set(d, "cannot create an nftables context");
	}
	if (netns_restore(d)) {
		if (ctx)
			nft_ctx_free(ctx);
		return NULL;
	}
	return ctx;
}

int ruleset_nft_apply(int nsfd, const char *text, const struct srcloc *where, struct diag *d)
{
	struct srcloc first;
	struct nft_ctx *ctx;
	size_t len = strlen(text), off = 0;
	char path[64];
	int rc = 0, fd;

	/*
	 * libnftables 1.0.6 reports errors in buffers without their line and quotes
	 * the wrong one; for files it gets both right. A memfd is a file that leaves
	 * nothing behind, and "nft -f" input is still one transaction.
	 */
	if (rulecheck_nft(text, where, d)) /* labs built through the API too */
		return -1;
	fd = memfd_create("nflab-ruleset", MFD_CLOEXEC);
	if (fd < 0)
		return diag_errno(d, "memfd_create");
	while (off < len) {
		ssize_t n = write(fd, text + off, len - off);

		if (n < 0) {
			close(fd);
			return diag_errno(d, "cannot write the ruleset to a memfd");
		}
		off += (size_t)n;
	}
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	ctx = nft_run_in(nsfd, NULL, path, &rc, d);
	close(fd);
	if (!ctx)
		return -1;
	if (rc) {
		const char *err = nft_ctx_get_error_buffer(ctx);
		char *mapped = map_nft_errors(err ? err : "", where, &first);

		diag_at(d, first.line ? &first : where, "nft rejected the ruleset:\n%s", mapped);
		free(mapped);
	}
	nft_ctx_free(ctx);
	return rc ? -1 : 0;
}

/*
 * Cuts nflab's fate table out of "nft list ruleset" text, in place: nft writes
 * a table from "table inet NAME {" at the start of a line to the first "}"
 * alone on a line.
 */
static void cut_fate_table(char *text)
{
	static const char head[] = "table inet " RULESET_FATE_TABLE " {\n";
	char *start = text, *end;

	while ((start = strstr(start, head)) && start != text && start[-1] != '\n')
		start++;
	if (!start)
		return;
	end = strstr(start, "\n}\n");
	end = end ? end + 3 : start + strlen(start);
	memmove(start, end, strlen(end) + 1);
}

char *ruleset_nft_list(int nsfd, struct diag *d)
{
	struct nft_ctx *ctx;
	char *out = NULL;
	int rc = 0;

	ctx = nft_run_in(nsfd, "list ruleset", NULL, &rc, d);
	if (!ctx)
		return NULL;
	if (rc) {
		diag_set(d, "nft list ruleset: %s", nft_ctx_get_error_buffer(ctx));
	} else {
		out = xstrdup(nft_ctx_get_output_buffer(ctx));
		cut_fate_table(out);
	}
	nft_ctx_free(ctx);
	return out;
}

int ruleset_fate_apply(int nsfd, bool trace, struct diag *d)
{
	/*
	 * Entry chains at INT_MIN run before defragmentation (-400), raw (-300)
	 * and conntrack (-200), so they see every packet first; the done chains
	 * at INT_MAX run after every other chain of their hook.
	 */
	const char *set = trace ? " meta nftrace set 1;" : "";
	char *text = xasprintf(
		"table inet %1$s {\n"
		"  chain prerouting { type filter hook prerouting priority -2147483648;%2$s }\n"
		"  chain input { type filter hook input priority -2147483648; }\n"
		"  chain input%3$s { type filter hook input priority 2147483647; }\n"
		"  chain forward { type filter hook forward priority -2147483648; }\n"
		"  chain output { type filter hook output priority -2147483648;%2$s }\n"
		"  chain postrouting { type filter hook postrouting priority -2147483648; }\n"
		"  chain postrouting%3$s { type filter hook postrouting priority 2147483647; }\n"
		"}\n",
		RULESET_FATE_TABLE, set, RULESET_FATE_DONE);
	const struct srcloc where = {.file = "nflab's fate table", .line = 1, .col = 1};
	int rc = ruleset_nft_apply(nsfd, text, &where, d);

	free(text);
	return rc;
}

/* iptables-restore names the failing line as "line N failed" or "at line: N". */
static int ipt_error_line(const char *out)
{
	const char *p;
	int n;

	if ((p = strstr(out, "line ")) && sscanf(p, "line %d", &n) == 1)
		return n;
	if ((p = strstr(out, "line: ")) && sscanf(p, "line: %d", &n) == 1)
		return n;
	return 0;
}

/* "ip6tables-legacy-save" and friends into buf. Returns buf. */
static char *ipt_program(int family, enum ipt_backend backend, const char *verb, char *buf,
			 size_t len)
{
	snprintf(buf, len, "%s-%s-%s", family == AF_INET6 ? "ip6tables" : "iptables",
		 backend == IPT_BACKEND_LEGACY ? "legacy" : "nft", verb);
	return buf;
}

int ruleset_ipt_apply(int nsfd, int family, enum ipt_backend backend, const char *text,
		      const struct srcloc *where, struct diag *d)
{
	return ruleset_ipt_restore(nsfd, family, backend, text, true, where, d);
}

int ruleset_ipt_restore(int nsfd, int family, enum ipt_backend backend, const char *text,
			bool flush, const struct srcloc *where, struct diag *d)
{
	char name[40];
	const char *prog = ipt_program(family, backend, "restore", name, sizeof(name));
	char *argv[] = {name, "-w", flush ? NULL : "--noflush", NULL};
	struct proc_result res;
	size_t len = strlen(text);
	char *input;
	int rc;

	if (rulecheck_ipt(text, where, d))
		return -1;
	/* iptables-restore ignores a last line without a newline. */
	input = xasprintf("%s%s", text, len && text[len - 1] == '\n' ? "" : "\n");
	rc = proc_run_in_netns(nsfd, argv, input, strlen(input), &res, d);
	free(input);
	if (rc) {
		if (d->err == ENOENT) {
			d->outcome = NFLAB_SKIP;
			diag_prefix(d, "needs the iptables %s backend",
				    backend == IPT_BACKEND_LEGACY ? "legacy" : "nft");
		}
		return -1;
	}
	if (res.status) {
		char *out = res.output;
		int ln = ipt_error_line(out);
		size_t n = strlen(out);
		struct srcloc loc = *where;

		while (n && isspace((unsigned char)out[n - 1]))
			out[--n] = '\0';
		if (ln > 0) {
			loc.line = where->line + ln - 1;
			diag_at(d, &loc, "%s rejected line %d of the ruleset:\n%s", prog, ln, out);
		} else {
			diag_at(d, where, "%s failed (exit %d):\n%s", prog, res.status, out);
		}
		free(out);
		return -1;
	}
	free(res.output);
	return 0;
}

char *ruleset_ipt_save(int nsfd, int family, enum ipt_backend backend, struct diag *d)
{
	char name[40];
	char *argv[] = {ipt_program(family, backend, "save", name, sizeof(name)), "-c", NULL};
	struct proc_result res = {0};

	if (proc_run_in_netns(nsfd, argv, "", 0, &res, d))
		return NULL;
	if (res.status) {
		diag_set(d, "%s failed: %s", argv[0], res.output);
		free(res.output);
		return NULL;
	}
	return res.output;
}
