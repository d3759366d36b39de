// The browser build's WebAssembly module as base64, for the inline build: scripts/build.sh
// writes it (target/ts/wasm-base64.js) and scripts/bundle.mjs bundles it in.
export declare const WASM_BASE64: string;
