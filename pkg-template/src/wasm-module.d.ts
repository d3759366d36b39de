// The edge build's WebAssembly module, compiled by the host: scripts/bundle.mjs turns the
// import of './wasm-module.js' into `import … from './coze_auth_bg.wasm?module'`.
declare const wasmModule: WebAssembly.Module;
export default wasmModule;
