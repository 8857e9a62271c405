#!/bin/sh
# nflab shell driven through tmux as a person would (send-keys, capture-pane):
# the prompt names the node, commands run inside it, other nodes answer to
# nflab exec and ip netns, and when the shell exits, or nflab is killed with
# SIGKILL, the names are gone and the host is as before. Then --pause-on-fail:
# a failed lab stays up for nflab exec until Enter.
# Waits are on events: tmux wait-for channels signalled from inside the shell.
# usage: shell.sh NFLAB LAB
set -u
nflab=$1 lab=$2
[ "$(id -u)" = 0 ] || { echo "needs root"; exit 77; }
command -v tmux >/dev/null || { echo "needs tmux"; exit 77; }
# Not under /tmp: inside a node, /tmp is the lab's own.
dir=$(mktemp -d /var/tmp/nflab-shell.XXXXXX) || exit 2
sock=$dir/tmux
trap 'tmux -S "$sock" kill-server 2>/dev/null; rm -rf "$dir"' EXIT
. "$(dirname "$0")/../lib/host-state.sh"
fail() { echo "FAIL: $*" >&2; tmux -S "$sock" capture-pane -p 2>/dev/null >&2; exit 1; }
t() { tmux -S "$sock" "$@"; }
# Sends a command line to the shell and waits for it to have run.
run_in_shell() {
	t send-keys -t lab "$1; tmux -S $sock wait-for -S $2" Enter
	timeout 20 tmux -S "$sock" wait-for "$2" || fail "the shell did not run: $1"
}
names() { ip netns list | grep -c "^nflab-icmp-error-related-"; }
# A person's shell, without a person's startup files (which may take seconds).
mkdir "$dir/home"
export HOME=$dir/home SHELL=/bin/bash

host_state "$dir/before"
# The server stays when its sessions end, so a signal sent as a pane ends is kept.
t start-server \; set -s exit-empty off
t new-session -d -s lab -x 200 -y 50 "$nflab shell $lab client; tmux -S $sock wait-for -S ended"
run_in_shell "hostname >$dir/host; ip -br addr >$dir/addr" s1
[ "$(cat "$dir/host")" = client ] || fail "hostname in the shell is $(cat "$dir/host")"
grep -q '198.51.100.10/24' "$dir/addr" || fail "the shell is not in client: $(cat "$dir/addr")"
t capture-pane -t lab -p | grep -q '^\[nflab client\] ' || fail "the prompt does not name the node"
[ "$(names)" = 4 ] || fail "ip netns should list the 4 nodes, lists $(names)"
"$nflab" exec fw -- nft list ruleset | grep -q 'dnat to 192.168.1.10' ||
	fail "nflab exec fw does not reach fw's ruleset"
ip netns exec nflab-icmp-error-related-dmz ip -br addr | grep -q 192.168.1.10 ||
	fail "ip netns exec does not reach dmz"
run_in_shell "ip netns list >$dir/seen" s2
t send-keys -t lab "exit" Enter
timeout 20 tmux -S "$sock" wait-for ended || fail "nflab shell did not end with its shell"
[ "$(names)" = 0 ] || fail "names left after the shell exited: $(ip netns list)"
echo "ok: shell, prompt, exec, ip netns; all gone after exit"

# Killed: the janitor removes the names.
t new-session -d -s lab -x 200 -y 50 "$nflab shell $lab router; tmux -S $sock wait-for -S ended2"
run_in_shell "true" s3
pid=$(pgrep -P "$(t list-panes -t lab -F '#{pane_pid}')" -x nflab)
[ -n "$pid" ] || fail "no nflab process under the pane"
kill -KILL "$pid"
timeout 20 tmux -S "$sock" wait-for ended2 || fail "the pane did not see nflab die"
timeout 10 pidwait -f "^$nflab shell $lab" || true
[ "$(names)" = 0 ] || fail "names left after SIGKILL: $(ip netns list)"
echo "ok: all gone after SIGKILL"

# --pause-on-fail: a failed lab stays up, named, until Enter.
sed 's/inner.ip.dst: 203.0.113.10$/inner.ip.dst: 203.0.113.11/' "$lab" >"$dir/failing.yaml"
mkfifo "$dir/in" "$dir/out"
"$nflab" run --pause-on-fail --topologies "$(dirname "$lab")/../../topologies" "$dir/failing.yaml" \
	<"$dir/in" >"$dir/out" 2>&1 &
pid=$!
exec 3>"$dir/in"
paused=no
while IFS= read -r line; do
	echo "$line"
	case $line in *"press Enter"*)
		paused=yes
		"$nflab" exec client -- ip -br addr | grep -q 198.51.100.10 ||
			fail "nflab exec does not reach the paused lab"
		echo >&3
		;;
	esac
done <"$dir/out"
wait "$pid"
rc=$?
exec 3>&-
[ $paused = yes ] || fail "--pause-on-fail did not pause"
[ $rc = 1 ] || fail "the failed lab should still exit 1, got $rc"
[ "$(names)" = 0 ] || fail "names left after the pause: $(ip netns list)"
echo "ok: --pause-on-fail"

host_state "$dir/after"
diff -u "$dir/before" "$dir/after" || fail "the host namespace changed"
echo "ok: host unchanged"
