#!/bin/sh
# A lab of more than 16 nodes is built as its namespaces come, and the
# namespace factory writes each node's baseline sysctls (docs/performance.md,
# "The floor"). A ping along a chain of 20 routers needs every link, address
# and route, and the forwarding the factory turned on: with one router not
# forwarding it fails. A kernel rejection in the middle of the build still
# names the node and gives the kernel's reason.
# usage: pipeline.sh NFLAB CHAIN_SH
set -u
nflab=$1 chain=$2
[ "$(id -u)" = 0 ] || { echo "needs root"; exit 77; }
dir=$(mktemp -d "${TMPDIR:-/tmp}/nflab-pipeline.XXXXXX") || exit 2
trap 'rm -rf "$dir"' EXIT
fail() {
	echo "FAIL: $*" >&2
	exit 1
}
sh "$chain" 20 "$dir" || exit 2
# The bench's nodes route everything left; n1 to n17 also route n19's link
# (10.0.72.0/30, net(18) of bench/chain.sh) right, to their neighbour's left
# address: the ping crosses every router.
awk '/^  n[0-9]+:$/ { i = substr($1, 2) + 0 }
	{ print }
	/^    routes:$/ && i >= 1 && i <= 17 { printf "      - 10.0.72.0/30 via 10.0.%d.2\n", 4 * i }' \
	"$dir/chain-20.yaml" >"$dir/routed.yaml"
mv "$dir/routed.yaml" "$dir/chain-20.yaml"
printf 'steps:\n  - ping: {from: n0, to: 10.0.72.2, count: 1, outcome: reply}\n' \
	>>"$dir/chain-20.yaml"

# run NAME EXIT TEXT: runs $dir/NAME.yaml, wants the exit code and the text.
run() {
	"$nflab" run "$dir/$1.yaml" >"$dir/$1.out" 2>&1
	rc=$?
	[ "$rc" = "$2" ] || { cat "$dir/$1.out"; fail "$1: exit $rc, not $2"; }
	grep -qF -- "$3" "$dir/$1.out" || { cat "$dir/$1.out"; fail "$1: no \"$3\""; }
}
run chain-20 0 "result: PASS (1 step"

# Router n10 does not forward: the ping gets no reply.
awk '/^  n10:$/ { n = 1 } n && /router: true/ { sub(/true/, "false"); n = 0 } { print }' \
	"$dir/chain-20.yaml" >"$dir/no-forward.yaml"
run no-forward 1 "result: FAIL"

# The kernel rejects a node's sysctl, and a route, met while later namespaces are still made.
awk '/^  n12:$/ { print; print "    sysctl:"; print "      net.ipv4.tcp_syn_retries: \"many\""; next }
	{ print }' "$dir/chain-20.yaml" >"$dir/bad-sysctl.yaml"
run bad-sysctl 2 "node n12: sysctl net.ipv4.tcp_syn_retries=many: Invalid argument"
awk '/^  n5:$/ { n = 1 } n && /^    routes:$/ { print; print "      - 192.0.2.0/24 via 10.9.9.9"; n = 0; next }
	{ print }' "$dir/chain-20.yaml" >"$dir/bad-route.yaml"
run bad-route 2 "node n5: route: 192.0.2.0/24 via 10.9.9.9: RTM_NEWROUTE:"
grep -qF "(kernel: " "$dir/bad-route.out" || fail "bad-route: not the kernel's message"
echo "pipelined build: passes, and fails where it should"
