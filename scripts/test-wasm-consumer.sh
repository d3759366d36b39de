#!/usr/bin/env bash
# Builds tests/crate/wasm-consumer (a crate that depends on coze-auth like a Rust-on-wasm32 app: the
# core with the wasm32 adapters) and runs its wasm-bindgen tests in Node against a mock Coze
# started here.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh rust

ROOT=$PWD
CONSUMER=tests/crate/wasm-consumer
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

. scripts/mock-coze.sh
start_mock_coze

cargo test --manifest-path "$CONSUMER/Cargo.toml" --target wasm32-unknown-unknown
