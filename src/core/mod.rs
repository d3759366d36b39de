//! The protocol core: plain Rust, no JavaScript types. It builds every request as a value and
//! reads every response into a typed result, so it is tested natively and fuzzed.

pub mod app_config;
pub mod callback;
pub mod clock;
pub mod config;
pub(crate) mod der;
pub mod device;
pub(crate) mod encoding;
pub mod error;
pub mod http;
pub(crate) mod json;
pub mod jwt;
pub mod key;
pub(crate) mod pem;
pub mod pkce;
pub mod random;
pub mod secret;
pub(crate) mod sha256;
pub(crate) mod text;
pub mod token;
pub mod token_auth;
pub mod token_cache;
pub mod web;
