#!/usr/bin/env bash
# Builds the npm package into pkg/ from the crate and pkg-template/:
#   pkg/browser/  ESM, wasm-bindgen --target web, loads the .wasm on first use
#   pkg/node/     CommonJS (+ an ESM re-export), reads and instantiates the .wasm synchronously on
#                 first use
#   pkg/edge/     one ES module for Workers and edge runtimes, the Node build's .wasm imported as
#                 './coze_auth_bg.wasm?module' and instantiated synchronously on first use
#   pkg/inline/   one ES module: the browser build with its wasm inlined as base64
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh rust node

TARGET=wasm32-unknown-unknown
WASM=target/$TARGET/release/coze_auth.wasm
BIN=node_modules/.bin
# The package's version (pkg/package.json's; the Node loader carries it too).
version=$(grep -m1 -E '^version = ' Cargo.toml | sed -E 's/version = "(.*)"/\1/')
# Cargo features per build: the browser build must stay free of RSA code. Both npm builds use
# the `npm` module (sans-IO exports driven by pkg-template/src/seam.ts), without the `fetch`
# feature's JS layer: no_std, so no panic or formatting machinery.
BROWSER_FEATURES="npm"
NODE_FEATURES="npm node"

build_wasm() { # features out_dir wasm_bindgen_target
  cargo build --quiet --lib --release --target "$TARGET" --no-default-features ${1:+--features "$1"}
  rm -rf "$2"
  wasm-bindgen "$WASM" --out-dir "$2" --out-name coze_auth --target "$3" --no-typescript \
    --remove-name-section --remove-producers-section
  # -Oz (three times: the second pass still finds a little; the third only renumbers locals, the
  # same bytes but 132 B less gzipped on the browser module) shrinks the module further; the
  # features are those rustc emits for wasm32 by default. The target_features section only
  # informs tools.
  # --one-caller-inline-max-function-size 200: wasm-opt inlines a function called once only
  # when it is small, instead of folding the whole call tree into one 14 KB function: the
  # bytes are about the same, but gzip finds more in the separate functions (measured: 200
  # is in the middle of the best range, 150 to 250; -125 B gz on the browser module).
  # --low-memory-unused lets wasm-opt fold `p + constant` into a load's offset, which differs
  # only if the sum wraps past 4 GiB into the first KiB: no Rust pointer does that.
  "$BIN/wasm-opt" --one-caller-inline-max-function-size 200 -Oz -Oz -Oz --low-memory-unused --strip-target-features --enable-bulk-memory --enable-sign-ext --enable-mutable-globals \
    --enable-nontrapping-float-to-int --enable-reference-types --enable-multivalue \
    "$2/coze_auth_bg.wasm" -o "$2/coze_auth_bg.wasm"
}

echo "[build] TypeScript"
# The JS layer (pkg-template/src, strict TypeScript) compiles to target/ts/js (ES2022 modules,
# plus the Node loader as CommonJS) and its declarations to target/ts/types; a type error fails
# the build.
rm -rf target/ts
"$BIN/tsc" -p pkg-template/tsconfig.json
JS=target/ts/js
# The published declarations are one self-contained file, bundled from the Node entry's (the
# browser entry exports the same names, typed as the same classes), and copied unchanged to
# index.d.ts and index.d.cts. One file with no relative imports is what makes the copy valid for
# both module kinds: a .d.cts importing ./x.js would pull in ESM-format .d.ts files (the package
# is "type": "module"), which attw reports for `require` consumers, while a file without imports
# reads as ESM under `import` and as CommonJS under `require`. dts-bundle-generator inlines the
# referenced internal types unexported, then checks the bundle without the DOM lib or
# @types/node (pkg-template/tsconfig.declarations.json), so consumers need neither. It runs in
# the background, beside the wasm builds.
"$BIN/dts-bundle-generator" --silent --project pkg-template/tsconfig.declarations.json \
  --export-referenced-types=false --no-banner -o target/ts/index.d.ts target/ts/types/node.d.ts &
dts=$!
# The same for the `coze-auth/redis` subpath: one self-contained file (the TokenStore types it
# names inlined; structurally the main entry's), no types of the `redis` package needed.
"$BIN/dts-bundle-generator" --silent --project pkg-template/tsconfig.declarations.json \
  --export-referenced-types=false --no-banner -o target/ts/redis.d.ts target/ts/types/redis.d.ts &
dts_redis=$!

