#!/usr/bin/env bash
# The packed package in Next.js app-router apps with no configuration for it, Next 15 and 16,
# each built with Turbopack and with webpack, then served by `next start`, and `output:
# 'standalone' builds served by their server.js (the test file,
# tests/installed/nextjs/nextjs.test.mjs, says what runs), against the mock Coze.
# tests/installed/nextjs/next15 and next16 are throw-away projects with pinned versions
# (package.json and its committed lockfile): reinstalled only when either changes; the tarball
# is installed into both every run, the lockfile npm rewrites then is put back, and the app
# (tests/installed/nextjs/app-src) is copied in (git ignores the copies and the builds).
#   bash scripts/test-next.sh                     (npm test -- next runs it too)
#   NEXT_ONLY=next16-turbopack bash scripts/test-next.sh    one build of the seven (see the test file;
#   the standalone ones are named standalone-next16-turbopack and so on)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh node browser
[ -f pkg/package.json ] || bash scripts/build.sh
source scripts/throwaway.sh
dir=tests/installed/nextjs
work=target/test-next

echo "--- pack pkg/ --- (${SECONDS}s)"
tarball=$(pack_tarball "$work")

for project in next15 next16; do
  p=$dir/$project
  echo "--- $p: the pinned Next.js, the tarball, the app --- (${SECONDS}s)"
  install_throwaway "$p" "$tarball"
  rm -rf "$p/app" "$p/lib"
  cp -r "$dir/app-src/." "$p/"
done

echo "--- next build and next start, against mock Coze --- (${SECONDS}s)"
node --test --test-concurrency=1 --test-reporter=spec "$dir/"
echo "--- next: done in ${SECONDS}s ---"
