// SPDX-License-Identifier: GPL-2.0-or-later
/* Decoded packets: Ethernet, IPv4/IPv6, TCP/UDP/ICMP/ICMPv6, and the header an ICMP error quotes.
 */
#include "observe/packet.h"

#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static bool is_icmp4_error(uint8_t type)
{
	return type == 3 || type == 4 || type == 5 || type == 11 || type == 12;
}

static bool is_icmp6_error(uint8_t type)
{
	return type >= 1 && type <= 4;
}

/* What the outer packet's upper layer leads to: the packet it quotes, its payload. */
struct l4_rest {
	const uint8_t *quoted; /* an ICMP error's or ND redirect's quoted packet, or NULL */
	size_t qlen;
	const uint8_t *payload; /* the bytes after the TCP, UDP or ICMP header, or NULL */
	size_t plen;
};

static int decode_ip(const uint8_t *p, size_t len, struct pkt_hdrs *h, struct l4_rest *rest);

static void set_addr(struct ipaddr *a, int family, const uint8_t *b)
{
	memset(a, 0, sizeof(*a));
	a->family = (uint8_t)family;
	memcpy(a->b, b, family == AF_INET ? 4 : 16);
}

/* The TCP options of the header at p (hl bytes, all captured): MSS, window scale, SACK, timestamps.
 */
static void decode_tcp_opts(const uint8_t *p, size_t hl, struct pkt_hdrs *h)
{
	size_t off = 20;

	h->present |= PKT_TCP_OPTS;
	while (off < hl) {
		uint8_t kind = p[off], olen;

		if (kind == 0) /* end of options */
			break;
		if (kind == 1) { /* no-op */
			off++;
			continue;
		}
		if (off + 2 > hl || (olen = p[off + 1]) < 2 || off + olen > hl)
			break;
		if (kind == 2 && olen == 4) {
			h->tcp_mss = get16(p + off + 2);
			h->tcp_opts |= TCPOPT_HAS_MSS;
		} else if (kind == 3 && olen == 3) {
			h->tcp_wscale = p[off + 2];
			h->tcp_opts |= TCPOPT_HAS_WSCALE;
		} else if (kind == 4 && olen == 2) {
			h->tcp_opts |= TCPOPT_HAS_SACKOK;
		} else if (kind == 8 && olen == 10) {
			h->tcp_tsval = get32(p + off + 2);
			h->tcp_tsecr = get32(p + off + 6);
			h->tcp_opts |= TCPOPT_HAS_TS;
		}
		off += olen;
	}
}

/*
 * The addresses of ICMPv6 neighbour discovery at p (len bytes): the target of a
 * solicitation, advertisement or redirect, a redirect's destination, and the
 * packet its Redirected Header option (type 4) quotes.
 */
static void decode_nd(const uint8_t *p, size_t len, struct pkt_hdrs *h, struct l4_rest *rest)
{
	size_t off = 40;

	if ((p[0] < 135 || p[0] > 137) || len < 24)
		return;
	set_addr(&h->nd_target, AF_INET6, p + 8);
	h->present |= PKT_ND_TARGET;
	if (p[0] != 137 || len < 40)
		return;
	set_addr(&h->nd_dst, AF_INET6, p + 24);
	h->present |= PKT_ND_DST;
	while (rest && off + 8 <= len && p[off + 1]) {
		size_t olen = (size_t)p[off + 1] * 8;

		if (p[off] == 4) { /* Redirected Header: 6 reserved bytes, then the packet */
			rest->quoted = p + off + 8;
			rest->qlen = (off + olen <= len ? off + olen : len) - off - 8;
			return;
		}
		off += olen;
	}
}

/*
 * Upper layer at p (len bytes captured). Quoted packets may carry only 8 bytes
 * of it. rest is NULL for a quoted packet: what it quotes is not followed.
 */
