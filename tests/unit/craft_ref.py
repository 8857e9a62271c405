# Writes tests/unit/craft_ref.h: reference frames for test_craft.c, made with scapy
# (python3-scapy 2.5.0, Debian 12) so nflab's builder is checked against another one.
# usage: /usr/bin/python3 tests/unit/craft_ref.py > tests/unit/craft_ref.h
from scapy.all import *
def arr(name, b, line):
    print("/* %s */" % line)
    print("static const uint8_t %s[] = {" % name)
    for i in range(0, len(b), 12):
        print("\t" + " ".join("0x%02x," % x for x in b[i:i+12]))
    print("};\n")
m1, m2 = "02:00:00:00:00:01", "02:00:00:00:00:02"
udp = Ether(src=m1,dst=m2)/IP(src="192.0.2.10",dst="203.0.113.10",id=1,ttl=64,flags="DF")/UDP(sport=40000,dport=9)/b"probe"
arr("udp4", bytes(udp), "02:00:00:00:00:01 > 02:00:00:00:00:02, IPv4, 192.0.2.10.40000 > 203.0.113.10.9: UDP, length 5 (id 1, DF)")
tcp = IP(src="192.0.2.10",dst="198.51.100.20",id=7,ttl=63)/TCP(sport=41000,dport=80,seq=1000,ack=0,flags="S",window=64240,options=[('MSS',1460),('NOP',None),('NOP',None),('Timestamp',(1,0))])
arr("tcp4_syn", bytes(tcp), "192.0.2.10.41000 > 198.51.100.20.80: Flags [S], seq 1000, win 64240, options [mss 1460,nop,nop,TS val 1 ecr 0]")
inner = bytes(udp[IP])[:28]
icmp = IP(src="203.0.113.10",dst="198.51.100.10",id=2,ttl=64)/ICMP(type=3,code=3)/inner
arr("icmp4_unreach", bytes(icmp), "203.0.113.10 > 198.51.100.10: ICMP 203.0.113.10 udp port 9 unreachable (quoting 28 bytes)")
u6 = IPv6(src="2001:db8:1::10",dst="2001:db8:2::20",fl=0x12345,hlim=64)/UDP(sport=40000,dport=9)/b"probe"
arr("udp6", bytes(u6), "2001:db8:1::10.40000 > 2001:db8:2::20.9: UDP, length 5 (flowlabel 0x12345)")
e6 = IPv6(src="2001:db8:1::10",dst="2001:db8:2::20",hlim=64)/ICMPv6EchoRequest(id=0x4242,seq=1)/b"abcd"
arr("echo6", bytes(e6), "2001:db8:1::10 > 2001:db8:2::20: ICMP6, echo request, id 16962, seq 1, length 12")
ptb = IPv6(src="2001:db8:2::1",dst="2001:db8:1::10",hlim=64)/ICMPv6PacketTooBig(mtu=1280)/bytes(u6)
arr("ptb6", bytes(ptb), "2001:db8:2::1 > 2001:db8:1::10: ICMP6, packet too big, mtu 1280 (quoting the UDP datagram)")
ns = IPv6(src="2001:db8:1::10",dst="ff02::1:ff00:1",hlim=255)/ICMPv6ND_NS(tgt="2001:db8:1::1")/ICMPv6NDOptSrcLLAddr(lladdr=m1)
arr("ns6", bytes(ns), "2001:db8:1::10 > ff02::1:ff00:1: ICMP6, neighbor solicitation, who has 2001:db8:1::1")
arp = Ether(src=m1,dst="ff:ff:ff:ff:ff:ff")/ARP(op=1,hwsrc=m1,psrc="192.0.2.10",hwdst="00:00:00:00:00:00",pdst="192.0.2.1")
arr("arp_req", bytes(arp), "ARP, Request who-has 192.0.2.1 tell 192.0.2.10")
big = IP(src="192.0.2.10",dst="203.0.113.10",id=9,ttl=64)/UDP(sport=40000,dport=9)/(b"x"*40)
fr = fragment(big, fragsize=16)
for i, f in enumerate(fr):
    arr("frag4_%d" % i, bytes(f), "192.0.2.10 > 203.0.113.10: ip-proto-17 (frag 9:%d@%d%s)" % (len(f[IP].payload), f[IP].frag*8, "+" if f[IP].flags.MF else ""))
print("/* %d fragments */" % len(fr))
