//! What a Rust app compiled to wasm32 (a Leptos, Yew or plain wasm-bindgen front end) writes to
//! log in to Coze with coze-auth: the sans-IO PKCE flow, with the crate's `fetch` transport.
//! `tests/mock.rs` runs it in Node against the mock Coze.
#![cfg(target_arch = "wasm32")]
#![forbid(unsafe_code)]

use coze_auth::wasm::fetch::FetchTransport;
use coze_auth::{
    AuthorizationUrlParams, Error, MemoryStore, OAuthToken, PkceOAuthApp, PkceOAuthAppOptions,
    SystemRandom,
};

/// A PKCE login: starts it (the authorize URL to navigate to) and finishes it from the
/// callback URL. The pending login lives in memory here; a page that navigates away keeps it in
/// `sessionStorage` instead (any `PendingFlowStore`).
pub struct CozeLogin {
    app: PkceOAuthApp,
    transport: FetchTransport,
    store: MemoryStore,
}

impl CozeLogin {
    /// `base_url` serves the API and, for the mock, the consent page too. Every request gives
    /// up after `timeout_ms`.
    pub fn new(client_id: &str, base_url: &str, timeout_ms: u32) -> Result<Self, Error> {
        let app = PkceOAuthApp::new(PkceOAuthAppOptions {
            client_id: client_id.to_owned(),
            base_url: Some(base_url.to_owned()),
            www_base_url: Some(base_url.to_owned()),
        })?;
        // `None`: `globalThis.fetch` (Node 18+, browsers, workers); no abort signal.
        let transport = FetchTransport::new(None, Some(timeout_ms), None);
        Ok(CozeLogin {
            app,
            transport,
            store: MemoryStore::default(),
        })
    }

    /// The authorize URL (S256 challenge, fresh state and verifier), with the login kept until
    /// its callback arrives.
    pub fn start(&self, redirect_uri: &str) -> Result<String, Error> {
        let params = AuthorizationUrlParams {
            redirect_uri: redirect_uri.to_owned(),
            ..Default::default()
        };
        let now = coze_auth::platform::now_unix_seconds();
        let auth = self
            .app
            .start_login(&params, &self.store, &mut SystemRandom, now)?;
        Ok(auth.url)
    }

    /// Checks the callback's state against a started login and exchanges its code.
    pub async fn finish(&self, callback_url: &str) -> Result<OAuthToken, Error> {
        self.app
            .handle_callback(&self.transport, callback_url, &self.store)
            .await
    }

    /// A new token for a refresh token (which rotates: keep the new one).
    pub async fn refresh(&self, refresh_token: &str) -> Result<OAuthToken, Error> {
        self.app.refresh_token(&self.transport, refresh_token).await
    }

    /// Logins started and not finished yet.
    pub fn pending(&self) -> usize {
        self.store.len()
    }
}
