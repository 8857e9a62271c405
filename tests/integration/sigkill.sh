#!/bin/sh
# Kills nflab with SIGKILL at a given point of a lab (the moment a report line
# containing MARK is printed: an event, not a delay) and checks that the host
# namespace is exactly as before and that nothing of nflab's survives.
# usage: sigkill.sh NFLAB LAB MARK
set -u
nflab=$1 lab=$2 mark=$3
. "$(dirname "$0")/../lib/need-labs.sh"
dir=$(mktemp -d "${TMPDIR:-/tmp}/nflab-sigkill.XXXXXX") || exit 2
trap 'rm -rf "$dir"' EXIT

. "$(dirname "$0")/../lib/host-state.sh"

host_state "$dir/before"
mkfifo "$dir/fifo"
# Its own session: what nflab starts shares it, and only that is looked at below.
setsid "$nflab" run "$lab" >"$dir/fifo" 2>&1 &
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
# Children (iptables-restore) die with nflab by PR_SET_PDEATHSIG; those still
# dying get a deadline, and only then is anything of the session a survivor.
if ! left=$(python3 "$(dirname "$0")/../lib/wait-gone.py" "$pid" 10); then
	echo "FAIL: processes started by nflab survive 10 s: $left" >&2
	exit 1
fi
host_state "$dir/after"
if ! diff -u "$dir/before" "$dir/after"; then
	echo "FAIL: the host namespace changed" >&2
	exit 1
fi
echo "ok: host namespace unchanged, nothing left"
