/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Packets built field by field: Ethernet, ARP, IPv4, IPv6 (with a fragment
 * header), UDP, TCP, ICMP and ICMPv6 with a quoted packet, and a payload.
 * Lengths and checksums are computed unless set, so wrong ones can be sent.
 */
#ifndef NFLAB_CRAFT_H
#define NFLAB_CRAFT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/ipaddr.h"

#define CRAFT_AUTO (-1) /* an int field left for the builder to compute */
#define CRAFT_MAX  65535

enum craft_l4 {
	CRAFT_L4_NONE = 0, /* the payload follows the IP header (ip.proto says what it is) */
	CRAFT_L4_UDP,
	CRAFT_L4_TCP,
	CRAFT_L4_ICMP,	/* ICMPv4 */
	CRAFT_L4_ICMP6, /* ICMPv6 */
};

struct craft_eth {
	bool present;
	uint8_t src[6], dst[6];
	int type; /* CRAFT_AUTO: from the next layer */
};

struct craft_arp {
	bool present;
	uint16_t op; /* 1 request, 2 reply */
	uint8_t sha[6], tha[6];
	struct ipaddr spa, tpa;
};

struct craft_ip {
	int version; /* 0: no IP layer, 4 or 6 */
	struct ipaddr src, dst;
	uint8_t tos;  /* IPv4 tos / IPv6 traffic class */
	uint8_t ttl;  /* IPv4 ttl / IPv6 hop limit */
	int proto;    /* IPv4 protocol / IPv6 next header of the upper layer; CRAFT_AUTO */
	int len;      /* IPv4 total length / IPv6 payload length; CRAFT_AUTO */
	int checksum; /* IPv4 header checksum; CRAFT_AUTO */
	/* IPv4 */
	uint16_t id;
	bool df, mf;
	uint16_t frag_off; /* bytes, a multiple of 8 */
	uint8_t options[40];
	size_t options_len;
	/* IPv6 */
	uint32_t flowlabel;
	bool frag_hdr; /* a fragment extension header: frag_off, mf and frag_id */
	uint32_t frag_id;
};

struct craft_l4hdr {
	enum craft_l4 kind;
	uint16_t sport, dport; /* UDP, TCP */
	int len;	       /* UDP length; CRAFT_AUTO */
	int checksum;	       /* CRAFT_AUTO */
	/* TCP */
	uint32_t seq, ack;
	uint8_t flags;
	uint16_t window, urgent;
	int mss; /* MSS option, or CRAFT_AUTO for none */
	bool ts; /* timestamp option */
	uint32_t tsval, tsecr;
	/* ICMP, ICMPv6 */
	uint8_t type, code;
	uint16_t id, seq16;   /* echo */
	uint32_t mtu;	      /* frag-needed next-hop MTU, packet-too-big MTU */
	struct ipaddr target; /* neighbour solicitation / advertisement */
	bool has_lladdr;      /* a source/target link-layer address option */
	uint8_t lladdr[6];
	uint32_t na_flags; /* neighbour advertisement R/S/O bits (top three) */
};

/* A packet to build. All fields not mentioned are zero. */
struct craft {
	struct craft_eth eth;
	struct craft_arp arp;
	struct craft_ip ip;
	struct craft_l4hdr l4;
	const uint8_t *quote; /* ICMP errors: the quoted packet, from its IP header */
	size_t quote_len;
	const uint8_t *payload;
	size_t payload_len;
};

/* Where the fields a sweep changes are in a built frame, for patching (0: not there). */
struct craft_layout {
	size_t len;		      /* of the frame */
	size_t l3, l4;		      /* offsets of the IP and upper-layer headers */
	size_t ip_src, ip_dst, ip_id; /* field offsets */
	size_t sport, dport;	      /* UDP/TCP ports */
	size_t ip_csum, l4_csum;      /* checksum offsets, 0 when set by hand */
	bool udp;		      /* a zero UDP checksum is written 0xffff */
};

/* Sets every CRAFT_AUTO field and sensible defaults (ttl 64, hop limit 64, window 65535). */
void craft_init(struct craft *c);

/*
 * Writes the frame (from Ethernet when c->eth.present, else from IP) into buf of
 * cap bytes and describes it in lay (may be NULL). Returns its length, or -1
 * when it does not fit.
 */
int craft_build(const struct craft *c, uint8_t *buf, size_t cap, struct craft_layout *lay);

/* The Internet checksum of len bytes, folded, starting from sum (0 for a fresh one). */
uint16_t craft_csum(const void *data, size_t len, uint32_t sum);

/*
 * Sets the 16-bit word at off of a built frame to v (network order written here)
 * and updates the checksums that cover it incrementally (RFC 1624): ip_csum when
 * ip_hdr, l4_csum when l4 (the pseudo-header or the L4 header covers it).
 */
void craft_patch16(uint8_t *frame, const struct craft_layout *lay, size_t off, uint16_t v,
		   bool ip_hdr, bool l4);

/*
 * Splits the IP packet at ip (len bytes, IPv4 or IPv6 as built above) into n
 * fragments of equal payload (a multiple of 8 bytes, the last one shorter) and
 * writes each, behind a copy of the link header of hdr_len bytes at hdr, to
 * out[i] (CRAFT_MAX bytes each), lengths in out_len[i]. IPv6 gets a fragment
 * header with id. Returns the number of fragments, or -1 when the packet
 * cannot be split that way.
 */
int craft_fragment(const uint8_t *hdr, size_t hdr_len, const uint8_t *ip, size_t len, int n,
		   uint32_t id, uint8_t **out, size_t *out_len);

#endif
