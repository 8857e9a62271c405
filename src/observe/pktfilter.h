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
#include <string.h>

struct pktfilter;

/* The DLT_ link type of nflab's own captures (veth and lo frames): Ethernet. */
#define PKTFILTER_ETHERNET 1 /* DLT_EN10MB */

/*
 * Characters of one filter, and of all of a lab's filters together: libpcap's
 * optimiser takes time growing faster than a filter's length (25 "port N or"
 * terms 9 ms, 100 terms 0.4 s, 400 terms 24 s), and a lab is read in well
 * under 2 s whatever it holds.
 */
#define PKTFILTER_TEXT_MAX 256
#define PKTFILTER_LAB_MAX  4096

/* printf arguments for "%.*s%s": a filter's text in a message, its first 60 characters. */
#define FILTER_SHOWN(text) \
	(strlen(text) > 60 ? 60 : (int)strlen(text)), (text), (strlen(text) > 60 ? "..." : "")

/*
 * Compiles expr for frames of linktype (a DLT_ value). Refuses, before
 * compiling, an expr of more than PKTFILTER_TEXT_MAX characters and a host
 * name where an address goes ("host gw": the host's resolver would look it
 * up). Returns a new filter (free with pktfilter_free()), or NULL with the
 * reason (libpcap's message for a bad expression) in err.
 */
struct pktfilter *pktfilter_new(int linktype, const char *expr, char *err, size_t errlen);
void pktfilter_free(struct pktfilter *f);
/* Whether the frame (caplen bytes captured of wirelen) passes f. */
bool pktfilter_match(const struct pktfilter *f, const uint8_t *frame, size_t caplen,
		     size_t wirelen);
/* The expression as written (borrowed, valid while f lives). */
const char *pktfilter_text(const struct pktfilter *f);

#endif
