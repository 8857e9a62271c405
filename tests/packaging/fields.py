#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""docs/lab-format.md and nflab-lab(5) must name every field a lab can match.

Usage: fields.py SRCDIR

Reads the field tables of src/expect/field.c and field_nf.c (each entry
starts {"name", VAL_...) and looks for each name in the lab format page,
in backquotes (`ip.src`), and in the manual page, in bold (.B, .BR, .RB,
\\fB...\\fR), as the pages mark fields. Exit 0 when every field is in both,
1 when one is missing.
"""
import os
import re
import sys

src = sys.argv[1]
names = []
for f in ("src/expect/field.c", "src/expect/field_nf.c"):
    with open(os.path.join(src, f)) as fh:
        names += re.findall(r'^\s*\{"([a-z0-9_.]+)", VAL_', fh.read(), re.M)
with open(os.path.join(src, "docs/lab-format.md")) as fh:
    md = fh.read()
with open(os.path.join(src, "docs/man/nflab-lab.5")) as fh:
    man = fh.read().replace("\\-", "-").replace("\\&", "")

bold = set()
for line in man.splitlines():
    m = re.match(r"\.(B|BR|RB|BI|IB)\s+(.*)", line)
    if m:
        # Alternating macros: bold words are every other argument.
        args = re.findall(r'"[^"]*"|\S+', m.group(2))
        first_bold = m.group(1) in ("B", "BR", "BI")
        for i, a in enumerate(args):
            if m.group(1) == "B" or (i % 2 == 0) == first_bold:
                bold.update(a.strip('"').replace(",", " ").split())
    bold.update(re.findall(r"\\fB([^\\]+)\\f[RP]", line))

missing = []
for n in sorted(set(names)):
    if "`%s`" % n not in md:
        missing.append("docs/lab-format.md lacks `%s`" % n)
    if n not in bold:
        missing.append("nflab-lab.5 has no bold %s" % n)
for m in missing:
    print("FAIL:", m)
if not missing:
    print("every field (%d) is in docs/lab-format.md and nflab-lab.5" % len(set(names)))
sys.exit(1 if missing else 0)
