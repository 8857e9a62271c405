#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""nflab-lab(5) must describe every key the lab parser accepts.

Usage: keys.py NFLAB nflab-lab.5

Asks nflab itself which keys each mapping of a lab accepts: a lab with an
unknown key "bogus" in that mapping makes `nflab check` list them
("unknown key "bogus" in node; expected one of: router, sysctl, ...").
A step without a kind lists the step kinds. Every key must be written in
bold somewhere in the page (.B, .BR, .RB, .BI, .IB or \\fB...\\fR), which
is how the page marks keys. Exit 0 when all are there, 1 when one is
missing or nflab's messages could not be read.
"""
import os
import re
import subprocess
import sys
import tempfile

BASE = """name: k
nodes:
  a: {interfaces: {eth0: [10.0.0.1/24, "2001:db8::1/64"]}}
  b: {}
links:
  - [a:eth0, b:eth0]
"""

UDP = "{from: a, ip: {dst: 10.0.0.2}, udp: {sport: 1, dport: 2}"


def step(s):
    return BASE + "steps:\n  - " + s + "\n"


# context -> (lab text, extra files)
CASES = {
    "lab": (BASE + "bogus: 1\n", {}),
    "topology": ("name: k\ntopology: t\n", {"topologies/t.yaml": "name: t\nbogus: 1\n"}),
    "node": (BASE.replace("b: {}", "b: {bogus: 1}"), {}),
    "interface": (BASE.replace("b: {}", "b: {interfaces: {eth0: {bogus: 1}}}"), {}),
    "link": (BASE.replace("[a:eth0, b:eth0]", "{ends: [a:eth0, b:eth0], bogus: 1}"), {}),
    "route": (BASE.replace("b: {}", "b: {routes: [{to: default, bogus: 1}]}"), {}),
    "rule": (BASE.replace("b: {}", "b: {rules: [{table: 1, bogus: 1}]}"), {}),
    "step": (step("{bogus: 1, udp: {from: a, to: 10.0.0.2:9}}"), {}),
    "step kinds": (step("{name: x}"), {}),
    "udp probe": (step("udp: {from: a, to: 10.0.0.2:9, bogus: 1}"), {}),
    "tcp probe": (step("tcp: {from: a, to: 10.0.0.2:9, bogus: 1}"), {}),
    "ping probe": (step("ping: {from: a, to: 10.0.0.2, bogus: 1}"), {}),
    "listen": (step("listen: {node: b, port: 9, bogus: 1}"), {}),
    "expect": (step("expect: {at: a:eth0, bogus: 1}"), {}),
    "send": (step("send: {from: a, ip: {dst: 10.0.0.2}, bogus: 1}"), {}),
    "eth": (step("send: {from: a:eth0, eth: {bogus: 1}}"), {}),
    "arp": (step("send: {from: a:eth0, arp: {bogus: 1}}"), {}),
    "ip": (step("send: {from: a, ip: {dst: 10.0.0.2, bogus: 1}}"), {}),
    "ip6": (step('send: {from: a, ip6: {dst: "2001:db8::2", bogus: 1}}'), {}),
    "fragment": (step('send: {from: a, ip6: {dst: "2001:db8::2", fragment: {bogus: 1}}}'), {}),
    "udp": (step("send: {from: a, ip: {dst: 10.0.0.2}, udp: {bogus: 1}}"), {}),
    "tcp": (step("send: {from: a, ip: {dst: 10.0.0.2}, tcp: {bogus: 1}}"), {}),
    "icmp": (step("send: {from: a, ip: {dst: 10.0.0.2}, icmp: {type: 3, bogus: 1}}"), {}),
    "icmp6": (step('send: {from: a, ip6: {dst: "2001:db8::2"}, icmp6: {type: 1, bogus: 1}}'), {}),
    "quoted packet": (step("send: {from: a, ip: {dst: 10.0.0.2}, "
                           "icmp: {type: 3, quote: {bogus: 1}}}"), {}),
    "captured quote": (step("send: {from: a, ip: {dst: 10.0.0.2}, "
                            "icmp: {type: 3, quote: {captured: a:eth0, bogus: 1}}}"), {}),
    "sweep": (step("send: " + UDP + ", sweep: {bogus: 1-2}}"), {}),
    "nft step": (step("nft: {node: a, ruleset: x, bogus: 1}"), {}),
    "conntrack step": (step("conntrack: {node: a, flush: true, bogus: 1}"), {}),
    "conntrack delete": (step("conntrack: {node: a, delete: {bogus: 1}}"), {}),
    "sysctl step": (step("sysctl: {node: a, set: {net.x: 1}, bogus: 1}"), {}),
    "link step": (step("link: {at: a:eth0, state: up, bogus: 1}"), {}),
    "link state": (step("link: {at: a:eth0, state: bogus}"), {}),
    "iptables step": (step("iptables: {node: a, rules: x, bogus: 1}"), {}),
    "ip6tables step": (step("ip6tables: {node: a, rules: x, bogus: 1}"), {}),
    "addr step": (step("addr: {at: a:eth0, add: 10.0.0.9/24, bogus: 1}"), {}),
    "route step": (step("route: {node: a, add: default via 10.0.0.2, bogus: 1}"), {}),
    "replay step": (step("replay: {pcap: x.pcap, at: a:eth0, bogus: 1}"), {}),
    "capture point": (BASE + "capture: [{at: a:eth0, bogus: 1}]\n", {}),
}

LISTS = [
    re.compile(r'unknown key "bogus" in [^;]+; expected one of: (.*)$'),
    re.compile(r"expected a step with exactly one of (.*); got 0"),
    re.compile(r'expected (.*), got "bogus"'),
]


def accepted(nflab, text, files):
    with tempfile.TemporaryDirectory() as d:
        for name, body in files.items():
            os.makedirs(os.path.join(d, os.path.dirname(name)), exist_ok=True)
            with open(os.path.join(d, name), "w") as f:
                f.write(body)
        lab = os.path.join(d, "k.yaml")
        with open(lab, "w") as f:
            f.write(text)
        p = subprocess.run([nflab, "check", lab], stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True)
    for rx in LISTS:
        m = rx.search(p.stdout)
        if m:
            return [k for k in re.split(r", | or ", m.group(1)) if k], p.stdout
    return None, p.stdout


def roff_args(line):
    """The arguments of a macro line, with roff's quoting."""
    args, cur, q, i = [], "", False, 0
    while i < len(line):
        c = line[i]
        if c == '"':
            if q and line[i + 1:i + 2] == '"':
                cur += '"'
                i += 1
            else:
                q = not q
        elif c == " " and not q:
            if cur:
                args.append(cur)
            cur = ""
        else:
            cur += c
        i += 1
    if cur:
        args.append(cur)
    return args


