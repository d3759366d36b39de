//! The web app's operations of the npm module (Node build only: the app holds a client secret),
//! and the JSON app config of protocol §9. The exchange and refresh answers are read by the
//! shared `TOKEN` operation, with the code or refresh token and the client secret scrubbed.

use super::npm::{Args, GivenRandom};
use crate::core::app_config::AppConfig;
use crate::core::error::Error;
use crate::core::json::ObjectWriter;
use crate::core::secret::Secret;
use crate::core::web::{WebAuthorizationUrlParams, WebOAuthApp, WebOAuthAppOptions};
use crate::prelude::*;

/// The app of `clientId`, `clientSecret`, `baseURL` and `wwwBaseURL`.
pub(super) fn app(a: &Args) -> Result<WebOAuthApp, Error> {
    WebOAuthApp::new(WebOAuthAppOptions {
        client_id: a.text("clientId").to_owned(),
        client_secret: Secret::new(a.text("clientSecret")),
        base_url: a.string("baseURL"),
        www_base_url: a.string("wwwBaseURL"),
    })
}

/// `{url, state}`: the authorize URL for `redirectUri`, with `state` or one drawn from the
/// random bytes, and `workspaceId`.
pub(super) fn authorize(a: &Args, random: &[u8]) -> Result<String, Error> {
    let params = WebAuthorizationUrlParams {
        redirect_uri: a.text("redirectUri").to_owned(),
        state: a.string("state"),
        workspace_id: a.string("workspaceId"),
    };
    let auth = app(a)?.authorization_url(&params, &mut GivenRandom(random))?;
    Ok(ObjectWriter::new()
        .string("url", &auth.url)
        .string("state", auth.state.secret())
        .finish())
}

/// `{code}` of the callback `url` whose state matches `state` (constant time); Coze's `error=`
/// callbacks are `oauth_error`.
pub(super) fn callback(a: &Args) -> Result<String, Error> {
    let code = app(a)?.code_from_callback(a.text("url"), a.text("state"))?;
    Ok(ObjectWriter::new().string("code", code.secret()).finish())
}

/// The config text (bytes) → `{clientType, clientId, clientSecret?, privateKey?, publicKeyId?,
/// baseURL?, wwwBaseURL?}`, checked by the core (no value appears in its errors).
pub(super) fn app_config(text: &[u8]) -> Result<String, Error> {
    let text = core::str::from_utf8(text)
        .map_err(|_| Error::invalid_argument("The app config is not UTF-8 text."))?;
    let config = AppConfig::from_json(text)?;
    let w = ObjectWriter::new()
        .string("clientType", config.client_type())
        .string("clientId", config.client_id());
    let w = match &config {
        AppConfig::Pkce(c) | AppConfig::Device(c) => w
            .optional_string("baseURL", c.base_url.as_deref())
            .optional_string("wwwBaseURL", c.www_base_url.as_deref()),
        AppConfig::Web(c) => w
            .string("clientSecret", c.client_secret.secret())
            .optional_string("baseURL", c.base_url.as_deref())
            .optional_string("wwwBaseURL", c.www_base_url.as_deref()),
        AppConfig::Jwt(c) => w
            .string("privateKey", c.private_key.secret())
            .string("publicKeyId", &c.public_key_id)
            .optional_string("baseURL", c.base_url.as_deref()),
    };
    Ok(w.finish())
}
