// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The send step: crafted packets, field by field (eth, arp, ip, ip6, udp, tcp,
 * icmp, icmp6, payload, a quoted packet), sent at L3 from a node or at L2 from
 * an interface, count times at a rate, with sweeps and fragments.
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "expect/expect.h"
#include "lab/parse.h"
#include "probe/inject.h"
#include "run/run_priv.h"
#include "step/step.h"
#include "topo/link.h"
#include "util/xalloc.h"

#define QUOTE_BUF    1500 /* an inline quoted packet is built into this much */
#define QUOTE_MAX_V4 548  /* what fits in a 576-byte error (RFC 1812) */
#define QUOTE_MAX_V6 1232 /* what fits in a 1280-byte error (RFC 4443) */

static const char *const send_keys[] = {"from", "eth",	 "arp",	     "ip",	"ip6", "udp",
					"tcp",	"icmp",	 "icmp6",    "payload", "hex", "count",
					"rate", "sweep", "fragment", NULL};
static const char *const quote_keys[] = {"ip",	  "ip6",     "udp", "tcp", "icmp",
					 "icmp6", "payload", "hex", NULL};
static const char *const captured_keys[] = {"captured", "dir", "match", NULL};
static const char *const eth_keys[] = {"src", "dst", "type", NULL};
static const char *const arp_keys[] = {"op",	     "sender-mac", "sender-ip",
				       "target-mac", "target-ip",  NULL};
static const char *const ip_keys[] = {"src",	  "dst",     "ttl",	    "tos",   "id",
				      "df",	  "mf",	     "frag-offset", "proto", "length",
				      "checksum", "options", NULL};
static const char *const ip6_keys[] = {
	"src",	      "dst",	     "hop-limit",      "traffic-class",
	"flow-label", "next-header", "payload-length", "fragment",
	NULL};
static const char *const frag6_keys[] = {"offset", "more", "id", NULL};
static const char *const udp_keys[] = {"sport", "dport", "length", "checksum", NULL};
static const char *const tcp_keys[] = {"sport",	 "dport", "flags",     "seq",	   "ack", "window",
				       "urgent", "mss",	  "timestamp", "checksum", NULL};
static const char *const icmp_keys[] = {"type",	  "code",  "id",       "seq",	"mtu", "target",
					"lladdr", "flags", "checksum", "quote", NULL};

static int get_uint(struct parser *p, yaml_node_t *m, const char *key, const char *what,
		    uint64_t max, uint64_t *out)
{
	yaml_node_t *v = ymap_get(&p->y, m, key);

	return v ? yuint(&p->y, v, what, max, out, p->d) : 0;
}

/* An int field that is computed unless the lab sets it. */
static int get_auto(struct parser *p, yaml_node_t *m, const char *key, uint64_t max, int *out)
{
	yaml_node_t *v = ymap_get(&p->y, m, key);
	char what[64];
	uint64_t u;

	if (!v)
		return 0;
	snprintf(what, sizeof(what), "a number from 0 to %llu", (unsigned long long)max);
	if (yuint(&p->y, v, what, max, &u, p->d))
		return -1;
	*out = (int)u;
	return 0;
}

static int get_bool(struct parser *p, yaml_node_t *m, const char *key, bool *out)
{
	yaml_node_t *v = ymap_get(&p->y, m, key);

	return v ? ybool(&p->y, v, "true or false", out, p->d) : 0;
}

static int get_mac(struct parser *p, yaml_node_t *m, const char *key, uint8_t mac[6], bool *set)
{
	yaml_node_t *v = ymap_get(&p->y, m, key);
	const char *s;

	if (!v)
		return 0;
	if (ystr(&p->y, v, "a MAC address", &s, p->d))
		return -1;
	if (mac_parse(s, mac))
		return fail_at(p, v, "expected a MAC address (02:00:00:00:00:01), got \"%s\"", s);
	if (set)
		*set = true;
	return 0;
}

/*
 * A number or a name of the packet field fname (icmp.type: port-unreachable ...);
 * for a code, one of the ICMP type *type when type is not NULL.
 */
static int get_named(struct parser *p, yaml_node_t *m, const char *key, const char *fname,
		     const uint64_t *type, uint64_t max, uint64_t *out)
{
	yaml_node_t *v = ymap_get(&p->y, m, key);
	const struct field_def *f = field_find(pkt_fields, fname);
	char err[1024];
	const char *s;

	if (!v)
		return 0;
	if (ystr(&p->y, v, "a number or a name", &s, p->d))
		return -1;
	if (field_parse_number(f, type, s, out, err, sizeof(err)))
		return fail_at(p, v, "%s", err);
	if (*out > max)
		return fail_at(p, v, "expected at most %llu, got \"%s\"", (unsigned long long)max,
			       s);
	return 0;
}

