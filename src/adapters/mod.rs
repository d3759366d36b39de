//! What a Rust program compiled to wasm32 plugs into the core (feature `fetch`, default; wasm32
//! only), in the manner of oauth2-rs's HTTP-client modules: each adapter implements one of the
//! core's plug-in traits over a Web API, and holds no protocol logic.
//!
//! | adapter | implements | over |
//! |---|---|---|
//! | [`FetchTransport`] ([`fetch`]) | [`Transport`](crate::Transport) | `fetch`: time limit, `AbortSignal`, no redirects, body read as a stream and capped at 1 MiB |
//! | [`WebStorageStore`] ([`storage`]) | [`PendingFlowStore`](crate::PendingFlowStore) | Web `Storage` (`sessionStorage` by default) |
//! | [`TimeoutSleeper`] ([`timer`]) | [`Sleeper`](crate::Sleeper) | `Date.now()` and `setTimeout`, with an optional `AbortSignal` |
//!
//! ```no_run
//! # async fn login(callback_url: &str) -> Result<(), coze_auth::Error> {
//! use coze_auth::adapters::{FetchTransport, WebStorageStore};
//! use coze_auth::{PkceOAuthApp, PkceOAuthAppOptions, SystemClock};
//!
//! let app = PkceOAuthApp::new(PkceOAuthAppOptions { client_id: "id".into(), ..Default::default() })?;
//! let transport = FetchTransport::new().with_timeout_ms(10_000);
//! let store = WebStorageStore::session()?;
//! let token = app.handle_callback(&transport, &SystemClock, callback_url, &store).await?;
//! # let _ = token; Ok(()) }
//! ```

pub mod fetch;
pub mod storage;
pub mod timer;

pub use fetch::FetchTransport;
pub use storage::WebStorageStore;
pub use timer::TimeoutSleeper;

use js_sys::Function;
use wasm_bindgen::prelude::*;

/// The host's timers (`globalThis.setTimeout`: browsers, workers, Node).
#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_name = setTimeout)]
    fn set_timeout(handler: &Function, ms: i32) -> JsValue;
    #[wasm_bindgen(js_name = clearTimeout)]
    fn clear_timeout(id: &JsValue);
}

/// The longest delay `setTimeout` honours (a longer one fires at once).
const MAX_TIMER_MS: u32 = 2_147_483_647;

/// `ms` as `setTimeout` takes it: at least 1, at most [`MAX_TIMER_MS`].
fn timer_ms(ms: u32) -> i32 {
    i32::try_from(ms.clamp(1, MAX_TIMER_MS)).unwrap_or(i32::MAX)
}
