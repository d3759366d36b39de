//! Device code login from a terminal, over the crate's ready HTTP client (feature `reqwest`).
//!
//! ```sh
//! cargo run --features reqwest --example device_login -- --client-id YOUR_DEVICE_APP_CLIENT_ID [--base-url https://api.coze.com] [--workspace-id W] [--timeout-ms 30000]
//! ```
//!
//! It prints where to go and the user code on stderr, polls until the user decides (by the
//! crate's polling policy: the server's interval, `slow_down`, expiry, retries), then prints the
//! token as JSON on stdout. Errors are one line on stderr and exit status 1 (usage: 2).
//!
//! The transport is `coze_auth::reqwest::ReqwestTransport` (no redirects, a time limit on each
//! exchange, a 1 MiB body cap) and the polling sleeps on tokio's timer (`TokioSleeper`).

use std::process::ExitCode;
use std::time::Duration;

use coze_auth::reqwest::{ReqwestTransport, TokioSleeper};
use coze_auth::{
    DeviceOAuthApp, DeviceOAuthAppOptions, DevicePending, Error, OAuthToken, SystemClock,
    COZE_CN_BASE_URL,
};

mod support;

struct Options {
    client_id: String,
    base_url: String,
    workspace_id: Option<String>,
    timeout: Duration,
}

const USAGE: &str = "usage: device_login --client-id ID [--base-url URL] [--workspace-id W] [--timeout-ms N]\n       (the client id may also come from COZE_DEVICE_OAUTH_CLIENT_ID, the base URL from COZE_API_BASE)";

fn parse_args() -> Result<Options, String> {
    let env = support::env;
    let mut client_id = env("COZE_DEVICE_OAUTH_CLIENT_ID");
    let mut base_url = env("COZE_API_BASE").unwrap_or_else(|| COZE_CN_BASE_URL.to_owned());
    let mut workspace_id = None;
    let mut timeout_ms: u64 = 30_000;
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let mut value = || args.next().ok_or(format!("{flag} needs a value"));
        match flag.as_str() {
            "--client-id" => client_id = Some(value()?),
            "--base-url" => base_url = value()?,
            "--workspace-id" => workspace_id = Some(value()?),
            "--timeout-ms" => {
                timeout_ms = support::number(&flag, value()?)?;
            }
            "-h" | "--help" => return Err(String::new()),
            other => return Err(format!("unknown argument: {other}")),
        }
    }
    Ok(Options {
        client_id: client_id.ok_or("--client-id is required")?,
        base_url,
        workspace_id,
        timeout: Duration::from_millis(timeout_ms),
    })
}

async fn login(options: &Options) -> Result<OAuthToken, Error> {
    let app = DeviceOAuthApp::new(DeviceOAuthAppOptions {
        client_id: options.client_id.clone(),
        base_url: Some(options.base_url.clone()),
    })?;
    let transport = ReqwestTransport::builder()
        .timeout(options.timeout)
        .build()?;
    let device_code = app
        .get_device_code(&transport, &SystemClock, options.workspace_id.as_deref())
        .await?;
    eprintln!(
        "Open {} and enter the code {} (or open {}).",
        device_code.verification_uri, device_code.user_code, device_code.verification_url
    );
    let on_pending = |pending: &DevicePending| {
        let why = if pending.slow_down {
            "asked to slow down"
        } else {
            "waiting for you"
        };
        eprintln!(
            "poll {}: {why}; next in {} s",
            pending.attempt, pending.interval
        );
    };
    app.poll_token(&transport, &TokioSleeper, &device_code, on_pending)
        .await
}

fn main() -> ExitCode {
    match parse_args() {
        Ok(options) => support::finish("login", login(&options)),
        Err(problem) => support::usage_exit(&problem, USAGE),
    }
}
