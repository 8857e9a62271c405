// SPDX-License-Identifier: GPL-2.0-or-later
/* Named fields of observed events, and predicates over them ("ip.src: 192.0.2.0/24"). */
#include "expect/field.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "observe/ctev.h"
#include "observe/ctexp.h"
#include "observe/packet.h"
#include "util/regex.h"
#include "util/utf8.h"

/* ---- symbol tables ---- */

static const struct sym proto_syms[] = {
	{"icmp", 1}, {"igmp", 2},    {"tcp", 6},    {"udp", 17},   {"gre", 47},	     {"esp", 50},
	{"ah", 51},  {"icmpv6", 58}, {"icmp6", 58}, {"sctp", 132}, {"udplite", 136}, {NULL, 0},
};

static const struct sym icmp_type_syms[] = {
	{"echo-reply", 0},
	{"destination-unreachable", 3},
	{"dest-unreachable", 3},
	{"source-quench", 4},
	{"redirect", 5},
	{"echo-request", 8},
	{"router-advertisement", 9},
	{"router-solicitation", 10},
	{"time-exceeded", 11},
	{"parameter-problem", 12},
	{"timestamp-request", 13},
	{"timestamp-reply", 14},
	{NULL, 0},
};

/*
 * ICMP codes are named per type, as nft and iptables name them (the first name
 * of a value is the one printed). Types without a table here have no named codes.
 */
static const struct sym icmp_unreach_codes[] = {
	{"net-unreachable", 0},
	{"host-unreachable", 1},
	{"prot-unreachable", 2},
	{"port-unreachable", 3},
	{"frag-needed", 4},
	{"source-route-failed", 5},
	{"net-unknown", 6},
	{"host-unknown", 7},
	{"host-isolated", 8},
	{"net-prohibited", 9},
	{"host-prohibited", 10},
	{"net-tos-unreachable", 11},
	{"host-tos-unreachable", 12},
	{"admin-prohibited", 13},
	{"host-precedence-violation", 14},
	{"precedence-cutoff", 15},
	{"network-unreachable", 0}, /* iptables' names */
	{"protocol-unreachable", 2},
	{"fragmentation-needed", 4},
	{"communication-prohibited", 13},
	{NULL, 0},
};

static const struct sym icmp_redirect_codes[] = {
	{"net", 0},
	{"host", 1},
	{"tos-net", 2},
	{"tos-host", 3},
	{"net-redirect", 0},
	{"host-redirect", 1},
	{"tos-net-redirect", 2},
	{"tos-host-redirect", 3},
	{NULL, 0},
};

static const struct sym icmp_time_codes[] = {
	{"ttl-zero-during-transit", 0},
	{"ttl-zero-during-reassembly", 1},
	{"transit", 0},
	{"reassembly", 1},
	{NULL, 0},
};

static const struct sym icmp_param_codes[] = {
	{"ip-header-bad", 0},
	{"required-option-missing", 1},
	{"bad-length", 2},
	{"pointer", 0},
	{NULL, 0},
};

static const struct sym icmp6_unreach_codes[] = {
	{"no-route", 0},
	{"admin-prohibited", 1},
	{"beyond-scope", 2},
	{"addr-unreachable", 3},
	{"port-unreachable", 4},
	{"policy-fail", 5},
	{"reject-route", 6},
	{"address-unreachable", 3}, /* ip6tables' names */
	{"communication-prohibited", 1},
	{"failed-policy", 5},
	{NULL, 0},
};

static const struct sym icmp6_time_codes[] = {
	{"hop-limit", 0},
	{"reassembly", 1},
	{"hop-limit-exceeded", 0},
	{"ttl-zero-during-transit", 0},
	{"ttl-zero-during-reassembly", 1},
	{NULL, 0},
};

static const struct sym icmp6_param_codes[] = {
	{"bad-header", 0},
	{"unknown-header-type", 1},
	{"unknown-option", 2},
	{"incomplete-header-chain", 3},
	{NULL, 0},
};

/* The names of one type's codes. */
struct code_group {
	uint8_t type;
	const struct sym *codes;
};

static const struct code_group icmp_codes[] = {
	{3, icmp_unreach_codes},
	{5, icmp_redirect_codes},
	{11, icmp_time_codes},
	{12, icmp_param_codes},
	{0, NULL},
};

static const struct code_group icmp6_codes[] = {
	{1, icmp6_unreach_codes},
	{3, icmp6_time_codes},
	{4, icmp6_param_codes},
	{0, NULL},
};

/* The codes of a type without named codes: they print as numbers. */
static const struct sym no_codes[] = {{NULL, 0}};

/* The code names of type in groups, no_codes when it has none. */
static const struct sym *codes_of(const struct code_group *groups, uint64_t type)
{
	for (; groups->codes; groups++)
		if (groups->type == type)
			return groups->codes;
	return no_codes;
}

static const struct sym icmp6_type_syms[] = {
	{"destination-unreachable", 1},
	{"dest-unreachable", 1},
	{"packet-too-big", 2},
	{"time-exceeded", 3},
	{"parameter-problem", 4},
	{"echo-request", 128},
	{"echo-reply", 129},
	{"mld-listener-query", 130},
	{"mld-listener-report", 131},
	{"mld-listener-done", 132},
	{"nd-router-solicit", 133},
	{"nd-router-advert", 134},
	{"nd-neighbor-solicit", 135},
	{"nd-neighbor-advert", 136},
	{"nd-redirect", 137},
	{"mld2-listener-report", 143},
	{"mld-listener-reduction", 132}, /* nft's other name */
	{NULL, 0},
};

static const struct sym ethertype_syms[] = {
	{"ip", 0x0800}, {"arp", 0x0806}, {"ip6", 0x86dd}, {"vlan", 0x8100}, {NULL, 0},
};

static const struct sym arp_op_syms[] = {{"request", 1}, {"reply", 2}, {NULL, 0}};

static const struct sym tcp_flag_syms[] = {
	{"fin", 0x01}, {"syn", 0x02}, {"rst", 0x04}, {"psh", 0x08}, {"ack", 0x10},
	{"urg", 0x20}, {"ece", 0x40}, {"cwr", 0x80}, {NULL, 0},
};

/* ---- getters ---- */

#define PKT(rec) ((const struct pkt *)(rec))

bool value_uint(struct value *v, uint64_t u)
{
	v->kind = VAL_UINT;
	v->u = u;
	v->names = NULL;
	return true;
}

bool value_named(struct value *v, uint64_t u, const struct sym *names)
{
	value_uint(v, u);
	v->names = names;
	return true;
}

bool value_flags(struct value *v, uint64_t u)
{
	v->kind = VAL_FLAGS;
	v->u = u;
	v->names = NULL;
	return true;
}

bool value_str(struct value *v, const char *s)
{
	v->kind = VAL_STR;
	snprintf(v->s, sizeof(v->s), "%s", s);
	return true;
}

bool value_bytes(struct value *v, const uint8_t *b, size_t n)
{
	v->kind = VAL_BYTES;
	v->bytes = b;
	v->nbytes = n;
	return true;
}

static bool put_addr(struct value *v, const struct ipaddr *a)
{
	v->kind = VAL_ADDR;
	v->a = *a;
	return true;
}

static bool put_mac(struct value *v, const uint8_t *mac)
{
	v->kind = VAL_MAC;
	memcpy(v->mac, mac, 6);
	return true;
}

/*
 * A getter for a header field of the outer packet or of the quoted one (absent
 * when there is none), present when cond (an expression on h) holds.
 */
#define HDR_GET(fn, which, cond, put)                                       \
	static bool fn(const void *rec, struct value *v)                    \
	{                                                                   \
		const struct pkt *p = PKT(rec);                             \
		const struct pkt_hdrs *h = &p->which;                       \
		return (h == &p->outer || p->has_inner) && (cond) && (put); \
	}
#define HDR_UINT(fn, which, cond, expr)	  HDR_GET(fn, which, cond, value_uint(v, (expr)))
#define HDR_ADDR(fn, which, cond, member) HDR_GET(fn, which, cond, put_addr(v, &h->member))

