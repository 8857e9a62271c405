// SPDX-License-Identifier: GPL-2.0-or-later
/* nflab import: a box's own dumps (ruleset, ip -j addr/route/rule, a capture) into a lab file. */
#include <arpa/inet.h>
#include <libgen.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "import/box.h"
#include "import/capture_scan.h"
#include "import/import.h"
#include "import/lab_write.h"
#include "import/neighbours.h"
#include "util/outfile.h"
#include "util/xalloc.h"

/* How well each capture interface fits each neighbour (the box interface behind it). */
struct fit {
	const struct box *b;
	const struct neighbours *nbs;
	long *score; /* [capture iface][neighbour] */
	size_t n_nbs, cap_rows;
};

/* The box's interface that routing would use for a (longest prefix of the main table), or NULL. */
static const struct box_iface *routed(const struct box *b, const struct ipaddr *a)
{
	const struct box_iface *best = NULL;
	int best_plen = -1;
	size_t i;

	for (i = 0; i < b->n_routes; i++) {
		const struct box_route *r = &b->routes[i];

		if (r->skip || r->table != 254 || r->family != a->family || r->plen <= best_plen ||
		    !r->dev || (!r->is_default && !ipaddr_in_prefix(a, &r->dst, r->plen)))
			continue;
		best = box_iface_find(b, r->dev);
		best_plen = r->plen;
	}
	return best;
}

static bool on_subnet(const struct box_iface *ifc, const struct ipaddr *a)
{
	size_t k;

	for (k = 0; k < ifc->n_addrs; k++)
		if (!ifc->addrs[k].why && ifc->addrs[k].a.family == a->family &&
		    ipaddr_in_prefix(a, &ifc->addrs[k].a, ifc->addrs[k].plen))
			return true;
	return false;
}

/* A frame counts for the interface whose MAC it carries, whose subnet holds its addresses, or that routes them. */
static void fit_frame(const struct cap_frame *fr, void *arg)
{
	struct fit *ft = arg;
	size_t n;

	if (fr->iface >= ft->cap_rows) {
		size_t rows = fr->iface + 8;

		ft->score = xrealloc(ft->score, rows * ft->n_nbs * sizeof(long));
		memset(ft->score + ft->cap_rows * ft->n_nbs, 0,
		       (rows - ft->cap_rows) * ft->n_nbs * sizeof(long));
		ft->cap_rows = rows;
	}
	for (n = 0; n < ft->n_nbs; n++) {
		const struct box_iface *ifc = ft->nbs->v[n].link;
		long *s = &ft->score[fr->iface * ft->n_nbs + n];

		if (fr->has_eth && ifc->has_mac &&
		    (!memcmp(fr->eth_src, ifc->mac, 6) || !memcmp(fr->eth_dst, ifc->mac, 6)))
			*s += 100;
		if (!fr->has_ip)
			continue;
		*s += on_subnet(ifc, &fr->src) ? 2 : routed(ft->b, &fr->src) == ifc;
		*s += on_subnet(ifc, &fr->dst) ? 2 : routed(ft->b, &fr->dst) == ifc;
	}
}

/* The replay filter: frames the box did not send itself, by its MAC or else its addresses. */
static char *filter_for(const struct box_iface *ifc, uint16_t linktype)
{
	char buf[2048], a[IPADDR_STRLEN];
	size_t n = 0, k;

	if (linktype == 1 && ifc->has_mac)
		return xasprintf("not ether src %02x:%02x:%02x:%02x:%02x:%02x", ifc->mac[0],
				 ifc->mac[1], ifc->mac[2], ifc->mac[3], ifc->mac[4], ifc->mac[5]);
	buf[0] = '\0';
	for (k = 0; k < ifc->n_addrs && n < sizeof(buf) - 80; k++)
		if (!ifc->addrs[k].why)
			n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%snot src host %s",
					      n ? " and " : "", ipaddr_fmt(&ifc->addrs[k].a, a));
	return xstrdup(buf);
}

