//! The PKCE app's operations and the token reader: both builds.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen::prelude::wasm_bindgen;

use super::{run, seam_struct, Checked, GivenRandom, RequestOut, ResponseArgs};
use crate::core::callback::{check_pending_flow, pending_flow_key};
use crate::core::error::Error;
use crate::core::pkce::{
    AuthorizationUrlParams, CodeChallengeMethod, PkceAuthorizationUrl, PkceOAuthApp,
    PkceOAuthAppOptions,
};
use crate::core::token::{read_token_response, OAuthToken};
use crate::prelude::*;

seam_struct!(in
    /// A PKCE app's options, checked by the core with every call (the module keeps no state).
    struct PkceAppArgs {
        client_id: String = "clientId",
        base_url: Option<String> = "baseURL",
        www_base_url: Option<String> = "wwwBaseURL",
    }
);

impl PkceAppArgs {
    fn app(self) -> Result<PkceOAuthApp, Error> {
        PkceOAuthApp::new(PkceOAuthAppOptions {
            client_id: self.client_id,
            base_url: self.base_url,
            www_base_url: self.www_base_url,
        })
    }
}

seam_struct!(in
    /// Only the app: its options are checked.
    struct PkceCheckArgs {
        app: PkceAppArgs = "app",
    }
);

/// Checks a PKCE app's options (the constructor's errors).
#[cfg_attr(target_arch = "wasm32", wasm_bindgen(js_name = pkceCheckApp))]
pub fn pkce_check_app(args: &[u8], _bytes: &[u8]) -> Vec<u8> {
    run(args, |a: PkceCheckArgs| a.app.app().map(|_| Checked))
}

seam_struct!(in
    /// `getOAuthUrl`, and with `loginNow` (Unix seconds) `startLogin`.
    struct PkceAuthorizeArgs {
        app: PkceAppArgs = "app",
        redirect_uri: String = "redirectUri",
        state: Option<String> = "state",
        code_challenge_method: Option<String> = "codeChallengeMethod",
        workspace_id: Option<String> = "workspaceId",
        /// When the login starts: also answer the pending login to store.
        login_now: Option<i64> = "loginNow",
    }
);

seam_struct!(out
    /// The authorize URL, with the secrets to keep; for a login, the pending login's storage
    /// `key` and `value`.
    struct PkceAuthorizeOut {
        url: String = "url",
        state: String = "state",
        code_verifier: String = "codeVerifier",
        code_challenge_method: String = "codeChallengeMethod",
        key: Option<String> = "key",
        value: Option<String> = "value",
    }
);

impl PkceAuthorizeOut {
    fn new(auth: PkceAuthorizationUrl, pending: Option<(String, String)>) -> Self {
        let (key, value) = pending.unzip();
        PkceAuthorizeOut {
            url: auth.url,
            state: auth.state.secret().to_owned(),
            code_verifier: auth.code_verifier.secret().to_owned(),
            code_challenge_method: auth.code_challenge_method.as_str().to_owned(),
            key,
            value,
        }
    }
}

/// The authorize URL with a fresh verifier and state drawn from `random` (48 CSPRNG bytes).
#[cfg_attr(target_arch = "wasm32", wasm_bindgen(js_name = pkceAuthorize))]
pub fn pkce_authorize(args: &[u8], random: &[u8]) -> Vec<u8> {
    run(args, |a: PkceAuthorizeArgs| {
        let app = a.app.app()?;
        let params = AuthorizationUrlParams {
            redirect_uri: a.redirect_uri,
            state: a.state,
            code_challenge_method: match a.code_challenge_method.as_deref() {
                Some(m) => CodeChallengeMethod::parse(m)?,
                None => CodeChallengeMethod::default(),
            },
            workspace_id: a.workspace_id,
        };
        let mut rng = GivenRandom(random);
        match a.login_now {
            None => Ok(PkceAuthorizeOut::new(
                app.authorization_url(&params, &mut rng)?,
                None,
            )),
            Some(now) => {
                let (auth, key, value) = app.pending_login(&params, &mut rng, now)?;
                Ok(PkceAuthorizeOut::new(auth, Some((key, value))))
            }
        }
    })
}

seam_struct!(in
    /// The code exchange's values.
    struct PkceExchangeArgs {
        app: PkceAppArgs = "app",
        code: String = "code",
        redirect_uri: String = "redirectUri",
        code_verifier: String = "codeVerifier",
    }
);

