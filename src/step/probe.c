// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * What the probe kinds (udp.c, tcp.c, ping.c) share: their parsing, which
 * differs by kind only in keys, the destination's form (ADDR:PORT or an
 * address), the tcp payload's segments and the outcomes; their release and
 * sender.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lab/parse.h"
#include "step/step.h"
#include "util/xalloc.h"

static const char *const udp_keys[] = {"from", "to",  "src", "sport", "payload",
				       "ttl",  "tos", "df",  NULL};
static const char *const tcp_keys[] = {"from",	  "to",	 "src", "sport", "outcome",    "timeout",
				       "payload", "ttl", "tos", "df",	 "background", NULL};
static const char *const ping_keys[] = {"from",	   "to",       "src",  "count", "id",
					"outcome", "timeout",  "size", "df",	"ttl",
					"tos",	   "interval", NULL};

/* "192.0.2.1:53" or "[2001:db8::1]:53". */
static int parse_hostport(const char *s, struct ipaddr *a, uint16_t *port)
{
	char host[IPADDR_STRLEN];
	const char *colon;
	char *end;
	unsigned long v;
	size_t n;

	if (*s == '[') {
		const char *close = strchr(s, ']');

		if (!close || close[1] != ':')
			return -1;
		n = (size_t)(close - s - 1);
		s++;
		colon = close + 1;
	} else {
		colon = strrchr(s, ':');
		if (!colon)
			return -1;
		n = (size_t)(colon - s);
	}
	if (n == 0 || n >= sizeof(host))
		return -1;
	memcpy(host, s, n);
	host[n] = '\0';
	if (ipaddr_parse(host, a, NULL))
		return -1;
	errno = 0;
	v = strtoul(colon + 1, &end, 10);
	if (errno || end == colon + 1 || *end || v == 0 || v > 65535)
		return -1;
	*port = (uint16_t)v;
	return 0;
}

/* An integer from min to max into *out; what names the range ("a TTL (1 to 255)"). */
static int parse_int_range(struct parser *p, yaml_node_t *v, const char *what, int min, int max,
			   int *out)
{
	char got[64];
	uint64_t u;

	if (yuint(&p->y, v, what, (uint64_t)max, &u, p->d))
		return -1;
	if (u < (uint64_t)min)
		return fail_at(p, v, "expected %s, got %s", what,
			       ynode_describe(v, got, sizeof(got)));
	*out = (int)u;
	return 0;
}

/* The IP header keys of a probe's packets: ttl, tos, df, and ping's size and interval. */
static int parse_probe_ip(struct parser *p, struct lab_step *st, yaml_node_t *m)
{
	struct ydoc *y = &p->y;
	struct step_probe *pr = &st->probe;
	int size_max = pr->dst.family == AF_INET6 ? 65535 - 8 : 65535 - 20 - 8;
	yaml_node_t *v;
	char got[64];
	bool b;
	int n;

	pr->size = 56;
	pr->tos = -1;
	pr->df = -1;
	if ((v = ymap_get(y, m, "ttl")) &&
	    parse_int_range(p, v,
			    pr->dst.family == AF_INET6 ? "a hop limit (1 to 255)"
						       : "a TTL (1 to 255)",
			    1, 255, &pr->ttl))
		return -1;
	if ((v = ymap_get(y, m, "tos")) &&
	    parse_int_range(p, v,
			    pr->dst.family == AF_INET6 ? "a traffic class (0 to 255)"
						       : "a TOS byte (0 to 255)",
			    0, 255, &pr->tos))
		return -1;
	if ((v = ymap_get(y, m, "df"))) {
		if (ybool(y, v, "true or false", &b, p->d))
			return -1;
		pr->df = b;
	}
	if ((v = ymap_get(y, m, "size"))) {
		char what[64];

		snprintf(what, sizeof(what), "an echo payload size in bytes (0 to %d)", size_max);
		if (parse_int_range(p, v, what, 0, size_max, &n))
			return -1;
		pr->size = (uint16_t)n;
	}
	if ((v = ymap_get(y, m, "interval"))) {
		if (yduration(y, v, "a duration up to 10s (100ms, 1s)", &pr->interval_ns, p->d))
			return -1;
		if (pr->interval_ns > 10000000000ull)
			return fail_at(p, v, "expected a duration up to 10s (100ms, 1s), got %s",
				       ynode_describe(v, got, sizeof(got)));
	}
	return 0;
}

