/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Conntrack of one node: its event stream (NEW, UPDATE, DESTROY) and table dumps. */
#ifndef NFLAB_CTEV_H
#define NFLAB_CTEV_H

#include <stddef.h>
#include <stdint.h>

#include "util/diag.h"
#include "util/ipaddr.h"

enum ct_event_type {
	CT_ENTRY = 0, /* a table entry from a dump, not an event */
	CT_NEW = 1,
	CT_UPDATE = 2,
	CT_DESTROY = 3,
};

/* Presence bits of struct ct_rec. */
enum {
	CT_HAS_PORTS = 1 << 0,
	CT_HAS_ICMP = 1 << 1,
	CT_HAS_TCP_STATE = 1 << 2,
	CT_HAS_TIMEOUT = 1 << 3,
	CT_HAS_HELPER = 1 << 4,
};

/* One conntrack entry as an event or a dump delivered it. */
struct ct_rec {
	uint32_t present; /* CT_HAS_* */
	uint8_t event;	  /* enum ct_event_type */
	uint8_t proto;	  /* layer-4 protocol */
	struct ipaddr orig_src, orig_dst, reply_src, reply_dst;
	uint16_t orig_sport, orig_dport, reply_sport, reply_dport; /* host order */
	uint8_t icmp_type, icmp_code;				   /* original direction */
	uint16_t icmp_id;
	uint16_t reply_icmp_id; /* the reply tuple's ICMP id (NAT may change it) */
	uint8_t tcp_state;	/* TCP_CONNTRACK_*: 1 SYN_SENT ... 7 TIME_WAIT, 8 CLOSE */
	uint32_t status;	/* IPS_* bits */
	uint32_t mark;
	uint16_t zone;			/* CTA_ZONE: the zone of both directions */
	uint16_t zone_orig, zone_reply; /* the zone each direction's tuple is in */
	uint32_t timeout;		/* seconds left */
	uint32_t id;
	char helper[32];
};

struct ctev;
struct evlog;

/*
 * Subscribes to the conntrack events of the netns held by nsfd, with a receive
 * buffer of rcvbuf bytes (0: sized for bursts). Events are logged with source
 * `node`; what names the observer in messages. Returns a new listener; caller
 * frees it with ctev_close(). NULL on error.
 */
struct ctev *ctev_open(int nsfd, size_t node, int rcvbuf, const char *what, struct diag *d);
void ctev_close(struct ctev *c);
int ctev_fd(const struct ctev *c);
/*
 * Reads every event waiting into log. Returns the number read, or -1 when the
 * kernel dropped events (ENOBUFS: the verdict could be wrong) or on error.
 */
int ctev_read(struct ctev *c, struct evlog *log, struct diag *d);

/* Dumps the conntrack table of the netns held by nsfd into log (event CT_ENTRY). Returns 0 or -1.
 */
int ctev_dump(int nsfd, size_t node, struct evlog *log, struct diag *d);

/* Deletes every conntrack entry of the netns held by nsfd. Returns 0 or -1. */
int ctev_flush(int nsfd, struct diag *d);
/*
 * Deletes the entry ct (as a dump of the netns held by nsfd gave it: original
 * tuple, zone, id). One already gone is not an error. Returns 0 or -1.
 */
int ctev_delete(int nsfd, const struct ct_rec *ct, struct diag *d);

/* "[NEW] udp 198.51.100.10:40000 -> 203.0.113.10:9 reply 192.168.1.10:9 -> ... [DST_NAT]". Returns
 * buf. */
const char *ct_summary(const struct ct_rec *ct, char *buf, size_t len);

#endif
