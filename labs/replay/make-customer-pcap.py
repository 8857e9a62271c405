#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Writes customer.pcap: a made-up customer's capture, byte for byte the same each run.

The "customer" captured on the link between their border router (10.20.0.254,
00:16:3e:20:00:fe) and their firewall (10.20.0.1, 00:16:3e:20:00:01), which
publishes 203.0.113.10. A client on the internet, 192.0.2.50, sent two UDP
datagrams to port 9 and a TCP SYN to port 80 of the published address, and the
firewall answered each with a port unreachable. Around them: the ARP exchange
of the two boxes, a DNS query that is not part of the case, and mDNS chatter.
No real network took part: every frame is built here (clean-room, RFC 5737
addresses), and the times are fixed. Classic pcap, Ethernet link type.

Usage: make-customer-pcap.py [OUT] (default: customer.pcap next to this script)
"""
import os
import struct
import sys

ROUTER_MAC = bytes.fromhex("00163e2000fe")
FW_MAC = bytes.fromhex("00163e200001")
BCAST = b"\xff" * 6
ROUTER, FW = "10.20.0.254", "10.20.0.1"
CLIENT, PUBLISHED = "192.0.2.50", "203.0.113.10"


def ip4(a):
    return bytes(int(x) for x in a.split("."))


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def eth(dst, src, etype, payload):
    return dst + src + struct.pack("!H", etype) + payload


def arp(op, sha, spa, tha, tpa):
    return struct.pack("!HHBBH", 1, 0x0800, 6, 4, op) + sha + ip4(spa) + tha + ip4(tpa)


def ipv4(src, dst, proto, payload, ttl=63, ident=0):
    hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), ident, 0x4000, ttl,
                      proto, 0, ip4(src), ip4(dst))
    hdr = hdr[:10] + struct.pack("!H", csum(hdr)) + hdr[12:]
    return hdr + payload


def pseudo(src, dst, proto, length):
    return ip4(src) + ip4(dst) + struct.pack("!BBH", 0, proto, length)


def udp(src, dst, sport, dport, data):
    seg = struct.pack("!HHHH", sport, dport, 8 + len(data), 0) + data
    c = csum(pseudo(src, dst, 17, len(seg)) + seg) or 0xFFFF
    return seg[:6] + struct.pack("!H", c) + seg[8:]


def tcp_syn(src, dst, sport, dport, seq):
    seg = struct.pack("!HHIIBBHHH", sport, dport, seq, 0, 6 << 4, 0x02, 64240, 0, 0)
    seg += bytes.fromhex("020405b4")  # MSS 1460
    c = csum(pseudo(src, dst, 6, len(seg)) + seg)
    return seg[:16] + struct.pack("!H", c) + seg[18:]


def port_unreachable(quoted):
    body = struct.pack("!BBHI", 3, 3, 0, 0) + quoted[:28]
    return body[:2] + struct.pack("!H", csum(body)) + body[4:]


def frames():
    """(milliseconds, frame) in capture order."""
    out = [(0, eth(BCAST, ROUTER_MAC, 0x0806, arp(1, ROUTER_MAC, ROUTER, b"\0" * 6, FW))),
           (1, eth(ROUTER_MAC, FW_MAC, 0x0806, arp(2, FW_MAC, FW, ROUTER_MAC, ROUTER)))]
    t = 10
    for i, (proto, sport, dport) in enumerate([(17, 40000, 9), (6, 40100, 80),
                                                (17, 40001, 9)]):
        if proto == 17:
            l4 = udp(CLIENT, PUBLISHED, sport, dport, b"probe%d" % (i + 1))
        else:
            l4 = tcp_syn(CLIENT, PUBLISHED, sport, dport, 1000000 + i)
        pkt = ipv4(CLIENT, PUBLISHED, proto, l4, ident=100 + i)
        out.append((t, eth(FW_MAC, ROUTER_MAC, 0x0800, pkt)))
        err = ipv4(PUBLISHED, CLIENT, 1, port_unreachable(pkt), ttl=64, ident=200 + i)
        out.append((t + 1, eth(ROUTER_MAC, FW_MAC, 0x0800, err)))
        t += 10
    # Not part of the case: a DNS query to the published address, and mDNS.
    q = ipv4(CLIENT, PUBLISHED, 17, udp(CLIENT, PUBLISHED, 40002, 53, b"\x12\x34" + b"\0" * 10),
             ident=103)
    out.append((t, eth(FW_MAC, ROUTER_MAC, 0x0800, q)))
    m = ipv4(ROUTER, "224.0.0.251", 17, udp(ROUTER, "224.0.0.251", 5353, 5353, b"\0" * 12),
             ttl=255)
    out.append((t + 10, eth(bytes.fromhex("01005e0000fb"), ROUTER_MAC, 0x0800, m)))
    return out


def main():
    path = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "customer.pcap")
    base = 1767225600  # 2026-01-01 00:00:00 UTC
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        for ms, fr in frames():
            f.write(struct.pack("<IIII", base, ms * 1000, len(fr), len(fr)) + fr)


if __name__ == "__main__":
    main()
