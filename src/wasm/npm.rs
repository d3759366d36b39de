//! The npm package's module: one synchronous, sans-IO export. pkg-template's JS wrapper checks
//! the types of the JS arguments, draws the random bytes, reads the clock, drives `fetch` (time
//! limit, AbortSignal, no redirects) and the `Storage`; every protocol decision is made here,
//! by the core.
//!
//! `run(op, args, bytes)` takes the operation's arguments as a JSON object and its bytes (the
//! response body, or the random bytes), and returns JSON text: the result object, or
//! `{"error": {code, message, errorCode?, errorMessage?, status?, logId?}}`, which the wrapper
//! throws as a `CozeAuthError`. Bytes in, bytes out keeps the wasm-bindgen glue to two tiny
//! helpers, and the module keeps no state between calls (the app's options come every time).

use wasm_bindgen::prelude::*;

#[cfg(feature = "node")]
use super::{npm_jwt, npm_web};
use crate::core::callback::{check_pending_flow, pending_flow_key};
#[cfg(feature = "node")]
use crate::core::config::DEFAULT_DEVICE_POLL_INTERVAL_SECONDS;
#[cfg(feature = "node")]
use crate::core::device::{
    read_device_code_response, read_device_token_response, DeviceOAuthApp, DeviceOAuthAppOptions,
    DevicePoller, PollAction,
};
use crate::core::error::Error;
#[cfg(feature = "node")]
use crate::core::error::ErrorCode;
use crate::core::http::{body_too_large, HttpRequest, HttpResponse};
use crate::core::json::{self, ObjectWriter, Value};
use crate::core::pkce::{
    AuthorizationUrlParams, CodeChallengeMethod, PkceAuthorizationUrl, PkceOAuthApp,
    PkceOAuthAppOptions,
};
use crate::core::random::RandomSource;
use crate::core::token::read_token_response;
use crate::prelude::*;

/// The operations, as numbered in pkg-template/lib/core.js (both builds) and node-ops.js (Node).
const CHECK: u8 = 0;
const AUTHORIZE: u8 = 1;
const EXCHANGE: u8 = 2;
const REFRESH: u8 = 3;
const TOKEN: u8 = 4;
const CALLBACK_KEY: u8 = 5;
const TAKE_CALLBACK: u8 = 6;
// The Node build's operations (feature `node`).
#[cfg(feature = "node")]
const DEVICE_CHECK: u8 = 7;
#[cfg(feature = "node")]
const DEVICE_CODE: u8 = 8;
#[cfg(feature = "node")]
const DEVICE_CODE_READ: u8 = 9;
#[cfg(feature = "node")]
const DEVICE_POLL: u8 = 10;
#[cfg(feature = "node")]
const DEVICE_POLL_READ: u8 = 11;
#[cfg(feature = "node")]
const DEVICE_POLLER: u8 = 12;
#[cfg(feature = "node")]
const DEVICE_REFRESH: u8 = 13;
// The JWT flow (src/wasm/npm_jwt.rs) and the web app (src/wasm/npm_web.rs): Node build only.
#[cfg(feature = "node")]
const JWT_KEY: u8 = 14;
#[cfg(feature = "node")]
const JWT_CHECK: u8 = 15;
#[cfg(feature = "node")]
const JWT_PARAMS: u8 = 16;
#[cfg(feature = "node")]
const JWT_SIGNING_INPUT: u8 = 17;
#[cfg(feature = "node")]
const JWT_REQUEST: u8 = 18;
#[cfg(feature = "node")]
const BOT_CHAT_SCOPE: u8 = 19;
#[cfg(feature = "node")]
const WEB_CHECK: u8 = 20;
#[cfg(feature = "node")]
const WEB_AUTHORIZE: u8 = 21;
#[cfg(feature = "node")]
const WEB_CALLBACK: u8 = 22;
#[cfg(feature = "node")]
const WEB_EXCHANGE: u8 = 23;
#[cfg(feature = "node")]
const WEB_REFRESH: u8 = 24;
#[cfg(feature = "node")]
const APP_CONFIG: u8 = 25;

#[cfg(feature = "node")]
/// How long a device code not from `getDeviceCode` is polled (Coze does not say; 30 minutes is
/// the lifetime the official Go SDK's fixtures use).
const UNKNOWN_DEVICE_CODE_LIFETIME_SECONDS: i64 = 1800;

