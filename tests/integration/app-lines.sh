#!/bin/sh
# DNS and HTTP told in the story: the DNS lab's queries and answers (A, AAAA,
# NXDOMAIN) and the HTTP lab's request and status lines, in --timeline, in
# --events (summary and "app") and on the --ladder's arrows.
# usage: app-lines.sh NFLAB SOURCE_DIR
set -u
nflab=$1 src=$2
. "$(dirname "$0")/../lib/need-labs.sh"
for tool in dnsmasq dig getent python3 curl; do
	command -v "$tool" >/dev/null || { echo "needs $tool"; exit 77; }
done
dir=$(mktemp -d "${TMPDIR:-/tmp}/nflab-app.XXXXXX") || exit 2
trap 'rm -rf "$dir"' EXIT
fail=0

# run NAME: the lab labs/pcap/NAME.yaml with every story output.
run() {
	"$nflab" run --timeline --events "$dir/$1.jsonl" --ladder "$dir/$1.svg" \
		"$src/labs/pcap/$1.yaml" >"$dir/$1.out" 2>&1 ||
		{ cat "$dir/$1.out"; echo "FAIL: labs/pcap/$1.yaml exited $?"; exit 1; }
}

# want FILE TEXT...: each TEXT is in FILE.
want() {
	file=$1
	shift
	for t in "$@"; do
		grep -q -F -- "$t" "$file" || { echo "FAIL: $file lacks: $t"; fail=1; }
	done
}

run dns
want "$dir/dns.out" \
	'.53: UDP, length 57: DNS query A www.example.test' \
	'UDP, length 61: DNS response A www.example.test -> 203.0.113.80' \
	'DNS query AAAA www.example.test' \
	'DNS response AAAA www.example.test -> 2001:db8:80::80' \
	'DNS response A nope.example.test: NXDOMAIN'
want "$dir/dns.jsonl" '"app":"DNS query A www.example.test"' \
	'"app":"DNS response A www.example.test -> 203.0.113.80"'
want "$dir/dns.svg" '>DNS response A www.example.test -&gt; 203.0.113.80</text>'

run http
want "$dir/http.out" ': HTTP GET /' ': HTTP 200 OK'
want "$dir/http.jsonl" '"app":"HTTP GET /"' '"app":"HTTP 200 OK"'
want "$dir/http.svg" '>HTTP GET /</text>' '>HTTP 200 OK</text>'

# No application line where there is no application: the flows' bare handshakes.
if grep -q -E 'Flags \[S\.?\],.*: (HTTP|DNS)' "$dir/http.out"; then
	echo "FAIL: a SYN got an application line"
	fail=1
fi
[ "$fail" = 0 ] && echo "ok: DNS and HTTP are told in the timeline, the events and the ladder"
exit "$fail"
