//! PKCE login from a terminal (a public client: no secret), over the crate's ready HTTP client
//! (feature `reqwest`).
//!
//! ```sh
//! cargo run --features reqwest --example pkce_login -- --client-id YOUR_PKCE_APP_CLIENT_ID [--port 8080] [--base-url https://api.coze.com] [--www-base-url URL] [--workspace-id W] [--timeout-ms 30000] [--wait-s 300]
//! ```
//!
//! Register `http://127.0.0.1:8080/callback` (with your `--port`) as the app's redirect URI.
//! The example listens there, prints the authorize URL on stderr, and waits for the browser to
//! come back from Coze's consent page. It then checks the state, exchanges the code with the
//! PKCE verifier, tells the browser how it went, and prints the token as JSON on stdout.
//! Errors are one line on stderr and exit status 1 (usage: 2).
//!
//! The pending login (state, verifier, redirect URI) is kept in a `MemoryStore` by
//! `start_login`, and `handle_callback` takes it out again: a callback works once.

use std::process::ExitCode;

use coze_auth::reqwest::ReqwestTransport;
use coze_auth::{
    AuthorizationUrlParams, Clock, Error, MemoryStore, OAuthToken, PkceOAuthApp,
    PkceOAuthAppOptions, SystemClock, SystemRandom,
};

mod support;
use support::{CallbackListener, LoginOptions};

const USAGE: &str = "usage: pkce_login --client-id ID [--port N] [--base-url URL] [--www-base-url URL] [--workspace-id W] [--timeout-ms N] [--wait-s N]\n       (the client id may also come from COZE_PKCE_OAUTH_CLIENT_ID, the base URLs from COZE_API_BASE and COZE_WWW_BASE;\n        the redirect URI is http://127.0.0.1:PORT/callback, port 8080 by default, 0 for any free port)";

async fn login(options: &LoginOptions) -> Result<OAuthToken, Error> {
    let app = PkceOAuthApp::new(PkceOAuthAppOptions {
        client_id: options.client_id.clone(),
        base_url: Some(options.base_url.clone()),
        www_base_url: options.www_base_url.clone(),
    })?;
    let transport = ReqwestTransport::builder()
        .timeout(options.timeout)
        .build()?;
    let listener = CallbackListener::bind(options.port, "/callback").await?;

    // The authorize URL (S256 challenge, fresh state and verifier); the pending login stays in
    // the store, keyed by its state, until the callback.
    let store = MemoryStore::default();
    let params = AuthorizationUrlParams {
        redirect_uri: listener.redirect_uri(),
        workspace_id: options.workspace_id.clone(),
        ..Default::default()
    };
    let auth = app.start_login(
        &params,
        &store,
        &mut SystemRandom,
        SystemClock.now_unix_seconds(),
    )?;
    eprintln!("Open this URL in a browser to log in:\n{}", auth.url);
    eprintln!(
        "Waiting for Coze to send the browser back to {} …",
        params.redirect_uri
    );

    let (callback_url, browser) = listener.wait(options.wait).await?;
    // Checks the state against the stored login, then exchanges the code with its verifier.
    let result = app
        .handle_callback(&transport, &SystemClock, &callback_url, &store)
        .await;
    browser.report(&result).await;
    result
}

fn main() -> ExitCode {
    match support::login_args("COZE_PKCE_OAUTH_CLIENT_ID") {
        Ok(options) => support::finish("login", login(&options)),
        Err(problem) => support::usage_exit(&problem, USAGE),
    }
}
