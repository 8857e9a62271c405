#!/bin/sh
# Runs the flagship lab with --timeline and --events and checks that the story
# is told: the DNAT seen in fw's trace, the error RELATED in fw's output hook,
# its reverse NAT on the way out, and one valid JSON object per event line;
# the hook of each trace event, and each passing check's tick under the
# packet it matched, there and in the JSON.
# usage: timeline.sh NFLAB LAB
set -u
nflab=$1 lab=$2
. "$(dirname "$0")/../lib/need-labs.sh"
dir=$(mktemp -d "${TMPDIR:-/tmp}/nflab-timeline.XXXXXX") || exit 2
trap 'rm -rf "$dir"' EXIT
"$nflab" run --timeline --events "$dir/events.jsonl" "$lab" >"$dir/out" 2>&1
rc=$?
cat "$dir/out"
[ "$rc" = 0 ] || { echo "FAIL: exit $rc"; exit 1; }
for want in \
	"fw:eth0 in         198.51.100.10.40000 > 203.0.113.10.9: UDP" \
	"ct NEW [DST_NAT]: 198.51.100.10.40000 > 192.168.1.10.9: UDP, length 5  <= DNAT 203.0.113.10:9 -> 192.168.1.10:9" \
	"\"reject-published\" drop in=eth0 out=eth1 ct NEW [DST_NAT]" \
	"filter output rule handle 6 continue out=eth0 ct RELATED reply [DST_NAT]: 192.168.42.1 > 198.51.100.10: ICMP port unreachable" \
	"<= reverse DNAT of an error: src 192.168.42.1 -> 203.0.113.10" \
	"client:eth0 in     203.0.113.10 > 198.51.100.10: ICMP port unreachable [quoting 198.51.100.10.40000 > 203.0.113.10.9" \
	"fw trace @forward  [TRACE " \
	"fw trace @output   [TRACE "; do
	grep -qF -- "$want" "$dir/out" || { echo "FAIL: timeline lacks: $want"; exit 1; }
done
# Step 2 (the error reaches the client) ticks the error's arrival, the line right after it.
awk -v lab="$lab" '
	prev ~ /client:eth0 in +203\.0\.113\.10 > 198\.51\.100\.10: ICMP port unreachable/ &&
	index($0, "\342\234\223 expect [2] (" lab ":") { found = 1 }
	{ prev = $0 }
	END { exit !found }' "$dir/out" ||
	{ echo "FAIL: no tick of step 2 under the error arriving at client:eth0"; exit 1; }
grep -q '"kind":"trace".*"hook":"forward"' "$dir/events.jsonl" ||
	{ echo "FAIL: no trace event with its hook in the JSON"; exit 1; }
grep -q '"point":"client:eth0","dir":"in".*"expect":\[{"step":2,"pass":true' "$dir/events.jsonl" ||
	{ echo "FAIL: no tick of step 2 in the JSON"; exit 1; }
lines=$(wc -l <"$dir/events.jsonl")
[ "$lines" -gt 20 ] || { echo "FAIL: only $lines event lines"; exit 1; }
grep -q '"kind":"trace".*"trace.ct.state":"RELATED"' "$dir/events.jsonl" ||
	{ echo "FAIL: no RELATED trace event in the JSON"; exit 1; }
if command -v python3 >/dev/null; then
	python3 -c 'import json, sys
for n, line in enumerate(open(sys.argv[1]), 1):
    json.loads(line)' "$dir/events.jsonl" || { echo "FAIL: invalid JSON"; exit 1; }
fi
echo "ok: timeline tells the story; $lines JSON events"
