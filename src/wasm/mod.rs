//! The npm package's WebAssembly module (feature `npm`, and `node` for the Node build): the
//! sans-IO exports that `pkg-template/lib/`'s JavaScript drives with `fetch`. Not for Rust
//! callers: a Rust program compiled to wasm32 uses the core with the [`crate::adapters`].

#[cfg(feature = "npm")]
pub mod npm;
#[cfg(all(feature = "npm", feature = "node"))]
mod npm_jwt;
#[cfg(all(feature = "npm", feature = "node"))]
mod npm_web;
