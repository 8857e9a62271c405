#!/bin/sh
# nflab test end to end: a passing, a failing and a hanging lab run in parallel;
# the failure's mismatch appears in TAP (read by prove), JUnit (parsed as XML)
# and JSON; the hanging lab is killed at --timeout and leaves nothing behind;
# failed labs leave artifacts; shards split the labs exactly; --repeat repeats;
# the longest lab starts first.
# usage: suite.sh NFLAB SOURCE_DIR
set -u
nflab=$1 src=$2
. "$(dirname "$0")/../lib/need-labs.sh"
dir=$(mktemp -d "${TMPDIR:-/tmp}/nflab-suite.XXXXXX") || exit 2
trap 'rm -rf "$dir"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

mkdir "$dir/labs"
cp "$src/labs/basics/ping-dual-stack.yaml" "$dir/labs/ok.yaml"
sed 's/inner.ip.dst: 203.0.113.10$/inner.ip.dst: 203.0.113.11/' \
	"$src/labs/nat/icmp-error-related.yaml" >"$dir/labs/bad.yaml"
cat >"$dir/labs/hang.yaml" <<'LAB'
name: hang
description: A connect that the router black-holes, waited for a minute.
topology: client-router-server
nodes:
  router:
    nft: |
      table inet t {
        chain f {
          type filter hook forward priority 0; policy drop;
        }
      }
steps:
  - tcp: {from: client, to: 198.51.100.20:80, timeout: 60s, outcome: connected}
LAB

# Only nflab's own named namespaces: another program's are not ours to judge.
ip netns list | grep '^nflab-' >"$dir/netns.before"
start=$(date +%s)
"$nflab" test -j3 --topologies "$src/topologies" --timeout 2 --tap \
	--junit "$dir/junit.xml" --json "$dir/report.json" --artifacts "$dir/art" \
	"$dir/labs" >"$dir/tap" 2>"$dir/human"
rc=$?
took=$(($(date +%s) - start))
cat "$dir/human"
[ "$rc" = 1 ] || fail "exit $rc, expected 1"
[ "$took" -lt 20 ] || fail "took ${took}s: the hanging lab was not stopped"
grep -q "1 passed, 1 failed, 0 skipped, 1 errors" "$dir/human" || fail "summary line"
grep -q "timed out after 2 s" "$dir/human" || fail "no timeout report"
mismatch="inner.ip.dst: expected 203.0.113.11, got 203.0.113.10"

# TAP: prove reads it; the mismatch is in the failing test's diagnostics.
grep -qF "$mismatch" "$dir/tap" || fail "TAP lacks the mismatch"
if command -v prove >/dev/null; then
	prove --exec cat "$dir/tap" >"$dir/prove" 2>&1
	grep -q "Tests=3" "$dir/prove" || { cat "$dir/prove"; fail "prove did not read 3 tests"; }
	# Numbered as they end: which numbers failed depends on timing, how many does not.
	grep -q "Failed 2/3 subtests" "$dir/prove" || { cat "$dir/prove"; fail "prove: wrong failures"; }
fi
# JUnit and JSON: valid, one testcase per lab, the mismatch in the failure.
python3 - "$dir/junit.xml" "$dir/report.json" "$mismatch" <<'PY' || fail "reports"
import json, sys
import xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
cases = root.findall(".//testcase")
assert len(cases) == 3, len(cases)
failures = [c for c in cases if c.find("failure") is not None]
errors = [c for c in cases if c.find("error") is not None]
assert len(failures) == 1 and len(errors) == 1, (failures, errors)
assert sys.argv[3] in failures[0].find("failure").text
assert "timed out" in errors[0].find("error").get("message")
report = json.load(open(sys.argv[2]))
assert report["summary"] == {**report["summary"], "runs": 3, "passed": 1, "failed": 1, "errors": 1}
bad = [l for l in report["labs"] if l["verdict"] == "fail"][0]
assert any(s["mismatch"] and sys.argv[3] in s["mismatch"] for s in bad["steps"])
print("junit and json ok")
PY

# Artifacts of the failed lab; nothing for the lab that passed.
art=$(find "$dir/art" -maxdepth 1 -name '*bad.yaml')
for f in client-eth0.pcapng events.jsonl timeline.txt fw.ruleset.txt fw.conntrack.txt output.txt; do
	[ -s "$art/$f" ] || fail "artifact $f missing"
done
grep -q "snat to 203.0.113.1" "$art/fw.ruleset.txt" || fail "ruleset artifact"
[ -z "$(find "$dir/art" -maxdepth 1 -name '*ok.yaml')" ] || fail "artifacts for a passing lab"

# Nothing left behind by the killed lab.
ip netns list | grep '^nflab-' >"$dir/netns.after"
cmp -s "$dir/netns.before" "$dir/netns.after" || fail "network namespaces changed"
pgrep -f "$dir/labs/hang.yaml" >/dev/null && fail "a run of the hanging lab survives"

