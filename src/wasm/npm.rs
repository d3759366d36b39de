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

use core::cell::RefCell;

use wasm_bindgen::prelude::*;

use crate::core::callback::{pending_flow_key, take_pending_flow, PendingFlowStore};
use crate::core::error::Error;
use crate::core::http::{body_too_large, HttpRequest, HttpResponse};
use crate::core::json::{self, ObjectWriter, Value};
use crate::core::pkce::{
    AuthorizationUrlParams, CodeChallengeMethod, PkceAuthorizationUrl, PkceOAuthApp,
    PkceOAuthAppOptions,
};
use crate::core::random::RandomSource;
use crate::core::token::{read_token_response, OAuthToken};
use crate::prelude::*;

/// The operations, as numbered in pkg-template/lib/api.js.
const CHECK: u8 = 0;
const AUTHORIZE: u8 = 1;
const EXCHANGE: u8 = 2;
const REFRESH: u8 = 3;
const TOKEN: u8 = 4;
const CALLBACK_KEY: u8 = 5;
const TAKE_CALLBACK: u8 = 6;

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
        CHECK => a.app().map(|_| "{}".to_owned()),
        AUTHORIZE => authorize(a, bytes),
        EXCHANGE => request_json(a.app()?.exchange_request(
            &a.text("code"),
            &a.text("redirectUri"),
            &a.text("codeVerifier"),
        )?),
        REFRESH => request_json(a.app()?.refresh_request(&a.text("refreshToken"))?),
        TOKEN => token(a, bytes),
        CALLBACK_KEY => pending_flow_key(&a.text("url"))
            .map(|key| ObjectWriter::new().string("key", &key).finish()),
        TAKE_CALLBACK => take_pending_flow(&a.text("url"), &Taken(a.string("stored")), a.now())
            .map(|(code, pending)| {
                ObjectWriter::new()
                    .string("code", code.secret())
                    .string("redirectUri", &pending.redirect_uri)
                    .string("codeVerifier", pending.code_verifier.secret())
                    .finish()
            }),
        _ => Err(Error::invalid_argument("coze-auth: unknown operation.")),
    }
}

/// The arguments object the wrapper wrote.
struct Args(Value);

impl Args {
    /// A string argument; absent or null is `None`.
    fn string(&self, key: &str) -> Option<String> {
        self.0.get(key).and_then(Value::as_str).map(str::to_owned)
    }

    /// A required string argument (the wrapper has checked it is there; empty if not).
    fn text(&self, key: &str) -> String {
        self.string(key).unwrap_or_default()
    }

    fn int(&self, key: &str) -> i64 {
        self.0.get(key).and_then(Value::as_i64).unwrap_or(0)
    }

    /// `now`: Unix seconds.
    fn now(&self) -> i64 {
        self.int("now")
    }

    /// The app of `clientId`, `baseURL` and `wwwBaseURL`.
    fn app(&self) -> Result<PkceOAuthApp, Error> {
        PkceOAuthApp::new(PkceOAuthAppOptions {
            client_id: self.text("clientId"),
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
struct GivenRandom<'a>(&'a [u8]);

impl RandomSource for GivenRandom<'_> {
    fn fill(&mut self, buf: &mut [u8]) -> Result<(), Error> {
        if self.0.len() < buf.len() {
            return Err(Error::invalid_argument(
                "Not enough random bytes from crypto.getRandomValues.",
            ));
        }
        let (now, rest) = self.0.split_at(buf.len());
        buf.copy_from_slice(now);
        self.0 = rest;
        Ok(())
    }
}

/// Keeps what `start_login` stores, for the wrapper to put into the JS `Storage`.
#[derive(Default)]
struct Captured(RefCell<Option<(String, String)>>);

impl PendingFlowStore for Captured {
    fn get(&self, _: &str) -> Result<Option<String>, Error> {
        Ok(None)
    }
    fn set(&self, key: &str, value: &str) -> Result<(), Error> {
        *self.0.borrow_mut() = Some((key.to_owned(), value.to_owned()));
        Ok(())
    }
    fn remove(&self, _: &str) -> Result<(), Error> {
        Ok(())
    }
}

/// A store holding the one value the wrapper took out of the JS `Storage`.
struct Taken(Option<String>);

impl PendingFlowStore for Taken {
    fn get(&self, _: &str) -> Result<Option<String>, Error> {
        Ok(self.0.clone())
    }
    fn set(&self, _: &str, _: &str) -> Result<(), Error> {
        Ok(())
    }
    fn remove(&self, _: &str) -> Result<(), Error> {
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
fn authorize(a: &Args, random: &[u8]) -> Result<String, Error> {
    let app = a.app()?;
    let params = AuthorizationUrlParams {
        redirect_uri: a.text("redirectUri"),
        state: a.string("state"),
        code_challenge_method: match a.string("codeChallengeMethod") {
            Some(m) => CodeChallengeMethod::parse(&m)?,
            None => CodeChallengeMethod::default(),
        },
        workspace_id: a.string("workspaceId"),
    };
    let mut rng = GivenRandom(random);
    if a.0.get("loginNow").is_none() {
        return Ok(url_json(&app.authorization_url(&params, &mut rng)?).finish());
    }
    let store = Captured::default();
    let auth = app.start_login(&params, &store, &mut rng, a.int("loginNow"))?;
    let (key, value) = store.0.into_inner().unwrap_or_default();
    Ok(url_json(&auth)
        .string("key", &key)
        .string("value", &value)
        .finish())
}

/// A request for the wrapper to send: `{url, method, headers, body}`.
fn request_json(r: HttpRequest) -> Result<String, Error> {
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

fn token_json(token: &OAuthToken) -> String {
    ObjectWriter::new()
        .string("access_token", token.access_token.secret())
        .integer("expires_in", token.expires_in)
        .optional_string(
            "refresh_token",
            token.refresh_token.as_ref().map(|r| r.secret()),
        )
        .optional_string("token_type", token.token_type.as_deref())
        .finish()
}

/// Reads the answer to a token request: `status` (0: an opaque redirect), `logId`, `tooLarge`
/// (the declared length was over the limit; the body was not read), `now`, and `secrets` (the
/// values sent, scrubbed from server text); `body` is the response body.
fn token(a: &Args, body: &[u8]) -> Result<String, Error> {
    let status = a.int("status").clamp(0, 999) as u16;
    let response = HttpResponse {
        status,
        headers: a
            .string("logId")
            .map(|v| vec![("x-tt-logid".to_owned(), v)])
            .unwrap_or_default(),
        body: body.to_vec(),
    };
    if a.0.get("tooLarge").is_some() {
        return Err(body_too_large(status, response.log_id()));
    }
    let secrets = [a.text("secret1"), a.text("secret2")];
    let secrets = [secrets[0].as_str(), secrets[1].as_str()];
    read_token_response(&response, a.now(), &secrets).map(|t| token_json(&t))
}
