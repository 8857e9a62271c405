#!/bin/sh
# Two runs at once given the same --pcap-dir, N times over (default 50): every
# file left there must be whole (capinfos reads it) and no temporary file may
# remain. Files are written under no name and renamed into place, so the last
# writer wins whole; before, two writers interleaved their bytes.
# usage: pcap-concurrent.sh NFLAB LAB [N]
set -u
nflab=$1 lab=$2 rounds=${3:-50}
. "$(dirname "$0")/../lib/need-labs.sh"
command -v capinfos >/dev/null || { echo "needs capinfos"; exit 77; }
dir=$(mktemp -d "${TMPDIR:-/tmp}/nflab-pcapcc.XXXXXX") || exit 2
trap 'rm -rf "$dir"' EXIT
fail() { echo "FAIL (round $i): $*"; exit 1; }

i=0
while [ "$i" -lt "$rounds" ]; do
	i=$((i + 1))
	"$nflab" run -q --pcap-dir "$dir/pcaps" "$lab" >"$dir/a" 2>&1 &
	a=$!
	"$nflab" run -q --pcap-dir "$dir/pcaps" "$lab" >"$dir/b" 2>&1 &
	b=$!
	wait "$a" || { cat "$dir/a"; fail "first run failed"; }
	wait "$b" || { cat "$dir/b"; fail "second run failed"; }
	for f in "$dir"/pcaps/*; do
		case $f in
		*.pcapng) capinfos "$f" >/dev/null 2>"$dir/err" || fail "$(cat "$dir/err")" ;;
		*) fail "a file that is not a capture remains: $f" ;;
		esac
	done
done
echo "ok: $rounds pairs of runs, every file whole"