static int parse_hex(struct parser *p, yaml_node_t *v, uint8_t **out, size_t *len)
{
	const char *s;
	size_t n = 0;

	if (ystr(&p->y, v, "hex bytes", &s, p->d))
		return -1;
	*out = xmalloc(strlen(s) / 2 + 1);
	while (*s) {
		unsigned int b;

		if (*s == ' ' || *s == ':') {
			s++;
			continue;
		}
		if (sscanf(s, "%2x", &b) != 1 || !s[1] || s[1] == ' ') {
			free(*out);
			*out = NULL;
			return fail_at(p, v, "expected hex bytes (\"45 00 00 1c\"), got \"%s\"", s);
		}
		(*out)[n++] = (uint8_t)b;
		s += 2;
	}
	*len = n;
	return 0;
}

static int parse_eth(struct parser *p, yaml_node_t *m, struct step_send *s)
{
	yaml_node_t *v;
	uint64_t u;

	if (yexpect_map(&p->y, m, "Ethernet fields (src, dst, type)", p->d) ||
	    ymap_check(&p->y, m, "eth", eth_keys, p->d) ||
	    get_mac(p, m, "src", s->c.eth.src, &s->eth_src_set) ||
	    get_mac(p, m, "dst", s->c.eth.dst, &s->eth_dst_set))
		return -1;
	if ((v = ymap_get(&p->y, m, "type"))) {
		if (yuint(&p->y, v, "an EtherType (0x0800)", 0xffff, &u, p->d))
			return -1;
		s->c.eth.type = (int)u;
	}
	return 0;
}

static int parse_arp(struct parser *p, yaml_node_t *m, struct craft *c)
{
	static const struct keyword ops[] = {{"request", 1}, {"reply", 2}, {NULL, 0}};
	yaml_node_t *v;
	int op = 1;

	if (yexpect_map(&p->y, m, "ARP fields", p->d) ||
	    ymap_check(&p->y, m, "arp", arp_keys, p->d))
		return -1;
	if ((v = ymap_get(&p->y, m, "op")) && parse_keyword(p, v, ops, &op))
		return -1;
	c->arp.present = true;
	c->arp.op = (uint16_t)op;
	if (get_mac(p, m, "sender-mac", c->arp.sha, NULL) ||
	    get_mac(p, m, "target-mac", c->arp.tha, NULL))
		return -1;
	if ((v = ymap_get(&p->y, m, "sender-ip")) &&
	    parse_addr(p, v, "an IPv4 address", &c->arp.spa))
		return -1;
	if ((v = ymap_get(&p->y, m, "target-ip")) &&
	    parse_addr(p, v, "an IPv4 address", &c->arp.tpa))
		return -1;
	return 0;
}

static int parse_ip_addrs(struct parser *p, yaml_node_t *m, struct craft_ip *ip, int family)
{
	const char *what = family == AF_INET ? "an IPv4 address" : "an IPv6 address";
	yaml_node_t *v;

	if ((v = ymap_get(&p->y, m, "src"))) {
		if (parse_addr(p, v, what, &ip->src))
			return -1;
		if (ip->src.family != family)
			return fail_at(p, v, "expected %s", what);
	}
	v = ymap_get(&p->y, m, "dst");
	if (!v)
		return fail_at(p, m, "the IP header needs \"dst\"");
	if (parse_addr(p, v, what, &ip->dst))
		return -1;
	if (ip->dst.family != family)
		return fail_at(p, v, "expected %s", what);
	if (!ip->src.family)
		ip->src.family = family; /* unset: 0.0.0.0 / ::, which raw sockets fill in */
	return 0;
}

static int parse_ip4(struct parser *p, yaml_node_t *m, struct craft *c)
{
	struct craft_ip *ip = &c->ip;
	yaml_node_t *v;
	uint64_t u = 64;

	if (yexpect_map(&p->y, m, "IPv4 fields (src, dst, ttl ...)", p->d) ||
	    ymap_check(&p->y, m, "ip", ip_keys, p->d) || parse_ip_addrs(p, m, ip, AF_INET))
		return -1;
	ip->version = 4;
	if (get_uint(p, m, "ttl", "a ttl (0 to 255)", 255, &u))
		return -1;
	ip->ttl = (uint8_t)u;
	u = 0;
	if (get_uint(p, m, "tos", "a tos (0 to 255)", 255, &u))
		return -1;
	ip->tos = (uint8_t)u;
	u = 0;
	if (get_uint(p, m, "id", "an id (0 to 65535)", 65535, &u))
		return -1;
	ip->id = (uint16_t)u;
	u = 0;
	if ((v = ymap_get(&p->y, m, "frag-offset"))) {
		if (yuint(&p->y, v, "a fragment offset in bytes (a multiple of 8)", 65528, &u,
			  p->d))
			return -1;
		if (u % 8)
			return fail_at(p, v, "expected a multiple of 8 bytes, got %llu",
				       (unsigned long long)u);
	}
	ip->frag_off = (uint16_t)u;
	if (get_bool(p, m, "df", &ip->df) || get_bool(p, m, "mf", &ip->mf) ||
	    get_auto(p, m, "length", 65535, &ip->len) ||
	    get_auto(p, m, "checksum", 65535, &ip->checksum))
		return -1;
	if (ymap_get(&p->y, m, "proto")) {
		if (get_named(p, m, "proto", "ip.proto", NULL, 255, &u))
			return -1;
		ip->proto = (int)u;
	}
	if ((v = ymap_get(&p->y, m, "options"))) {
		uint8_t *b;
		size_t n;

		if (parse_hex(p, v, &b, &n))
			return -1;
		if (n > sizeof(ip->options)) {
			free(b);
			return fail_at(p, v, "expected at most 40 bytes of options, got %zu", n);
		}
		memcpy(ip->options, b, n);
		ip->options_len = n;
		free(b);
	}
	return 0;
}

