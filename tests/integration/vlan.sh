#!/bin/sh
# A frame sent with an 802.1Q tag keeps it in the pcap of the receiving side,
# where the kernel takes the tag out before any capture sees the frame: the
# capture must put it back (capture.c, with_tag). Checked with tshark on both
# ends of the link.
# usage: vlan.sh NFLAB LAB
set -u
nflab=$1 lab=$2
command -v tshark >/dev/null || { echo "needs tshark"; exit 77; }
dir=$(mktemp -d "${TMPDIR:-/tmp}/nflab-vlan.XXXXXX") || exit 2
trap 'rm -rf "$dir"' EXIT

"$nflab" run -q --pcap-dir "$dir" "$lab" || exit $?
for f in a-eth0 b-eth0; do
	n=$(tshark -r "$dir/$f.pcapng" -Y 'vlan.id == 100 && udp.dstport == 7777' \
		-T fields -e frame.number 2>/dev/null | wc -l)
	[ "$n" = 1 ] || { echo "FAIL: $f.pcapng: expected the frame tagged VLAN 100, tshark found $n" >&2; exit 1; }
done
echo "ok: the VLAN tag is in the pcaps of both ends"
