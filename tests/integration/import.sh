#!/bin/sh
# nflab import on the dumps of a real box (tests/import/box/): the lab it writes
# passes nflab check and runs as is; with a probe added, DNAT works (nft and
# iptables rulesets); and it fails when it must: a wrong DNAT mapping fails the
# check at the DMZ, a malformed dump is exit 2 at its line and column. With a
# capture, the replay step is checked as text (the step itself comes with
# libpcap). Usage: import.sh NFLAB BOXDIR. Exit 0 good, 1 not, 77 without root.
set -u
nflab=$1 box=$2
. "$(dirname "$0")/../lib/need-labs.sh"
dir=$(mktemp -d "${TMPDIR:-/tmp}/nflab-import.XXXXXX") || exit 2
trap 'rm -rf "$dir"' EXIT
fail=0
bad() { echo "FAIL: $*"; fail=1; }
dumps="--addr $box/addr.json --route $box/route.json --rule $box/rule.json"

# The DNAT probe: a connection from wan to the published address must reach
# the DMZ server at its private address.
probe() {
	cat >>"$1" <<'STEPS'
steps:
  - listen: {node: dmz, port: 80}
  - tcp: {from: wan, to: 203.0.113.10:80, outcome: connected, timeout: 500ms}
  - name: DNAT to the DMZ server
    expect:
      at: dmz:eth0
      dir: in
      match: {ip.src: 203.0.113.1, ip.dst: 192.168.1.10, tcp.dport: 80, tcp.flags: syn}
      count: 1
STEPS
}

# run EXIT TEXT LAB: nflab run LAB exits EXIT and prints TEXT
run() {
	"$nflab" run "$3" >"$dir/out" 2>&1
	got=$?
	[ $got = 77 ] && { cat "$dir/out"; exit 77; }
	[ $got = "$1" ] || { cat "$dir/out"; bad "nflab run $3: expected exit $1, got $got"; }
	grep -qF -- "$2" "$dir/out" || { cat "$dir/out"; bad "nflab run $3: no \"$2\""; }
}

# 1. As is: check and run pass, and the notes name what was left out.
"$nflab" import --nft "$box/ruleset.nft" $dumps -o "$dir/box.yaml" 2>"$dir/notes" ||
	bad "import exited $?: $(cat "$dir/notes")"
grep -q "lo: 127.0.0.1/8 is a loopback address" "$dir/notes" || bad "no note on 127.0.0.1"
grep -q "^#   - lo: 127.0.0.1/8 is a loopback address" "$dir/box.yaml" || bad "no comment on 127.0.0.1"
grep -q "^# Steps: add the probes" "$dir/box.yaml" || bad "no comment on where steps go"
"$nflab" check "$dir/box.yaml" >"$dir/out" 2>&1 || bad "check: $(cat "$dir/out")"
grep -qF "ok (4 nodes, 3 links, 0 steps, 1 rule)" "$dir/out" || bad "check said: $(cat "$dir/out")"
run 0 "result: PASS (0 steps" "$dir/box.yaml"

# 2. A probe added: DNAT works, nft and iptables alike.
cp "$dir/box.yaml" "$dir/dnat.yaml" && probe "$dir/dnat.yaml"
run 0 "PASS  DNAT to the DMZ server" "$dir/dnat.yaml"
"$nflab" import --iptables "$box/iptables.rules" $dumps -o "$dir/ipt.yaml" 2>/dev/null ||
	bad "import --iptables exited $?"
probe "$dir/ipt.yaml"
run 0 "PASS  DNAT to the DMZ server" "$dir/ipt.yaml"

# 3. A wrong mapping on the box: the DMZ check fails, and says so.
sed 's/dnat to 192.168.1.10$/dnat to 192.168.1.11/' "$box/ruleset.nft" >"$dir/wrong.nft"
cmp -s "$box/ruleset.nft" "$dir/wrong.nft" && bad "the mapping was not changed"
"$nflab" import --nft "$dir/wrong.nft" $dumps -o "$dir/wrong.yaml" 2>/dev/null
probe "$dir/wrong.yaml"
run 1 "expected exactly 1 matching packet, saw 0" "$dir/wrong.yaml"

