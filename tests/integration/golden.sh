#!/bin/sh
# Golden timelines: a lab whose event stream differs from its expected/ file
# fails with a unified diff and saves the stream it got (beside the golden file,
# or in the artifacts); --update-expected writes the file, after which the lab
# passes; a lab with "golden: false" is never compared.
# usage: golden.sh NFLAB SOURCE_DIR
set -u
nflab=$1 src=$2
. "$(dirname "$0")/../lib/need-labs.sh"
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

# One changed line: the lab fails, shows it as a unified hunk, and saves the
# stream it got beside the golden file.
sed -i 's/"reject-published" drop/"reject-published" accept/' "$golden"
"$nflab" run --topologies "$src/topologies" "$lab" >"$dir/out" 2>&1
rc=$?
cat "$dir/out"
[ "$rc" = 1 ] || fail "exit $rc with a changed golden, expected 1"
grep -qF "the event stream differs from $golden (-expected +got)" "$dir/out" || fail "no diff header"
grep -qF -- "--- $golden" "$dir/out" && grep -qF "+++ $golden.got" "$dir/out" ||
	fail "no ---/+++ lines naming the golden and the saved stream"
[ "$(grep -cE '^ +@@ -[0-9]+,7 \+[0-9]+,7 @@$' "$dir/out")" = 1 ] || fail "not one hunk of 7 lines"
grep -qE '^ +-.*"reject-published" accept' "$dir/out" ||
	fail "the diff does not show the expected line"
grep -qE '^ +\+.*"reject-published" drop' "$dir/out" || fail "the diff does not show the line got"
cmp -s "$golden.got" "$src/expected/nat/icmp-error-related.timeline" ||
	fail "the stream saved in $golden.got is not the one got"
diff "$golden" "$golden.got" >/dev/null && fail "diff finds no difference in the saved stream"
ls -A "$dir/expected/nat" | grep -q '^\.' && fail "a temporary file is left in expected/nat"

# With --artifacts the stream got goes there, not beside the golden file.
rm "$golden.got"
"$nflab" test -j1 --topologies "$src/topologies" --artifacts "$dir/art" "$dir/labs" \
	>"$dir/out" 2>&1
rc=$?
[ "$rc" = 1 ] || { cat "$dir/out"; fail "nflab test: exit $rc with a changed golden, expected 1"; }
got=$(find "$dir/art" -name timeline.got)
[ -n "$got" ] && cmp -s "$got" "$src/expected/nat/icmp-error-related.timeline" ||
	fail "no timeline.got in the artifacts"
[ ! -e "$golden.got" ] || fail "with --artifacts, $golden.got was written too"

# golden: false opts out.
sed -i '1a golden: false' "$lab"
"$nflab" run -q --topologies "$src/topologies" "$lab" || fail "golden: false still compared"
echo "ok: golden timelines"
