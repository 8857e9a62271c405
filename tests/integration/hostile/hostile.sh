#!/bin/sh
# Hostile lab files (issue 19): each class ends fast, with its exit code, its
# message at the lab line, and nothing of the host shown. Big inputs are made
# here, in the test's own directory, not committed.
# usage: hostile.sh NFLAB DIR CASE   (DIR: tests/integration/hostile)
# Each check prints "CASE: exit N in M ms" and fails when the exit, the text or
# the time (under BOUND_MS, 2 s) is not as expected. Runs need root (else 77).
set -u
nflab=$1 dir=$2 case=$3
BOUND_MS=${BOUND_MS:-2000}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/nflab-hostile.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT
out=$tmp/out
failed=0

fail() {
	echo "FAIL: $case: $*" >&2
	failed=1
}

# expect EXIT TEXT COMMAND...: COMMAND exits EXIT, prints TEXT, within BOUND_MS.
expect() {
	want=$1 text=$2
	shift 2
	start=$(date +%s%N)
	timeout "${HOSTILE_TIMEOUT:-30}" "$@" >"$out" 2>&1
	rc=$?
	ms=$((($(date +%s%N) - start) / 1000000))
	echo "$case: exit $rc in $ms ms: $(echo "$*" | cut -c1-160)"
	head -c 2000 "$out"
	echo
	[ "$rc" = "$want" ] || fail "exit $rc, expected $want"
	grep -qF -- "$text" "$out" || fail "the output does not say: $text"
	[ "$ms" -lt "$BOUND_MS" ] || fail "took $ms ms, the bound is $BOUND_MS ms"
	# Nothing of the host's files in any message.
	! grep -q '^root:\|:/bin/\(ba\)\?sh$' "$out" || fail "the output shows a host file"
}

# No control character of a lab's text reaches the terminal: no ESC, CR or C1.
no_raw_controls() {
	if LC_ALL=C grep -q "$(printf '[\033\r]')" "$out" ||
	   LC_ALL=C grep -q "$(printf '\302[\200-\237]')" "$out"; then
		fail "raw control characters in the output"
	fi
}

need_root() {
	[ "$(id -u)" = 0 ] || { echo "$case: needs root to run a lab"; exit 77; }
}

# The two-node lab every generated file starts from.
header() {
	printf 'name: %s\nnodes:\n  a:\n    interfaces: {eth0: 192.0.2.1/24}\n' "$case"
	printf '  b:\n    interfaces: {eth0: 192.0.2.2/24}\nlinks:\n  - [a:eth0, b:eth0]\n'
}

lab=$tmp/lab.yaml
case $case in
# Lab files that are no files: an error at once, never a wait.
fifo)
	mkfifo "$lab"
	expect 2 "lab.yaml:1:1: error: a FIFO, not a regular file" "$nflab" check "$lab"
	[ "$(id -u)" = 0 ] &&
		expect 2 "a FIFO, not a regular file" "$nflab" run "$lab" ;;
directory)
	mkdir "$lab"
	need_root
	expect 2 "a directory, not a regular file" "$nflab" run "$lab" ;;
dev-zero)
	ln -s /dev/zero "$lab"
	expect 2 "a character device, not a regular file" "$nflab" check "$lab" ;;
topology-fifo)
	mkdir "$tmp/labs" "$tmp/topologies"
	mkfifo "$tmp/topologies/t.yaml"
	printf 'name: topology-fifo\ntopology: t\n' >"$tmp/labs/x.yaml"
	expect 2 "a FIFO, not a regular file" "$nflab" check "$tmp/labs/x.yaml" ;;
discovery)
	# A FIFO among the labs is named, not skipped; directory loops are walked once.
	mkdir -p "$tmp/labs/sub"
	header >"$tmp/labs/ok.yaml"
	mkfifo "$tmp/labs/sub/pipe.yaml"
	ln -s .. "$tmp/labs/sub/up"
	ln -s . "$tmp/labs/sub/here"
	expect 2 "pipe.yaml:1:1: error: a FIFO, not a regular file" "$nflab" check "$tmp/labs" ;;
