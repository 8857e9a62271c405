#!/bin/sh
# Kills nflab with SIGKILL at a given point of a lab (the moment a report line
# containing MARK is printed: an event, not a delay) and checks that the host
# namespace is exactly as before and that nothing of nflab's survives.
# usage: sigkill.sh NFLAB LAB MARK
set -u
nflab=$1 lab=$2 mark=$3
[ "$(id -u)" = 0 ] || { echo "needs root"; exit 77; }
dir=$(mktemp -d "${TMPDIR:-/tmp}/nflab-sigkill.XXXXXX") || exit 2
trap 'rm -rf "$dir"' EXIT

snapshot() {
	{
		ip -d link show
		ip addr show
		ip route show table all
		ip -6 route show table all
		ip netns list
		nft list ruleset
		iptables-legacy-save 2>/dev/null | grep -v '^#'
		iptables-nft-save 2>/dev/null | grep -v '^#'
		sysctl -a 2>/dev/null | grep -E '^net\.(ipv4|ipv6|netfilter)' |
			grep -v -E 'stable_secret|random|_gc_|base_reachable'
	} >"$1" 2>&1
}

snapshot "$dir/before"
mkfifo "$dir/fifo"
"$nflab" run "$lab" >"$dir/fifo" 2>&1 &
pid=$!
killed=no
while IFS= read -r line; do
	echo "$line"
	case "$line" in
	*"$mark"*)
		kill -KILL "$pid"
		killed=yes
		break
		;;
	esac
done <"$dir/fifo"
wait "$pid" 2>/dev/null
status=$?
if [ "$killed" != yes ]; then
	echo "FAIL: \"$mark\" never appeared (exit $status)" >&2
	exit 1
fi
echo "killed nflab (pid $pid) at \"$mark\", exit $status"
# Children (iptables-restore) die with nflab by PR_SET_PDEATHSIG; look for orphans.
if pgrep -f 'iptables.*-restore -w' >/dev/null; then
	echo "FAIL: an iptables-restore started by nflab survived" >&2
	exit 1
fi
snapshot "$dir/after"
if ! diff -u "$dir/before" "$dir/after"; then
	echo "FAIL: the host namespace changed" >&2
	exit 1
fi
echo "ok: host namespace unchanged, nothing left"