/// Runs operation `op` (see the constants) with `args`, a JSON object, and `bytes`.
#[wasm_bindgen]
pub fn run(op: u8, args: &[u8], bytes: &[u8]) -> Vec<u8> {
    let out = match json::parse(args) {
        Ok(args) => dispatch(op, &Args(args), bytes),
        Err(_) => Err(Error::invalid_argument("coze-auth: unreadable arguments.")),
    };
    out.unwrap_or_else(|e| error_json(&e)).into_bytes()
}

fn dispatch(op: u8, a: &Args, bytes: &[u8]) -> Result<String, Error> {
    match op {
        CHECK..=REFRESH => pkce_app(op, &a.app()?, a, bytes),
        TOKEN => token(a, bytes),
        CALLBACK_KEY => pending_flow_key(a.text("url"))
            .map(|key| ObjectWriter::new().string("key", &key).finish()),
        TAKE_CALLBACK => check_pending_flow(a.text("url"), a.str("stored"), a.now(), &a.app()?)
            .map(|(code, pending)| {
                ObjectWriter::new()
                    .string("code", code.secret())
                    .string("redirectUri", &pending.redirect_uri)
                    .string("codeVerifier", pending.code_verifier.secret())
                    .finish()
            }),
        #[cfg(feature = "node")]
        DEVICE_CHECK => a.device_app().map(|_| "{}".to_owned()),
        #[cfg(feature = "node")]
        DEVICE_CODE => request_json(
            a.device_app()?
                .device_code_request(a.string("workspaceId").as_deref())?,
        ),
        #[cfg(feature = "node")]
        DEVICE_CODE_READ => read_device_code_response(&a.response(bytes), a.now()).map(|dc| {
            ObjectWriter::new()
                .string("device_code", dc.device_code.secret())
                .string("user_code", &dc.user_code)
                .string("verification_uri", &dc.verification_uri)
                .string("verification_url", &dc.verification_url)
                .integer("expires_in", dc.expires_at)
                .integer("interval", dc.interval)
                .finish()
        }),
        #[cfg(feature = "node")]
        DEVICE_POLL => request_json(a.device_app()?.poll_request(a.text("deviceCode"))?),
        #[cfg(feature = "node")]
        DEVICE_POLL_READ => {
            read_device_token_response(&a.response(bytes), a.now(), a.text("deviceCode"))
                .map(|t| t.to_json())
        }
        #[cfg(feature = "node")]
        DEVICE_POLLER => device_poller(a, bytes),
        #[cfg(feature = "node")]
        DEVICE_REFRESH => request_json(a.device_app()?.refresh_request(a.text("refreshToken"))?),
        #[cfg(feature = "node")]
        JWT_KEY => npm_jwt::private_key(bytes),
        #[cfg(feature = "node")]
        JWT_CHECK => npm_jwt::flow(a).map(|_| "{}".to_owned()),
        #[cfg(feature = "node")]
        JWT_PARAMS => npm_jwt::plan(a),
        #[cfg(feature = "node")]
        JWT_SIGNING_INPUT => npm_jwt::signing_input(a, bytes),
        #[cfg(feature = "node")]
        JWT_REQUEST => npm_jwt::token_request(a),
        #[cfg(feature = "node")]
        BOT_CHAT_SCOPE => npm_jwt::bot_chat_scope(a),
        #[cfg(feature = "node")]
        WEB_CHECK => npm_web::app(a).map(|_| "{}".to_owned()),
        #[cfg(feature = "node")]
        WEB_AUTHORIZE => npm_web::authorize(a, bytes),
        #[cfg(feature = "node")]
        WEB_CALLBACK => npm_web::callback(a),
        #[cfg(feature = "node")]
        WEB_EXCHANGE => {
            request_json(npm_web::app(a)?.exchange_request(a.text("code"), a.text("redirectUri"))?)
        }
        #[cfg(feature = "node")]
        WEB_REFRESH => request_json(npm_web::app(a)?.refresh_request(a.text("refreshToken"))?),
        #[cfg(feature = "node")]
        APP_CONFIG => npm_web::app_config(bytes),
        _ => Err(Error::invalid_argument("coze-auth: unknown operation.")),
    }
}

/// The operations on the PKCE app of the arguments (one is built per call).
fn pkce_app(op: u8, app: &PkceOAuthApp, a: &Args, bytes: &[u8]) -> Result<String, Error> {
    match op {
        AUTHORIZE => authorize(app, a, bytes),
        EXCHANGE => request_json(app.exchange_request(
            a.text("code"),
            a.text("redirectUri"),
            a.text("codeVerifier"),
        )?),
        REFRESH => request_json(app.refresh_request(a.text("refreshToken"))?),
        _ => Ok("{}".to_owned()), // CHECK: the app was built, so its options are good
    }
}