size)
	{ header; head -c 1048576 /dev/zero | tr '\0' '#'; } >"$lab"
	expect 2 "a lab or topology file may have at most 1048576 bytes" "$nflab" check "$lab" ;;
# YAML bombs: stopped where the limit is crossed, while parsing.
depth-flow)
	{ printf 'name: x\nnodes: '; head -c 100000 /dev/zero | tr '\0' '['; } >"$lab"
	expect 2 "lab.yaml:2:71: error: lists and mappings nested more than 64 deep" \
		"$nflab" check "$lab" ;;
depth-block)
	{ printf 'name: x\nnodes:\n'
	  awk 'BEGIN { for (i = 1; i <= 200; i++) printf "%*sk:\n", i, "" }'; } >"$lab"
	expect 2 "error: lists and mappings nested more than 64 deep" "$nflab" check "$lab" ;;
values)
	{ printf 'name: x\nsteps: ['; yes 1, | head -n 200000 | tr -d '\n'; echo ']'; } >"$lab"
	expect 2 "a lab file may hold at most 100000" "$nflab" check "$lab" ;;
alias-bomb)
	expect 2 "alias-bomb.yaml:9:5: error: this expands (through aliases) to more than 100000 values" \
		"$nflab" check "$dir/alias-bomb.yaml" ;;
alias-wide)
	# 999 aliases to a step with a 64 KiB payload: 64 MiB of copies before.
	{ header; printf 'steps:\n  - &s {udp: {from: a, to: 192.0.2.2:9, payload: "'
	  head -c 65536 /dev/zero | tr '\0' A; printf '"}}\n'
	  yes '  - *s' | head -n 999; } >"$lab"
	expect 2 "lab.yaml:10:3: error: this expands (through aliases) to more than 16777216 bytes" \
		"$nflab" check "$lab" ;;
anchors)
	# libyaml looks each anchor and alias up in a list of all anchors: 22 s before.
	{ printf 'name: x\nsteps: [\n'
	  awk 'BEGIN { for (i = 0; i < 45000; i++) printf "&a%d x,\n", i
		       for (i = 0; i < 45000; i++) printf "*a44999,\n" }'; echo ']'; } >"$lab"
	expect 2 "lab.yaml:103:1: error: more than 100 anchors (&name): a lab file may have at most 100" \
		"$nflab" check "$lab" ;;
directives)
	# libyaml checks each %TAG against every one before it: 50 s before.
	{ awk 'BEGIN { for (i = 0; i < 60000; i++) printf "%%TAG !a%d! t:\n", i }'
	  printf -- '---\nname: x\n'; } >"$lab"
	expect 2 "lab.yaml:17:1: error: more than 16 directive lines (%YAML, %TAG)" \
		"$nflab" check "$lab" ;;
alias-cycle)
	expect 2 "an alias to the list or mapping that holds it" \
		"$nflab" check "$dir/alias-cycle.yaml" ;;
# What a lab declares: each limit its own error, at the line that crosses it.
nodes)
	{ printf 'name: x\nnodes:\n'
	  awk 'BEGIN { for (i = 0; i < 10000; i++) printf "  n%d: {interfaces: {eth0: 10.%d.%d.1/24}}\n", i, i / 256, i % 256 }'
	} >"$lab"
	expect 2 "lab.yaml:1027:3: error: more than 1024 nodes: a lab may have at most 1024" \
		"$nflab" check "$lab" ;;
links)
	{ printf 'name: x\nnodes: {a: , b: }\nlinks:\n'
	  awk 'BEGIN { for (i = 0; i < 2100; i++) printf "  - [a:e%d, b:e%d]\n", i, i }'; } >"$lab"
	expect 2 "lab.yaml:2052:5: error: more than 2048 links" "$nflab" check "$lab" ;;
