#!/bin/sh
# Lifecycle torture: start a lab, kill nflab at a random moment with SIGKILL,
# SIGTERM or SIGINT, and check that nothing of it remains: no process, host
# interface, network namespace, mount or temporary file; SIGINT and SIGTERM
# must also say what was running and exit 130 / 143. Repeats N times (default
# 200), then compares the whole host state with the state before.
# The random delays are the point (kills at arbitrary moments), not waits.
# usage: torture.sh NFLAB SOURCE_DIR [N]
set -u
nflab=$1 src=$2 rounds=${3:-200}
. "$(dirname "$0")/../lib/need-labs.sh"
dir=$(mktemp -d "${TMPDIR:-/tmp}/nflab-torture.XXXXXX") || exit 2
trap 'rm -rf "$dir"' EXIT
mkdir "$dir/tmp" || exit 2
fail() { echo "FAIL (round $i, $sig after ${delay}s on $lab): $*"; exit 1; }

here=$(dirname "$0")
. "$here/../lib/host-state.sh"
# What one round could leave, looking only at what this run could have made:
# host links named like the lab's own interfaces, namespace bind mounts and
# mounts under nflab's paths, and files in the private TMPDIR this test gives
# nflab. (nflab run names no namespace; nflab shell, which does, may run
# beside this test: the final host_state comparison covers named ones.) Another program's links, namespaces
# and files on a shared machine are not ours to judge.
lab_names=$(cat "$src"/labs/*/*.yaml "$src"/topologies/*.yaml |
	grep -o -E '[A-Za-z][A-Za-z0-9_.-]*:[A-Za-z][A-Za-z0-9_.-]*' | tr ':' '\n' | sort -u)
quick_state() {
	{
		ip -o link show | awk -F': ' '{ sub(/@.*/, "", $2); print $2 }' |
			grep -x -F "$lab_names" | sort
		# Named namespaces (/run/netns) are made by nflab shell and --pause
		# runs of other tests beside this one, never by nflab run.
		grep -E ' nsfs |nflab' /proc/mounts | grep -v -F -e "$dir" -e ' /run/netns/'
		ls -A "$dir/tmp"
	} >"$1" 2>&1
}

host_state "$dir/host.before"
quick_state "$dir/quick.before"
labs="nat/icmp-error-related.yaml nat/icmp-error-related-iptables.yaml basics/tcp-outcomes.yaml crafted/fragments-dnat.yaml conntrack/tcp-close-walk.yaml"
set -- $labs
nlabs=$#
counts=""
i=0
while [ "$i" -lt "$rounds" ]; do
	i=$((i + 1))
	r=$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')
	n=$((r % nlabs + 1))
	lab=$(echo "$labs" | cut -d' ' -f"$n")
	case $((r / 7 % 3)) in
	0) sig=KILL want=137 ;;
	1) sig=TERM want=143 ;;
	*) sig=INT want=130 ;;
	esac
	delay=$(printf '0.%03d' $((5 + r / 21 % 195))) # from 5 ms: before main() no handler exists yet
	# Its own session: whatever nflab starts shares it, so survivors can be found.
	TMPDIR="$dir/tmp" setsid "$nflab" run --topologies "$src/topologies" "$src/labs/$lab" >"$dir/out" 2>"$dir/err" &
	pid=$!
	sleep "$delay"
	kill -s "$sig" "$pid" 2>/dev/null
	wait "$pid"
	rc=$?
	if [ "$rc" = 0 ] || [ "$rc" = 1 ]; then
		counts="$counts finished"
	else
		[ "$rc" = "$want" ] || { cat "$dir/err"; fail "exit $rc, expected $want"; }
		# Killed while the dynamic loader was still at work: nothing ran, nothing to say.
		[ -s "$dir/out" ] || sig="$sig-early"
		case $sig in
		INT) grep -q "interrupted by SIGINT while " "$dir/err" || fail "no report on SIGINT" ;;
		TERM) grep -q "stopped by SIGTERM while " "$dir/err" || fail "no report on SIGTERM" ;;
		esac
		counts="$counts $sig"
	fi
	# Its processes may still be dying (a packet socket's close waits for an
	# RCU grace period): wait for each to end, and only then call it a survivor.
	left=$(python3 "$here/../lib/wait-gone.py" "$pid" 10) || fail "processes survive 10 s: $left"
	quick_state "$dir/quick.after"
	cmp -s "$dir/quick.before" "$dir/quick.after" ||
		{ diff "$dir/quick.before" "$dir/quick.after"; fail "something remains"; }
done
host_state "$dir/host.after"
diff "$dir/host.before" "$dir/host.after" || { i=end; sig=- delay=- lab=-; fail "host state changed"; }
for what in KILL TERM INT KILL-early TERM-early INT-early finished; do
	printf '%s %s  ' "$what" "$(echo "$counts" | tr ' ' '\n' | grep -c "^$what$")"
done
echo
echo "ok: $rounds kills, nothing left behind"
