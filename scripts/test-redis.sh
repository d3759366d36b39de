#!/usr/bin/env bash
# coze-auth/redis against a real redis-server (Debian's) and the mock Coze: a fleet of 8 Node
# processes sharing one token, a lock holder killed mid-mint, Redis stopped mid-run, grants kept
# apart, corrupt entries replaced (tests/package/node/redis/). Each test file starts its own redis-server
# on a free loopback port (nothing persisted) and stops it after. Runnable alone:
#   bash scripts/test-redis.sh
# Needs the packed package in tests/package/node (scripts/pack-install.sh, run here if missing), whose
# package.json brings the `redis` client.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v redis-server >/dev/null; then
  echo "[test-redis] installing Debian's redis-server"
  apt-get install -y redis-server >/dev/null || { apt-get update >/dev/null && apt-get install -y redis-server >/dev/null; }
fi
# The install starts Debian's own service on 6379 where it can; the tests use ports of their own.
[ -d tests/package/node/node_modules/redis ] && [ -d tests/package/node/node_modules/coze-auth ] || bash scripts/pack-install.sh
echo "[test-redis] $(redis-server --version | cut -d' ' -f1-3)"
mkdir -p target/hygiene
node --import ./tests/package/node/hygiene.mjs --test --test-concurrency=1 tests/package/node/redis/*.redis.mjs