static int parse_ip6(struct parser *p, yaml_node_t *m, struct craft *c)
{
	struct craft_ip *ip = &c->ip;
	yaml_node_t *v;
	uint64_t u = 64;

	if (yexpect_map(&p->y, m, "IPv6 fields (src, dst, hop-limit ...)", p->d) ||
	    ymap_check(&p->y, m, "ip6", ip6_keys, p->d) || parse_ip_addrs(p, m, ip, AF_INET6))
		return -1;
	ip->version = 6;
	if (get_uint(p, m, "hop-limit", "a hop limit (0 to 255)", 255, &u))
		return -1;
	ip->ttl = (uint8_t)u;
	u = 0;
	if (get_uint(p, m, "traffic-class", "a traffic class (0 to 255)", 255, &u))
		return -1;
	ip->tos = (uint8_t)u;
	u = 0;
	if (get_uint(p, m, "flow-label", "a flow label (0 to 0xfffff)", 0xfffff, &u))
		return -1;
	ip->flowlabel = (uint32_t)u;
	if (get_auto(p, m, "payload-length", 65535, &ip->len))
		return -1;
	if (ymap_get(&p->y, m, "next-header")) {
		if (get_named(p, m, "next-header", "ip6.nexthdr", NULL, 255, &u))
			return -1;
		ip->proto = (int)u;
	}
	if ((v = ymap_get(&p->y, m, "fragment"))) {
		u = 0;
		if (yexpect_map(&p->y, v, "fragment header fields (offset, more, id)", p->d) ||
		    ymap_check(&p->y, v, "fragment", frag6_keys, p->d) ||
		    get_uint(p, v, "offset", "a fragment offset in bytes", 65528, &u))
			return -1;
		ip->frag_hdr = true;
		ip->frag_off = (uint16_t)(u & ~7ull);
		u = 0;
		if (get_bool(p, v, "more", &ip->mf) ||
		    get_uint(p, v, "id", "a fragment id", 0xffffffff, &u))
			return -1;
		ip->frag_id = (uint32_t)u;
	}
	return 0;
}

static int parse_ports(struct parser *p, yaml_node_t *m, struct craft_l4hdr *l)
{
	yaml_node_t *v;

	if ((v = ymap_get(&p->y, m, "sport")) && parse_u16(p, v, "a port", &l->sport))
		return -1;
	if ((v = ymap_get(&p->y, m, "dport")) && parse_u16(p, v, "a port", &l->dport))
		return -1;
	return get_auto(p, m, "checksum", 65535, &l->checksum);
}

/*
 * A sequence or acknowledgement number: a number, or "+N" relative to the same
 * connection as last captured leaving the sending interface (*relative set).
 */
static int get_seq(struct parser *p, yaml_node_t *m, const char *key, const char *what,
		   uint32_t *out, bool *relative)
{
	yaml_node_t *v = ymap_get(&p->y, m, key);
	uint64_t u = 0;

	if (v && v->type == YAML_SCALAR_NODE && v->data.scalar.value[0] == '+') {
		const char *s = (const char *)v->data.scalar.value + 1;
		char *end;

		u = strtoull(s, &end, 10);
		if (end == s || *end || u > 0xffffffff)
			return fail_at(p, v,
				       "expected +N (0 to 4294967295) after the connection's "
				       "next %s, got \"%s\"",
				       key, (const char *)v->data.scalar.value);
		*relative = true;
	} else if (get_uint(p, m, key, what, 0xffffffff, &u)) {
		return -1;
	}
	*out = (uint32_t)u;
	return 0;
}

