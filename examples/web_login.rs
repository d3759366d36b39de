//! Web (confidential client) login, over the crate's ready HTTP client (feature `reqwest`).
//!
//! ```sh
//! COZE_WEB_OAUTH_CLIENT_SECRET=… cargo run --features reqwest --example web_login -- --client-id YOUR_WEB_APP_CLIENT_ID [--port 8080] [--base-url https://api.coze.com] [--www-base-url URL] [--workspace-id W] [--timeout-ms 30000] [--wait-s 300]
//! ```
//!
//! A web app's backend holds the client secret; here the terminal plays the backend. The
//! secret comes only from the environment (`COZE_WEB_OAUTH_CLIENT_SECRET`), never from the
//! command line, where other users could read it. Register `http://127.0.0.1:8080/callback`
//! (with your `--port`) as the app's redirect URI. The example listens there, prints the
//! authorize URL on stderr, waits for the browser, checks the callback's state, exchanges the
//! code with `Authorization: Bearer <client secret>`, tells the browser how it went, and prints
//! the token as JSON on stdout. Errors are one line on stderr and exit status 1 (usage: 2).

use std::process::ExitCode;

use coze_auth::reqwest::ReqwestTransport;
use coze_auth::{
    Error, OAuthToken, Secret, SystemClock, SystemRandom, WebAuthorizationUrlParams, WebOAuthApp,
    WebOAuthAppOptions,
};

mod support;
use support::{CallbackListener, LoginOptions};

const USAGE: &str = "usage: COZE_WEB_OAUTH_CLIENT_SECRET=… web_login --client-id ID [--port N] [--base-url URL] [--www-base-url URL] [--workspace-id W] [--timeout-ms N] [--wait-s N]\n       (the client id may also come from COZE_WEB_OAUTH_CLIENT_ID, the base URLs from COZE_API_BASE and COZE_WWW_BASE;\n        the redirect URI is http://127.0.0.1:PORT/callback, port 8080 by default, 0 for any free port)";

/// The browser logins' options, and the client secret, which comes only from the environment.
fn parse_args() -> Result<(LoginOptions, Secret), String> {
    let options = support::login_args("COZE_WEB_OAUTH_CLIENT_ID")?;
    let client_secret = Secret::new(
        support::env("COZE_WEB_OAUTH_CLIENT_SECRET")
            .ok_or("COZE_WEB_OAUTH_CLIENT_SECRET (the app's client secret) is required")?,
    );
    Ok((options, client_secret))
}

async fn login(options: LoginOptions, client_secret: Secret) -> Result<OAuthToken, Error> {
    let app = WebOAuthApp::new(WebOAuthAppOptions {
        client_id: options.client_id,
        client_secret,
        base_url: Some(options.base_url),
        www_base_url: options.www_base_url,
    })?;
    let transport = ReqwestTransport::builder()
        .timeout(options.timeout)
        .build()?;
    let listener = CallbackListener::bind(options.port, "/callback").await?;
    let redirect_uri = listener.redirect_uri();

    // A web app keeps the state in the user's session; here it stays in this function.
    let auth = app.authorization_url(
        &WebAuthorizationUrlParams {
            redirect_uri: redirect_uri.clone(),
            workspace_id: options.workspace_id,
            ..Default::default()
        },
        &mut SystemRandom,
    )?;
    eprintln!("Open this URL in a browser to log in:\n{}", auth.url);
    eprintln!("Waiting for Coze to send the browser back to {redirect_uri} …");

    let (callback_url, browser) = listener.wait(options.wait).await?;
    let result = async {
        // The state must be the one sent (constant-time check); Coze's `error=` becomes an error.
        let code = app.code_from_callback(&callback_url, auth.state.secret())?;
        app.exchange_code(&transport, &SystemClock, code.secret(), &redirect_uri)
            .await
    }
    .await;
    browser.report(&result).await;
    result
}

fn main() -> ExitCode {
    match parse_args() {
        Ok((options, client_secret)) => support::finish("login", login(options, client_secret)),
        Err(problem) => support::usage_exit(&problem, USAGE),
    }
}
