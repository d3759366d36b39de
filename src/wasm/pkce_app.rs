//! `PKCEOAuthApp` for JavaScript.

use js_sys::{Function, Object, Promise};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;

use super::error::{js_err, to_js_error};
use super::fetch::FetchTransport;
use super::js::{
    expect_object, get, optional_function, optional_millis, optional_signal, optional_string,
    required_string, set, token_to_js,
};
use super::storage::JsStore;
use crate::core::error::Error;
use crate::core::pkce::{
    AuthorizationUrlParams, CodeChallengeMethod, PkceAuthorizationUrl, PkceOAuthApp,
    PkceOAuthAppOptions,
};
use crate::core::token::OAuthToken;
use crate::platform::{now_unix_seconds, SystemRandom};

/// A PKCE OAuth app (see the package's `index.d.ts` for the documented JS API).
#[wasm_bindgen(js_name = PKCEOAuthApp)]
pub struct WasmPkceOAuthApp {
    app: PkceOAuthApp,
    transport: FetchTransport,
}

fn url_params(params: &JsValue) -> Result<AuthorizationUrlParams, Error> {
    expect_object(params, "params", false)?;
    Ok(AuthorizationUrlParams {
        redirect_uri: required_string(params, "redirectUri")?,
        state: optional_string(params, "state")?,
        code_challenge_method: match optional_string(params, "codeChallengeMethod")? {
            Some(m) => CodeChallengeMethod::parse(&m)?,
            None => CodeChallengeMethod::default(),
        },
        workspace_id: optional_string(params, "workspaceId")?,
        code_verifier: None,
    })
}

fn url_result(auth: &PkceAuthorizationUrl) -> JsValue {
    let out = Object::new();
    set(&out, "url", &JsValue::from_str(&auth.url));
    set(&out, "state", &JsValue::from_str(auth.state.secret()));
    set(
        &out,
        "codeVerifier",
        &JsValue::from_str(auth.code_verifier.secret()),
    );
    set(
        &out,
        "codeChallengeMethod",
        &JsValue::from_str(auth.code_challenge_method.as_str()),
    );
    out.into()
}

fn settle(result: Result<JsValue, Error>) -> Promise {
    match result {
        Ok(v) => Promise::resolve(&v),
        Err(e) => Promise::reject(&js_err(e)),
    }
}

/// Runs a token request and maps its outcome to JS.
fn token_promise<F>(transport: FetchTransport, work: F) -> Promise
where
    F: core::future::Future<Output = Result<OAuthToken, Error>> + 'static,
{
    future_to_promise(async move {
        work.await
            .map(|t| token_to_js(&t))
            .map_err(|e| to_js_error(&e, transport.take_cause()))
    })
}

#[wasm_bindgen(js_class = PKCEOAuthApp)]
impl WasmPkceOAuthApp {
    /// `new PKCEOAuthApp({ clientId, baseURL?, wwwBaseURL?, fetch?, timeoutMs? })`.
    #[wasm_bindgen(constructor)]
    pub fn new(options: JsValue) -> Result<WasmPkceOAuthApp, JsValue> {
        let build = || -> Result<WasmPkceOAuthApp, Error> {
            expect_object(&options, "options", false)?;
            let app = PkceOAuthApp::new(PkceOAuthAppOptions {
                client_id: required_string(&options, "clientId")?,
                base_url: optional_string(&options, "baseURL")?,
                www_base_url: optional_string(&options, "wwwBaseURL")?,
            })?;
            let transport = FetchTransport::new(
                optional_function(&options, "fetch")?,
                optional_millis(&options, "timeoutMs")?,
                None,
            );
            Ok(WasmPkceOAuthApp { app, transport })
        };
        build().map_err(js_err)
    }

    /// `getOAuthUrl({ redirectUri, state?, codeChallengeMethod?, workspaceId? })`.
    #[wasm_bindgen(js_name = getOAuthUrl)]
    pub fn get_oauth_url(&self, params: JsValue) -> Promise {
        settle(url_params(&params).and_then(|p| {
            self.app
                .authorization_url(&p, &mut SystemRandom)
                .map(|auth| url_result(&auth))
        }))
    }