/* TCP fields; seq and ack may be relative (rel[0], rel[1]), see get_seq(). */
static int parse_tcp(struct parser *p, yaml_node_t *m, struct craft_l4hdr *l, bool rel[2])
{
	yaml_node_t *v;
	uint64_t u = 0;

	if (yexpect_map(&p->y, m, "TCP fields (sport, dport, flags ...)", p->d) ||
	    ymap_check(&p->y, m, "tcp", tcp_keys, p->d) || parse_ports(p, m, l))
		return -1;
	l->kind = CRAFT_L4_TCP;
	if (get_named(p, m, "flags", "tcp.flags", NULL, 255, &u))
		return -1;
	l->flags = (uint8_t)u;
	if (get_seq(p, m, "seq", "a sequence number", &l->seq, &rel[0]) ||
	    get_seq(p, m, "ack", "an acknowledgement number", &l->ack, &rel[1]))
		return -1;
	u = 65535;
	if (get_uint(p, m, "window", "a window (0 to 65535)", 65535, &u))
		return -1;
	l->window = (uint16_t)u;
	u = 0;
	if (get_uint(p, m, "urgent", "an urgent pointer", 65535, &u))
		return -1;
	l->urgent = (uint16_t)u;
	if (get_auto(p, m, "mss", 65535, &l->mss))
		return -1;
	if ((v = ymap_get(&p->y, m, "timestamp"))) {
		const char *s;
		unsigned long val, ecr;

		if (ystr(&p->y, v, "\"TSVAL,TSECR\"", &s, p->d))
			return -1;
		if (sscanf(s, "%lu,%lu", &val, &ecr) != 2 || val > 0xffffffff || ecr > 0xffffffff)
			return fail_at(p, v, "expected \"TSVAL,TSECR\" (\"100,0\"), got \"%s\"", s);
		l->ts = true;
		l->tsval = (uint32_t)val;
		l->tsecr = (uint32_t)ecr;
	}
	return 0;
}

static int parse_packet(struct parser *p, yaml_node_t *m, struct step_send *s, bool quoted);

/* quote: an inline packet, or {captured: node:iface, dir, match} of an earlier capture. */
static int parse_quote(struct parser *p, yaml_node_t *q, struct step_send *s)
{
	struct step_send inner;
	uint8_t buf[QUOTE_BUF];
	yaml_node_t *v;
	int n, kw = DIR_ANY;

	if (yexpect_map(&p->y, q, "a quoted packet (ip, udp ...) or {captured: node:iface, match}",
			p->d))
		return -1;
	if (ymap_get(&p->y, q, "captured")) {
		static const struct keyword dirs[] = {
			{"in", DIR_IN}, {"out", DIR_OUT}, {"any", DIR_ANY}, {NULL, 0}};

		if (ymap_check(&p->y, q, "captured quote", captured_keys, p->d) ||
		    parse_point(p, ymap_get(&p->y, q, "captured"), &s->quote_at))
			return -1;
		if ((v = ymap_get(&p->y, q, "dir")) && parse_keyword(p, v, dirs, &kw))
			return -1;
		s->quote_dir = (enum pkt_dir)kw;
		if ((v = ymap_get(&p->y, q, "match")) &&
		    parse_match(p, v, SRC_CAPTURE, &s->quote_preds, &s->n_quote_preds))
			return -1;
		s->quote = QUOTE_CAPTURED;
		return 0;
	}
	memset(&inner, 0, sizeof(inner));
	craft_init(&inner.c);
	if (ymap_check(&p->y, q, "quoted packet", quote_keys, p->d) ||
	    parse_packet(p, q, &inner, true)) {
		free(inner.payload);
		return -1;
	}
	n = craft_build(&inner.c, buf, sizeof(buf), NULL);
	free(inner.payload);
	free(inner.quote_bytes);
	if (n < 0)
		return fail_at(p, q, "the quoted packet is larger than %d bytes", QUOTE_BUF);
	s->quote = QUOTE_INLINE;
	s->quote_bytes = xmalloc((size_t)n);
	memcpy(s->quote_bytes, buf, (size_t)n);
	s->quote_len = (size_t)n;
	return 0;
}

static int parse_icmp(struct parser *p, yaml_node_t *m, struct step_send *s, bool v6)
{
	struct craft_l4hdr *l = &s->c.l4;
	yaml_node_t *v;
	uint64_t u = 0;

	if (yexpect_map(&p->y, m, "ICMP fields (type, code ...)", p->d) ||
	    ymap_check(&p->y, m, v6 ? "icmp6" : "icmp", icmp_keys, p->d))
		return -1;
	l->kind = v6 ? CRAFT_L4_ICMP6 : CRAFT_L4_ICMP;
	if (!ymap_get(&p->y, m, "type"))
		return fail_at(p, m, "%s needs \"type\"", v6 ? "icmp6" : "icmp");
	if (get_named(p, m, "type", v6 ? "icmp6.type" : "icmp.type", NULL, 255, &u))
		return -1;
	l->type = (uint8_t)u;
	u = 0;
	if (get_named(p, m, "code", v6 ? "icmp6.code" : "icmp.code", &(uint64_t){l->type}, 255, &u))
		return -1;
	l->code = (uint8_t)u;
	u = 0;
	if (get_uint(p, m, "id", "an echo id", 65535, &u))
		return -1;
	l->id = (uint16_t)u;
	u = 0;
	if (get_uint(p, m, "seq", "an echo sequence number", 65535, &u))
		return -1;
	l->seq16 = (uint16_t)u;
	u = 0;
	if (get_uint(p, m, "mtu", "an MTU", 0xffffffff, &u))
		return -1;
	l->mtu = (uint32_t)u;
	u = 0;
	if (get_uint(p, m, "flags", "neighbour advertisement flags (0xe0000000 = R|S|O)",
		     0xffffffff, &u))
		return -1;
	l->na_flags = (uint32_t)u;
	if ((v = ymap_get(&p->y, m, "target")) && parse_addr(p, v, "an IPv6 address", &l->target))
		return -1;
	if (get_mac(p, m, "lladdr", l->lladdr, &l->has_lladdr) ||
	    get_auto(p, m, "checksum", 65535, &l->checksum))
		return -1;
	if ((v = ymap_get(&p->y, m, "quote")) && parse_quote(p, v, s))
		return -1;
	return 0;
}

