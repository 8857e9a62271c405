#!/bin/sh
# What outlives nflab after a lab: its namespace factory, closing the lab's
# packet sockets for a grace period or two (docs/reliability.md). It must not
# hold nflab's standard streams, or whoever reads nflab's output would wait for
# it; and `nflab test`, its subreaper, must have reaped every one when it exits.
# Each check waits on nflab's own output or exit, never a sleep.
# usage: exit.sh NFLAB LAB
set -u
nflab=$1 lab=$2
[ "$(id -u)" = 0 ] || { echo "needs root"; exit 77; }
command -v setsid >/dev/null || { echo "setsid is not installed"; exit 77; }
dir=$(mktemp -d "${TMPDIR:-/tmp}/nflab-exit.XXXXXX") || exit 2
trap 'rm -rf "$dir"' EXIT
pid=
fail() {
	echo "FAIL: $*" >&2
	[ -z "$pid" ] || kill "$pid" 2>/dev/null # a paused lab: SIGTERM ends it
	exit 1
}
topo="$(dirname "$lab")/../../topologies"
# A name of its own: paused, the lab's namespaces are named after it, and
# another test may pause the same lab at the same time.
sed "s/^name: .*/name: exit-$$/" "$lab" >"$dir/lab.yaml"
lab=$dir/lab.yaml

# 1. While the lab is paused, no process of nflab's holds its output pipe.
mkfifo "$dir/in" "$dir/out"
"$nflab" run --pause-at 2 --topologies "$topo" "$lab" <"$dir/in" >"$dir/out" 2>&1 &
pid=$!
exec 3>"$dir/in"
checked=no
while IFS= read -r line; do
	case $line in *"press Enter to run step 2"*)
		pipe=$(readlink "/proc/$pid/fd/1")
		kids=$(pgrep -P "$pid")
		[ -n "$kids" ] || fail "nflab has no helper process while paused"
		for k in $kids; do
			for fd in 0 1 2; do
				[ "$(readlink "/proc/$k/fd/$fd")" != "$pipe" ] ||
					fail "process $k ($(cat "/proc/$k/comm")) of nflab holds its output on fd $fd"
			done
		done
		checked=yes
		echo >&3
		;;
	esac
done <"$dir/out"
wait "$pid"
rc=$?
pid=
exec 3>&-
[ $checked = yes ] || fail "the lab did not pause"
[ $rc = 0 ] || fail "the lab should pass, got $rc"
echo "ok: nflab's helpers hold none of its standard streams"

# 2. nflab test reaps its labs' factories: none of its session is left.
setsid sh -c 'echo $$ >"$1/sid"; exec "$2" test -j2 --repeat 4 --topologies "$3" "$4" >"$1/test" 2>&1' \
	sh "$dir" "$nflab" "$topo" "$lab"
rc=$?
grep -q "4 passed" "$dir/test" || { cat "$dir/test"; fail "nflab test did not pass 4 runs (exit $rc)"; }
left=$(pgrep -s "$(cat "$dir/sid")") && fail "processes of nflab test's session survive it: $left"
echo "ok: nflab test leaves no process behind"
