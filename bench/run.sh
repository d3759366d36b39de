#!/usr/bin/env bash
# Size, cold-start, device-flow, JWT, fleet (a token shared through Redis) and per-call CPU comparison: coze-auth vs @coze/api vs oauth4webapi.
# Writes a markdown report to stdout and bench/out/results.md. Not part of the CI test run.
#
#   bash bench/run.sh            (or: npm run bench, at the repo root)
#   RUNS=30 bash bench/run.sh    (cold-start runs per variant, default 15)
set -euo pipefail

BENCH="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$BENCH/.." && pwd)"
cd "$BENCH"

# 1. Bench dependencies (pinned in bench/package.json): install only if missing or at another version.
deps_ok() {
  node -e '
    const fs = require("fs")
    const want = require("./package.json").dependencies
    for (const [name, version] of Object.entries(want)) {
      try {
        if (JSON.parse(fs.readFileSync(`node_modules/${name}/package.json`, "utf8")).version !== version) process.exit(1)
      } catch { process.exit(1) }
    }'
}
if ! deps_ok; then
  echo "bench: installing bench dependencies…" >&2
  npm install --no-audit --no-fund >&2
  deps_ok || { echo "bench: bench dependencies still missing after npm install" >&2; exit 1; }
fi

# 2. The package under test.
if [ ! -f "$ROOT/pkg/browser/coze_auth_bg.wasm" ]; then
  echo "bench: pkg/ is not built; running npm run build at the repo root…" >&2
  (cd "$ROOT" && npm run build) >&2
fi
for f in pkg/browser/index.js pkg/browser/coze_auth_bg.wasm pkg/node/index.mjs; do
  [ -f "$ROOT/$f" ] || { echo "bench: $f is missing after the build: cannot benchmark" >&2; exit 1; }
done

# fleet.mjs runs its own redis-server (Debian's).
command -v redis-server >/dev/null || apt-get install -y redis-server >&2 || { apt-get update >&2 && apt-get install -y redis-server >&2; }

# 3. Measure.
mkdir -p out
tmp="$(mktemp "$BENCH/out/results.XXXXXX")"
trap 'rm -f "$tmp"' EXIT
{
  echo "# coze-auth bench"
  echo
  echo "$(date -u '+%Y-%m-%d %H:%M UTC') · node $(node -v) · $(uname -sm) · $(nproc 2>/dev/null || echo '?') CPUs"
  echo
  node size.mjs
  echo
  node coldstart.mjs "${RUNS:-15}"
  echo
  node device.mjs
  echo
  node jwt.mjs
  echo
  node fleet.mjs
  echo
  node calls.mjs
} > "$tmp"
mv "$tmp" out/results.md
trap - EXIT
cat out/results.md
