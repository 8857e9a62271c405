#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Writes cooked-v6.pcapng: a made-up customer's `tcpdump -i any` capture, the same each run.

Taken on the customer's client host (2001:db8:ff::50), as `tcpdump -i any`
writes it: pcapng, link type LINUX_SLL2 (Linux cooked v2), each frame with its
direction (outgoing, or to this host). The client sent two UDP datagrams to
port 9 of the published 2001:db8:113::10 and got an ICMPv6 port unreachable
back for each; it also sent an mDNS query that is not part of the case. The
UDP checksums of its own datagrams are left as checksum offload leaves them
on the sending host (the partial pseudo-header sum), as real captures show
them: replay recomputes them. Clean-room: every byte is built here.

Usage: make-cooked-pcapng.py [OUT] (default: cooked-v6.pcapng next to this script)
"""
import ipaddress
import os
import struct
import sys

CLIENT, PUBLISHED = "2001:db8:ff::50", "2001:db8:113::10"
CLIENT_MAC = bytes.fromhex("00163e3000aa")
GW_MAC = bytes.fromhex("00163e300001")
OUTGOING, HOST, MULTICAST = 4, 0, 2


def a6(s):
    return ipaddress.IPv6Address(s).packed


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def pseudo(src, dst, nh, length):
    return a6(src) + a6(dst) + struct.pack("!I3xB", length, nh)


def ipv6(src, dst, nh, payload, hlim=64):
    return struct.pack("!IHBB", 6 << 28, len(payload), nh, hlim) + a6(src) + a6(dst) + payload


def udp(src, dst, sport, dport, data, offloaded):
    seg = struct.pack("!HHHH", sport, dport, 8 + len(data), 0) + data
    if offloaded:  # what the sending host's capture shows: the pseudo-header sum only
        c = ~csum(pseudo(src, dst, 17, len(seg))) & 0xFFFF
    else:
        c = csum(pseudo(src, dst, 17, len(seg)) + seg) or 0xFFFF
    return seg[:6] + struct.pack("!H", c) + seg[8:]


def port_unreachable(src, dst, quoted):
    body = struct.pack("!BBHI", 1, 4, 0, 0) + quoted
    c = csum(pseudo(src, dst, 58, len(body)) + body)
    return body[:2] + struct.pack("!H", c) + body[4:]


def sll2(pkttype, mac, payload):
    # protocol, reserved, ifindex, ARPHRD_ETHER, packet type, address length, address
    return struct.pack("!HHIHBB", 0x86DD, 0, 2, 1, pkttype, 6) + mac + b"\0\0" + payload


def frames():
    out, t = [], 0
    for i in range(2):
        pkt = ipv6(CLIENT, PUBLISHED, 17,
                   udp(CLIENT, PUBLISHED, 41000 + i, 9, b"probe%d" % (i + 1), True))
        out.append((t, sll2(OUTGOING, CLIENT_MAC, pkt)))
        # The error quotes the datagram as it went on the wire, checksum filled in.
        wire = ipv6(CLIENT, PUBLISHED, 17,
                    udp(CLIENT, PUBLISHED, 41000 + i, 9, b"probe%d" % (i + 1), False), 62)
        err = ipv6(PUBLISHED, CLIENT, 58, port_unreachable(PUBLISHED, CLIENT, wire), 62)
        out.append((t + 1, sll2(HOST, GW_MAC, err)))
        t += 20
    mdns = ipv6(CLIENT, "ff02::fb", 17, udp(CLIENT, "ff02::fb", 5353, 5353, b"\0" * 12, True), 255)
    out.append((t, sll2(OUTGOING, CLIENT_MAC, mdns)))
    return out


def block(btype, body):
    body += b"\0" * (-len(body) % 4)
    n = len(body) + 12
    return struct.pack("<II", btype, n) + body + struct.pack("<I", n)


def main():
    path = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "cooked-v6.pcapng")
    base = 1767225600 * 1000000  # 2026-01-01 00:00:00 UTC, in microseconds
    shb = block(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1))
    idb = block(1, struct.pack("<HHI", 276, 0, 262144))
    with open(path, "wb") as f:
        f.write(shb + idb)
        for ms, fr in frames():
            ts = base + ms * 1000
            f.write(block(6, struct.pack("<IIIII", 0, ts >> 32, ts & 0xFFFFFFFF, len(fr),
                                         len(fr)) + fr))


if __name__ == "__main__":
    main()
