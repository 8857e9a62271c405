#!/bin/sh
# Runs the flagship with --pcap-dir (one pcapng per interface, then merged) and
# checks with tshark that the files hold what the lab saw: the reverse-NATed
# port unreachable at client:eth0, named interfaces, directions, nanosecond
# times, the lab in the section comment and each step that sent packets as the
# comment of the first of them.
# usage: pcap.sh NFLAB LAB
set -u
nflab=$1 lab=$2
command -v tshark >/dev/null || { echo "needs tshark"; exit 77; }
dir=$(mktemp -d "${TMPDIR:-/tmp}/nflab-pcap.XXXXXX") || exit 2
trap 'rm -rf "$dir"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
ts() { tshark -r "$@" 2>/dev/null; }

"$nflab" run -q --pcap-dir "$dir/each" "$lab" || exit $?
ls "$dir/each"
n=$(ts "$dir/each/client-eth0.pcapng" -Y 'icmp.type == 3 && ip.src == 203.0.113.10' \
	-T fields -e frame.number | wc -l)
[ "$n" = 1 ] || fail "expected 1 reverse-NATed port unreachable in client-eth0.pcapng, tshark found $n"
for f in client-eth0 router-eth0 router-eth1 fw-eth0 fw-eth1 dmz-eth0; do
	[ -s "$dir/each/$f.pcapng" ] || fail "$f.pcapng missing or empty"
done
# Received at the client: inbound (p2p_dir 1 in tshark's terms for pcapng flags).
dirs=$(ts "$dir/each/client-eth0.pcapng" -Y 'icmp.type == 3 && ip.src == 203.0.113.10' \
	-T fields -e frame.p2p_dir)
[ "$dirs" = 1 ] || fail "the error at client:eth0 should be marked inbound, got '$dirs'"
capinfos "$dir/each/client-eth0.pcapng" >"$dir/info" 2>&1 || fail "capinfos failed"
grep -q 'File type:.*pcapng' "$dir/info" || fail "not pcapng: $(cat "$dir/info")"
grep -q 'nanoseconds (9)' "$dir/info" || fail "no nanosecond timestamps"
grep -q 'Capture comment: *nflab lab icmp-error-related' "$dir/info" || fail "no section comment"
grep -q 'Name = client:eth0' "$dir/info" || fail "interface not named client:eth0"
grep -q 'Description = eth0 of node client: 198.51.100.10/24; linked to router:eth0' "$dir/info" ||
	fail "interface description missing: $(grep Description "$dir/info")"
ts "$dir/each/client-eth0.pcapng" -T fields -e frame.comment | grep -q '^step 1 (.*): ' ||
	ts "$dir/each/client-eth0.pcapng" -T fields -e pkt_comment | grep -q '^step 1 (.*): ' ||
	fail "no packet comment marks where step 1 started"

"$nflab" run -q --pcap-dir "$dir/merged" --pcap-merge "$lab" || exit $?
f="$dir/merged/icmp-error-related.pcapng"
[ -s "$f" ] || fail "merged file missing: $(ls "$dir/merged")"
n=$(capinfos "$f" 2>/dev/null | grep -c 'Name = ')
[ "$n" = 6 ] || fail "expected 6 interface blocks in the merged file, got $n"
n=$(ts "$f" -Y 'icmp.type == 3 && ip.src == 203.0.113.10' -T fields -e frame.interface_name | sort -u | tr '\n' ' ')
case "$n" in *client:eth0*router:eth0*) ;; *) fail "the reverse-NATed error should be seen at client:eth0 and router:eth0, got: $n" ;; esac
# Time order across interfaces.
ts "$f" -T fields -e frame.time_epoch | sort -c -n || fail "merged packets are not in time order"
# A step's comment is on the first packet it sent, and checks, which send
# nothing, comment no packet: the two datagrams carry steps 1 and 6 (not the
# ARP request before the first, not the checks run before the second).
comments() {
	c=$(ts "$1" -T fields -e frame.interface_name -e udp.srcport -e frame.comment |
		awk -F'\t' '$3 != ""')
	[ -n "$c" ] || c=$(ts "$1" -T fields -e frame.interface_name -e udp.srcport -e pkt_comment |
		awk -F'\t' '$3 != ""')
	printf '%s\n' "$c"
}
c=$(comments "$f")
n=$(printf '%s\n' "$c" | grep -c .)
[ "$n" = 2 ] || fail "expected the 2 datagrams to carry comments, got $n packets: $c"
printf '%s\n' "$c" | grep -q "^client:eth0	40000	step 1 ([^,]*$" ||
	fail "step 1 should be alone on its datagram at client:eth0: $c"
printf '%s\n' "$c" | grep -q "^client:eth0	40001	step 6 ([^,]*$" ||
	fail "step 6 should be alone on its datagram at client:eth0: $c"
comments "$dir/each/client-eth0.pcapng" | grep -q "^client:eth0	40000	step 1 (" ||
	fail "step 1 should be on its datagram in client-eth0.pcapng: $(comments "$dir/each/client-eth0.pcapng")"
[ -z "$(comments "$dir/each/dmz-eth0.pcapng")" ] ||
	fail "dmz:eth0 saw no packet a step sent, yet has comments: $(comments "$dir/each/dmz-eth0.pcapng")"
echo "ok: tshark reads the pcapng files"
