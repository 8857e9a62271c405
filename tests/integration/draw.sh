#!/bin/sh
# nflab draw as a browser sees it: headless Chromium parses each picture (a
# picture that is not well-formed XML fails), every node name and interface
# address of the lab is an SVG text, routes show unless --no-routes, a lab
# name full of XML specials survives, and the rendered PNG is not empty.
# No root: draw creates nothing.
# usage: draw.sh NFLAB SOURCE_DIR
set -u
nflab=$1 src=$2
. "$src/tests/lib/chromium.sh"
chromium_find || { echo "needs chromium"; exit 77; }
dir=$(mktemp -d "${TMPDIR:-/tmp}/nflab-draw.XXXXXX") || exit 2
trap 'rm -rf "$dir"' EXIT
fail=0

# The texts a picture of topology file $1 must show: node names and interface addresses.
wanted() {
	awk '/^nodes:/ { n = 1; next } /^[a-z]/ { n = 0 } n && /^  [A-Za-z0-9_.-]+:/ {
		sub(/^  /, ""); sub(/:.*/, ""); print }' "$1"
	grep -E '^ +[a-z0-9]+: .*[0-9a-f:.]+/[0-9]+' "$1" | grep -v -E 'default|via|dev ' |
		sed 's/^ *[a-z0-9]*: *//' | tr -d '[]' | tr ',' '\n' | tr -d ' '
}

for lab in topologies/dmz-firewall.yaml labs/nat/icmp-error-related.yaml; do
	name=$(basename "$lab" .yaml)
	"$nflab" draw "$src/$lab" -o "$dir/$name.svg" || { echo "FAIL: nflab draw $lab"; exit 1; }
	chromium_render "$dir/$name.svg" "$dir/$name.dom" "$dir/$name.png"
	dom_check "$dir/$name.dom" || exit 1
	wanted "$src/topologies/dmz-firewall.yaml" >"$dir/wanted"
	n=$(wc -l <"$dir/wanted")
	[ "$n" = 11 ] || { echo "FAIL: expected 4 nodes and 7 addresses to look for, got $n"; exit 1; }
	while read -r text; do
		grep -q -F ">$text</text>" "$dir/$name.dom" ||
			{ echo "FAIL: $lab: no SVG text \"$text\""; fail=1; }
	done <"$dir/wanted"
	grep -q -F '>default via 198.51.100.1</text>' "$dir/$name.dom" ||
		{ echo "FAIL: $lab: client's route is not shown"; fail=1; }
	png_check "$dir/$name.png" 10000 || fail=1
done

"$nflab" draw --no-routes "$src/topologies/dmz-firewall.yaml" -o "$dir/bare.svg" || exit 1
chromium_render "$dir/bare.svg" "$dir/bare.dom"
dom_check "$dir/bare.dom" || exit 1
if grep -q -F 'default via' "$dir/bare.dom"; then
	echo "FAIL: --no-routes still shows routes"
	fail=1
fi

# XML specials in a lab's own text: escaped, so the picture still parses.
sed 's/^name: dmz-firewall$/name: "a <b> \& \\"c\\" '"'"'d'"'"'"/' \
	"$src/topologies/dmz-firewall.yaml" >"$dir/special.yaml"
"$nflab" draw "$dir/special.yaml" -o "$dir/special.svg" || { echo "FAIL: nflab draw"; exit 1; }
chromium_render "$dir/special.svg" "$dir/special.dom"
dom_check "$dir/special.dom" || exit 1
grep -q -F '>a &lt;b&gt; &amp; "c" '"'"'d'"'"'</text>' "$dir/special.dom" ||
	{ echo "FAIL: the lab name with XML specials is not shown as it is"; fail=1; }

# Bad use is an error, never a picture.
if "$nflab" draw "$src/topologies/dmz-firewall.yaml" 2>/dev/null; then
	echo "FAIL: nflab draw without -o succeeded"
	fail=1
fi
# Firewall nodes show their NAT mappings and rule comments, from nft and from
# iptables text; a node without rulesets shows none.
for case in \
	'labs/nat/hairpin.yaml|>dnat 203.0.113.1 port { 80, 8080 } -&gt; 192.168.1.20 "publish"</text>' \
	'labs/nat/hairpin.yaml|>masquerade from 192.168.1.0/24 out eth0 "hairpin"</text>' \
	'labs/nat/snat.yaml|>snat from 192.168.1.10 out eth1 -&gt; 198.51.100.7 "snat-client"</text>' \
	'labs/nat/redirect.yaml|>redirect in eth0 :80 -&gt; :8080 "redirect-http"</text>' \
	'labs/conntrack/tcp-dnat-states-iptables.yaml|>dnat 203.0.113.20/32:80 -&gt; 198.51.100.20 "dnat-web"</text>' \
	'labs/nat/masquerade-counters-iptables.yaml|>masquerade out eth1 "masq"</text>' \
	'labs/nat/masquerade-counters-iptables.yaml|>"lan-to-wan"</text>'; do
	lab=${case%%|*} text=${case#*|}
	name=$(basename "$lab" .yaml)
	[ -f "$dir/$name.dom" ] || {
		"$nflab" draw "$src/$lab" -o "$dir/$name.svg" || { echo "FAIL: nflab draw $lab"; exit 1; }
		chromium_render "$dir/$name.svg" "$dir/$name.dom"
		dom_check "$dir/$name.dom" || exit 1
	}
	grep -q -F -- "$text" "$dir/$name.dom" || { echo "FAIL: $lab: no SVG text $text"; fail=1; }
done
if grep -q 'class="rule"' "$dir/bare.dom"; then
	echo "FAIL: dmz-firewall's topology has no rulesets, yet shows rules"
	fail=1
fi
[ "$fail" = 0 ] && echo "ok: pictures parse and show every node and address, and firewalls' NAT"
exit "$fail"