def unescape(s):
    s = re.sub(r"\\f[BIRP]|\\&|\\\||\\%", "", s)
    return s.replace("\\-", "-").replace("\\(dq", '"').replace("\\e", "\\")


def bold_strings(page):
    out = set()
    for line in page.split("\n"):
        for m in re.finditer(r"\\fB(.*?)\\f[RIP]", line):
            out.add(unescape(m.group(1)))
        m = re.match(r"\.(B|BR|RB|BI|IB)(\s+(.*))?$", line)
        if not m:
            continue
        args = roff_args(m.group(3) or "")
        if m.group(1) == "B":
            args = [" ".join(args)]
            first = 0
        else:
            first = 0 if m.group(1) in ("BR", "BI") else 1
        for a in args[first::2] if m.group(1) != "B" else args:
            out.add(unescape(a).strip())
    words = set()
    for s in out:
        words.add(s)
        words.add(s.rstrip(":"))
        if s.split():
            words.add(s.split()[0].rstrip(":"))
    return words


def main():
    nflab, page_path = sys.argv[1], sys.argv[2]
    with open(page_path) as f:
        bold = bold_strings(f.read())
    failures, total = [], 0
    for ctx, (text, files) in CASES.items():
        keys, out = accepted(nflab, text, files)
        if keys is None:
            failures.append("%s: could not read the accepted keys from nflab check:\n%s"
                            % (ctx, out))
            continue
        total += len(keys)
        missing = [k for k in keys if k not in bold]
        print("%-15s %s" % (ctx + ":", ", ".join(keys)))
        if missing:
            failures.append("%s: %s not described (in bold) in %s"
                            % (ctx, ", ".join(missing), os.path.basename(page_path)))
    print("%d keys in %d mappings" % (total, len(CASES)))
    for f in failures:
        print("FAIL: " + f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
