#!/bin/sh
# The flagship lab under valgrind memcheck, run through `nflab test` so the
# suite runner's parent and child are both checked: no leak, no error.
# usage: valgrind.sh NFLAB SOURCE_DIR
set -u
nflab=$1 src=$2
. "$(dirname "$0")/../lib/need-labs.sh"
command -v valgrind >/dev/null || { echo "valgrind is not installed"; exit 77; }
exec valgrind --leak-check=full --errors-for-leak-kinds=definite,indirect -q \
	--error-exitcode=9 --suppressions="$src/tests/valgrind/nflab.supp" \
	"$nflab" test -j1 --topologies "$src/topologies" "$src/labs/nat/icmp-error-related.yaml"
