//! The JWT grant of Coze's service apps (protocol file §4.4, §6): the assertion's header and
//! claims, its signing input, the token request, and the whole grant through a [`Transport`] and
//! a [`Signer`].
//!
//! Signing is a seam: in Node the JS layer signs [`JwtFlow::signing_input`] with WebCrypto and
//! hands the signature back to [`assemble_jwt`]; in native Rust [`RsaSigner`] (feature `jwt`)
//! signs with the `rsa` crate. RS256 is deterministic, so both give the same bytes.
//!
//! A service token, with the fixture key of this crate's tests and a stand-in for the HTTP
//! client that checks the grant and answers a token. In an app, the key comes from the
//! environment or a file, and the transport is a real client (see `examples/device_login.rs`).
//!
//! ```
//! # #[cfg(all(feature = "jwt", not(target_arch = "wasm32")))]
//! # fn main() -> Result<(), coze_auth::Error> {
//! use std::cell::Cell;
//! use coze_auth::{
//!     Error, HttpRequest, HttpResponse, JwtFlow, JwtFlowOptions, JwtTokenParams, JwtTokenSource,
//!     RsaSigner, Scope, SystemClock, SystemRandom, Transport,
//! };
//!
//! /// Counts the grants and answers each with a token.
//! struct StandIn { grants: Cell<u32> }
//! impl Transport for StandIn {
//!     async fn send(&self, request: HttpRequest) -> Result<HttpResponse, Error> {
//!         self.grants.set(self.grants.get() + 1);
//!         let (_, authorization) = request.headers.iter().find(|(name, _)| name == "authorization").unwrap();
//!         assert!(authorization.starts_with("Bearer eyJ")); // the signed assertion
//!         assert!(request.body.contains(r#""grant_type":"urn:ietf:params:oauth:grant-type:jwt-bearer""#));
//!         let body = r#"{"access_token":"czs_service","expires_in":1893456000,"token_type":"Bearer"}"#;
//!         Ok(HttpResponse { status: 200, headers: vec![], body: body.into() })
//!     }
//! }
//!
//! let flow = JwtFlow::new(JwtFlowOptions {
//!     app_id: "1234567890".into(),       // the console's app ID: `iss`
//!     keyid: "my-public-key-id".into(),  // the public key's id: `kid`
//!     base_url: Some(coze_auth::COZE_COM_BASE_URL.into()),
//!     ..Default::default()
//! })?;
//! // PKCS#8 or PKCS#1 PEM, parsed once; env vars with literal `\n` escapes are fine, e.g.
//! // RsaSigner::from_pem(&std::env::var("COZE_JWT_OAUTH_PRIVATE_KEY").unwrap_or_default())?
//! let pem = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/jwt-key-pkcs8.pem"));
//! let signer = RsaSigner::from_pem(pem)?;
//! let source = JwtTokenSource::new(flow, StandIn { grants: Cell::new(0) }, signer, SystemClock, SystemRandom);
//! let params = JwtTokenParams { scope: Some(Scope::bot_chat(&["7400000000000000001"], &[])), ..Default::default() };
//! futures_executor::block_on(async {
//!     let token = source.access_token(&params).await?;
//!     assert_eq!(token.access_token.secret(), "czs_service");
//!     // Cached until shortly before it expires; concurrent callers share one grant.
//!     let again = source.access_token(&params).await?;
//!     assert_eq!((again.access_token, source.transport().grants.get()), (token.access_token, 1));
//!     Ok(())
//! })
//! # }
//! # #[cfg(not(all(feature = "jwt", not(target_arch = "wasm32"))))]
//! # fn main() {}
//! ```

use core::cell::RefCell;
use core::future::Future;

use super::clock::Clock;
use super::config::{
    api_base_url, ACCOUNT_TOKEN_PATH_PREFIX, BOT_CHAT_PERMISSION, DEFAULT_JWT_DURATION_SECONDS,
    ENTERPRISE_TOKEN_PATH_PREFIX, GRANT_JWT_BEARER, JWT_ALGORITHM, JWT_ASSERTION_LIFETIME_SECONDS,
    MAX_JWT_DURATION_SECONDS, TOKEN_PATH, TOKEN_PATH_SUFFIX,
};
use super::encoding::{base64url, base64url_into, path_segment_encode_into};
use super::error::Error;
use super::http::{HttpRequest, HttpResponse};
use super::json::{self, write_string, ObjectWriter};
use super::random::RandomSource;
use super::text::{blank, cat, has_control, split_once};
use super::token::{read_token_response, OAuthToken};
use super::token_cache::TokenCache;
use crate::prelude::*;
use crate::transport::Transport;

/// CSPRNG bytes in a `jti`: 128 bits.
const JTI_BYTES: usize = 16;

