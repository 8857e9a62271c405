#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# cmake --install into a scratch prefix: the binary, both manual pages and the
# bash completion land where they belong, nothing lands outside the prefix, and
# the installed pages and binary work from there.
# Usage: install.sh CMAKE BUILDDIR COMPLETIONDIR (relative to the prefix, or absolute)
# Exit 0 good, 1 not, 77 without man.
set -u
cmake=$1 build=$2 compdir=$3
command -v man >/dev/null || { echo "skipped: needs man"; exit 77; }
export LC_ALL=C MANPAGER=cat PAGER=cat
fail=0
bad() { echo "FAIL: $*"; fail=1; }
tmp=$(mktemp -d) && trap 'rm -rf "$tmp"' EXIT
prefix=$tmp/prefix

"$cmake" --install "$build" --prefix "$prefix" >"$tmp/log" 2>&1 ||
	{ cat "$tmp/log"; echo "FAIL: cmake --install failed"; exit 1; }
cat "$tmp/log"
case $compdir in /*) ;; *) compdir=$prefix/$compdir ;; esac

for f in "$prefix/bin/nflab" "$prefix/share/man/man1/nflab.1" \
	"$prefix/share/man/man5/nflab-lab.5" "$compdir/nflab"; do
	[ -f "$f" ] || bad "not installed: $f"
done
[ -x "$prefix/bin/nflab" ] || bad "$prefix/bin/nflab is not executable"
# Every installed file is under the prefix (a completionsdir taken as is from
# bash-completion's .pc file would put one in /usr/share), unless
# -DNFLAB_BASH_COMPLETION_DIR asked for an absolute directory.
grep -v -e "^$prefix/" -e "^$compdir/" "$build/install_manifest.txt" | sed 's/^/FAIL: installed outside the prefix: /' |
	grep . && fail=1

v=$("$prefix/bin/nflab" --version) || bad "the installed nflab does not run"
[ "$v" = "$("$build/nflab" --version)" ] || bad "the installed nflab says \"$v\""
for page in nflab nflab-lab; do
	MANWIDTH=80 man -M "$prefix/share/man" $page >"$tmp/page" 2>"$tmp/err" ||
		bad "man -M $prefix/share/man $page failed: $(cat "$tmp/err")"
	grep -q "^NAME$" "$tmp/page" || bad "man -M $prefix/share/man $page did not render"
done
grep -q "^NFLAB-LAB(5)" "$tmp/page" || bad "man nflab-lab is not NFLAB-LAB(5)"
bash -c ". '$compdir/nflab' && complete -p nflab" >/dev/null 2>&1 ||
	bad "the installed completion does not register for nflab"
[ $fail = 0 ] && echo "installed under $prefix: bin/nflab, man1/nflab.1, man5/nflab-lab.5, ${compdir#$prefix/}/nflab"
exit $fail
