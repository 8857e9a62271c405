// SPDX-License-Identifier: GPL-2.0-or-later
/* Capture files replayed into a lab: read with libpcap, made Ethernet, mapped, checksums fixed. */
#include "probe/capfile.h"

#include <pcap/pcap.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "craft/craft.h"
#include "util/xalloc.h"

#define ETH_HLEN  14
#define SLL_HLEN  16
#define SLL2_HLEN 20

struct capfile {
	pcap_t *h;
	char *name;
};

/* Link types whose frames become Ethernet frames (the rest are refused by name). */
static bool replayable(int dlt)
{
	switch (dlt) {
	case DLT_EN10MB:
	case DLT_LINUX_SLL:
	case DLT_LINUX_SLL2:
	case DLT_RAW:
	case DLT_IPV4:
	case DLT_IPV6:
	case DLT_NULL:
	case DLT_LOOP:
		return true;
	default:
		return false;
	}
}

struct capfile *capfile_open(FILE *f, const char *name, struct diag *d)
{
	char err[PCAP_ERRBUF_SIZE] = "";
	struct capfile *cf;
	pcap_t *h;
	int dlt;

	/* libpcap closes f with the handle, and not when it fails. */
	h = pcap_fopen_offline_with_tstamp_precision(f, PCAP_TSTAMP_PRECISION_NANO, err);
	if (!h) {
		fclose(f);
		diag_set(d, "%s: not a capture file libpcap reads: %s", name, err);
		return NULL;
	}
	dlt = pcap_datalink(h);
	if (!replayable(dlt)) {
		const char *dname = pcap_datalink_val_to_name(dlt);
		const char *desc = pcap_datalink_val_to_description(dlt);

		diag_set(d,
			 "%s: its link type %s (%s, %d) cannot be replayed: nflab replays "
			 "Ethernet (EN10MB), Linux cooked (LINUX_SLL, LINUX_SLL2), raw IP (RAW, "
			 "IPV4, IPV6) and BSD loopback (NULL, LOOP) captures",
			 name, dname ? dname : "unknown", desc ? desc : "no description", dlt);
		pcap_close(h);
		return NULL;
	}
	cf = xzalloc(sizeof(*cf));
	cf->h = h;
	cf->name = xstrdup(name);
	return cf;
}

int capfile_linktype(const struct capfile *cf)
{
	return pcap_datalink(cf->h);
}

void capfile_close(struct capfile *cf)
{
	if (!cf)
		return;
	pcap_close(cf->h);
	free(cf->name);
	free(cf);
}

void capframes_release(struct capframes *fs)
{
	size_t i;

	for (i = 0; i < fs->n; i++)
		free(fs->v[i].data);
	free(fs->v);
	memset(fs, 0, sizeof(*fs));
}

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/*
 * The destination MAC an IP packet of a cooked or raw capture had: broadcast,
 * the multicast group's (RFC 1112, RFC 2464), or zero for unicast (the run
 * puts the peer's there).
 */
static void ip_dst_mac(const uint8_t *ip, size_t len, bool bcast, uint8_t mac[6])
{
	memset(mac, 0, 6);
	if (bcast) {
		memset(mac, 0xff, 6);
	} else if (len >= 20 && ip[0] >> 4 == 4) {
		if ((ip[16] & 0xf0) == 0xe0) {
			mac[0] = 0x01;
			mac[2] = 0x5e;
			mac[3] = ip[17] & 0x7f;
			mac[4] = ip[18];
			mac[5] = ip[19];
		} else if (ip[16] == 0xff && ip[17] == 0xff && ip[18] == 0xff && ip[19] == 0xff) {
			memset(mac, 0xff, 6);
		}
	} else if (len >= 40 && ip[0] >> 4 == 6 && ip[24] == 0xff) {
		mac[0] = mac[1] = 0x33;
		memcpy(mac + 2, ip + 36, 4);
	}
}

