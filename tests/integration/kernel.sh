#!/bin/sh
# nflab run/test --kernel (docs/kernels.md). Bad input fails fast with exit 2
# and the reason, whatever the machine; a lab runs inside a VM booting
# $NFLAB_TEST_KERNEL (a linux-image-*.deb) only when that is set: a boot
# under TCG costs about 10 s, too much for every CI run. With it, the labs'
# result lines, TAP, JUnit and JSON must name the VM's kernel, the flagship
# must pass (skips named where the kernel lacks trace conntrack), a failing
# lab must come back as exit 1, and a SIGKILLed nflab must take QEMU along.
# usage: kernel.sh NFLAB
set -u
nflab=$1
[ "$(id -u)" = 0 ] || { echo "needs root"; exit 77; }
command -v qemu-system-x86_64 >/dev/null || { echo "needs qemu-system-x86"; exit 77; }
[ -x /bin/busybox ] || { echo "needs busybox-static"; exit 77; }
dir=$(mktemp -d "${TMPDIR:-/tmp}/nflab-kernel.XXXXXX") || exit 2
trap 'rm -rf "$dir"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
lab=$(dirname "$0")/../../labs/basics/arp.yaml

# A file that is neither a kernel nor a kernel package.
echo "not a kernel" >"$dir/junk"
"$nflab" run --kernel "$dir/junk" "$lab" 2>"$dir/err"
rc=$?
cat "$dir/err"
[ $rc = 2 ] || fail "junk kernel: exit $rc, expected 2"
grep -q "not a kernel" "$dir/err" || fail "junk kernel: no reason"
# A .deb that is no kernel package (an ar archive with nothing in it).
printf '!<arch>\n' >"$dir/empty.deb"
"$nflab" run --kernel "$dir/empty.deb" "$lab" 2>"$dir/err"
rc=$?
cat "$dir/err"
[ $rc = 2 ] || fail "empty .deb: exit $rc, expected 2"
# Options that need the host's terminal are refused before anything boots.
"$nflab" run --kernel "$dir/junk" --pause-on-fail "$lab" 2>"$dir/err"
[ $? = 2 ] && grep -q "cannot be used with --kernel" "$dir/err" ||
	fail "--pause-on-fail with --kernel was not refused"

# requires: a kernel version: a skip names the running kernel (no VM needed).
sed 's/^name: arp$/name: arp\nrequires: ["kernel:>=99.1"]/' "$lab" >"$dir/new.yaml"
"$nflab" run "$dir/new.yaml" >"$dir/out" 2>&1
rc=$?
cat "$dir/out"
[ $rc = 77 ] || fail "kernel:>=99.1: exit $rc, expected 77"
grep -q "needs kernel >= 99.1, and this is $(uname -r)" "$dir/out" || fail "skip reason"

deb=${NFLAB_TEST_KERNEL:-}
[ -n "$deb" ] || { echo "NFLAB_TEST_KERNEL unset: the VM part is skipped"; exit 77; }
[ -r "$deb" ] || fail "NFLAB_TEST_KERNEL=$deb: not readable"

# A boot deadline too short for any boot: exit 2, the console's lines, no hang.
NFLAB_VM_BOOT_TIMEOUT=0.5 "$nflab" run --kernel "$deb" "$lab" 2>"$dir/err"
rc=$?
cat "$dir/err"
[ $rc = 2 ] && grep -q "did not boot within" "$dir/err" || fail "boot deadline: exit $rc"

# The labs inside: pass, their reports come back and name the kernel. The
# flagship passes on a kernel whose trace events carry no conntrack (before
# 6.16), its trace.ct checks skipped and named; nflog-ct-state, skipped on a
# host without NETLINK_GLUE_CT, passes where the kernel has it (Debian's);
# conveniences starts programs (a run step's /tmp); mid-lab-steps resets
# counters, which a kernel before 6.2 refuses: a skip that names it.
labs=$(dirname "$0")/../../labs
"$nflab" test --kernel "$deb" --tap --junit "$dir/r.xml" --json "$dir/r.json" "$lab" \
	"$labs/nat/icmp-error-related.yaml" "$labs/conntrack/nflog-ct-state.yaml" \
	"$labs/basics/conveniences.yaml" "$labs/changes/mid-lab-steps.yaml" \
	>"$dir/tap" 2>"$dir/err"
