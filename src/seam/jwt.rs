//! The JWT flow's operations (Node build): the key is parsed here once and handed back as
//! PKCS#8 DER for node:crypto (or WebCrypto) to import; the assertion's signing input and the
//! token request are built here; the TypeScript signs, joins the JWT and sends. The answer is
//! read by `readTokenResponse`, with the JWT scrubbed from server text.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen::prelude::wasm_bindgen;

use super::{
    json, read, request_out, run, seam_struct, Arg, Args, Checked, GivenRandom, NoArgs, Operation,
    RawJson, RequestOut,
};
use crate::core::encoding::base64url;
use crate::core::error::Error;
use crate::core::json::Value;
use crate::core::jwt::{
    DeviceInfo, JwtFlow, JwtFlowOptions, JwtTokenParams, Scope, SessionContext,
};
use crate::core::key::PrivateKey;
use crate::core::pem::invalid_key;
use crate::core::token_cache::refresh_margin_seconds;
use crate::prelude::*;

seam_struct!(in
    /// `session_context.device_info`.
    struct DeviceInfoArgs<'a> {
        device_id: Option<&'a str> = "deviceId",
        custom_consumer: Option<&'a str> = "customConsumer",
    }
);

seam_struct!(in
    /// `session_context`.
    struct SessionContextArgs<'a> {
        device_info: Option<DeviceInfoArgs<'a>> = "deviceInfo",
    }
);

seam_struct!(in
    /// The flow's options, checked by the core with every call.
    struct JwtFlowArgs<'a> {
        app_id: &'a str = "appId",
        keyid: &'a str = "keyid",
        base_url: Option<&'a str> = "baseURL",
        aud: Option<&'a str> = "aud",
        session_name: Option<&'a str> = "sessionName",
        session_context: Option<SessionContextArgs<'a>> = "sessionContext",
    }
);

impl JwtFlowArgs<'_> {
    fn flow(&self) -> Result<JwtFlow, Error> {
        let owned = |s: Option<&str>| s.map(str::to_owned);
        JwtFlow::new(JwtFlowOptions {
            app_id: self.app_id.to_owned(),
            keyid: self.keyid.to_owned(),
            base_url: owned(self.base_url),
            aud: owned(self.aud),
            session_name: owned(self.session_name),
            session_context: self.session_context.as_ref().map(|c| SessionContext {
                device_info: c.device_info.as_ref().map(|i| DeviceInfo {
                    device_id: owned(i.device_id),
                    custom_consumer: owned(i.custom_consumer),
                }),
            }),
        })
    }
}

/// A grant's lifetime in seconds: a number, whatever its form; a fraction or a number past
/// `i64` reads as 0, which the core refuses with the message that gives the range.
pub(crate) struct Seconds(i64);

impl<'a> Arg<'a> for Seconds {
    fn take(args: &mut Args, value: Option<&'a Value>, key: &str) -> Self {
        match value {
            Some(v @ Value::Number(_)) => Seconds(v.as_i64().unwrap_or(0)),
            _ => {
                args.fail(key, "must be a number");
                Seconds(0)
            }
        }
    }
}

seam_struct!(in
    /// One grant's parameters.
    struct JwtParamsArgs<'a> {
        duration_seconds: Option<Seconds> = "durationSeconds",
        /// The scope object as JSON text.
        scope: Option<&'a str> = "scope",
        account_id: Option<&'a str> = "accountId",
        enterprise_id: Option<&'a str> = "enterpriseId",
        session_name: Option<&'a str> = "sessionName",
    }
);

impl JwtParamsArgs<'_> {
    fn params(&self) -> Result<JwtTokenParams, Error> {
        Ok(JwtTokenParams {
            duration_seconds: match self.duration_seconds {
                Some(Seconds(s)) => s,
                None => JwtTokenParams::default().duration_seconds,
            },
            scope: self.scope.map(Scope::from_json).transpose()?,
            account_id: self.account_id.map(str::to_owned),
            enterprise_id: self.enterprise_id.map(str::to_owned),
            session_name: self.session_name.map(str::to_owned),
        })
    }
}

seam_struct!(out
    /// The private key as PKCS#8 DER, base64url.
    struct PrivateKeyOut {
        der: String = "der",
    }
);

/// PEM text (the bytes) → the key as PKCS#8 DER, whatever PEM it came in.
#[cfg_attr(target_arch = "wasm32", wasm_bindgen(js_name = jwtPrivateKey))]
pub fn jwt_private_key(args: &str, pem: &[u8]) -> String {
    run(args, pem, Op::JwtPrivateKey)
}

fn private_key(v: &Value, pem: &[u8]) -> Result<String, Error> {
    read::<NoArgs>(v)?;
    let pem = core::str::from_utf8(pem).map_err(|_| invalid_key("it is not UTF-8 text."))?;
    let key = PrivateKey::from_pem(pem)?;
    Ok(json(&PrivateKeyOut {
        der: base64url(key.pkcs8_der()),
    }))
}

