//! PKCE (RFC 7636) for public clients: verifier, challenge, state, the authorize URL, and the
//! code-exchange and refresh requests (protocol file §4.2, §4.5, §10).

use super::clock::Clock;
use super::config::{
    api_and_www_base_urls, authorize_url, require_non_empty, validate_client_id,
    GRANT_AUTHORIZATION_CODE,
};
use super::encoding::base64url;
use super::error::Error;
use super::http::{HttpRequest, HttpResponse};
use super::json::ObjectWriter;
use super::random::RandomSource;
use super::secret::Secret;
use super::sha256::sha256;
use super::text::has_control;
use super::token::{read_token_response, request_token, OAuthToken};
use crate::prelude::*;
use crate::transport::Transport;

/// CSPRNG bytes in a verifier: 32 bytes give the 43 base64url characters RFC 7636 asks for.
const VERIFIER_BYTES: usize = 32;
/// CSPRNG bytes in a generated state: 128 bits.
const STATE_BYTES: usize = 16;
/// Longest state accepted from a caller.
const MAX_STATE_LEN: usize = 512;

/// How the code challenge is derived from the verifier.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CodeChallengeMethod {
    /// `BASE64URL(SHA256(verifier))`: the default, and the only safe choice.
    #[default]
    S256,
    /// The challenge is the verifier itself; only for servers that cannot hash.
    Plain,
}

impl CodeChallengeMethod {
    /// `"S256"` or `"plain"`, as sent on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            CodeChallengeMethod::S256 => "S256",
            CodeChallengeMethod::Plain => "plain",
        }
    }

    /// Parses the wire name (exact, case-sensitive, as RFC 7636 defines it).
    pub fn parse(name: &str) -> Result<Self, Error> {
        match name {
            "S256" => Ok(CodeChallengeMethod::S256),
            "plain" => Ok(CodeChallengeMethod::Plain),
            _ => Err(Error::invalid_argument(
                "codeChallengeMethod must be \"S256\" (recommended) or \"plain\".",
            )),
        }
    }
}

/// The challenge for `verifier`. With `Plain` it is the verifier itself, unlike the official JS
/// SDK, which sends an S256 challenge labelled `plain`.
pub fn code_challenge(verifier: &str, method: CodeChallengeMethod) -> String {
    match method {
        CodeChallengeMethod::S256 => base64url(&sha256(verifier.as_bytes())),
        CodeChallengeMethod::Plain => verifier.to_owned(),
    }
}

/// A verifier chosen by the caller: RFC 7636 §4.1 exactly, 43 to 128 characters of
/// `A-Z a-z 0-9 - . _ ~`. The message states the rule and never quotes the value.
pub(crate) fn validate_chosen_code_verifier(verifier: &str) -> Result<(), Error> {
    if !(43..=128).contains(&verifier.len()) || !verifier.bytes().all(is_unreserved) {
        return Err(Error::invalid_argument(
            "codeVerifier must be 43 to 128 characters of A-Z a-z 0-9 - . _ ~ (RFC 7636); leave it out to get a random one.",
        ));
    }
    Ok(())
}

/// The caller's verifier (checked), else a fresh one from `rng`.
pub fn given_or_new_code_verifier(
    given: Option<&str>,
    rng: &mut dyn RandomSource,
) -> Result<Secret, Error> {
    match given {
        Some(v) => validate_chosen_code_verifier(v).map(|()| Secret::new(v)),
        None => generate_code_verifier(rng),
    }
}

/// A fresh verifier: 32 CSPRNG bytes, base64url (43 characters).
pub fn generate_code_verifier(rng: &mut dyn RandomSource) -> Result<Secret, Error> {
    let mut bytes = [0u8; VERIFIER_BYTES];
    rng.fill(&mut bytes)?;
    Ok(Secret::new(base64url(&bytes)))
}

/// A fresh state: 128 CSPRNG bits, base64url (22 characters).
pub fn generate_state(rng: &mut dyn RandomSource) -> Result<Secret, Error> {
    let mut bytes = [0u8; STATE_BYTES];
    rng.fill(&mut bytes)?;
    Ok(Secret::new(base64url(&bytes)))
}

/// The caller's state, else a fresh one from `rng`.
pub fn given_or_new_state(
    given: Option<&str>,
    rng: &mut dyn RandomSource,
) -> Result<Secret, Error> {
    match given {
        Some(s) => Ok(Secret::new(s)),
        None => generate_state(rng),
    }
}