static void decode_l4(const uint8_t *p, size_t len, struct pkt_hdrs *h, struct l4_rest *rest)
{
	size_t hl = 0;

	switch (h->proto) {
	case 6: /* TCP */
		if (len < 4)
			return;
		h->sport = get16(p);
		h->dport = get16(p + 2);
		h->present |= PKT_PORTS;
		if (len < 14)
			return;
		h->tcp_seq = get32(p + 4);
		h->tcp_ack = get32(p + 8);
		h->tcp_flags = p[13];
		h->present |= PKT_TCP;
		if (len >= 16)
			h->tcp_win = get16(p + 14);
		hl = (size_t)(p[12] >> 4) * 4;
		if (hl >= 20 && len >= hl)
			decode_tcp_opts(p, hl, h);
		break;
	case 17:  /* UDP */
	case 136: /* UDP-Lite */
		if (len < 4)
			return;
		h->sport = get16(p);
		h->dport = get16(p + 2);
		h->present |= PKT_PORTS | PKT_UDP;
		if (len >= 6)
			h->udp_len = get16(p + 4);
		hl = 8;
		break;
	case 1:	 /* ICMP */
	case 58: /* ICMPv6 */
		if (len < 2)
			return;
		h->icmp_type = p[0];
		h->icmp_code = p[1];
		h->present |= h->proto == 1 ? PKT_ICMP4 : PKT_ICMP6;
		hl = 8;
		if (len < 8)
			return;
		if ((h->proto == 1 && (p[0] == 0 || p[0] == 8)) ||
		    (h->proto == 58 && (p[0] == 128 || p[0] == 129))) {
			h->echo_id = get16(p + 4);
			h->echo_seq = get16(p + 6);
			h->present |= PKT_ICMPID;
		}
		if (h->proto == 1 && p[0] == 3 && p[1] == 4)
			h->icmp_mtu = get16(p + 6);
		if (h->proto == 58 && p[0] == 2)
			h->icmp_mtu = get32(p + 4);
		if (h->proto == 1 && p[0] == 5) {
			set_addr(&h->gateway, AF_INET, p + 4);
			h->present |= PKT_GATEWAY;
		}
		if (h->proto == 58)
			decode_nd(p, len, h, rest);
		if (rest && ((h->proto == 1 && is_icmp4_error(p[0])) ||
			     (h->proto == 58 && is_icmp6_error(p[0])))) {
			rest->quoted = p + 8;
			rest->qlen = len - 8;
		}
		break;
	default:
		return;
	}
	if (hl && len > hl)
		h->payload_len = (uint16_t)(len - hl);
	if (rest && hl && len >= hl) {
		rest->payload = p + hl;
		rest->plen = len - hl;
	}
}

static int decode_ip4(const uint8_t *p, size_t len, struct pkt_hdrs *h, struct l4_rest *rest)
{
	size_t ihl;
	uint16_t frag;

	if (len < 20 || p[0] >> 4 != 4)
		return -1;
	ihl = (size_t)(p[0] & 0x0f) * 4;
	if (ihl < 20 || ihl > len)
		return -1;
	h->present |= PKT_IP4;
	h->src.family = h->dst.family = AF_INET;
	memcpy(h->src.b, p + 12, 4);
	memcpy(h->dst.b, p + 16, 4);
	h->tos = p[1];
	h->ip_len = get16(p + 2);
	h->id = get16(p + 4);
	frag = get16(p + 6);
	h->dont_frag = !!(frag & 0x4000);
	h->more_frags = !!(frag & 0x2000);
	h->frag_off = (uint16_t)((frag & 0x1fff) * 8);
	h->ttl = p[8];
	h->proto = h->nexthdr = p[9];
	if (h->frag_off) {
		h->present |= PKT_FRAG;
		return 0;
	}
	decode_l4(p + ihl, len - ihl, h, rest);
	return 0;
}

static int decode_ip6(const uint8_t *p, size_t len, struct pkt_hdrs *h, struct l4_rest *rest)
{
	size_t off = 40;
	uint8_t next;

	if (len < 40 || p[0] >> 4 != 6)
		return -1;
	h->present |= PKT_IP6;
	h->src.family = h->dst.family = AF_INET6;
	memcpy(h->src.b, p + 8, 16);
	memcpy(h->dst.b, p + 24, 16);
	h->tos = (uint8_t)((get16(p) >> 4) & 0xff);
	h->flowlabel = get32(p) & 0xfffff;
	h->ip_len = (uint16_t)(get16(p + 4) + 40);
	h->nexthdr = next = p[6];
	h->ttl = p[7];
	/* Walk extension headers to the upper layer. */
	for (;;) {
		if (next == 0 || next == 43 || next == 60) { /* hop-by-hop, routing, dest opts */
			if (off + 2 > len)
				break;
			next = p[off];
			off += ((size_t)p[off + 1] + 1) * 8;
			continue;
		}
		if (next == 44) { /* fragment */
			uint16_t fo;

			if (off + 8 > len)
				break;
			fo = get16(p + off + 2);
			h->frag_off = (uint16_t)(fo & 0xfff8);
			h->more_frags = fo & 1;
			h->id = (uint16_t)get32(p + off + 4);
			next = p[off];
			off += 8;
			if (h->frag_off) {
				h->proto = next;
				h->present |= PKT_FRAG;
				return 0;
			}
			continue;
		}
		break;
	}
	h->proto = next;
	if (off <= len)
		decode_l4(p + off, len - off, h, rest);
	return 0;
}