static bool get_eth_src(const void *rec, struct value *v)
{
	return (PKT(rec)->present & PKT_ETH) && put_mac(v, PKT(rec)->eth_src);
}

static bool get_eth_dst(const void *rec, struct value *v)
{
	return (PKT(rec)->present & PKT_ETH) && put_mac(v, PKT(rec)->eth_dst);
}

static bool get_eth_type(const void *rec, struct value *v)
{
	return (PKT(rec)->present & PKT_ETH) && value_uint(v, PKT(rec)->eth_type);
}

static bool get_len(const void *rec, struct value *v)
{
	return value_uint(v, PKT(rec)->wirelen);
}

static bool get_payload(const void *rec, struct value *v)
{
	return PKT(rec)->has_payload && value_bytes(v, PKT(rec)->payload, PKT(rec)->payload_caplen);
}

/* ARP fields: present for an IPv4-over-Ethernet ARP packet. */
#define ARP_GET(fn, put) REC_GET(fn, struct pkt, r->arp_op, put)
ARP_GET(get_arp_op, value_uint(v, r->arp_op))
ARP_GET(get_arp_spa, put_addr(v, &r->arp_spa))
ARP_GET(get_arp_tpa, put_addr(v, &r->arp_tpa))
ARP_GET(get_arp_sha, put_mac(v, r->arp_sha))
ARP_GET(get_arp_tha, put_mac(v, r->arp_tha))

#define IP4 PKT_IP4
#define IP6 PKT_IP6
#define IPX (PKT_IP4 | PKT_IP6)

HDR_ADDR(get_ip_src, outer, h->present &IP4, src)
HDR_ADDR(get_ip_dst, outer, h->present &IP4, dst)
HDR_UINT(get_ip_proto, outer, h->present &IP4, h->proto)
HDR_UINT(get_ip_ttl, outer, h->present &IP4, h->ttl)
HDR_UINT(get_ip_tos, outer, h->present &IP4, h->tos)
HDR_UINT(get_ip_id, outer, h->present &IP4, h->id)
HDR_UINT(get_ip_len, outer, h->present &IP4, h->ip_len)
HDR_UINT(get_ip_df, outer, h->present &IP4, h->dont_frag)
HDR_UINT(get_ip_mf, outer, h->present &IP4, h->more_frags)
HDR_UINT(get_ip_frag_off, outer, h->present &IP4, h->frag_off)
HDR_ADDR(get_ip6_src, outer, h->present &IP6, src)
HDR_ADDR(get_ip6_dst, outer, h->present &IP6, dst)
HDR_UINT(get_ip6_nexthdr, outer, h->present &IP6, h->proto)
HDR_UINT(get_ip6_hlim, outer, h->present &IP6, h->ttl)
HDR_UINT(get_ip6_flowlabel, outer, h->present &IP6, h->flowlabel)
HDR_UINT(get_ip6_plen, outer, h->present &IP6,
	 (uint16_t)(h->ip_len - 40)) /* mod 2^16: ip_len may wrap */
HDR_ADDR(get_src, outer, h->present &IPX, src)
HDR_ADDR(get_dst, outer, h->present &IPX, dst)
HDR_UINT(get_proto, outer, h->present &IPX, h->proto)
HDR_UINT(get_sport, outer, h->present &PKT_PORTS, h->sport)
HDR_UINT(get_dport, outer, h->present &PKT_PORTS, h->dport)
HDR_UINT(get_tcp_sport, outer, h->present &PKT_TCP, h->sport)
HDR_UINT(get_tcp_dport, outer, h->present &PKT_TCP, h->dport)
HDR_GET(get_tcp_flags, outer, h->present &PKT_TCP, value_flags(v, h->tcp_flags))
HDR_UINT(get_tcp_seq, outer, h->present &PKT_TCP, h->tcp_seq)
HDR_UINT(get_tcp_ack, outer, h->present &PKT_TCP, h->tcp_ack)
HDR_UINT(get_tcp_win, outer, h->present &PKT_TCP, h->tcp_win)
HDR_UINT(get_tcp_mss, outer, h->tcp_opts &TCPOPT_HAS_MSS, h->tcp_mss)
HDR_UINT(get_tcp_wscale, outer, h->tcp_opts &TCPOPT_HAS_WSCALE, h->tcp_wscale)
HDR_UINT(get_tcp_sackok, outer, h->present &PKT_TCP_OPTS, !!(h->tcp_opts & TCPOPT_HAS_SACKOK))
HDR_UINT(get_tcp_ts, outer, h->tcp_opts &TCPOPT_HAS_TS, h->tcp_tsval)
HDR_UINT(get_tcp_tsecr, outer, h->tcp_opts &TCPOPT_HAS_TS, h->tcp_tsecr)
HDR_UINT(get_udp_sport, outer, h->present &PKT_UDP, h->sport)
HDR_UINT(get_udp_dport, outer, h->present &PKT_UDP, h->dport)
HDR_UINT(get_udp_len, outer, h->present &PKT_UDP, h->udp_len)
HDR_UINT(get_icmp_type, outer, h->present &PKT_ICMP4, h->icmp_type)
HDR_GET(get_icmp_code, outer, h->present &PKT_ICMP4,
	value_named(v, h->icmp_code, codes_of(icmp_codes, h->icmp_type)))
HDR_UINT(get_icmp_id, outer, (h->present & PKT_ICMP4) && (h->present & PKT_ICMPID), h->echo_id)
HDR_UINT(get_icmp_seq, outer, (h->present & PKT_ICMP4) && (h->present & PKT_ICMPID), h->echo_seq)
HDR_ADDR(get_icmp_gateway, outer, (h->present & PKT_ICMP4) && (h->present & PKT_GATEWAY), gateway)
HDR_ADDR(get_nd_target, outer, (h->present & PKT_ICMP6) && (h->present & PKT_ND_TARGET), nd_target)
HDR_ADDR(get_nd_dst, outer, (h->present & PKT_ICMP6) && (h->present & PKT_ND_DST), nd_dst)
HDR_UINT(get_icmp_mtu, outer, (h->present & PKT_ICMP4) && h->icmp_type == 3 && h->icmp_code == 4,
	 h->icmp_mtu)
HDR_UINT(get_icmp6_type, outer, h->present &PKT_ICMP6, h->icmp_type)
HDR_GET(get_icmp6_code, outer, h->present &PKT_ICMP6,
	value_named(v, h->icmp_code, codes_of(icmp6_codes, h->icmp_type)))
HDR_UINT(get_icmp6_id, outer, (h->present & PKT_ICMP6) && (h->present & PKT_ICMPID), h->echo_id)
HDR_UINT(get_icmp6_seq, outer, (h->present & PKT_ICMP6) && (h->present & PKT_ICMPID), h->echo_seq)
HDR_UINT(get_icmp6_mtu, outer, (h->present & PKT_ICMP6) && h->icmp_type == 2, h->icmp_mtu)
HDR_ADDR(get_inner_src, inner, h->present &IPX, src)
HDR_ADDR(get_inner_dst, inner, h->present &IPX, dst)
HDR_UINT(get_inner_proto, inner, h->present &IPX, h->proto)
HDR_UINT(get_inner_sport, inner, h->present &PKT_PORTS, h->sport)
HDR_UINT(get_inner_dport, inner, h->present &PKT_PORTS, h->dport)
HDR_UINT(get_inner_ttl, inner, h->present &IPX, h->ttl)
HDR_GET(get_inner_tcp_flags, inner, h->present &PKT_TCP, value_flags(v, h->tcp_flags))
/* Named as ICMP or ICMPv6 types, as the quoted header is one or the other. */
HDR_GET(get_inner_icmp_type, inner, h->present &(PKT_ICMP4 | PKT_ICMP6),
	value_named(v, h->icmp_type, (h->present & PKT_ICMP6) ? icmp6_type_syms : icmp_type_syms))
HDR_UINT(get_inner_icmp_id, inner, h->present &PKT_ICMPID, h->echo_id)
HDR_UINT(get_inner_icmp_seq, inner, h->present &PKT_ICMPID, h->echo_seq)

