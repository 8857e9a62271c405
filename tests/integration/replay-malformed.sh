#!/bin/sh
# Malformed and truncated capture files in a replay step: nflab check and
# nflab run exit 2 with a message naming the file, and never crash.
# usage: replay-malformed.sh NFLAB GOOD.pcap
set -u
nflab=$1 good=$2
dir=$(mktemp -d "${TMPDIR:-/tmp}/nflab-replay-bad.XXXXXX") || exit 2
trap 'rm -rf "$dir"' EXIT
python3 - "$good" "$dir" <<'PY' || exit 2
import struct, sys
good = open(sys.argv[1], "rb").read()
d = sys.argv[2]
def hdr(linktype, snap=65535):
    return struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, snap, linktype)
def rec(data, orig=None):
    return struct.pack("<IIII", 0, 0, len(data), len(data) if orig is None else orig) + data
files = {
    "empty.pcap": b"",
    "garbage.pcap": b"this is not a capture file at all\n" * 4,
    "short-header.pcap": good[:10],
    "cut-record-header.pcap": good[:24 + 8],
    "cut-record-data.pcap": good[:24 + 16 + 20],
    "wifi.pcap": hdr(105) + rec(b"\x08\x00" + b"\0" * 30),
    "huge-caplen.pcap": hdr(1) + struct.pack("<IIII", 0, 0, 0x7fffffff, 0x7fffffff) + b"\0" * 64,
    "snapped.pcap": hdr(1, 64) + rec(good[24 + 16:24 + 16 + 42], orig=200),
    "short-sll.pcap": hdr(113) + rec(b"\0" * 10),
    "sll-not-ethertype.pcap": hdr(113) + rec(b"\0\0\0\1\0\6" + b"\0" * 8 + b"\0\4" + b"\0" * 20),
    "raw-not-ip.pcap": hdr(101) + rec(b"\x00" * 20),
    "pcapng-cut.pcapng": struct.pack("<IIIHHq", 0x0A0D0D0A, 28, 0x1A2B3C4D, 1, 0, -1)[:20],
    "pcapng-bad-block.pcapng": struct.pack("<IIIHHqI", 0x0A0D0D0A, 28, 0x1A2B3C4D, 1, 0, -1, 28)
        + struct.pack("<II", 1, 0xfffffff0) + b"\0" * 16,
}
for name, data in files.items():
    open(f"{d}/{name}", "wb").write(data)
PY
ln -s /etc/passwd "$dir/outside.pcap"
mkfifo "$dir/fifo.pcap"
fail=0
for f in "$dir"/*.pcap "$dir"/*.pcapng; do
	name=$(basename "$f")
	cat >"$dir/lab.yaml" <<LAB
name: bad-capture
topology: two-hosts
steps:
  - replay: {pcap: $name, at: a:eth0}
LAB
	for cmd in check run; do
		"$nflab" $cmd --topologies "$(dirname "$0")/../../topologies" "$dir/lab.yaml" \
			>"$dir/out" 2>&1
		got=$?
		if [ $got != 2 ] || ! grep -q "error: .*$name" "$dir/out"; then
			echo "FAIL: nflab $cmd with $name: exit $got (want 2 and an error naming it)"
			cat "$dir/out"
			fail=1
		else
			echo "ok: nflab $cmd with $name: $(grep error: "$dir/out" | head -1)"
		fi
	done
done
exit $fail
