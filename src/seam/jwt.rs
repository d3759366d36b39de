//! The JWT flow's operations (Node build): the key is parsed here once and handed back as
//! PKCS#8 DER for node:crypto (or WebCrypto) to import; the assertion's signing input and the
//! token request are built here; the TypeScript signs, joins the JWT and sends. The answer is
//! read by `readTokenResponse`, with the JWT scrubbed from server text.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen::prelude::wasm_bindgen;

use super::{run, seam_struct, Arg, Checked, GivenRandom, NoArgs, RawJson, RequestOut};
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
    struct DeviceInfoArgs {
        device_id: Option<String> = "deviceId",
        custom_consumer: Option<String> = "customConsumer",
    }
);

seam_struct!(in
    /// `session_context`.
    struct SessionContextArgs {
        device_info: Option<DeviceInfoArgs> = "deviceInfo",
    }
);

seam_struct!(in
    /// The flow's options, checked by the core with every call.
    struct JwtFlowArgs {
        app_id: String = "appId",
        keyid: String = "keyid",
        base_url: Option<String> = "baseURL",
        aud: Option<String> = "aud",
        session_name: Option<String> = "sessionName",
        session_context: Option<SessionContextArgs> = "sessionContext",
    }
);

impl JwtFlowArgs {
    fn flow(self) -> Result<JwtFlow, Error> {
        JwtFlow::new(JwtFlowOptions {
            app_id: self.app_id,
            keyid: self.keyid,
            base_url: self.base_url,
            aud: self.aud,
            session_name: self.session_name,
            session_context: self.session_context.map(|c| SessionContext {
                device_info: c.device_info.map(|i| DeviceInfo {
                    device_id: i.device_id,
                    custom_consumer: i.custom_consumer,
                }),
            }),
        })
    }
}

/// A grant's lifetime in seconds: a number, whatever its form; a fraction or a number past
/// `i64` reads as 0, which the core refuses with the message that gives the range.
pub(crate) struct Seconds(i64);

impl Arg for Seconds {
    fn read(value: &Value, key: &str) -> Result<Self, Error> {
        match value {
            Value::Number(_) => Ok(Seconds(value.as_i64().unwrap_or(0))),
            _ => Err(super::argument_error(key, "must be a number")),
        }
    }
}

seam_struct!(in
    /// One grant's parameters.
    struct JwtParamsArgs {
        duration_seconds: Option<Seconds> = "durationSeconds",
        /// The scope object as JSON text.
        scope: Option<String> = "scope",
        account_id: Option<String> = "accountId",
        enterprise_id: Option<String> = "enterpriseId",
        session_name: Option<String> = "sessionName",
    }
);

impl JwtParamsArgs {
    fn params(self) -> Result<JwtTokenParams, Error> {
        Ok(JwtTokenParams {
            duration_seconds: match self.duration_seconds {
                Some(Seconds(s)) => s,
                None => JwtTokenParams::default().duration_seconds,
            },
            scope: self.scope.as_deref().map(Scope::from_json).transpose()?,
            account_id: self.account_id,
            enterprise_id: self.enterprise_id,
            session_name: self.session_name,
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
pub fn jwt_private_key(args: &[u8], pem: &[u8]) -> Vec<u8> {
    run(args, |_: NoArgs| {
        let pem = core::str::from_utf8(pem).map_err(|_| invalid_key("it is not UTF-8 text."))?;
        let key = PrivateKey::from_pem(pem)?;
        Ok(PrivateKeyOut {
            der: base64url(key.pkcs8_der()),
        })
    })
}

seam_struct!(in
    /// Only the flow: its options are checked.
    struct JwtCheckArgs {
        flow: JwtFlowArgs = "flow",
    }
);

/// Checks the flow's options (the constructor's errors).
#[cfg_attr(target_arch = "wasm32", wasm_bindgen(js_name = jwtCheckFlow))]
pub fn jwt_check_flow(args: &[u8], _bytes: &[u8]) -> Vec<u8> {
    run(args, |a: JwtCheckArgs| a.flow.flow().map(|_| Checked))
}

seam_struct!(in
    /// The flow and one grant's parameters.
    struct JwtGrantArgs {
        flow: JwtFlowArgs = "flow",
        params: JwtParamsArgs = "params",
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
pub fn jwt_plan(args: &[u8], _bytes: &[u8]) -> Vec<u8> {
    run(args, |a: JwtGrantArgs| {
        let flow = a.flow.flow()?;
        let params = a.params.params()?;
        flow.validate_params(&params)?;
        Ok(JwtPlanOut {
            cache_key: flow.cache_key(&params),
            margin_seconds: refresh_margin_seconds(params.duration_seconds),
        })
    })
}

seam_struct!(in
    /// A new assertion's flow, parameters and issue time.
    struct JwtSigningInputArgs {
        flow: JwtFlowArgs = "flow",
        params: JwtParamsArgs = "params",
        /// Unix seconds: the `iat` claim.
        now: i64 = "now",
    }
);

seam_struct!(out
    /// What the TypeScript signs: `base64url(header).base64url(claims)`.
    struct SigningInputOut {
        signing_input: String = "signingInput",
    }
);

/// The signing input of a new assertion, its `jti` from the random bytes.
#[cfg_attr(target_arch = "wasm32", wasm_bindgen(js_name = jwtSigningInput))]
pub fn jwt_signing_input(args: &[u8], random: &[u8]) -> Vec<u8> {
    run(args, |a: JwtSigningInputArgs| {
        let input = a.flow.flow()?.new_signing_input(
            &a.params.params()?,
            a.now,
            &mut GivenRandom(random),
        )?;
        Ok(SigningInputOut {
            signing_input: input,
        })
    })
}

seam_struct!(in
    /// The signed assertion and the grant it asks for.
    struct JwtTokenRequestArgs {
        flow: JwtFlowArgs = "flow",
        params: JwtParamsArgs = "params",
        jwt: String = "jwt",
    }
);

/// The token request that sends a signed assertion.
#[cfg_attr(target_arch = "wasm32", wasm_bindgen(js_name = jwtTokenRequest))]
pub fn jwt_token_request(args: &[u8], _bytes: &[u8]) -> Vec<u8> {
    run(args, |a: JwtTokenRequestArgs| {
        let params = a.params.params()?;
        a.flow
            .flow()?
            .token_request(&a.jwt, &params)
            .map(RequestOut::from)
    })
}

seam_struct!(in
    /// The bots a chat scope allows.
    struct BotChatScopeArgs {
        bot_ids: Vec<String> = "botIds",
    }
);

/// The bot-chat scope object (`Connector.botChat` on those bots).
#[cfg_attr(target_arch = "wasm32", wasm_bindgen(js_name = botChatScope))]
pub fn bot_chat_scope(args: &[u8], _bytes: &[u8]) -> Vec<u8> {
    run(args, |a: BotChatScopeArgs| {
        let ids: Vec<&str> = a.bot_ids.iter().map(String::as_str).collect();
        Ok(RawJson(Scope::bot_chat(&ids).as_json().to_owned()))
    })
}
