// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The listen step: listen: {node, proto, port, family, accept} opens a socket
 * in a node until the lab ends; with accept, TCP connections are accepted and
 * each closed when its peer closes (run.c serves them). It sends nothing itself.
 */
#include <netinet/in.h>
#include <sys/epoll.h>

#include "lab/parse.h"
#include "probe/probe.h"
#include "run/run_priv.h"
#include "step/step.h"

static int parse(struct parser *p, struct lab_step *st, yaml_node_t *m)
{
	static const char *const keys[] = {"node", "proto", "port", "family", "accept", NULL};
	struct ydoc *y = &p->y;
	static const struct keyword protos[] = {
		{"tcp", IPPROTO_TCP}, {"udp", IPPROTO_UDP}, {NULL, 0}};
	static const struct keyword families[] = {
		{"ipv4", AF_INET}, {"ipv6", AF_INET6}, {"both", AF_UNSPEC}, {NULL, 0}};
	struct step_listen *l = &st->listen;
	yaml_node_t *v;

	if (yexpect_map(y, m, "a listener (a mapping with node, proto, port)", p->d) ||
	    ymap_check(y, m, "listen", keys, p->d) || step_node(p, m, "node", &l->node))
		return -1;
	l->proto = IPPROTO_TCP;
	if ((v = ymap_get(y, m, "proto")) && parse_keyword(p, v, protos, &l->proto))
		return -1;
	v = ymap_get(y, m, "port");
	if (!v)
		return fail_at(p, m, "listen needs \"port\"");
	if (parse_u16(p, v, "a port (1 to 65535)", &l->port))
		return -1;
	l->family = AF_UNSPEC;
	if ((v = ymap_get(y, m, "family")) && parse_keyword(p, v, families, &l->family))
		return -1;
	if ((v = ymap_get(y, m, "accept"))) {
		if (ybool(y, v, "true or false", &l->accept, p->d))
			return -1;
		if (l->accept && l->proto != IPPROTO_TCP)
			return fail_at(p, v, "accept applies to tcp listeners");
	}
	return 0;
}

static int run(struct run *r, const struct lab_step *st, char *text, size_t len, char **detail)
{
	const struct step_listen *l = &st->listen;
	int fd = probe_listen(r->b.nodes[l->node].nsfd, l, &r->d);

	(void)text;
	(void)len;
	(void)detail;
	if (fd < 0)
		return -1;
	run_keep_socket(r, fd);
	if (l->proto == IPPROTO_UDP)
		run_udp_add(r, l->node, fd);
	if (l->accept) {
		struct epoll_event ev = {.events = EPOLLIN, .data.u64 = TAG_LISTEN + (uint64_t)fd};

		if (epoll_ctl(r->epfd, EPOLL_CTL_ADD, fd, &ev))
			return diag_errno(&r->d, "epoll_ctl");
	}
	return NFLAB_PASS;
}

static void describe(const struct lab *lab, const struct lab_step *st, char *buf, size_t len)
{
	const struct step_listen *l = &st->listen;

	snprintf(buf, len, "listen %s %s/%u%s", lab->nodes[l->node].name,
		 l->proto == IPPROTO_TCP ? "tcp" : "udp", l->port, l->accept ? ", accepting" : "");
}

const struct step_ops step_listen = {
	.key = "listen",
	.kind = STEP_LISTEN,
	.parse = parse,
	.run = run,
	.describe = describe,
};
