#!/bin/sh
# Reports CI servers can trust: a lab made to fail on purpose prints bytes that
# are not UTF-8, colour codes, markup and quotes; `nflab test` must still write
# JUnit XML that validates against the Jenkins xUnit schema and JSON that a
# strict reader reads, with the bad bytes replaced and marked (U+FFFD). A suite
# stopped by SIGTERM is marked as such in both, which stay valid.
# The validators are checked too: each must reject a broken copy of its report.
# usage: report-validity.sh NFLAB SOURCE_DIR
set -u
export LC_ALL=C
nflab=$1 src=$2
schema=$src/tests/schemas/jenkins-junit-10.xsd
. "$(dirname "$0")/../lib/need-labs.sh"
command -v xmllint >/dev/null || { echo "needs xmllint (libxml2-utils)"; exit 77; }
command -v python3 >/dev/null || { echo "needs python3"; exit 77; }
dir=$(mktemp -d "${TMPDIR:-/tmp}/nflab-reports.XXXXXX") || exit 2
trap 'rm -rf "$dir"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

# Valid against the schema (xmllint also rejects ill-formed UTF-8 and forbidden characters).
junit_valid() { xmllint --noout --schema "$schema" "$1"; }
# Strict UTF-8, strict JSON (no raw control characters in strings, no NaN).
json_valid() {
	python3 - "$1" <<'PY'
import json, sys
def no_constant(name):
    raise ValueError("not JSON: " + name)
with open(sys.argv[1], encoding="utf-8", errors="strict") as f:
    json.load(f, parse_constant=no_constant)
PY
}

mkdir "$dir/labs"
# Latin-1, bytes never in UTF-8, a surrogate, an overlong '/', a code point
# above U+10FFFF, a cut sequence, colour codes, a control byte, markup, quotes, CR.
bad='caf\351 \377\376 \355\240\200 \300\257 \364\220\200\200 \342\206 \033[31mred\033[0m \001 <b>&amp; "q" \047s\047\r\nsecond\tline\n'
cat >"$dir/labs/garbled.yaml" <<LAB
name: garbled
description: A program prints bytes that are not UTF-8, and the lab fails on purpose.
nodes:
  a:
    interfaces: {eth0: 192.0.2.1/24}
  b:
    interfaces: {eth0: 192.0.2.2/24}
links:
  - [a:eth0, b:eth0]
steps:
  - name: "prints \"garbage\"	<&> caf\u00e9"
    run:
      node: a
      cmd: |
        printf '$bad'; printf '$bad' >&2
      stdout: "text that is never printed"
LAB
cat >"$dir/labs/missing.yaml" <<'LAB'
name: missing
description: Skipped, for a program no machine has.
requires: [nflab-no-such-program]
nodes:
  a:
    interfaces: {eth0: 192.0.2.1/24}
  b:
    interfaces: {eth0: 192.0.2.2/24}
links:
  - [a:eth0, b:eth0]
LAB

"$nflab" test -j2 --junit "$dir/junit.xml" --json "$dir/report.json" "$dir/labs" \
	>"$dir/human" 2>&1
rc=$?
cat "$dir/human"
[ "$rc" = 1 ] || fail "exit $rc, expected 1 (the garbled lab fails)"
grep -q "0 passed, 1 failed, 1 skipped, 0 errors" "$dir/human" || fail "summary line"

junit_valid "$dir/junit.xml" || fail "JUnit report does not validate against $schema"
json_valid "$dir/report.json" || fail "JSON report is not strict JSON in UTF-8"

