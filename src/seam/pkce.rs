//! The PKCE app's operations and the token reader: both builds.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen::prelude::wasm_bindgen;

use super::{
    json, read, request_json, run, seam_struct, Checked, GivenRandom, Operation, ResponseArgs,
};
use crate::core::callback::{check_pending_flow, pending_flow_expired, pending_flow_key};
use crate::core::error::Error;
use crate::core::json::Value;
use crate::core::pkce::{
    AuthorizationUrlParams, CodeChallengeMethod, PkceOAuthApp, PkceOAuthAppOptions,
};
use crate::core::token::{self, OAuthToken};
use crate::prelude::*;

seam_struct!(in
    /// A PKCE app's options, checked by the core with every call (the module keeps no state).
    struct PkceAppArgs<'a> {
        client_id: &'a str = "clientId",
        base_url: Option<&'a str> = "baseURL",
        www_base_url: Option<&'a str> = "wwwBaseURL",
    }
);

impl PkceAppArgs<'_> {
    fn app(&self) -> Result<PkceOAuthApp, Error> {
        PkceOAuthApp::new(PkceOAuthAppOptions {
            client_id: self.client_id.to_owned(),
            base_url: self.base_url.map(str::to_owned),
            www_base_url: self.www_base_url.map(str::to_owned),
        })
    }
}

seam_struct!(in
    /// Only the app: its options are checked.
    struct PkceCheckArgs<'a> {
        app: PkceAppArgs<'a> = "app",
    }
);

/// Checks a PKCE app's options (the constructor's errors).
#[cfg_attr(target_arch = "wasm32", wasm_bindgen(js_name = pkceCheckApp))]
pub fn pkce_check_app(args: &str, bytes: &[u8]) -> String {
    run(args, bytes, Op::PkceCheckApp)
}

fn check_app(v: &Value, _bytes: &[u8]) -> Result<String, Error> {
    read::<PkceCheckArgs>(v)?.app.app()?;
    Ok(json(&Checked))
}

seam_struct!(in
    /// `getOAuthUrl`, and with `loginNow` (Unix seconds) `startLogin`.
    struct PkceAuthorizeArgs<'a> {
        app: PkceAppArgs<'a> = "app",
        redirect_uri: &'a str = "redirectUri",
        state: Option<&'a str> = "state",
        code_challenge_method: Option<&'a str> = "codeChallengeMethod",
        workspace_id: Option<&'a str> = "workspaceId",
        /// A verifier of the caller's (RFC 7636), instead of a fresh one.
        code_verifier: Option<&'a str> = "codeVerifier",
        /// When the login starts: also answer the pending login to store.
        login_now: Option<i64> = "loginNow",
    }
);

seam_struct!(out
    /// The authorize URL, with the secrets to keep; for a login, the pending login's storage
    /// `key` and `value`.
    struct PkceAuthorizeOut<'a> {
        url: &'a str = "url",
        state: &'a str = "state",
        code_verifier: &'a str = "codeVerifier",
        code_challenge_method: &'a str = "codeChallengeMethod",
        key: Option<&'a str> = "key",
        value: Option<&'a str> = "value",
    }
);

/// The authorize URL with a fresh verifier and state drawn from `random` (48 CSPRNG bytes).
#[cfg_attr(target_arch = "wasm32", wasm_bindgen(js_name = pkceAuthorize))]
pub fn pkce_authorize(args: &str, bytes: &[u8]) -> String {
    run(args, bytes, Op::PkceAuthorize)
}

fn authorize(v: &Value, random: &[u8]) -> Result<String, Error> {
    let a = read::<PkceAuthorizeArgs>(v)?;
    let app = a.app.app()?;
    let params = AuthorizationUrlParams {
        redirect_uri: a.redirect_uri.to_owned(),
        state: a.state.map(str::to_owned),
        code_challenge_method: match a.code_challenge_method {
            Some(m) => CodeChallengeMethod::parse(m)?,
            None => CodeChallengeMethod::default(),
        },
        workspace_id: a.workspace_id.map(str::to_owned),
        code_verifier: a.code_verifier.map(str::to_owned),
    };
    let mut rng = GivenRandom(random);
    let (auth, pending) = match a.login_now {
        None => (app.authorization_url(&params, &mut rng)?, None),
        Some(now) => {
            let (auth, key, value) = app.pending_login(&params, &mut rng, now)?;
            (auth, Some((key, value)))
        }
    };
    Ok(json(&PkceAuthorizeOut {
        url: &auth.url,
        state: auth.state.secret(),
        code_verifier: auth.code_verifier.secret(),
        code_challenge_method: auth.code_challenge_method.as_str(),
        key: pending.as_ref().map(|(key, _)| key.as_str()),
        value: pending.as_ref().map(|(_, value)| value.as_str()),
    }))
}