/* The layers of a packet (shared by the step and an inline quote). */
static int parse_packet(struct parser *p, yaml_node_t *m, struct step_send *s, bool quoted)
{
	struct ydoc *y = &p->y;
	yaml_node_t *ip = ymap_get(y, m, "ip"), *ip6 = ymap_get(y, m, "ip6"), *v;
	static const char *const l4s[] = {"udp", "tcp", "icmp", "icmp6"};
	bool rel[2] = {false, false}; /* tcp seq, ack relative to the connection */
	int i, n4 = 0;

	if (ip && ip6)
		return fail_at(p, ip6, "a packet has one of \"ip\" and \"ip6\", not both");
	if ((ip && parse_ip4(p, ip, &s->c)) || (ip6 && parse_ip6(p, ip6, &s->c)))
		return -1;
	for (i = 0; i < 4; i++) {
		if (!(v = ymap_get(y, m, l4s[i])))
			continue;
		if (n4++)
			return fail_at(p, v, "a packet has at most one of udp, tcp, icmp, icmp6");
		if (!ip && !ip6)
			return fail_at(p, v, "%s needs an IP header (\"ip\" or \"ip6\")", l4s[i]);
		if ((i == 2 && !ip) || (i == 3 && !ip6))
			return fail_at(p, v, "%s goes with %s", l4s[i], i == 2 ? "ip" : "ip6");
		switch (i) {
		case 0:
			if (yexpect_map(y, v, "UDP fields (sport, dport ...)", p->d) ||
			    ymap_check(y, v, "udp", udp_keys, p->d) ||
			    parse_ports(p, v, &s->c.l4) ||
			    get_auto(p, v, "length", 65535, &s->c.l4.len))
				return -1;
			s->c.l4.kind = CRAFT_L4_UDP;
			break;
		case 1:
			if (parse_tcp(p, v, &s->c.l4, rel))
				return -1;
			s->seq_relative = rel[0];
			s->ack_relative = rel[1];
			if ((rel[0] || rel[1]) && !s->l2)
				return fail_at(p, v,
					       "a relative seq or ack (+N) needs from: node:iface, "
					       "where the connection is captured");
			break;
		default:
			if (parse_icmp(p, v, s, i == 3))
				return -1;
		}
	}
	if ((v = ymap_get(y, m, "payload"))) {
		const char *text;

		if (ystr(y, v, "payload text", &text, p->d))
			return -1;
		s->payload_len = v->data.scalar.length;
		s->payload = xmalloc(s->payload_len + 1);
		memcpy(s->payload, text, s->payload_len);
	} else if ((v = ymap_get(y, m, "hex")) && parse_hex(p, v, &s->payload, &s->payload_len)) {
		return -1;
	}
	if (ymap_get(y, m, "payload") && ymap_get(y, m, "hex"))
		return fail_at(p, ymap_get(y, m, "hex"), "give \"payload\" or \"hex\", not both");
	s->c.payload = s->payload;
	s->c.payload_len = s->payload_len;
	s->c.quote = s->quote_bytes;
	s->c.quote_len = s->quote_len;
	if (quoted && !ip && !ip6)
		return fail_at(p, m, "a quoted packet needs an IP header (\"ip\" or \"ip6\")");
	return 0;
}