/* target as a path relative to the directory of the lab file lab, as a replay step names it. */
static char *relative_to_lab(const char *target, const char *lab)
{
	char t[PATH_MAX], dir[PATH_MAX], copy[PATH_MAX];
	size_t i, common = 0, ups = 0, dl;
	char *rel;

	snprintf(copy, sizeof(copy), "%s", lab);
	if (!realpath(target, t) || !realpath(dirname(copy), dir))
		return xstrdup(target);
	dl = strlen(dir);
	if (dl == 1)
		return xstrdup(t + 1);
	if (!strncmp(t, dir, dl) && t[dl] == '/')
		return xstrdup(t + dl + 1);
	for (i = 0; dir[i] && dir[i] == t[i]; i++)
		if (dir[i] == '/')
			common = i;
	for (i = common; dir[i]; i++)
		ups += dir[i] == '/';
	rel = xmalloc(ups * 3 + strlen(t + common) + 1);
	rel[0] = '\0';
	for (i = 0; i < ups; i++)
		strcat(rel, "../");
	strcat(rel, t + common + 1);
	return rel;
}

/* The lab file's path without ".yaml". */
static char *stem(const char *out)
{
	size_t n = strlen(out);

	return xstrndup(out, n > 5 && !strcmp(out + n - 5, ".yaml") ? n - 5 : n);
}

/* Appends to the string *s (a new one), as xasprintf() makes it. */
static void xasprintf_append(char **s, const char *fmt, const char *arg)
{
	char *more = xasprintf(fmt, arg), *both = xasprintf("%s%s", *s, more);

	free(more);
	free(*s);
	*s = both;
}

/* One replay step per capture interface that has frames. */
static int plan_replays(const struct import_args *a, const struct box *b,
			const struct neighbours *nbs, struct replay_plan **out, size_t *n_out,
			struct diag *d)
{
	struct fit ft = {.b = b, .nbs = nbs, .n_nbs = nbs->n};
	struct capture c;
	size_t i, n_used = 0;
	int rc = -1;

	*out = NULL;
	*n_out = 0;
	if (!nbs->n)
		return diag_set(d, "%s: the box has no interface a lab can hold, so no node to "
				   "replay the capture from",
				a->pcap);
	if (capture_read(a->pcap, &c, fit_frame, &ft, d))
		goto out;
	for (i = 0; i < c.n_ifaces; i++)
		n_used += c.ifaces[i].n_frames > 0;
	if (!n_used) {
		diag_set(d, "%s: no frames", a->pcap);
		goto out;
	}
	*out = xcalloc(n_used, sizeof(**out));
	for (i = 0; i < c.n_ifaces; i++) {
		const struct cap_iface *ci = &c.ifaces[i];
		struct replay_plan *p;
		size_t best = 0, n;
		bool by_name = false;

		if (!ci->n_frames)
			continue;
		for (n = 0; n < nbs->n && ci->name; n++)
			if (!strcmp(nbs->v[n].link->name, ci->name)) {
				best = n;
				by_name = true;
			}
		for (n = 1; n < nbs->n && !by_name; n++)
			if (ft.score[i * nbs->n + n] > ft.score[i * nbs->n + best])
				best = n;
		p = &(*out)[(*n_out)++];
		p->at = xasprintf("%s:eth0", nbs->v[best].name);
		p->filter = filter_for(nbs->v[best].link, ci->linktype);
		if (by_name)
			p->comment = xasprintf("the capture names this interface %s: its frames come "
					       "from %s",
					       ci->name, nbs->v[best].name);
		else
			p->comment = xasprintf(
				"%s%s%s: at guessed from the capture's %s (%zu frames): they fit "
				"%s's interface %s best",
				ci->name ? "the capture's interface " : "the capture",
				ci->name ? ci->name : "", ci->name ? " is no interface of the box" : "",
				ft.score[i * nbs->n + best] >= 100 ? "MAC and IP addresses"
								   : "IP addresses",
				ci->n_frames, a->node, nbs->v[best].link->name);
		if (n_used > 1) {
			/* replay takes one interface's frames: each gets a capture of its own */
			char *base = stem(a->out), *path;
			bool again = false;

			for (n = 0; n + 1 < *n_out; n++)
				again = again || !strcmp((*out)[n].at, p->at);
			path = again ? xasprintf("%s-%s-%zu.pcapng", base, nbs->v[best].name, i)
				     : xasprintf("%s-%s.pcapng", base, nbs->v[best].name);

			free(base);
			if (capture_split(&c, i, path, d)) {
				free(path);
				goto out;
			}
			p->pcap = relative_to_lab(path, a->out);
			free(path);
		} else {
			p->pcap = relative_to_lab(a->pcap, a->out);
		}
		if (!strncmp(p->pcap, "../", 3) || p->pcap[0] == '/') {
			/* a replay step reads captures from beneath the lab's directory only */
			char *base = stem(a->out);
			char *copy = xasprintf("%s.%s", base, c.pcapng ? "pcapng" : "pcap");

			free(base);
			if (outfile_write(copy, c.data, c.len, d)) {
				free(copy);
				goto out;
			}
			free(p->pcap);
			p->pcap = relative_to_lab(copy, a->out);
			xasprintf_append(&p->comment, "; the capture is copied beside the lab as %s "
						      "(a replay step reads captures from the lab's "
						      "directory)",
					 p->pcap);
			free(copy);
		}
	}
	rc = 0;
out:
	capture_release(&c);
	free(ft.score);
	return rc;
}