/// Signs a JWT signing input with RS256 (RSASSA-PKCS1-v1_5 over SHA-256) and returns the raw
/// signature (as many bytes as the modulus).
pub trait Signer {
    /// Signs `signing_input` (the ASCII `base64url(header).base64url(claims)`).
    fn sign(&self, signing_input: &[u8]) -> impl Future<Output = Result<Vec<u8>, Error>>;
}

impl<S: Signer> Signer for &S {
    fn sign(&self, signing_input: &[u8]) -> impl Future<Output = Result<Vec<u8>, Error>> {
        (**self).sign(signing_input)
    }
}

/// The `device_info` of a [`SessionContext`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DeviceInfo {
    /// `device_id`.
    pub device_id: Option<String>,
    /// `custom_consumer`.
    pub custom_consumer: Option<String>,
}

/// The optional `session_context` claim (go and java SDKs): `{device_info: {device_id,
/// custom_consumer}}`; absent fields are left out.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SessionContext {
    /// `device_info`.
    pub device_info: Option<DeviceInfo>,
}

impl SessionContext {
    /// The claim's JSON object.
    pub fn to_json(&self) -> String {
        let mut writer = ObjectWriter::new();
        if let Some(info) = &self.device_info {
            let device = ObjectWriter::new()
                .optional_string("device_id", info.device_id.as_deref())
                .optional_string("custom_consumer", info.custom_consumer.as_deref())
                .finish();
            writer = writer.raw("device_info", &device);
        }
        writer.finish()
    }
}

/// The `scope` of a JWT grant (§6.4): a JSON object, kept as its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scope {
    json: String,
}

/// A JSON array of strings.
fn string_array(items: &[&str]) -> String {
    let mut out = String::from("[");
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        write_string(&mut out, item);
    }
    out.push(']');
    out
}

impl Scope {
    /// A scope given as JSON text (for example from JS); it must be a JSON object.
    pub fn from_json(json_text: &str) -> Result<Self, Error> {
        let text = json_text.trim();
        if json::parse(text.as_bytes()).is_err() || !text.starts_with('{') {
            return Err(Error::invalid_argument(
                "scope must be a JSON object such as {\"account_permission\":{\"permission_list\":[\"Connector.botChat\"]}}.",
            ));
        }
        Ok(Scope {
            json: text.to_owned(),
        })
    }

    /// `{account_permission: {permission_list}, attribute_constraint:
    /// {connector_bot_chat_attribute: {bot_id_list}}}`; `attribute_constraint` is left out when
    /// `bot_ids` is empty, as py and go do.
    pub fn with_permissions(permissions: &[&str], bot_ids: &[&str]) -> Self {
        let account = ObjectWriter::new()
            .raw("permission_list", &string_array(permissions))
            .finish();
        let mut writer = ObjectWriter::new().raw("account_permission", &account);
        if !bot_ids.is_empty() {
            let bots = ObjectWriter::new()
                .raw("bot_id_list", &string_array(bot_ids))
                .finish();
            let constraint = ObjectWriter::new()
                .raw("connector_bot_chat_attribute", &bots)
                .finish();
            writer = writer.raw("attribute_constraint", &constraint);
        }
        Scope {
            json: writer.finish(),
        }
    }

    /// The "channel" scope: `permissions` (`Connector.botChat` when empty), limited to
    /// `bot_ids` (all bots when empty), as py's `Scope.build_bot_chat(bot_id_list,
    /// permission_list)` and go's `BuildBotChat(botIDList, permissionList)` build it.
    pub fn bot_chat(bot_ids: &[&str], permissions: &[&str]) -> Self {
        if permissions.is_empty() {
            Self::with_permissions(&[BOT_CHAT_PERMISSION], bot_ids)
        } else {
            Self::with_permissions(permissions, bot_ids)
        }
    }

    /// The JSON text sent as `scope`.
    pub fn as_json(&self) -> &str {
        &self.json
    }
}

/// How to build a [`JwtFlow`].
#[derive(Debug, Clone, Default)]
pub struct JwtFlowOptions {
    /// The OAuth app's id (the console's "app ID"): the `iss` claim. Required.
    pub app_id: String,
    /// The public key's id (fingerprint) shown in the console: the header's `kid`. Required.
    pub keyid: String,
    /// API base URL; default [`COZE_CN_BASE_URL`](crate::COZE_CN_BASE_URL).
    pub base_url: Option<String>,
    /// The `aud` claim; default the host (and port) of `base_url`, e.g. `api.coze.cn`.
    pub aud: Option<String>,
    /// The `session_name` claim, isolating sub-resources per end user; a request may override it.
    pub session_name: Option<String>,
    /// The `session_context` claim.
    pub session_context: Option<SessionContext>,
}

/// Parameters of one JWT grant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JwtTokenParams {
    /// The token's lifetime, 1 to 86399 seconds; default 900.
    pub duration_seconds: i64,
    /// Limits the token (§6.4).
    pub scope: Option<Scope>,
    /// Mint for this account (E6, `/api/permission/oauth2/account/{id}/token`).
    pub account_id: Option<String>,
    /// Mint for this enterprise (E7, `/api/permission/oauth2/enterprise_id/{id}/token`).
    pub enterprise_id: Option<String>,
    /// Overrides the flow's `session_name` claim for this grant.
    pub session_name: Option<String>,
}

