#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# The C API as a user gets it: cmake --install into a scratch prefix, then an
# out-of-tree program (examples/async_expect.c) compiled with nothing but
# `pkg-config --cflags --libs nflab cmocka`, run against the installed library:
# it drives the flagship lab with asynchronous expectations. Exit 77 without
# root (labs need it) or a C compiler.
# Usage: api.sh CMAKE BUILDDIR SOURCEDIR
set -u
cmake=$1 build=$2 src=$3
[ "$(id -u)" = 0 ] || { echo "skipped: needs root"; exit 77; }
cc=${CC:-cc}
command -v "$cc" >/dev/null || { echo "skipped: needs a C compiler"; exit 77; }
tmp=$(mktemp -d) && trap 'rm -rf "$tmp"' EXIT
prefix=$tmp/prefix
"$cmake" --install "$build" --prefix "$prefix" >"$tmp/log" 2>&1 ||
	{ cat "$tmp/log"; echo "FAIL: cmake --install failed"; exit 1; }
pc=$(dirname "$(find "$prefix" -name nflab.pc)")
[ -n "$pc" ] || { echo "FAIL: nflab.pc not installed"; exit 1; }
export PKG_CONFIG_PATH=$pc
flags=$(pkg-config --cflags --libs nflab cmocka) || { echo "FAIL: pkg-config nflab"; exit 1; }
echo "pkg-config --cflags --libs nflab cmocka: $flags"
case $flags in *"$prefix"*) ;; *) echo "FAIL: the flags do not point into the prefix"; exit 1 ;; esac
# Out of tree: a copy of the example, away from the source and build trees.
cp "$src/examples/async_expect.c" "$tmp/t.c"
(cd "$tmp" && $cc -std=c11 -Wall -Wextra -Werror ${NFLAB_EXTRA_CFLAGS:-} -o t t.c $flags) ||
	{ echo "FAIL: the example does not compile against the installed library"; exit 1; }
libdir=$(pkg-config --variable=libdir nflab)
ldd "$tmp/t" | grep -q "$libdir/libnflab.so" ||
	LD_LIBRARY_PATH=$libdir ldd "$tmp/t" | grep -q "libnflab.so" ||
	{ echo "FAIL: not linked with libnflab.so"; exit 1; }
cd "$tmp" && LD_LIBRARY_PATH=$libdir NFLAB_LABS=$src/labs ./t
