#!/usr/bin/env bash
# Packs pkg/ with `npm pack` and installs the tarball into tests/js/node_modules, so the JS tests
# exercise exactly what users install, not the source tree.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -f pkg/package.json ] || bash scripts/build.sh
mkdir -p target/pack
rm -f target/pack/coze-auth-*.tgz
tarball=$(cd target/pack && npm pack ../../pkg --silent | tail -1)
(cd tests/js && npm install --no-save --no-audit --no-fund --loglevel=error "../../target/pack/$tarball")
echo "[pack] installed target/pack/$tarball into tests/js/node_modules"
