#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""docs/tutorial.md must work word for word.

Usage: tutorial.py NFLAB TUTORIAL.md

Goes through the document in order, in an empty scratch directory, as a
reader would:
  - a ```yaml block whose first line is "# file: PATH" is written to PATH;
  - a ```diff block (unified diff) is applied with patch(1);
  - every line of a ```sh block is run with sh, the directory of NFLAB first
    on PATH; its exit status must be the one a trailing "# exits N" comment
    gives, else 0;
  - a ```text block is sample output of the last command run: its step
    verdict lines ("[ 3] FAIL  ..."), "result:" lines, mismatch lines
    ("...: expected X, got Y"), "PATH: ok (...)" lines and nflab test's lines
    must appear in that command's output, times aside.
A block right after "<!-- tutorial: not run ... -->" is skipped (the install
commands). Exit 0 when everything holds, 1 when something does not, 77
without root (labs need it).
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile

FENCE = re.compile(r"^```(\w*)\s*$")
NOT_RUN = re.compile(r"^<!-- tutorial: not run\b")
EXITS = re.compile(r"#\s*exits?\s+(\d+)\b")
CHECKED = [
    re.compile(r"^\s*\[\s*\d+\] (PASS|FAIL)\s"),  # a step's verdict
    re.compile(r"^result: "),
    re.compile(r": expected .*, got "),  # a mismatch
    re.compile(r"^\S+: ok \("),  # nflab check
    re.compile(r"^(PASS|FAIL|SKIP|ERROR)\s+\S+\.yaml"),  # nflab test, one lab
    re.compile(r"^\d+ passed, \d+ failed"),  # nflab test, the summary
]


def blocks(text):
    """(kind, lines, not_run, line_number) for each fenced block, in order."""
    lines = text.split("\n")
    out, i, not_run = [], 0, False
    while i < len(lines):
        m = FENCE.match(lines[i])
        if NOT_RUN.match(lines[i]):
            not_run = True
        elif m:
            start, body = i + 1, []
            i += 1
            while i < len(lines) and not lines[i].startswith("```"):
                body.append(lines[i])
                i += 1
            out.append((m.group(1), body, not_run, start))
            not_run = False
        elif lines[i].strip():
            not_run = False  # the marker applies to the very next block only
        i += 1
    return out


def normalise(line):
    line = re.sub(r"[+-]?\d+(\.\d+)? ms\b", "T ms", line)
    line = re.sub(r"\d+(\.\d+)? s\)", "T s)", line)
    return " ".join(line.split())


def main():
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    nflab, doc = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    if os.geteuid() != 0:
        print("skipped: the tutorial's labs need root")
        return 77
    failures = []
    counts = {"file": 0, "diff": 0, "command": 0, "failing": 0, "output": 0}
    work = tempfile.mkdtemp(prefix="nflab-tutorial.")
    env = dict(os.environ, PATH=os.path.dirname(nflab) + os.pathsep + os.environ["PATH"],
               NO_COLOR="1")
    last = None  # (command, output) of the last command run
    try:
        with open(doc) as f:
            text = f.read()
        for kind, body, not_run, line in blocks(text):
            where = "%s:%d" % (os.path.basename(doc), line)
            if not_run:
                continue
            if kind == "yaml" and body and body[0].startswith("# file: "):
                path = os.path.join(work, body[0][len("# file: "):].strip())
                os.makedirs(os.path.dirname(path), exist_ok=True)
                with open(path, "w") as f:
                    f.write("\n".join(body) + "\n")
                counts["file"] += 1
            elif kind == "diff":
                if not shutil.which("patch"):
                    failures.append("%s: applying the diff needs patch(1)" % where)
                    continue
                p = subprocess.run(["patch", "-p0", "--forward", "--no-backup-if-mismatch"],
                                   input="\n".join(body) + "\n", cwd=work, text=True,
                                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
                if p.returncode:
                    failures.append("%s: the diff does not apply:\n%s" % (where, p.stdout))
                counts["diff"] += 1
            elif kind == "sh":
                for cmd in body:
                    if not cmd.strip() or cmd.lstrip().startswith("#"):
                        continue
                    m = EXITS.search(cmd)
                    want = int(m.group(1)) if m else 0
                    p = subprocess.run(["sh", "-c", cmd], cwd=work, env=env, text=True,
                                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                       timeout=120)
                    print("$ %s\n%s(exit %d)" % (cmd, p.stdout, p.returncode))
                    if p.returncode != want:
                        failures.append("%s: `%s` exited %d, the tutorial says %d"
                                        % (where, cmd, p.returncode, want))
                    counts["command"] += 1
                    counts["failing"] += want == 1 and p.returncode == 1
                    last = (cmd, p.stdout)
            elif kind == "text":
                if last is None:
                    failures.append("%s: sample output before any command" % where)
                    continue
                got = {normalise(l) for l in last[1].split("\n")}
                for l in body:
                    if not any(c.search(l) for c in CHECKED):
                        continue
                    counts["output"] += 1
                    if normalise(l) not in got:
                        failures.append("%s: `%s` did not print:\n    %s"
                                        % (where, last[0], l.strip()))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print("tutorial: %(file)d files, %(diff)d diffs, %(command)d commands "
          "(%(failing)d failing on purpose), %(output)d output lines checked" % counts)
    # A parser that finds nothing must not pass.
    if counts["file"] < 2 or counts["diff"] < 1 or counts["command"] < 5 or \
            counts["failing"] < 1 or counts["output"] < 10:
        failures.append("the tutorial has fewer files, diffs, commands or checked output "
                        "lines than it should: is its markup still what this script reads?")
    for f in failures:
        print("FAIL: " + f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