fn is_unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~')
}

/// A verifier to send: RFC 7636's alphabet, at most 128 characters. Shorter ones than RFC's 43
/// are accepted because other Coze SDKs generate them and Coze accepts them.
pub(crate) fn validate_code_verifier(verifier: &str) -> Result<(), Error> {
    if verifier.is_empty() || verifier.len() > 128 || !verifier.bytes().all(is_unreserved) {
        return Err(Error::invalid_argument(
            "codeVerifier must be the verifier returned by getOAuthUrl (1 to 128 characters of A-Z a-z 0-9 - . _ ~).",
        ));
    }
    Ok(())
}

pub(crate) fn validate_redirect_uri(redirect_uri: &str) -> Result<(), Error> {
    let well_formed = redirect_uri.bytes().any(|b| b == b':')
        && !redirect_uri.bytes().any(|b| b == b' ')
        && !has_control(redirect_uri);
    if !well_formed {
        return Err(Error::invalid_argument(
            "redirectUri is required and must be an absolute URI exactly as registered on the Coze app.",
        ));
    }
    Ok(())
}

pub(crate) fn validate_state(state: &str) -> Result<(), Error> {
    if state.is_empty() || state.len() > MAX_STATE_LEN || has_control(state) {
        return Err(Error::invalid_argument(
            "state must be 1 to 512 printable characters; leave it out to get 128 random bits.",
        ));
    }
    Ok(())
}

/// Checks the parameters every authorize URL shares: the redirect URI, a given state, and a
/// given workspace id.
pub(crate) fn validate_authorize_params(
    redirect_uri: &str,
    state: Option<&str>,
    workspace_id: Option<&str>,
) -> Result<(), Error> {
    validate_redirect_uri(redirect_uri)?;
    if let Some(state) = state {
        validate_state(state)?;
    }
    if let Some(id) = workspace_id {
        require_non_empty(id, "workspaceId")?;
    }
    Ok(())
}

/// How to build a [`PkceOAuthApp`].
#[derive(Debug, Clone, Default)]
pub struct PkceOAuthAppOptions {
    /// The OAuth app's client id. Required.
    pub client_id: String,
    /// API base URL; default [`COZE_CN_BASE_URL`](crate::COZE_CN_BASE_URL).
    pub base_url: Option<String>,
    /// Consent host; default derived from `base_url` (`api.` → `www.`).
    pub www_base_url: Option<String>,
}

/// Parameters of [`PkceOAuthApp::authorization_url`].
#[derive(Clone, Default)]
pub struct AuthorizationUrlParams {
    /// Where Coze sends the user back; must match the app's registration exactly.
    pub redirect_uri: String,
    /// Anti-CSRF value; `None` generates 128 random bits.
    pub state: Option<String>,
    /// Default S256.
    pub code_challenge_method: CodeChallengeMethod,
    /// Scope consent to one workspace.
    pub workspace_id: Option<String>,
    /// A verifier of the caller's choosing (43 to 128 characters of `A-Z a-z 0-9 - . _ ~`,
    /// RFC 7636 §4.1); `None` draws 32 random bytes for one. Secret.
    pub code_verifier: Option<String>,
}

impl core::fmt::Debug for AuthorizationUrlParams {
    // A caller-given state is as secret as a generated one.
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("AuthorizationUrlParams")
            .field("redirect_uri", &self.redirect_uri)
            .field("state", &crate::core::secret::redacted_option(&self.state))
            .field("code_challenge_method", &self.code_challenge_method)
            .field("workspace_id", &self.workspace_id)
            .field(
                "code_verifier",
                &crate::core::secret::redacted_option(&self.code_verifier),
            )
            .finish()
    }
}

/// An authorize URL and what must be kept until the callback.
#[derive(Clone, PartialEq, Eq)]
pub struct PkceAuthorizationUrl {
    /// The URL on the www host.
    pub url: String,
    /// The state in `url`.
    pub state: Secret,
    /// The verifier; needed for the exchange.
    pub code_verifier: Secret,
    /// The challenge method used.
    pub code_challenge_method: CodeChallengeMethod,
}

impl core::fmt::Debug for PkceAuthorizationUrl {
    // The URL carries the state.
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("PkceAuthorizationUrl")
            .field(
                "url",
                &crate::core::secret::url_with_state_redacted(&self.url),
            )
            .field("state", &self.state)
            .field("code_verifier", &self.code_verifier)
            .field("code_challenge_method", &self.code_challenge_method)
            .finish()
    }
}

