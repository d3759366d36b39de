//! The JWT flow's operations of the npm module (Node build only): the key is parsed here once
//! and handed back as PKCS#8 DER for node:crypto (or WebCrypto) to import; the assertion's
//! signing input and the token request are built here; JS signs, joins the JWT and sends.
//! The answer is read by the shared `TOKEN` operation, with the JWT scrubbed from server text.

use super::npm::{request_json, Args, GivenRandom};
use crate::core::encoding::base64url;
use crate::core::error::Error;
use crate::core::json::{ObjectWriter, Value};
use crate::core::jwt::{
    DeviceInfo, JwtFlow, JwtFlowOptions, JwtTokenParams, Scope, SessionContext,
};
use crate::core::key::PrivateKey;
use crate::core::pem::invalid_key;
use crate::core::token_cache::refresh_margin_seconds;
use crate::prelude::*;

/// `flow`: `{appId, keyid, baseURL?, aud?, sessionName?, sessionContext?: {deviceInfo?:
/// {deviceId?, customConsumer?}}}`, checked by the core.
pub(super) fn flow(a: &Args) -> Result<JwtFlow, Error> {
    let f = Args(a.0.get("flow").cloned().unwrap_or(Value::Null));
    let session_context =
        f.0.get("sessionContext")
            .filter(|v| v.is_object())
            .map(|c| {
                let info = c.get("deviceInfo").filter(|v| v.is_object());
                let field = |key: &str| {
                    info.and_then(|i| i.get(key))
                        .and_then(Value::as_str)
                        .map(str::to_owned)
                };
                SessionContext {
                    device_info: info.map(|_| DeviceInfo {
                        device_id: field("deviceId"),
                        custom_consumer: field("customConsumer"),
                    }),
                }
            });
    JwtFlow::new(JwtFlowOptions {
        app_id: f.text("appId").to_owned(),
        keyid: f.text("keyid").to_owned(),
        base_url: f.string("baseURL"),
        aud: f.string("aud"),
        session_name: f.string("sessionName"),
        session_context,
    })
}

/// `params`: `{durationSeconds?, scope? (JSON text), accountId?, enterpriseId?, sessionName?}`.
fn params(a: &Args) -> Result<JwtTokenParams, Error> {
    let p = Args(a.0.get("params").cloned().unwrap_or(Value::Null));
    let duration_seconds = match p.0.get("durationSeconds") {
        None | Some(Value::Null) => JwtTokenParams::default().duration_seconds,
        // A fraction or a huge number is out of range, like 0: the core's message says why.
        Some(v) => v
            .as_i64()
            .filter(|_| !matches!(v, Value::String(_)))
            .unwrap_or(0),
    };
    Ok(JwtTokenParams {
        duration_seconds,
        scope: p
            .string("scope")
            .as_deref()
            .map(Scope::from_json)
            .transpose()?,
        account_id: p.string("accountId"),
        enterprise_id: p.string("enterpriseId"),
        session_name: p.string("sessionName"),
    })
}

/// PEM text (bytes) → `{der}`: the key as PKCS#8 DER, base64url, whatever PEM it came in.
pub(super) fn private_key(pem: &[u8]) -> Result<String, Error> {
    let pem = core::str::from_utf8(pem).map_err(|_| invalid_key("it is not UTF-8 text."))?;
    let key = PrivateKey::from_pem(pem)?;
    Ok(ObjectWriter::new()
        .string("der", &base64url(key.pkcs8_der()))
        .finish())
}

/// Checks a grant's `params` and answers `{cacheKey, marginSeconds}`: tokens of one cache key
/// are interchangeable, and are replaced `marginSeconds` before they expire.
pub(super) fn plan(a: &Args) -> Result<String, Error> {
    let flow = flow(a)?;
    let params = params(a)?;
    flow.validate_params(&params)?;
    Ok(ObjectWriter::new()
        .string("cacheKey", &flow.cache_key(&params))
        .integer(
            "marginSeconds",
            refresh_margin_seconds(params.duration_seconds),
        )
        .finish())
}

/// `{signingInput}` of a new assertion issued at `now`, its `jti` from the random bytes.
pub(super) fn signing_input(a: &Args, random: &[u8]) -> Result<String, Error> {
    let input = flow(a)?.new_signing_input(&params(a)?, a.now(), &mut GivenRandom(random))?;
    Ok(ObjectWriter::new().string("signingInput", &input).finish())
}

/// `jwt` (the signed assertion, which JS assembles from the signing input and its signature)
/// → `{request}`: the token request that sends it.
pub(super) fn token_request(a: &Args) -> Result<String, Error> {
    let request = flow(a)?.token_request(a.text("jwt"), &params(a)?)?;
    Ok(ObjectWriter::new()
        .raw("request", &request_json(request)?)
        .finish())
}

/// `{botIds: string[]}` → the bot-chat scope object (`Connector.botChat` on those bots).
pub(super) fn bot_chat_scope(a: &Args) -> Result<String, Error> {
    let not_strings = || Error::invalid_argument("botIds must be an array of strings.");
    let ids = match a.0.get("botIds") {
        Some(Value::Array(items)) => items
            .iter()
            .map(Value::as_str)
            .collect::<Option<Vec<&str>>>()
            .ok_or_else(not_strings)?,
        _ => return Err(not_strings()),
    };
    Ok(Scope::bot_chat(&ids, &[]).as_json().to_owned())
}