/* The EtherType of a raw IP packet, from its version nibble; 0 when it is neither. */
static uint16_t ip_ethertype(const uint8_t *p, size_t len)
{
	if (len >= 1 && p[0] >> 4 == 4)
		return 0x0800;
	if (len >= 1 && p[0] >> 4 == 6)
		return 0x86dd;
	return 0;
}

/*
 * The frame of a dlt capture as an Ethernet frame, into a new buffer. Returns
 * it with *out_len, or NULL with why (a frame too short for its link header,
 * a protocol that is not an EtherType).
 */
static uint8_t *to_ethernet(int dlt, const uint8_t *p, size_t len, size_t *out_len, char *why,
			    size_t whylen)
{
	uint8_t dst[6], src[6] = {0}, *out;
	const uint8_t *l3;
	size_t hlen = 0;
	uint16_t type = 0;
	bool bcast = false;

	switch (dlt) {
	case DLT_EN10MB:
		if (len < ETH_HLEN) {
			snprintf(why, whylen, "%zu bytes, shorter than an Ethernet header", len);
			return NULL;
		}
		out = xmalloc(len);
		memcpy(out, p, len);
		*out_len = len;
		return out;
	case DLT_LINUX_SLL:
		hlen = SLL_HLEN;
		if (len < hlen)
			break;
		type = get16(p + 14);
		bcast = get16(p) == 1; /* PACKET_BROADCAST */
		if (get16(p + 4) == 6)
			memcpy(src, p + 6, 6);
		break;
	case DLT_LINUX_SLL2:
		hlen = SLL2_HLEN;
		if (len < hlen)
			break;
		type = get16(p);
		bcast = p[10] == 1;
		if (p[11] == 6)
			memcpy(src, p + 12, 6);
		break;
	case DLT_NULL:
	case DLT_LOOP:
		hlen = 4; /* the address family, in either byte order: the version tells */
		if (len < hlen)
			break;
		type = ip_ethertype(p + 4, len - 4);
		break;
	default: /* DLT_RAW, DLT_IPV4, DLT_IPV6 */
		type = ip_ethertype(p, len);
		break;
	}
	if (len < hlen) {
		snprintf(why, whylen, "%zu bytes, shorter than its %zu-byte link header", len,
			 hlen);
		return NULL;
	}
	if (type < 0x0600) {
		snprintf(why, whylen,
			 type ? "its protocol 0x%04x is not an EtherType"
			      : "it holds neither IPv4 nor IPv6",
			 type);
		return NULL;
	}
	l3 = p + hlen;
	ip_dst_mac(l3, len - hlen, bcast, dst);
	*out_len = ETH_HLEN + len - hlen;
	out = xmalloc(*out_len);
	memcpy(out, dst, 6);
	memcpy(out + 6, src, 6);
	put16(out + 12, type);
	memcpy(out + ETH_HLEN, l3, len - hlen);
	return out;
}

int capfile_read(struct capfile *cf, const struct pktfilter *filter, size_t max,
		 struct capframes *out, struct diag *d)
{
	int dlt = pcap_datalink(cf->h);
	struct pcap_pkthdr *h;
	const uint8_t *data;
	size_t number = 0;
	char why[128];
	int rc = 0;

