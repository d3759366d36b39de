//! The authorization code flow of Coze's web apps: confidential clients with a client secret
//! (protocol file §4.1, §4.5). Server-side only: the secret must never reach a browser.
//!
//! The secret goes in `Authorization: Bearer <client_secret>` on the exchange and the refresh,
//! never in the body. State is generated (128 CSPRNG bits) unless given, and the callback's
//! state is checked in constant time before its code is used.

use super::callback::parse_callback;
use super::clock::Clock;
use super::config::{
    api_and_www_base_urls, authorize_url, require_non_empty, validate_client_id,
    GRANT_AUTHORIZATION_CODE,
};
use super::error::{scrub, Error, ErrorCode};
use super::http::{HttpRequest, HttpResponse};
use super::json::ObjectWriter;
use super::pkce::{given_or_new_state, validate_authorize_params, validate_redirect_uri};
use super::random::RandomSource;
use super::secret::{constant_time_eq, Secret};
use super::text::{blank, cat};
use super::token::{read_token_response, request_token, OAuthToken};
use crate::prelude::*;
use crate::transport::Transport;

/// How to build a [`WebOAuthApp`].
#[derive(Debug, Clone, Default)]
pub struct WebOAuthAppOptions {
    /// The OAuth app's client id. Required.
    pub client_id: String,
    /// The OAuth app's client secret. Required.
    pub client_secret: Secret,
    /// API base URL; default [`COZE_CN_BASE_URL`](crate::COZE_CN_BASE_URL).
    pub base_url: Option<String>,
    /// Consent host; default derived from `base_url` (`api.` → `www.`).
    pub www_base_url: Option<String>,
}

/// Parameters of [`WebOAuthApp::authorization_url`].
#[derive(Clone, Default)]
pub struct WebAuthorizationUrlParams {
    /// Where Coze sends the user back; must match the app's registration exactly.
    pub redirect_uri: String,
    /// Anti-CSRF value; `None` generates 128 random bits.
    pub state: Option<String>,
    /// Scope consent to one workspace.
    pub workspace_id: Option<String>,
}

impl core::fmt::Debug for WebAuthorizationUrlParams {
    // A caller-given state is as secret as a generated one.
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("WebAuthorizationUrlParams")
            .field("redirect_uri", &self.redirect_uri)
            .field("state", &crate::core::secret::redacted_option(&self.state))
            .field("workspace_id", &self.workspace_id)
            .finish()
    }
}

/// An authorize URL and the state to keep (in the user's session) until the callback.
#[derive(Clone, PartialEq, Eq)]
pub struct WebAuthorizationUrl {
    /// The URL on the www host.
    pub url: String,
    /// The state in `url`.
    pub state: Secret,
}

impl core::fmt::Debug for WebAuthorizationUrl {
    // The URL carries the state.
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("WebAuthorizationUrl")
            .field(
                "url",
                &crate::core::secret::url_with_state_redacted(&self.url),
            )
            .field("state", &self.state)
            .finish()
    }
}

/// A web (confidential) OAuth app. `Debug` redacts the client secret.
///
/// Server side only: it holds the client secret. A login, with a stand-in for the HTTP client
/// that checks the secret is sent as a bearer token (plug in a real client the same way: see
/// `examples/web_login.rs`):
///
/// ```
/// use coze_auth::{
///     Error, HttpRequest, HttpResponse, Secret, SystemClock, SystemRandom, Transport,
///     WebAuthorizationUrlParams, WebOAuthApp, WebOAuthAppOptions,
/// };
///
/// struct StandIn;
/// impl Transport for StandIn {
///     async fn send(&self, request: HttpRequest) -> Result<HttpResponse, Error> {
///         assert!(request.headers.contains(&("authorization".into(), "Bearer my-client-secret".into())));
///         assert!(!request.body.contains("my-client-secret")); // never in the body
///         let body = r#"{"access_token":"czs_at","expires_in":1893456000,"refresh_token":"czs_rt","token_type":"Bearer"}"#;
///         Ok(HttpResponse { status: 200, headers: vec![], body: body.into() })
///     }
/// }
///
/// # fn main() -> Result<(), Error> { futures_executor::block_on(async {
/// let app = WebOAuthApp::new(WebOAuthAppOptions {
///     client_id: "my-web-client-id".into(),
///     client_secret: Secret::new("my-client-secret"), // e.g. from COZE_WEB_OAUTH_CLIENT_SECRET
///     ..Default::default()
/// })?;
/// let redirect_uri = "https://app.example/callback";
/// let auth = app.authorization_url(
///     &WebAuthorizationUrlParams { redirect_uri: redirect_uri.into(), ..Default::default() },
///     &mut SystemRandom,
/// )?;
/// // Redirect the user to auth.url and keep auth.state in their session. Coze sends them back:
/// let callback = format!("{redirect_uri}?code=the-code&state={}", auth.state.secret());
/// let code = app.code_from_callback(&callback, auth.state.secret())?; // checks the state
/// let token = app.exchange_code(&StandIn, &SystemClock, code.secret(), redirect_uri).await?;
/// assert_eq!(token.access_token.secret(), "czs_at");
/// # Ok(()) }) }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebOAuthApp {
    client_id: String,
    client_secret: Secret,
    base_url: String,
    www_base_url: String,
}