impl Default for JwtTokenParams {
    fn default() -> Self {
        JwtTokenParams {
            duration_seconds: DEFAULT_JWT_DURATION_SECONDS,
            scope: None,
            account_id: None,
            enterprise_id: None,
            session_name: None,
        }
    }
}

fn check_text(value: &str, name: &str, hint: &str) -> Result<(), Error> {
    if blank(value) {
        return Err(Error::invalid_argument(cat(&[name, " is required", hint])));
    }
    if has_control(value) {
        return Err(Error::invalid_argument(cat(&[
            name,
            " contains control characters.",
        ])));
    }
    Ok(())
}

/// The authority (host and port) of a normalised base URL.
fn host_of(base_url: &str) -> &str {
    let rest = split_once(base_url, "://").map_or(base_url, |(_, rest)| rest);
    rest.split('/').next().unwrap_or(rest)
}

/// A JWT app: builds assertions and token requests. Holds no key: signing is a [`Signer`]'s job.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JwtFlow {
    app_id: String,
    keyid: String,
    base_url: String,
    aud: String,
    session_name: Option<String>,
    session_context: Option<SessionContext>,
}

impl JwtFlow {
    /// Checks the options: `invalid_argument` for a missing app id or keyid or a bad URL.
    pub fn new(options: JwtFlowOptions) -> Result<Self, Error> {
        check_text(
            &options.app_id,
            "appId",
            ": copy the app ID from the OAuth app's page in the Coze console.",
        )?;
        check_text(
            &options.keyid,
            "keyid",
            ": copy the public key's id (fingerprint) from the OAuth app's page in the Coze console.",
        )?;
        let base_url = api_base_url(options.base_url.as_deref())?;
        let aud = match options.aud {
            Some(aud) => {
                check_text(&aud, "aud", ".")?;
                aud
            }
            None => host_of(&base_url).to_owned(),
        };
        if let Some(name) = &options.session_name {
            check_text(name, "sessionName", " when given.")?;
        }
        Ok(JwtFlow {
            app_id: options.app_id,
            keyid: options.keyid,
            base_url,
            aud,
            session_name: options.session_name,
            session_context: options.session_context,
        })
    }

    /// The app id (`iss`).
    pub fn app_id(&self) -> &str {
        &self.app_id
    }

    /// The key id (`kid`).
    pub fn keyid(&self) -> &str {
        &self.keyid
    }

    /// The normalised API base URL.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The `aud` claim.
    pub fn aud(&self) -> &str {
        &self.aud
    }

    /// The default `session_name` claim.
    pub fn session_name(&self) -> Option<&str> {
        self.session_name.as_deref()
    }

    /// Checks a grant's parameters; every grant method does this before anything else.
    pub fn validate_params(&self, params: &JwtTokenParams) -> Result<(), Error> {
        if !(1..=MAX_JWT_DURATION_SECONDS).contains(&params.duration_seconds) {
            return Err(Error::invalid_argument(
                "durationSeconds must be a whole number of seconds from 1 to 86399 (24 h minus 1 s); the default is 900.",
            ));
        }
        if params.account_id.is_some() && params.enterprise_id.is_some() {
            return Err(Error::invalid_argument(
                "Give accountId or enterpriseId, not both: a token is minted for one of them.",
            ));
        }
        if let Some(id) = &params.account_id {
            check_text(id, "accountId", " when given.")?;
        }
        if let Some(id) = &params.enterprise_id {
            check_text(id, "enterpriseId", " when given.")?;
        }
        if let Some(name) = &params.session_name {
            check_text(name, "sessionName", " when given.")?;
        }
        Ok(())
    }

    /// The header JSON: `{"alg":"RS256","typ":"JWT","kid":…}`.
    pub fn header_json(&self) -> String {
        ObjectWriter::new()
            .string("alg", JWT_ALGORITHM)
            .string("typ", "JWT")
            .string("kid", &self.keyid)
            .finish()
    }

    /// The claims JSON: `iss`, `aud`, `iat`, `exp` (`iat` + 3600), `jti`, then `session_name`
    /// (`session_name`, else the flow's) and `session_context` when set.
    pub fn claims_json(&self, issued_at: i64, jti: &str, session_name: Option<&str>) -> String {
        let context = self.session_context.as_ref().map(SessionContext::to_json);
        let mut writer = ObjectWriter::new()
            .string("iss", &self.app_id)
            .string("aud", &self.aud)
            .integer("iat", issued_at)
            .integer(
                "exp",
                issued_at.saturating_add(JWT_ASSERTION_LIFETIME_SECONDS),
            )
            .string("jti", jti)
            .optional_string("session_name", session_name.or(self.session_name()));
        if let Some(context) = &context {
            writer = writer.raw("session_context", context);
        }
        writer.finish()
    }

