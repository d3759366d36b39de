#!/usr/bin/env bash
# Proves the packed npm package (`npm pack` of pkg/) where users install it:
#   1. publint (strict) and @arethetypeswrong/cli find no problems in the tarball
#   2. its types resolve under moduleResolution node16, nodenext and bundler (tests/installed/type-resolution/)
#   3. Node ESM `import` and CJS `require` give every export, the same objects both ways (tests/installed/node-import/)
#   4. a Vite app and a webpack 5 app built from it (and the Vite dev server) log in with PKCE in
#      headless Chromium against mock Coze (tests/installed/bundlers/)
# Each throw-away project gets the tarball freshly installed every run, its own pinned tools only
# when they changed (scripts/throwaway.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh node browser
[ -f pkg/package.json ] || bash scripts/build.sh
source scripts/throwaway.sh

step() { echo; echo "--- $* --- (${SECONDS}s)"; }
BIN=node_modules/.bin
PROJECTS=(tests/installed/type-resolution tests/installed/node-import tests/installed/bundlers/vite-app tests/installed/bundlers/webpack-app)

step "pack pkg/"
tarball=$(pack_tarball target/test-pack)
echo "$tarball"

step "publint and arethetypeswrong on the tarball"
"$BIN/publint" run "$tarball" --strict
# The package's entries; coze-auth/inline is ESM only by design (for bundlers and ES module
# hosts), so it is checked with attw's esm-only profile; the .wasm subpaths are files to copy or
# import with a bundler, not modules.
"$BIN/attw" "$tarball" --exclude-entrypoints ./inline ./browser/coze_auth_bg.wasm ./edge/coze_auth_bg.wasm
"$BIN/attw" "$tarball" --entrypoints ./inline --profile esm-only

step "install the tarball into the throw-away projects"
for project in "${PROJECTS[@]}"; do install_throwaway "$project" "$tarball"; done

step "types resolve under node16, nodenext and bundler"
node tests/installed/type-resolution/check.mjs

step "Node $(node --version): ESM import and CJS require of every export"
node tests/installed/node-import/check.mjs

step "build the Vite and webpack apps"
# Each app's own `npm run build` (vite build; webpack --mode production, no config file), quieter.
(cd tests/installed/bundlers/vite-app && rm -rf dist && npm run --silent build -- --logLevel warn)
(cd tests/installed/bundlers/webpack-app && rm -rf dist && npm run --silent build -- --stats errors-warnings)
echo "built tests/installed/bundlers/vite-app/dist and tests/installed/bundlers/webpack-app/dist"

step "the bundled apps log in with PKCE in headless Chromium against mock Coze"
node --test --test-concurrency=1 --test-reporter=spec tests/installed/bundlers/
