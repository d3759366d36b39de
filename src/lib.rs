//! # coze-auth
//!
//! Every way of authenticating to Coze's OpenAPI, for Rust and (through WebAssembly) JavaScript.
//!
//! - [`core`]: the sans-IO protocol core: requests as values, responses read strictly. Flows:
//!   [`PkceOAuthApp`], [`DeviceOAuthApp`] (its polling policy is the sans-IO [`DevicePoller`],
//!   which tests run in virtual time), [`WebOAuthApp`], [`JwtFlow`] (with [`JwtTokenSource`], a
//!   self-renewing cache, and `RsaSigner` natively with the `jwt` feature), [`TokenAuth`];
//!   [`AppConfig`] reads the SDKs' shared JSON app config. The core does no I/O: the time and
//!   random bytes are passed in ([`Clock`], [`RandomSource`]; in an app [`SystemClock`] and
//!   [`SystemRandom`], the platform's), as are the network and the timer below.
//! - [`transport`]: the [`Transport`] trait that moves requests (bring your own HTTP client), and
//!   the [`Sleeper`] that times the device flow's polling.
//! - `adapters` (wasm32 with the default `fetch` feature): what a Rust program compiled to
//!   wasm32 plugs into the core: `adapters::FetchTransport` (a [`Transport`] over `fetch`),
//!   `adapters::WebStorageStore` (a [`PendingFlowStore`] over `sessionStorage`) and
//!   `adapters::TimeoutSleeper` (a [`Sleeper`] over `setTimeout`).
//! - `reqwest` (feature `reqwest`, native only): a ready [`Transport`] over reqwest (rustls, no
//!   redirects, a time limit, a 1 MiB body cap), `ReqwestTransport`, and `TokioSleeper`.
//! - the npm package's sans-IO module (wasm32 with the `npm` feature: `src/seam/`, one named
//!   export per operation), which its TypeScript drives; not for Rust callers.
//!
//! Each flow's documentation has an example that runs (with a stand-in for the HTTP client):
//! [`PkceOAuthApp`], [`DeviceOAuthApp`], [`core::jwt`] (`JwtFlow` with `RsaSigner`),
//! [`WebOAuthApp`], [`TokenAuth`], [`AppConfig`]. With a real HTTP client (feature `reqwest`),
//! the crate's `examples/` run each flow from a terminal: `device_login`, `pkce_login`,
//! `web_login` and `jwt_token` (`cargo run --features reqwest --example device_login --
//! --client-id ID`). On wasm32, `adapters::FetchTransport` is the transport.
//!
//! ```
//! use coze_auth::{AuthorizationUrlParams, PkceOAuthApp, PkceOAuthAppOptions, SystemRandom};
//!
//! let app = PkceOAuthApp::new(PkceOAuthAppOptions {
//!     client_id: "my-client-id".into(),
//!     ..Default::default()
//! })?;
//! let auth = app.authorization_url(
//!     &AuthorizationUrlParams { redirect_uri: "http://localhost:8080/cb".into(), ..Default::default() },
//!     &mut SystemRandom,
//! )?;
//! assert!(auth.url.starts_with("https://www.coze.cn/api/permission/oauth2/authorize?"));
//! // Keep auth.state and auth.code_verifier; after the redirect:
//! // let token = app.exchange_code(&my_transport, &SystemClock, &code, redirect_uri, auth.code_verifier.secret()).await?;
//! # Ok::<(), coze_auth::Error>(())
//! ```

#![forbid(unsafe_code)]
#![deny(missing_docs)]
// The npm build (`--no-default-features --features npm`, wasm32 only) leaves std out: its panic
// and formatting machinery would be most of the module. See `npm_runtime` below.
#![cfg_attr(
    all(target_arch = "wasm32", feature = "npm", not(feature = "fetch")),
    no_std
)]

extern crate alloc;

/// What the crate uses from `alloc`, imported explicitly so the same code builds with and
/// without std.
#[allow(unused_imports)]
pub(crate) mod prelude {
    pub use alloc::borrow::ToOwned;
    pub use alloc::boxed::Box;
    pub use alloc::string::{String, ToString};
    pub use alloc::vec;
    pub use alloc::vec::Vec;
}

