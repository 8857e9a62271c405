// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target: the replay reader. Any bytes as a capture file (pcap or
 * pcapng, any link type): read, filtered, made Ethernet, mapped and given the
 * lab's Ethernet addresses, as a replay step does. Errors are fine; crashes,
 * leaks and reads out of bounds are not.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "probe/capfile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const filters[] = {NULL, "ip or ip6 or arp", "icmp or icmp6", "udp or tcp"};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t src[6] = {2, 0, 0, 0, 0, 1}, dst[6] = {2, 0, 0, 0, 0, 2};
	struct capmap map[3];
	struct capframes fs = {0};
	struct pktfilter *filter = NULL;
	struct diag d = DIAG_INIT;
	struct capfile *cf;
	char err[512];
	size_t i;
	FILE *f;

	if (!size)
		return 0;
	ipaddr_parse("192.0.2.50", &map[0].from, NULL);
	ipaddr_parse("198.51.100.10", &map[0].to, NULL);
	ipaddr_parse("10.20.0.1", &map[1].from, NULL);
	ipaddr_parse("192.168.42.1", &map[1].to, NULL);
	ipaddr_parse("2001:db8:1::50", &map[2].from, NULL);
	ipaddr_parse("2001:db8::1", &map[2].to, NULL);
	f = fmemopen((void *)data, size, "rb");
	if (!f)
		return 0;
	cf = capfile_open(f, "fuzz.pcap", &d);
	if (!cf)
		return 0;
	/* The last byte picks a filter, compiled for the file's link type as a step does. */
	if (filters[data[size - 1] % 4])
		filter = pktfilter_new(capfile_linktype(cf), filters[data[size - 1] % 4], err,
				       sizeof(err));
	capfile_read(cf, filter, 1000, &fs, &d);
	for (i = 0; i < fs.n; i++) {
		capframe_map(fs.v[i].data, fs.v[i].len, map, 3);
		capframe_set_eth(fs.v[i].data, fs.v[i].len, src, dst);
	}
	capframes_release(&fs);
	pktfilter_free(filter);
	capfile_close(cf);
	return 0;
}