rc=$?
cat "$dir/tap" "$dir/err"
[ $rc = 0 ] || fail "labs inside: exit $rc, expected 0"
release=$(sed -n 's/^# kernel //p' "$dir/tap")
[ -n "$release" ] && [ "$release" != "$(uname -r)" ] || fail "TAP names no VM kernel"
grep -q "on kernel $release" "$dir/err" || fail "result line names no kernel"
grep -q "<property name=\"kernel\" value=\"$release\"/>" "$dir/r.xml" || fail "JUnit"
grep -q "\"kernel\":\"$release\"" "$dir/r.json" || fail "JSON"
verdict() { # LAB-NAME: its verdict in the JSON report
	tr '\n' ' ' <"$dir/r.json" | sed 's/{"lab":/\n&/g' | grep "$1" |
		sed -n 's/.*"verdict":"\([a-z]*\)".*/\1/p'
}
[ "$(verdict nflog-ct-state)" = pass ] || fail "nflog-ct-state: $(verdict nflog-ct-state)"
[ "$(verdict conveniences)" = pass ] || fail "conveniences: $(verdict conveniences)"
[ "$(verdict 'icmp-error-related.yaml')" = pass ] || fail "the flagship did not pass"
case $release in
[0-5].* | 6.[0-9].* | 6.1[0-5].*) # no conntrack in trace events: the three checks skipped
	grep -q "\"skipped_checks\":3,\"skip_reason\":\"kernel $release cannot give conntrack in trace events (added in 6.16)\"" \
		"$dir/r.json" || fail "the flagship's skips are not named"
	grep -q "PASS .*icmp-error-related.yaml on kernel $release (.*3 checks skipped)" \
		"$dir/err" || fail "nflab test's line of the flagship"
	;;
esac
case $release in
[0-5].* | 6.[01].*)
	[ "$(verdict mid-lab-steps)" = skip ] || fail "mid-lab-steps: $(verdict mid-lab-steps)"
	grep -q "needs resetting nft rule counters (Linux 6.2), which kernel $release refuses" \
		"$dir/r.json" || fail "reset-counters skip reason"
	;;
*) [ "$(verdict mid-lab-steps)" = pass ] || fail "mid-lab-steps: $(verdict mid-lab-steps)" ;;
esac

# A failing lab fails inside too (exit 1), not an error.
sed 's/exactly 1 packet/exactly 7 packets/; s/count: 1$/count: 7/' "$lab" >"$dir/fails.yaml"
cmp -s "$lab" "$dir/fails.yaml" && fail "the mutation changed nothing"
"$nflab" run -q --kernel "$deb" "$dir/fails.yaml" >"$dir/out" 2>&1
rc=$?
cat "$dir/out"
[ $rc = 1 ] || fail "failing lab inside: exit $rc, expected 1"

# SIGKILL of nflab takes the VM along (PR_SET_PDEATHSIG on QEMU).
NFLAB_VM_CONSOLE=1 setsid "$nflab" run --kernel "$deb" "$lab" >"$dir/out" 2>&1 &
pid=$!
for i in $(seq 600); do
	grep -q "nflab-vm: booted" "$dir/out" && break
	sleep 0.1 # polls a file another process writes; bounded
done
grep -q "nflab-vm: booted" "$dir/out" || fail "no boot within 60 s"
qemu=$(pgrep -s "$pid" qemu-system || pgrep -P "$pid")
kill -KILL "$pid"
wait "$pid" 2>/dev/null
for q in $qemu; do
	for i in $(seq 50); do
		kill -0 "$q" 2>/dev/null || break
		sleep 0.1
	done
	kill -0 "$q" 2>/dev/null && fail "QEMU $q outlived a SIGKILLed nflab"
done
# The killed nflab's temporary directory (the unpacked package) goes with the next run.
"$nflab" run --kernel "$dir/junk" "$lab" 2>/dev/null
grep -lx "$pid" /tmp/nflab-vm.*/pid 2>/dev/null && fail "the killed run's /tmp/nflab-vm.* is left"
echo "PASS: --kernel $release"
