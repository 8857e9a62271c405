// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target: the packet decoder (frames and bare IP, ICMP errors quoting
 * anything) and what it reaches in the story: the application lines of DNS and
 * HTTP, read from the decoded packet's payload and from the bytes as a whole.
 */
#include <stddef.h>
#include <stdint.h>

#include "observe/app.h"
#include "observe/packet.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char buf[512], app[300];
	struct pkt p;

	if (pkt_decode(data, size, size + 100, PKT_LINK_ETHERNET, &p) == 0) {
		pkt_summary(&p, buf, sizeof(buf));
		app_frame_summary(&p, data, size, app, sizeof(app));
	}
	if (pkt_decode(data, size, size, PKT_LINK_RAW, &p) == 0) {
		pkt_summary(&p, buf, sizeof(buf));
		app_frame_summary(&p, data, size, app, sizeof(app));
	}
	/* The whole input as a DNS message (UDP, then TCP with its length) and as HTTP. */
	p = (struct pkt){.outer = {.present = PKT_IP4 | PKT_UDP | PKT_PORTS,
				   .proto = 17,
				   .sport = 53,
				   .dport = 40000}};
	app_summary(&p, data, size, app, sizeof(app));
	p.outer.present = PKT_IP4 | PKT_TCP | PKT_PORTS;
	p.outer.proto = 6;
	app_summary(&p, data, size, app, sizeof(app));
	p.outer.sport = 8080;
	app_summary(&p, data, size, app, sizeof(app));
	return 0;
}