/// The runtime of the no_std npm module: a panic (which the library never does on purpose:
/// no unwrap, expect or panic in its code) traps, and memory comes from a small free-list
/// allocator whose constructor is safe.
#[cfg(all(target_arch = "wasm32", feature = "npm", not(feature = "fetch")))]
mod npm_runtime {
    #[panic_handler]
    fn panic(_: &core::panic::PanicInfo<'_>) -> ! {
        core::arch::wasm32::unreachable()
    }

    #[global_allocator]
    static ALLOCATOR: lol_alloc::LockedAllocator<lol_alloc::FreeListAllocator> =
        lol_alloc::LockedAllocator::new(lol_alloc::FreeListAllocator::new());
}

pub mod core;
mod platform;
#[cfg(all(feature = "reqwest", not(target_arch = "wasm32")))]
pub mod reqwest;
pub mod transport;

#[cfg(all(target_arch = "wasm32", feature = "fetch"))]
pub mod adapters;

/// The npm package's module: one named export per operation (see `src/seam/mod.rs`). Compiled
/// natively too for its tests and the contract test's manifest.
#[cfg(any(test, all(target_arch = "wasm32", feature = "npm")))]
mod seam;

/// The crate-private codecs, for the fuzz targets: the differential ones
/// (`fuzz/fuzz_targets/diff_*.rs`) compare them with serde_json, base64 and sha2, the others
/// use the JSON reader and the blank rule in their checks. Compiled only under `--cfg fuzzing`,
/// which cargo-fuzz sets: no public API.
#[cfg(fuzzing)]
#[doc(hidden)]
pub mod __fuzz {
    pub use crate::core::encoding::{base64url, is_base64url};
    pub use crate::core::json::{parse as parse_json, ParseError, Value as JsonValue};
    pub use crate::core::sha256::sha256;
    pub use crate::core::text::blank;

    /// The shared first step of reading Coze's answers (`core::http`, crate-private): the body
    /// as a JSON object, or the error it carries, with `secrets` scrubbed.
    pub fn read_json_object(
        response: &crate::HttpResponse,
        secrets: &[&str],
    ) -> Result<JsonValue, crate::Error> {
        crate::core::http::read_json_object(response, secrets)
    }

    /// The PEM body's standard-base64 decoder (`core::pem`, crate-private).
    pub fn decode_base64(text: &str) -> Option<alloc::vec::Vec<u8>> {
        crate::core::pem::decode_base64(text)
    }
}

pub use crate::core::app_config::{AppConfig, JwtAppConfig, PublicAppConfig, WebAppConfig};
pub use crate::core::callback::{MemoryStore, PendingFlow, PendingFlowStore};
pub use crate::core::clock::Clock;
pub use crate::core::config::{COZE_CN_BASE_URL, COZE_COM_BASE_URL};
pub use crate::core::device::{
    DeviceCode, DeviceOAuthApp, DeviceOAuthAppOptions, DevicePending, DevicePoller, ExpiresInKind,
    PollAction,
};
pub use crate::core::error::{Error, ErrorCode};
pub use crate::core::http::{HttpRequest, HttpResponse};
#[cfg(all(feature = "jwt", not(target_arch = "wasm32")))]
pub use crate::core::jwt::RsaSigner;
pub use crate::core::jwt::{
    DeviceInfo, JwtFlow, JwtFlowOptions, JwtTokenParams, JwtTokenSource, Scope, SessionContext,
    Signer,
};
pub use crate::core::key::{KeyFormat, PrivateKey};
pub use crate::core::pkce::{
    AuthorizationUrlParams, CodeChallengeMethod, PkceAuthorizationUrl, PkceOAuthApp,
    PkceOAuthAppOptions,
};
pub use crate::core::random::RandomSource;
pub use crate::core::secret::Secret;
pub use crate::core::token::OAuthToken;
pub use crate::core::token_auth::TokenAuth;
pub use crate::core::token_cache::TokenCache;
pub use crate::core::web::{
    WebAuthorizationUrl, WebAuthorizationUrlParams, WebOAuthApp, WebOAuthAppOptions,
};
pub use crate::platform::{SystemClock, SystemRandom};
#[cfg(all(feature = "reqwest", not(target_arch = "wasm32")))]
pub use crate::reqwest::{ReqwestTransport, TokioSleeper};
pub use crate::transport::{Sleeper, Transport};
