#!/bin/sh
# Checks of what the running kernel cannot give (docs/kernels.md): trace
# conntrack (NFTA_TRACE_CT_*, Linux 6.16) is taken away with
# NFLAB_TEST_NO_TRACE_CT, as on Debian's 6.1. The flagship must pass with its
# three trace.ct checks skipped and said so in the result line, TAP, JUnit and
# JSON, its golden timeline compared without trace conntrack; a failure must
# still fail; a lab whose every check is skipped is a skip, never a pass.
# log.ct.* checks skip the same way where NFLOG records carry no conntrack.
# usage: feature-skip.sh NFLAB SOURCE-DIR
set -u
nflab=$1 src=$2
[ "$(id -u)" = 0 ] || { echo "needs root"; exit 77; }
flagship=$src/labs/nat/icmp-error-related.yaml
dir=$(mktemp -d "${TMPDIR:-/tmp}/nflab-feature.XXXXXX") || exit 2
trap 'rm -rf "$dir"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
why="kernel $(uname -r) is taken for one that cannot give conntrack in trace events (added in 6.16; NFLAB_TEST_NO_TRACE_CT is set)"

# The host's kernel gives it: nothing is skipped.
"$nflab" run "$flagship" >"$dir/out" 2>&1
rc=$?
[ $rc = 0 ] || { cat "$dir/out"; fail "flagship on the host: exit $rc"; }
grep -q "SKIP\|skipped" "$dir/out" && fail "the host's kernel gives trace conntrack, yet a check was skipped"

# Without it: passes, three checks skipped and named, the golden compared without it.
NFLAB_TEST_NO_TRACE_CT=1 "$nflab" run "$flagship" >"$dir/out" 2>&1
rc=$?
cat "$dir/out"
[ $rc = 0 ] || fail "flagship without trace conntrack: exit $rc, expected 0"
[ "$(grep -c '^  \[ *[0-9]*\] SKIP' "$dir/out")" = 3 ] || fail "not 3 SKIP lines"
grep -qF "skipped: it reads trace.ct.state, and $why" "$dir/out" || fail "a skip's reason"
grep -qF "result: PASS (13 steps, 3 checks skipped: $why," "$dir/out" || fail "result line"
grep -qF "(compared without trace conntrack: kernel $(uname -r) sends none" "$dir/out" ||
	fail "the golden check does not say what it left out"

# The suite's reports say it too, and the JUnit file is still valid.
NFLAB_TEST_NO_TRACE_CT=1 "$nflab" test --tap --junit "$dir/r.xml" --json "$dir/r.json" \
	"$flagship" >"$dir/tap" 2>"$dir/err"
rc=$?
cat "$dir/tap" "$dir/err"
[ $rc = 0 ] || fail "nflab test: exit $rc"
grep -q "^ok 1 - " "$dir/tap" && grep -q "^  skipped_checks: 3$" "$dir/tap" || fail "TAP"
grep -qF "$why" "$dir/tap" || fail "TAP reason"
grep -q "<property name=\"skipped-checks:[^\"]*icmp-error-related.yaml\" value=\"3: kernel" \
	"$dir/r.xml" || fail "JUnit property"
grep -q '"verdict":"pass",[^]]*"skipped_checks":3,"skip_reason":"kernel' "$dir/r.json" ||
	fail "JSON"
grep -q '"verdict":"skip"' "$dir/r.json" || fail "JSON: no skipped step"
grep -q "3 checks skipped" "$dir/err" || fail "nflab test's line"
if command -v xmllint >/dev/null; then
	xmllint --noout --schema "$src/tests/schemas/jenkins-junit-10.xsd" "$dir/r.xml" ||
		fail "JUnit not valid"
fi

# Skips hide no failure: a broken check of the packets still fails the lab.
sed 's/^        ip.src: 203.0.113.10$/        ip.src: 203.0.113.99/' "$flagship" >"$dir/broken.yaml"
cmp -s "$flagship" "$dir/broken.yaml" && fail "the mutation changed nothing"
NFLAB_TEST_NO_TRACE_CT=1 "$nflab" run --topologies "$src/topologies" "$dir/broken.yaml" >"$dir/out" 2>&1
rc=$?
cat "$dir/out"
[ $rc = 1 ] || fail "broken lab: exit $rc, expected 1"
grep -q "result: FAIL (1 of 13 steps failed, 3 checks skipped" "$dir/out" || fail "FAIL line"

