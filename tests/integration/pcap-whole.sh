#!/bin/sh
# Whole frames: runs a 3 MiB HTTP transfer (capture/http-bulk.yaml) with
# --pcap-dir twice and reads every pcapng with tshark and capinfos. With the
# default link settings every frame is wire-sized (at most MTU + 14 = 1514
# bytes: segmentation offloads are off on lab links); with offloads: true on
# the links 64 KiB super-frames appear. Either way no frame may be cut short
# (frame.cap_len < frame.len, capinfos' inferred size limit), and the server's
# TCP payload in each capture must add up to the whole 3 MiB.
# usage: pcap-whole.sh NFLAB LAB
set -u
nflab=$1 lab=$2
size=3145728
command -v tshark >/dev/null && command -v capinfos >/dev/null ||
	{ echo "needs tshark and capinfos"; exit 77; }
dir=$(mktemp -d "${TMPDIR:-/tmp}/nflab-whole.XXXXXX") || exit 2
trap 'rm -rf "$dir"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
ts() { tshark -r "$@" 2>/dev/null; }

# check DIR MODE: MODE wire (no frame over 1514 bytes) or super (some over).
check() {
	for f in "$1"/client-eth0.pcapng "$1"/router-eth0.pcapng "$1"/router-eth1.pcapng \
		"$1"/server-eth0.pcapng; do
		name=$(basename "$f")
		[ -s "$f" ] || fail "$2: $name missing or empty"
		# One pass: frames, frames cut short, the largest, those over MTU + 14, server payload.
		stats=$(ts "$f" -T fields -e frame.cap_len -e frame.len -e tcp.srcport -e tcp.len |
			awk -F '\t' '{ n++; if ($1 < $2) cut++; if ($2 > max) max = $2;
				if ($2 > 1514) big++; if ($3 == 8080) payload += $4 }
				END { print n + 0, cut + 0, max + 0, big + 0, payload + 0 }')
		read -r n cut max big payload <<EOF
$stats
EOF
		echo "$2: $name: $n frames, $cut cut short, largest $max bytes, $big over 1514," \
			"$payload bytes of server payload"
		[ "$cut" = 0 ] || fail "$2: $name: $cut frames cut short (frame.cap_len < frame.len)"
		if capinfos "$f" 2>&1 | grep -q 'inferred'; then
			fail "$2: $name: capinfos infers a packet size limit: $(capinfos "$f" 2>&1 | grep -i limit)"
		fi
		[ "$payload" -ge "$size" ] ||
			fail "$2: $name: $payload bytes of server payload captured, expected at least $size"
		case $2 in
		wire) [ "$big" = 0 ] || fail "wire: $name: $big frames over MTU + 14 (largest $max)" ;;
		super) [ "$big" -gt 0 ] || fail "super: $name: no super-frame; offloads: true had no effect" ;;
		esac
	done
}

"$nflab" run -q --pcap-dir "$dir/wire" "$lab" || exit $?
check "$dir/wire" wire

# The same lab with offloads: true on both links.
sed -e 's/^  - \[\(.*\)\]$/  - {ends: [\1], offloads: true}/' "$lab" >"$dir/offloads.yaml"
[ "$(grep -c 'offloads: true}' "$dir/offloads.yaml")" = 2 ] || fail "could not write the offloads variant"
"$nflab" run -q --pcap-dir "$dir/super" "$dir/offloads.yaml" || exit $?
check "$dir/super" super
echo "ok: every frame is whole; wire-sized by default, super-frames with offloads: true"
