#!/usr/bin/env bash
# Packs pkg/ with `npm pack` and installs the tarball into tests/package/node/node_modules, so the JS tests
# exercise exactly what users install, not the source tree.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -f pkg/package.json ] || bash scripts/build.sh
mkdir -p target/pack
rm -f target/pack/coze-auth-*.tgz
tarball=$(cd target/pack && npm pack ../../pkg --silent | tail -1)
tgz="$PWD/target/pack/$tarball"
(cd tests/package/node && npm install --no-save --no-audit --no-fund --loglevel=error "$tgz")
echo "[pack] installed target/pack/$tarball into tests/package/node/node_modules"
