// SPDX-License-Identifier: GPL-2.0-or-later
/* tcpdump filter expressions, compiled once with libpcap and run on each frame. */
#include "observe/pktfilter.h"

#include <ctype.h>
#include <pcap/pcap.h>
#include <stdbool.h>
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

/* Whether s reads as an address: IPv4, IPv6, a MAC or a network prefix of digits. */
static bool address_like(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (!isxdigit((unsigned char)s[i]) && s[i] != ':' && s[i] != '.' && s[i] != '/')
			return false;
	return len > 0;
}

/*
 * A host name in a filter ("host gw", "src www") would be looked up by
 * pcap_compile() through the host's resolver: a lab may not make the host send
 * DNS queries, nor depend on its answers. The word after "host", "gateway" or
 * a bare "src"/"dst" must be an address. Returns 0, or -1 with err.
 */
static int names_no_host(const char *expr, char *err, size_t errlen)
{
	static const char *const sep = " \t\r\n()!";
	const char *w = expr, *prev = "", *prev2 = "";
	size_t plen = 0, p2len = 0;

	for (;;) {
		size_t len;

		w += strspn(w, sep);
		if (!*w)
			return 0;
		len = strcspn(w, sep);
#define IS(s, l, word) ((l) == strlen(word) && !strncmp((s), (word), (l)))
		if ((IS(prev, plen, "host") || IS(prev, plen, "gateway") ||
		     ((IS(prev, plen, "src") || IS(prev, plen, "dst")) && !IS(w, len, "host") &&
		      !IS(w, len, "net") && !IS(w, len, "port") && !IS(w, len, "portrange") &&
		      !IS(w, len, "and") && !IS(w, len, "or") && !IS(w, len, "not"))) &&
		    !IS(prev2, p2len, "ether") && !address_like(w, len)) {
			snprintf(
				err, errlen,
				"\"%.*s\" is a host name, which the host's resolver would look up: "
				"give an address",
				(int)(len < 64 ? len : 64), w);
			return -1;
		}
#undef IS
		prev2 = prev, p2len = plen;
		prev = w, plen = len;
		w += len;
	}
}

struct pktfilter *pktfilter_new(int linktype, const char *expr, char *err, size_t errlen)
{
	pcap_t *dead;
	struct pktfilter *f;

	if (strlen(expr) > PKTFILTER_TEXT_MAX) {
		snprintf(err, errlen,
			 "%zu characters: a filter may have at most %d (libpcap's compiler takes "
			 "time growing faster than its length)",
			 strlen(expr), PKTFILTER_TEXT_MAX);
		return NULL;
	}
	if (names_no_host(expr, err, errlen))
		return NULL;
	dead = pcap_open_dead(linktype, PKTFILTER_SNAPLEN);
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
