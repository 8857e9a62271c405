#!/bin/sh
# Every step that changes a lab mid-run (nft, iptables, ip6tables, conntrack,
# reset-counters, sysctl, addr, route, link, wait) is a marker where it fell:
# a "-- step N (lab:line): ..." line of --timeline, a {"kind":"step"} object of
# --events, and a "[N] ..." row of the ladder.
# usage: markers.sh NFLAB LAB...
set -u
nflab=$1
shift
. "$(dirname "$0")/../lib/need-labs.sh"
dir=$(mktemp -d "${TMPDIR:-/tmp}/nflab-markers.XXXXXX") || exit 2
trap 'rm -rf "$dir"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
for lab in "$@"; do
	base=$(basename "$lab" .yaml)
	"$nflab" run --timeline --events "$dir/$base.json" --ladder "$dir/$base.svg" "$lab" \
		>"$dir/$base.out" 2>&1 || { cat "$dir/$base.out"; fail "$lab did not pass"; }
done
cat "$dir"/*.out "$dir"/*.json "$dir"/*.svg >"$dir/all"
# One text per kind, as its step describes itself.
for text in "nft ruleset applied in router" "iptables rules added in router" \
	"ip6tables rules added in router" "conntrack table of router flushed" \
	"conntrack entries of router deleted" "nft counters of router reset" \
	"sysctl router: net.ipv4.ip_forward=0" "addr 198.51.100.30/24 added to server:eth0" \
	"route default via 198.51.100.1 deleted in server" "link router:eth1 set down" \
	"wait 100 ms"; do
	for f in "$dir"/*.out; do
		grep -q -- "-- step [0-9]* ([^)]*): .*$text" "$f" && continue 2
	done
	fail "no --timeline marker for \"$text\""
done
for text in "nft ruleset applied in router" "iptables rules added in router" \
	"conntrack table of router flushed" "nft counters of router reset" \
	"sysctl router: net.ipv4.ip_forward=0" "addr 198.51.100.30/24 added to server:eth0" \
	"route default via 198.51.100.1 deleted in server" "link router:eth1 set down" \
	"wait 100 ms"; do
	grep -q "\"kind\":\"step\".*\"text\":\"step [0-9]* ([^)]*): .*$text" "$dir"/*.json ||
		fail "no --events step object for \"$text\""
	grep -q "\[[0-9]*\] .*$text" "$dir"/*.svg || fail "no ladder row for \"$text\""
done
echo "ok: every mid-lab step is a marker in --timeline, --events and the ladder"