/// The code exchange request.
#[cfg_attr(target_arch = "wasm32", wasm_bindgen(js_name = pkceExchangeRequest))]
pub fn pkce_exchange_request(args: &[u8], _bytes: &[u8]) -> Vec<u8> {
    run(args, |a: PkceExchangeArgs| {
        a.app
            .app()?
            .exchange_request(&a.code, &a.redirect_uri, &a.code_verifier)
            .map(RequestOut::from)
    })
}

seam_struct!(in
    /// A refresh's values (the PKCE, device and web apps alike).
    struct PkceRefreshArgs {
        app: PkceAppArgs = "app",
        refresh_token: String = "refreshToken",
    }
);

/// The refresh request.
#[cfg_attr(target_arch = "wasm32", wasm_bindgen(js_name = pkceRefreshRequest))]
pub fn pkce_refresh_request(args: &[u8], _bytes: &[u8]) -> Vec<u8> {
    run(args, |a: PkceRefreshArgs| {
        a.app
            .app()?
            .refresh_request(&a.refresh_token)
            .map(RequestOut::from)
    })
}

seam_struct!(in
    /// The answer to a token request, with the values it sent (scrubbed from server text).
    struct ReadTokenArgs {
        response: ResponseArgs = "response",
        /// Unix seconds, for a relative `expires_in`.
        now: i64 = "now",
        secret1: Option<String> = "secret1",
        secret2: Option<String> = "secret2",
    }
);

seam_struct!(out
    /// A token, as the package returns it (`expires_in`: absolute Unix seconds).
    struct TokenOut {
        access_token: String = "access_token",
        expires_in: i64 = "expires_in",
        refresh_token: Option<String> = "refresh_token",
        token_type: Option<String> = "token_type",
    }
);

impl From<OAuthToken> for TokenOut {
    fn from(t: OAuthToken) -> Self {
        TokenOut {
            access_token: t.access_token.secret().to_owned(),
            expires_in: t.expires_in,
            refresh_token: t.refresh_token.map(|r| r.secret().to_owned()),
            token_type: t.token_type,
        }
    }
}

/// Reads the answer to a token request (any grant) into a token or the error it stands for.
#[cfg_attr(target_arch = "wasm32", wasm_bindgen(js_name = readTokenResponse))]
pub fn read_token_response_op(args: &[u8], body: &[u8]) -> Vec<u8> {
    run(args, |a: ReadTokenArgs| {
        let response = a.response.with_body(body)?;
        let secrets = [
            a.secret1.as_deref().unwrap_or_default(),
            a.secret2.as_deref().unwrap_or_default(),
        ];
        read_token_response(&response, a.now, &secrets).map(TokenOut::from)
    })
}

seam_struct!(in
    /// A callback URL.
    struct CallbackUrlArgs {
        url: String = "url",
    }
);

seam_struct!(out
    /// Where the pending login of a callback is stored.
    struct PendingLoginKeyOut {
        key: String = "key",
    }
);

/// The storage key of the pending login a callback URL answers.
#[cfg_attr(target_arch = "wasm32", wasm_bindgen(js_name = pendingLoginKey))]
pub fn pending_login_key(args: &[u8], _bytes: &[u8]) -> Vec<u8> {
    run(args, |a: CallbackUrlArgs| {
        pending_flow_key(&a.url).map(|key| PendingLoginKeyOut { key })
    })
}

seam_struct!(in
    /// A callback URL and what was stored under its key (already removed from the store).
    struct TakePendingLoginArgs {
        url: String = "url",
        stored: Option<String> = "stored",
        now: i64 = "now",
    }
);

seam_struct!(out
    /// What the code exchange of a checked callback needs.
    struct PendingLoginOut {
        code: String = "code",
        redirect_uri: String = "redirectUri",
        code_verifier: String = "codeVerifier",
    }
);

/// Checks a callback against its pending login: the code to exchange, or why not.
#[cfg_attr(target_arch = "wasm32", wasm_bindgen(js_name = takePendingLogin))]
pub fn take_pending_login(args: &[u8], _bytes: &[u8]) -> Vec<u8> {
    run(args, |a: TakePendingLoginArgs| {
        check_pending_flow(&a.url, a.stored.as_deref(), a.now).map(|(code, pending)| {
            PendingLoginOut {
                code: code.secret().to_owned(),
                redirect_uri: pending.redirect_uri,
                code_verifier: pending.code_verifier.secret().to_owned(),
            }
        })
    })
}