# Shards: disjoint, and together every lab exactly once.
"$nflab" test --list "$src/labs" >"$dir/all"
for i in 1 2 3; do "$nflab" test --list --shard "$i/3" "$src/labs"; done | sort >"$dir/shards"
sort "$dir/all" | cmp -s - "$dir/shards" || fail "shards do not add up to the whole"

# Repeat: each run counted.
"$nflab" test -j2 --repeat 3 --topologies "$src/topologies" "$dir/labs/ok.yaml" >"$dir/repeat" 2>&1 ||
	fail "repeat failed"
grep -q "3 passed, 0 failed, 0 skipped, 0 errors (3 runs" "$dir/repeat" || fail "repeat count"
# Longest first: with one worker, the lab whose steps wait longest by design
# starts, and so ends, first; the JSON report still lists labs in path order.
mkdir "$dir/order"
cp "$dir/labs/ok.yaml" "$dir/order/a-short.yaml"
{ cat "$dir/labs/ok.yaml"; echo "  - wait: 200ms"; } >"$dir/order/b-long.yaml"
"$nflab" test -j1 --tap --json "$dir/order.json" --topologies "$src/topologies" "$dir/order" \
	>"$dir/order.tap" 2>"$dir/order.err" || fail "longest-first labs failed"
grep -m1 "ok [0-9]" "$dir/order.tap" | grep -q "^ok 1 - .*b-long.yaml" ||
	{ cat "$dir/order.tap"; fail "the longer lab did not start first"; }
python3 -c 'import json, sys; l = [x["lab"] for x in json.load(open(sys.argv[1]))["labs"]]
assert l[0].endswith("a-short.yaml") and l[1].endswith("b-long.yaml"), l' "$dir/order.json" ||
	fail "JSON report not in path order"
# Nothing matched is an error, not a green run of nothing.
"$nflab" test --tap --filter nosuchthing "$src/labs" >"$dir/none" 2>&1
rc=$?
[ "$rc" = 2 ] || fail "no lab matched: exit $rc, expected 2"
grep -q "^1..0 # SKIP no lab matched --filter nosuchthing" "$dir/none" || fail "no-match TAP plan"

# Every lab skipped: exit 77 with the reason, 0 only when asked for.
sed 's/^topology:/requires: [nflab-no-such-program]\ntopology:/' "$dir/labs/ok.yaml" >"$dir/skip.yaml"
"$nflab" test --tap --topologies "$src/topologies" "$dir/skip.yaml" >"$dir/skip" 2>&1
rc=$?
[ "$rc" = 77 ] || fail "every lab skipped: exit $rc, expected 77"
grep -q "^ok 1 - .*skip.yaml # SKIP needs nflab-no-such-program" "$dir/skip" || fail "skip reason in TAP"
"$nflab" test --accept-skip --topologies "$src/topologies" "$dir/skip.yaml" >/dev/null 2>&1 ||
	fail "--accept-skip did not accept an all-skip run"

# Outputs are checked before anything runs.
"$nflab" test --junit "$dir/no/such/dir/j.xml" --topologies "$src/topologies" "$dir/labs/ok.yaml" \
	>"$dir/early" 2>&1
rc=$?
[ "$rc" = 2 ] || fail "bad --junit path: exit $rc, expected 2"
grep -q "passed" "$dir/early" && fail "a lab ran before the --junit path was checked"

# TAP streams as each lab ends; SIGTERM still writes the reports, marked interrupted.
# The ok lab's TAP line arrives while the hanging lab still runs (its connect waits
# 60 s, its --timeout is 100 s): that line, not a delay, is when SIGTERM is sent.
mkfifo "$dir/fifo"
"$nflab" test -j2 --topologies "$src/topologies" --timeout 100 --tap \
	--junit "$dir/int.xml" --json "$dir/int.json" "$dir/labs/ok.yaml" "$dir/labs/hang.yaml" \
	>"$dir/fifo" 2>"$dir/int.err" &
pid=$!
sent=no
while IFS= read -r line; do
	echo "$line" >>"$dir/int.tap"
	case "$line" in
	"ok 1 - "*ok.yaml) kill -TERM "$pid" && sent=yes ;;
	esac
done <"$dir/fifo"
wait "$pid"
rc=$?
[ "$sent" = yes ] || { cat "$dir/int.tap"; fail "the ok lab's TAP line never streamed"; }
[ "$rc" = 143 ] || fail "SIGTERM: exit $rc, expected 143"
grep -q "^Bail out! interrupted by SIGTERM" "$dir/int.tap" || fail "TAP does not say it was interrupted"
python3 - "$dir/int.xml" "$dir/int.json" <<'PY' || fail "interrupted reports"
import json, sys
import xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
assert len(root.findall(".//testcase")) == 2
assert any(p.get("name") == "interrupted" and p.get("value") == "SIGTERM"
           for p in root.iter("property"))
report = json.load(open(sys.argv[2]))
assert report["summary"]["interrupted"] == "SIGTERM", report["summary"]
hang = [l for l in report["labs"] if l["lab"].endswith("hang.yaml")][0]
assert hang["verdict"] == "error" and "interrupted by SIGTERM" in hang["error"], hang
print("interrupted reports ok")
PY
echo "ok: suite runner"
