#!/bin/sh
# Runs the flagship with --pcap-dir and checks with tshark that the files hold
# the packets the lab saw: the reverse-NATed port unreachable at client:eth0.
# usage: pcap.sh NFLAB LAB
set -u
nflab=$1 lab=$2
command -v tshark >/dev/null || { echo "needs tshark"; exit 77; }
dir=$(mktemp -d "${TMPDIR:-/tmp}/nflab-pcap.XXXXXX") || exit 2
trap 'rm -rf "$dir"' EXIT
"$nflab" run -q --pcap-dir "$dir" "$lab"
rc=$?
[ "$rc" = 0 ] || exit "$rc"
ls "$dir"
n=$(tshark -r "$dir/client-eth0.pcap" -Y 'icmp.type == 3 && ip.src == 203.0.113.10' \
	-T fields -e frame.number 2>/dev/null | wc -l)
if [ "$n" != 1 ]; then
	echo "FAIL: expected 1 reverse-NATed port unreachable in client-eth0.pcap, tshark found $n" >&2
	exit 1
fi
for f in client-eth0 router-eth0 router-eth1 fw-eth0 fw-eth1 dmz-eth0; do
	[ -s "$dir/$f.pcap" ] || { echo "FAIL: $f.pcap missing or empty" >&2; exit 1; }
done
echo "ok: tshark reads the pcaps"