# 4. A malformed dump: exit 2, the file, line and column, and no lab.
sed '1s/"ifname":"lo",/"ifname":"lo",,/' "$box/addr.json" >"$dir/bad.json"
"$nflab" import --nft "$box/ruleset.nft" --addr "$dir/bad.json" --route "$box/route.json" \
	-o "$dir/bad.yaml" 2>"$dir/err"
got=$?
[ $got = 2 ] || bad "malformed JSON: expected exit 2, got $got"
grep -qE "^$dir/bad.json:1:[0-9]+: error: " "$dir/err" || bad "malformed JSON said: $(cat "$dir/err")"
[ -e "$dir/bad.yaml" ] && bad "a lab was written from a malformed dump"

# 5. Forwarding from sysctl -a, another node name, and a capture's replay step.
"$nflab" import --nft "$box/ruleset.nft" $dumps --sysctl "$box/sysctl.txt" --node gw \
	--pcap "$box/customer.pcapng" -o "$dir/cap.yaml" 2>"$dir/notes" || bad "import --pcap exited $?"
grep -q "^    sysctl: {net.ipv4.ip_forward: 1}" "$dir/cap.yaml" || bad "no ip_forward from sysctl -a"
grep -q "^  - \[gw:wan, wan:eth0\]" "$dir/cap.yaml" || bad "--node gw not used"
grep -q 'replay at wan:eth0: the capture names this interface wan' "$dir/notes" ||
	bad "no note on the replay: $(cat "$dir/notes")"
line=$(grep '^  - replay: ' "$dir/cap.yaml")
pcap=$(printf '%s\n' "$line" | sed -n 's/.*pcap: "\([^"]*\)".*/\1/p')
[ -n "$pcap" ] && cmp -s "$dir/$pcap" "$box/customer.pcapng" || bad "replay pcap: $line"
printf '%s\n' "$line" | grep -qF 'at: wan:eth0, filter: "not ether src ce:8f:5b:ea:cb:c9"}' ||
	bad "replay step: $line"

# 6. The capture replayed (docs/customer-cases.md, step 4), where nflab has the
# replay step: the customer's queries die in fw (the symptom), and with the
# DNAT for DNS added they reach the DMZ server.
replay_expects() {
	cat >>"$1" <<'STEPS'
  - name: both captured queries reach the DNS server in the DMZ
    expect:
      at: dmz:eth0
      dir: in
      filter: "udp dst port 53 and src host 198.51.100.7 and dst host 192.168.1.10"
      count: 2
  - name: the captured SYN reaches the web server
    expect:
      at: dmz:eth0
      dir: in
      filter: "tcp[tcpflags] & tcp-syn != 0 and src host 198.51.100.8 and dst port 80"
      count: 1
STEPS
}
if "$nflab" check "$dir/cap.yaml" >"$dir/out" 2>&1; then
	replay_expects "$dir/cap.yaml"
	run 1 "expected exactly 2 matching packets, saw 0" "$dir/cap.yaml"
	grep -qF "PASS  the captured SYN reaches the web server" "$dir/out" || bad "SYN not DNATed"
	sed 's/^\(\t\t\)\(iifname "wan" ip daddr 203.0.113.10 tcp dport { 80, 443 } dnat to 192.168.1.10\)$/\1\2\n\1iifname "wan" ip daddr 203.0.113.10 udp dport 53 dnat to 192.168.1.10/' \
		"$box/ruleset.nft" >"$dir/fixed.nft"
	"$nflab" import --nft "$dir/fixed.nft" $dumps --pcap "$box/customer.pcapng" \
		-o "$dir/fixed.yaml" 2>/dev/null || bad "import of the fixed ruleset exited $?"
	replay_expects "$dir/fixed.yaml"
	run 0 "result: PASS (3 steps" "$dir/fixed.yaml"
	replayed=", replayed"
else
	bad "check of the replay lab: $(cat "$dir/out")"
fi
[ $fail = 0 ] && echo "import: as is, DNAT (nft, iptables), wrong mapping, malformed JSON, replay text${replayed:-}"
exit $fail
