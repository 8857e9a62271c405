#!/bin/sh
# nflab run --ladder on the flagship, as a browser sees it: headless Chromium
# parses the diagram, which must show the DNAT rewrite, the RELATED error,
# the reject and the reverse NAT where they happen, the hooks of the kernel
# events, a tick where each check held, with no failure note or cross; a copy
# of the lab with one expected value changed must fail and show a red note with
# the step and the mismatch, and a cross where nothing matched. The rendered
# PNGs must not be empty.
# usage: ladder.sh NFLAB LAB TOPOLOGIES
set -u
nflab=$1 lab=$2 topologies=$3
. "$(dirname "$0")/../lib/need-labs.sh"
. "$(dirname "$0")/../lib/chromium.sh"
chromium_find || { echo "needs chromium"; exit 77; }
dir=$(mktemp -d "${TMPDIR:-/tmp}/nflab-ladder.XXXXXX") || exit 2
trap 'rm -rf "$dir"' EXIT
fail=0

# want DOM TEXT...: each TEXT (as Chromium serializes it) is in DOM.
want() {
	dom=$1
	shift
	for t in "$@"; do
		grep -q -F -- "$t" "$dom" || { echo "FAIL: $dom lacks: $t"; fail=1; }
	done
}

"$nflab" run -q --ladder "$dir/pass.svg" "$lab" >"$dir/pass.out" 2>&1
rc=$?
cat "$dir/pass.out"
[ "$rc" = 0 ] || { echo "FAIL: the flagship exited $rc"; exit 1; }
chromium_render "$dir/pass.svg" "$dir/pass.dom" "$dir/pass.png"
dom_check "$dir/pass.dom" || exit 1
want "$dir/pass.dom" \
	'>client</text>' '>router</text>' '>fw</text>' '>dmz</text>' \
	'>198.51.100.10.40000 &gt; 203.0.113.10.9: UDP, length 5</text>' \
	'class="nat">&lt;= DNAT 203.0.113.10:9 -&gt; 192.168.1.10:9</text>' \
	'class="ct">ct NEW [DST_NAT]</text>' \
	'class="ct">ct RELATED reply [DST_NAT]</text>' \
	'class="drop">filter forward "reject-published": reject (drop + ICMP error)</text>' \
	'class="drop">filter forward "reject-dmz": reject (drop + ICMP error)</text>' \
	'class="nat" text-anchor="middle">&lt;= reverse DNAT of an error: src 192.168.42.1 -&gt; 203.0.113.10</text>' \
	'[1] datagram to the published address: udp client -&gt; 203.0.113.10:9 sport 40000' \
	'class="drop">fate: rejected at fw by ip filter forward rule' \
	'legend: arrow = a packet hop' \
	'class="hook">at forward:</text>' 'class="hook">at output:</text>' \
	'class="pass" text-anchor="middle">✓ expect [2]' \
	'class="tick"'
# Eight hops: each datagram client to router to fw, each error fw to router to client.
n=$(grep -c 'marker-end="url(#head)"' "$dir/pass.dom")
[ "$n" -ge 8 ] || { echo "FAIL: $n hop arrows, the flagship has 8"; fail=1; }
if grep -q 'class="failure"\|class="xmark"' "$dir/pass.dom"; then
	echo "FAIL: a passing run shows a failure note"
	fail=1
fi
png_check "$dir/pass.png" 40000 || fail=1

# One expected value changed: the step fails, and the ladder says so in red.
sed 's/inner.ip.dst: 203.0.113.10$/inner.ip.dst: 203.0.113.11/' "$lab" >"$dir/failing.yaml"
cmp -s "$lab" "$dir/failing.yaml" && { echo "FAIL: the sed changed nothing"; exit 1; }
"$nflab" run -q --topologies "$topologies" --ladder "$dir/fail.svg" "$dir/failing.yaml" \
	>"$dir/fail.out" 2>&1
rc=$?
cat "$dir/fail.out"
[ "$rc" = 1 ] || { echo "FAIL: the failing copy exited $rc, not 1"; exit 1; }
chromium_render "$dir/fail.svg" "$dir/fail.dom" "$dir/fail.png"
dom_check "$dir/fail.dom" || exit 1
want "$dir/fail.dom" \
	'<g class="failure"><rect' 'stroke="#d32f2f"' \
	'fill="#b00020" xml:space="preserve" font-weight="bold">[2] FAIL  the error comes back reverse-NATed' \
	'inner.ip.dst: expected 203.0.113.11, got 203.0.113.10</text>' \
	'class="nat">&lt;= DNAT 203.0.113.10:9 -&gt; 192.168.1.10:9</text>' \
	'class="xmark"' 'xml:space="preserve" font-weight="bold">✗ expect [2]' \
	'): nothing matched</text>'
n=$(grep -c '<g class="failure">' "$dir/fail.dom")
[ "$n" = 1 ] || { echo "FAIL: $n failure notes, one step failed"; fail=1; }
png_check "$dir/fail.png" 40000 || fail=1

[ "$fail" = 0 ] && echo "ok: the ladder tells the flagship's story, and its failure in red"
exit "$fail"