const struct field_def pkt_fields[] = {
	{"eth.src", VAL_MAC, NULL, "source MAC address", get_eth_src},
	{"eth.dst", VAL_MAC, NULL, "destination MAC address", get_eth_dst},
	{"eth.type", VAL_UINT, ethertype_syms, "EtherType", get_eth_type},
	{"ip.src", VAL_ADDR, NULL, "IPv4 source address", get_ip_src},
	{"ip.dst", VAL_ADDR, NULL, "IPv4 destination address", get_ip_dst},
	{"ip.proto", VAL_UINT, proto_syms, "IPv4 protocol", get_ip_proto},
	{"ip.ttl", VAL_UINT, NULL, "IPv4 time to live", get_ip_ttl},
	{"ip.tos", VAL_UINT, NULL, "IPv4 type of service", get_ip_tos},
	{"ip.id", VAL_UINT, NULL, "IPv4 identification", get_ip_id},
	{"ip.len", VAL_UINT, NULL, "IPv4 total length", get_ip_len},
	{"ip.df", VAL_UINT, NULL, "IPv4 don't-fragment flag", get_ip_df},
	{"ip.mf", VAL_UINT, NULL, "IPv4 more-fragments flag", get_ip_mf},
	{"ip.frag_off", VAL_UINT, NULL, "IPv4 fragment offset in bytes", get_ip_frag_off},
	{"ip6.src", VAL_ADDR, NULL, "IPv6 source address", get_ip6_src},
	{"ip6.dst", VAL_ADDR, NULL, "IPv6 destination address", get_ip6_dst},
	{"ip6.nexthdr", VAL_UINT, proto_syms, "IPv6 upper-layer protocol", get_ip6_nexthdr},
	{"ip6.hlim", VAL_UINT, NULL, "IPv6 hop limit", get_ip6_hlim},
	{"ip6.flowlabel", VAL_UINT, NULL, "IPv6 flow label", get_ip6_flowlabel},
	{"ip6.plen", VAL_UINT, NULL, "IPv6 payload length", get_ip6_plen},
	{"src", VAL_ADDR, NULL, "source address, IPv4 or IPv6", get_src},
	{"dst", VAL_ADDR, NULL, "destination address, IPv4 or IPv6", get_dst},
	{"proto", VAL_UINT, proto_syms, "upper-layer protocol, IPv4 or IPv6", get_proto},
	{"sport", VAL_UINT, NULL, "TCP or UDP source port", get_sport},
	{"dport", VAL_UINT, NULL, "TCP or UDP destination port", get_dport},
	{"tcp.sport", VAL_UINT, NULL, "TCP source port", get_tcp_sport},
	{"tcp.dport", VAL_UINT, NULL, "TCP destination port", get_tcp_dport},
	{"tcp.flags", VAL_FLAGS, tcp_flag_syms, "TCP flags", get_tcp_flags},
	{"tcp.seq", VAL_UINT, NULL, "TCP sequence number", get_tcp_seq},
	{"tcp.ack", VAL_UINT, NULL, "TCP acknowledgement number", get_tcp_ack},
	{"tcp.win", VAL_UINT, NULL, "TCP window", get_tcp_win},
	{"tcp.mss", VAL_UINT, NULL, "TCP maximum segment size option", get_tcp_mss},
	{"tcp.wscale", VAL_UINT, NULL, "TCP window scale option (shift count)", get_tcp_wscale},
	{"tcp.sackok", VAL_UINT, NULL, "TCP SACK-permitted option: 1 when given, else 0",
	 get_tcp_sackok},
	{"tcp.ts", VAL_UINT, NULL, "TCP timestamp option: the timestamp value", get_tcp_ts},
	{"tcp.tsecr", VAL_UINT, NULL, "TCP timestamp option: the echo reply", get_tcp_tsecr},
	{"udp.sport", VAL_UINT, NULL, "UDP source port", get_udp_sport},
	{"udp.dport", VAL_UINT, NULL, "UDP destination port", get_udp_dport},
	{"udp.len", VAL_UINT, NULL, "UDP length", get_udp_len},
	{"icmp.type", VAL_UINT, icmp_type_syms, "ICMP type", get_icmp_type},
	{"icmp.code", VAL_UINT, no_codes, "ICMP code, named per type", get_icmp_code},
	{"icmp.id", VAL_UINT, NULL, "ICMP echo identifier", get_icmp_id},
	{"icmp.seq", VAL_UINT, NULL, "ICMP echo sequence", get_icmp_seq},
	{"icmp.mtu", VAL_UINT, NULL, "next-hop MTU of fragmentation needed", get_icmp_mtu},
	{"icmp.gateway", VAL_ADDR, NULL, "gateway address of an ICMP redirect", get_icmp_gateway},
	{"icmp6.type", VAL_UINT, icmp6_type_syms, "ICMPv6 type", get_icmp6_type},
	{"icmp6.code", VAL_UINT, no_codes, "ICMPv6 code, named per type", get_icmp6_code},
	{"icmp6.id", VAL_UINT, NULL, "ICMPv6 echo identifier", get_icmp6_id},
	{"icmp6.seq", VAL_UINT, NULL, "ICMPv6 echo sequence", get_icmp6_seq},
	{"icmp6.mtu", VAL_UINT, NULL, "MTU of packet too big", get_icmp6_mtu},
	{"nd.target", VAL_ADDR, NULL,
	 "target address of a neighbour solicitation, advert or redirect", get_nd_target},
	{"nd.dst", VAL_ADDR, NULL, "destination address of an ND redirect", get_nd_dst},
	{"inner.ip.src", VAL_ADDR, NULL, "source address an ICMP error quotes", get_inner_src},
	{"inner.ip.dst", VAL_ADDR, NULL, "destination address an ICMP error quotes", get_inner_dst},
	{"inner.proto", VAL_UINT, proto_syms, "protocol an ICMP error quotes", get_inner_proto},
	{"inner.sport", VAL_UINT, NULL, "source port an ICMP error quotes", get_inner_sport},
	{"inner.dport", VAL_UINT, NULL, "destination port an ICMP error quotes", get_inner_dport},
	{"inner.ip.ttl", VAL_UINT, NULL, "TTL or hop limit an ICMP error quotes", get_inner_ttl},
	{"inner.tcp.flags", VAL_FLAGS, tcp_flag_syms, "TCP flags an ICMP error quotes",
	 get_inner_tcp_flags},
	{"inner.icmp.type", VAL_UINT, icmp_type_syms, "ICMP or ICMPv6 type an ICMP error quotes",
	 get_inner_icmp_type},
	{"inner.icmp.id", VAL_UINT, NULL, "echo identifier an ICMP error quotes",
	 get_inner_icmp_id},
	{"inner.icmp.seq", VAL_UINT, NULL, "echo sequence an ICMP error quotes",
	 get_inner_icmp_seq},
	{"arp.op", VAL_UINT, arp_op_syms, "ARP operation: request, reply or a number", get_arp_op},
	{"arp.spa", VAL_ADDR, NULL, "ARP sender protocol (IPv4) address", get_arp_spa},
	{"arp.tpa", VAL_ADDR, NULL, "ARP target protocol (IPv4) address", get_arp_tpa},
	{"arp.sha", VAL_MAC, NULL, "ARP sender hardware address", get_arp_sha},
	{"arp.tha", VAL_MAC, NULL, "ARP target hardware address", get_arp_tha},
	{"payload", VAL_BYTES, NULL, "bytes after the TCP, UDP or ICMP header (the first 256)",
	 get_payload},
	{"len", VAL_UINT, NULL, "frame length on the wire", get_len},
	{NULL, 0, NULL, NULL, NULL},
};

/* ---- conntrack entries ---- */

#define CT(rec) ((const struct ct_rec *)(rec))

static const struct sym ct_event_syms[] = {
	{"entry", CT_ENTRY},	 {"new", CT_NEW}, {"update", CT_UPDATE},
	{"destroy", CT_DESTROY}, {NULL, 0},
};

