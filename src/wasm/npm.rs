//! The npm package's module: synchronous, sans-IO exports. pkg-template's JS wrapper checks the
//! types of the JS arguments, draws the random bytes, reads the clock, drives `fetch` (time
//! limit, AbortSignal, no redirects) and the `Storage`; every protocol decision is made here,
//! by the core.
//!
//! Each export returns JSON text: the result object, or `{"error": {code, message, errorCode?,
//! errorMessage?, status?, logId?}}`, which the wrapper throws as a `CozeAuthError`. Strings in,
//! JSON out keeps the wasm-bindgen glue to a few helpers, and needs no JS object handling here.
//! The app's options come with every call (the module keeps no state).

use core::cell::RefCell;

use wasm_bindgen::prelude::*;

use crate::core::callback::{pending_flow_key, take_pending_flow, PendingFlowStore};
use crate::core::error::Error;
use crate::core::http::{body_too_large, HttpRequest, HttpResponse};
use crate::core::json::ObjectWriter;
use crate::core::pkce::{
    AuthorizationUrlParams, CodeChallengeMethod, PkceAuthorizationUrl, PkceOAuthApp,
    PkceOAuthAppOptions,
};
use crate::core::random::RandomSource;
use crate::core::token::{read_token_response, OAuthToken};
use crate::prelude::*;

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

fn respond(result: Result<String, Error>) -> String {
    result.unwrap_or_else(|e| error_json(&e))
}

fn app(
    client_id: String,
    base_url: Option<String>,
    www_base_url: Option<String>,
) -> Result<PkceOAuthApp, Error> {
    PkceOAuthApp::new(PkceOAuthAppOptions {
        client_id,
        base_url,
        www_base_url,
    })
}

/// Checks the app's options: `{}` or the error.
#[wasm_bindgen(js_name = checkOptions)]
pub fn check_options(
    client_id: String,
    base_url: Option<String>,
    www_base_url: Option<String>,
) -> String {
    respond(app(client_id, base_url, www_base_url).map(|_| "{}".to_owned()))
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

fn url_json(auth: &PkceAuthorizationUrl) -> ObjectWriter {
    ObjectWriter::new()
        .string("url", &auth.url)
        .string("state", auth.state.secret())
        .string("codeVerifier", auth.code_verifier.secret())
        .string("codeChallengeMethod", auth.code_challenge_method.as_str())
}

/// `getOAuthUrl` (and, with `login_now`, `startLogin`): the authorize URL with a fresh verifier
/// and state drawn from `random` (48 CSPRNG bytes). With `login_now` (Unix seconds) the result
/// also has the pending login's storage `key` and `value`.
#[wasm_bindgen]
#[allow(clippy::too_many_arguments)]
pub fn authorize(
    client_id: String,
    base_url: Option<String>,
    www_base_url: Option<String>,
    redirect_uri: String,
    state: Option<String>,
    code_challenge_method: Option<String>,
    workspace_id: Option<String>,
    random: &[u8],
    login_now: Option<f64>,
) -> String {
    respond((|| {
        let app = app(client_id, base_url, www_base_url)?;
        let params = AuthorizationUrlParams {
            redirect_uri,
            state,
            code_challenge_method: match code_challenge_method {
                Some(m) => CodeChallengeMethod::parse(&m)?,
                None => CodeChallengeMethod::default(),
            },
            workspace_id,
        };
        let mut rng = GivenRandom(random);
        let Some(now) = login_now else {
            return Ok(url_json(&app.authorization_url(&params, &mut rng)?).finish());
        };
        let store = Captured::default();
        let auth = app.start_login(&params, &store, &mut rng, now as i64)?;
        let (key, value) = store.0.into_inner().unwrap_or_default();
        Ok(url_json(&auth)
            .string("key", &key)
            .string("value", &value)
            .finish())
    })())
}

fn request_json(request: Result<HttpRequest, Error>) -> String {
    respond(request.map(|r| {
        let mut headers = ObjectWriter::new();
        for (name, value) in &r.headers {
            headers = headers.string(name, value);
        }
        ObjectWriter::new()
            .string("url", &r.url)
            .string("method", r.method)
            .raw("headers", &headers.finish())
            .string("body", &r.body)
            .finish()
    }))
}

/// The code exchange request: `{url, method, headers, body}`.
#[wasm_bindgen(js_name = exchangeRequest)]
pub fn exchange_request(
    client_id: String,
    base_url: Option<String>,
    www_base_url: Option<String>,
    code: &str,
    redirect_uri: &str,
    code_verifier: &str,
) -> String {
    request_json(
        app(client_id, base_url, www_base_url)
            .and_then(|a| a.exchange_request(code, redirect_uri, code_verifier)),
    )
}

/// The refresh request: `{url, method, headers, body}`.
#[wasm_bindgen(js_name = refreshRequest)]
pub fn refresh_request(
    client_id: String,
    base_url: Option<String>,
    www_base_url: Option<String>,
    refresh_token: &str,
) -> String {
    request_json(
        app(client_id, base_url, www_base_url).and_then(|a| a.refresh_request(refresh_token)),
    )
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

/// Reads the answer to a token request: the token with Coze's wire names, or the error.
/// `status` 0 is an opaque redirect; `too_large` says the declared body length was over the
/// limit (the body was not read). `now` is Unix seconds; `secret1` and `secret2` are the
/// values sent, scrubbed from server text.
#[wasm_bindgen(js_name = tokenResponse)]
pub fn token_response(
    status: u16,
    log_id: Option<String>,
    body: Vec<u8>,
    too_large: bool,
    now: f64,
    secret1: &str,
    secret2: &str,
) -> String {
    let response = HttpResponse {
        status,
        headers: log_id
            .map(|v| vec![("x-tt-logid".to_owned(), v)])
            .unwrap_or_default(),
        body,
    };
    if too_large {
        return error_json(&body_too_large(status, response.log_id()));
    }
    respond(read_token_response(&response, now as i64, &[secret1, secret2]).map(|t| token_json(&t)))
}

/// The storage key of the pending login a callback URL answers: `{key}`, or `invalid_state`.
#[wasm_bindgen(js_name = callbackKey)]
pub fn callback_key(url: &str) -> String {
    respond(pending_flow_key(url).map(|key| ObjectWriter::new().string("key", &key).finish()))
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

/// Checks a callback against the pending login the wrapper took out of storage (`stored`, read
/// under `callbackKey`'s key and already deleted there): `{code, redirectUri, codeVerifier}`
/// to exchange, or the error.
#[wasm_bindgen(js_name = takeCallback)]
pub fn take_callback(url: &str, stored: Option<String>, now: f64) -> String {
    respond(
        take_pending_flow(url, &Taken(stored), now as i64).map(|(code, pending)| {
            ObjectWriter::new()
                .string("code", code.secret())
                .string("redirectUri", &pending.redirect_uri)
                .string("codeVerifier", pending.code_verifier.secret())
                .finish()
        }),
    )
}