/// A PKCE OAuth app: builds URLs and requests; the async methods send them through a
/// [`Transport`].
///
/// A whole login, with a stand-in for the HTTP client (plug in a real one the same way: see
/// `examples/device_login.rs`). [`PkceOAuthApp::start_login`] and
/// [`PkceOAuthApp::handle_callback`] do the same with the pending login kept in a
/// [`PendingFlowStore`](crate::PendingFlowStore).
///
/// ```
/// use coze_auth::{
///     AuthorizationUrlParams, Error, HttpRequest, HttpResponse, PkceOAuthApp,
///     PkceOAuthAppOptions, SystemClock, SystemRandom, Transport,
/// };
///
/// /// Answers every request with a token, as Coze's token endpoint would.
/// struct StandIn;
/// impl Transport for StandIn {
///     async fn send(&self, request: HttpRequest) -> Result<HttpResponse, Error> {
///         assert_eq!(request.url, "https://api.coze.com/api/permission/oauth2/token");
///         assert!(request.headers.iter().all(|(name, _)| name != "authorization")); // a public client
///         let body = r#"{"access_token":"czs_at","expires_in":1893456000,"refresh_token":"czs_rt","token_type":"Bearer"}"#;
///         Ok(HttpResponse { status: 200, headers: vec![], body: body.into() })
///     }
/// }
///
/// # fn main() -> Result<(), Error> { futures_executor::block_on(async {
/// let app = PkceOAuthApp::new(PkceOAuthAppOptions {
///     client_id: "my-pkce-client-id".into(),
///     base_url: Some(coze_auth::COZE_COM_BASE_URL.into()), // the region the app belongs to
///     ..Default::default()
/// })?;
/// let redirect_uri = "http://localhost:8080/callback";
/// let auth = app.authorization_url(
///     &AuthorizationUrlParams { redirect_uri: redirect_uri.into(), ..Default::default() },
///     &mut SystemRandom,
/// )?;
/// assert!(auth.url.starts_with("https://www.coze.com/api/permission/oauth2/authorize?"));
/// // Send the user to auth.url; keep auth.state and auth.code_verifier until Coze redirects
/// // back to redirect_uri with `code` and the same `state`.
/// let code = "code-from-the-callback";
/// let token = app.exchange_code(&StandIn, &SystemClock, code, redirect_uri, auth.code_verifier.secret()).await?;
/// assert_eq!(token.access_token.secret(), "czs_at");
/// // Later; the refresh token may rotate, so keep the new one.
/// let refreshed = app.refresh_token(&StandIn, &SystemClock, token.refresh_token.as_ref().map_or("", |t| t.secret())).await?;
/// # let _ = refreshed; Ok(()) }) }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PkceOAuthApp {
    client_id: String,
    base_url: String,
    www_base_url: String,
}

impl PkceOAuthApp {
    /// Checks the options. Fails with `invalid_argument` on a missing client id or a bad URL.
    pub fn new(options: PkceOAuthAppOptions) -> Result<Self, Error> {
        validate_client_id(&options.client_id)?;
        let (base_url, www_base_url) =
            api_and_www_base_urls(options.base_url.as_deref(), options.www_base_url.as_deref())?;
        Ok(PkceOAuthApp {
            client_id: options.client_id,
            base_url,
            www_base_url,
        })
    }

    /// The client id.
    pub fn client_id(&self) -> &str {
        &self.client_id
    }

    /// The normalised API base URL.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The consent host base URL.
    pub fn www_base_url(&self) -> &str {
        &self.www_base_url
    }

    /// Builds the authorize URL with a fresh verifier and state (unless given), drawing
    /// randomness from `rng` only for what is not given. No network.
    pub fn authorization_url(
        &self,
        params: &AuthorizationUrlParams,
        rng: &mut dyn RandomSource,
    ) -> Result<PkceAuthorizationUrl, Error> {
        validate_authorize_params(
            &params.redirect_uri,
            params.state.as_deref(),
            params.workspace_id.as_deref(),
        )?;
        let code_verifier = given_or_new_code_verifier(params.code_verifier.as_deref(), rng)?;
        let state = given_or_new_state(params.state.as_deref(), rng)?;
        let method = params.code_challenge_method;
        let challenge = code_challenge(code_verifier.secret(), method);
        let url = authorize_url(
            &self.www_base_url,
            params.workspace_id.as_deref(),
            &self.client_id,
            &params.redirect_uri,
            state.secret(),
            &[
                ("code_challenge", &challenge),
                ("code_challenge_method", method.as_str()),
            ],
        );
        Ok(PkceAuthorizationUrl {
            url,
            state,
            code_verifier,
            code_challenge_method: method,
        })
    }