seam_struct!(in
    /// The code exchange's values.
    struct PkceExchangeArgs<'a> {
        app: PkceAppArgs<'a> = "app",
        code: &'a str = "code",
        redirect_uri: &'a str = "redirectUri",
        code_verifier: &'a str = "codeVerifier",
    }
);

/// The code exchange request.
#[cfg_attr(target_arch = "wasm32", wasm_bindgen(js_name = pkceExchangeRequest))]
pub fn pkce_exchange_request(args: &str, bytes: &[u8]) -> String {
    run(args, bytes, Op::PkceExchangeRequest)
}

fn exchange_request(v: &Value, _bytes: &[u8]) -> Result<String, Error> {
    let a = read::<PkceExchangeArgs>(v)?;
    let request = a
        .app
        .app()?
        .exchange_request(a.code, a.redirect_uri, a.code_verifier)?;
    Ok(request_json(&request))
}

seam_struct!(in
    /// A refresh's values.
    struct PkceRefreshArgs<'a> {
        app: PkceAppArgs<'a> = "app",
        refresh_token: &'a str = "refreshToken",
    }
);

/// The refresh request.
#[cfg_attr(target_arch = "wasm32", wasm_bindgen(js_name = pkceRefreshRequest))]
pub fn pkce_refresh_request(args: &str, bytes: &[u8]) -> String {
    run(args, bytes, Op::PkceRefreshRequest)
}

fn refresh_request(v: &Value, _bytes: &[u8]) -> Result<String, Error> {
    let a = read::<PkceRefreshArgs>(v)?;
    Ok(request_json(
        &a.app.app()?.refresh_request(a.refresh_token)?,
    ))
}

seam_struct!(in
    /// The answer to a token request, with the values it sent (scrubbed from server text).
    struct ReadTokenArgs<'a> {
        response: ResponseArgs<'a> = "response",
        /// Unix seconds, for a relative `expires_in`.
        now: i64 = "now",
        secret1: Option<&'a str> = "secret1",
        secret2: Option<&'a str> = "secret2",
    }
);

seam_struct!(out
    /// A token, as the package returns it (`expires_in`: absolute Unix seconds).
    struct TokenOut<'a> {
        access_token: &'a str = "access_token",
        expires_in: i64 = "expires_in",
        refresh_token: Option<&'a str> = "refresh_token",
        token_type: Option<&'a str> = "token_type",
    }
);

impl<'a> From<&'a OAuthToken> for TokenOut<'a> {
    fn from(t: &'a OAuthToken) -> Self {
        TokenOut {
            access_token: t.access_token.secret(),
            expires_in: t.expires_in,
            refresh_token: t.refresh_token.as_ref().map(|r| r.secret()),
            token_type: t.token_type.as_deref(),
        }
    }
}

/// Reads the answer to a token request (any grant) into a token or the error it stands for.
#[cfg_attr(target_arch = "wasm32", wasm_bindgen(js_name = readTokenResponse))]
pub fn read_token_response(args: &str, bytes: &[u8]) -> String {
    run(args, bytes, Op::ReadTokenResponse)
}

fn read_token(v: &Value, body: &[u8]) -> Result<String, Error> {
    let a = read::<ReadTokenArgs>(v)?;
    let secrets = [a.secret1.unwrap_or_default(), a.secret2.unwrap_or_default()];
    let token = token::read_token_response(&a.response.with_body(body)?, a.now, &secrets)?;
    Ok(json(&TokenOut::from(&token)))
}

seam_struct!(in
    /// A callback URL.
    struct CallbackUrlArgs<'a> {
        url: &'a str = "url",
    }
);