addresses-100k)
	# 40 s in check before (a quadratic duplicate check); now more bytes than a lab may have.
	{ printf 'name: x\nnodes:\n  a:\n    interfaces:\n      eth0: ['
	  awk 'BEGIN { for (i = 1; i <= 100000; i++) printf "10.%d.%d.%d/8, ", i / 65536, i / 256 % 256, i % 256 }'
	  printf '11.0.0.1/8]\n  b: {interfaces: {eth0: 11.0.0.2/8}}\nlinks:\n  - [a:eth0, b:eth0]\n'
	} >"$lab"
	expect 2 "a lab or topology file may have at most 1048576 bytes" "$nflab" check "$lab" ;;
addresses)
	{ printf 'name: x\nnodes:\n  a:\n    interfaces:\n      eth0:\n'
	  awk 'BEGIN { for (i = 1; i <= 8300; i++) printf "        - 10.0.%d.%d/8\n", i / 256, i % 256 }'
	  printf '  b: {interfaces: {eth0: 11.0.0.2/8}}\nlinks:\n  - [a:eth0, b:eth0]\n'
	} >"$lab"
	expect 2 "lab.yaml:8198:11: error: more than 8192 addresses" "$nflab" check "$lab" ;;
address-duplicate)
	# The duplicate check sorts: the first repeat in the file, named at its line.
	{ printf 'name: x\nnodes:\n  a:\n    interfaces:\n      eth0:\n'
	  awk 'BEGIN { for (i = 1; i <= 1000; i++) printf "        - 10.0.%d.%d/8\n", i / 256, i % 256
		       print "        - 10.0.1.44/8"; print "        - 10.0.0.7/8" }'
	  printf '  b: {interfaces: {eth0: 11.0.0.2/8}}\nlinks:\n  - [a:eth0, b:eth0]\n'
	} >"$lab"
	expect 2 "lab.yaml:1006:11: error: duplicate address on a:eth0" "$nflab" check "$lab" ;;
routes)
	{ printf 'name: x\nnodes:\n  a:\n    interfaces: {eth0: 192.0.2.1/24}\n    routes:\n'
	  awk 'BEGIN { for (i = 0; i < 8300; i++) printf "      - 10.%d.%d.0/24 via 192.0.2.2\n", i / 256, i % 256 }'
	  printf '  b:\n    interfaces: {eth0: 192.0.2.2/24}\nlinks:\n  - [a:eth0, b:eth0]\n'
	} >"$lab"
	expect 2 "lab.yaml:8198:9: error: more than 8192 routes and rules" "$nflab" check "$lab" ;;
steps)
	{ header; echo 'steps:'; yes '  - wait: 1ms' | head -n 1100; } >"$lab"
	expect 2 "lab.yaml:1010:5: error: more than 1000 steps" "$nflab" check "$lab" ;;
expects)
	{ header; echo 'steps:'
	  yes '  - expect: {at: a:eth0, dir: in, match: {ip.src: 192.0.2.2}, count: 0}' | head -n 600
	} >"$lab"
	expect 2 "lab.yaml:510:5: error: more than 500 expect steps" "$nflab" check "$lab" ;;
# Regular expressions whose compiling takes memory exponential in their length.
regex-payload)
	{ header; echo 'steps:'
	  echo '  - expect: {at: a:eth0, match: {payload: "regex:x:-++++++++++++++++++++++++++++++++++++++a"}}'
	} >"$lab"
	expect 2 "lab.yaml:10:43: error: payload: bad regular expression" "$nflab" check "$lab"
	expect 2 "a repetition of a repetition at character 5" "$nflab" check "$lab" ;;
regex-output)
	{ header; echo 'steps:'
	  echo '  - run: {node: a, cmd: "true", stdout: {match: "((((((((((((((a+)+)+)+)+)+)+)+)+)+)+)+)+)+"}}'
	} >"$lab"
	expect 2 "more than 4096 copies of a subexpression" "$nflab" check "$lab" ;;
