#!/bin/sh
# Runs a copy of a lab with one change and checks that nflab exits as expected and
# names the problem: proves that a lab's expectations can fail.
# usage: mutate.sh NFLAB LAB TOPOLOGIES SED-EXPRESSION EXIT TEXT [NFLAB-RUN-OPTION...]
# A SED-EXPRESSION of "-" runs the lab unchanged (for options that must make it fail).
set -u
nflab=$1 lab=$2 topologies=$3 expr=$4 want_exit=$5 want_text=$6
shift 6
dir=$(mktemp -d "${TMPDIR:-/tmp}/nflab-mutate.XXXXXX") || exit 2
trap 'rm -rf "$dir"' EXIT
copy=$dir/$(basename "$lab")
# Capture files a replay step names sit next to the lab, and are looked up there.
for f in "$(dirname "$lab")"/*.pcap "$(dirname "$lab")"/*.pcapng; do
	[ -f "$f" ] && cp "$f" "$dir/"
done
if [ "$expr" = - ]; then
	cp "$lab" "$copy"
else
	sed "$expr" "$lab" >"$copy"
	if cmp -s "$lab" "$copy"; then
		echo "mutation '$expr' changed nothing in $lab" >&2
		exit 2
	fi
fi
"$nflab" run --topologies "$topologies" "$@" "$copy" >"$dir/out" 2>&1
got=$?
cat "$dir/out"
[ "$got" = 77 ] && exit 77
if [ "$got" != "$want_exit" ]; then
	echo "FAIL: expected exit $want_exit, got $got" >&2
	exit 1
fi
if ! grep -qF -- "$want_text" "$dir/out"; then
	echo "FAIL: output does not contain: $want_text" >&2
	exit 1
fi
echo "ok: exit $got and \"$want_text\""