	/* Without a count, one frame past the limit tells that there are too many. */
	if (!max || max > CAPFILE_MAX_FRAMES)
		max = CAPFILE_MAX_FRAMES + 1;
	while (out->n < max && (rc = pcap_next_ex(cf->h, &h, &data)) == 1) {
		struct capframe *fr;
		uint8_t *eth;
		size_t len;

		number++;
		if (filter && !pktfilter_match(filter, data, h->caplen, h->len))
			continue;
		if (h->caplen < h->len)
			return diag_set(
				d,
				"%s: frame %zu was captured truncated (%u of its %u bytes): "
				"replay needs whole frames (tcpdump -s 0)",
				cf->name, number, h->caplen, h->len);
		eth = to_ethernet(dlt, data, h->caplen, &len, why, sizeof(why));
		if (!eth)
			return diag_set(d, "%s: frame %zu cannot be replayed: %s", cf->name, number,
					why);
		if (out->n == CAPFILE_MAX_FRAMES || out->bytes + len > CAPFILE_MAX_BYTES) {
			free(eth);
			return diag_set(d,
					"%s: more than %u frames or %u MiB pass the filter: narrow "
					"it, or give count",
					cf->name, CAPFILE_MAX_FRAMES, CAPFILE_MAX_BYTES >> 20);
		}
		XGROW(out->v, out->n, out->cap);
		fr = &out->v[out->n++];
		fr->data = eth;
		fr->len = len;
		fr->ts_ns = (uint64_t)h->ts.tv_sec * 1000000000ull + (uint64_t)h->ts.tv_usec;
		fr->number = number;
		out->bytes += len;
	}
	if (out->n < max && rc == -1)
		return diag_set(d, "%s: frame %zu is cut short or broken: %s", cf->name, number + 1,
				pcap_geterr(cf->h));
	return 0;
}

/* ---- Address mapping and checksums ---- */

/* The address of map that replaces the alen bytes at a, or NULL. */
static const uint8_t *map_find(const uint8_t *a, int alen, const struct capmap *map, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (ipaddr_len(&map[i].from) == alen && !memcmp(map[i].from.b, a, (size_t)alen))
			return map[i].to.b;
	return NULL;
}

/* RFC 1624: the checksum at csum after the 16-bit words old[] became new[] (len bytes, even). */
static void csum_adjust(uint8_t *csum, const uint8_t *old, const uint8_t *new, size_t len, bool udp)
{
	uint32_t sum = (uint16_t)~get16(csum);
	size_t i;

	if (udp && !get16(csum))
		return; /* an IPv4 UDP datagram without a checksum stays without one */
	for (i = 0; i + 1 < len; i += 2) {
		sum += (uint16_t)~get16(old + i);
		sum += get16(new + i);
	}
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	sum = (uint16_t)~sum;
	put16(csum, udp && !sum ? 0xffff : (uint16_t)sum);
}

/*
 * Maps the two addresses at a (src, then dst: alen bytes each); the old ones
 * are kept in old (2 * alen bytes), for adjusting checksums. Returns how many changed.
 */
static unsigned int map_pair(uint8_t *a, int alen, uint8_t *old, const struct capmap *map, size_t n)
{
	unsigned int changed = 0;
	const uint8_t *to;
	int i;

	memcpy(old, a, 2 * (size_t)alen);
	for (i = 0; i < 2; i++)
		if ((to = map_find(a + i * alen, alen, map, n))) {
			memcpy(a + i * alen, to, (size_t)alen);
			changed++;
		}
	return changed;
}

/* The checksum of an upper layer of len bytes at l4, with its pseudo-header (alen 4 or 16). */
static uint16_t l4_csum(const uint8_t *addrs, int alen, uint8_t proto, const uint8_t *l4,
			size_t len)
{
	uint8_t ph[40] = {0};
	size_t n = 2 * (size_t)alen;

	memcpy(ph, addrs, n);
	if (alen == 4) {
		ph[9] = proto;
		put16(ph + 10, (uint16_t)len);
		n = 12;
	} else {
		ph[34] = (uint8_t)(len >> 8);
		ph[35] = (uint8_t)len;
		ph[39] = proto;
		n = 40;
	}
	return craft_csum(l4, len, (uint32_t)(0xffff - craft_csum(ph, n, 0)));
}

/* Offset of the checksum of an upper layer, or 0 when there is none nflab fixes. */
static size_t csum_offset(uint8_t proto, size_t len)
{
	if (proto == 6 && len >= 20)
		return 16;
	if (proto == 17 && len >= 8)
		return 6;
	if ((proto == 1 || proto == 58) && len >= 4)
		return 2;
	return 0;
}