impl WebOAuthApp {
    /// Checks the options: `invalid_argument` for a missing client id or secret or a bad URL.
    pub fn new(options: WebOAuthAppOptions) -> Result<Self, Error> {
        validate_client_id(&options.client_id)?;
        let secret = options.client_secret.secret();
        if blank(secret) || secret.chars().any(|c| c.is_control() || c == ' ') {
            return Err(Error::invalid_argument(
                "clientSecret is required (and has no spaces or control characters): copy it from the web app's page in the Coze console.",
            ));
        }
        let (base_url, www_base_url) =
            api_and_www_base_urls(options.base_url.as_deref(), options.www_base_url.as_deref())?;
        Ok(WebOAuthApp {
            client_id: options.client_id,
            client_secret: options.client_secret,
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

    /// The authorize URL (`response_type`, `client_id`, `redirect_uri`, `state`), with a fresh
    /// state from `rng` unless one is given. No network.
    pub fn authorization_url(
        &self,
        params: &WebAuthorizationUrlParams,
        rng: &mut dyn RandomSource,
    ) -> Result<WebAuthorizationUrl, Error> {
        validate_authorize_params(
            &params.redirect_uri,
            params.state.as_deref(),
            params.workspace_id.as_deref(),
        )?;
        let state = given_or_new_state(params.state.as_deref(), rng)?;
        let url = authorize_url(
            &self.www_base_url,
            params.workspace_id.as_deref(),
            &self.client_id,
            &params.redirect_uri,
            state.secret(),
            &[],
        );
        Ok(WebAuthorizationUrl { url, state })
    }

    /// Reads the callback URL Coze redirected to: checks its state against `expected_state`
    /// (the one [`Self::authorization_url`] returned; constant time) and returns the code.
    /// `invalid_state` on a missing or different state, `oauth_error` when Coze sent an error
    /// (e.g. `access_denied`), `invalid_argument` when there is no code.
    pub fn code_from_callback(
        &self,
        callback_url: &str,
        expected_state: &str,
    ) -> Result<Secret, Error> {
        let callback = parse_callback(callback_url);
        let state = callback.state.as_ref().ok_or_else(|| {
            Error::new(
                ErrorCode::InvalidState,
                "The callback URL has no state, so it cannot be matched to a login this app started: start the login again.",
            )
        })?;
        if expected_state.is_empty()
            || !constant_time_eq(state.secret().as_bytes(), expected_state.as_bytes())
        {
            return Err(Error::new(
                ErrorCode::InvalidState,
                "The callback's state does not match the login's: start the login again.",
            ));
        }
        if let Some(error) = &callback.error {
            let secrets = [expected_state, self.client_secret.secret()];
            let code = scrub(error, &secrets);
            let description = callback
                .error_description
                .as_deref()
                .map(|d| scrub(d, &secrets));
            let mut text = cat(&["Coze did not authorize the login: ", &code]);
            if let Some(d) = &description {
                text.push_str(&cat(&[" (", d, ")"]));
            }
            text.push('.');
            let mut err = Error::new(ErrorCode::OAuthError, text);
            err.error_code = Some(code);
            err.error_message = description;
            return Err(err);
        }
        callback.code.ok_or_else(|| {
            Error::invalid_argument("The callback URL has neither a code nor an error.")
        })
    }

    /// The code exchange: JSON `{grant_type, client_id, code, redirect_uri}` with
    /// `Authorization: Bearer <client_secret>` (no secret in the body).
    pub fn exchange_request(&self, code: &str, redirect_uri: &str) -> Result<HttpRequest, Error> {
        require_non_empty(code, "code")?;
        validate_redirect_uri(redirect_uri)?;
        let body = ObjectWriter::new()
            .string("grant_type", GRANT_AUTHORIZATION_CODE)
            .string("client_id", &self.client_id)
            .string("code", code)
            .string("redirect_uri", redirect_uri)
            .finish();
        Ok(
            HttpRequest::post_json(super::token::token_url(&self.base_url), body)
                .with_bearer(self.client_secret.secret()),
        )
    }

    /// The refresh: JSON `{grant_type, client_id, refresh_token}` with
    /// `Authorization: Bearer <client_secret>`.
    pub fn refresh_request(&self, refresh_token: &str) -> Result<HttpRequest, Error> {
        Ok(
            super::token::refresh_request(&self.base_url, &self.client_id, refresh_token)?
                .with_bearer(self.client_secret.secret()),
        )
    }

    /// Reads the answer to [`Self::exchange_request`] or [`Self::refresh_request`]; `secrets`
    /// (the code or refresh token sent) and the client secret are scrubbed from server text.
    pub fn read_token_response(
        &self,
        response: &HttpResponse,
        now: i64,
        secrets: &[&str],
    ) -> Result<OAuthToken, Error> {
        let mut all: Vec<&str> = secrets.to_vec();
        all.push(self.client_secret.secret());
        read_token_response(response, now, &all)
    }

    /// Exchanges the callback's code for a token.
    pub async fn exchange_code<T: Transport, C: Clock + ?Sized>(
        &self,
        transport: &T,
        clock: &C,
        code: &str,
        redirect_uri: &str,
    ) -> Result<OAuthToken, Error> {
        let request = self.exchange_request(code, redirect_uri)?;
        request_token(
            transport,
            clock,
            request,
            &[code, self.client_secret.secret()],
        )
        .await
    }

    /// Trades a refresh token for a new token (whose refresh token may differ: store it).
    pub async fn refresh_token<T: Transport, C: Clock + ?Sized>(
        &self,
        transport: &T,
        clock: &C,
        refresh_token: &str,
    ) -> Result<OAuthToken, Error> {
        let request = self.refresh_request(refresh_token)?;
        request_token(
            transport,
            clock,
            request,
            &[refresh_token, self.client_secret.secret()],
        )
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::random::tests::CountingRandom;

    fn app() -> WebOAuthApp {
        WebOAuthApp::new(WebOAuthAppOptions {
            client_id: "client id".into(),
            client_secret: Secret::new("cs_secret_123"),
            ..Default::default()
        })
        .unwrap()
    }

    #[test]
    fn authorize_url_matches_the_sdk_vector() {
        let params = WebAuthorizationUrlParams {
            redirect_uri: "https://example.com".into(),
            state: Some("state".into()),
            workspace_id: None,
        };
        let com = WebOAuthApp::new(WebOAuthAppOptions {
            client_id: "client id".into(),
            client_secret: Secret::new("s"),
            base_url: Some(crate::COZE_COM_BASE_URL.into()),
            www_base_url: None,
        })
        .unwrap();
        let out = com
            .authorization_url(&params, &mut CountingRandom::default())
            .unwrap();
        assert_eq!(
            out.url,
            "https://www.coze.com/api/permission/oauth2/authorize?response_type=code&client_id=client+id&redirect_uri=https%3A%2F%2Fexample.com&state=state"
        );
        let generated = app()
            .authorization_url(
                &WebAuthorizationUrlParams {
                    redirect_uri: "https://a.example/cb".into(),
                    workspace_id: Some("ws1".into()),
                    ..Default::default()
                },
                &mut CountingRandom::default(),
            )
            .unwrap();
        assert_eq!(generated.state.secret().len(), 22);
        assert!(generated
            .url
            .starts_with("https://www.coze.cn/api/permission/oauth2/workspace_id/ws1/authorize?"));
    }

    #[test]
    fn requests_carry_the_secret_only_in_the_header() {
        let req = app()
            .exchange_request("the-code", "https://a.example/cb")
            .unwrap();
        assert_eq!(req.url, "https://api.coze.cn/api/permission/oauth2/token");
        assert_eq!(
            req.headers,
            vec![
                ("content-type".to_string(), "application/json".to_string()),
                (
                    "authorization".to_string(),
                    "Bearer cs_secret_123".to_string()
                ),
            ]
        );
        assert_eq!(
            req.body,
            r#"{"grant_type":"authorization_code","client_id":"client id","code":"the-code","redirect_uri":"https://a.example/cb"}"#
        );
        let req = app().refresh_request("rt-1").unwrap();
        assert_eq!(
            req.body,
            r#"{"grant_type":"refresh_token","client_id":"client id","refresh_token":"rt-1"}"#
        );
        assert_eq!(req.headers[1].1, "Bearer cs_secret_123");
        assert!(!format!("{:?}", app()).contains("cs_secret"));
    }

    #[test]
    fn callbacks_are_checked() {
        let a = app();
        let code = a
            .code_from_callback("https://a.example/cb?code=c1&state=s1", "s1")
            .unwrap();
        assert_eq!(code.secret(), "c1");
        let err = a
            .code_from_callback("https://a.example/cb?code=c1&state=s2", "s1")
            .unwrap_err();
        assert_eq!(err.code, ErrorCode::InvalidState);
        let err = a
            .code_from_callback("https://a.example/cb?code=c1", "s1")
            .unwrap_err();
        assert_eq!(err.code, ErrorCode::InvalidState);
        let err = a
            .code_from_callback("https://a.example/cb?code=c1&state=", "")
            .unwrap_err();
        assert_eq!(err.code, ErrorCode::InvalidState);
        let err = a
            .code_from_callback(
                "https://a.example/cb?error=access_denied&error_description=no+s1&state=s1",
                "s1",
            )
            .unwrap_err();
        assert_eq!(err.code, ErrorCode::OAuthError);
        assert_eq!(err.error_code.as_deref(), Some("access_denied"));
        let err = a
            .code_from_callback("https://a.example/cb?state=s1", "s1")
            .unwrap_err();
        assert_eq!(err.code, ErrorCode::InvalidArgument);
    }

    #[test]
    fn bad_options_are_invalid_arguments() {
        for options in [
            WebOAuthAppOptions::default(),
            WebOAuthAppOptions {
                client_id: "c".into(),
                ..Default::default()
            },
            WebOAuthAppOptions {
                client_id: "c".into(),
                client_secret: Secret::new("a b"),
                ..Default::default()
            },
            WebOAuthAppOptions {
                client_id: "c".into(),
                client_secret: Secret::new("s"),
                base_url: Some("ftp://x".into()),
                www_base_url: None,
            },
        ] {
            let err = WebOAuthApp::new(options).unwrap_err();
            assert_eq!(err.code, ErrorCode::InvalidArgument);
        }
        assert!(app().exchange_request("", "https://a").is_err());
        assert!(app().exchange_request("c", "nope").is_err());
        assert!(app().refresh_request("").is_err());
    }

    #[test]
    fn server_text_echoing_the_secret_is_scrubbed() {
        let response = HttpResponse {
            status: 400,
            headers: vec![],
            body: br#"{"error_code":"invalid_client","error_message":"bad secret cs_secret_123"}"#
                .to_vec(),
        };
        let err = app().read_token_response(&response, 0, &[]).unwrap_err();
        assert!(!format!("{err:?}").contains("cs_secret_123"));
    }

    #[test]
    fn a_callback_error_never_shows_the_state_or_the_client_secret() {
        let a = app();
        let secret = a.client_secret.secret().to_owned();
        let mut echo = String::new();
        crate::core::encoding::form_encode_into(&mut echo, &secret);
        let mut echo_twice = String::new();
        crate::core::encoding::form_encode_into(&mut echo_twice, &echo);
        for description in [echo.clone(), echo_twice, "st%2540te-1234".to_owned()] {
            let url = format!(
                "https://app.example/cb?state=st%40te-1234&error=invalid_client&error_description={description}"
            );
            let err = a.code_from_callback(&url, "st@te-1234").unwrap_err();
            let shown = format!("{err} {err:?}");
            assert!(!shown.contains(&secret), "{shown}");
            assert!(!shown.contains(&echo), "{shown}");
            assert!(
                !shown.contains("st@te-1234") && !shown.contains("st%40te-1234"),
                "{shown}"
            );
            assert!(shown.contains("[redacted]"), "{shown}");
        }
    }
}