/// The arguments object the wrapper wrote.
pub(super) struct Args(pub(super) Value);

impl Args {
    /// A string argument; absent or null is `None`.
    pub(super) fn str(&self, key: &str) -> Option<&str> {
        self.0.get(key).and_then(Value::as_str)
    }

    /// A string argument, owned.
    pub(super) fn string(&self, key: &str) -> Option<String> {
        self.str(key).map(str::to_owned)
    }

    /// A required string argument (the wrapper has checked it is there; empty if not).
    pub(super) fn text(&self, key: &str) -> &str {
        self.str(key).unwrap_or_default()
    }

    pub(super) fn int(&self, key: &str) -> i64 {
        self.0.get(key).and_then(Value::as_i64).unwrap_or(0)
    }

    /// `now`: Unix seconds.
    pub(super) fn now(&self) -> i64 {
        self.int("now")
    }

    /// The device app of `clientId` and `baseURL`.
    #[cfg(feature = "node")]
    fn device_app(&self) -> Result<DeviceOAuthApp, Error> {
        DeviceOAuthApp::new(DeviceOAuthAppOptions {
            client_id: self.text("clientId").to_owned(),
            base_url: self.string("baseURL"),
        })
    }

    /// The response the wrapper received: `status` (0: an opaque redirect), `logId`,
    /// `retryAfter`, and `body`.
    fn response(&self, body: &[u8]) -> HttpResponse {
        let mut headers = Vec::new();
        for (arg, name) in [("logId", "x-tt-logid"), ("retryAfter", "retry-after")] {
            if let Some(v) = self.str(arg) {
                headers.push((name.to_owned(), v.to_owned()));
            }
        }
        HttpResponse {
            status: self.int("status").clamp(0, 999) as u16,
            headers,
            body: body.to_vec(),
        }
    }

    /// The app of `clientId`, `baseURL` and `wwwBaseURL`.
    fn app(&self) -> Result<PkceOAuthApp, Error> {
        PkceOAuthApp::new(PkceOAuthAppOptions {
            client_id: self.text("clientId").to_owned(),
            base_url: self.string("baseURL"),
            www_base_url: self.string("wwwBaseURL"),
        })
    }
}

fn error_json(e: &Error) -> String {
    let mut w = ObjectWriter::new()
        .string("code", e.code.as_str())
        .string("message", &e.message)
        .optional_string("errorCode", e.error_code.as_deref())
        .optional_string("errorMessage", e.error_message.as_deref())
        .optional_string("logId", e.log_id.as_deref());
    if let Some(status) = e.status {
        w = w.integer("status", status.into());
    }
    ObjectWriter::new().raw("error", &w.finish()).finish()
}

/// Random bytes handed over by the caller, drawn from its CSPRNG.
pub(super) struct GivenRandom<'a>(pub(super) &'a [u8]);

impl RandomSource for GivenRandom<'_> {
    fn fill(&mut self, buf: &mut [u8]) -> Result<(), Error> {
        let Some((now, rest)) = self.0.split_at_checked(buf.len()) else {
            return Err(Error::invalid_argument(
                "Not enough random bytes from crypto.getRandomValues.",
            ));
        };
        for (b, r) in buf.iter_mut().zip(now) {
            *b = *r;
        }
        self.0 = rest;
        Ok(())
    }
}

fn url_json(auth: &PkceAuthorizationUrl) -> ObjectWriter {
    ObjectWriter::new()
        .string("url", &auth.url)
        .string("state", auth.state.secret())
        .string("codeVerifier", auth.code_verifier.secret())
        .string("codeChallengeMethod", auth.code_challenge_method.as_str())
}

