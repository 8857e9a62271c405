#!/bin/bash
# The flagship scenario written the way people write it today: named namespaces
# with ip, iptables-restore, tcpdump started in the background with a short sleep
# so that it is listening, the probes, sleeps for the answers, checks with tshark.
# The baseline bench/run compares nflab against. Needs root, iproute2, iptables,
# tcpdump and tshark. Exit 0 when the scenario behaves as the flagship expects.
set -u
p=nfbase$$
ns() { ip netns exec "$p-$1" "${@:2}"; }
cleanup() {
	for n in client router fw dmz; do ip netns del "$p-$n" 2>/dev/null; done
	rm -f "/tmp/$p.pcap"
}
trap cleanup EXIT

for n in client router fw dmz; do ip netns add "$p-$n"; ns "$n" ip link set lo up; done
ip link add "$p-a" netns "$p-client" type veth peer name "$p-b" netns "$p-router"
ip link add "$p-c" netns "$p-router" type veth peer name "$p-d" netns "$p-fw"
ip link add "$p-e" netns "$p-fw" type veth peer name "$p-f" netns "$p-dmz"
ns client ip link set "$p-a" name eth0; ns router ip link set "$p-b" name eth0
ns router ip link set "$p-c" name eth1; ns fw ip link set "$p-d" name eth0
ns fw ip link set "$p-e" name eth1; ns dmz ip link set "$p-f" name eth0
ns client ip addr add 198.51.100.10/24 dev eth0
ns router ip addr add 198.51.100.1/24 dev eth0
ns router ip addr add 192.168.42.254/24 dev eth1
ns fw ip addr add 192.168.42.1/24 dev eth0
ns fw ip addr add 192.168.1.1/24 dev eth1
ns dmz ip addr add 192.168.1.10/24 dev eth0
ns dmz ip addr add 192.168.1.20/24 dev eth0
for n in client router fw dmz; do
	for i in $(ns "$n" ls /sys/class/net); do ns "$n" ip link set "$i" up; done
done
ns router sysctl -qw net.ipv4.ip_forward=1
ns fw sysctl -qw net.ipv4.ip_forward=1
ns client ip route add default via 198.51.100.1
ns router ip route add 203.0.113.0/24 via 192.168.42.1
ns router ip route add 192.168.1.0/24 via 192.168.42.1
ns fw ip route add default via 192.168.42.254
ns dmz ip route add default via 192.168.1.1
ns fw iptables-restore <<'RULES'
*nat
:PREROUTING ACCEPT [0:0]
:INPUT ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
-A PREROUTING -d 203.0.113.10/32 -j DNAT --to-destination 192.168.1.10
-A POSTROUTING -s 192.168.42.1/32 -o eth0 -p icmp -j SNAT --to-source 203.0.113.1
COMMIT
*filter
:INPUT ACCEPT [0:0]
:FORWARD ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
-A FORWARD -d 192.168.1.10/32 -j REJECT --reject-with icmp-port-unreachable
-A FORWARD -d 192.168.1.20/32 -j REJECT --reject-with icmp-port-unreachable
COMMIT
RULES

ns client tcpdump -i eth0 -w "/tmp/$p.pcap" -U icmp 2>/dev/null &
dump=$!
sleep 1 # so that tcpdump is listening
ns client bash -c 'echo probe > /dev/udp/203.0.113.10/9'
ns client bash -c 'echo probe > /dev/udp/192.168.1.20/9'
sleep 1 # for the errors to come back
kill "$dump"
wait "$dump" 2>/dev/null

ok=0
n=$(tshark -r "/tmp/$p.pcap" -Y 'icmp.type == 3 && ip.src == 203.0.113.10 && icmp.code == 3' 2>/dev/null | wc -l)
[ "$n" = 1 ] || { echo "expected 1 error from 203.0.113.10, got $n"; ok=1; }
n=$(tshark -r "/tmp/$p.pcap" -Y 'icmp.type == 3 && ip.src == 192.168.42.1' 2>/dev/null | wc -l)
[ "$n" = 1 ] || { echo "expected 1 error from 192.168.42.1, got $n"; ok=1; }
n=$(tshark -r "/tmp/$p.pcap" -Y 'ip.src == 203.0.113.1' 2>/dev/null | wc -l)
[ "$n" = 0 ] || { echo "expected no packet from 203.0.113.1, got $n"; ok=1; }
exit $ok