static const struct sym tcp_state_syms[] = {
	{"NONE", 0},	 {"SYN_SENT", 1},   {"SYN_RECV", 2}, {"ESTABLISHED", 3},
	{"FIN_WAIT", 4}, {"CLOSE_WAIT", 5}, {"LAST_ACK", 6}, {"TIME_WAIT", 7},
	{"CLOSE", 8},	 {"SYN_SENT2", 9},  {NULL, 0},
};

/* enum ip_conntrack_status, as conntrack(8) names the bits. */
const struct sym ct_status_syms[] = {
	{"EXPECTED", 1 << 0},
	{"SEEN_REPLY", 1 << 1},
	{"ASSURED", 1 << 2},
	{"CONFIRMED", 1 << 3},
	{"SRC_NAT", 1 << 4},
	{"DST_NAT", 1 << 5},
	{"SEQ_ADJUST", 1 << 6},
	{"SRC_NAT_DONE", 1 << 7},
	{"DST_NAT_DONE", 1 << 8},
	{"DYING", 1 << 9},
	{"FIXED_TIMEOUT", 1 << 10},
	{"TEMPLATE", 1 << 11},
	{"NAT_CLASH", 1 << 12},
	{"HELPER", 1 << 13},
	{"OFFLOAD", 1 << 14},
	{"HW_OFFLOAD", 1 << 15},
	{NULL, 0},
};

#define CT_UINT(fn, cond, expr)                          \
	static bool fn(const void *rec, struct value *v) \
	{                                                \
		const struct ct_rec *c = CT(rec);        \
		return (cond) && value_uint(v, (expr));  \
	}

#define CT_ADDR(fn, member)                              \
	static bool fn(const void *rec, struct value *v) \
	{                                                \
		return put_addr(v, &CT(rec)->member);    \
	}

CT_UINT(get_ct_event, true, c->event)
CT_UINT(get_ct_proto, true, c->proto)
CT_ADDR(get_ct_orig_src, orig_src)
CT_ADDR(get_ct_orig_dst, orig_dst)
CT_ADDR(get_ct_reply_src, reply_src)
CT_ADDR(get_ct_reply_dst, reply_dst)
CT_UINT(get_ct_orig_sport, c->present &CT_HAS_PORTS, c->orig_sport)
CT_UINT(get_ct_orig_dport, c->present &CT_HAS_PORTS, c->orig_dport)
CT_UINT(get_ct_reply_sport, c->present &CT_HAS_PORTS, c->reply_sport)
CT_UINT(get_ct_reply_dport, c->present &CT_HAS_PORTS, c->reply_dport)
CT_UINT(get_ct_icmp_type, c->present &CT_HAS_ICMP, c->icmp_type)
CT_UINT(get_ct_icmp_code, c->present &CT_HAS_ICMP, c->icmp_code)
CT_UINT(get_ct_icmp_id, c->present &CT_HAS_ICMP, c->icmp_id)
CT_UINT(get_ct_reply_icmp_id, c->present &CT_HAS_ICMP, c->reply_icmp_id)
CT_UINT(get_ct_state, c->present &CT_HAS_TCP_STATE, c->tcp_state)
CT_UINT(get_ct_mark, true, c->mark)
CT_UINT(get_ct_zone, true, c->zone)
CT_UINT(get_ct_zone_orig, true, c->zone_orig)
CT_UINT(get_ct_zone_reply, true, c->zone_reply)
CT_UINT(get_ct_timeout, c->present &CT_HAS_TIMEOUT, c->timeout)
CT_UINT(get_ct_id, true, c->id)

static bool get_ct_status(const void *rec, struct value *v)
{
	return value_flags(v, CT(rec)->status);
}

static bool get_ct_helper(const void *rec, struct value *v)
{
	return (CT(rec)->present & CT_HAS_HELPER) && value_str(v, CT(rec)->helper);
}

const struct field_def ct_fields[] = {
	{"ct.event", VAL_UINT, ct_event_syms, "new, update or destroy (entry for a table dump)",
	 get_ct_event},
	{"ct.proto", VAL_UINT, proto_syms, "layer-4 protocol", get_ct_proto},
	{"ct.orig.src", VAL_ADDR, NULL, "original direction source address", get_ct_orig_src},
	{"ct.orig.dst", VAL_ADDR, NULL, "original direction destination address", get_ct_orig_dst},
	{"ct.orig.sport", VAL_UINT, NULL, "original direction source port", get_ct_orig_sport},
	{"ct.orig.dport", VAL_UINT, NULL, "original direction destination port", get_ct_orig_dport},
	{"ct.reply.src", VAL_ADDR, NULL, "reply direction source address", get_ct_reply_src},
	{"ct.reply.dst", VAL_ADDR, NULL, "reply direction destination address", get_ct_reply_dst},
	{"ct.reply.sport", VAL_UINT, NULL, "reply direction source port", get_ct_reply_sport},
	{"ct.reply.dport", VAL_UINT, NULL, "reply direction destination port", get_ct_reply_dport},
	{"ct.icmp.type", VAL_UINT, icmp_type_syms, "ICMP type of the original direction",
	 get_ct_icmp_type},
	{"ct.icmp.code", VAL_UINT, NULL, "ICMP code of the original direction", get_ct_icmp_code},
	{"ct.icmp.id", VAL_UINT, NULL, "ICMP echo identifier", get_ct_icmp_id},
	{"ct.reply.icmp.id", VAL_UINT, NULL, "ICMP echo identifier of the reply direction",
	 get_ct_reply_icmp_id},
	{"ct.state", VAL_UINT, tcp_state_syms, "TCP state (SYN_SENT ... TIME_WAIT)", get_ct_state},
	{"ct.status", VAL_FLAGS, ct_status_syms, "status bits (ASSURED, SRC_NAT, DST_NAT ...)",
	 get_ct_status},
	{"ct.mark", VAL_UINT, NULL, "connection mark", get_ct_mark},
	{"ct.zone", VAL_UINT, NULL, "conntrack zone of both directions", get_ct_zone},
	{"ct.zone.orig", VAL_UINT, NULL, "zone of the original direction", get_ct_zone_orig},
	{"ct.zone.reply", VAL_UINT, NULL, "zone of the reply direction", get_ct_zone_reply},
	{"ct.timeout", VAL_UINT, NULL, "seconds until the entry expires", get_ct_timeout},
	{"ct.helper", VAL_STR, NULL, "helper name (ftp, sip ...)", get_ct_helper},
	{"ct.id", VAL_UINT, NULL, "conntrack id", get_ct_id},
	{NULL, 0, NULL, NULL, NULL},
};

/* ---- conntrack expectations ---- */

static const struct sym exp_flag_syms[] = {
	{"PERMANENT", 1}, {"INACTIVE", 2}, {"USERSPACE", 4}, {NULL, 0}};

#define EXP_GET(fn, cond, put) REC_GET(fn, struct exp_rec, cond, put)
EXP_GET(get_exp_proto, true, value_uint(v, r->proto))
EXP_GET(get_exp_src, r->present &EXP_HAS_SRC, put_addr(v, &r->src))
EXP_GET(get_exp_dst, true, put_addr(v, &r->dst))
EXP_GET(get_exp_sport, r->present &EXP_HAS_SPORT, value_uint(v, r->sport))
EXP_GET(get_exp_dport, r->present &EXP_HAS_PORTS, value_uint(v, r->dport))
EXP_GET(get_exp_master_proto, true, value_uint(v, r->master_proto))
EXP_GET(get_exp_master_src, true, put_addr(v, &r->master_src))
EXP_GET(get_exp_master_dst, true, put_addr(v, &r->master_dst))
EXP_GET(get_exp_master_sport, r->present &EXP_HAS_MASTER_PORTS, value_uint(v, r->master_sport))
EXP_GET(get_exp_master_dport, r->present &EXP_HAS_MASTER_PORTS, value_uint(v, r->master_dport))
EXP_GET(get_exp_helper, r->helper[0], value_str(v, r->helper))
EXP_GET(get_exp_timeout, true, value_uint(v, r->timeout))
EXP_GET(get_exp_flags, true, value_flags(v, r->flags))
EXP_GET(get_exp_class, true, value_uint(v, r->class))
EXP_GET(get_exp_zone, true, value_uint(v, r->zone))