    /// The code exchange: JSON `{grant_type, client_id, code, redirect_uri, code_verifier}`, and
    /// no `Authorization` header (a public client has no secret).
    pub fn exchange_request(
        &self,
        code: &str,
        redirect_uri: &str,
        code_verifier: &str,
    ) -> Result<HttpRequest, Error> {
        require_non_empty(code, "code")?;
        validate_redirect_uri(redirect_uri)?;
        validate_code_verifier(code_verifier)?;
        let body = ObjectWriter::new()
            .string("grant_type", GRANT_AUTHORIZATION_CODE)
            .string("client_id", &self.client_id)
            .string("code", code)
            .string("redirect_uri", redirect_uri)
            .string("code_verifier", code_verifier)
            .finish();
        Ok(HttpRequest::post_json(
            super::token::token_url(&self.base_url),
            body,
        ))
    }

    /// The refresh: JSON `{grant_type, client_id, refresh_token}`, no `Authorization` header.
    pub fn refresh_request(&self, refresh_token: &str) -> Result<HttpRequest, Error> {
        super::token::refresh_request(&self.base_url, &self.client_id, refresh_token)
    }

    /// Reads the answer to [`Self::exchange_request`] or [`Self::refresh_request`].
    pub fn read_token_response(
        &self,
        response: &HttpResponse,
        now: i64,
        secrets: &[&str],
    ) -> Result<OAuthToken, Error> {
        read_token_response(response, now, secrets)
    }

    /// Exchanges the callback's code for a token.
    pub async fn exchange_code<T: Transport, C: Clock + ?Sized>(
        &self,
        transport: &T,
        clock: &C,
        code: &str,
        redirect_uri: &str,
        code_verifier: &str,
    ) -> Result<OAuthToken, Error> {
        let request = self.exchange_request(code, redirect_uri, code_verifier)?;
        request_token(transport, clock, request, &[code, code_verifier]).await
    }