seam_struct!(out
    /// Where the pending login of a callback is stored.
    struct PendingLoginKeyOut<'a> {
        key: &'a str = "key",
    }
);

/// The storage key of the pending login a callback URL answers.
#[cfg_attr(target_arch = "wasm32", wasm_bindgen(js_name = pendingLoginKey))]
pub fn pending_login_key(args: &str, bytes: &[u8]) -> String {
    run(args, bytes, Op::PendingLoginKey)
}

fn login_key(v: &Value, _bytes: &[u8]) -> Result<String, Error> {
    let key = pending_flow_key(read::<CallbackUrlArgs>(v)?.url)?;
    Ok(json(&PendingLoginKeyOut { key: &key }))
}

seam_struct!(in
    /// A callback URL and what was stored under its key (already removed from the store),
    /// with the app that handles it (a login another app started is refused).
    struct TakePendingLoginArgs<'a> {
        app: PkceAppArgs<'a> = "app",
        url: &'a str = "url",
        stored: Option<&'a str> = "stored",
        now: i64 = "now",
    }
);

seam_struct!(out
    /// What the code exchange of a checked callback needs.
    struct PendingLoginOut<'a> {
        code: &'a str = "code",
        redirect_uri: &'a str = "redirectUri",
        code_verifier: &'a str = "codeVerifier",
    }
);

/// Checks a callback against its pending login: the code to exchange, or why not.
#[cfg_attr(target_arch = "wasm32", wasm_bindgen(js_name = takePendingLogin))]
pub fn take_pending_login(args: &str, bytes: &[u8]) -> String {
    run(args, bytes, Op::TakePendingLogin)
}

fn take_login(v: &Value, _bytes: &[u8]) -> Result<String, Error> {
    let a = read::<TakePendingLoginArgs>(v)?;
    let (code, pending) = check_pending_flow(a.url, a.stored, a.now, &a.app.app()?)?;
    Ok(json(&PendingLoginOut {
        code: code.secret(),
        redirect_uri: &pending.redirect_uri,
        code_verifier: pending.code_verifier.secret(),
    }))
}

seam_struct!(in
    /// A pending login found in a store (under the key prefix of pending logins), and the time.
    struct PendingLoginExpiredArgs<'a> {
        stored: &'a str = "stored",
        now: i64 = "now",
    }
);

seam_struct!(out
    /// Whether the store may drop the entry: it can never be used any more.
    struct PendingLoginExpiredOut {
        expired: bool = "expired",
    }
);

/// Whether a stored pending login has expired (more than an hour old, or unreadable), so that
/// `startLogin` removes abandoned logins from the store.
#[cfg_attr(target_arch = "wasm32", wasm_bindgen(js_name = pendingLoginExpired))]
pub fn pending_login_expired(args: &str, bytes: &[u8]) -> String {
    run(args, bytes, Op::PendingLoginExpired)
}

fn login_expired(v: &Value, _bytes: &[u8]) -> Result<String, Error> {
    let a = read::<PendingLoginExpiredArgs>(v)?;
    Ok(json(&PendingLoginExpiredOut {
        expired: pending_flow_expired(a.stored, a.now),
    }))
}

/// The operations of this file, for [`run`] to dispatch in one function (which lets the
/// compiler share their common code).
#[derive(Clone, Copy)]
pub(crate) enum Op {
    PkceCheckApp,
    PkceAuthorize,
    PkceExchangeRequest,
    PkceRefreshRequest,
    ReadTokenResponse,
    PendingLoginKey,
    TakePendingLogin,
    PendingLoginExpired,
}

impl Operation for Op {
    fn call(self, args: &Value, bytes: &[u8]) -> Result<String, Error> {
        match self {
            Op::PkceCheckApp => check_app(args, bytes),
            Op::PkceAuthorize => authorize(args, bytes),
            Op::PkceExchangeRequest => exchange_request(args, bytes),
            Op::PkceRefreshRequest => refresh_request(args, bytes),
            Op::ReadTokenResponse => read_token(args, bytes),
            Op::PendingLoginKey => login_key(args, bytes),
            Op::TakePendingLogin => take_login(args, bytes),
            Op::PendingLoginExpired => login_expired(args, bytes),
        }
    }
}
