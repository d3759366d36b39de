#!/usr/bin/env bash
# The packed package where JavaScript runs (tests/installed/runtimes/*.test.mjs say what runs):
# workerd, edge-runtime, Bun, Deno, Node 22 and 24, and pages on coze-auth/inline bundled by
# rollup, esbuild and bun build, in headless Chromium (runtimes.test.mjs); a wrangler project,
# bundled and served by `wrangler dev` (wrangler.test.mjs); the official SDK @coze/api fed its
# tokens (coze-api.test.mjs); all against the mock Coze.
# tests/installed/runtimes is a throw-away project with pinned tools (package.json and its committed
# lockfile): they are reinstalled only when either changes; the tarball is installed every run,
# and the lockfile npm rewrites then is put back, so the work tree stays clean.
#   bash scripts/test-runtimes.sh        (npm test -- runtimes runs it too)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh node browser
[ -f pkg/package.json ] || bash scripts/build.sh
project=tests/installed/runtimes

echo "--- pack pkg/ --- (${SECONDS}s)"
mkdir -p target/test-runtimes
rm -f target/test-runtimes/coze-auth-*.tgz
tarball=$PWD/target/test-runtimes/$(cd target/test-runtimes && npm pack ../../pkg --silent | tail -1)

echo "--- install the pinned runtimes and the tarball into $project --- (${SECONDS}s)"
stamp=$(cat "$project/package.json" "$project/package-lock.json" | sha256sum | cut -c1-64)
if [ "$(cat "$project/node_modules/.test-runtimes-stamp" 2>/dev/null)" != "$stamp" ]; then
  echo "$project: installing its dependencies (package.json or lockfile changed)"
  (cd "$project" && npm install --no-audit --no-fund --loglevel=error)
  echo "$stamp" > "$project/node_modules/.test-runtimes-stamp"
fi
cp "$project/package-lock.json" target/test-runtimes/package-lock.json
rm -rf "$project/node_modules/coze-auth"
(cd "$project" && npm install --no-save --no-audit --no-fund --loglevel=error "$tarball")
cp target/test-runtimes/package-lock.json "$project/package-lock.json"

echo "--- runtimes, bundlers, wrangler, @coze/api against mock Coze --- (${SECONDS}s)"
node --test --test-concurrency=1 --test-reporter=spec "$project/"
echo "--- runtimes: done in ${SECONDS}s ---"