const struct field_def exp_fields[] = {
	{"exp.proto", VAL_UINT, proto_syms, "protocol of the expected connection", get_exp_proto},
	{"exp.src", VAL_ADDR, NULL, "its source address; absent when any will do", get_exp_src},
	{"exp.dst", VAL_ADDR, NULL, "its destination address", get_exp_dst},
	{"exp.sport", VAL_UINT, NULL, "its source port; absent when any will do", get_exp_sport},
	{"exp.dport", VAL_UINT, NULL, "its destination port", get_exp_dport},
	{"exp.master.proto", VAL_UINT, proto_syms, "protocol of the master connection",
	 get_exp_master_proto},
	{"exp.master.src", VAL_ADDR, NULL, "the master connection's original source address",
	 get_exp_master_src},
	{"exp.master.dst", VAL_ADDR, NULL, "the master connection's original destination address",
	 get_exp_master_dst},
	{"exp.master.sport", VAL_UINT, NULL, "the master connection's original source port",
	 get_exp_master_sport},
	{"exp.master.dport", VAL_UINT, NULL, "the master connection's original destination port",
	 get_exp_master_dport},
	{"exp.helper", VAL_STR, NULL, "the helper that made it (ftp, sip ...)", get_exp_helper},
	{"exp.timeout", VAL_UINT, NULL, "seconds until it expires", get_exp_timeout},
	{"exp.flags", VAL_FLAGS, exp_flag_syms, "PERMANENT, INACTIVE, USERSPACE", get_exp_flags},
	{"exp.class", VAL_UINT, NULL, "the helper's expectation class", get_exp_class},
	{"exp.zone", VAL_UINT, NULL, "conntrack zone", get_exp_zone},
	{NULL, 0, NULL, NULL, NULL},
};

const struct field_def *field_find(const struct field_def *table, const char *name)
{
	for (; table->name; table++)
		if (!strcmp(table->name, name))
			return table;
	return NULL;
}

/* ---- parsing ---- */

static int parse_number(const char *s, uint64_t *out)
{
	char *end;

	if (!*s || *s == '-' || *s == '+')
		return -1;
	errno = 0;
	*out = strtoull(s, &end, 0);
	return errno || *end ? -1 : 0;
}

/* Names compare without case, with '-' and '_' alike: "SYN_SENT" is "syn-sent". */
static bool name_equal(const char *a, const char *b)
{
	for (; *a && *b; a++, b++) {
		int x = *a == '_' ? '-' : tolower((unsigned char)*a);
		int y = *b == '_' ? '-' : tolower((unsigned char)*b);

		if (x != y)
			return false;
	}
	return *a == *b;
}

static const struct sym *sym_by_name(const struct sym *t, const char *name)
{
	for (; t && t->name; t++)
		if (name_equal(t->name, name))
			return t;
	return NULL;
}

static const char *sym_by_value(const struct sym *t, uint64_t v)
{
	for (; t && t->name; t++)
		if (t->value == v)
			return t->name;
	return NULL;
}

/* The names of t joined by ", "; with aliases false, only the name each value prints as. */
static void sym_list(const struct sym *t, bool aliases, char *buf, size_t len)
{
	size_t n = 0;
	int i;

	buf[0] = '\0';
	for (i = 0; t[i].name && n < len; i++)
		if (aliases || sym_by_value(t, t[i].value) == t[i].name)
			n += (size_t)snprintf(buf + n, len - n, "%s%s", n ? ", " : "", t[i].name);
}

/* Fields whose names depend on another field's value: the codes of each ICMP type. */
struct keyed_names {
	const char *field;	    /* "icmp.code" */
	const char *key;	    /* the field whose value picks the names: "icmp.type" */
	const struct sym *key_syms; /* the names of the key's values */
	const struct code_group *groups;
};

static const struct keyed_names keyed[] = {
	{"icmp.code", "icmp.type", icmp_type_syms, icmp_codes},
	{"icmp6.code", "icmp6.type", icmp6_type_syms, icmp6_codes},
};

static const struct keyed_names *keyed_of(const struct field_def *f)
{
	size_t i;

	for (i = 0; i < sizeof(keyed) / sizeof(keyed[0]); i++)
		if (!strcmp(f->name, keyed[i].field))
			return &keyed[i];
	return NULL;
}

/* "destination-unreachable" for ICMP type 3; "200" for a type without a name. */
static const char *key_name(const struct keyed_names *k, uint64_t key, char *buf, size_t len)
{
	const char *name = sym_by_value(k->key_syms, key);

	if (name)
		snprintf(buf, len, "%s", name);
	else
		snprintf(buf, len, "%llu", (unsigned long long)key);
	return buf;
}

/* "destination-unreachable: net-unreachable, ...; redirect: net, host, ..." */
static void code_lists(const struct keyed_names *k, char *buf, size_t len)
{
	const struct code_group *g;
	char type[40];
	size_t n = 0;

	buf[0] = '\0';
	for (g = k->groups; g->codes && n < len; g++) {
		n += (size_t)snprintf(buf + n, len - n, "%s%s: ", n ? "; " : "",
				      key_name(k, g->type, type, sizeof(type)));
		if (n < len)
			sym_list(g->codes, false, buf + n, len - n);
		n += strlen(buf + n);
	}
}

/*
 * Looks name up among the codes of ICMP type *type, or of every type when type
 * is NULL (then a name of several types is an error unless shared is true, and
 * the first is taken). Returns the codes of the name's type and sets *out, or
 * NULL with err.
 */
static const struct sym *code_parse(const struct keyed_names *k, const uint64_t *type,
				    const char *name, bool shared, uint64_t *out, char *err,
				    size_t errlen)
{
	const struct code_group *g, *found = NULL;
	char list[800], tname[40];
	size_t n = 0, nl = 0;

	if (type) {
		const struct sym *codes = codes_of(k->groups, *type);
		const struct sym *sym = sym_by_name(codes, name);

		if (sym) {
			*out = sym->value;
			return codes;
		}
		key_name(k, *type, tname, sizeof(tname));
		if (codes == no_codes) {
			snprintf(err, errlen,
				 "%s %s has no named codes: write %s as a number, got \"%s\"",
				 k->key, tname, k->field, name);
		} else {
			sym_list(codes, false, list, sizeof(list));
			snprintf(err, errlen,
				 "\"%s\" is not a code of %s %s, whose codes are %s (or a number)",
				 name, k->key, tname, list);
		}
		return NULL;
	}
	list[0] = '\0';
	for (g = k->groups; g->codes; g++) {
		const struct sym *sym = sym_by_name(g->codes, name);

		if (!sym)
			continue;
		if (!found) {
			found = g;
			*out = sym->value;
		}
		n++;
		if (nl < sizeof(list))
			nl += (size_t)snprintf(list + nl, sizeof(list) - nl, "%s%s", nl ? ", " : "",
					       key_name(k, g->type, tname, sizeof(tname)));
	}
	if (n == 1 || (n > 1 && shared))
		return found->codes;
	if (n > 1) {
		snprintf(err, errlen,
			 "\"%s\" is a code of several types (%s): give %s in the match", name, list,
			 k->key);
		return NULL;
	}
	code_lists(k, list, sizeof(list));
	snprintf(err, errlen,
		 "expected a number or a code name, got \"%s\"; the codes of each %s: %s", name,
		 k->key, list);
	return NULL;
}

static int parse_uint_value(const struct field_def *f, const char *s, uint64_t *out, char *err,
			    size_t errlen)
{
	const struct sym *sym = sym_by_name(f->syms, s);
	char names[400];

	if (sym) {
		*out = sym->value;
		return 0;
	}
	if (parse_number(s, out) == 0)
		return 0;
	if (f->syms) {
		sym_list(f->syms, true, names, sizeof(names));
		snprintf(err, errlen, "expected a number or one of %s; got \"%s\"", names, s);
	} else {
		snprintf(err, errlen, "expected a number, got \"%s\"", s);
	}
	return -1;
}