    /// Trades a refresh token for a new token (whose refresh token may differ: store it).
    pub async fn refresh_token<T: Transport, C: Clock + ?Sized>(
        &self,
        transport: &T,
        clock: &C,
        refresh_token: &str,
    ) -> Result<OAuthToken, Error> {
        let request = self.refresh_request(refresh_token)?;
        request_token(transport, clock, request, &[refresh_token]).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::encoding::query_pairs;
    use crate::core::error::ErrorCode;
    use crate::core::json::{parse, Value};
    use crate::core::random::tests::CountingRandom;

    fn app() -> PkceOAuthApp {
        PkceOAuthApp::new(PkceOAuthAppOptions {
            client_id: "client id".into(),
            ..Default::default()
        })
        .unwrap()
    }

    #[test]
    fn rfc7636_appendix_b_vector() {
        let verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
        assert_eq!(
            code_challenge(verifier, CodeChallengeMethod::S256),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
        // The RFC's octets produce its verifier.
        let octets = [
            116, 24, 223, 180, 151, 153, 224, 37, 79, 250, 96, 125, 216, 173, 187, 186, 22, 212,
            37, 77, 105, 214, 191, 240, 91, 88, 5, 88, 83, 132, 141, 121,
        ];
        assert_eq!(base64url(&octets), verifier);
    }

    #[test]
    fn coze_sdk_vector_and_plain() {
        assert_eq!(
            code_challenge("code_verifier", CodeChallengeMethod::S256),
            "73oehA2tBul5grZPhXUGQwNAjxh69zNES8bu2bVD0EM"
        );
        assert_eq!(code_challenge("abc", CodeChallengeMethod::Plain), "abc");
        assert_eq!(
            CodeChallengeMethod::parse("S256").unwrap(),
            CodeChallengeMethod::S256
        );
        assert_eq!(
            CodeChallengeMethod::parse("plain").unwrap(),
            CodeChallengeMethod::Plain
        );
        assert_eq!(
            CodeChallengeMethod::parse("s256").unwrap_err().code,
            ErrorCode::InvalidArgument
        );
    }

    #[test]
    fn defaults_to_cn_and_derives_www() {
        let a = app();
        assert_eq!(a.base_url(), "https://api.coze.cn");
        assert_eq!(a.www_base_url(), "https://www.coze.cn");
        let com = PkceOAuthApp::new(PkceOAuthAppOptions {
            client_id: "c".into(),
            base_url: Some(crate::COZE_COM_BASE_URL.into()),
            www_base_url: None,
        })
        .unwrap();
        assert_eq!(com.www_base_url(), "https://www.coze.com");
        let custom = PkceOAuthApp::new(PkceOAuthAppOptions {
            client_id: "c".into(),
            base_url: Some("https://api.coze.cn".into()),
            www_base_url: Some("https://consent.example/".into()),
        })
        .unwrap();
        assert_eq!(custom.www_base_url(), "https://consent.example");
    }

    #[test]
    fn authorize_url_has_the_exact_shape() {
        let mut rng = CountingRandom::default();
        let params = AuthorizationUrlParams {
            redirect_uri: "https://example.com".into(),
            state: Some("state".into()),
            ..Default::default()
        };
        let out = app().authorization_url(&params, &mut rng).unwrap();
        let verifier = out.code_verifier.secret().to_owned();
        assert_eq!(verifier.len(), 43);
        let expected = format!(
            "https://www.coze.cn/api/permission/oauth2/authorize?response_type=code&client_id=client+id&redirect_uri=https%3A%2F%2Fexample.com&state=state&code_challenge={}&code_challenge_method=S256",
            code_challenge(&verifier, CodeChallengeMethod::S256)
        );
        assert_eq!(out.url, expected);
        assert_eq!(out.state.secret(), "state");
    }

    #[test]
    fn plain_workspace_and_generated_state() {
        let mut rng = CountingRandom::default();
        let params = AuthorizationUrlParams {
            redirect_uri: "http://localhost:8080/callback.html".into(),
            code_challenge_method: CodeChallengeMethod::Plain,
            workspace_id: Some("7351".into()),
            ..Default::default()
        };
        let out = app().authorization_url(&params, &mut rng).unwrap();
        assert!(out
            .url
            .starts_with("https://www.coze.cn/api/permission/oauth2/workspace_id/7351/authorize?"));
        let pairs = query_pairs(&out.url);
        let get = |k: &str| {
            pairs
                .iter()
                .find(|(n, _)| n == k)
                .map(|(_, v)| v.clone())
                .unwrap()
        };
        assert_eq!(get("code_challenge"), out.code_verifier.secret());
        assert_eq!(get("code_challenge_method"), "plain");
        assert_eq!(get("state"), out.state.secret());
        assert_eq!(out.state.secret().len(), 22);
        // Two calls never share a verifier or a state.
        let again = app().authorization_url(&params, &mut rng).unwrap();
        assert_ne!(again.code_verifier, out.code_verifier);
        assert_ne!(again.state, out.state);
    }

    #[test]
    fn bad_parameters_are_invalid_arguments() {
        let mut rng = CountingRandom::default();
        for params in [
            AuthorizationUrlParams::default(),
            AuthorizationUrlParams {
                redirect_uri: "no scheme".into(),
                ..Default::default()
            },
            AuthorizationUrlParams {
                redirect_uri: "https://a".into(),
                state: Some(String::new()),
                ..Default::default()
            },
            AuthorizationUrlParams {
                redirect_uri: "https://a".into(),
                state: Some("x".repeat(513)),
                ..Default::default()
            },
            AuthorizationUrlParams {
                redirect_uri: "https://a".into(),
                workspace_id: Some(" ".into()),
                ..Default::default()
            },
        ] {
            assert_eq!(
                app().authorization_url(&params, &mut rng).unwrap_err().code,
                ErrorCode::InvalidArgument
            );
        }
        assert!(PkceOAuthApp::new(PkceOAuthAppOptions::default()).is_err());
        let a = app();
        assert!(a.exchange_request("", "https://a", "v").is_err());
        assert!(a.exchange_request("c", "", "v").is_err());
        assert!(a
            .exchange_request("c", "https://a", "bad verifier")
            .is_err());
        assert!(a
            .exchange_request("c", "https://a", &"v".repeat(129))
            .is_err());
        assert!(a.refresh_request(" ").is_err());
    }

    #[test]
    fn a_failing_random_source_is_an_error_not_a_panic() {
        struct Broken;
        impl RandomSource for Broken {
            fn fill(&mut self, _: &mut [u8]) -> Result<(), Error> {
                Err(Error::new(ErrorCode::InvalidArgument, "no CSPRNG"))
            }
        }
        let params = AuthorizationUrlParams {
            redirect_uri: "https://a".into(),
            ..Default::default()
        };
        assert!(app().authorization_url(&params, &mut Broken).is_err());
    }

    #[test]
    fn exchange_and_refresh_requests_have_the_exact_shape() {
        let a = app();
        let req = a
            .exchange_request("the-code", "https://example.com/cb", "v-123")
            .unwrap();
        assert_eq!(req.method, "POST");
        assert_eq!(req.url, "https://api.coze.cn/api/permission/oauth2/token");
        assert_eq!(
            req.headers,
            vec![("content-type".to_string(), "application/json".to_string())]
        );
        assert_eq!(
            req.body,
            r#"{"grant_type":"authorization_code","client_id":"client id","code":"the-code","redirect_uri":"https://example.com/cb","code_verifier":"v-123"}"#
        );
        assert!(parse(req.body.as_bytes()).unwrap().is_object());
        let req = a.refresh_request("rt\"x").unwrap();
        assert!(req.headers.iter().all(|(k, _)| k != "authorization"));
        let body = parse(req.body.as_bytes()).unwrap();
        assert_eq!(
            body.get("grant_type").and_then(Value::as_str),
            Some("refresh_token")
        );
        assert_eq!(
            body.get("refresh_token").and_then(Value::as_str),
            Some("rt\"x")
        );
        assert_eq!(
            body.get("client_id").and_then(Value::as_str),
            Some("client id")
        );
    }

    /// Counts the random bytes drawn.
    #[derive(Default)]
    struct Tally(usize);
    impl RandomSource for Tally {
        fn fill(&mut self, buf: &mut [u8]) -> Result<(), Error> {
            self.0 += buf.len();
            buf.fill(7);
            Ok(())
        }
    }

    #[test]
    fn a_chosen_code_verifier_is_used_and_no_random_bytes_are_drawn_for_it() {
        let verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
        let params = AuthorizationUrlParams {
            redirect_uri: "https://app.example/cb".into(),
            state: Some("given-state".into()),
            code_verifier: Some(verifier.into()),
            ..Default::default()
        };
        let mut rng = Tally::default();
        let out = app().authorization_url(&params, &mut rng).unwrap();
        assert_eq!(
            rng.0, 0,
            "nothing is random when verifier and state are given"
        );
        assert_eq!(out.code_verifier.secret(), verifier);
        assert!(out
            .url
            .contains("code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM&"));
        assert!(!format!("{params:?}").contains(verifier));
        // Only the state is drawn when the verifier is given.
        let mut rng = Tally::default();
        let params = AuthorizationUrlParams {
            state: None,
            ..params
        };
        app().authorization_url(&params, &mut rng).unwrap();
        assert_eq!(rng.0, STATE_BYTES);
        let mut rng = Tally::default();
        let params = AuthorizationUrlParams {
            code_verifier: None,
            ..params
        };
        app().authorization_url(&params, &mut rng).unwrap();
        assert_eq!(rng.0, STATE_BYTES + VERIFIER_BYTES);
        // 43 and 128 characters, the whole alphabet.
        for ok in ["a".repeat(43), "Z".repeat(128), "AZaz09-._~".repeat(5)] {
            let params = AuthorizationUrlParams {
                code_verifier: Some(ok.clone()),
                ..params.clone()
            };
            assert!(app().authorization_url(&params, &mut rng).is_ok(), "{ok}");
        }
    }

    #[test]
    fn a_chosen_code_verifier_must_follow_rfc_7636() {
        for bad in [
            String::new(),
            "short-verifier".to_owned(),
            "a".repeat(42),
            "a".repeat(129),
            format!("{}+", "a".repeat(43)),
            format!("{} b", "a".repeat(43)),
            format!("{}é", "a".repeat(43)),
            format!("{}%41", "a".repeat(43)),
        ] {
            let params = AuthorizationUrlParams {
                redirect_uri: "https://app.example/cb".into(),
                code_verifier: Some(bad.clone()),
                ..Default::default()
            };
            let mut rng = Tally::default();
            let err = app().authorization_url(&params, &mut rng).unwrap_err();
            assert_eq!(err.code, ErrorCode::InvalidArgument, "{bad}");
            assert!(err.message.contains("43 to 128"), "{}", err.message);
            assert!(err.message.contains("RFC 7636"));
            if bad.len() >= 6 {
                assert!(!err.message.contains(&bad), "the value is echoed");
            }
        }
    }
}
