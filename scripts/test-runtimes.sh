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
source scripts/throwaway.sh
project=tests/installed/runtimes

echo "--- pack pkg/ --- (${SECONDS}s)"
tarball=$(pack_tarball target/test-runtimes)

echo "--- install the pinned runtimes and the tarball into $project --- (${SECONDS}s)"
install_throwaway "$project" "$tarball"

echo "--- runtimes, bundlers, wrangler, @coze/api against mock Coze --- (${SECONDS}s)"
node --test --test-concurrency=1 --test-reporter=spec "$project/"
echo "--- runtimes: done in ${SECONDS}s ---"
