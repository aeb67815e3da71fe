#!/usr/bin/env bash
# Runs zeromq.js's own v6 unit tests (mocha, retries off) against this package, or with
# --reference against zeromq@6.8.0, so both numbers come from one command on one machine.
#
#   npm run test:zeromqjs -- <zeromq.js checkout> [--reference] [mocha args...]
#
# The tests are not part of this repository (they are zeromq.js's, MPL-2.0): they are read from a
# checkout the caller gives and copied into build/zeromqjs-suite/, next to shims in place of
# zeromq.js's src/ that load this package instead of the addon. Their tooling (mocha, chai,
# ts-node, …) is installed there from npm on first use.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
src="${1:?usage: run.sh <zeromq.js checkout> [--reference] [mocha args]}"
shift
impl="zeromq-wasm"
if [ "${1:-}" = "--reference" ]; then impl="zeromq"; shift; fi
out="$repo/build/zeromqjs-suite/$impl"

rm -rf "$out/test" "$out/src" "$out/tmp"
mkdir -p "$out/src" "$out/tmp"
cp -r "$src/test" "$out/test"
cp "$here/tsconfig.json" "$out/tsconfig.json"
cp "$here/mocharc.cjs" "$out/.mocharc.cjs"
# The package under test, under the names zeromq.js's tests import it by.
for f in index draft errors; do
  sed "s|@IMPL@|$impl|g" "$here/shim/$f.ts" > "$out/src/$f.ts"
done
sed "s|@IMPL@|$impl|g" "$here/shim/v5-compat.ts" > "$out/v5-compat.ts"
sed "s|@IMPL@|$impl|g" "$here/shim/package.json" > "$out/package.json"
sed "s|@IMPL@|$impl|g" "$here/shim/main.cjs" > "$out/main.cjs"

cd "$out"
if [ ! -d node_modules/mocha ] || [ ! -d node_modules/fs-extra ]; then
  npm install --silent --no-audit --no-fund --no-save \
    mocha@11 chai@4 @types/chai@4 @types/mocha@10 ts-node@10 typescript@5.9 \
    semver@7 @types/semver@7 proper-lockfile@4 fs-extra@11 @types/proper-lockfile@4 @types/node@20 \
    "$( [ "$impl" = zeromq ] && echo "zeromq@6.8.0" || echo "file:$repo" )"
fi
export INCLUDE_COMPAT_TESTS=true
exec npx mocha "$@" ./test/unit/*-test.ts ./test/unit/compat/*-test.ts