static int parse_flags(const struct field_def *f, const char *s, uint64_t *out, char *err,
		       size_t errlen)
{
	char buf[128], *tok, *save = NULL, names[200];

	if (parse_number(s, out) == 0)
		return 0;
	if (strlen(s) >= sizeof(buf))
		goto bad;
	strcpy(buf, s);
	*out = 0;
	for (tok = strtok_r(buf, ",| ", &save); tok; tok = strtok_r(NULL, ",| ", &save)) {
		const struct sym *sym = sym_by_name(f->syms, tok);

		if (!sym)
			goto bad;
		*out |= sym->value;
	}
	if (*out)
		return 0;
bad:
	sym_list(f->syms, true, names, sizeof(names));
	snprintf(err, errlen, "expected flag names joined by ',' (%s) or a number, got \"%s\"",
		 names, s);
	return -1;
}

int field_parse_number(const struct field_def *f, const uint64_t *key, const char *s, uint64_t *out,
		       char *err, size_t errlen)
{
	const struct keyed_names *k = keyed_of(f);

	if (f->kind == VAL_FLAGS)
		return parse_flags(f, s, out, err, errlen);
	if (k && parse_number(s, out))
		return code_parse(k, key, s, false, out, err, errlen) ? 0 : -1;
	return parse_uint_value(f, s, out, err, errlen);
}

/* Resolves one condition's code name against type (NULL: none given). */
static int code_resolve(struct pred *p, const struct keyed_names *k, const uint64_t *type,
			char *err, size_t errlen)
{
	if (!p->v.names || p->op == PRED_ABSENT)
		return 0; /* a code given as a number */
	p->v.names = code_parse(k, type, p->v.s, false, &p->v.u, err, errlen);
	return p->v.names ? 0 : -1;
}

int pred_list_resolve(struct pred *preds, size_t n, size_t *bad, char *err, size_t errlen)
{
	size_t i, j;

	for (i = 0; i < n; i++) {
		struct pred *p = &preds[i];
		const struct keyed_names *k = keyed_of(p->field);
		const uint64_t *type = NULL;
		int rc = 0;

		if (!k)
			continue;
		for (j = 0; j < n; j++)
			if (preds[j].op == PRED_EQ && !preds[j].ref &&
			    !strcmp(preds[j].field->name, k->key))
				type = &preds[j].v.u;
		if (p->op == PRED_ANY)
			for (j = 0; j < p->n_alts && !rc; j++)
				rc = code_resolve(&p->alts[j], k, type, err, errlen);
		else
			rc = code_resolve(p, k, type, err, errlen);
		if (rc) {
			*bad = i;
			return -1;
		}
	}
	return 0;
}

static void quote(const char *s, char *buf, size_t len);

/* Fields whose type names are those of the quoted header's family: ICMP or ICMPv6. */
static bool names_per_family(const struct field_def *f)
{
	return !strcmp(f->name, "inner.icmp.type");
}

/* A type name of either family into out (its v4 value when both have it); -1 with err. */
static int parse_family_name(const char *s, struct pred *out, char *err, size_t errlen)
{
	const struct sym *sym = sym_by_name(icmp_type_syms, s);
	char v4[400], v6[600];

	if (!sym)
		sym = sym_by_name(icmp6_type_syms, s);
	if (sym) {
		out->v.u = sym->value;
		out->name_per_family = true;
		snprintf(out->v.s, sizeof(out->v.s), "%s", s);
		return 0;
	}
	sym_list(icmp_type_syms, false, v4, sizeof(v4));
	sym_list(icmp6_type_syms, false, v6, sizeof(v6));
	snprintf(err, errlen,
		 "expected a number, an ICMP type name (%s) or an ICMPv6 type name (%s); got "
		 "\"%s\"",
		 v4, v6, s);
	return -1;
}

static int hex_digit(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Hex digits, two a byte, spaces or ':' allowed between bytes, into out (at most max). */
static int parse_hex(const char *s, uint8_t *out, size_t max, size_t *n, char *err, size_t errlen)
{
	const char *start = s;

	*n = 0;
	while (*s) {
		int hi, lo;

		if (*s == ' ' || *s == ':') {
			s++;
			continue;
		}
		hi = hex_digit((unsigned char)s[0]);
		lo = hi < 0 ? -1 : hex_digit((unsigned char)s[1]);
		if (lo < 0) {
			snprintf(err, errlen,
				 "expected hex digits two per byte (hex:474554 or hex:47 45 54), "
				 "got \"%s\"",
				 start);
			return -1;
		}
		if (*n == max) {
			snprintf(err, errlen, "at most %zu bytes can be given, got \"%s\"", max,
				 start);
			return -1;
		}
		out[(*n)++] = (uint8_t)(hi << 4 | lo);
		s += 2;
	}
	if (!*n) {
		snprintf(err, errlen, "expected hex digits after \"hex:\"");
		return -1;
	}
	return 0;
}

/* "TEXT", "hex:HEX", "contains:TEXT", "contains:hex:HEX" or "regex:ERE" into out. */
static int parse_bytes(const char *s, struct pred *out, char *err, size_t errlen)
{
	size_t max = sizeof(out->v.s) - 1;
	char msg[200];

	if (!strncmp(s, "regex:", 6)) {
		s += 6;
		out->how = BYTES_REGEX;
		if (strlen(s) > max) {
			snprintf(err, errlen,
				 "a regular expression of at most %zu characters, got %zu", max,
				 strlen(s));
			return -1;
		}
		snprintf(out->v.s, sizeof(out->v.s), "%s", s);
		out->re = calloc(1, sizeof(*out->re));
		if (!out->re)
			abort();
		if (regex_compile(out->re, s, REG_NOSUB, msg, sizeof(msg))) {
			char shown[4 * sizeof(out->v.s) + 8];

			free(out->re);
			out->re = NULL;
			quote(s, shown, sizeof(shown));
			snprintf(err, errlen, "bad regular expression %s: %s", shown, msg);
			return -1;
		}
		return 0;
	}
	if (!strncmp(s, "contains:", 9)) {
		s += 9;
		out->how = BYTES_CONTAINS;
	}
	if (!strncmp(s, "hex:", 4)) {
		out->hex = true;
		return parse_hex(s + 4, (uint8_t *)out->v.s, max, &out->v.nbytes, err, errlen);
	}
	if (strlen(s) > max) {
		snprintf(err, errlen, "at most %zu bytes can be given, got %zu", max, strlen(s));
		return -1;
	}
	if (out->how == BYTES_CONTAINS && !*s) {
		snprintf(err, errlen, "expected text (or hex:HEX) after \"contains:\"");
		return -1;
	}
	out->v.nbytes = strlen(s);
	memcpy(out->v.s, s, out->v.nbytes);
	return 0;
}

void pred_release(struct pred *p)
{
	if (p->re) {
		regfree(p->re);
		free(p->re);
		p->re = NULL;
	}
	pred_list_free(p->alts, p->n_alts);
	p->alts = NULL;
	p->n_alts = 0;
	if (p->ref)
		free(p->ref->text);
	free(p->ref);
	p->ref = NULL;
}

void pred_list_free(struct pred *preds, size_t n)
{
	size_t i;

	for (i = 0; preds && i < n; i++)
		pred_release(&preds[i]);
	free(preds);
}

int pred_ref_set(struct pred *p, const struct value *v)
{
	if (v->kind != p->field->kind)
		return -1;
	p->v = *v;
	if (v->kind == VAL_UINT || v->kind == VAL_FLAGS) {
		p->v.u = v->u + (uint64_t)p->ref->add;
		if (v->u <= UINT32_MAX)
			p->v.u &= UINT32_MAX;
		/* A number named for another field's values is compared as a number. */
		p->v.names = NULL;
	}
	p->plen = -1;
	p->ref_set = true;
	return 0;
}

int pred_parse(const struct field_def *f, const char *text, struct pred *out, char *err,
	       size_t errlen)
{
	static const struct {
		const char *prefix;
		enum pred_op op;
	} ops[] = {{"<=", PRED_LE}, {">=", PRED_GE}, {"<", PRED_LT},   {">", PRED_GT},
		   {"!", PRED_NE},  {"+", PRED_HAS}, {"-", PRED_LACKS}};
	const struct keyed_names *k;
	const char *s = text;
	size_t i;

	memset(out, 0, sizeof(*out));
	out->field = f;
	out->op = PRED_EQ;
	out->plen = -1;
	out->v.kind = f->kind;
	if (!strcmp(text, "absent")) {
		out->op = PRED_ABSENT;
		return 0;
	}
	for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		size_t n = strlen(ops[i].prefix);

		/* "-" is an operator only for flags: elsewhere "-1" is a bad number. */
		if (ops[i].op == PRED_LACKS && f->kind != VAL_FLAGS)
			continue;
		/* Bytes are compared for (in)equality only: "<html>" is text. */
		if (ops[i].op != PRED_NE && f->kind == VAL_BYTES)
			continue;
		if (!strncmp(s, ops[i].prefix, n)) {
			out->op = ops[i].op;
			s += n;
			break;
		}
	}
	while (*s == ' ' && f->kind != VAL_BYTES)
		s++;
	if (out->op >= PRED_LT && out->op <= PRED_GE && f->kind != VAL_UINT) {
		snprintf(err, errlen, "%s compares numbers; %s is not a number field", text,
			 f->name);
		return -1;
	}
	if ((out->op == PRED_HAS || out->op == PRED_LACKS) && f->kind != VAL_FLAGS) {
		snprintf(err, errlen,
			 "\"+\" and \"-\" (has / lacks these flags) only apply to flag fields, got "
			 "\"%s\"",
			 text);
		return -1;
	}
	switch (f->kind) {
	case VAL_UINT:
		k = keyed_of(f);
		if (k && parse_number(s, &out->v.u)) {
			/* A code name: its type's, until pred_list_resolve() sees the match. */
			out->v.names = code_parse(k, NULL, s, true, &out->v.u, err, errlen);
			snprintf(out->v.s, sizeof(out->v.s), "%s", s);
			return out->v.names ? 0 : -1;
		}
		if (names_per_family(f) && parse_number(s, &out->v.u))
			return parse_family_name(s, out, err, errlen);
		return parse_uint_value(f, s, &out->v.u, err, errlen);
	case VAL_FLAGS:
		return parse_flags(f, s, &out->v.u, err, errlen);
	case VAL_ADDR:
		if (ipaddr_parse(s, &out->v.a, &out->plen)) {
			snprintf(err, errlen,
				 "expected an IPv4 or IPv6 address or prefix (192.0.2.1, "
				 "2001:db8::/32), got \"%s\"",
				 text);
			return -1;
		}
		return 0;
	case VAL_MAC:
		if (mac_parse(s, out->v.mac)) {
			snprintf(err, errlen,
				 "expected a MAC address (02:00:00:00:00:01), got \"%s\"", text);
			return -1;
		}
		return 0;
	case VAL_STR:
		snprintf(out->v.s, sizeof(out->v.s), "%s", s);
		return 0;
	case VAL_BYTES:
		return parse_bytes(s, out, err, errlen);
	}
	return -1;
}

