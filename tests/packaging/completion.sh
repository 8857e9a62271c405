#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# The bash completion: it registers for nflab, completes commands, every option
# of `nflab --help` for its command, and lab files and directories after run.
# The completion function is called directly, as bash would, with COMP_WORDS
# and COMP_CWORD set. Usage: completion.sh NFLAB SCRIPT. Exit 0 good, 1 not,
# 77 without bash.
set -u
nflab=$(cd "$(dirname "$1")" && pwd)/$(basename "$1") script=$(cd "$(dirname "$2")" && pwd)/$(basename "$2")
command -v bash >/dev/null || { echo "skipped: needs bash"; exit 77; }
tmp=$(mktemp -d) && trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/labs" "$tmp/labs/nat" && touch "$tmp/labs/a.yaml" "$tmp/labs/b with space.yaml" \
	"$tmp/labs/notes.txt"
"$nflab" --help >"$tmp/help"

cd "$tmp/labs" && exec bash -c '
script=$1 help=$2
. "$script" || { echo "FAIL: sourcing $script failed"; exit 1; }
fail=0
bad() { echo "FAIL: $*"; fail=1; }

# complete WORD... : COMPREPLY for the last word, one per line, sorted.
complete_words() {
	COMP_WORDS=("$@")
	COMP_CWORD=$(($# - 1))
	COMP_LINE="$*"
	COMP_POINT=${#COMP_LINE}
	COMPREPLY=()
	_nflab nflab "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
	printf "%s\n" "${COMPREPLY[@]}" | sort
}
expect() { # expect "WORDS" "LINES"
	local got
	got=$(complete_words $1)
	[ "$got" = "$2" ] || bad "completing \"$1\": expected [$2], got [$got]"
}

[ "$(complete -p nflab 2>/dev/null)" = "complete -F _nflab nflab" ] ||
	bad "complete -p nflab: $(complete -p nflab 2>&1)"
expect "nflab ru" "run"
expect "nflab run --ti" "--timeline"
expect "nflab test --ju" "--junit"
expect "nflab ch" "check"
expect "nflab im" "import"
expect "nflab import --ip6" "--ip6tables"

# Lab files and directories after run, not other files.
got=$(COMP_WORDS=(nflab run ""); COMP_CWORD=2; _nflab; printf "%s\n" "${COMPREPLY[@]}" | sort)
want=$(printf "%s\n" a.yaml "b with space.yaml" nat | sort)
[ "$got" = "$want" ] || bad "completing \"nflab run \": expected [$want], got [$got]"
got=$(COMP_WORDS=(nflab run --timeline a); COMP_CWORD=3; _nflab; printf "%s\n" "${COMPREPLY[@]}")
[ "$got" = a.yaml ] || bad "completing \"nflab run --timeline a\": got [$got]"
# A directory after --pcap-dir, also written --pcap-dir=.
got=$(COMP_WORDS=(nflab run --pcap-dir n); COMP_CWORD=3; _nflab; printf "%s\n" "${COMPREPLY[@]}")
[ "$got" = nat ] || bad "completing \"nflab run --pcap-dir n\": got [$got]"
got=$(COMP_WORDS=(nflab run --pcap-dir = n); COMP_CWORD=4; _nflab; printf "%s\n" "${COMPREPLY[@]}")
[ "$got" = nat ] || bad "completing \"nflab run --pcap-dir=n\": got [$got]"

# Every option nflab --help lists is offered for its command.
section=
while IFS= read -r line; do
	case $line in
	"run options:") section=run; continue ;;
	"test options:") section=test; continue ;;
	"import options:") section=import; continue ;;
	"") section=; continue ;;
	esac
	[ -n "$section" ] || continue
	for opt in $(printf "%s\n" "$line" | grep -oE "^  (-[a-z], )?--[a-z][a-z0-9-]*" | grep -oE -- "--?[a-z][a-z0-9-]*"); do
		checked=$((checked + 1))
		got=$(complete_words nflab $section "$opt")
		printf "%s\n" "$got" | grep -qx -- "$opt" ||
			bad "\"nflab $section $opt\" does not complete to $opt (got [$got])"
	done
done <"$help"
[ "${checked:-0}" -ge 20 ] || bad "read only ${checked:-0} options from nflab --help"
[ $fail = 0 ] && echo "completion: commands, ${checked} options, lab files and directories"
exit $fail
' sh "$script" "$tmp/help"
