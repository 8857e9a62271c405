// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target: the packet decoder (frames and bare IP, ICMP errors and ND
 * redirects quoting anything, TCP options, ARP, payloads), and every packet
 * field read from what it decoded and formatted as a report shows it.
 */
#include <stddef.h>
#include <stdint.h>

#include "expect/field.h"
#include "observe/packet.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void read_fields(const struct pkt *p)
{
	const struct field_def *f;
	char buf[600];
	struct value v;

	for (f = pkt_fields; f->name; f++)
		if (f->get(p, &v))
			value_show(f, &v, buf, sizeof(buf));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char buf[512];
	struct pkt p;

	if (pkt_decode(data, size, size + 100, PKT_LINK_ETHERNET, &p) == 0) {
		pkt_summary(&p, buf, sizeof(buf));
		read_fields(&p);
	}
	if (pkt_decode(data, size, size, PKT_LINK_RAW, &p) == 0) {
		pkt_summary(&p, buf, sizeof(buf));
		read_fields(&p);
	}
	return 0;
}