/// `getOAuthUrl`, and with a `loginNow` (Unix seconds) `startLogin`: the authorize URL with a
/// fresh verifier and state drawn from `random` (48 CSPRNG bytes); for a login, also the
/// pending login's storage `key` and `value`.
fn authorize(app: &PkceOAuthApp, a: &Args, random: &[u8]) -> Result<String, Error> {
    let params = AuthorizationUrlParams {
        redirect_uri: a.text("redirectUri").to_owned(),
        state: a.string("state"),
        code_challenge_method: match a.str("codeChallengeMethod") {
            Some(m) => CodeChallengeMethod::parse(m)?,
            None => CodeChallengeMethod::default(),
        },
        workspace_id: a.string("workspaceId"),
        code_verifier: None,
    };
    let mut rng = GivenRandom(random);
    if a.0.get("loginNow").is_none() {
        return Ok(url_json(&app.authorization_url(&params, &mut rng)?).finish());
    }
    let (auth, key, value) = app.pending_login(&params, &mut rng, a.int("loginNow"))?;
    Ok(url_json(&auth)
        .string("key", &key)
        .string("value", &value)
        .finish())
}

/// A request for the wrapper to send: `{url, method, headers, body}`.
pub(super) fn request_json(r: HttpRequest) -> Result<String, Error> {
    let mut headers = ObjectWriter::new();
    for (name, value) in &r.headers {
        headers = headers.string(name, value);
    }
    Ok(ObjectWriter::new()
        .string("url", &r.url)
        .string("method", r.method)
        .raw("headers", &headers.finish())
        .string("body", &r.body)
        .finish())
}

/// Reads the answer to a token request ([`Args::response`], `tooLarge`: the declared length was
/// over the limit and the body was not read), with `now` and `secret1`/`secret2`, the values
/// sent, scrubbed from server text.
fn token(a: &Args, body: &[u8]) -> Result<String, Error> {
    let response = a.response(body);
    if a.0.get("tooLarge").is_some() {
        return Err(body_too_large(response.status, response.log_id()));
    }
    let secrets = [a.text("secret1"), a.text("secret2")];
    read_token_response(&response, a.now(), &secrets).map(|t| t.to_json())
}

#[cfg(feature = "node")]
/// One step of the device flow's polling, whose state JS keeps between steps:
/// - to start: `deviceCode`, and the `interval` and `expiresAt` of `getDeviceCode` when known
///   (else every 5 s for 30 minutes);
/// - then: the `poller` snapshot, and after a poll its `response` ([`Args::response`] fields,
///   body in `bytes`) or the transport's `failure` (`{code, message}`).
///
/// With `nowMs`, answers `{poller, wait: untilMs}` (sleep, then step again), `{poller}` (poll
/// now), `{token}`, or the error that ends the flow; plus `pending` after an unanswered poll.
fn device_poller(a: &Args, body: &[u8]) -> Result<String, Error> {
    let now_ms = a.int("nowMs");
    let mut poller = match a.string("poller") {
        Some(snapshot) => DevicePoller::from_snapshot(&snapshot)
            .ok_or_else(|| Error::invalid_argument("coze-auth: unreadable poller state."))?,
        None => {
            let interval = match a.int("interval") {
                0 => DEFAULT_DEVICE_POLL_INTERVAL_SECONDS,
                n => n,
            };
            let expires_at = match a.int("expiresAt") {
                0 => now_ms / 1000 + UNKNOWN_DEVICE_CODE_LIFETIME_SECONDS,
                n => n,
            };
            DevicePoller::from_parts(a.text("deviceCode"), interval, expires_at, now_ms)
        }
    };
    let mut pending = None;
    if let Some(response) = a.0.get("response").filter(|v| v.is_object()) {
        let response = Args(response.clone()).response(body);
        pending = poller.on_response(Ok(response), now_ms);
    } else if let Some(failure) = a.0.get("failure").filter(|v| v.is_object()) {
        let failure = Args(failure.clone());
        let code = match failure.text("code") {
            "timeout" => ErrorCode::Timeout,
            _ => ErrorCode::NetworkError,
        };
        pending = poller.on_response(
            Err(Error::new(code, failure.text("message").to_owned())),
            now_ms,
        );
    }
    let mut out = match poller.next_action(now_ms) {
        PollAction::Done(result) => {
            return result.map(|t| ObjectWriter::new().raw("token", &t.to_json()).finish())
        }
        PollAction::Wait { until_ms } => ObjectWriter::new().integer("wait", until_ms),
        PollAction::Poll => ObjectWriter::new(),
    };
    if let Some(p) = pending {
        let info = ObjectWriter::new()
            .integer("attempt", p.attempt.into())
            .integer("interval", p.interval)
            .integer("expiresAt", p.expires_at)
            .raw("slowDown", if p.slow_down { "true" } else { "false" })
            .finish();
        out = out.raw("pending", &info);
    }
    Ok(out
        .string("poller", &poller.to_snapshot().unwrap_or_default())
        .finish())
}