static bool icmp_error(uint8_t proto, uint8_t type)
{
	if (proto == 1)
		return type == 3 || type == 4 || type == 5 || type == 11 || type == 12;
	return proto == 58 && type >= 1 && type <= 4;
}

/*
 * The packet an ICMP error quotes (qlen bytes at q, likely cut short): its
 * addresses mapped, its IPv4 header checksum recomputed, and its upper
 * layer's checksum adjusted when the quote holds it (as the kernel's NAT does).
 */
static unsigned int map_quote(uint8_t *q, size_t qlen, const struct capmap *map, size_t n)
{
	uint8_t old[32];
	size_t hl, off;
	unsigned int changed;
	uint8_t proto;
	int alen;

	if (qlen >= 20 && q[0] >> 4 == 4) {
		hl = (size_t)(q[0] & 0x0f) * 4;
		if (hl < 20 || hl > qlen)
			return 0;
		alen = 4;
		proto = q[9];
		changed = map_pair(q + 12, 4, old, map, n);
		if (changed) {
			put16(q + 10, 0);
			put16(q + 10, craft_csum(q, hl, 0));
		}
	} else if (qlen >= 40 && q[0] >> 4 == 6) {
		hl = 40;
		alen = 16;
		proto = q[6];
		changed = map_pair(q + 8, 16, old, map, n);
	} else {
		return 0;
	}
	if (!changed || proto == 1) /* ICMPv4 has no pseudo-header */
		return changed;
	off = csum_offset(proto, qlen - hl);
	if (off && hl + off + 2 <= qlen)
		csum_adjust(q + hl + off, old, q + (alen == 4 ? 12 : 8), 2 * (size_t)alen,
			    proto == 17 && alen == 4);
	return changed;
}

/*
 * The upper layer (len bytes at l4, whole when whole) of an IP packet whose
 * addresses (at addrs) changed from old: ICMP errors' quotes mapped, then its
 * checksum recomputed when whole, adjusted for the addresses when a first fragment.
 */
static unsigned int fix_l4(uint8_t *l4, size_t len, uint8_t proto, const uint8_t *addrs,
			   const uint8_t *old, int alen, bool whole, const struct capmap *map,
			   size_t n)
{
	size_t off = csum_offset(proto, len);
	unsigned int changed = 0;

	if (!off)
		return 0;
	if (icmp_error(proto, l4[0]) && len > 8)
		changed += map_quote(l4 + 8, len - 8, map, n);
	if (proto == 58 && (l4[0] == 135 || l4[0] == 136) && len >= 24) {
		const uint8_t *to = map_find(l4 + 8, 16, map, n);

		if (to) { /* a neighbour solicitation's or advertisement's target */
			memcpy(l4 + 8, to, 16);
			changed++;
		}
	}
	if (whole) {
		uint16_t sum;

		if (proto == 17 && alen == 4 && !get16(l4 + off))
			return changed; /* no checksum: none is added */
		put16(l4 + off, 0);
		sum = proto == 1 ? craft_csum(l4, len, 0) : l4_csum(addrs, alen, proto, l4, len);
		if (proto == 17 && !sum)
			sum = 0xffff;
		put16(l4 + off, sum);
	} else if (proto != 1 && off + 2 <= len) {
		csum_adjust(l4 + off, old, addrs, 2 * (size_t)alen, proto == 17 && alen == 4);
	}
	return changed;
}

static unsigned int map_ip4(uint8_t *p, size_t len, const struct capmap *map, size_t n)
{
	size_t hl, tot;
	uint16_t frag;
	unsigned int changed;
	uint8_t old[8];

	if (len < 20 || p[0] >> 4 != 4 || (hl = (size_t)(p[0] & 0x0f) * 4) < 20 || hl > len)
		return 0;
	tot = get16(p + 2);
	if (tot < hl)
		return 0;
	changed = map_pair(p + 12, 4, old, map, n);
	put16(p + 10, 0);
	put16(p + 10, craft_csum(p, hl, 0));
	frag = get16(p + 6);
	if (frag & 0x1fff) /* a later fragment: no upper header here */
		return changed;
	/* Whole when not a fragment and not cut short; Ethernet padding is not part of it. */
	changed += fix_l4(p + hl, (tot <= len ? tot : len) - hl, p[9], p + 12, old, 4,
			  !(frag & 0x2000) && tot <= len, map, n);
	return changed;
}

