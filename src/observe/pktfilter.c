// SPDX-License-Identifier: GPL-2.0-or-later
/* tcpdump filter expressions, compiled once with libpcap and run on each frame. */
#include "observe/pktfilter.h"

#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"

/* What the compiled program may read of a frame: libpcap's own maximum. */
#define PKTFILTER_SNAPLEN 262144

struct pktfilter {
	struct bpf_program prog;
	char *text;
};

struct pktfilter *pktfilter_new(int linktype, const char *expr, char *err, size_t errlen)
{
	pcap_t *dead = pcap_open_dead(linktype, PKTFILTER_SNAPLEN);
	struct pktfilter *f;

	if (!dead) {
		snprintf(err, errlen, "libpcap cannot compile filters for link type %d", linktype);
		return NULL;
	}
	f = xzalloc(sizeof(*f));
	/* Optimised; no netmask: "ip broadcast" is then refused with libpcap's own reason. */
	if (pcap_compile(dead, &f->prog, expr, 1, PCAP_NETMASK_UNKNOWN)) {
		snprintf(err, errlen, "%s", pcap_geterr(dead));
		pcap_close(dead);
		free(f);
		return NULL;
	}
	pcap_close(dead);
	f->text = xstrdup(expr);
	return f;
}

void pktfilter_free(struct pktfilter *f)
{
	if (!f)
		return;
	pcap_freecode(&f->prog);
	free(f->text);
	free(f);
}

bool pktfilter_match(const struct pktfilter *f, const uint8_t *frame, size_t caplen, size_t wirelen)
{
	struct pcap_pkthdr h = {.caplen = (bpf_u_int32)caplen,
				.len = (bpf_u_int32)(wirelen < caplen ? caplen : wirelen)};

	return pcap_offline_filter(&f->prog, &h, frame) != 0;
}

const char *pktfilter_text(const struct pktfilter *f)
{
	return f->text;
}
