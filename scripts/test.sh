#!/usr/bin/env bash
# Runs the tests, stage by stage, printing each stage's time. Installs what it needs first
# (quick when already installed).
#
#   npm test                   every stage, in order (what CI runs)
#   npm test -- --list         the stages, one line each
#   npm test -- js types       only those stages (a stage that needs the npm package builds it
#                              first when pkg/ is missing; `build` rebuilds it)
#
# The npm package's JS layer is strict TypeScript (pkg-template/src): building it type-checks it,
# and its published declarations are generated from it (see scripts/build.sh).
set -euo pipefail
cd "$(dirname "$0")/.."

# name|what it tests (the order is the run order)
STAGES=(
  "lint|cargo fmt, clippy (native, all features, wasm32 builds, fuzzing cfg), cargo doc without warnings"
  "rust|native Rust tests: protocol core, flows over a fake transport, doc examples, the reqwest transport against local servers"
  "examples|the Rust examples (device_login, pkce_login, web_login, jwt_token over coze_auth::reqwest) against the mock Coze"
  "crate|cargo package: the published crate builds on its own and carries none of the npm side"
  "fuzz|cargo-fuzz on every parser of outside input (FUZZ_SECONDS per target, default 15)"
  "build|build the npm package into pkg/"
  "seam|the seam's contract: Rust declarations, the built modules' exports and the TypeScript calls agree"
  "wasm|wasm-bindgen tests of the wasm32 adapters, in Node and headless Chromium, against the mock Coze"
  "wasm-consumer|a separate Rust crate logs in and refreshes through the core and the wasm32 adapters, in Node"
  "mock|the mock Coze server"
  "js|the packed package in Node (ESM and CJS) against the mock, with the secret hygiene sweep"
  "redis|coze-auth/redis over a real redis-server (Debian's, started on a free loopback port): a fleet of processes mints once"
  "types|a strict TypeScript consumer of the packed package"
  "pack|the packed tarball: publint, attw, types per moduleResolution, Node import/require, Vite and webpack apps in Chromium"
  "runtimes|the packed package in workerd, wrangler (deploy --dry-run, dev), edge-runtime (no wasm code generation), Bun, Deno, Node 22 and 24, feeding @coze/api, and rollup/esbuild/bun build pages on coze-auth/inline in Chromium, against the mock Coze"
  "next|Next.js 15 and 16 apps, each built with Turbopack and with webpack, no config for coze-auth: a client page's PKCE login in Chromium, JWT from a Node route and an edge route, against the mock Coze; then output: 'standalone' served by its server.js"
  "browser|the demo page end to end in headless Chromium"
  "size|browser build size (wasm + JS, min + gzip -9)"
)

stage_lint() {
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
}

stage_rust() {
  # With the `reqwest` feature: the default features' code is the same minus that module, and
  # the examples' stage then reuses this build's dependencies.
  cargo test --quiet --features reqwest
}

stage_examples() {
  node --test tests/crate/examples/
}

stage_crate() {
  # Verified in a target dir of its own: the verification build writes
  # target/debug/libcoze_auth.rlib (a cdylib's lib file has no hash in its name) from the
  # packaged copy, over the tests' own.
  CARGO_TARGET_DIR=target/package-verify cargo package --quiet --allow-dirty
  if cargo package --list --allow-dirty | grep -E '^(pkg-template|www|bench|scripts|node_modules|tests/(package|installed|crate/(wasm-consumer|examples)))/'; then
    echo "cargo package: the files above belong to the npm side or the test harness, not the crate"
    return 1
  fi
}

stage_fuzz() {
  FUZZ_SECONDS="${FUZZ_SECONDS:-15}" bash scripts/fuzz.sh
}

stage_build() {
  bash scripts/build.sh
  BUILT=1
}

# The stages below use the npm package: built once per run, or taken from pkg/ when a stage runs
# alone and it is there.
BUILT=0
need_package() {
  if [ "$BUILT" = 0 ] && [ ! -f pkg/package.json ]; then stage_build; fi
}

stage_seam() {
  need_package
  node --test tests/package/seam/
}

stage_wasm() {
  bash scripts/test-wasm.sh
}

stage_wasm-consumer() {
  bash scripts/test-wasm-consumer.sh
}

stage_mock() {
  node --test mock-coze/
}

stage_js() {
  need_package
  bash scripts/pack-install.sh
  rm -rf target/hygiene
  node --import ./tests/package/node/hygiene.mjs --test tests/package/node/
  node scripts/hygiene-report.mjs
}

stage_redis() {
  need_package
  bash scripts/test-redis.sh
}

stage_types() {
  need_package
  # The packed package the js stage installed, unless pkg/ was built since.
  [ tests/package/node/node_modules/coze-auth/package.json -nt pkg/package.json ] || bash scripts/pack-install.sh
  # tests/installed/types/consumer.ts against the generated index.d.ts: its `@ts-expect-error` lines catch
  # a public type that got looser than the documented contract.
  rm -rf tests/installed/types/node_modules && mkdir -p tests/installed/types/node_modules
  cp -r tests/package/node/node_modules/coze-auth tests/installed/types/node_modules/coze-auth
  node_modules/.bin/tsc -p tests/installed/types/tsconfig.json
  # …and in a consumer with neither the DOM lib nor @types/node (lib es2022 only, no types).
  node_modules/.bin/tsc -p tests/installed/types/tsconfig.no-dom.json
  # …and what an editor's completion offers from it (client_type, baseURL, errorCode).
  node tests/installed/types/completions.mjs
  echo "types: ok"
}

stage_pack() {
  need_package
  bash scripts/test-pack.sh
}

stage_runtimes() {
  need_package
  bash scripts/test-runtimes.sh
}

stage_next() {
  need_package
  bash scripts/test-next.sh
}

stage_browser() {
  need_package
  node --test --test-concurrency=1 tests/package/browser/
}

stage_size() {
  need_package
  node scripts/size.mjs
}

names=()
for s in "${STAGES[@]}"; do names+=("${s%%|*}"); done

if [ "${1:-}" = "--list" ]; then
  for s in "${STAGES[@]}"; do printf '%-14s %s\n' "${s%%|*}" "${s#*|}"; done
  exit 0
fi
selected=("$@")
[ ${#selected[@]} -gt 0 ] || selected=("${names[@]}")
for name in "${selected[@]}"; do
  if ! printf '%s\n' "${names[@]}" | grep -qx -- "$name"; then
    echo "test.sh: no stage '$name'; \`npm test -- --list\` lists them" >&2
    exit 2
  fi
done

bash scripts/setup.sh

times=()
for s in "${STAGES[@]}"; do
  name=${s%%|*}
  printf '%s\n' "${selected[@]}" | grep -qx -- "$name" || continue
  echo
  echo "=== $name: ${s#*|} ==="
  start=$SECONDS
  "stage_$name"
  times+=("$(printf '%-14s %4d s' "$name" $((SECONDS - start)))")
  echo "--- $name: $((SECONDS - start)) s"
done

echo
echo "=== stage times ==="
printf '%s\n' "${times[@]}"
echo "total          $(printf '%4d' "$SECONDS") s"