# tcpdump filters: libpcap's compile time grows faster than their length, and
# a host name would be looked up by the host's resolver.
filter-long)
	{ header; echo 'steps:'
	  printf '  - expect: {at: a:eth0, count: none, filter: "port 1'
	  i=2; while [ $i -le 1500 ]; do printf ' or port %d' $i; i=$((i + 1)); done
	  printf '"}\n'; } >"$lab"
	expect 2 "lab.yaml:10:47: error: filter" "$nflab" check "$lab"
	expect 2 "characters: a filter may have at most 256" "$nflab" check "$lab" ;;
filter-budget)
	{ header; echo 'steps:'
	  i=0; while [ $i -lt 40 ]; do
		printf '  - expect: {at: a:eth0, count: none, filter: "port 1'
		j=2; while [ $j -le 20 ]; do printf ' or port %d' $j; j=$((j + 1)); done
		printf '"}\n'; i=$((i + 1)); done; } >"$lab"
	expect 2 "the lab's filters have more than 4096 characters together" "$nflab" check "$lab" ;;
filter-hostname)
	{ header; echo 'steps:'
	  echo '  - expect: {at: a:eth0, count: none, filter: "tcp and src gw.example.com"}'; } >"$lab"
	expect 2 "\"gw.example.com\" is a host name, which the host's resolver would look up" \
		"$nflab" check "$lab" ;;
# Rulesets cannot read the host's files.
nft-include-etc-passwd | nft-include-relative | nft-include-glob | nft-include-dev-zero)
	expect 2 "$case.yaml:13:7: error: nft \"include\": a lab's ruleset cannot read files" \
		"$nflab" check "$dir/$case.yaml"
	[ "$(id -u)" = 0 ] &&
		expect 2 "$case.yaml:13:7: error: nft \"include\"" "$nflab" run "$dir/$case.yaml" ;;
nft-step-include)
	expect 2 "nft-step-include.yaml:16:40: error: nft \"include\"" \
		"$nflab" check "$dir/$case.yaml" ;;
ipt-modprobe)
	expect 2 "ipt-modprobe.yaml:10:31: error: iptables option \"--modp=/tmp/evil\"" \
		"$nflab" check "$dir/$case.yaml" ;;
# Names from labs: one file name, and shown, never acting on a terminal.
name-escape)
	need_root
	mkdir "$tmp/pcaps"
	expect 2 "name-escape.yaml:1:7: error: expected a lab name of 1 to 64 characters" \
		"$nflab" run --pcap-dir "$tmp/pcaps" --pcap-merge "$dir/$case.yaml"
	[ ! -e "$tmp/escaped.pcapng" ] || fail "a pcap was written outside --pcap-dir" ;;
name-terminal)
	expect 2 'got "fake\x1b[2K\x0dresult: PASS"' "$nflab" check "$dir/$case.yaml"
	no_raw_controls ;;
step-name-terminal)
	need_root
	# ESC, CR and U+0085 escaped; the newline kept, its line indented.
	expect 1 'PASS  x\e[2K\rresult: PASS' "$nflab" run --timeline "$dir/$case.yaml"
	grep -qF '    result: PASS\u0085: ping a -> 192.0.2.2' "$out" || fail "the name's second line"
	grep -qF 'FAIL  \e[32mfail\e[0m\r: exactly 1 packet' "$out" || fail "the failed step's name"
	no_raw_controls
	! grep -q '^result: PASS' "$out" || fail "a fake result line" ;;
# Paths a lab names are in the lab's own /tmp.
keep-escape)
	expect 2 "keep-escape.yaml:4:8: error: expected a file in the lab's /tmp" \
		"$nflab" check "$dir/$case.yaml" ;;
ready-host-path)
	expect 2 "ready-host-path.yaml:18:21: error: expected a file in the lab's /tmp" \
		"$nflab" check "$dir/$case.yaml" ;;
ready-symlink)
	need_root
	expect 2 "was not ready within 0.3 s (waited for file /tmp/ready)" \
		"$nflab" run "$dir/$case.yaml" ;;
*)
	echo "unknown case $case" >&2
	exit 2 ;;
esac
[ "$failed" = 0 ] && echo "ok: $case"
exit "$failed"
