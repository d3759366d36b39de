#!/usr/bin/env bash
# The wasm-bindgen tests of the wasm32 adapters (tests/crate/wasm/) against a mock Coze started here:
#   bash scripts/test-wasm.sh           in Node, then in headless Chromium
#   bash scripts/test-wasm.sh node      in Node only
#   bash scripts/test-wasm.sh chromium  in headless Chromium only
# The browser has no environment, so the tests compile COZE_MOCK_URL in: both runs use the one
# mock started here, and the second does not rebuild.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/mock-coze.sh
where="${1:-both}"
export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner
export WASM_BINDGEN_TEST_TIMEOUT=60
# The adapters' doc examples are `no_run` and wasm32-only: compiling them is the check.
cargo test --quiet --doc --target wasm32-unknown-unknown adapters
start_mock_coze
if [ "$where" != chromium ]; then
  echo "--- in Node"
  cargo test --target wasm32-unknown-unknown --test wasm
fi
if [ "$where" != node ]; then
  echo "--- in headless Chromium"
  CHROMEDRIVER=/usr/bin/chromedriver WASM_BINDGEN_USE_BROWSER=1 \
    cargo test --target wasm32-unknown-unknown --test wasm
fi
