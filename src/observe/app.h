/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What a packet says at the application layer: DNS questions and answers, HTTP lines. */
#ifndef NFLAB_APP_H
#define NFLAB_APP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "observe/packet.h"

/*
 * One line for what the payload of p (len bytes at payload, as captured; a
 * packet may be hostile, so every read is bounds-checked) says, e.g.
 * "DNS query A www.example.com", "DNS response A www.example.com ->
 * 192.0.2.7", "HTTP GET /index.html", "HTTP 200 OK". DNS is told by port 53
 * (UDP, or TCP with its length prefix) and must hold a whole question; HTTP by
 * its request or status line at the start of a TCP segment, on any port.
 * Returns false (buf untouched) for anything else.
 */
bool app_summary(const struct pkt *p, const uint8_t *payload, size_t len, char *buf, size_t blen);

/*
 * The same for a captured frame of the given link type (PKT_LINK_*), decoded
 * into p: its payload is the last p->outer.payload_len bytes captured.
 */
bool app_frame_summary(const struct pkt *p, const uint8_t *frame, size_t caplen, char *buf,
		       size_t blen);

#endif
