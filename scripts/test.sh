#!/usr/bin/env bash
# Runs every test: lint, native Rust (doc examples and the reqwest transport included), the Rust
# examples (one per flow, over the `reqwest` feature's transport) against the mock Coze, `cargo
# package`, fuzzing (bounded), the wasm32 adapters' wasm-bindgen tests (Node and headless
# Chromium, scripts/test-wasm.sh), a separate Rust crate on the wasm32 adapters
# (scripts/test-wasm-consumer.sh),
# the mock server, the packed npm package in Node (and coze-auth/redis over a real redis-server,
# scripts/test-redis.sh), TypeScript types, the tarball across type
# resolvers, runtimes and bundlers (scripts/test-pack.sh), and the demo end to end in Chromium.
# The npm package's JS layer is strict TypeScript (pkg-template/src): building it type-checks it,
# and its published declarations are generated from it (see scripts/build.sh).
# Installs what it needs first (quick when already installed).
set -euo pipefail
cd "$(dirname "$0")/.."
step() { echo; echo "=== $* ==="; }

bash scripts/setup.sh

step "lint: cargo fmt, clippy (native and wasm32), cargo doc without warnings"
cargo fmt --check
cargo fmt --check --manifest-path fuzz/Cargo.toml
cargo clippy --quiet --all-targets -- -D warnings
cargo clippy --quiet --all-targets --all-features -- -D warnings
cargo clippy --quiet --lib --tests --target wasm32-unknown-unknown -- -D warnings
cargo clippy --quiet --lib --target wasm32-unknown-unknown --no-default-features --features npm -- -D warnings
cargo clippy --quiet --lib --target wasm32-unknown-unknown --no-default-features --features "npm node" -- -D warnings
RUSTDOCFLAGS="-D warnings" cargo doc --quiet --no-deps
RUSTDOCFLAGS="-D warnings" cargo doc --quiet --no-deps --all-features
# coze_auth::__fuzz, the differential fuzz targets' view of the codecs, exists only under
# cargo-fuzz's `--cfg fuzzing` (a target dir of its own: other RUSTFLAGS rebuild everything).
RUSTFLAGS="--cfg fuzzing" CARGO_TARGET_DIR=target/fuzz-clippy \
  cargo clippy --quiet --lib --no-default-features -- -D warnings

step "native Rust tests (protocol core, flows over a fake transport, doc examples, the reqwest transport against local servers)"
# With the `reqwest` feature: the default features' code is the same minus that module, and the
# examples' step below then reuses this build's dependencies.
cargo test --quiet --features reqwest

step "Rust examples: device_login, pkce_login, web_login, jwt_token (coze_auth::reqwest) against the mock Coze"
node --test tests/examples/

step "cargo package: the published crate (sources, example, docs, native tests) builds on its own"
# Verified in a target dir of its own: the verification build writes target/debug/libcoze_auth.rlib
# (a cdylib's lib file has no hash in its name) from the packaged copy, over the tests' own.
CARGO_TARGET_DIR=target/package-verify cargo package --allow-dirty
if cargo package --list --allow-dirty | grep -E '^(pkg-template|www|bench|scripts|node_modules|tests/(js|browser|bundlers|types|types-resolution|pack-node|wasm-consumer|examples))/'; then
  echo "cargo package: the files above belong to the npm side or the test harness, not the crate"; exit 1
fi

step "fuzz every parser of outside input (cargo-fuzz, ${FUZZ_SECONDS:-15} s per target)"
FUZZ_SECONDS="${FUZZ_SECONDS:-15}" bash scripts/fuzz.sh

step "build the npm package"
bash scripts/build.sh

step "the seam's contract: Rust declarations, the built modules' exports and the TypeScript calls agree"
node --test tests/seam/

step "wasm-bindgen tests of the wasm32 adapters, in Node and headless Chromium, against the mock Coze"
bash scripts/test-wasm.sh

step "Rust wasm32 consumer: tests/wasm-consumer logs in and refreshes through the core and the adapters, in Node against the mock Coze"
bash scripts/test-wasm-consumer.sh

step "mock Coze server"
node --test tests/mock-coze/

step "the packed package in Node (ESM and CJS) against the mock, with the secret hygiene sweep"
bash scripts/pack-install.sh
rm -rf target/hygiene
node --import ./tests/js/hygiene.mjs --test tests/js/

step "coze-auth/redis: a fleet of processes over a real redis-server (scripts/test-redis.sh)"
bash scripts/test-redis.sh
node scripts/hygiene-report.mjs

step "strict TypeScript consumer of the packed package"
# tests/types/consumer.ts against the generated index.d.ts: its `@ts-expect-error` lines catch a
# public type that got looser than the documented contract.
rm -rf tests/types/node_modules && mkdir -p tests/types/node_modules
cp -r tests/js/node_modules/coze-auth tests/types/node_modules/coze-auth
node_modules/.bin/tsc -p tests/types/tsconfig.json
echo "types: ok"

step "the packed package: publint, attw, types per moduleResolution, Node import/require, Vite and webpack apps in Chromium"
bash scripts/test-pack.sh

step "browser end to end: the demo page in headless Chromium"
node --test --test-concurrency=1 tests/browser/

step "browser build size (wasm + glue, gzip -9)"
node scripts/size.mjs