int step_probe_parse(struct parser *p, struct lab_step *st, yaml_node_t *m)
{
	struct ydoc *y = &p->y;
	struct step_probe *pr = &st->probe;
	const char *const *keys = st->kind == STEP_UDP	 ? udp_keys
				  : st->kind == STEP_TCP ? tcp_keys
							 : ping_keys;
	const char *what = st->kind == STEP_UDP	  ? "udp probe"
			   : st->kind == STEP_TCP ? "tcp probe"
						  : "ping probe";
	yaml_node_t *v;
	const char *s;

	if (yexpect_map(y, m, "a probe (a mapping with from, to ...)", p->d) ||
	    ymap_check(y, m, what, keys, p->d) || step_node(p, m, "from", &pr->node))
		return -1;
	v = ymap_get(y, m, "to");
	if (!v)
		return fail_at(p, m, "%s needs \"to\"", what);
	if (st->kind == STEP_PING) {
		if (parse_addr(p, v, "an IPv4 or IPv6 address", &pr->dst))
			return -1;
	} else {
		if (ystr(y, v, "ADDR:PORT ([ADDR]:PORT for IPv6)", &s, p->d))
			return -1;
		if (parse_hostport(s, &pr->dst, &pr->dport))
			return fail_at(p, v,
				       "expected ADDR:PORT ([ADDR]:PORT for IPv6) with a port from "
				       "1 to 65535, got \"%s\"",
				       s);
	}
	if ((v = ymap_get(y, m, "src"))) {
		if (parse_addr(p, v, "a source address", &pr->src))
			return -1;
		if (pr->src.family != pr->dst.family)
			return fail_at(p, v, "source and destination addresses differ in family");
		pr->has_src = true;
	}
	if ((v = ymap_get(y, m, "sport")) &&
	    parse_u16(p, v, "a source port (1 to 65535)", &pr->sport))
		return -1;
	if ((v = ymap_get(y, m, "payload"))) {
		yaml_node_item_t *it;

		/* A list sends each text as its own segment (tcp): a protocol's lines. */
		if (st->kind == STEP_TCP && v->type == YAML_SEQUENCE_NODE) {
			for (it = yseq_begin(v); it < yseq_end(v); it++) {
				yaml_node_t *item = ynode(y, *it);
				size_t n;

				if (ystr(y, item, "payload text", &s, p->d))
					return -1;
				n = item->data.scalar.length;
				pr->payload = xrealloc(pr->payload, pr->payload_len + n + 1);
				memcpy(pr->payload + pr->payload_len, s, n);
				pr->payload_len += n;
				XGROW(pr->segments, pr->n_segments, pr->cap_segments);
				pr->segments[pr->n_segments++] = n;
			}
		} else {
			if (ystr(y, v, "payload text", &s, p->d))
				return -1;
			pr->payload = xstrdup(s);
			pr->payload_len = v->data.scalar.length;
		}
	}
	pr->count = 1;
	if ((v = ymap_get(y, m, "count"))) {
		uint64_t c;

		if (yuint(y, v, "a number of echo requests (1 to 1000)", 1000, &c, p->d))
			return -1;
		if (c == 0)
			return fail_at(p, v,
				       "expected a number of echo requests (1 to 1000), got 0");
		pr->count = (unsigned int)c;
	}
	if ((v = ymap_get(y, m, "id")) &&
	    parse_u16(p, v, "an ICMP echo id (0 to 65535)", &pr->echo_id))
		return -1;
	pr->timeout_ns = st->kind == STEP_TCP ? LAB_DEFAULT_TCP_TIMEOUT_NS : LAB_DEFAULT_TIMEOUT_NS;
	if ((v = ymap_get(y, m, "timeout")) &&
	    yduration(y, v, "a duration (500ms, 2s)", &pr->timeout_ns, p->d))
		return -1;
	if ((v = ymap_get(y, m, "outcome"))) {
		static const struct keyword tcp_outcomes[] = {
			{"connected", TCP_CONNECTED}, {"refused", TCP_REFUSED},
			{"timeout", TCP_TIMEOUT},     {"unreachable", TCP_UNREACHABLE},
			{"reset", TCP_RESET},	      {NULL, 0}};
		static const struct keyword ping_outcomes[] = {
			{"reply", PING_REPLY}, {"no-reply", PING_NO_REPLY}, {NULL, 0}};

		if (parse_keyword(p, v, st->kind == STEP_TCP ? tcp_outcomes : ping_outcomes,
				  &pr->outcome))
			return -1;
	}
	if ((v = ymap_get(y, m, "background"))) {
		yaml_node_t *w;

		if (ybool(y, v, "true or false", &pr->background, p->d))
			return -1;
		if (pr->background &&
		    ((w = ymap_get(y, m, "outcome")) || (w = ymap_get(y, m, "timeout"))))
			return fail_at(p, w,
				       "a background tcp probe has no %s: later steps do not wait "
				       "for its connect (check its packets with expect)",
				       ymap_get(y, m, "outcome") == w ? "outcome" : "timeout");
	}
	return parse_probe_ip(p, st, m);
}

void step_probe_release(struct lab_step *st)
{
	free(st->probe.payload);
	free(st->probe.segments);
}

long step_probe_sender(const struct lab *lab, const struct lab_step *st, long *iface)
{
	(void)lab;
	(void)iface;
	return (long)st->probe.node;
}

const char *step_addr_port(const struct ipaddr *a, uint16_t port, char *buf, size_t len)
{
	char s[IPADDR_STRLEN];

	snprintf(buf, len, a->family == AF_INET6 ? "[%s]:%u" : "%s:%u", ipaddr_fmt(a, s), port);
	return buf;
}
