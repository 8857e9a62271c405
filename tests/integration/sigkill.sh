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

. "$(dirname "$0")/../lib/host-state.sh"

host_state "$dir/before"
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
host_state "$dir/after"
if ! diff -u "$dir/before" "$dir/after"; then
	echo "FAIL: the host namespace changed" >&2
	exit 1
fi
echo "ok: host namespace unchanged, nothing left"