static int decode_ip(const uint8_t *p, size_t len, struct pkt_hdrs *h, struct l4_rest *rest)
{
	memset(h, 0, sizeof(*h));
	if (len < 1)
		return -1;
	if (p[0] >> 4 == 4)
		return decode_ip4(p, len, h, rest);
	if (p[0] >> 4 == 6)
		return decode_ip6(p, len, h, rest);
	return -1;
}

int pkt_decode(const uint8_t *frame, size_t caplen, size_t wirelen, int linktype, struct pkt *out)
{
	struct l4_rest rest = {0};
	size_t off = 0;

	memset(out, 0, sizeof(*out));
	out->wirelen = (uint32_t)wirelen;
	if (linktype == PKT_LINK_ETHERNET) {
		if (caplen < 14)
			return -1;
		memcpy(out->eth_dst, frame, 6);
		memcpy(out->eth_src, frame + 6, 6);
		out->eth_type = get16(frame + 12);
		off = 14;
		if (out->eth_type == 0x8100 && caplen >= 18) {
			out->eth_type = get16(frame + 16);
			off = 18;
		}
		out->present |= PKT_ETH;
		/* IPv4-over-Ethernet ARP: htype 1, ptype 0x0800, hlen 6, plen 4. */
		if (out->eth_type == 0x0806 && caplen >= off + 28 && get16(frame + off) == 1 &&
		    get16(frame + off + 2) == 0x0800 && frame[off + 4] == 6 &&
		    frame[off + 5] == 4) {
			out->arp_op = get16(frame + off + 6);
			memcpy(out->arp_sha, frame + off + 8, 6);
			set_addr(&out->arp_spa, AF_INET, frame + off + 14);
			memcpy(out->arp_tha, frame + off + 18, 6);
			set_addr(&out->arp_tpa, AF_INET, frame + off + 24);
			return 0;
		}
		if (out->eth_type != 0x0800 && out->eth_type != 0x86dd)
			return 0;
	} else if (linktype != PKT_LINK_RAW) {
		return -1;
	}
	if (decode_ip(frame + off, caplen - off, &out->outer, &rest))
		return 0;
	if (rest.payload) {
		out->has_payload = true;
		out->payload_caplen =
			(uint16_t)(rest.plen < PKT_PAYLOAD_MAX ? rest.plen : PKT_PAYLOAD_MAX);
		memcpy(out->payload, rest.payload, out->payload_caplen);
	}
	/* The quoted packet's own errors are not followed: one level only. */
	if (rest.quoted && decode_ip(rest.quoted, rest.qlen, &out->inner, NULL) == 0)
		out->has_inner = 1;
	return 0;
}

static const char *proto_name(uint8_t p)
{
	switch (p) {
	case 1:
		return "icmp";
	case 6:
		return "tcp";
	case 17:
		return "udp";
	case 58:
		return "icmp6";
	default:
		return NULL;
	}
}

static const char *icmp4_text(uint8_t type, uint8_t code)
{
	static const char *const unreach[] = {
		"net unreachable",	"host unreachable", "protocol unreachable",
		"port unreachable",	"need to frag",	    "source route failed",
		"net unknown",		"host unknown",	    "source isolated",
		"net prohibited",	"host prohibited",  "net tos unreachable",
		"host tos unreachable", "admin prohibited", "host precedence violation",
		"precedence cutoff"};

	switch (type) {
	case 0:
		return "echo reply";
	case 3:
		return code < 16 ? unreach[code] : "unreachable";
	case 4:
		return "source quench";
	case 5:
		return "redirect";
	case 8:
		return "echo request";
	case 11:
		return code ? "time exceeded in-reassembly" : "time exceeded in-transit";
	case 12:
		return "parameter problem";
	default:
		return NULL;
	}
}