/* "10000-19999", "10.0.0.1-10.0.0.99" or a single value. */
static int parse_sweep(struct parser *p, yaml_node_pair_t *pr, struct sweep *sw)
{
	static const struct {
		const char *name;
		enum sweep_field field;
	} fields[] = {{"sport", SWEEP_SPORT},
		      {"dport", SWEEP_DPORT},
		      {"ip.id", SWEEP_IP_ID},
		      {"ip.src", SWEEP_IP_SRC},
		      {"ip.dst", SWEEP_IP_DST}};
	yaml_node_t *k = ynode(&p->y, pr->key), *v = ynode(&p->y, pr->value);
	const char *name, *text, *dash;
	char a[64], b[64];
	size_t i;

	if (ystr(&p->y, k, "a field to sweep", &name, p->d) ||
	    ystr(&p->y, v, "a range (FROM-TO)", &text, p->d))
		return -1;
	for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		if (!strcmp(name, fields[i].name))
			break;
	if (i == sizeof(fields) / sizeof(fields[0]))
		return fail_at(p, k, "expected sport, dport, ip.id, ip.src or ip.dst, got \"%s\"",
			       name);
	sw->field = fields[i].field;
	dash = strchr(text, '-');
	snprintf(a, sizeof(a), "%.*s", dash ? (int)(dash - text) : (int)strlen(text), text);
	snprintf(b, sizeof(b), "%s", dash ? dash + 1 : text);
	if (sw->field == SWEEP_IP_SRC || sw->field == SWEEP_IP_DST) {
		struct in_addr x, y;

		if (inet_pton(AF_INET, a, &x) != 1 || inet_pton(AF_INET, b, &y) != 1 ||
		    ntohl(y.s_addr) < ntohl(x.s_addr))
			return fail_at(p, v,
				       "expected an IPv4 range (10.0.0.1-10.0.0.99), got \"%s\"",
				       text);
		sw->from = ntohl(x.s_addr);
		sw->to = ntohl(y.s_addr);
	} else {
		char *e1, *e2;
		unsigned long x = strtoul(a, &e1, 10), y = strtoul(b, &e2, 10);

		if (*e1 || *e2 || !*a || !*b || x > 65535 || y > 65535 || y < x)
			return fail_at(p, v,
				       "expected a range of numbers (10000-19999), got \"%s\"",
				       text);
		sw->from = (uint32_t)x;
		sw->to = (uint32_t)y;
	}
	return 0;
}

static int parse(struct parser *p, struct lab_step *st, yaml_node_t *m)
{
	struct ydoc *y = &p->y;
	struct step_send *s = &st->send;
	yaml_node_t *v, *from;
	const char *text;
	uint64_t u;

	craft_init(&s->c);
	s->count = 1;
	if (yexpect_map(y, m, "a packet to send (from, ip, udp ...)", p->d) ||
	    ymap_check(y, m, "send", send_keys, p->d))
		return -1;
	from = ymap_get(y, m, "from");
	if (!from)
		return fail_at(p, m,
			       "send needs \"from\": node:iface (a frame) or node (an IP "
			       "packet)");
	if (ystr(y, from, "node:iface or node", &text, p->d))
		return -1;
	if (strchr(text, ':')) {
		struct lab_end end;

		if (parse_point(p, from, &end))
			return -1;
		s->l2 = true;
		s->node = end.node;
		s->iface = end.iface;
	} else if (step_node(p, m, "from", &s->node)) {
		return -1;
	}
	if ((v = ymap_get(y, m, "eth"))) {
		if (!s->l2)
			return fail_at(p, v, "eth needs a frame: send from node:iface");
		if (parse_eth(p, v, s))
			return -1;
	}
	if ((v = ymap_get(y, m, "arp"))) {
		if (!s->l2)
			return fail_at(p, v, "arp needs a frame: send from node:iface");
		if (ymap_get(y, m, "ip") || ymap_get(y, m, "ip6"))
			return fail_at(p, v, "a frame has ARP or IP, not both");
		if (parse_arp(p, v, &s->c))
			return -1;
	}
	s->c.eth.present = s->l2;
	if (parse_packet(p, m, s, false))
		return -1;
	if (!s->l2 && !s->c.ip.version)
		return fail_at(p, m, "an IP packet sent from a node needs \"ip\" or \"ip6\"");
	if (!s->c.arp.present && !s->c.ip.version && !s->payload)
		return fail_at(p, m, "nothing to send: give arp, ip, ip6, payload or hex");
	if ((v = ymap_get(y, m, "count"))) {
		if (yuint(y, v, "a number of packets (1 to 100000000)", 100000000, &u, p->d))
			return -1;
		if (!u)
			return fail_at(p, v,
				       "expected a number of packets (1 to 100000000), got 0");
		s->count = (unsigned int)u;
	}
	if ((v = ymap_get(y, m, "rate")) &&
	    yuint(y, v, "packets per second", 100000000, &s->rate, p->d))
		return -1;
	if ((v = ymap_get(y, m, "fragment"))) {
		if (yuint(y, v, "a number of fragments (2 to 64)", 64, &u, p->d))
			return -1;
		if (u < 2)
			return fail_at(p, v, "expected a number of fragments (2 to 64), got %llu",
				       (unsigned long long)u);
		if (!s->c.ip.version)
			return fail_at(p, v, "only an IP packet can be fragmented");
		s->fragments = (unsigned int)u;
	}
	if ((v = ymap_get(y, m, "sweep"))) {
		yaml_node_pair_t *pr;

		if (yexpect_map(y, v, "fields to sweep (sport: 10000-19999)", p->d))
			return -1;
		for (pr = ymap_begin(v); pr < ymap_end(v); pr++) {
			if (s->n_sweeps == SEND_MAX_SWEEPS)
				return fail_at(p, v, "at most %d fields can be swept",
					       SEND_MAX_SWEEPS);
			if (parse_sweep(p, pr, &s->sweeps[s->n_sweeps]))
				return -1;
			if ((s->sweeps[s->n_sweeps].field == SWEEP_SPORT ||
			     s->sweeps[s->n_sweeps].field == SWEEP_DPORT) &&
			    s->c.l4.kind != CRAFT_L4_UDP && s->c.l4.kind != CRAFT_L4_TCP)
				return fail_at(p, ynode(y, pr->key), "ports need udp or tcp");
			if (s->sweeps[s->n_sweeps].field != SWEEP_SPORT &&
			    s->sweeps[s->n_sweeps].field != SWEEP_DPORT && s->c.ip.version != 4)
				return fail_at(p, ynode(y, pr->key),
					       "this sweep needs an IPv4 packet");
			s->n_sweeps++;
		}
		if (s->fragments)
			return fail_at(p, v, "a swept packet cannot also be fragmented");
	}
	return 0;
}

