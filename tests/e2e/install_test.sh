#!/usr/bin/env bash
# Installs Strata into a temporary prefix and builds a user project outside the
# source tree against it with find_package(Strata), then runs it: the way a
# user consumes Strata.
set -euo pipefail
build_dir=$1
source_dir=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cmake --install "$build_dir" --prefix "$work/prefix" >/dev/null
test -x "$work/prefix/bin/strata"
test -f "$work/prefix/include/strata/strata.h"
cp -r "$source_dir/examples/external_project" "$work/src"
cmake -S "$work/src" -B "$work/build" -G Ninja -DCMAKE_PREFIX_PATH="$work/prefix" >/dev/null
cmake --build "$work/build" >/dev/null
out=$("$work/build/word_lengths")
echo "$out"
grep -q "total length: 26" <<<"$out"
"$work/prefix/bin/strata" --version