static const char *icmp6_text(uint8_t type, uint8_t code)
{
	static const char *const unreach[] = {
		"no route",	    "admin prohibited", "beyond scope", "address unreachable",
		"port unreachable", "policy fail",	"reject route"};

	switch (type) {
	case 1:
		return code < 7 ? unreach[code] : "unreachable";
	case 2:
		return "packet too big";
	case 3:
		return "time exceeded";
	case 4:
		return "parameter problem";
	case 128:
		return "echo request";
	case 129:
		return "echo reply";
	case 133:
		return "router solicitation";
	case 134:
		return "router advertisement";
	case 135:
		return "neighbor solicitation";
	case 136:
		return "neighbor advertisement";
	case 137:
		return "redirect";
	case 143:
		return "multicast listener report v2";
	default:
		return NULL;
	}
}

/* "a.1 > b.2: UDP, length 5" for one header set, without the quoted part. */
static size_t hdrs_summary(const struct pkt_hdrs *h, char *buf, size_t len)
{
	char s[IPADDR_STRLEN], d[IPADDR_STRLEN];
	const char *pn = proto_name(h->proto);
	bool v6 = h->present & PKT_IP6;
	size_t n;

	ipaddr_fmt(&h->src, s);
	ipaddr_fmt(&h->dst, d);
	if (h->present & PKT_FRAG)
		return (size_t)snprintf(buf, len, "%s > %s: %s fragment offset %u%s", s, d,
					pn ? pn : "ip", h->frag_off, h->more_frags ? "+" : "");
	if (h->present & PKT_PORTS) {
		n = (size_t)snprintf(buf, len, "%s.%u > %s.%u: ", s, h->sport, d, h->dport);
		if (n >= len)
			return n;
		if (h->present & PKT_TCP) {
			char f[16];

			pkt_tcp_flags(h->tcp_flags, f, sizeof(f));
			return n + (size_t)snprintf(buf + n, len - n,
						    "Flags [%s], seq %u, ack %u, win %u, length %u",
						    f, h->tcp_seq, h->tcp_ack, h->tcp_win,
						    h->payload_len);
		}
		if (h->present & PKT_UDP)
			return n + (size_t)snprintf(buf + n, len - n, "UDP, length %u",
						    h->udp_len >= 8 ? h->udp_len - 8 : 0);
		return n + (size_t)snprintf(buf + n, len - n, "%s", pn ? pn : "?");
	}
	if (h->present & (PKT_ICMP4 | PKT_ICMP6)) {
		const char *t = v6 ? icmp6_text(h->icmp_type, h->icmp_code)
				   : icmp4_text(h->icmp_type, h->icmp_code);

		n = (size_t)snprintf(buf, len, "%s > %s: %s ", s, d, v6 ? "ICMP6" : "ICMP");
		if (n >= len)
			return n;
		if (t)
			n += (size_t)snprintf(buf + n, len - n, "%s", t);
		else
			n += (size_t)snprintf(buf + n, len - n, "type %u code %u", h->icmp_type,
					      h->icmp_code);
		if (n < len && (h->present & PKT_ICMPID))
			n += (size_t)snprintf(buf + n, len - n, ", id %u, seq %u", h->echo_id,
					      h->echo_seq);
		if (n < len && h->icmp_mtu)
			n += (size_t)snprintf(buf + n, len - n, ", mtu %u", h->icmp_mtu);
		if (n < len && (h->present & PKT_GATEWAY))
			n += (size_t)snprintf(buf + n, len - n, ", gateway %s",
					      ipaddr_fmt(&h->gateway, s));
		if (n < len && (h->present & PKT_ND_TARGET))
			n += (size_t)snprintf(buf + n, len - n, ", target %s",
					      ipaddr_fmt(&h->nd_target, s));
		if (n < len && (h->present & PKT_ND_DST))
			n += (size_t)snprintf(buf + n, len - n, ", destination %s",
					      ipaddr_fmt(&h->nd_dst, s));
		return n;
	}
	return (size_t)snprintf(buf, len, "%s > %s: %s %u", s, d, v6 ? "ip6 nexthdr" : "ip proto",
				h->proto);
}