/* ---- sending ---- */

/* Between the batches of a burst: read what the observers have, so none overflows. */
static int drain_cb(void *arg)
{
	return run_drain(arg);
}

/* The IP packet of the last capture matching the step's quote filter; NULL with d set. */
static const uint8_t *captured_quote(struct run *r, const struct lab_step *st, size_t *len)
{
	const struct step_send *s = &st->send;
	struct step_expect filter = {.source = SRC_CAPTURE,
				     .dir = s->quote_dir,
				     .preds = s->quote_preds,
				     .n_preds = s->n_quote_preds};
	struct expect_state es;
	size_t i = r->log.n;
	char where[80];

	expect_begin(&es, &filter, run_point_of(r, &s->quote_at), 0, r->start_real);
	while (i-- > 0) {
		const struct event *ev = &r->log.ev[i];
		size_t off = 14;

		if (!expect_matches(&es, ev) || !(ev->pkt.outer.present & (PKT_IP4 | PKT_IP6)))
			continue;
		if (ev->caplen >= 14 && ev->data[12] == 0x81 && ev->data[13] == 0x00)
			off += 4; /* an 802.1Q tag */
		if (ev->caplen <= off)
			continue;
		*len = ev->caplen - off;
		if (*len > (ev->pkt.outer.present & PKT_IP4 ? QUOTE_MAX_V4 : QUOTE_MAX_V6))
			*len = ev->pkt.outer.present & PKT_IP4 ? QUOTE_MAX_V4 : QUOTE_MAX_V6;
		return ev->data + off;
	}
	diag_set(&r->d, "no packet captured at %s so far matches the quote filter",
		 lab_end_fmt(r->lab, &s->quote_at, where, sizeof(where)));
	return NULL;
}

/*
 * Where the crafted segment's connection stands, from the latest packet of it
 * captured leaving the sending interface: its next sequence number and its
 * acknowledgement number. Returns 0 or -1.
 */
static int connection_seq(struct run *r, const struct step_send *s, uint32_t *next, uint32_t *ack)
{
	size_t point = run_point_of(r, &(struct lab_end){s->node, s->iface}), i = r->log.n;
	char where[80];

	while (i-- > 0) {
		const struct event *ev = &r->log.ev[i];
		const struct pkt_hdrs *h = &ev->pkt.outer;

		if (ev->kind != EV_PACKET || ev->point != point || ev->dir != DIR_OUT ||
		    !(h->present & PKT_TCP) || h->sport != s->c.l4.sport ||
		    h->dport != s->c.l4.dport || !ipaddr_equal(&h->src, &s->c.ip.src) ||
		    !ipaddr_equal(&h->dst, &s->c.ip.dst))
			continue;
		/* SYN and FIN take one sequence number each, like a byte. */
		*next = h->tcp_seq + h->payload_len + ((h->tcp_flags & 0x03) ? 1 : 0);
		*ack = h->tcp_ack;
		return 0;
	}
	return diag_set(
		&r->d, "seq or ack +N: no packet of this connection has left %s so far",
		lab_end_fmt(r->lab, &(struct lab_end){s->node, s->iface}, where, sizeof(where)));
}

static const char *send_what(const struct step_send *s, char *buf, size_t len)
{
	static const char *const l4[] = {"ip", "udp", "tcp", "icmp", "icmp6"};
	char a[IPADDR_STRLEN], b[IPADDR_STRLEN];

	if (s->c.arp.present)
		snprintf(buf, len, "arp");
	else if (s->c.ip.version)
		snprintf(buf, len, "%s %s > %s",
			 s->c.ip.version == 6 && !s->c.l4.kind ? "ip6" : l4[s->c.l4.kind],
			 ipaddr_fmt(&s->c.ip.src, a), ipaddr_fmt(&s->c.ip.dst, b));
	else
		snprintf(buf, len, "raw frame");
	return buf;
}

