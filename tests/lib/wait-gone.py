#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Waits until no process of session SID is alive, or a deadline passes.

usage: wait-gone.py SID [SECONDS]   (default 10)

Processes of a killed nflab can still be dying when its parent's wait()
returns: a packet socket's close waits for an RCU grace period (D state in
synchronize_rcu), an iptables-restore reparented to init is finishing its
exit. Those are not survivors. This waits on each one's pidfd (readable when
the process has exited, zombie or not) until all have ended, so nothing is
sampled at an arbitrary instant. Only processes in SID are looked at: other
programs on a shared machine are none of our business.

Exit 0 when none is left; 1 at the deadline, printing each survivor's pid,
state, wait channel and command line.
"""
import os
import select
import sys
import time


def session_members(sid):
    """pid -> (state, wchan, args) of the living (non-zombie) processes of sid."""
    found = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat", "rb") as f:
                stat = f.read().decode("utf-8", "replace")
            # comm may hold spaces and parentheses: split after the last ')'
            fields = stat[stat.rindex(")") + 2:].split()
            state, session = fields[0], int(fields[3])
            if session != sid or state in ("Z", "X"):
                continue
            with open(f"/proc/{name}/wchan") as f:
                wchan = f.read().strip() or "-"
            with open(f"/proc/{name}/cmdline", "rb") as f:
                args = f.read().replace(b"\0", b" ").decode("utf-8", "replace").strip()
        except (OSError, ValueError):
            continue  # gone while we looked: that is what we wait for
        found[int(name)] = (state, wchan, args)
    return found


def main():
    sid = int(sys.argv[1])
    deadline = time.monotonic() + (float(sys.argv[2]) if len(sys.argv) > 2 else 10.0)
    while True:
        left = session_members(sid)
        if not left:
            return 0
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            for pid, (state, wchan, args) in sorted(left.items()):
                print(f"{pid} {state} wchan={wchan} {args}")
            return 1
        poller = select.poll()
        fds = []
        for pid in left:
            try:
                fd = os.pidfd_open(pid)
            except OSError:
                continue  # already gone
            fds.append(fd)
            poller.register(fd, select.POLLIN)
        if len(fds) == len(left):
            # Every one is still running: wait for the first exit (a new process
            # of the session, if any, is found by the next scan).
            poller.poll(max(1, int(min(remaining, 0.5) * 1000)))
        for fd in fds:
            os.close(fd)


if __name__ == "__main__":
    sys.exit(main())