const char *pkt_summary(const struct pkt *p, char *buf, size_t len)
{
	size_t n;

	if (!len)
		return buf;
	if ((p->present & PKT_ETH) && p->eth_type == 0x0806 && p->arp_op) {
		char s[IPADDR_STRLEN], t[IPADDR_STRLEN];

		if (p->arp_op == 1)
			snprintf(buf, len, "ARP, Request who-has %s tell %s",
				 ipaddr_fmt(&p->arp_tpa, t), ipaddr_fmt(&p->arp_spa, s));
		else
			snprintf(buf, len, "ARP, Reply %s is-at %02x:%02x:%02x:%02x:%02x:%02x",
				 ipaddr_fmt(&p->arp_spa, s), p->eth_src[0], p->eth_src[1],
				 p->eth_src[2], p->eth_src[3], p->eth_src[4], p->eth_src[5]);
		return buf;
	}
	if (!(p->outer.present & (PKT_IP4 | PKT_IP6))) {
		if (p->present & PKT_ETH)
			snprintf(buf, len,
				 "%02x:%02x:%02x:%02x:%02x:%02x > %02x:%02x:%02x:%02x:%02x:%02x, "
				 "ethertype 0x%04x, length %u",
				 p->eth_src[0], p->eth_src[1], p->eth_src[2], p->eth_src[3],
				 p->eth_src[4], p->eth_src[5], p->eth_dst[0], p->eth_dst[1],
				 p->eth_dst[2], p->eth_dst[3], p->eth_dst[4], p->eth_dst[5],
				 p->eth_type, p->wirelen);
		else
			snprintf(buf, len, "undecoded frame, length %u", p->wirelen);
		return buf;
	}
	n = hdrs_summary(&p->outer, buf, len);
	if (p->has_inner && n + 4 < len) {
		n += (size_t)snprintf(buf + n, len - n, " [quoting ");
		if (n < len)
			n += hdrs_summary(&p->inner, buf + n, len - n);
		if (n + 1 < len)
			snprintf(buf + n, len - n, "]");
	}
	return buf;
}

const char *pkt_tcp_flags(uint8_t flags, char *buf, size_t len)
{
	static const char letters[] = "FSRP.UEW"; /* FIN SYN RST PSH ACK URG ECE CWR */
	size_t i, k = 0;

	if (!flags) {
		snprintf(buf, len, "none");
		return buf;
	}
	for (i = 0; i < 8 && k + 1 < len; i++)
		if (flags & (1u << i))
			buf[k++] = letters[i];
	if (len)
		buf[k] = '\0';
	return buf;
}

bool pkt_is_chatter(const struct pkt *p)
{
	const struct pkt_hdrs *h = &p->outer;

	if ((p->present & PKT_ETH) && p->eth_type == 0x0806)
		return true;
	if (h->present & PKT_IP4)
		return h->dst.b[0] == 224 && h->dst.b[1] == 0 && h->dst.b[2] == 0;
	if (!(h->present & PKT_IP6))
		return false;
	/* MLD queries, reports and done (130-132, 143), RS, RA, NS, NA, redirect (133-137). */
	if ((h->present & PKT_ICMP6) &&
	    ((h->icmp_type >= 130 && h->icmp_type <= 137) || h->icmp_type == 143))
		return true;
	return h->dst.b[0] == 0xff && (h->dst.b[1] & 0x0f) == 0x02;
}

/* How the addresses, protocol and ports of a relate to those of b. */
static enum pkt_kinship hdrs_kinship(const struct pkt_hdrs *a, const struct pkt_hdrs *b)
{
	bool same, swapped;

	if (!(a->present & (PKT_IP4 | PKT_IP6)) || !(b->present & (PKT_IP4 | PKT_IP6)))
		return PKT_STRANGER;
	same = ipaddr_equal(&a->src, &b->src) && ipaddr_equal(&a->dst, &b->dst);
	swapped = ipaddr_equal(&a->src, &b->dst) && ipaddr_equal(&a->dst, &b->src);
	if (!same && !swapped)
		return PKT_STRANGER;
	if (a->proto != b->proto)
		return PKT_SAME_HOSTS;
	if ((a->present & PKT_PORTS) != (b->present & PKT_PORTS))
		return PKT_SAME_HOSTS;
	if ((a->present & b->present & PKT_ICMPID) && a->echo_id != b->echo_id)
		return PKT_SAME_HOSTS; /* another ping */
	if (!(a->present & PKT_PORTS))
		return PKT_SAME_FLOW; /* ICMP, or a protocol without ports */
	if (same && a->sport == b->sport && a->dport == b->dport)
		return PKT_SAME_FLOW;
	if (swapped && a->sport == b->dport && a->dport == b->sport)
		return PKT_SAME_FLOW;
	return PKT_SAME_HOSTS;
}

enum pkt_kinship pkt_kinship(const struct pkt *p, const struct pkt *ref)
{
	enum pkt_kinship k = hdrs_kinship(&p->outer, &ref->outer);

	if (p->has_inner) {
		enum pkt_kinship q = hdrs_kinship(&p->inner, &ref->outer);

		if (q < k)
			k = q;
	}
	return k;
}