    /// `base64url(header) "." base64url(claims)`: the bytes a [`Signer`] signs.
    pub fn signing_input(&self, issued_at: i64, jti: &str, session_name: Option<&str>) -> String {
        let header = self.header_json();
        let claims = self.claims_json(issued_at, jti, session_name);
        // Both parts into one buffer of the exact size, then one conversion (ASCII only).
        let mut out =
            Vec::with_capacity((header.len().div_ceil(3) + claims.len().div_ceil(3)) * 4 + 1);
        base64url_into(&mut out, header.as_bytes());
        out.push(b'.');
        base64url_into(&mut out, claims.as_bytes());
        String::from_utf8(out).unwrap_or_default()
    }

    /// Checks `params`, draws a fresh `jti` from `rng` and returns the signing input of a new
    /// assertion issued at `now` (Unix seconds). The sans-IO first step of a grant: sign it,
    /// [`assemble_jwt`], [`Self::token_request`], [`Self::read_token_response`].
    pub fn new_signing_input(
        &self,
        params: &JwtTokenParams,
        now: i64,
        rng: &mut dyn RandomSource,
    ) -> Result<String, Error> {
        self.validate_params(params)?;
        let jti = generate_jti(rng)?;
        Ok(self.signing_input(now, &jti, params.session_name.as_deref()))
    }

    /// The token request for a signed assertion `jwt`: `POST` to the token endpoint (or the
    /// account / enterprise one), `Authorization: Bearer <jwt>`, JSON `{grant_type,
    /// duration_seconds, scope?}`.
    pub fn token_request(&self, jwt: &str, params: &JwtTokenParams) -> Result<HttpRequest, Error> {
        self.validate_params(params)?;
        // Bytes first: in ASCII, whitespace and controls are the bytes up to the space, and
        // DEL. Only a JWT with other characters (never a real one) is walked char by char.
        let bad = |c: char| c.is_whitespace() || c.is_control();
        if jwt.is_empty()
            || jwt.bytes().any(|b| b <= b' ' || b == 0x7f)
            || (!jwt.is_ascii() && jwt.chars().any(bad))
        {
            return Err(Error::invalid_argument(
                "The signed JWT is empty or contains whitespace.",
            ));
        }
        let mut url = self.base_url.clone();
        match (&params.account_id, &params.enterprise_id) {
            (Some(id), _) => {
                url.push_str(ACCOUNT_TOKEN_PATH_PREFIX);
                path_segment_encode_into(&mut url, id);
                url.push_str(TOKEN_PATH_SUFFIX);
            }
            (None, Some(id)) => {
                url.push_str(ENTERPRISE_TOKEN_PATH_PREFIX);
                path_segment_encode_into(&mut url, id);
                url.push_str(TOKEN_PATH_SUFFIX);
            }
            (None, None) => url.push_str(TOKEN_PATH),
        }
        let mut body = ObjectWriter::new()
            .string("grant_type", GRANT_JWT_BEARER)
            .integer("duration_seconds", params.duration_seconds);
        if let Some(scope) = &params.scope {
            body = body.raw("scope", scope.as_json());
        }
        Ok(HttpRequest::post_json(url, body.finish()).with_bearer(jwt))
    }

    /// Reads the answer to [`Self::token_request`]: `{access_token, expires_in (absolute),
    /// token_type}`, no refresh token. `jwt` is scrubbed from any server text.
    pub fn read_token_response(
        &self,
        response: &HttpResponse,
        now: i64,
        jwt: &str,
    ) -> Result<OAuthToken, Error> {
        read_token_response(response, now, &[jwt])
    }

    /// The cache key of a grant: two grants with the same key give interchangeable tokens
    /// (same duration, scope, account or enterprise, and session name).
    pub fn cache_key(&self, params: &JwtTokenParams) -> String {
        let mut writer = ObjectWriter::new()
            .integer("duration_seconds", params.duration_seconds)
            .optional_string("account_id", params.account_id.as_deref())
            .optional_string("enterprise_id", params.enterprise_id.as_deref())
            .optional_string(
                "session_name",
                params.session_name.as_deref().or(self.session_name()),
            );
        if let Some(scope) = &params.scope {
            writer = writer.raw("scope", scope.as_json());
        }
        writer.finish()
    }

    /// Mints a token: a fresh assertion (issued at `clock`'s time, its `jti` from `rng`)
    /// signed by `signer`, sent through `transport`. Parameters are checked before anything is
    /// signed or sent.
    pub async fn get_token<T: Transport, S: Signer, C: Clock + ?Sized>(
        &self,
        transport: &T,
        signer: &S,
        clock: &C,
        rng: &mut dyn RandomSource,
        params: &JwtTokenParams,
    ) -> Result<OAuthToken, Error> {
        let signing_input = self.new_signing_input(params, clock.now_unix_seconds(), rng)?;
        self.sign_and_send(transport, signer, clock, &signing_input, params)
            .await
    }

