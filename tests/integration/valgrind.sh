#!/bin/sh
# The flagship lab under valgrind memcheck: through `nflab test`, so the suite
# runner's parent and child are both checked, and through `nflab run
# --timeline --events`, so the story is built and written too: no leak, no
# error. The golden timeline is not compared: under valgrind nflab runs some
# thirty times slower, and trace events, which carry no kernel timestamp, are
# read too late to be placed on their packets (the lab's golden test checks
# the story at full speed).
# usage: valgrind.sh NFLAB SOURCE_DIR
set -u
nflab=$1 src=$2
. "$(dirname "$0")/../lib/need-labs.sh"
command -v valgrind >/dev/null || { echo "valgrind is not installed"; exit 77; }
dir=$(mktemp -d "${TMPDIR:-/tmp}/nflab-valgrind.XXXXXX") || exit 2
trap 'rm -rf "$dir"' EXIT
sed 's/^name: icmp-error-related$/name: icmp-error-related\ngolden: false/' \
	"$src/labs/nat/icmp-error-related.yaml" >"$dir/flagship.yaml"
grep -q '^golden: false$' "$dir/flagship.yaml" || { echo "the flagship has no name line"; exit 2; }
vg() {
	valgrind --leak-check=full --errors-for-leak-kinds=definite,indirect -q \
		--error-exitcode=9 --suppressions="$src/tests/valgrind/nflab.supp" "$@"
}
vg "$nflab" test -j1 --topologies "$src/topologies" "$dir/flagship.yaml" || exit $?
vg "$nflab" run --timeline --events "$dir/events.jsonl" --topologies "$src/topologies" \
	"$dir/flagship.yaml" >"$dir/out" || { cat "$dir/out"; exit 9; }
grep -q "=> fate\|<= reverse DNAT" "$dir/out" || { echo "no story was printed"; exit 1; }
