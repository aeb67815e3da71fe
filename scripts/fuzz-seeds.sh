#!/usr/bin/env bash
# fuzz-seeds.sh — writes the seed corpus of every fuzz target into native/fuzz/corpus/<target>/.
#
# Each target knows its own seeds (FZ_SEED_WRITER in native/fuzz/fuzz.h: FUZZ_WRITE_SEEDS=<dir>
# makes the binary write them and exit), because they are built with the core's own encoder
# and the target's own op encoding: a seed written by hand elsewhere would rot when either
# changes. The files have fixed names and contents, so running this again rewrites the same
# bytes (deterministic) and leaves whatever libFuzzer added to the corpus alone.
#
#   scripts/fuzz-seeds.sh            builds the targets (make -C native/fuzz), then seeds them all
#   scripts/fuzz-seeds.sh --fresh    empties each corpus first (seeds only)
# Environment (the Makefile's `seeds` sets them): FUZZ_BUILD = where the binaries are,
# FUZZ_TARGETS = which, FUZZ_NO_BUILD=1 = do not run make.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
fuzz=$root/native/fuzz
build=${FUZZ_BUILD:-$fuzz/build}
case $build in /*) ;; *) build=$fuzz/$build ;; esac
targets=${FUZZ_TARGETS:-"fuzz_decoder fuzz_engine fuzz_core fuzz_peer"}
fresh=
[ "${1:-}" = --fresh ] && fresh=1
[ -n "${FUZZ_NO_BUILD:-}" ] || make -s -C "$fuzz" all
for t in $targets; do
    dir=$fuzz/corpus/$t
    [ -n "$fresh" ] && rm -rf "$dir"
    mkdir -p "$dir"
    FUZZ_WRITE_SEEDS="$dir" "$build/$t"
    echo "seeds: $t: $(ls "$dir" | wc -l) files in corpus/$t"
done