static int run(struct run *r, const struct lab_step *st, char *text, size_t len, char **detail)
{
	const struct step_send *s = &st->send;
	const struct lab_node *n = &r->lab->nodes[s->node];
	struct craft c = s->c;
	struct craft_layout lay;
	struct link_tx before, after;
	struct injector *inj;
	uint8_t *frame = xmalloc(CRAFT_MAX), *frags[64];
	size_t flen[64];
	char what[200];
	int ifindex = 0, size, rc = -1;
	unsigned int i;

	(void)detail;
	if (s->l2) {
		struct lab_end e = {s->node, s->iface};

		ifindex = link_index(r->b.nodes[s->node].rtnl, n->ifaces[s->iface].name, &r->d);
		if (ifindex < 0 ||
		    (!s->eth_src_set && link_mac(r->b.nodes[s->node].rtnl, n->ifaces[s->iface].name,
						 c.eth.src, &r->d)) ||
		    (!s->eth_dst_set && run_peer_mac(r, &e, c.eth.dst)))
			goto out;
	}
	if (run_drain(r))
		goto out;
	if (s->quote == QUOTE_CAPTURED && !(c.quote = captured_quote(r, st, &c.quote_len)))
		goto out;
	if (s->seq_relative || s->ack_relative) {
		uint32_t next = 0, ack = 0;

		if (connection_seq(r, s, &next, &ack))
			goto out;
		if (s->seq_relative)
			c.l4.seq = next + s->c.l4.seq;
		if (s->ack_relative)
			c.l4.ack = ack + s->c.l4.ack;
	}
	size = craft_build(&c, frame, CRAFT_MAX, &lay);
	if (size < 0) {
		diag_set(&r->d, "the packet is larger than %d bytes", CRAFT_MAX);
		goto out;
	}
	inj = run_sender(r, s->node, ifindex, c.ip.version == 6 ? AF_INET6 : AF_INET);
	if (!inj || run_window_open(r))
		goto out;
	/* A frame accepted is not a frame sent: the interface's state and drops tell. */
	if (s->l2 &&
	    link_tx_state(r->b.nodes[s->node].rtnl, n->ifaces[s->iface].name, &before, &r->d))
		goto out;
	if (s->fragments) {
		for (i = 0; i < s->fragments; i++)
			frags[i] = xmalloc(CRAFT_MAX);
		if (craft_fragment(
			    frame, lay.l3, frame + lay.l3, lay.len - lay.l3, (int)s->fragments,
			    c.ip.frag_id ? c.ip.frag_id : (uint32_t)getpid(), frags, flen) < 0)
			diag_set(&r->d, "a %zu-byte IP packet cannot be cut into %u fragments",
				 lay.len - lay.l3, s->fragments);
		else
			for (i = 0; i < s->count && !r->d.set; i++)
				inj_send(inj, frags, flen, s->fragments, &c.ip.dst, &r->d);
		for (i = 0; i < s->fragments; i++)
			free(frags[i]);
		if (r->d.set)
			goto out;
	} else if (inj_burst(inj, frame, &lay, s->sweeps, s->n_sweeps, s->count, s->rate, &c.ip.dst,
			     s->count > 1 ? drain_cb : NULL, r, &r->d)) {
		goto out;
	}
	snprintf(text, len, "send %s%s%s: %s%s, %u packet%s%s", n->name, s->l2 ? ":" : "",
		 s->l2 ? n->ifaces[s->iface].name : "", send_what(s, what, sizeof(what)),
		 s->fragments ? " in fragments" : "", s->count, s->count == 1 ? "" : "s",
		 s->n_sweeps ? " (swept)" : "");
	rc = NFLAB_PASS;
	if (s->l2) {
		if (link_tx_state(r->b.nodes[s->node].rtnl, n->ifaces[s->iface].name, &after,
				  &r->d))
			rc = -1;
		else
			rc = run_tx_judge(r, st, &(struct lab_end){s->node, s->iface},
					  (uint64_t)s->count * (s->fragments ? s->fragments : 1),
					  &before, &after, text, len);
	}
out:
	free(frame);
	return rc;
}

static void release(struct lab_step *st)
{
	free(st->send.payload);
	free(st->send.quote_bytes);
	pred_list_free(st->send.quote_preds, st->send.n_quote_preds);
}

static long sender(const struct lab *lab, const struct lab_step *st, long *iface)
{
	(void)lab;
	if (st->send.l2)
		*iface = (long)st->send.iface;
	return (long)st->send.node;
}

/* A few packets sent at once: the kernel handles them within the sending call. */
static bool kernel_only(const struct lab_step *st)
{
	return st->send.count <= 10 && !st->send.rate;
}

static unsigned int frames(const struct lab_step *st)
{
	unsigned int each = step_fragments(st->send.payload_len);

	return st->send.count * (st->send.fragments > each ? st->send.fragments : each);
}

const struct step_ops step_send = {
	.key = "send",
	.kind = STEP_SEND,
	.parse = parse,
	.run = run,
	.release = release,
	.sender = sender,
	.kernel_only = kernel_only,
	.frames = frames,
};
