//! The web app's operations (Node build: the app holds a client secret), and the JSON app
//! config of the official SDKs. The exchange and refresh answers are read by
//! `readTokenResponse`, with the code or refresh token and the client secret scrubbed.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen::prelude::wasm_bindgen;

use super::{run, seam_struct, Checked, GivenRandom, NoArgs, RequestOut};
use crate::core::app_config::AppConfig;
use crate::core::error::Error;
use crate::core::secret::Secret;
use crate::core::web::{WebAuthorizationUrlParams, WebOAuthApp, WebOAuthAppOptions};
use crate::prelude::*;

seam_struct!(in
    /// A web app's options.
    struct WebAppArgs {
        client_id: String = "clientId",
        client_secret: String = "clientSecret",
        base_url: Option<String> = "baseURL",
        www_base_url: Option<String> = "wwwBaseURL",
    }
);

impl WebAppArgs {
    fn app(self) -> Result<WebOAuthApp, Error> {
        WebOAuthApp::new(WebOAuthAppOptions {
            client_id: self.client_id,
            client_secret: Secret::new(self.client_secret),
            base_url: self.base_url,
            www_base_url: self.www_base_url,
        })
    }
}

seam_struct!(in
    /// Only the app: its options are checked.
    struct WebCheckArgs {
        app: WebAppArgs = "app",
    }
);

/// Checks a web app's options (the constructor's errors).
#[cfg_attr(target_arch = "wasm32", wasm_bindgen(js_name = webCheckApp))]
pub fn web_check_app(args: &[u8], _bytes: &[u8]) -> Vec<u8> {
    run(args, |a: WebCheckArgs| a.app.app().map(|_| Checked))
}

seam_struct!(in
    /// `getOAuthUrl`'s values.
    struct WebAuthorizeArgs {
        app: WebAppArgs = "app",
        redirect_uri: String = "redirectUri",
        state: Option<String> = "state",
        workspace_id: Option<String> = "workspaceId",
    }
);

seam_struct!(out
    /// The authorize URL and the state to check the callback against.
    struct WebAuthorizeOut {
        url: String = "url",
        state: String = "state",
    }
);

/// The authorize URL, with `state` or one drawn from the random bytes.
#[cfg_attr(target_arch = "wasm32", wasm_bindgen(js_name = webAuthorize))]
pub fn web_authorize(args: &[u8], random: &[u8]) -> Vec<u8> {
    run(args, |a: WebAuthorizeArgs| {
        let params = WebAuthorizationUrlParams {
            redirect_uri: a.redirect_uri,
            state: a.state,
            workspace_id: a.workspace_id,
        };
        let auth = a
            .app
            .app()?
            .authorization_url(&params, &mut GivenRandom(random))?;
        Ok(WebAuthorizeOut {
            url: auth.url,
            state: auth.state.secret().to_owned(),
        })
    })
}

seam_struct!(in
    /// A callback URL and the state its login started with.
    struct WebCallbackArgs {
        app: WebAppArgs = "app",
        url: String = "url",
        state: String = "state",
    }
);

seam_struct!(out
    /// The code of a checked callback.
    struct WebCallbackOut {
        code: String = "code",
    }
);

/// The code of a callback whose state matches (constant time); Coze's `error=` callbacks are
/// `oauth_error`.
#[cfg_attr(target_arch = "wasm32", wasm_bindgen(js_name = webCallback))]
pub fn web_callback(args: &[u8], _bytes: &[u8]) -> Vec<u8> {
    run(args, |a: WebCallbackArgs| {
        let code = a.app.app()?.code_from_callback(&a.url, &a.state)?;
        Ok(WebCallbackOut {
            code: code.secret().to_owned(),
        })
    })
}

seam_struct!(in
    /// The code exchange's values.
    struct WebExchangeArgs {
        app: WebAppArgs = "app",
        code: String = "code",
        redirect_uri: String = "redirectUri",
    }
);

/// The code exchange request (`Authorization: Bearer <client secret>`).
#[cfg_attr(target_arch = "wasm32", wasm_bindgen(js_name = webExchangeRequest))]
pub fn web_exchange_request(args: &[u8], _bytes: &[u8]) -> Vec<u8> {
    run(args, |a: WebExchangeArgs| {
        a.app
            .app()?
            .exchange_request(&a.code, &a.redirect_uri)
            .map(RequestOut::from)
    })
}

seam_struct!(in
    /// A web app's refresh.
    struct WebRefreshArgs {
        app: WebAppArgs = "app",
        refresh_token: String = "refreshToken",
    }
);

/// The refresh request.
#[cfg_attr(target_arch = "wasm32", wasm_bindgen(js_name = webRefreshRequest))]
pub fn web_refresh_request(args: &[u8], _bytes: &[u8]) -> Vec<u8> {
    run(args, |a: WebRefreshArgs| {
        a.app
            .app()?
            .refresh_request(&a.refresh_token)
            .map(RequestOut::from)
    })
}

seam_struct!(out
    /// An app config's fields, checked by the core (no value appears in its errors).
    struct AppConfigOut {
        client_type: String = "clientType",
        client_id: String = "clientId",
        client_secret: Option<String> = "clientSecret",
        private_key: Option<String> = "privateKey",
        public_key_id: Option<String> = "publicKeyId",
        base_url: Option<String> = "baseURL",
        www_base_url: Option<String> = "wwwBaseURL",
    }
);

/// The config text (the bytes) → its fields.
#[cfg_attr(target_arch = "wasm32", wasm_bindgen(js_name = readAppConfig))]
pub fn read_app_config(args: &[u8], text: &[u8]) -> Vec<u8> {
    run(args, |_: NoArgs| {
        let text = core::str::from_utf8(text)
            .map_err(|_| Error::invalid_argument("The app config is not UTF-8 text."))?;
        let config = AppConfig::from_json(text)?;
        let mut out = AppConfigOut {
            client_type: config.client_type().to_owned(),
            client_id: config.client_id().to_owned(),
            client_secret: None,
            private_key: None,
            public_key_id: None,
            base_url: None,
            www_base_url: None,
        };
        match config {
            AppConfig::Pkce(c) | AppConfig::Device(c) => {
                out.base_url = c.base_url;
                out.www_base_url = c.www_base_url;
            }
            AppConfig::Web(c) => {
                out.client_secret = Some(c.client_secret.secret().to_owned());
                out.base_url = c.base_url;
                out.www_base_url = c.www_base_url;
            }
            AppConfig::Jwt(c) => {
                out.private_key = Some(c.private_key.secret().to_owned());
                out.public_key_id = Some(c.public_key_id);
                out.base_url = c.base_url;
            }
        }
        Ok(out)
    })
}
