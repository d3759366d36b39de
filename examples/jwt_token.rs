//! A service token by the JWT grant, over the crate's ready HTTP client (features `reqwest`
//! and `jwt`).
//!
//! ```sh
//! COZE_JWT_OAUTH_PRIVATE_KEY_FILE_PATH=private_key.pem cargo run --features reqwest --example jwt_token -- --app-id APP_ID --keyid PUBLIC_KEY_ID [--base-url https://api.coze.com] [--duration-seconds 900] [--account-id A] [--session-name S] [--bot-id B]… [--timeout-ms 30000]
//! ```
//!
//! The private key (PKCS#8 or PKCS#1 PEM) comes from the file named by `--private-key-file` or
//! `COZE_JWT_OAUTH_PRIVATE_KEY_FILE_PATH`, or else from `COZE_JWT_OAUTH_PRIVATE_KEY` (the PEM
//! itself); never from the command line itself. The app id and key id may also come from
//! `COZE_JWT_OAUTH_CLIENT_ID` and `COZE_JWT_OAUTH_PUBLIC_KEY_ID`.
//!
//! It signs an RS256 assertion with `RsaSigner`, sends the grant through a `JwtTokenSource`
//! (the cache a service keeps for its lifetime: it hands out the same token until shortly
//! before it expires), and prints the token as JSON on stdout. A JWT grant has no refresh
//! token: mint a new one instead. Errors are one line on stderr and exit status 1 (usage: 2).

use std::process::ExitCode;
use std::time::Duration;

use coze_auth::reqwest::ReqwestTransport;
use coze_auth::{
    Error, ErrorCode, JwtFlow, JwtFlowOptions, JwtTokenParams, JwtTokenSource, OAuthToken,
    RsaSigner, Scope, SystemClock, SystemRandom, COZE_CN_BASE_URL,
};

mod support;

struct Options {
    app_id: String,
    keyid: String,
    key_file: Option<String>,
    base_url: String,
    duration_seconds: i64,
    account_id: Option<String>,
    session_name: Option<String>,
    bot_ids: Vec<String>,
    timeout: Duration,
}

const USAGE: &str = "usage: jwt_token --app-id ID --keyid KID [--private-key-file FILE] [--base-url URL] [--duration-seconds N] [--account-id A] [--session-name S] [--bot-id B]… [--timeout-ms N]\n       (the app id may also come from COZE_JWT_OAUTH_CLIENT_ID, the key id from COZE_JWT_OAUTH_PUBLIC_KEY_ID, the base URL from COZE_API_BASE,\n        the key file from COZE_JWT_OAUTH_PRIVATE_KEY_FILE_PATH; without a file, the PEM itself from COZE_JWT_OAUTH_PRIVATE_KEY)";

fn parse_args() -> Result<Options, String> {
    let env = support::env;
    let mut app_id = env("COZE_JWT_OAUTH_CLIENT_ID");
    let mut keyid = env("COZE_JWT_OAUTH_PUBLIC_KEY_ID");
    let mut key_file = env("COZE_JWT_OAUTH_PRIVATE_KEY_FILE_PATH");
    let mut base_url = env("COZE_API_BASE").unwrap_or_else(|| COZE_CN_BASE_URL.to_owned());
    let mut duration_seconds: i64 = 900;
    let mut account_id = None;
    let mut session_name = None;
    let mut bot_ids = Vec::new();
    let mut timeout_ms: u64 = 30_000;
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let mut value = || args.next().ok_or(format!("{flag} needs a value"));
        match flag.as_str() {
            "--app-id" => app_id = Some(value()?),
            "--keyid" => keyid = Some(value()?),
            "--private-key-file" => key_file = Some(value()?),
            "--base-url" => base_url = value()?,
            "--duration-seconds" => duration_seconds = support::number(&flag, value()?)?,
            "--account-id" => account_id = Some(value()?),
            "--session-name" => session_name = Some(value()?),
            "--bot-id" => bot_ids.push(value()?),
            "--timeout-ms" => timeout_ms = support::number(&flag, value()?)?,
            "-h" | "--help" => return Err(String::new()),
            other => return Err(format!("unknown argument: {other}")),
        }
    }
    Ok(Options {
        app_id: app_id.ok_or("--app-id is required")?,
        keyid: keyid.ok_or("--keyid is required")?,
        key_file,
        base_url,
        duration_seconds,
        account_id,
        session_name,
        bot_ids,
        timeout: Duration::from_millis(timeout_ms),
    })
}

/// The PEM text, from the file if one is named, else from the environment. The key never
/// appears in an error.
fn private_key_pem(options: &Options) -> Result<String, Error> {
    match &options.key_file {
        Some(path) => std::fs::read_to_string(path).map_err(|e| {
            Error::invalid_argument(format!("cannot read the private key file {path}: {e}"))
        }),
        None => support::env("COZE_JWT_OAUTH_PRIVATE_KEY").ok_or_else(|| {
            Error::new(
                ErrorCode::InvalidKey,
                "No private key: pass --private-key-file, or set COZE_JWT_OAUTH_PRIVATE_KEY_FILE_PATH or COZE_JWT_OAUTH_PRIVATE_KEY.",
            )
        }),
    }
}

async fn mint(options: Options) -> Result<OAuthToken, Error> {
    // The key is parsed once; a malformed, encrypted or non-RSA key is `invalid_key`.
    let signer = RsaSigner::from_pem(&private_key_pem(&options)?)?;
    let flow = JwtFlow::new(JwtFlowOptions {
        app_id: options.app_id,
        keyid: options.keyid,
        base_url: Some(options.base_url),
        ..Default::default() // aud: the API host
    })?;
    let transport = ReqwestTransport::builder()
        .timeout(options.timeout)
        .build()?;
    let source = JwtTokenSource::new(flow, transport, signer, SystemClock, SystemRandom);

    let bot_ids: Vec<&str> = options.bot_ids.iter().map(String::as_str).collect();
    let params = JwtTokenParams {
        duration_seconds: options.duration_seconds,
        scope: (!bot_ids.is_empty()).then(|| Scope::bot_chat(&bot_ids, &[])),
        account_id: options.account_id,
        session_name: options.session_name,
        ..Default::default()
    };
    source.access_token(&params).await?;
    // A service asks the source each time it needs the token: until the token nears its
    // expiry, that is the cached one and costs no request.
    source.access_token(&params).await
}

fn main() -> ExitCode {
    match parse_args() {
        Ok(options) => support::finish("token", mint(options)),
        Err(problem) => support::usage_exit(&problem, USAGE),
    }
}
