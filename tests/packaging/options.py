#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""nflab(1) must document every command and option nflab has, and no other.

Usage: options.py NFLAB main.c nflab.1

The commands and options are read from `nflab --help` (its usage lines, its
"run options:", "test options:" and "import options:" sections) and from the
getopt tables of
main.c (an option added there but left out of the usage is caught too). The
page is rendered with man(1) and read back: the tags of its COMMANDS
section, and of the subsections of OPTIONS ("Options of run and check",
"Options of test", "Options of import", "Other options"). Every command and option must be
documented where it belongs, and every documented one must exist. Exit 0
when they agree, 1 when they do not, 77 without man(1).
"""
import os
import re
import shutil
import subprocess
import sys


def help_text(nflab):
    p = subprocess.run([nflab, "--help"], stdout=subprocess.PIPE, text=True)
    if p.returncode != 0:
        sys.exit("nflab --help exited %d" % p.returncode)
    return p.stdout


def from_help(text):
    commands, general, sections, cur = set(), set(), {"run": set(), "test": set(), "import": set()}, None
    for line in text.split("\n"):
        m = re.match(r"^(?:usage:)?\s+nflab (\S+)", line)
        if m and cur is None:
            (general if m.group(1).startswith("-") else commands).add(m.group(1))
            continue
        m = re.match(r"^(\w+) options:$", line)
        if m:
            cur = m.group(1)
            continue
        if not line.strip():
            cur = None
            continue
        if cur in sections and re.match(r"^  -", line):
            tag = line.strip().split("  ")[0]
            sections[cur] |= set(re.findall(r"(?:^|, )(--?[a-z][a-z0-9-]*)", tag))
    return commands, general, sections


def from_source(path):
    """Long and short options of each getopt_long() table, by the function it is in."""
    src = open(path).read()
    out = {}
    for m in re.finditer(r"^(?:static )?int (\w+)\(", src, re.M):
        start = m.end()
        nxt = re.search(r"^(?:static )?\w[\w *]* \w+\([^;]*$", src[start:], re.M)
        body = src[start:start + nxt.start()] if nxt else src[start:]
        names = re.findall(r'\{"([a-z][a-z0-9-]*)",\s*(?:no|required|optional)_argument', body)
        shorts = re.findall(r'getopt_long\([^,]+,[^,]+,\s*"([^"]*)"', body)
        if names:
            opts = {"--" + n for n in names}
            for s in shorts:
                opts |= {"-" + c for c in s if c.isalpha()}
            out[m.group(1)] = opts
    return out


def from_page(page):
    env = dict(os.environ, MANWIDTH="200", LC_ALL="C", MAN_KEEP_FORMATTING="")
    p = subprocess.run(["man", "-l", page], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       text=True, env=env)
    if p.returncode != 0:
        sys.exit("man -l %s: %s" % (page, p.stderr))
    text = re.sub(r".\x08", "", p.stdout)  # no overstrike, should man ever keep it
    section, sub, commands, options = None, None, set(), {}
    for line in text.split("\n"):
        if re.match(r"^\S", line):
            section, sub = line.strip(), None
            continue
        m = re.match(r"^   (\S.*)$", line)
        if m:
            sub = m.group(1).strip()
            continue
        m = re.match(r"^       (\S.*)$", line)  # a tag, at the paragraph indent
        if not m:
            continue
        tag = m.group(1).split("  ")[0]
        if section == "COMMANDS":
            commands.add(tag.split()[0])
        elif section == "OPTIONS" and sub and tag.startswith("-"):
            options.setdefault(sub, set()).update(
                re.findall(r"(?:^|, )(--?[a-z][a-z0-9-]*)", tag))
    return commands, options


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    nflab, main_c, page = sys.argv[1:]
    if not shutil.which("man"):
        print("skipped: needs man(1)")
        return 77
    commands, general, help_opts = from_help(help_text(nflab))
    src = from_source(main_c)
    page_cmds, page_opts = from_page(page)
    failures = []

    run_code = help_opts["run"] | (src.get("main", set()) - {"--version"})
    test_code = help_opts["test"] | src.get("main_test", set())
    import_code = help_opts["import"] | src.get("main_import", set())
    other_code = general | {"--help", "-h"}
    if not commands or not help_opts["run"] or not help_opts["test"] or \
            not help_opts["import"] or "main" not in src or "main_test" not in src or \
            "main_import" not in src:
        failures.append("could not read the commands and options (help: %s; main.c: %s)"
                        % (sorted(commands), sorted(src)))
    want = {
        "Options of run and check": run_code,
        "Options of test": test_code,
        "Options of import": import_code,
        "Other options": other_code,
    }
    for sub, opts in want.items():
        have = page_opts.get(sub, set())
        for o in sorted(opts - have):
            failures.append("%s is not documented under OPTIONS, \"%s\"" % (o, sub))
        for o in sorted(have - opts):
            failures.append("%s is documented under \"%s\" but nflab has no such option"
                            % (o, sub))
    for sub in sorted(set(page_opts) - set(want)):
        failures.append("unexpected OPTIONS subsection \"%s\"" % sub)
    for c in sorted(commands - page_cmds):
        failures.append("command %s is not documented under COMMANDS" % c)
    for c in sorted(page_cmds - commands):
        failures.append("COMMANDS documents %s, which nflab's usage does not list" % c)

    print("commands: %s" % " ".join(sorted(commands)))
    for sub, opts in want.items():
        print("%s: %s" % (sub, " ".join(sorted(opts))))
    for f in failures:
        print("FAIL: " + f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
