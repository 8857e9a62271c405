#!/bin/sh
# --pause-at N and --break NAME: before that step the lab is up and named
# (ip netns, nsenter), and nflab waits: for Enter fed through a pipe, or, with
# no input left (stdin /dev/null), for SIGUSR1. Each wait is on nflab's own
# output (the prompt), never a sleep. A step number past the last, or a name
# no step has, is an error before anything is built.
# usage: pause.sh NFLAB LAB
set -u
nflab=$1 lab=$2
[ "$(id -u)" = 0 ] || { echo "needs root"; exit 77; }
dir=$(mktemp -d /var/tmp/nflab-pause.XXXXXX) || exit 2
trap 'rm -rf "$dir"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
topo="$(dirname "$lab")/../../topologies"
name=$(sed -n 's/^name: //p' "$lab")
names() { ip netns list | grep -c "^nflab-$name-"; }

# Enter through a pipe, once the prompt is out.
mkfifo "$dir/in" "$dir/out"
"$nflab" run --pause-at 2 --topologies "$topo" "$lab" <"$dir/in" >"$dir/out" 2>&1 &
pid=$!
exec 3>"$dir/in"
paused=no
while IFS= read -r line; do
	echo "$line"
	case $line in
	"nflab: paused before step 2 "*) paused=at ;;
	*"press Enter to run step 2"*)
		[ $paused = at ] || fail "the prompt came without the step it waits before"
		ns=$(ip netns list | sed -n "s/^\(nflab-$name-client\).*/\1/p")
		[ -n "$ns" ] || fail "no netns name for the client while paused"
		ip netns exec "$ns" ip -br addr | grep -q 192.168.1.10 ||
			fail "ip netns exec does not reach the paused client"
		nsenter --net="/run/netns/$ns" ip -br addr | grep -q 192.168.1.10 ||
			fail "nsenter does not reach the paused client"
		paused=yes
		echo >&3
		;;
	esac
done <"$dir/out"
wait "$pid"
rc=$?
exec 3>&-
[ $paused = yes ] || fail "--pause-at 2 did not pause"
[ $rc = 0 ] || fail "the lab should pass after the pause, got $rc"
[ "$(names)" = 0 ] || fail "names left after the pause: $(ip netns list)"
echo "ok: --pause-at with Enter"

# No input: SIGUSR1 goes on.
rm -f "$dir/out"
mkfifo "$dir/out"
"$nflab" run --break "the client's SYN" --topologies "$topo" "$lab" </dev/null >"$dir/out" 2>&1 &
pid=$!
paused=no
while IFS= read -r line; do
	echo "$line"
	case $line in *"press Enter to run step 2"*)
		paused=yes
		kill -USR1 "$pid"
		;;
	esac
done <"$dir/out"
wait "$pid"
rc=$?
[ $paused = yes ] || fail "--break did not pause"
[ $rc = 0 ] || fail "the lab should pass after SIGUSR1, got $rc"
echo "ok: --break with SIGUSR1"

out=$("$nflab" run --pause-at 99 --topologies "$topo" "$lab" 2>&1 </dev/null)
rc=$?
[ $rc = 2 ] && echo "$out" | grep -qF -- "--pause-at 99: lab $name has" ||
	fail "--pause-at past the last step: exit $rc: $out"
out=$("$nflab" run --break nope --topologies "$topo" "$lab" 2>&1 </dev/null)
rc=$?
[ $rc = 2 ] && echo "$out" | grep -qF -- '--break "nope": no step' ||
	fail "--break with an unknown name: exit $rc: $out"
echo "ok: --pause-at and --break that could never pause are errors"
