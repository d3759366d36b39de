//! What a Rust app compiled to wasm32 (a Leptos, Yew or plain wasm-bindgen front end) writes to
//! log in to Coze with coze-auth: the sans-IO PKCE flow of the core, with the crate's wasm32
//! adapters (`coze_auth::adapters`) as its transport and its pending-login store.
//! `tests/mock.rs` runs it in Node against the mock Coze.
#![cfg(target_arch = "wasm32")]
#![forbid(unsafe_code)]

use coze_auth::adapters::{FetchTransport, WebStorageStore};
use coze_auth::{
    AuthorizationUrlParams, Clock, Error, OAuthToken, PendingFlowStore, PkceOAuthApp,
    PkceOAuthAppOptions, SystemClock, SystemRandom,
};

/// A PKCE login: starts it (the authorize URL to navigate to) and finishes it from the
/// callback URL. The pending login waits in Web Storage: `sessionStorage` in a page, which
/// outlives the navigation to Coze and back.
pub struct CozeLogin {
    app: PkceOAuthApp,
    transport: FetchTransport,
    store: WebStorageStore,
}

impl CozeLogin {
    /// A login whose pending state goes to the page's `sessionStorage`.
    pub fn in_page(client_id: &str, base_url: &str, timeout_ms: u32) -> Result<Self, Error> {
        Self::new(client_id, base_url, timeout_ms, WebStorageStore::session()?)
    }

    /// `base_url` serves the API and, for the mock, the consent page too. Every request gives
    /// up after `timeout_ms`; `store` keeps the pending login.
    pub fn new(
        client_id: &str,
        base_url: &str,
        timeout_ms: u32,
        store: WebStorageStore,
    ) -> Result<Self, Error> {
        let app = PkceOAuthApp::new(PkceOAuthAppOptions {
            client_id: client_id.to_owned(),
            base_url: Some(base_url.to_owned()),
            www_base_url: Some(base_url.to_owned()),
        })?;
        // `globalThis.fetch` (Node 18+, browsers, workers); no abort signal.
        let transport = FetchTransport::new().with_timeout_ms(timeout_ms);
        Ok(CozeLogin {
            app,
            transport,
            store,
        })
    }

    /// The authorize URL (S256 challenge, fresh state and verifier), with the login kept until
    /// its callback arrives.
    pub fn start(&self, redirect_uri: &str) -> Result<String, Error> {
        let params = AuthorizationUrlParams {
            redirect_uri: redirect_uri.to_owned(),
            ..Default::default()
        };
        let now = SystemClock.now_unix_seconds();
        let auth = self
            .app
            .start_login(&params, &self.store, &mut SystemRandom, now)?;
        Ok(auth.url)
    }

    /// Checks the callback's state against a started login and exchanges its code.
    pub async fn finish(&self, callback_url: &str) -> Result<OAuthToken, Error> {
        self.app
            .handle_callback(&self.transport, &SystemClock, callback_url, &self.store)
            .await
    }

    /// A new token for a refresh token (which rotates: keep the new one).
    pub async fn refresh(&self, refresh_token: &str) -> Result<OAuthToken, Error> {
        self.app
            .refresh_token(&self.transport, &SystemClock, refresh_token)
            .await
    }

    /// The store of pending logins.
    pub fn store(&self) -> &impl PendingFlowStore {
        &self.store
    }
}