    /// What [`Self::get_token`] does once the signing input is drawn: sign, send, read.
    async fn sign_and_send<T: Transport, S: Signer, C: Clock + ?Sized>(
        &self,
        transport: &T,
        signer: &S,
        clock: &C,
        signing_input: &str,
        params: &JwtTokenParams,
    ) -> Result<OAuthToken, Error> {
        let signature = signer.sign(signing_input.as_bytes()).await?;
        let jwt = assemble_jwt(signing_input, &signature);
        let request = self.token_request(&jwt, params)?;
        let response = transport.send(request).await?;
        self.read_token_response(&response, clock.now_unix_seconds(), &jwt)
    }
}

/// A fresh `jti`: 128 CSPRNG bits, base64url (22 characters).
pub fn generate_jti(rng: &mut dyn RandomSource) -> Result<String, Error> {
    let mut bytes = [0u8; JTI_BYTES];
    rng.fill(&mut bytes)?;
    Ok(base64url(&bytes))
}

/// The compact JWT: `signing_input "." base64url(signature)`.
pub fn assemble_jwt(signing_input: &str, signature: &[u8]) -> String {
    cat(&[signing_input, ".", &base64url(signature)])
}

/// A self-renewing JWT token source: [`JwtFlow::get_token`] behind a [`TokenCache`]. It returns
/// the cached token until its refresh margin (see [`super::token_cache::refresh_margin_seconds`]),
/// shares one in-flight grant among concurrent callers with the same parameters, and never
/// caches a failure. Single-threaded (`!Sync`), like the futures of a wasm or `LocalSet` runtime.
///
/// The cache's clock dates the assertions too, and `rng` draws their `jti`s: in an app,
/// `JwtTokenSource::new(flow, transport, signer, SystemClock, SystemRandom)`.
pub struct JwtTokenSource<T, S> {
    flow: JwtFlow,
    transport: T,
    signer: S,
    cache: TokenCache,
    rng: RefCell<Box<dyn RandomSource>>,
}

impl<T: Transport, S: Signer> JwtTokenSource<T, S> {
    /// A source with an empty cache on `clock`, drawing `jti`s from `rng`.
    pub fn new(
        flow: JwtFlow,
        transport: T,
        signer: S,
        clock: impl Clock + 'static,
        rng: impl RandomSource + 'static,
    ) -> Self {
        Self::with_cache(flow, transport, signer, TokenCache::new(clock), rng)
    }

    /// A source with the given cache (whose clock it uses), drawing `jti`s from `rng`.
    pub fn with_cache(
        flow: JwtFlow,
        transport: T,
        signer: S,
        cache: TokenCache,
        rng: impl RandomSource + 'static,
    ) -> Self {
        JwtTokenSource {
            flow,
            transport,
            signer,
            cache,
            rng: RefCell::new(Box::new(rng)),
        }
    }

    /// The flow.
    pub fn flow(&self) -> &JwtFlow {
        &self.flow
    }

    /// The transport.
    pub fn transport(&self) -> &T {
        &self.transport
    }

    /// The signer.
    pub fn signer(&self) -> &S {
        &self.signer
    }

    /// The cache.
    pub fn cache(&self) -> &TokenCache {
        &self.cache
    }

    /// A token for `params`: the cached one while it is fresh, else a new grant (shared with
    /// any concurrent caller asking for the same parameters).
    pub async fn access_token(&self, params: &JwtTokenParams) -> Result<OAuthToken, Error> {
        self.flow.validate_params(params)?;
        let key = self.flow.cache_key(params);
        self.cache
            .get_or_mint(&key, params.duration_seconds, || self.mint(params))
            .await
    }

    /// One grant. The random source is borrowed only while the `jti` is drawn, never across an
    /// await, so concurrent grants for different parameters do not contend for it.
    async fn mint(&self, params: &JwtTokenParams) -> Result<OAuthToken, Error> {
        let now = self.cache.now_unix_seconds();
        let signing_input = {
            let mut rng = self.rng.try_borrow_mut().map_err(|_| {
                Error::invalid_argument("The JWT token source's random source is busy.")
            })?;
            self.flow.new_signing_input(params, now, &mut **rng)?
        };
        let clock = || self.cache.now_unix_seconds();
        self.flow
            .sign_and_send(
                &self.transport,
                &self.signer,
                &clock,
                &signing_input,
                params,
            )
            .await
    }
}

impl<T, S> core::fmt::Debug for JwtTokenSource<T, S> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("JwtTokenSource")
            .field("flow", &self.flow)
            .field("cache", &self.cache)
            .finish_non_exhaustive()
    }
}

