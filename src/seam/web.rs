//! The web app's operations (Node build: the app holds a client secret), and the JSON app
//! config of the official SDKs. The exchange and refresh answers are read by
//! `readTokenResponse`, with the code or refresh token and the client secret scrubbed.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen::prelude::wasm_bindgen;

use super::{json, read, request_json, run, seam_struct, Checked, GivenRandom, NoArgs, Operation};
use crate::core::app_config::AppConfig;
use crate::core::error::Error;
use crate::core::json::Value;
use crate::core::secret::Secret;
use crate::core::web::{WebAuthorizationUrlParams, WebOAuthApp, WebOAuthAppOptions};
use crate::prelude::*;

seam_struct!(in
    /// A web app's options.
    struct WebAppArgs<'a> {
        client_id: &'a str = "clientId",
        client_secret: &'a str = "clientSecret",
        base_url: Option<&'a str> = "baseURL",
        www_base_url: Option<&'a str> = "wwwBaseURL",
    }
);

impl WebAppArgs<'_> {
    fn app(&self) -> Result<WebOAuthApp, Error> {
        WebOAuthApp::new(WebOAuthAppOptions {
            client_id: self.client_id.to_owned(),
            client_secret: Secret::new(self.client_secret),
            base_url: self.base_url.map(str::to_owned),
            www_base_url: self.www_base_url.map(str::to_owned),
        })
    }
}

seam_struct!(in
    /// Only the app: its options are checked.
    struct WebCheckArgs<'a> {
        app: WebAppArgs<'a> = "app",
    }
);

/// Checks a web app's options (the constructor's errors).
#[cfg_attr(target_arch = "wasm32", wasm_bindgen(js_name = webCheckApp))]
pub fn web_check_app(args: &str, bytes: &[u8]) -> String {
    run(args, bytes, Op::WebCheckApp)
}

fn check_app(v: &Value) -> Result<String, Error> {
    read::<WebCheckArgs>(v)?.app.app()?;
    Ok(json(&Checked))
}

seam_struct!(in
    /// `getOAuthUrl`'s values.
    struct WebAuthorizeArgs<'a> {
        app: WebAppArgs<'a> = "app",
        redirect_uri: &'a str = "redirectUri",
        state: Option<&'a str> = "state",
        workspace_id: Option<&'a str> = "workspaceId",
    }
);

seam_struct!(out
    /// The authorize URL and the state to check the callback against.
    struct WebAuthorizeOut<'a> {
        url: &'a str = "url",
        state: &'a str = "state",
    }
);

/// The authorize URL, with `state` or one drawn from the random bytes.
#[cfg_attr(target_arch = "wasm32", wasm_bindgen(js_name = webAuthorize))]
pub fn web_authorize(args: &str, random: &[u8]) -> String {
    run(args, random, Op::WebAuthorize)
}

fn authorize(v: &Value, random: &[u8]) -> Result<String, Error> {
    let a = read::<WebAuthorizeArgs>(v)?;
    let params = WebAuthorizationUrlParams {
        redirect_uri: a.redirect_uri.to_owned(),
        state: a.state.map(str::to_owned),
        workspace_id: a.workspace_id.map(str::to_owned),
    };
    let auth = a
        .app
        .app()?
        .authorization_url(&params, &mut GivenRandom(random))?;
    Ok(json(&WebAuthorizeOut {
        url: &auth.url,
        state: auth.state.secret(),
    }))
}

seam_struct!(in
    /// A callback URL and the state its login started with.
    struct WebCallbackArgs<'a> {
        app: WebAppArgs<'a> = "app",
        url: &'a str = "url",
        state: &'a str = "state",
    }
);

seam_struct!(out
    /// The code of a checked callback.
    struct WebCallbackOut<'a> {
        code: &'a str = "code",
    }
);

/// The code of a callback whose state matches (constant time); Coze's `error=` callbacks are
/// `oauth_error`.
#[cfg_attr(target_arch = "wasm32", wasm_bindgen(js_name = webCallback))]
pub fn web_callback(args: &str, bytes: &[u8]) -> String {
    run(args, bytes, Op::WebCallback)
}

fn callback(v: &Value) -> Result<String, Error> {
    let a = read::<WebCallbackArgs>(v)?;
    let code = a.app.app()?.code_from_callback(a.url, a.state)?;
    Ok(json(&WebCallbackOut {
        code: code.secret(),
    }))
}