# The rest of a skipped check is still checked: a wrong address in a check
# that also reads trace.ct.* fails it, naming what the kernel did give.
sed 's/^        ip.dst: 192.168.1.10$/        ip.dst: 192.168.1.99/' "$flagship" >"$dir/rest.yaml"
[ "$(cmp "$flagship" "$dir/rest.yaml" | wc -l)" = 1 ] || fail "the address mutation must change one check"
NFLAB_TEST_NO_TRACE_CT=1 "$nflab" run --topologies "$src/topologies" "$dir/rest.yaml" >"$dir/out" 2>&1
rc=$?
cat "$dir/out"
[ $rc = 1 ] || fail "a skipped check's wrong address: exit $rc, expected 1"
grep -q "even without those fields it fails" "$dir/out" || fail "no word of the rest failing"
grep -q "result: FAIL (1 of 13 steps failed, 2 checks skipped" "$dir/out" || fail "rest FAIL line"

# A check of a snapshot source (packet fates) skips the same way: the rest of
# it, without fate.ct.state, holds.
NFLAB_TEST_NO_TRACE_CT=1 "$nflab" run --topologies "$src/topologies" \
	"$src/labs/fate/where-packets-end.yaml" >"$dir/out" 2>&1
rc=$?
[ $rc = 0 ] || { cat "$dir/out"; fail "where-packets-end without trace conntrack: exit $rc, expected 0"; }
grep -q "result: PASS (13 steps, 1 check skipped" "$dir/out" || { cat "$dir/out"; fail "fate check skip line"; }

# Every check reads trace conntrack (one of them count: none, which would pass
# vacuously; one only through a reference to another): the lab is a skip, not
# a pass.
sed '/^steps:/q' "$flagship" >"$dir/allct.yaml"
cat >>"$dir/allct.yaml" <<'LAB'
  - udp: {from: client, to: 203.0.113.10:9, sport: 40000, payload: probe}
  - expect:
      trace: fw
      match: {trace.rule: reject-published, trace.ct.state: new}
      count: 1
      id: rej
  - expect:
      trace: fw
      match: {trace.ct.state: invalid}
      count: none
  - expect:
      trace: fw
      match: {ip.dst: {ref: rej.ip.dst}, trace.verdict: drop}
      count: 1
LAB
"$nflab" run --topologies "$src/topologies" "$dir/allct.yaml" >"$dir/out" 2>&1
rc=$?
[ $rc = 0 ] || { cat "$dir/out"; fail "all-ct lab on the host: exit $rc"; }
NFLAB_TEST_NO_TRACE_CT=1 "$nflab" run --topologies "$src/topologies" "$dir/allct.yaml" >"$dir/out" 2>&1
rc=$?
cat "$dir/out"
[ $rc = 77 ] || fail "every check skipped: exit $rc, expected 77"
grep -qF "every check was skipped: $why" "$dir/out" || fail "skip reason"
grep -qF "skipped: rej.ip.dst refers to the check rej, which was skipped" "$dir/out" ||
	fail "a reference to a skipped check"
# log.ct.* where the kernel cannot attach conntrack to NFLOG records (this
# host's 6.18, without CONFIG_NETFILTER_NETLINK_GLUE_CT): each such check
# skips. Where the kernel can, nflog-ct-state runs, and this part is moot.
nflog=$src/labs/conntrack/nflog-ct-state.yaml
"$nflab" run "$nflog" >"$dir/out" 2>&1
if [ $? = 77 ]; then
	sed '/^requires:/d' "$nflog" >"$dir/nflog.yaml"
	"$nflab" run --topologies "$src/topologies" "$dir/nflog.yaml" >"$dir/out" 2>&1
	rc=$?
	cat "$dir/out"
	[ $rc = 77 ] || fail "nflog lab of log.ct checks only: exit $rc, expected 77"
	grep -q "every check was skipped: kernel $(uname -r) cannot attach conntrack to NFLOG records" \
		"$dir/out" || fail "log.ct skip reason"
	# With one check that needs no conntrack, the lab passes and counts its skips.
	sed -e '/^requires:/d' -e 's/log.ct.state: ESTABLISHED_REPLY, //' "$nflog" >"$dir/nflog2.yaml"
	"$nflab" run --topologies "$src/topologies" "$dir/nflog2.yaml" >"$dir/out" 2>&1
	rc=$?
	cat "$dir/out"
	[ $rc = 0 ] || fail "nflog lab with a check without log.ct: exit $rc, expected 0"
	grep -q "result: PASS (9 steps, 3 checks skipped: kernel" "$dir/out" || fail "log.ct PASS line"
fi
echo "PASS"