static unsigned int map_ip6(uint8_t *p, size_t len, const struct capmap *map, size_t n)
{
	size_t off = 40, end;
	uint8_t nh, old[32];
	bool whole = true;
	unsigned int changed;

	if (len < 40 || p[0] >> 4 != 6)
		return 0;
	end = 40 + (size_t)get16(p + 4);
	if (end > len) {
		end = len;
		whole = false;
	}
	changed = map_pair(p + 8, 16, old, map, n);
	nh = p[6];
	/* Hop-by-hop, routing and destination options, and a fragment header. */
	while ((nh == 0 || nh == 43 || nh == 60 || nh == 44) && off + 8 <= end) {
		uint8_t next = p[off];

		if (nh == 44) {
			if (get16(p + off + 2) & 0xfff8)
				return changed; /* a later fragment */
			if (p[off + 3] & 1)
				whole = false;
			off += 8;
		} else {
			off += ((size_t)p[off + 1] + 1) * 8;
		}
		nh = next;
	}
	if (off > end)
		return changed;
	return changed + fix_l4(p + off, end - off, nh, p + 8, old, 16, whole, map, n);
}

unsigned int capframe_map(uint8_t *frame, size_t len, const struct capmap *map, size_t n)
{
	size_t off = ETH_HLEN;
	unsigned int changed = 0;
	uint16_t type;
	int tags = 0;

	if (len < ETH_HLEN)
		return 0;
	type = get16(frame + 12);
	while ((type == 0x8100 || type == 0x88a8) && tags++ < 2 && off + 4 <= len) {
		type = get16(frame + off + 2);
		off += 4;
	}
	if (type == 0x0800)
		return map_ip4(frame + off, len - off, map, n);
	if (type == 0x86dd)
		return map_ip6(frame + off, len - off, map, n);
	if (type == 0x0806 && off + 28 <= len && get16(frame + off) == 1 &&
	    get16(frame + off + 2) == 0x0800 && frame[off + 4] == 6 && frame[off + 5] == 4) {
		const uint8_t *to;

		if ((to = map_find(frame + off + 14, 4, map, n))) {
			memcpy(frame + off + 14, to, 4);
			changed++;
		}
		if ((to = map_find(frame + off + 24, 4, map, n))) {
			memcpy(frame + off + 24, to, 4);
			changed++;
		}
	}
	return changed;
}

void capframe_set_eth(uint8_t *frame, size_t len, const uint8_t src[6], const uint8_t dst[6])
{
	uint8_t old_src[6], old_dst[6];
	size_t off = ETH_HLEN;
	uint16_t type;

	if (len < ETH_HLEN)
		return;
	memcpy(old_dst, frame, 6);
	memcpy(old_src, frame + 6, 6);
	if (!(frame[0] & 1))
		memcpy(frame, dst, 6);
	memcpy(frame + 6, src, 6);
	type = get16(frame + 12);
	if (type == 0x8100 && off + 4 <= len) {
		type = get16(frame + off + 2);
		off += 4;
	}
	/* An ARP body names the same hosts: replies must come back to this link. */
	if (type == 0x0806 && off + 28 <= len && get16(frame + off) == 1 && frame[off + 4] == 6) {
		if (!memcmp(frame + off + 8, old_src, 6))
			memcpy(frame + off + 8, src, 6);
		if (!(old_dst[0] & 1) && !memcmp(frame + off + 18, old_dst, 6))
			memcpy(frame + off + 18, frame, 6);
	}
}
