#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Checks an --events file: every conntrack NEW/UPDATE event sits in a group
with a packet of its own node seen at most 50 ms before it (or at most 1 ms
after: the capture tap stamps a packet after the hook that sent the event),
and never in a group whose packets all came later.

usage: causal.py EVENTS.jsonl...   exit 1 and one line per misplaced event
"""
import json
import sys

WINDOW_MS, SLACK_MS = 50.0, 1.0


def check(path):
    events = [json.loads(line) for line in open(path, encoding="utf-8")]
    node_of_point = {}
    for e in events:
        if e["kind"] == "packet":
            node_of_point[e["point"]] = e["point"].split(":")[0]
    bad = []
    n = 0
    for e in events:
        if e["kind"] != "conntrack" or not any(
            t in e["summary"] for t in ("[NEW]", "[UPDATE]")
        ):
            continue
        n += 1
        hops = [
            p["t_ms"]
            for p in events
            if p["kind"] == "packet"
            and p["group"] == e["group"]
            and node_of_point[p["point"]] == e["node"]
        ]
        alone = not any(
            p["group"] == e["group"] for p in events if p["kind"] == "packet"
        )
        if alone:
            continue  # nflab could not tell: it stands alone, which is honest
        if not any(e["t_ms"] - WINDOW_MS <= t <= e["t_ms"] + SLACK_MS for t in hops):
            bad.append(
                f"{path}: conntrack event at {e['t_ms']:.3f} ms on {e['node']} in group "
                f"{e['group']}, whose packets at {e['node']} are at "
                f"{', '.join(f'{t:.3f}' for t in hops) or 'no time'} ms: {e['summary']}"
            )
    return n, bad


def main():
    total, bad = 0, []
    for path in sys.argv[1:]:
        n, b = check(path)
        total += n
        bad += b
    for line in bad:
        print(line)
    print(f"{total} conntrack NEW/UPDATE events, {len(bad)} misplaced")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