    /// `getAccessToken({ code, redirectUri, codeVerifier, signal? })`.
    #[wasm_bindgen(js_name = getAccessToken)]
    pub fn get_access_token(&self, params: JsValue) -> Promise {
        let parsed = (|| -> Result<_, Error> {
            expect_object(&params, "params", false)?;
            Ok((
                required_string(&params, "code")?,
                required_string(&params, "redirectUri")?,
                required_string(&params, "codeVerifier")?,
                optional_signal(&params)?,
            ))
        })();
        let (code, redirect_uri, verifier, signal) = match parsed {
            Ok(p) => p,
            Err(e) => return settle(Err(e)),
        };
        let app = self.app.clone();
        let transport = self.transport.with_signal(signal);
        let t = transport.clone();
        token_promise(transport, async move {
            app.exchange_code(&t, &code, &redirect_uri, &verifier).await
        })
    }

    /// `refreshAccessToken(refreshToken, { signal? })`.
    #[wasm_bindgen(js_name = refreshAccessToken)]
    pub fn refresh_access_token(&self, refresh_token: JsValue, options: JsValue) -> Promise {
        let parsed = (|| -> Result<_, Error> {
            expect_object(&options, "options", true)?;
            let token = refresh_token
                .as_string()
                .ok_or_else(|| Error::invalid_argument("refreshToken must be a string."))?;
            Ok((token, optional_signal(&options)?))
        })();
        let (refresh_token, signal) = match parsed {
            Ok(p) => p,
            Err(e) => return settle(Err(e)),
        };
        let app = self.app.clone();
        let transport = self.transport.with_signal(signal);
        let t = transport.clone();
        token_promise(transport, async move {
            app.refresh_token(&t, &refresh_token).await
        })
    }

    /// `startLogin({ redirectUri, …, storage?, navigate? })`: stores the pending login, then navigates.
    #[wasm_bindgen(js_name = startLogin)]
    pub fn start_login(&self, params: JsValue) -> Promise {
        let run = || -> Result<JsValue, JsValue> {
            let p = url_params(&params).map_err(js_err)?;
            let navigate = optional_function(&params, "navigate").map_err(js_err)?;
            let store = JsStore::from_options(&params).map_err(js_err)?;
            let auth = self
                .app
                .start_login(&p, &store, &mut SystemRandom, now_unix_seconds())
                .map_err(js_err)?;
            let url = JsValue::from_str(&auth.url);
            match navigate {
                Some(f) => f.call1(&JsValue::UNDEFINED, &url)?,
                None => {
                    let location = get(&js_sys::global(), "location");
                    let assign: Function = get(&location, "assign").dyn_into().map_err(|_| {
                        js_err(Error::invalid_argument(
                            "There is no location to navigate (not a browser page): pass `navigate`.",
                        ))
                    })?;
                    assign.call1(&location, &url)?
                }
            };
            let out = Object::new();
            set(&out, "url", &url);
            set(&out, "state", &JsValue::from_str(auth.state.secret()));
            Ok(out.into())
        };
        match run() {
            Ok(v) => Promise::resolve(&v),
            Err(e) => Promise::reject(&e),
        }
    }

    /// `handleCallback(url, { storage?, signal? })`: completes a login started by `startLogin`.
    #[wasm_bindgen(js_name = handleCallback)]
    pub fn handle_callback(&self, url: JsValue, options: JsValue) -> Promise {
        let parsed = (|| -> Result<_, Error> {
            expect_object(&options, "options", true)?;
            let url = url.as_string().ok_or_else(|| {
                Error::invalid_argument(
                    "handleCallback needs the callback URL (location.href) as a string.",
                )
            })?;
            Ok((
                url,
                JsStore::from_options(&options)?,
                optional_signal(&options)?,
            ))
        })();
        let (url, store, signal) = match parsed {
            Ok(p) => p,
            Err(e) => return settle(Err(e)),
        };
        let app = self.app.clone();
        let transport = self.transport.with_signal(signal);
        let t = transport.clone();
        token_promise(transport, async move {
            app.handle_callback(&t, &url, &store).await
        })
    }
}
