/* SPDX-License-Identifier: GPL-2.0-or-later */
/* pcapng files of captured packets: named interfaces, nanosecond times, comments. */
#ifndef NFLAB_PCAPNG_H
#define NFLAB_PCAPNG_H

#include <stddef.h>
#include <stdint.h>

#include "observe/event.h"
#include "observe/pktfilter.h"
#include "util/diag.h"

struct pcapng_if {
	size_t point;		 /* the capture point whose packets it holds */
	const char *name;	 /* "node:iface" */
	const char *description; /* free text: node, interface, addresses, peer */
	uint32_t snaplen;
	const struct pktfilter *filter; /* frames written: those it passes; NULL: all */
};

/* A comment put on one packet (the first a step sent, say). */
struct pcapng_mark {
	size_t seq; /* the packet event's position in the log (struct event seq) */
	const char *text;
};

/*
 * Writes the packet events of log captured at the interfaces' points, in time
 * order, with each packet's direction in its flags, to path: one section whose
 * comment is section_comment, one Ethernet interface block per ifs entry, and
 * marks as comments of their packets (a mark whose packet is not written, for
 * it was captured at another interface, is left out). Returns 0 or -1.
 */
int pcapng_write(const char *path, const char *section_comment, const struct pcapng_if *ifs,
		 size_t n_ifs, const struct evlog *log, const struct pcapng_mark *marks,
		 size_t n_marks, struct diag *d);

/*
 * The same packets in classic pcap (Ethernet, nanosecond times), written by
 * libpcap's pcap_dump() for tools that read no pcapng. Classic pcap has no
 * interfaces, directions or comments: give it one interface. Returns 0 or -1.
 */
int pcapng_write_classic(const char *path, const struct pcapng_if *ifc, const struct evlog *log,
			 struct diag *d);

#endif