/// RS256 with the `rsa` crate: the native signer. [`RsaSigner::from_pem`] parses the key once,
/// with the `rsa` crate, after this crate has undone what env vars do to PEM text and named
/// what is not an unencrypted RSA private key (encrypted, EC, public key, certificate); the
/// size rule (2048 to 4096 bits, two primes) is checked on the parsed key.
///
/// The `rsa` crate carries RUSTSEC-2023-0071 (a timing side channel in decryption and signing,
/// unfixed upstream): prefer the host's own signer where one exists (WebCrypto in JS), and do not
/// sign on a host where an attacker can time many signatures closely.
#[cfg(all(feature = "jwt", not(target_arch = "wasm32")))]
#[derive(Clone)]
pub struct RsaSigner {
    key: rsa::pkcs1v15::SigningKey<rsa::sha2::Sha256>,
}

#[cfg(all(feature = "jwt", not(target_arch = "wasm32")))]
impl RsaSigner {
    /// A signer for a key already checked by [`super::key::PrivateKey`] (for example
    /// [`crate::AppConfig`]'s): the `rsa` crate reads its PKCS#1 DER.
    pub fn new(key: &super::key::PrivateKey) -> Result<Self, Error> {
        use rsa::pkcs1::DecodeRsaPrivateKey;
        let key = rsa::RsaPrivateKey::from_pkcs1_der(key.pkcs1_der())
            .map_err(|_| super::key::inconsistent())?;
        Ok(Self::with_key(key))
    }

    /// A signer for a PEM key: PKCS#8 (`BEGIN PRIVATE KEY`) or PKCS#1 (`BEGIN RSA PRIVATE
    /// KEY`), with the tolerance of [`super::key::PrivateKey::from_pem`] (surrounding
    /// whitespace or quotes, CRLF, one line, literal `\n` escapes) and its `invalid_key`
    /// messages. The `rsa` crate parses the key, once; this crate's own reading of the DER runs
    /// only when that fails, to say why.
    pub fn from_pem(pem: &str) -> Result<Self, Error> {
        use super::key::{private_key_der, why_unusable, KeyFormat};
        use rsa::pkcs1::DecodeRsaPrivateKey;
        use rsa::pkcs8::DecodePrivateKey;
        use rsa::traits::{PrivateKeyParts, PublicKeyParts};
        // `n().bits()`: the exact modulus size, as `PrivateKey` counts it.
        let (format, der) = private_key_der(pem)?;
        let parsed = match format {
            KeyFormat::Pkcs8 => rsa::RsaPrivateKey::from_pkcs8_der(&der).ok(),
            KeyFormat::Pkcs1 => rsa::RsaPrivateKey::from_pkcs1_der(&der).ok(),
        };
        match parsed {
            Some(key) if (2048..=4096).contains(&key.n().bits()) && key.primes().len() == 2 => {
                Ok(Self::with_key(key))
            }
            _ => Err(why_unusable(format, &der)),
        }
    }

    fn with_key(key: rsa::RsaPrivateKey) -> Self {
        RsaSigner {
            key: rsa::pkcs1v15::SigningKey::new(key),
        }
    }

    /// The RS256 signature of `signing_input`.
    pub fn sign_now(&self, signing_input: &[u8]) -> Result<Vec<u8>, Error> {
        use rsa::signature::{SignatureEncoding, Signer as _};
        self.key
            .try_sign(signing_input)
            .map(|signature| signature.to_vec())
            .map_err(|_| {
                Error::new(
                    super::error::ErrorCode::InvalidKey,
                    "RS256 signing failed with this private key.",
                )
            })
    }
}

#[cfg(all(feature = "jwt", not(target_arch = "wasm32")))]
impl Signer for RsaSigner {
    async fn sign(&self, signing_input: &[u8]) -> Result<Vec<u8>, Error> {
        self.sign_now(signing_input)
    }
}

#[cfg(all(feature = "jwt", not(target_arch = "wasm32")))]
impl core::fmt::Debug for RsaSigner {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("RsaSigner([redacted])")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::encoding::is_base64url;
    use crate::core::error::ErrorCode;
    use crate::core::json::{parse, Value};
    use crate::core::random::tests::CountingRandom;

    fn flow() -> JwtFlow {
        JwtFlow::new(JwtFlowOptions {
            app_id: "1234567890".into(),
            keyid: "fixture-kid".into(),
            ..Default::default()
        })
        .unwrap()
    }

    #[test]
    fn defaults_aud_to_the_api_host() {
        let f = flow();
        assert_eq!(f.base_url(), "https://api.coze.cn");
        assert_eq!(f.aud(), "api.coze.cn");
        let local = JwtFlow::new(JwtFlowOptions {
            app_id: "a".into(),
            keyid: "k".into(),
            base_url: Some("http://127.0.0.1:8081/".into()),
            ..Default::default()
        })
        .unwrap();
        assert_eq!(local.aud(), "127.0.0.1:8081");
        let custom = JwtFlow::new(JwtFlowOptions {
            app_id: "a".into(),
            keyid: "k".into(),
            base_url: Some("https://api.coze.com".into()),
            aud: Some("custom-aud".into()),
            ..Default::default()
        })
        .unwrap();
        assert_eq!(custom.aud(), "custom-aud");
    }

