#!/usr/bin/env bash
# Builds tests/wasm-consumer (a crate that depends on coze-auth like a Rust-on-wasm32 app) and
# runs its wasm-bindgen tests in Node against a mock Coze started here.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh rust

ROOT=$PWD
CONSUMER=tests/wasm-consumer
# Its own target dir, kept under target/ so it stays warm between runs. Not target/ itself:
# coze-auth is also a cdylib, so its lib file has no hash in its name, and a build of it as this
# crate's dependency would overwrite the one the other steps link against.
export CARGO_TARGET_DIR="$ROOT/target/wasm-consumer"
export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner
export WASM_BINDGEN_TEST_TIMEOUT=60

# Not --locked: its Cargo.lock pins what it has, and a dependency coze-auth adds or drops is
# resolved here rather than failing the step (commit the updated lock).
cargo fmt --check --manifest-path "$CONSUMER/Cargo.toml"
cargo clippy --quiet --manifest-path "$CONSUMER/Cargo.toml" --all-targets \
  --target wasm32-unknown-unknown -- -D warnings

# The mock prints its URL on its first line; it is stopped however this script ends.
MOCK_LOG=$(mktemp)
node tests/mock-coze/server.mjs --port 0 >"$MOCK_LOG" 2>&1 &
MOCK_PID=$!
trap 'kill "$MOCK_PID" 2>/dev/null || true; rm -f "$MOCK_LOG"' EXIT
for _ in $(seq 100); do
  grep -q 'listening on' "$MOCK_LOG" && break
  kill -0 "$MOCK_PID" 2>/dev/null || { cat "$MOCK_LOG"; exit 1; }
  sleep 0.1
done
COZE_MOCK_URL=$(sed -n 's/^mock-coze listening on //p' "$MOCK_LOG")
[ -n "$COZE_MOCK_URL" ] || { echo "the mock Coze did not start"; cat "$MOCK_LOG"; exit 1; }
export COZE_MOCK_URL
echo "mock Coze at $COZE_MOCK_URL"

cargo test --manifest-path "$CONSUMER/Cargo.toml" --target wasm32-unknown-unknown