seam_struct!(in
    /// Only the flow: its options are checked.
    struct JwtCheckArgs<'a> {
        flow: JwtFlowArgs<'a> = "flow",
    }
);

/// Checks the flow's options (the constructor's errors).
#[cfg_attr(target_arch = "wasm32", wasm_bindgen(js_name = jwtCheckFlow))]
pub fn jwt_check_flow(args: &str, bytes: &[u8]) -> String {
    run(args, bytes, Op::JwtCheckFlow)
}

fn check_flow(v: &Value) -> Result<String, Error> {
    read::<JwtCheckArgs>(v)?.flow.flow()?;
    Ok(json(&Checked))
}

seam_struct!(in
    /// The flow and one grant's parameters.
    struct JwtGrantArgs<'a> {
        flow: JwtFlowArgs<'a> = "flow",
        params: JwtParamsArgs<'a> = "params",
    }
);

seam_struct!(out
    /// Tokens of one cache key are interchangeable, and are replaced `marginSeconds` before
    /// they expire.
    struct JwtPlanOut {
        cache_key: String = "cacheKey",
        margin_seconds: i64 = "marginSeconds",
    }
);

/// Checks a grant's parameters and answers how its token is cached.
#[cfg_attr(target_arch = "wasm32", wasm_bindgen(js_name = jwtPlan))]
pub fn jwt_plan(args: &str, bytes: &[u8]) -> String {
    run(args, bytes, Op::JwtPlan)
}

fn plan(v: &Value) -> Result<String, Error> {
    let a = read::<JwtGrantArgs>(v)?;
    let flow = a.flow.flow()?;
    let params = a.params.params()?;
    flow.validate_params(&params)?;
    Ok(json(&JwtPlanOut {
        cache_key: flow.cache_key(&params),
        margin_seconds: refresh_margin_seconds(params.duration_seconds),
    }))
}

seam_struct!(in
    /// A new assertion's flow, parameters and issue time.
    struct JwtAssertionArgs<'a> {
        flow: JwtFlowArgs<'a> = "flow",
        params: JwtParamsArgs<'a> = "params",
        /// Unix seconds: the `iat` claim.
        now: i64 = "now",
    }
);

seam_struct!(out
    /// A new assertion: what the TypeScript signs, and the token request that sends it, built
    /// for the signing input, so its `authorization` header is `Bearer <signingInput>`: the
    /// TypeScript appends `.` and the signature (base64url), which makes it `Bearer <jwt>`.
    /// One call per mint, not one before signing and one after.
    struct JwtAssertionOut<'a> {
        signing_input: &'a str = "signingInput",
        request: RequestOut<'a> = "request",
    }
);

/// A new assertion's signing input (its `jti` from the random bytes) and its token request.
#[cfg_attr(target_arch = "wasm32", wasm_bindgen(js_name = jwtAssertion))]
pub fn jwt_assertion(args: &str, random: &[u8]) -> String {
    run(args, random, Op::JwtAssertion)
}

fn assertion(v: &Value, random: &[u8]) -> Result<String, Error> {
    let a = read::<JwtAssertionArgs>(v)?;
    let flow = a.flow.flow()?;
    let params = a.params.params()?;
    let signing_input = flow.new_signing_input(&params, a.now, &mut GivenRandom(random))?;
    let request = flow.token_request(&signing_input, &params)?;
    Ok(json(&JwtAssertionOut {
        signing_input: &signing_input,
        request: request_out(&request),
    }))
}

seam_struct!(in
    /// The bots a chat scope allows, and what it allows on them (default `Connector.botChat`).
    struct BotChatScopeArgs<'a> {
        bot_ids: Vec<&'a str> = "botIds",
        permissions: Option<Vec<&'a str>> = "permissions",
    }
);

/// The bot-chat scope object (`Connector.botChat` on those bots).
#[cfg_attr(target_arch = "wasm32", wasm_bindgen(js_name = botChatScope))]
pub fn bot_chat_scope(args: &str, bytes: &[u8]) -> String {
    run(args, bytes, Op::BotChatScope)
}

fn chat_scope(v: &Value) -> Result<String, Error> {
    let a = read::<BotChatScopeArgs>(v)?;
    let permissions = a.permissions.unwrap_or_default();
    Ok(json(&RawJson(
        Scope::bot_chat(&a.bot_ids, &permissions).as_json(),
    )))
}

/// The operations of this file, for [`run`] to dispatch in one function.
#[derive(Clone, Copy)]
pub(crate) enum Op {
    JwtPrivateKey,
    JwtCheckFlow,
    JwtPlan,
    JwtAssertion,
    BotChatScope,
}

impl Operation for Op {
    fn call(self, args: &Value, bytes: &[u8]) -> Result<String, Error> {
        match self {
            Op::JwtPrivateKey => private_key(args, bytes),
            Op::JwtCheckFlow => check_flow(args),
            Op::JwtPlan => plan(args),
            Op::JwtAssertion => assertion(args, bytes),
            Op::BotChatScope => chat_scope(args),
        }
    }
}
