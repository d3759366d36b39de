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
use std::time::Duration;

use coze_auth::reqwest::ReqwestTransport;
use coze_auth::{
    AuthorizationUrlParams, Clock, Error, MemoryStore, OAuthToken, PkceOAuthApp,
    PkceOAuthAppOptions, SystemClock, SystemRandom, COZE_CN_BASE_URL,
};

mod support;
use support::CallbackListener;

struct Options {
    client_id: String,
    base_url: String,
    www_base_url: Option<String>,
    port: u16,
    workspace_id: Option<String>,
    timeout: Duration,
    wait: Duration,
}

const USAGE: &str = "usage: pkce_login --client-id ID [--port N] [--base-url URL] [--www-base-url URL] [--workspace-id W] [--timeout-ms N] [--wait-s N]\n       (the client id may also come from COZE_PKCE_OAUTH_CLIENT_ID, the base URLs from COZE_API_BASE and COZE_WWW_BASE;\n        the redirect URI is http://127.0.0.1:PORT/callback, port 8080 by default, 0 for any free port)";

fn parse_args() -> Result<Options, String> {
    let env = support::env;
    let mut client_id = env("COZE_PKCE_OAUTH_CLIENT_ID");
    let mut base_url = env("COZE_API_BASE").unwrap_or_else(|| COZE_CN_BASE_URL.to_owned());
    let mut www_base_url = env("COZE_WWW_BASE");
    let mut port: u16 = 8080;
    let mut workspace_id = None;
    let mut timeout_ms: u64 = 30_000;
    let mut wait_s: u64 = 300;
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let mut value = || args.next().ok_or(format!("{flag} needs a value"));
        match flag.as_str() {
            "--client-id" => client_id = Some(value()?),
            "--base-url" => base_url = value()?,
            "--www-base-url" => www_base_url = Some(value()?),
            "--port" => port = support::number(&flag, value()?)?,
            "--workspace-id" => workspace_id = Some(value()?),
            "--timeout-ms" => timeout_ms = support::number(&flag, value()?)?,
            "--wait-s" => wait_s = support::number(&flag, value()?)?,
            "-h" | "--help" => return Err(String::new()),
            other => return Err(format!("unknown argument: {other}")),
        }
    }
    Ok(Options {
        client_id: client_id.ok_or("--client-id is required")?,
        base_url,
        www_base_url,
        port,
        workspace_id,
        timeout: Duration::from_millis(timeout_ms),
        wait: Duration::from_secs(wait_s),
    })
}

async fn login(options: &Options) -> Result<OAuthToken, Error> {
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
    match parse_args() {
        Ok(options) => support::finish("login", login(&options)),
        Err(problem) => support::usage_exit(&problem, USAGE),
    }
}