/* ---- matching and formatting ---- */

/* True when the bytes of v satisfy p's "TEXT", "contains:" or "regex:" form. */
static bool bytes_match(const struct pred *p, const struct value *v)
{
	regmatch_t whole = {0, (regoff_t)v->nbytes};

	switch (p->how) {
	case BYTES_WHOLE:
		return v->nbytes == p->v.nbytes && !memcmp(v->bytes, p->v.s, v->nbytes);
	case BYTES_CONTAINS:
		return memmem(v->bytes, v->nbytes, p->v.s, p->v.nbytes) != NULL;
	case BYTES_REGEX:
		/* REG_STARTEND: the payload is no C string, and may hold NUL bytes. */
		return p->re && regexec(p->re, v->nbytes ? (const char *)v->bytes : "", 1, &whole,
					REG_STARTEND) == 0;
	}
	return false;
}

static int compare(const struct pred *p, const struct value *v)
{
	switch (p->v.kind) {
	case VAL_UINT:
	case VAL_FLAGS:
		return v->u < p->v.u ? -1 : v->u > p->v.u;
	case VAL_ADDR:
		if (p->plen >= 0)
			return !ipaddr_in_prefix(&v->a, &p->v.a, p->plen);
		return !ipaddr_equal(&v->a, &p->v.a);
	case VAL_MAC:
		return memcmp(v->mac, p->v.mac, 6) != 0;
	case VAL_STR:
		return strcmp(v->s, p->v.s) != 0;
	case VAL_BYTES:
		return !bytes_match(p, v);
	}
	return 1;
}

/* p on the value v the record has. */
static bool pred_match_value(const struct pred *p, const struct value *v)
{
	switch (p->op) {
	case PRED_EQ:
		return compare(p, v) == 0;
	case PRED_NE:
		return compare(p, v) != 0;
	case PRED_LT:
		return compare(p, v) < 0;
	case PRED_LE:
		return compare(p, v) <= 0;
	case PRED_GT:
		return compare(p, v) > 0;
	case PRED_GE:
		return compare(p, v) >= 0;
	case PRED_HAS:
		return (v->u & p->v.u) == p->v.u;
	case PRED_LACKS:
		return (v->u & p->v.u) == 0;
	case PRED_ABSENT:
	case PRED_ANY:
		return false;
	}
	return false;
}

bool pred_match(const struct pred *p, const void *rec)
{
	struct value v;
	size_t i;

	if (p->op == PRED_ANY) {
		for (i = 0; i < p->n_alts; i++)
			if (pred_match(&p->alts[i], rec))
				return true;
		return false;
	}
	if (p->ref && !p->ref_set)
		return false; /* nothing to compare with yet: the run sets it */
	if (!p->field->get(rec, &v))
		return p->op == PRED_ABSENT || p->op == PRED_NE;
	/* A code named for one ICMP type holds only for packets of that type. */
	if (p->v.names && v.names != p->v.names)
		return p->op == PRED_NE;
	if (p->name_per_family) {
		const struct sym *sym = sym_by_name(v.names, p->v.s);
		struct pred q = *p;

		if (!sym)
			return p->op == PRED_NE; /* no type of the quote's family has that name */
		q.name_per_family = false;
		q.v.u = sym->value;
		return pred_match_value(&q, &v);
	}
	return pred_match_value(p, &v);
}

/* Marks are bit patterns: ct.mark, log.mark, trace.mark print in hex. */
static bool is_mark(const struct field_def *f)
{
	size_t n = strlen(f->name);

	return n >= 4 && !strcmp(f->name + n - 4, "mark");
}

static void bytes_text(const uint8_t *b, size_t n, bool hex, bool quoted, char *buf, size_t len);

const char *value_fmt(const struct field_def *f, const struct value *v, char *buf, size_t len)
{
	const char *name;
	size_t n = 0;
	int i;

	switch (v->kind) {
	case VAL_UINT:
		name = sym_by_value(v->names ? v->names : f->syms, v->u);
		if (name)
			snprintf(buf, len, "%s", name);
		else if (is_mark(f) && v->u)
			snprintf(buf, len, "0x%llx",
				 (unsigned long long)v->u); /* as rules write them */
		else
			snprintf(buf, len, "%llu", (unsigned long long)v->u);
		break;
	case VAL_FLAGS:
		buf[0] = '\0';
		for (i = 0; f->syms && f->syms[i].name && n < len; i++)
			if (v->u & f->syms[i].value)
				n += (size_t)snprintf(buf + n, len - n, "%s%s", n ? "," : "",
						      f->syms[i].name);
		if (!n)
			snprintf(buf, len, "none");
		break;
	case VAL_ADDR:
		if (len >= IPADDR_STRLEN)
			ipaddr_fmt(&v->a, buf);
		else
			snprintf(buf, len, "?");
		break;
	case VAL_MAC:
		snprintf(buf, len, "%02x:%02x:%02x:%02x:%02x:%02x", v->mac[0], v->mac[1], v->mac[2],
			 v->mac[3], v->mac[4], v->mac[5]);
		break;
	case VAL_STR:
		snprintf(buf, len, "%s", v->s);
		break;
	case VAL_BYTES:
		bytes_text(v->bytes, v->nbytes, false, false, buf, len);
		break;
	}
	return buf;
}

