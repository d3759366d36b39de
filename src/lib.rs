//! # coze-auth
//!
//! Every way of authenticating to Coze's OpenAPI, for Rust and (through WebAssembly) JavaScript.
//!
//! - [`core`]: the sans-IO protocol core: requests as values, responses read strictly.
//! - [`transport`]: the [`Transport`] trait that moves requests (bring your own HTTP client).
//! - `wasm` (wasm32 only): the JavaScript API (`PKCEOAuthApp`, `CozeAuthError`, …).
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
//! // let token = app.exchange_code(&my_transport, &code, redirect_uri, auth.code_verifier.secret()).await?;
//! # Ok::<(), coze_auth::Error>(())
//! ```

#![forbid(unsafe_code)]
// `Error` (about 150 bytes) travels only on failure paths, after a network round trip; its
// public fields mirror JS `CozeAuthError`. Boxing it would cost an allocation per error and
// hide those fields behind accessors, for no measurable gain.
#![allow(clippy::result_large_err)]

pub mod core;
pub mod platform;
pub mod transport;

#[cfg(target_arch = "wasm32")]
pub mod wasm;

pub use crate::core::callback::{MemoryStore, PendingFlow, PendingFlowStore};
pub use crate::core::config::{COZE_CN_BASE_URL, COZE_COM_BASE_URL};
pub use crate::core::error::{Error, ErrorCode};
pub use crate::core::http::{HttpRequest, HttpResponse};
pub use crate::core::pkce::{
    AuthorizationUrlParams, CodeChallengeMethod, PkceAuthorizationUrl, PkceOAuthApp,
    PkceOAuthAppOptions,
};
pub use crate::core::random::RandomSource;
pub use crate::core::secret::Secret;
pub use crate::core::token::OAuthToken;
pub use crate::platform::SystemRandom;
pub use crate::transport::Transport;