    #[test]
    fn header_and_claims_have_the_exact_shape() {
        assert_eq!(
            flow().header_json(),
            r#"{"alg":"RS256","typ":"JWT","kid":"fixture-kid"}"#
        );
        assert_eq!(
            flow().claims_json(1_800_000_000, "fixture-jti-0001", Some("user-42")),
            r#"{"iss":"1234567890","aud":"api.coze.cn","iat":1800000000,"exp":1800003600,"jti":"fixture-jti-0001","session_name":"user-42"}"#
        );
        let with_context = JwtFlow::new(JwtFlowOptions {
            app_id: "a".into(),
            keyid: "k".into(),
            session_name: Some("default-session".into()),
            session_context: Some(SessionContext {
                device_info: Some(DeviceInfo {
                    device_id: Some("dev-1".into()),
                    custom_consumer: None,
                }),
            }),
            ..Default::default()
        })
        .unwrap();
        assert_eq!(
            with_context.claims_json(5, "j", None),
            r#"{"iss":"a","aud":"api.coze.cn","iat":5,"exp":3605,"jti":"j","session_name":"default-session","session_context":{"device_info":{"device_id":"dev-1"}}}"#
        );
        assert_eq!(SessionContext::default().to_json(), "{}");
    }

    #[test]
    fn signing_input_matches_the_fixture() {
        assert_eq!(
            flow().signing_input(1_800_000_000, "fixture-jti-0001", Some("user-42")),
            include_str!("../../tests/fixtures/jwt-signing-input.txt")
        );
        assert_eq!(assemble_jwt("a.b", &[0xfb, 0xff]), "a.b.-_8");
    }

    #[test]
    fn jti_is_128_random_bits_and_fresh_per_assertion() {
        let mut rng = CountingRandom::default();
        let params = JwtTokenParams::default();
        let a = flow().new_signing_input(&params, 1, &mut rng).unwrap();
        let b = flow().new_signing_input(&params, 1, &mut rng).unwrap();
        assert_ne!(a, b);
        let jti = generate_jti(&mut rng).unwrap();
        assert_eq!(jti.len(), 22);
        assert!(is_base64url(&jti));
    }

    #[test]
    fn token_requests_have_the_exact_shape() {
        let f = flow();
        let req = f
            .token_request("h.c.s", &JwtTokenParams::default())
            .unwrap();
        assert_eq!(req.url, "https://api.coze.cn/api/permission/oauth2/token");
        assert_eq!(
            req.headers,
            vec![
                ("content-type".to_string(), "application/json".to_string()),
                ("authorization".to_string(), "Bearer h.c.s".to_string()),
            ]
        );
        assert_eq!(
            req.body,
            r#"{"grant_type":"urn:ietf:params:oauth:grant-type:jwt-bearer","duration_seconds":900}"#
        );
        let params = JwtTokenParams {
            duration_seconds: 86_399,
            scope: Some(Scope::bot_chat(&["bot1", "bot\"2"], &[])),
            account_id: Some("42 /x".into()),
            ..Default::default()
        };
        let req = f.token_request("h.c.s", &params).unwrap();
        assert_eq!(
            req.url,
            "https://api.coze.cn/api/permission/oauth2/account/42%20%2Fx/token"
        );
        assert_eq!(
            req.body,
            r#"{"grant_type":"urn:ietf:params:oauth:grant-type:jwt-bearer","duration_seconds":86399,"scope":{"account_permission":{"permission_list":["Connector.botChat"]},"attribute_constraint":{"connector_bot_chat_attribute":{"bot_id_list":["bot1","bot\"2"]}}}}"#
        );
        let body = parse(req.body.as_bytes()).unwrap();
        assert_eq!(
            body.get("grant_type").and_then(Value::as_str),
            Some(GRANT_JWT_BEARER)
        );
        let params = JwtTokenParams {
            enterprise_id: Some("ent-1".into()),
            ..Default::default()
        };
        assert_eq!(
            f.token_request("h.c.s", &params).unwrap().url,
            "https://api.coze.cn/api/permission/oauth2/enterprise_id/ent-1/token"
        );
    }

    #[test]
    fn bot_chat_scopes_take_a_permission_list() {
        assert_eq!(
            Scope::bot_chat(&["b1", "b2"], &["Connector.botChat", "Workflow.run"]).as_json(),
            r#"{"account_permission":{"permission_list":["Connector.botChat","Workflow.run"]},"attribute_constraint":{"connector_bot_chat_attribute":{"bot_id_list":["b1","b2"]}}}"#
        );
        // No permissions: py's and go's default, Connector.botChat.
        assert_eq!(
            Scope::bot_chat(&["b1"], &[]).as_json(),
            r#"{"account_permission":{"permission_list":["Connector.botChat"]},"attribute_constraint":{"connector_bot_chat_attribute":{"bot_id_list":["b1"]}}}"#
        );
        assert_eq!(
            Scope::bot_chat(&[], &["Connector.botChat"]).as_json(),
            Scope::bot_chat(&[], &[]).as_json()
        );
    }