# The program's output reached both reports, its bad bytes marked by U+FFFD.
python3 - "$dir/junit.xml" "$dir/report.json" <<'PY' || fail "report contents"
import json, sys
import xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
assert "skipped" not in root.attrib, root.attrib
suite = root.find("testsuite")
assert suite.get("timestamp") and suite.get("hostname"), suite.attrib
cases = {c.get("name").rsplit("/", 1)[-1]: c for c in root.iter("testcase")}
fail = cases["garbled.yaml"].find("failure")
assert "\n" not in fail.get("message"), fail.get("message")
assert "caf\ufffd \ufffd\ufffd \ufffd\ufffd\ufffd \ufffd\ufffd" in fail.text, fail.text
assert "\ufffd[31mred\ufffd[0m \ufffd <b>&amp; \"q\"" in fail.text, fail.text
skip = cases["missing.yaml"].find("skipped")
assert "nflab-no-such-program" in skip.get("message"), skip.attrib
report = json.load(open(sys.argv[2], encoding="utf-8"))
assert report["summary"]["interrupted"] is None, report["summary"]
lab = [l for l in report["labs"] if l["verdict"] == "fail"][0]
assert lab["interrupted"] is False
mismatch = "".join(s["mismatch"] or "" for s in lab["steps"])
assert "caf\ufffd \ufffd\ufffd" in mismatch, mismatch
assert "\x1b" in mismatch and "\x01" in mismatch, mismatch  # escaped as \u001b, \u0001
print("junit and json carry the output, marked")
PY

# The checks above must fail on broken reports, or they prove nothing.
sed 's/<testsuites /<testsuites skipped="1" /' "$dir/junit.xml" >"$dir/skipped.xml"
printf 'caf\351\n' >"$dir/latin1"
sed "/<system-out>/r $dir/latin1" "$dir/junit.xml" >"$dir/latin1.xml"
sed 's/<system-out>/<system-out>\&#1;/' "$dir/junit.xml" >"$dir/control.xml"
for broken in skipped latin1 control; do
	if junit_valid "$dir/$broken.xml" 2>/dev/null; then
		fail "xmllint accepts a broken JUnit report ($broken)"
	fi
done
sed "s/\"labs\":\[/\"bad\":\"caf$(printf '\351')\",&/" "$dir/report.json" >"$dir/latin1.json"
sed 's/"labs":\[/"bad":"a\tb",&/' "$dir/report.json" >"$dir/tab.json"
for broken in latin1 tab; do
	if json_valid "$dir/$broken.json" 2>/dev/null; then
		fail "the JSON check accepts a broken report ($broken)"
	fi
done
# A suite stopped by SIGTERM says so in both reports, and they stay valid.
token=$$$(date +%N)
mkdir "$dir/stopped"
cat >"$dir/stopped/hang.yaml" <<LAB
name: hang
description: Prints a byte that is not UTF-8, then sleeps until the suite is stopped.
nodes:
  a:
    interfaces: {eth0: 192.0.2.1/24}
  b:
    interfaces: {eth0: 192.0.2.2/24}
links:
  - [a:eth0, b:eth0]
steps:
  - run:
      node: a
      cmd: printf 'caf\351\n'; exec sleep 60.$token
      within: 90s
LAB
"$nflab" test --junit "$dir/stopped.xml" --json "$dir/stopped.json" "$dir/stopped" \
	>"$dir/human" 2>&1 &
pid=$!
i=0
until pgrep -f "sleep 60.$token" >/dev/null; do
	i=$((i + 1))
	[ "$i" -lt 200 ] || { kill -KILL "$pid"; fail "the hanging lab never started"; }
	sleep 0.05
done
kill -TERM "$pid"
wait "$pid"
rc=$?
cat "$dir/human"
[ "$rc" = 143 ] || fail "exit $rc after SIGTERM, expected 143"
junit_valid "$dir/stopped.xml" || fail "JUnit report of a stopped suite does not validate"
json_valid "$dir/stopped.json" || fail "JSON report of a stopped suite is not strict JSON"
python3 - "$dir/stopped.xml" "$dir/stopped.json" <<'PY' || fail "stopped report contents"
import json, sys
import xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
props = {p.get("name"): p.get("value") for p in root.iter("property")}
assert props == {"interrupted": "SIGTERM"}, props
error = root.find("testsuite/testcase/error")
assert "interrupted" in error.get("message"), error.attrib
report = json.load(open(sys.argv[2], encoding="utf-8"))
assert report["summary"]["interrupted"] == "SIGTERM", report["summary"]
assert report["labs"][0]["interrupted"] is True, report["labs"][0]
print("a stopped suite is marked in junit and json")
PY
echo "reports valid"
