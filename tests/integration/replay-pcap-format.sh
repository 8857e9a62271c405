#!/bin/sh
# --pcap-format pcap writes classic pcap through libpcap, and a capture: point's
# filter decides which frames its file holds.
# usage: replay-pcap-format.sh NFLAB LAB (the replay lab, its capture next to it)
set -u
nflab=$1 lab=$2
command -v tshark >/dev/null || { echo "tshark is missing"; exit 77; }
dir=$(mktemp -d "${TMPDIR:-/tmp}/nflab-pcap-format.XXXXXX") || exit 2
trap 'rm -rf "$dir"' EXIT
cp "$(dirname "$lab")"/*.pcap "$dir/"
{ cat "$lab"; printf 'capture:\n  - {at: client:eth0, filter: "icmp"}\n  - router:eth1\n'; } \
	>"$dir/lab.yaml"
"$nflab" run --topologies "$(dirname "$0")/../../topologies" --pcap-dir "$dir/out" \
	--pcap-format pcap "$dir/lab.yaml" || exit 1
fail=0
for f in client-eth0 router-eth1; do
	[ -f "$dir/out/$f.pcap" ] || { echo "FAIL: no $f.pcap"; fail=1; continue; }
	magic=$(od -An -tx4 -N4 "$dir/out/$f.pcap" | tr -d ' ')
	case $magic in
	a1b23c4d | 4d3cb2a1) echo "ok: $f.pcap is classic pcap, nanosecond times" ;;
	*) echo "FAIL: $f.pcap starts with $magic, not the classic pcap magic"; fail=1 ;;
	esac
done
# client:eth0 kept only ICMP: the three port unreachables (no ARP of the link).
n=$(tshark -r "$dir/out/client-eth0.pcap" 2>/dev/null | wc -l)
icmp=$(tshark -r "$dir/out/client-eth0.pcap" -Y "icmp.type == 3" 2>/dev/null | wc -l)
if [ "$n" != 3 ] || [ "$icmp" != 3 ]; then
	echo "FAIL: client-eth0.pcap holds $n frames, $icmp port unreachables (want 3 and 3)"
	fail=1
else
	echo "ok: the capture filter kept the 3 port unreachables only"
fi
# router:eth1 has no filter: the replayed ARP request is there too.
arp=$(tshark -r "$dir/out/router-eth1.pcap" -Y arp 2>/dev/null | wc -l)
[ "$arp" -ge 1 ] || { echo "FAIL: router-eth1.pcap has no ARP"; fail=1; }
# pcapng (the default): each replayed frame's comment names its frame in the customer's file.
"$nflab" run --topologies "$(dirname "$0")/../../topologies" --pcap-dir "$dir/ng" \
	"$dir/lab.yaml" >/dev/null || exit 1
c=$(tshark -r "$dir/ng/router-eth1.pcapng" -Y 'frame.comment contains "frame 5 of customer.pcap"' \
	2>/dev/null | grep -c 'SYN')
[ "$c" = 1 ] || { echo "FAIL: no replayed SYN commented as frame 5 of customer.pcap"; fail=1; }
# A merged classic pcap cannot say which interface a frame crossed: refused.
"$nflab" run --pcap-dir "$dir/out2" --pcap-merge --pcap-format pcap "$dir/lab.yaml" \
	>"$dir/err" 2>&1
if [ $? != 2 ] || ! grep -q "cannot merge" "$dir/err"; then
	echo "FAIL: --pcap-merge --pcap-format pcap was not refused"
	fail=1
fi
exit $fail