static void replays_free(struct replay_plan *r, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(r[i].pcap);
		free(r[i].at);
		free(r[i].filter);
		free(r[i].comment);
	}
	free(r);
}

/* The lab's name: the output file's, without directory and .yaml. */
static char *lab_name(const char *out)
{
	const char *base = strrchr(out, '/') ? strrchr(out, '/') + 1 : out;
	size_t n = strlen(base);

	if (n > 5 && !strcmp(base + n - 5, ".yaml"))
		n -= 5;
	return n ? xstrndup(base, n) : xstrdup("imported");
}

int import_box(const struct import_args *a, FILE *notes, struct diag *d)
{
	struct box b = BOX_INIT;
	struct neighbours nbs = {0};
	struct replay_plan *replays = NULL;
	size_t n_replays = 0, i;
	struct outfile of = OUTFILE_INIT;
	char *name = lab_name(a->out);
	struct import_opts o = {.fw_name = a->node, .lab_name = name, .made_by = a->made_by};
	int rc = -1;
	FILE *f;

	if ((a->nft && box_read_ruleset(&b, BOX_RULESET_NFT, false, a->nft, d)) ||
	    (a->iptables && box_read_ruleset(&b, BOX_RULESET_IPTABLES, false, a->iptables, d)) ||
	    (a->ip6tables && box_read_ruleset(&b, BOX_RULESET_IPTABLES, true, a->ip6tables, d)) ||
	    box_read_addr(&b, a->addr, d))
		goto out;
	for (i = 0; i < a->n_routes; i++)
		if (box_read_route(&b, a->routes[i], d))
			goto out;
	for (i = 0; i < a->n_rules; i++)
		if (box_read_rule(&b, a->rules[i], d))
			goto out;
	if (a->sysctl && box_read_sysctl(&b, a->sysctl, d))
		goto out;
	if (outfile_check(a->out, d))
		goto out;
	neighbours_build(&b, a->node, &nbs);
	if (a->pcap && plan_replays(a, &b, &nbs, &replays, &n_replays, d))
		goto out;
	o.replays = replays;
	o.n_replays = n_replays;
	f = outfile_open(&of, a->out, d);
	if (!f)
		goto out;
	if (import_lab_write(&b, &nbs, &o, f)) {
		outfile_discard(&of);
		diag_errno(d, "cannot write %s", a->out);
		goto out;
	}
	if (outfile_commit(&of, d))
		goto out;
	for (i = 0; i < b.n_notes; i++)
		fprintf(notes, "nflab import: %s\n", b.notes[i]);
	for (i = 0; i < n_replays; i++)
		fprintf(notes, "nflab import: replay at %s: %s\n", replays[i].at, replays[i].comment);
	rc = 0;
out:
	replays_free(replays, n_replays);
	neighbours_release(&nbs);
	box_release(&b);
	free(name);
	return rc;
}
