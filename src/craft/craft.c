// SPDX-License-Identifier: GPL-2.0-or-later
/* Packets built field by field, with lengths and checksums computed unless set. */
#include "craft/craft.h"

#include <string.h>
#include <sys/socket.h>

#define ETH_LEN	 14
#define ARP_LEN	 28
#define IP4_LEN	 20
#define IP6_LEN	 40
#define FRAG_LEN 8

static void put16(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, v >> 16);
	put16(p + 2, v);
}

void craft_init(struct craft *c)
{
	memset(c, 0, sizeof(*c));
	c->eth.type = CRAFT_AUTO;
	c->ip.ttl = 64;
	c->ip.proto = CRAFT_AUTO;
	c->ip.len = CRAFT_AUTO;
	c->ip.checksum = CRAFT_AUTO;
	c->l4.len = CRAFT_AUTO;
	c->l4.checksum = CRAFT_AUTO;
	c->l4.mss = CRAFT_AUTO;
	c->l4.window = 65535;
}

static uint32_t sum16(const uint8_t *p, size_t len, uint32_t sum)
{
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	return sum;
}

uint16_t craft_csum(const void *data, size_t len, uint32_t sum)
{
	sum = sum16(data, len, sum);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static int l4_proto(const struct craft *c)
{
	static const int protos[] = {[CRAFT_L4_NONE] = 0,
				     [CRAFT_L4_UDP] = 17,
				     [CRAFT_L4_TCP] = 6,
				     [CRAFT_L4_ICMP] = 1,
				     [CRAFT_L4_ICMP6] = 58};

	if (c->ip.proto != CRAFT_AUTO)
		return c->ip.proto;
	if (c->l4.kind == CRAFT_L4_NONE)
		return c->ip.version == 6 ? 59 : 253; /* "no next header" / experimental */
	return protos[c->l4.kind];
}

/* The pseudo-header sum of the upper layer (len bytes of protocol proto). */
static uint32_t pseudo_sum(const struct craft *c, size_t len, int proto)
{
	uint8_t ph[40];

	if (c->ip.version == 4) {
		memcpy(ph, &c->ip.src.v4, 4);
		memcpy(ph + 4, &c->ip.dst.v4, 4);
		ph[8] = 0;
		ph[9] = (uint8_t)proto;
		put16(ph + 10, (uint32_t)len);
		return sum16(ph, 12, 0);
	}
	memcpy(ph, c->ip.src.b, 16);
	memcpy(ph + 16, c->ip.dst.b, 16);
	put32(ph + 32, (uint32_t)len);
	memset(ph + 36, 0, 3);
	ph[39] = (uint8_t)proto;
	return sum16(ph, 40, 0);
}

/* The upper-layer header (and its options), without what follows it. Returns its length. */
static size_t l4_header(const struct craft *c, uint8_t *p)
{
	const struct craft_l4hdr *l = &c->l4;
	size_t n;

	switch (l->kind) {
	case CRAFT_L4_UDP:
		put16(p, l->sport);
		put16(p + 2, l->dport);
		memset(p + 4, 0, 4);
		return 8;
	case CRAFT_L4_TCP:
		put16(p, l->sport);
		put16(p + 2, l->dport);
		put32(p + 4, l->seq);
		put32(p + 8, l->ack);
		p[13] = l->flags;
		put16(p + 14, l->window);
		put16(p + 16, 0);
		put16(p + 18, l->urgent);
		n = 20;
		if (l->mss != CRAFT_AUTO) {
			p[n] = 2;
			p[n + 1] = 4;
			put16(p + n + 2, (uint32_t)l->mss);
			n += 4;
		}
		if (l->ts) {
			p[n] = 1;
			p[n + 1] = 1;
			p[n + 2] = 8;
			p[n + 3] = 10;
			put32(p + n + 4, l->tsval);
			put32(p + n + 8, l->tsecr);
			n += 12;
		}
		p[12] = (uint8_t)((n / 4) << 4);
		return n;
	case CRAFT_L4_ICMP:
	case CRAFT_L4_ICMP6:
		p[0] = l->type;
		p[1] = l->code;
		put16(p + 2, 0);
		put32(p + 4, 0);
		if ((l->kind == CRAFT_L4_ICMP && (l->type == 0 || l->type == 8)) ||
		    (l->kind == CRAFT_L4_ICMP6 && (l->type == 128 || l->type == 129))) {
			put16(p + 4, l->id);
			put16(p + 6, l->seq16);
		} else if (l->kind == CRAFT_L4_ICMP && l->type == 3 && l->code == 4) {
			put16(p + 6, l->mtu);
		} else if (l->kind == CRAFT_L4_ICMP6 && l->type == 2) {
			put32(p + 4, l->mtu);
		} else if (l->kind == CRAFT_L4_ICMP6 && (l->type == 135 || l->type == 136)) {
			if (l->type == 136)
				put32(p + 4, l->na_flags);
			memcpy(p + 8, l->target.b, 16);
			n = 24;
			if (l->has_lladdr) {
				p[n] = l->type == 135 ? 1
						      : 2; /* source / target link-layer address */
				p[n + 1] = 1;
				memcpy(p + n + 2, l->lladdr, 6);
				n += 8;
			}
			return n;
		}
		return 8;
	case CRAFT_L4_NONE:
	default:
		return 0;
	}
}

/* Upper header + quote + payload at p; sets its checksum. Returns the length or -1. */
static int build_l4(const struct craft *c, uint8_t *p, size_t cap, struct craft_layout *lay,
		    size_t base)
{
	const struct craft_l4hdr *l = &c->l4;
	uint8_t hdr[80];
	size_t hl = l4_header(c, hdr), n = hl + c->quote_len + c->payload_len;
	size_t csum_at = 0;
	int proto = l4_proto(c);

	if (n > cap)
		return -1;
	memcpy(p, hdr, hl);
	if (c->quote_len)
		memcpy(p + hl, c->quote, c->quote_len);
	if (c->payload_len)
		memcpy(p + hl + c->quote_len, c->payload, c->payload_len);
	switch (l->kind) {
	case CRAFT_L4_UDP:
		put16(p + 4, l->len == CRAFT_AUTO ? (uint32_t)n : (uint32_t)l->len);
		csum_at = 6;
		lay->sport = base;
		lay->dport = base + 2;
		lay->udp = true;
		break;
	case CRAFT_L4_TCP:
		csum_at = 16;
		lay->sport = base;
		lay->dport = base + 2;
		break;
	case CRAFT_L4_ICMP:
	case CRAFT_L4_ICMP6:
		csum_at = 2;
		break;
	default:
		return (int)n;
	}
	if (l->checksum != CRAFT_AUTO) {
		put16(p + csum_at, (uint32_t)l->checksum);
		return (int)n;
	}
	{
		/* ICMPv4 has no pseudo-header; the others cover the addresses. */
		uint32_t ph = l->kind == CRAFT_L4_ICMP ? 0 : pseudo_sum(c, n, proto);
		uint16_t sum = craft_csum(p, n, ph);

		if (l->kind == CRAFT_L4_UDP && sum == 0)
			sum = 0xffff; /* zero means "no checksum" */
		put16(p + csum_at, sum);
		lay->l4_csum = base + csum_at;
	}
	return (int)n;
}

static int build_ip4(const struct craft *c, uint8_t *p, size_t cap, struct craft_layout *lay,
		     size_t base)
{
	const struct craft_ip *ip = &c->ip;
	size_t opt = (ip->options_len + 3) & ~(size_t)3, hl = IP4_LEN + opt;
	int l4;

	if (hl > cap)
		return -1;
	l4 = build_l4(c, p + hl, cap - hl, lay, base + hl);
	if (l4 < 0)
		return -1;
	p[0] = (uint8_t)(0x40 | (hl / 4));
	p[1] = ip->tos;
	put16(p + 2, ip->len == CRAFT_AUTO ? (uint32_t)(hl + (size_t)l4) : (uint32_t)ip->len);
	put16(p + 4, ip->id);
	put16(p + 6,
	      (ip->df ? 0x4000u : 0) | (ip->mf ? 0x2000u : 0) | ((ip->frag_off / 8) & 0x1fffu));
	p[8] = ip->ttl;
	p[9] = (uint8_t)l4_proto(c);
	put16(p + 10, 0);
	memcpy(p + 12, &ip->src.v4, 4);
	memcpy(p + 16, &ip->dst.v4, 4);
	memset(p + IP4_LEN, 0, opt);
	memcpy(p + IP4_LEN, ip->options, ip->options_len);
	if (ip->checksum == CRAFT_AUTO) {
		put16(p + 10, craft_csum(p, hl, 0));
		lay->ip_csum = base + 10;
	} else {
		put16(p + 10, (uint32_t)ip->checksum);
	}
	lay->l3 = base;
	lay->l4 = base + hl;
	lay->ip_id = base + 4;
	lay->ip_src = base + 12;
	lay->ip_dst = base + 16;
	return (int)hl + l4;
}

static int build_ip6(const struct craft *c, uint8_t *p, size_t cap, struct craft_layout *lay,
		     size_t base)
{
	const struct craft_ip *ip = &c->ip;
	size_t hl = IP6_LEN + (ip->frag_hdr ? FRAG_LEN : 0);
	int l4, proto = l4_proto(c);

	if (hl > cap)
		return -1;
	l4 = build_l4(c, p + hl, cap - hl, lay, base + hl);
	if (l4 < 0)
		return -1;
	put32(p, 6u << 28 | (uint32_t)ip->tos << 20 | (ip->flowlabel & 0xfffff));
	put16(p + 4,
	      ip->len == CRAFT_AUTO ? (uint32_t)(hl - IP6_LEN + (size_t)l4) : (uint32_t)ip->len);
	p[6] = ip->frag_hdr ? 44 : (uint8_t)proto;
	p[7] = ip->ttl;
	memcpy(p + 8, ip->src.b, 16);
	memcpy(p + 24, ip->dst.b, 16);
	if (ip->frag_hdr) {
		p[40] = (uint8_t)proto;
		p[41] = 0;
		put16(p + 42, (ip->frag_off & 0xfff8u) | (ip->mf ? 1u : 0));
		put32(p + 44, ip->frag_id);
	}
	lay->l3 = base;
	lay->l4 = base + hl;
	lay->ip_src = base + 8;
	lay->ip_dst = base + 24;
	return (int)hl + l4;
}

int craft_build(const struct craft *c, uint8_t *buf, size_t cap, struct craft_layout *lay)
{
	struct craft_layout scratch;
	size_t off = 0;
	int n = 0;

	lay = lay ? lay : &scratch;
	memset(lay, 0, sizeof(*lay));
	if (c->eth.present) {
		int type = c->eth.type;

		if (cap < ETH_LEN)
			return -1;
		if (type == CRAFT_AUTO)
			type = c->arp.present ? 0x0806 : c->ip.version == 6 ? 0x86dd : 0x0800;
		memcpy(buf, c->eth.dst, 6);
		memcpy(buf + 6, c->eth.src, 6);
		put16(buf + 12, (uint32_t)type);
		off = ETH_LEN;
	}
	if (c->arp.present) {
		uint8_t *p = buf + off;

		if (cap - off < ARP_LEN)
			return -1;
		put16(p, 1);
		put16(p + 2, 0x0800);
		p[4] = 6;
		p[5] = 4;
		put16(p + 6, c->arp.op);
		memcpy(p + 8, c->arp.sha, 6);
		memcpy(p + 14, &c->arp.spa.v4, 4);
		memcpy(p + 18, c->arp.tha, 6);
		memcpy(p + 24, &c->arp.tpa.v4, 4);
		n = ARP_LEN;
	} else if (c->ip.version == 4) {
		n = build_ip4(c, buf + off, cap - off, lay, off);
	} else if (c->ip.version == 6) {
		n = build_ip6(c, buf + off, cap - off, lay, off);
	} else if (c->payload_len <= cap - off) {
		memcpy(buf + off, c->payload, c->payload_len);
		n = (int)c->payload_len;
	} else {
		n = -1;
	}
	if (n < 0)
		return -1;
	lay->len = off + (size_t)n;
	/* Ethernet pads short frames: the kernel does it for AF_PACKET anyway. */
	return (int)lay->len;
}

/* RFC 1624: HC' = ~(~HC + ~m + m'). */
static void csum_update(uint8_t *at, uint16_t old, uint16_t new, bool udp)
{
	uint32_t sum = (uint16_t) ~(at[0] << 8 | at[1]);

	sum += (uint16_t)~old;
	sum += new;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	sum = (uint16_t)~sum;
	if (udp && sum == 0)
		sum = 0xffff;
	put16(at, sum);
}

void craft_patch16(uint8_t *frame, const struct craft_layout *lay, size_t off, uint16_t v,
		   bool ip_hdr, bool l4)
{
	uint16_t old = (uint16_t)(frame[off] << 8 | frame[off + 1]);

	put16(frame + off, v);
	if (ip_hdr && lay->ip_csum)
		csum_update(frame + lay->ip_csum, old, v, false);
	if (l4 && lay->l4_csum)
		csum_update(frame + lay->l4_csum, old, v, lay->udp);
}

int craft_fragment(const uint8_t *hdr, size_t hdr_len, const uint8_t *ip, size_t len, int n,
		   uint32_t id, uint8_t **out, size_t *out_len)
{
	bool v6 = len >= 1 && (ip[0] >> 4) == 6;
	size_t hl = v6 ? IP6_LEN : (size_t)(ip[0] & 0x0f) * 4, payload, chunk, done = 0;
	int i;

	if (n < 1 || len < hl || (!v6 && hl < IP4_LEN))
		return -1;
	payload = len - hl;
	chunk = ((payload + (size_t)n - 1) / (size_t)n + 7) & ~(size_t)7;
	if (chunk == 0 || (size_t)(n - 1) * chunk >= payload)
		return -1; /* too little to cut into n pieces of 8-byte multiples */
	for (i = 0; i < n; i++) {
		size_t this = payload - done < chunk ? payload - done : chunk;
		bool more = done + this < payload;
		uint8_t *f = out[i], *q = f + hdr_len;
		size_t flen;

		if (hdr_len)
			memcpy(f, hdr, hdr_len);
		memcpy(q, ip, hl);
		if (v6) {
			q[6] = 44;
			q[40] = ip[6];
			q[41] = 0;
			put16(q + 42, (uint32_t)(done & 0xfff8) | (more ? 1u : 0));
			put32(q + 44, id);
			memcpy(q + 48, ip + hl + done, this);
			put16(q + 4, (uint32_t)(FRAG_LEN + this));
			flen = hdr_len + 48 + this;
		} else {
			memcpy(q + hl, ip + hl + done, this);
			put16(q + 2, (uint32_t)(hl + this));
			put16(q + 6, (more ? 0x2000u : 0) | (uint32_t)(done / 8));
			put16(q + 10, 0);
			put16(q + 10, craft_csum(q, hl, 0));
			flen = hdr_len + hl + this;
		}
		out_len[i] = flen;
		done += this;
	}
	return n;
}
