/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * tcpdump filter expressions ("udp and dst port 53"), compiled once with
 * libpcap on a dead handle of a link type and run on each frame with
 * pcap_offline_filter(): the language engineers already write, checked when
 * the lab is read.
 */
#ifndef NFLAB_PKTFILTER_H
#define NFLAB_PKTFILTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct pktfilter;

/* The DLT_ link type of nflab's own captures (veth and lo frames): Ethernet. */
#define PKTFILTER_ETHERNET 1 /* DLT_EN10MB */

/*
 * Compiles expr for frames of linktype (a DLT_ value). Returns a new filter
 * (free with pktfilter_free()), or NULL with libpcap's message in err.
 */
struct pktfilter *pktfilter_new(int linktype, const char *expr, char *err, size_t errlen);
void pktfilter_free(struct pktfilter *f);
/* Whether the frame (caplen bytes captured of wirelen) passes f. */
bool pktfilter_match(const struct pktfilter *f, const uint8_t *frame, size_t caplen,
		     size_t wirelen);
/* The expression as written (borrowed, valid while f lives). */
const char *pktfilter_text(const struct pktfilter *f);

#endif
