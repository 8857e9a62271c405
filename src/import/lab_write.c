// SPDX-License-Identifier: GPL-2.0-or-later
/* The lab an import makes: fw as the box was, its neighbours, and where the engineer goes on. */
#include <arpa/inet.h>
#include <string.h>

#include "import/lab_write.h"

/* "key: |" and text, each line indented by six spaces, as YAML keeps it byte for byte. */
static void write_block(FILE *f, const char *key, const char *text)
{
	const char *p = text, *first = text;

	while (*first == '\n')
		first++;
	/* a first line that starts with a blank needs its indentation said */
	fprintf(f, "    %s: |%s\n", key, *first == ' ' || *first == '\t' ? "2" : "");
	while (*p) {
		size_t n = strcspn(p, "\n");

		if (n)
			fprintf(f, "      %.*s\n", (int)n, p);
		else
			fputc('\n', f);
		p += n;
		if (*p == '\n')
			p++;
	}
}

/* A YAML double-quoted scalar. */
static void write_quoted(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fputc('\\', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

static void write_route(FILE *f, const struct box_route *r)
{
	char a[IPADDR_STRLEN];

	fputs("      - ", f);
	if (r->is_default && r->has_via)
		fputs("default", f);
	else if (r->is_default)
		fputs(r->family == AF_INET ? "0.0.0.0/0" : "::/0", f);
	else
		fprintf(f, "%s/%d", ipaddr_fmt(&r->dst, a), r->plen);
	if (r->has_via)
		fprintf(f, " via %s", ipaddr_fmt(&r->via, a));
	if (r->dev)
		fprintf(f, " dev %s", r->dev);
	if (r->table != 254)
		fprintf(f, " table %u", r->table);
	fputc('\n', f);
}

static void write_rule(FILE *f, const struct box_rule *r)
{
	fputs("      - {", f);
	if (r->from)
		fprintf(f, "from: %s, ", r->from);
	if (r->to)
		fprintf(f, "to: %s, ", r->to);
	if (r->fwmark)
		fprintf(f, "fwmark: %s, ", r->fwmark);
	if (r->iif)
		fprintf(f, "iif: %s, ", r->iif);
	if (r->oif)
		fprintf(f, "oif: %s, ", r->oif);
	if (r->table == 254)
		fputs("table: main, ", f);
	else
		fprintf(f, "table: %u, ", r->table);
	fprintf(f, "priority: %u}\n", r->priority);
}

static size_t n_imported_ifaces(const struct box *b)
{
	size_t i, n = 0;

	for (i = 0; i < b->n_ifaces; i++)
		n += box_iface_imported(&b->ifaces[i]) && strcmp(b->ifaces[i].name, "lo");
	return n;
}

static void write_forwarding(FILE *f, const struct box *b)
{
	size_t n = n_imported_ifaces(b);

	if (b->ip_forward < 0) {
		if (n > 1)
			fprintf(f, "    # Forwarding on: assumed, as the box has %zu interfaces (no "
				   "--sysctl given)\n    router: true\n",
				n);
		else
			fputs("    # Forwarding off: assumed, as the box has one interface (no "
			      "--sysctl given)\n",
			      f);
	} else if (b->ip_forward == 1 && b->ip6_forward != 0) {
		fputs("    # Forwarding on, as the box had it (sysctl)\n    router: true\n", f);
	} else if (b->ip_forward == 1) {
		fputs("    # IPv4 forwarding on, IPv6 off, as the box had it (sysctl)\n"
		      "    sysctl: {net.ipv4.ip_forward: 1}\n",
		      f);
	} else if (b->ip6_forward == 1) {
		fputs("    # IPv4 forwarding off, IPv6 on, as the box had it (sysctl)\n"
		      "    sysctl: {net.ipv6.conf.all.forwarding: 1}\n",
		      f);
	} else {
		fputs("    # Forwarding off, as the box had it (sysctl)\n", f);
	}
}

static void write_fw(FILE *f, const struct box *b, const char *fw_name)
{
	size_t i, k, n_routes = 0, n_rules = 0;

	fprintf(f, "  %s:\n", fw_name);
	write_forwarding(f, b);
	fputs("    interfaces:\n", f);
	for (i = 0; i < b->n_ifaces; i++) {
		const struct box_iface *ifc = &b->ifaces[i];
		const char *sep = "";

		if (!box_iface_imported(ifc))
			continue;
		fprintf(f, "      %s: [", ifc->name);
		for (k = 0; k < ifc->n_addrs; k++) {
			char a[IPADDR_STRLEN];

			if (ifc->addrs[k].why)
				continue;
			fprintf(f, "%s%s/%d", sep, ipaddr_fmt(&ifc->addrs[k].a, a),
				ifc->addrs[k].plen);
			sep = ", ";
		}
		fputs("]\n", f);
	}
	for (i = 0; i < b->n_routes; i++)
		n_routes += !b->routes[i].skip;
	if (n_routes) {
		fputs("    routes:\n", f);
		for (i = 0; i < b->n_routes; i++)
			if (!b->routes[i].skip)
				write_route(f, &b->routes[i]);
	}
	for (i = 0; i < b->n_rules; i++)
		n_rules += !b->rules[i].skip;
	if (n_rules) {
		fputs("    rules:\n", f);
		for (i = 0; i < b->n_rules; i++)
			if (!b->rules[i].skip)
				write_rule(f, &b->rules[i]);
	}
	if (b->nft)
		write_block(f, "nft", b->nft);
	if (b->iptables)
		write_block(f, "iptables", b->iptables);
	if (b->ip6tables)
		write_block(f, "ip6tables", b->ip6tables);
}

static void write_neighbour(FILE *f, const struct neighbour *nb)
{
	static const char *const ifs[] = {"eth0", "lo"};
	size_t k, i;

	fprintf(f, "  %s:\n    interfaces:\n", nb->name);
	for (i = 0; i < 2; i++) {
		bool lo = i == 1, any = false;

		for (k = 0; k < nb->n_addrs; k++) {
			char a[IPADDR_STRLEN];

			if (nb->addrs[k].on_lo != lo)
				continue;
			if (!any)
				fprintf(f, "      %s:\n", ifs[i]);
			any = true;
			fprintf(f, "        - %s/%d  # %s\n", ipaddr_fmt(&nb->addrs[k].a, a),
				nb->addrs[k].plen, nb->addrs[k].why);
		}
	}
	if (nb->n_routes) {
		fputs("    routes:\n", f);
		for (k = 0; k < nb->n_routes; k++)
			fprintf(f, "      - %s\n", nb->routes[k]);
	}
}

/* Whether some address of nb was named by the ruleset (a DNAT target, a server). */
static bool holds_named(const struct neighbour *nb)
{
	size_t k;

	for (k = 0; k < nb->n_addrs; k++)
		if (strstr(nb->addrs[k].why, "ruleset"))
			return true;
	return false;
}

/*
 * A commented example of the steps the engineer adds: from the way out (the
 * neighbour with a default route's gateway) to the box's last address there
 * (often a published one), arriving where the ruleset names hosts.
 */
static void write_steps_hint(FILE *f, const struct neighbours *nbs)
{
	const struct neighbour *from = NULL, *to = NULL;
	char a[IPADDR_STRLEN] = "ADDRESS";
	size_t i, k;

	fputs("# Steps: add the probes that show the customer's problem and the\n"
	      "# expectations that say what must happen (see nflab-lab(5)), here.\n",
	      f);
	for (i = 0; i < nbs->n && !from; i++)
		for (k = 0; k < nbs->v[i].n_addrs; k++)
			if (!strncmp(nbs->v[i].addrs[k].why, "the gateway", 11))
				from = &nbs->v[i];
	if (!from && nbs->n)
		from = &nbs->v[0];
	for (i = 0; i < nbs->n && !to; i++)
		if (&nbs->v[i] != from && holds_named(&nbs->v[i]))
			to = &nbs->v[i];
	for (i = 0; i < nbs->n && !to; i++)
		if (&nbs->v[i] != from)
			to = &nbs->v[i];
	if (!from || !to)
		return;
	for (k = 0; k < from->link->n_addrs; k++)
		if (!from->link->addrs[k].why && from->link->addrs[k].a.family == AF_INET)
			ipaddr_fmt(&from->link->addrs[k].a, a);
	fprintf(f,
		"# For example, a connection from %s to an address of the box, and where\n"
		"# it must arrive:\n"
		"#   - tcp: {from: %s, to: %s:80}\n"
		"#   - expect: {at: %s:eth0, dir: in, match: {tcp.dport: 80}}\n",
		from->name, from->name, a, to->name);
}

int import_lab_write(const struct box *b, const struct neighbours *nbs,
		     const struct import_opts *o, FILE *f)
{
	size_t i;

	fprintf(f,
		"# Made by nflab import from a box's own dumps:\n#   %s\n"
		"# %s is the box: its interfaces, addresses and MTUs, its routes (every\n"
		"# table), policy rules and ruleset, as dumped. Each other node stands for\n"
		"# the network behind one interface of %s and is named after it: it holds\n"
		"# the gateways and next hops %s's routes use there and the hosts its\n"
		"# ruleset names there (else the subnet's first free address), and routes\n"
		"# back through %s.\n",
		o->made_by, o->fw_name, o->fw_name, o->fw_name, o->fw_name);
	if (b->n_notes) {
		fputs("#\n# Left out or changed (nflab import said so on standard error too):\n", f);
		for (i = 0; i < b->n_notes; i++)
			fprintf(f, "#   - %s\n", b->notes[i]);
	}
	fputs("name: ", f);
	write_quoted(f, o->lab_name);
	fprintf(f, "\ndescription: >\n  The box %s as its dumps describe it (nflab import), with ",
		o->fw_name);
	if (!nbs->n)
		fputs("no neighbour.\n", f);
	for (i = 0; i < nbs->n; i++)
		fprintf(f, "%s%s%s", i ? (i + 1 == nbs->n ? " and " : ", ") : "a node behind each "
									     "of its interfaces: ",
			nbs->v[i].name, i + 1 == nbs->n ? ".\n" : "");
	fputs("nodes:\n", f);
	write_fw(f, b, o->fw_name);
	for (i = 0; i < nbs->n; i++)
		write_neighbour(f, &nbs->v[i]);
	if (nbs->n)
		fputs("links:\n", f);
	for (i = 0; i < nbs->n; i++) {
		const struct box_iface *ifc = nbs->v[i].link;

		if (ifc->mtu && ifc->mtu != 1500)
			fprintf(f, "  - {ends: [%s:%s, %s:eth0], mtu: %u}\n", o->fw_name, ifc->name,
				nbs->v[i].name, ifc->mtu);
		else
			fprintf(f, "  - [%s:%s, %s:eth0]\n", o->fw_name, ifc->name, nbs->v[i].name);
	}
	write_steps_hint(f, nbs);
	if (o->n_replays) {
		fputs("# The capture, replayed: each frame that came to the box on an interface\n"
		      "# is sent to it from that interface's node. Add expectations after it.\n"
		      "steps:\n",
		      f);
	}
	for (i = 0; i < o->n_replays; i++) {
		const struct replay_plan *r = &o->replays[i];

		fprintf(f, "  # %s\n  - replay: {pcap: ", r->comment);
		write_quoted(f, r->pcap);
		fprintf(f, ", at: %s, filter: ", r->at);
		write_quoted(f, r->filter);
		fputs("}\n", f);
	}
	return ferror(f) ? -1 : 0;
}