seam_struct!(in
    /// The code exchange's values.
    struct WebExchangeArgs<'a> {
        app: WebAppArgs<'a> = "app",
        code: &'a str = "code",
        redirect_uri: &'a str = "redirectUri",
    }
);

/// The code exchange request (`Authorization: Bearer <client secret>`).
#[cfg_attr(target_arch = "wasm32", wasm_bindgen(js_name = webExchangeRequest))]
pub fn web_exchange_request(args: &str, bytes: &[u8]) -> String {
    run(args, bytes, Op::WebExchangeRequest)
}

fn exchange_request(v: &Value) -> Result<String, Error> {
    let a = read::<WebExchangeArgs>(v)?;
    Ok(request_json(
        &a.app.app()?.exchange_request(a.code, a.redirect_uri)?,
    ))
}

seam_struct!(in
    /// A web app's refresh.
    struct WebRefreshArgs<'a> {
        app: WebAppArgs<'a> = "app",
        refresh_token: &'a str = "refreshToken",
    }
);

/// The refresh request.
#[cfg_attr(target_arch = "wasm32", wasm_bindgen(js_name = webRefreshRequest))]
pub fn web_refresh_request(args: &str, bytes: &[u8]) -> String {
    run(args, bytes, Op::WebRefreshRequest)
}

fn refresh_request(v: &Value) -> Result<String, Error> {
    let a = read::<WebRefreshArgs>(v)?;
    Ok(request_json(
        &a.app.app()?.refresh_request(a.refresh_token)?,
    ))
}

seam_struct!(out
    /// An app config's fields, checked by the core (no value appears in its errors).
    struct AppConfigOut<'a> {
        client_type: &'a str = "clientType",
        client_id: &'a str = "clientId",
        client_secret: Option<&'a str> = "clientSecret",
        private_key: Option<&'a str> = "privateKey",
        public_key_id: Option<&'a str> = "publicKeyId",
        base_url: Option<&'a str> = "baseURL",
        www_base_url: Option<&'a str> = "wwwBaseURL",
    }
);

/// The config text (the bytes) → its fields.
#[cfg_attr(target_arch = "wasm32", wasm_bindgen(js_name = readAppConfig))]
pub fn read_app_config(args: &str, text: &[u8]) -> String {
    run(args, text, Op::ReadAppConfig)
}

fn app_config(v: &Value, text: &[u8]) -> Result<String, Error> {
    read::<NoArgs>(v)?;
    let text = core::str::from_utf8(text)
        .map_err(|_| Error::invalid_argument("The app config is not UTF-8 text."))?;
    let config = AppConfig::from_json(text)?;
    let mut out = AppConfigOut {
        client_type: config.client_type(),
        client_id: config.client_id(),
        client_secret: None,
        private_key: None,
        public_key_id: None,
        base_url: None,
        www_base_url: None,
    };
    match &config {
        AppConfig::Pkce(c) | AppConfig::Device(c) => {
            out.base_url = c.base_url.as_deref();
            out.www_base_url = c.www_base_url.as_deref();
        }
        AppConfig::Web(c) => {
            out.client_secret = Some(c.client_secret.secret());
            out.base_url = c.base_url.as_deref();
            out.www_base_url = c.www_base_url.as_deref();
        }
        AppConfig::Jwt(c) => {
            out.private_key = Some(c.private_key.secret());
            out.public_key_id = Some(&c.public_key_id);
            out.base_url = c.base_url.as_deref();
        }
    }
    Ok(json(&out))
}

/// The operations of this file, for [`run`] to dispatch in one function.
#[derive(Clone, Copy)]
pub(crate) enum Op {
    WebCheckApp,
    WebAuthorize,
    WebCallback,
    WebExchangeRequest,
    WebRefreshRequest,
    ReadAppConfig,
}

impl Operation for Op {
    fn call(self, args: &Value, bytes: &[u8]) -> Result<String, Error> {
        match self {
            Op::WebCheckApp => check_app(args),
            Op::WebAuthorize => authorize(args, bytes),
            Op::WebCallback => callback(args),
            Op::WebExchangeRequest => exchange_request(args),
            Op::WebRefreshRequest => refresh_request(args),
            Op::ReadAppConfig => app_config(args, bytes),
        }
    }
}
