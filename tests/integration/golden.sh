#!/bin/sh
# Golden timelines: a lab whose event stream differs from its expected/ file
# fails with a readable diff; --update-expected writes the file, after which the
# lab passes; a lab with "golden: false" is never compared.
# usage: golden.sh NFLAB SOURCE_DIR
set -u
nflab=$1 src=$2
[ "$(id -u)" = 0 ] || { echo "needs root"; exit 77; }
dir=$(mktemp -d "${TMPDIR:-/tmp}/nflab-golden.XXXXXX") || exit 2
trap 'rm -rf "$dir"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

mkdir -p "$dir/labs/nat" "$dir/expected/nat"
cp "$src/labs/nat/icmp-error-related.yaml" "$dir/labs/nat/"
lab=$dir/labs/nat/icmp-error-related.yaml
golden=$dir/expected/nat/icmp-error-related.timeline

# No golden file yet: nothing to compare with, the lab passes.
"$nflab" run -q --topologies "$src/topologies" "$lab" || fail "without a golden file"
"$nflab" run -q --topologies "$src/topologies" --update-expected "$lab" >"$dir/out" 2>&1 ||
	fail "--update-expected"
[ -s "$golden" ] || fail "no golden file written"
cmp -s "$golden" "$src/expected/nat/icmp-error-related.timeline" ||
	fail "the written golden differs from the project's"
"$nflab" run -q --topologies "$src/topologies" "$lab" || fail "against its own golden"

# One changed line: the lab fails and shows it.
sed -i 's/"reject-published" drop/"reject-published" accept/' "$golden"
"$nflab" run --topologies "$src/topologies" "$lab" >"$dir/out" 2>&1
rc=$?
cat "$dir/out"
[ "$rc" = 1 ] || fail "exit $rc with a changed golden, expected 1"
grep -qF "the event stream differs from $golden (-expected +got)" "$dir/out" || fail "no diff header"
grep -qF -- '- ' "$dir/out" && grep -qF '"reject-published" accept' "$dir/out" ||
	fail "the diff does not show the expected line"
grep -qF '"reject-published" drop' "$dir/out" || fail "the diff does not show the line got"

# golden: false opts out.
sed -i '1a golden: false' "$lab"
"$nflab" run -q --topologies "$src/topologies" "$lab" || fail "golden: false still compared"
echo "ok: golden timelines"