    #[test]
    fn scopes() {
        assert_eq!(
            Scope::bot_chat(&[], &[]).as_json(),
            r#"{"account_permission":{"permission_list":["Connector.botChat"]}}"#
        );
        assert_eq!(
            Scope::with_permissions(&[], &["b"]).as_json(),
            r#"{"account_permission":{"permission_list":[]},"attribute_constraint":{"connector_bot_chat_attribute":{"bot_id_list":["b"]}}}"#
        );
        assert_eq!(
            Scope::from_json(" {\"a\":1} ").unwrap().as_json(),
            "{\"a\":1}"
        );
        for bad in ["", "[]", "null", "{", "\"x\"", "{} x"] {
            assert_eq!(
                Scope::from_json(bad).unwrap_err().code,
                ErrorCode::InvalidArgument
            );
        }
    }

    #[test]
    fn bad_options_and_params_are_invalid_arguments() {
        for options in [
            JwtFlowOptions::default(),
            JwtFlowOptions {
                app_id: "a".into(),
                ..Default::default()
            },
            JwtFlowOptions {
                keyid: "k".into(),
                ..Default::default()
            },
            JwtFlowOptions {
                app_id: "a".into(),
                keyid: "k".into(),
                base_url: Some("http://api.coze.cn".into()),
                ..Default::default()
            },
            JwtFlowOptions {
                app_id: "a".into(),
                keyid: "k\n".into(),
                ..Default::default()
            },
        ] {
            assert_eq!(
                JwtFlow::new(options).unwrap_err().code,
                ErrorCode::InvalidArgument
            );
        }
        let f = flow();
        for params in [
            JwtTokenParams {
                duration_seconds: 0,
                ..Default::default()
            },
            JwtTokenParams {
                duration_seconds: -1,
                ..Default::default()
            },
            JwtTokenParams {
                duration_seconds: 86_400,
                ..Default::default()
            },
            JwtTokenParams {
                account_id: Some("1".into()),
                enterprise_id: Some("2".into()),
                ..Default::default()
            },
            JwtTokenParams {
                account_id: Some(" ".into()),
                ..Default::default()
            },
        ] {
            let mut rng = CountingRandom::default();
            assert_eq!(
                f.new_signing_input(&params, 0, &mut rng).unwrap_err().code,
                ErrorCode::InvalidArgument
            );
            assert_eq!(
                f.token_request("a.b.c", &params).unwrap_err().code,
                ErrorCode::InvalidArgument
            );
        }
        assert!(f
            .token_request("a.b c", &JwtTokenParams::default())
            .is_err());
        assert!(f.token_request("", &JwtTokenParams::default()).is_err());
        // The byte check, and the char check behind it for other text: every whitespace or
        // control character is refused wherever it is, anything else is not.
        for c in (0..=0x10ffff).filter_map(char::from_u32).step_by(7).chain([
            ' ', '\t', '\u{b}', '\u{7f}', '\u{85}', '\u{a0}', '\u{9f}', '\u{2028}', '\u{3000}', 'é',
        ]) {
            let jwt = ["a.b", "c"].join(&c.to_string());
            let refused = f.token_request(&jwt, &JwtTokenParams::default()).is_err();
            assert_eq!(
                refused,
                c.is_whitespace() || c.is_control(),
                "U+{:04X}",
                u32::from(c)
            );
        }
        for d in [1, 900, 86_399] {
            let params = JwtTokenParams {
                duration_seconds: d,
                ..Default::default()
            };
            assert!(f.validate_params(&params).is_ok());
        }
    }

    #[test]
    fn cache_keys_separate_what_differs() {
        let f = flow();
        let base = JwtTokenParams::default();
        let keys = [
            f.cache_key(&base),
            f.cache_key(&JwtTokenParams {
                duration_seconds: 901,
                ..base.clone()
            }),
            f.cache_key(&JwtTokenParams {
                scope: Some(Scope::bot_chat(&["b"], &[])),
                ..base.clone()
            }),
            f.cache_key(&JwtTokenParams {
                account_id: Some("1".into()),
                ..base.clone()
            }),
            f.cache_key(&JwtTokenParams {
                enterprise_id: Some("1".into()),
                ..base.clone()
            }),
            f.cache_key(&JwtTokenParams {
                session_name: Some("s".into()),
                ..base.clone()
            }),
        ];
        for (i, a) in keys.iter().enumerate() {
            for b in keys.iter().skip(i + 1) {
                assert_ne!(a, b);
            }
        }
        assert_eq!(f.cache_key(&base), f.cache_key(&JwtTokenParams::default()));
    }
}