/*
 * s in double quotes into buf, escaped as C writes it: \", \\, \n, \t, \r, other
 * control characters as \xNN (C1 ones as \uNNNN), bytes that are no UTF-8 as \xNN.
 * Text that does not fit ends in "...".
 */
static void quote(const char *s, char *buf, size_t len)
{
	size_t n = 0, i = 0, slen = strlen(s);

	if (len < 8) {
		snprintf(buf, len, "\"...\"");
		return;
	}
	buf[n++] = '"';
	while (i < slen) {
		size_t clen, olen;
		int32_t cp = utf8_decode(s + i, slen - i, &clen);
		char esc[16]; /* \x7f or \u009f; sized past any int the compiler imagines */
		const char *out = esc;

		if (cp < 0) {
			snprintf(esc, sizeof(esc), "\\x%02x", (unsigned char)s[i]);
			clen = 1; /* the bytes after it are looked at on their own */
		} else if (cp == '"' || cp == '\\') {
			snprintf(esc, sizeof(esc), "\\%c", (char)cp);
		} else if (cp == '\n' || cp == '\t' || cp == '\r') {
			snprintf(esc, sizeof(esc), "\\%c",
				 cp == '\n'   ? 'n'
				 : cp == '\t' ? 't'
					      : 'r');
		} else if (cp < 0x20 || cp == 0x7f) {
			snprintf(esc, sizeof(esc), "\\x%02x", (unsigned int)cp);
		} else if (cp >= 0x80 && cp < 0xa0) {
			snprintf(esc, sizeof(esc), "\\u%04x", (unsigned int)cp);
		} else {
			out = s + i;
		}
		olen = out == esc ? strlen(esc) : clen;
		if (n + olen + 5 > len) { /* room for ...", and the NUL */
			memcpy(buf + n, "...", 3);
			n += 3;
			break;
		}
		memcpy(buf + n, out, olen);
		n += olen;
		i += clen;
	}
	buf[n++] = '"';
	buf[n] = '\0';
}

/* True when n bytes at b read as text: no NUL or other control bytes but tab, CR, LF. */
static bool bytes_printable(const uint8_t *b, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if ((b[i] < 0x20 && b[i] != '\t' && b[i] != '\r' && b[i] != '\n') || b[i] == 0x7f)
			return false;
	return true;
}

/*
 * n bytes at b into buf: as text when they read as text and hex is false (in
 * double quotes, escaped, when quoted is true), else as "hex:" and two digits a
 * byte. What does not fit ends in "...".
 */
static void bytes_text(const uint8_t *b, size_t n, bool hex, bool quoted, char *buf, size_t len)
{
	char text[sizeof(((struct value *)0)->s) * 2];
	size_t i, k;

	if (!hex && bytes_printable(b, n)) {
		k = n < sizeof(text) - 1 ? n : sizeof(text) - 1;
		memcpy(text, b, k);
		text[k] = '\0';
		if (quoted)
			quote(text, buf, len);
		else
			snprintf(buf, len, "%s", text);
		return;
	}
	k = (size_t)snprintf(buf, len, "hex:");
	for (i = 0; i < n && k + 2 < len; i++) {
		if (k + 6 >= len && i + 1 < n) { /* room for "..." and the NUL */
			snprintf(buf + k, len - k, "...");
			return;
		}
		k += (size_t)snprintf(buf + k, len - k, "%02x", b[i]);
	}
}

const char *value_show(const struct field_def *f, const struct value *v, char *buf, size_t len)
{
	char letters[16];
	size_t n;

	if (v->kind == VAL_STR) {
		quote(v->s, buf, len);
		return buf;
	}
	if (v->kind == VAL_BYTES) {
		bytes_text(v->bytes, v->nbytes, false, true, buf, len);
		return buf;
	}
	value_fmt(f, v, buf, len);
	/* TCP flags also as the summaries write them (tcpdump's "Flags [S.]"). */
	if (v->kind == VAL_FLAGS && f->syms == tcp_flag_syms && v->u) {
		n = strlen(buf);
		snprintf(buf + n, len - n, " [%s]",
			 pkt_tcp_flags((uint8_t)v->u, letters, sizeof(letters)));
	}
	return buf;
}

/* "syn.tcp.seq", "syn.tcp.seq + 1", "syn.tcp.seq - 2" into buf. Returns buf. */
static const char *ref_text(const struct pred_ref *ref, char *buf, size_t len)
{
	uint64_t mag = ref->add < 0 ? -(uint64_t)ref->add : (uint64_t)ref->add;

	if (ref->add)
		snprintf(buf, len, "%s %c %llu", ref->text, ref->add < 0 ? '-' : '+',
			 (unsigned long long)mag);
	else
		snprintf(buf, len, "%s", ref->text);
	return buf;
}

static const char *pred_text(const struct pred *p, bool show, char *buf, size_t len)
{
	static const char *const prefix[] = {
		[PRED_EQ] = "",	 [PRED_NE] = "!",  [PRED_LT] = "<",  [PRED_LE] = "<=",
		[PRED_GT] = ">", [PRED_GE] = ">=", [PRED_HAS] = "+", [PRED_LACKS] = "-",
	};
	char v[4 * sizeof(p->v.s) + 8];
	size_t n = 0, i;

	if (p->op == PRED_ABSENT) {
		snprintf(buf, len, "absent");
		return buf;
	}
	if (p->op == PRED_ANY) {
		n = (size_t)snprintf(buf, len, "[");
		for (i = 0; i < p->n_alts && n < len; i++) {
			pred_text(&p->alts[i], show, v, sizeof(v));
			n += (size_t)snprintf(buf + n, len - n, "%s%s", i ? ", " : "", v);
		}
		if (n < len)
			snprintf(buf + n, len - n, "]");
		return buf;
	}
	if (p->ref && !p->ref_set) /* before the run: what it refers to */
		return ref_text(p->ref, buf, len);
	if (p->v.kind == VAL_BYTES) {
		static const char *const how[] = {[BYTES_WHOLE] = "",
						  [BYTES_CONTAINS] = "contains:",
						  [BYTES_REGEX] = "regex:"};
		size_t k = (size_t)snprintf(v, sizeof(v), "%s", how[p->how]);

		/* Always quoted: a payload's text often holds spaces, CR and LF. */
		if (p->how == BYTES_REGEX)
			quote(p->v.s, v + k, sizeof(v) - k);
		else
			bytes_text((const uint8_t *)p->v.s, p->v.nbytes, p->hex, true, v + k,
				   sizeof(v) - k);
	} else if (p->name_per_family) {
		snprintf(v, sizeof(v), "%s", p->v.s);
	} else if (show && p->v.kind == VAL_STR) {
		quote(p->v.s, v, sizeof(v));
	} else {
		value_fmt(p->field, &p->v, v, sizeof(v));
	}
	n = (size_t)snprintf(buf, len, "%s%s", prefix[p->op], v);
	if (p->v.kind == VAL_ADDR && p->plen >= 0 && n < len)
		snprintf(buf + n, len - n, "/%d", p->plen);
	n = strlen(buf);
	if (p->ref && n + 3 < len) {
		/* Once set: the value, and where it came from ("1001 (syn.tcp.seq + 1)"). */
		memcpy(buf + n, " (", 3);
		ref_text(p->ref, buf + n + 2, len - n - 2);
		n = strlen(buf);
		if (n + 1 < len)
			memcpy(buf + n, ")", 2);
	}
	return buf;
}

const char *pred_fmt(const struct pred *p, char *buf, size_t len)
{
	return pred_text(p, false, buf, len);
}

const char *pred_show(const struct pred *p, char *buf, size_t len)
{
	return pred_text(p, true, buf, len);
}
