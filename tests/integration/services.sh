#!/bin/sh
# Programs in nodes: a service that never becomes ready fails the lab at its
# deadline with the program's output (exit 2), a service that ends before it
# is ready likewise, and nothing a lab started survives nflab: not after a
# normal end, not after SIGKILL, not even a daemon that left its session. The
# host namespace is unchanged throughout. Also: the lab's env reaches its
# programs and --set overrides it.
# usage: services.sh NFLAB TOPOLOGIES
set -u
nflab=$1 topo=$2
. "$(dirname "$0")/../lib/need-labs.sh"
command -v pidwait >/dev/null || { echo "needs pidwait (procps)"; exit 77; }
dir=$(mktemp -d "${TMPDIR:-/tmp}/nflab-services.XXXXXX") || exit 2
trap 'rm -rf "$dir"' EXIT
. "$(dirname "$0")/../lib/host-state.sh"
fail() { echo "FAIL: $*" >&2; exit 1; }
# A unique marker in the programs' arguments, so only this test's sleeps are looked for.
m=$$
left() { pgrep -f "^sleep 9${m}" ; }

host_state "$dir/before"

cat >"$dir/never.yaml" <<YAML
name: never-ready
topology: two-hosts
steps:
  - name: web
    service:
      node: b
      cmd: echo starting up; exec sleep 9${m}1
      ready: {tcp: 80}
      within: 300ms
  - run: {node: a, cmd: "true"}
YAML
timeout 30 "$nflab" run --topologies "$topo" "$dir/never.yaml" >"$dir/out" 2>&1
rc=$?
cat "$dir/out"
[ "$rc" = 2 ] || fail "a service never ready should end the lab with exit 2, got $rc"
grep -q "service web in node b was not ready within 0.3 s (waited for a TCP socket of its own listening on port 80)" "$dir/out" ||
	fail "no clear message for the service that never became ready"
grep -q "| starting up" "$dir/out" || fail "the service's output is not shown"
left && fail "the service outlived its lab"

cat >"$dir/dies.yaml" <<YAML
name: dies
topology: two-hosts
steps:
  - name: db
    service:
      node: b
      cmd: echo cannot bind >&2; exit 4
      ready: {output: listening}
YAML
timeout 30 "$nflab" run --topologies "$topo" "$dir/dies.yaml" >"$dir/out" 2>&1
rc=$?
cat "$dir/out"
[ "$rc" = 2 ] || fail "a service that dies before it is ready should give exit 2, got $rc"
grep -q "service db in node b ended before it was ready (exit 4)" "$dir/out" || fail "no message for the dead service"
grep -q "| cannot bind" "$dir/out" || fail "the dead service's stderr is not shown"

# The lab's env reaches its programs, and --set overrides it.
cat >"$dir/env.yaml" <<YAML
name: env
topology: two-hosts
env: {GREETING: hello}
steps:
  - run: {node: a, cmd: 'echo "\$GREETING from \$NFLAB_NODE"', stdout: "bye from a"}
YAML
"$nflab" run -q --topologies "$topo" "$dir/env.yaml" >"$dir/out" 2>&1
rc=$?
[ "$rc" = 1 ] || { cat "$dir/out"; fail "the lab's env should give 'hello', failing the step; exit $rc"; }
grep -q "| hello from a" "$dir/out" || fail "the program did not see the lab's env: $(cat "$dir/out")"
"$nflab" run -q --topologies "$topo" --set GREETING=bye "$dir/env.yaml" >"$dir/out" 2>&1 ||
	{ cat "$dir/out"; fail "--set GREETING=bye did not reach the program"; }
echo "ok: env and --set"

# A service with a daemon that escaped its session, a background job, and a run
# step that blocks: SIGKILL nflab once the service is ready.
cat >"$dir/hang.yaml" <<YAML
name: hang
topology: two-hosts
steps:
  - name: web
    service:
      node: b
      cmd: (setsid sleep 9${m}2 &) ; sleep 9${m}3 & echo up; exec sleep 9${m}4
      ready: {output: up}
  - run: {node: a, cmd: "sleep 9${m}5", within: 60s}
YAML
mkfifo "$dir/fifo"
"$nflab" run --topologies "$topo" "$dir/hang.yaml" >"$dir/fifo" 2>&1 &
pid=$!
killed=no
while IFS= read -r line; do
	echo "$line"
	case "$line" in
	*"PASS  web"*)
		# The run step's program starts right after: wait for it, then kill.
		timeout 10 sh -c "until pgrep -f '^sleep 9${m}5' >/dev/null; do :; done"
		n=$(left | wc -l)
		[ "$n" = 4 ] || fail "expected 4 programs running before the kill, saw $n"
		kill -KILL "$pid"
		killed=yes
		break
		;;
	esac
done <"$dir/fifo"
wait "$pid" 2>/dev/null
[ "$killed" = yes ] || fail "the service never became ready"
# The kernel kills each PID namespace once its init dies: wait for that, with a deadline.
timeout 10 pidwait -f "^sleep 9${m}" || true
left && fail "programs survived SIGKILL of nflab: $(left | tr '\n' ' ')"
echo "ok: nothing survived SIGKILL"

host_state "$dir/after"
diff -u "$dir/before" "$dir/after" || fail "the host namespace changed"
echo "ok: services are gone after every kind of end; host unchanged"
