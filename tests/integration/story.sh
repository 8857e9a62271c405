#!/bin/sh
# The story says what the kernel did: every lab of the library is run with
# --events, and every conntrack NEW/UPDATE must sit with a packet of its node
# seen at most 50 ms before it (causal.py); the hairpin lab's double-NATed
# SYN/ACK is one group whose router hop names both reverse rewrites; replies
# are told as reverse NAT, never as SNAT or DNAT.
# usage: story.sh NFLAB SOURCE_DIR
set -u
nflab=$1 src=$2
. "$(dirname "$0")/../lib/need-labs.sh"
dir=$(mktemp -d "${TMPDIR:-/tmp}/nflab-story.XXXXXX") || exit 2
trap 'rm -rf "$dir"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

for lab in $("$nflab" test --list "$src/labs"); do
	name=$(echo "$lab" | tr / _ | sed "s/^[._]*//")
	"$nflab" run -q --topologies "$src/topologies" --events "$dir/$name.jsonl" "$lab" \
		>"$dir/$name.out" 2>&1
	rc=$?
	[ "$rc" = 0 ] || [ "$rc" = 77 ] || { cat "$dir/$name.out"; fail "$lab: exit $rc"; }
done
python3 "$(dirname "$0")/causal.py" "$dir"/*.jsonl || fail "conntrack events on the wrong packet"

python3 - "$dir" <<'PY' || fail "NAT told wrongly"
import glob, json, sys
d = sys.argv[1]
ev = [json.loads(l) for l in open(glob.glob(d + "/*nat_hairpin.yaml.jsonl")[0])]
# The SYN/ACK from the server to the router's SNAT address leaves to the client
# with both ends rewritten back: one group, told as the reply it is.
synack_in = [e for e in ev if e.get("point") == "router:eth0" and e.get("dir") == "in"
             and "192.168.1.20.80 > 192.168.1.1." in e["summary"] and "[S.]" in e["summary"]]
assert synack_in, "no SYN/ACK from the server to the router's address"
g = synack_in[0]["group"]
out = [e for e in ev if e["group"] == g and e.get("point") == "router:eth0" and e.get("dir") == "out"]
assert out, f"the SYN/ACK's group {g} never leaves the router: split in two"
assert out[0].get("nat", "").startswith("reverse DNAT 192.168.1.20:80 -> 203.0.113.1:80, reverse SNAT 192.168.1.1:"), out[0]
# No reply of a stateful NAT is called SNAT or DNAT. (Stateless NAT, as nptv6's
# prefix translation, makes a reply a new connection that is SNATed: not here.)
stateful = ["nat_hairpin", "nat_masquerade-counters", "conntrack_tcp-dnat-states", "nat_snat",
            "nat_dnat-iptables-nflog", "nat_icmp-error-related", "nat_redirect", "nat_nat66"]
for path in [p for p in glob.glob(d + "/*.jsonl") if any(s + "." in p for s in stateful)]:
    for e in map(json.loads, open(path)):
        nat = e.get("nat", "")
        if e["kind"] == "packet" and ("[S.]" in e["summary"] or "echo reply" in e["summary"]):
            assert not nat or nat.startswith("reverse") or "of an error" in nat, (path, e)
print("NAT told by direction")
# The flagship's rejected datagrams end with their fate, told from its own trace rules.
fl = [json.loads(l) for l in open(glob.glob(d + "/*nat_icmp-error-related.yaml.jsonl")[0])]
fates = [e["fate"] for e in fl if "fate" in e]
assert sum(f.startswith('rejected at fw by ip filter forward rule "reject-') for f in fates) == 2, fates
print("fates told")
PY
echo "ok: the story holds"
