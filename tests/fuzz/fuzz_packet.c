// SPDX-License-Identifier: GPL-2.0-or-later
/* libFuzzer target: the packet decoder (frames and bare IP, ICMP errors quoting anything). */
#include <stddef.h>
#include <stdint.h>

#include "observe/packet.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char buf[512];
	struct pkt p;

	if (pkt_decode(data, size, size + 100, PKT_LINK_ETHERNET, &p) == 0)
		pkt_summary(&p, buf, sizeof(buf));
	if (pkt_decode(data, size, size, PKT_LINK_RAW, &p) == 0)
		pkt_summary(&p, buf, sizeof(buf));
	return 0;
}