echo "[build] browser"
build_wasm "$BROWSER_FEATURES" pkg/browser web
# The browser build ships the ES modules as they are (bundlers tree-shake them), without the
# Node-only ones (node.js, the Node entry, the flows it adds and their seam; the Node loader is
# wasm-node.cjs). wasm.js is the browser loader.
for f in "$JS"/*.js; do
  case "$(basename "$f")" in
    node.js | seam-node.js | device.js | jwt.js | web.js | config.js | redis.js | redis-browser.js) ;;
    # the other builds' loaders and host modules (bundled into edge/ and inline/, or node/)
    wasm-edge.js | wasm-inline.js | host.js | host-web.js | deno.js | base64.js) ;;
    *) cp "$f" pkg/browser/ ;;
  esac
done
# `coze-auth/redis` in a page: a stand-in that throws `unsupported` (redis-browser.ts).
cp "$JS/redis-browser.js" pkg/browser/redis.js
# That loader replaces wasm-bindgen's glue (a page would ship the glue's unused half), so it
# must speak the ABI the glue speaks for every export: check-glue.mjs fails if wasm-bindgen
# lowers them otherwise.
glue=pkg/browser/coze_auth.js
node scripts/check-glue.mjs "$glue"
rm "$glue"

echo "[build] node"
# The Node loader (wasm-node.cts) uses the browser loader's wrapper too, not wasm-bindgen's
# nodejs glue (which reads the .wasm by its own __dirname as soon as it is required): the web
# glue is only checked, as for the browser.
build_wasm "$NODE_FEATURES" pkg/node web
node scripts/check-glue.mjs pkg/node/coze_auth.js
rm pkg/node/coze_auth.js
# One CommonJS bundle for Node, lib.js, behind a tiny CommonJS entry (index.cjs says why) that
# the ESM entry re-exports, so both share one instance; the loader stays a separate small file
# (bundled with the wrapper, wasm-instance.ts, and the magic check, wasm-magic.ts), requiring lib.js only for CozeAuthError when it
# fails. It compares the installed package's version with its own, given here as a constant (a
# require of ../package.json would put the whole manifest into an app's bundle).
"$BIN/esbuild" "$JS/node.js" --bundle --format=cjs --platform=node --target=node20 \
  --external:./wasm.js --log-level=warning --outfile=pkg/node/lib.js
"$BIN/esbuild" "$JS/wasm-node.cjs" --bundle --format=cjs --platform=node --target=node20 \
  --define:COZE_AUTH_VERSION="\"$version\"" --external:./lib.js --log-level=warning --outfile=pkg/node/wasm.js
if grep -q -e COZE_AUTH_VERSION -e '\.\./package\.json' pkg/node/wasm.js; then
  echo "[build] pkg/node/wasm.js must carry the version as a constant (COZE_AUTH_VERSION), not read package.json" >&2; exit 1
fi
cp pkg-template/node/index.cjs pkg/node/index.js
cp pkg-template/node/index.mjs pkg/node/index.mjs
# `coze-auth/redis`: its own small CommonJS bundle (the main entry never loads it), whose
# CozeAuthError must be the main entry's class (instanceof): ./error.js stays external and is a
# one-line module handing over lib.js's exports, the instance index.js loaded.
"$BIN/esbuild" "$JS/redis.js" --bundle --format=cjs --platform=node --target=node20 \
  --external:./error.js --log-level=warning --outfile=pkg/node/redis.js
echo "'use strict'; module.exports = require('./lib.js'); // CozeAuthError for redis.js (see scripts/build.sh)" > pkg/node/error.js
cp pkg-template/node/redis.mjs pkg/node/redis.mjs
echo '{ "type": "commonjs" }' > pkg/node/package.json

echo "[build] edge"
# Workers and edge runtimes (export conditions workerd, edge-light): the Node build's flows and
# wasm (the same features), with the browser loader's wrapper behind wasm-edge.js and WebCrypto
# signing (host-web.js). The module is the Node build's, the same file.
rm -rf pkg/edge && mkdir -p pkg/edge
cp pkg/node/coze_auth_bg.wasm pkg/edge/coze_auth_bg.wasm
node scripts/bundle.mjs "$JS/node.js" pkg/edge/index.js swap:wasm.js=wasm-edge.js swap:host.js=host-web.js \
  'external:wasm-module.js=./coze_auth_bg.wasm?module'

echo "[build] inline"
# coze-auth/inline: the browser build with its wasm as base64 in the JS (bundlers that emit no
# asset). wasm-inline.js uses the browser loader's wrapper only: its fetch is not bundled.
mkdir -p pkg/inline
node -e '
  const fs = require("fs");
  const b64 = fs.readFileSync("pkg/browser/coze_auth_bg.wasm").toString("base64");
  fs.writeFileSync("target/ts/wasm-base64.js", "export const WASM_BASE64 = \"" + b64 + "\";\n");
'
node scripts/bundle.mjs "$JS/index.js" pkg/inline/index.js swap:wasm.js=wasm-inline.js file:wasm-base64.js=target/ts/wasm-base64.js
if grep -q 'import.meta' pkg/edge/index.js pkg/inline/index.js; then
  echo "[build] edge/ or inline/ still has import.meta (the browser loader's fetch): it must not" >&2; exit 1
fi

echo "[build] package"
rm -rf pkg/bin && mkdir -p pkg/bin && cp pkg-template/bin/coze-auth.mjs pkg/bin/ && chmod +x pkg/bin/coze-auth.mjs
wait "$dts" || { echo "[build] bundling the declarations failed" >&2; exit 1; }
wait "$dts_redis" || { echo "[build] bundling the declarations of coze-auth/redis failed" >&2; exit 1; }
cp target/ts/index.d.ts pkg/index.d.ts
cp target/ts/index.d.ts pkg/index.d.cts
cp target/ts/redis.d.ts pkg/redis.d.ts
cp target/ts/redis.d.ts pkg/redis.d.cts
cp pkg-template/README.md pkg/README.md
cp LICENSE-MIT LICENSE-APACHE pkg/
node -e '
  const fs = require("fs");
  const p = JSON.parse(fs.readFileSync("pkg-template/package.json", "utf8"));
  p.version = process.argv[1];
  fs.writeFileSync("pkg/package.json", JSON.stringify(p, null, 2) + "\n");
' "$version"
echo "[build] pkg/ ready: coze-auth@$version ($(wc -c < pkg/browser/coze_auth_bg.wasm) bytes of browser wasm)"
