#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# The manual pages: no groff or man warnings, no line wider than 80 columns at
# MANWIDTH=80, the sections a reader looks for, and the version nflab reports.
# Usage: man.sh NFLAB SRCDIR. Exit 0 good, 1 not, 77 without groff or man.
set -u
nflab=$1 src=$2
for prog in groff man; do
	command -v $prog >/dev/null || { echo "skipped: needs $prog"; exit 77; }
done
export LC_ALL=C MANPAGER=cat PAGER=cat
fail=0
bad() { echo "FAIL: $*"; fail=1; }
out=$(mktemp) && trap 'rm -f "$out"' EXIT

for page in nflab.1 nflab-lab.5; do
	f=$src/docs/man/$page
	w=$(groff -man -ww -z "$f" 2>&1)
	[ -z "$w" ] || bad "groff -man -ww -z $page warns:
$w"
	w=$(MANWIDTH=80 man --warnings -l "$f" 2>&1 >"$out")
	[ -z "$w" ] || bad "man --warnings -l $page warns:
$w"
	[ -s "$out" ] || bad "man -l $page rendered nothing"
	awk -v p="$page" 'length($0) > 80 { print "FAIL: " p " renders a line of " length($0) \
		" columns at MANWIDTH=80: " $0; bad = 1 } END { exit bad }' "$out" || fail=1
	# The version in .TH is the one nflab reports.
	v=$("$nflab" --version)
	grep -q "^\.TH .* \"$v\" " "$f" || bad "$page: .TH does not say \"$v\" (nflab --version)"
done

# Sections, and what must be in them, as a reader sees them.
need() { # need PAGE PATTERN...
	page=$1
	shift
	MANWIDTH=80 man -l "$src/docs/man/$page" >"$out" 2>&1
	for pat in "$@"; do
		grep -q -e "$pat" "$out" || bad "$page: nothing matches /$pat/ in the rendered page"
	done
}
need nflab.1 '^NAME$' '^SYNOPSIS$' '^DESCRIPTION$' '^COMMANDS$' '^OPTIONS$' \
	'^EXIT STATUS$' '^ENVIRONMENT$' '^FILES$' '^EXAMPLES$' '^SEE ALSO$' \
	'^       NO_COLOR$' '^       77 ' '^       run LAB.yaml' '^       test \[PATH' \
	'^       check \[PATH' '^       index \[PATH' 'nflab-lab(5)'
need nflab-lab.5 '^NAME$' '^SYNOPSIS$' '^DESCRIPTION$' '^EXAMPLE$' '^TOP-LEVEL KEYS$' \
	'^TOPOLOGIES$' '^NODES$' '^LINKS$' '^STEPS$' '^EXPECTATIONS$' '^PREDICATES$' \
	'^FIELDS$' '^DURATIONS$' '^GOLDEN FILES$' '^REQUIRES$' '^SEE ALSO$' 'nflab(1)'
[ $fail = 0 ] && echo "man pages: no warnings, sections present"
exit $fail
