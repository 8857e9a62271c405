/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Decoded packets: Ethernet, ARP, IPv4/IPv6, TCP (with its options)/UDP/ICMP/ICMPv6 (with
 * redirect and neighbour discovery addresses), and the header an ICMP error or ND redirect quotes.
 */
#ifndef NFLAB_PACKET_H
#define NFLAB_PACKET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/ipaddr.h"

/* Presence bits of struct pkt_hdrs: a field is only meaningful when its layer is present. */
enum {
	PKT_ETH = 1 << 0,
	PKT_IP4 = 1 << 1,
	PKT_IP6 = 1 << 2,
	PKT_TCP = 1 << 3,
	PKT_UDP = 1 << 4,
	PKT_ICMP4 = 1 << 5,
	PKT_ICMP6 = 1 << 6,
	PKT_FRAG = 1 << 7,	 /* a non-first fragment: no L4 header follows */
	PKT_PORTS = 1 << 8,	 /* sport/dport valid (TCP or UDP, possibly truncated to 4 bytes) */
	PKT_ICMPID = 1 << 9,	 /* icmp id/seq valid (echo request/reply) */
	PKT_GATEWAY = 1 << 10,	 /* gateway valid (ICMP redirect) */
	PKT_ND_TARGET = 1 << 11, /* nd_target valid (neighbour solicitation/advert, redirect) */
	PKT_ND_DST = 1 << 12,	 /* nd_dst valid (ND redirect) */
	PKT_TCP_OPTS = 1 << 13,	 /* the TCP options were captured whole: tcp_opts is meaningful */
};

/* TCP options seen (struct pkt_hdrs tcp_opts). */
enum {
	TCPOPT_HAS_MSS = 1 << 0,
	TCPOPT_HAS_WSCALE = 1 << 1,
	TCPOPT_HAS_SACKOK = 1 << 2,
	TCPOPT_HAS_TS = 1 << 3,
};

/* One IP packet's headers. For a quoted inner packet, lengths may be truncated. */
struct pkt_hdrs {
	uint32_t present;   /* PKT_* bits */
	struct ipaddr src;  /* ip.src / ip6.src */
	struct ipaddr dst;  /* ip.dst / ip6.dst */
	uint8_t proto;	    /* IPv4 protocol, or IPv6 upper-layer nexthdr after extension headers */
	uint8_t nexthdr;    /* IPv6 first next-header field as on the wire */
	uint8_t ttl;	    /* IPv4 ttl or IPv6 hop limit */
	uint8_t tos;	    /* IPv4 tos or IPv6 traffic class */
	uint16_t id;	    /* IPv4 identification */
	uint16_t frag_off;  /* fragment offset in bytes */
	uint8_t more_frags; /* MF flag / IPv6 M bit */
	uint8_t dont_frag;  /* IPv4 DF */
	uint16_t ip_len;    /* IPv4 total length or IPv6 payload length + 40 */
	uint32_t flowlabel; /* IPv6 flow label */
	uint16_t sport, dport;
	uint8_t tcp_flags; /* FIN 0x01 SYN 0x02 RST 0x04 PSH 0x08 ACK 0x10 URG 0x20 ECE 0x40 CWR
			      0x80 */
	uint32_t tcp_seq, tcp_ack;
	uint16_t tcp_win;
	uint16_t udp_len;
	uint8_t icmp_type, icmp_code;  /* ICMPv4 or ICMPv6 */
	uint16_t echo_id, echo_seq;    /* ICMP(v6) echo identifier and sequence */
	uint32_t icmp_mtu;	       /* frag-needed next-hop MTU or ICMPv6 packet-too-big MTU */
	uint16_t payload_len;	       /* bytes after the L4 header that were captured */
	struct ipaddr gateway;	       /* ICMP redirect: the better first hop */
	struct ipaddr nd_target;       /* ICMPv6 NS, NA, redirect: target address */
	struct ipaddr nd_dst;	       /* ICMPv6 redirect: destination address */
	uint8_t tcp_opts;	       /* TCPOPT_HAS_* */
	uint8_t tcp_wscale;	       /* window scale shift */
	uint16_t tcp_mss;	       /* maximum segment size */
	uint32_t tcp_tsval, tcp_tsecr; /* timestamp value and echo reply */
};

/* Bytes of the outer packet's payload a struct pkt keeps for payload conditions. */
#define PKT_PAYLOAD_MAX 256

/* A decoded frame: link header, outer packet and, for ICMP errors, the quoted packet. */
struct pkt {
	uint32_t present; /* PKT_ETH when the frame had an Ethernet header */
	uint8_t eth_src[6], eth_dst[6];
	uint16_t eth_type;		/* after any 802.1Q tag */
	uint16_t arp_op;		/* ARP request 1 / reply 2, 0 when not ARP */
	struct ipaddr arp_spa, arp_tpa; /* ARP sender and target protocol addresses */
	uint8_t arp_sha[6], arp_tha[6]; /* ARP sender and target hardware addresses */
	struct pkt_hdrs outer;
	int has_inner; /* 1 when outer is an ICMP/ICMPv6 error quoting a packet */
	struct pkt_hdrs inner;
	uint32_t wirelen; /* frame length on the wire */
	/*
	 * The first payload_caplen bytes (at most PKT_PAYLOAD_MAX) after the outer
	 * TCP, UDP or ICMP header, as captured; has_payload when that header was.
	 */
	bool has_payload;
	uint16_t payload_caplen;
	uint8_t payload[PKT_PAYLOAD_MAX];
};

/* Link types understood by pkt_decode (values of libpcap's DLT_*). */
#define PKT_LINK_ETHERNET 1
#define PKT_LINK_RAW	  101 /* bare IPv4/IPv6 */

/*
 * Decodes caplen bytes of a frame of the given link type (wirelen its length on
 * the wire) into out. Never reads past caplen: truncated or malformed layers are
 * just absent. Returns 0, or -1 when not even the link header fits.
 */
int pkt_decode(const uint8_t *frame, size_t caplen, size_t wirelen, int linktype, struct pkt *out);

/*
 * Writes a one-line tcpdump-like summary, e.g.
 * "198.51.100.10.40000 > 203.0.113.10.9: UDP, length 5" or
 * "203.0.113.10 > 198.51.100.10: ICMP port unreachable [203.0.113.10 udp 198.51.100.10.40000 >
 * 203.0.113.10.9]". Returns buf.
 */
const char *pkt_summary(const struct pkt *p, char *buf, size_t len);

/* TCP flags as tcpdump letters ("S." for SYN|ACK, "none" for none). Returns buf. */
const char *pkt_tcp_flags(uint8_t flags, char *buf, size_t len);

/*
 * True for the link's own chatter rather than a flow's packets: ARP, neighbour
 * discovery, router solicitations and advertisements, MLD, and packets to
 * link-scope multicast (224.0.0.0/24, ff02::/16).
 */
bool pkt_is_chatter(const struct pkt *p);

/* How a packet relates to a flow, from closest to farthest. */
enum pkt_kinship {
	PKT_SAME_FLOW,	/* same addresses, protocol and ports, either direction */
	PKT_SAME_HOSTS, /* same two addresses, either direction */
	PKT_STRANGER,	/* anything else */
};

/*
 * How p relates to the flow of ref (a packet the flow sent): by p's own
 * headers or, for an ICMP error, by the ones it quotes.
 */
enum pkt_kinship pkt_kinship(const struct pkt *p, const struct pkt *ref);

#endif
