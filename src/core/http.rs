//! Requests and responses as plain values, and the reading of every Coze OAuth response.
//!
//! The core builds [`HttpRequest`]s and reads [`HttpResponse`]s; a [`crate::Transport`]
//! moves them. That keeps every protocol decision testable without a network.

use super::config::LOG_ID_HEADER;
use super::error::{scrub, Error, ErrorCode};
use super::json::{self, Value};
use super::text::{blank, cat, find, int};
use crate::prelude::*;

/// Largest response body read; Coze's OAuth answers are well under 4 KB.
pub const MAX_BODY_BYTES: usize = 1 << 20;

/// An HTTP request to send. Always `POST` with a JSON body, as every Coze OAuth call is.
/// Transports must not follow redirects for it.
#[derive(Clone, PartialEq, Eq)]
pub struct HttpRequest {
    /// `POST`.
    pub method: &'static str,
    /// Absolute URL.
    pub url: String,
    /// Header names in lower case. May hold a secret (`authorization`).
    pub headers: Vec<(String, String)>,
    /// JSON text. May hold secrets (code, verifier, refresh token).
    pub body: String,
}

impl HttpRequest {
    /// A JSON `POST` to `url`.
    pub fn post_json(url: String, body: String) -> Self {
        HttpRequest {
            method: "POST",
            url,
            headers: vec![("content-type".to_owned(), "application/json".to_owned())],
            body,
        }
    }

    /// Adds `Authorization: Bearer <credential>`.
    pub fn with_bearer(mut self, credential: &str) -> Self {
        self.headers
            .push(("authorization".to_owned(), cat(&["Bearer ", credential])));
        self
    }
}

impl core::fmt::Debug for HttpRequest {
    // The body and the authorization header carry secrets: show only their sizes.
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let names: Vec<&str> = self.headers.iter().map(|(k, _)| k.as_str()).collect();
        f.debug_struct("HttpRequest")
            .field("method", &self.method)
            .field("url", &self.url)
            .field("headers", &names)
            .field("body_len", &self.body.len())
            .finish()
    }
}

/// An HTTP response as received.
#[derive(Clone, PartialEq, Eq)]
pub struct HttpResponse {
    /// Status code. `0` stands for a browser's opaque redirect (`redirect: "manual"`).
    pub status: u16,
    /// Headers; names compared case-insensitively.
    pub headers: Vec<(String, String)>,
    /// Body bytes.
    pub body: Vec<u8>,
}

impl core::fmt::Debug for HttpResponse {
    // A body may hold tokens.
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("HttpResponse")
            .field("status", &self.status)
            .field("headers", &self.headers)
            .field("body_len", &self.body.len())
            .finish()
    }
}

impl HttpResponse {
    /// The first header called `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Coze's log id, if the response has one that looks like one: 1 to 64 characters of
    /// `0-9 A-Z a-z _ -` (surrounding spaces trimmed). Anything else is dropped rather than
    /// copied into errors and logs, where a forged header could inject text.
    pub fn log_id(&self) -> Option<String> {
        self.header(LOG_ID_HEADER)
            .map(str::trim_ascii)
            .filter(|v| {
                (1..=64).contains(&v.len())
                    && v.bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
            })
            .map(str::to_owned)
    }
}

/// The string member `key`, unless it is blank (by [`blank`]'s rule); ASCII spaces around it
/// are trimmed.
fn string_field<'a>(body: &'a Value, key: &str) -> Option<&'a str> {
    body.get(key)
        .and_then(Value::as_str)
        .filter(|s| !blank(s))
        .map(str::trim_ascii)
}

/// What an error body says: Coze's code (if any), its message, and its `param`.
struct BodyError<'a> {
    code: Option<String>,
    message: Option<&'a str>,
    param: Option<&'a str>,
}

/// If `body` is an error answer, what it says. Coze's OAuth errors use `error_code` (some SDKs
/// read `error`) and `error_message` (or `error_description`); other OpenAPI errors use a
/// non-zero numeric `code` with `msg`. A body with a message but no code and no
/// `access_token` is an error too (cozepy raises with the message).
fn error_in_body(body: &Value) -> Option<BodyError<'_>> {
    let oauth_message =
        string_field(body, "error_message").or_else(|| string_field(body, "error_description"));
    let message = oauth_message.or_else(|| string_field(body, "msg"));
    let error_code = string_field(body, "error_code");
    let error = string_field(body, "error");
    // go and java keep the body's `error` as `Param` when `error_code` holds the code.
    let param =
        string_field(body, "param").or(error.filter(|e| error_code.is_some_and(|c| c != *e)));
    let code = match error_code.or(error) {
        Some(code) => Some(code.to_owned()),
        None => match body.get("code") {
            Some(code) => match code.as_i64() {
                Some(0) => None,
                Some(n) => Some(int(n)),
                None => code.as_str().map(str::to_owned),
            },
            None => None,
        },
    };
    if code.is_none() && (oauth_message.is_none() || body.get("access_token").is_some()) {
        return None;
    }
    Some(BodyError {
        code,
        message,
        param,
    })
}

/// What to do about an `invalid_grant`: which value did not match, when Coze's message or
/// `param` says (a wrong verifier or redirect URI is a bug to fix, not a login to restart).
fn invalid_grant_hint(lower_message: &str, param: Option<&str>) -> &'static str {
    let names = |what: &str| find(lower_message, what).is_some() || param == Some(what);
    if names("code_verifier") {
        " The code verifier does not match the code challenge of the authorize URL: send the verifier made with that URL (the one kept with its state)."
    } else if names("redirect_uri") {
        " The redirect URI must be exactly the one of the authorize URL."
    } else if names("client_id") {
        " The code or refresh token was issued to another app (client id)."
    } else {
        " The code or refresh token is invalid, expired or already used: start the login again."
    }
}

fn oauth_error(status: u16, log_id: Option<String>, body: BodyError, secrets: &[&str]) -> Error {
    let code = body.code.map(|c| scrub(&c, secrets));
    let message = body.message.map(|m| scrub(m, secrets));
    let param = body.param.map(|p| scrub(p, secrets));
    let code_text = code.as_deref().unwrap_or("");
    let lower = message.as_deref().unwrap_or("").to_ascii_lowercase();
    let wrong_region = matches!(code_text, "4100" | "4101")
        || (find(&lower, "kid").is_some() && find(&lower, "regist").is_some());
    let mut text = String::from("Coze rejected the request");
    if !code_text.is_empty() {
        text.push_str(": ");
        text.push_str(code_text);
    }
    if let Some(m) = &message {
        text.push_str(" (");
        text.push_str(m);
        text.push(')');
    }
    if let Some(p) = &param {
        text.push_str(&cat(&[" [param ", p, "]"]));
    }
    text.push('.');
    match code_text {
        "invalid_grant" => text.push_str(invalid_grant_hint(&lower, param.as_deref())),
        "access_denied" => text.push_str(" The user declined the authorization."),
        _ => {}
    }
    if wrong_region {
        text.push(' ');
        text.push_str(super::config::REGION_HINT);
    }
    if let Some(id) = &log_id {
        text.push_str(&cat(&[" (logId ", id, ")"]));
    }
    let mut err = Error::new(ErrorCode::OAuthError, text).with_response(status, log_id);
    err.error_code = code;
    err.error_message = message;
    err.param = param;
    err
}

/// The error for a response body over [`MAX_BODY_BYTES`] (declared or received).
pub fn body_too_large(status: u16, log_id: Option<String>) -> Error {
    Error::invalid_response(
        "Coze's response body is larger than 1048576 bytes (1 MiB); refusing to read it.",
    )
    .with_response(status, log_id)
}

/// Reads a Coze OAuth response into its JSON object, or the error it stands for:
/// - a redirect (3xx or an opaque redirect) is refused, because token calls never follow one;
/// - an error body (`error_code`/`error`, or a non-zero `code`) is `oauth_error`, whatever the
///   status, since Coze answers errors with 200 as well as 4xx;
/// - any other non-2xx is `http_error`; a 2xx that is not a JSON object is `invalid_response`.
///
/// `secrets` are the values sent with the request; server text that echoes one is scrubbed.
pub(crate) fn read_json_object(response: &HttpResponse, secrets: &[&str]) -> Result<Value, Error> {
    let status = response.status;
    let log_id = response.log_id();
    if status == 0 || (300..400).contains(&status) {
        return Err(Error::new(
            ErrorCode::HttpError,
            cat(&["Coze answered with a redirect (HTTP ", &int(status.into()), "); OAuth calls never follow redirects. Check baseURL: it should be the API host, e.g. https://api.coze.cn."]),
        )
        .with_response(status, log_id));
    }
    if response.body.len() > MAX_BODY_BYTES {
        return Err(body_too_large(status, log_id));
    }
    let parsed = json::parse(&response.body);
    if let Ok(body) = &parsed {
        if let Some(found) = error_in_body(body) {
            return Err(oauth_error(status, log_id, found, secrets));
        }
    }
    if !(200..300).contains(&status) {
        let mut text = cat(&[
            "Coze answered HTTP ",
            &int(status.into()),
            " without an OAuth error body.",
        ]);
        if status >= 500 || status == 429 {
            text.push_str(" The service is failing or busy: try again later.");
        } else if status == 404 {
            text.push_str(" Check baseURL: it should be the API host, e.g. https://api.coze.cn.");
        }
        if let Some(id) = &log_id {
            text.push_str(&cat(&[" (logId ", id, ")"]));
        }
        return Err(Error::new(ErrorCode::HttpError, text).with_response(status, log_id));
    }
    match parsed {
        Ok(body) if body.is_object() => Ok(body),
        Ok(_) => Err(
            Error::invalid_response("Coze's response is JSON but not an object.")
                .with_response(status, log_id),
        ),
        Err(e) => Err(Error::invalid_response(cat(&[
            "Coze's response is not valid JSON (",
            e.reason,
            " at byte ",
            &int(e.offset as i64),
            "). A proxy or captive portal may be answering instead of Coze.",
        ]))
        .with_response(status, log_id)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn response(status: u16, body: &str) -> HttpResponse {
        HttpResponse {
            status,
            headers: vec![("X-Tt-Logid".into(), "log123".into())],
            body: body.as_bytes().to_vec(),
        }
    }

    #[test]
    fn an_invalid_grant_says_which_value_did_not_match_when_coze_does() {
        let message = |body: &str| {
            read_json_object(&response(400, body), &[])
                .unwrap_err()
                .message
                .clone()
        };
        let verifier = message(
            r#"{"error_code":"invalid_grant","error_message":"code_verifier does not match the code_challenge"}"#,
        );
        assert!(
            verifier.contains("code verifier does not match"),
            "{verifier}"
        );
        assert!(!verifier.contains("start the login again"), "{verifier}");
        let by_param = message(
            r#"{"error_code":"invalid_grant","error_message":"bad","param":"redirect_uri"}"#,
        );
        assert!(
            by_param.contains("redirect URI must be exactly"),
            "{by_param}"
        );
        let other = message(r#"{"error_code":"invalid_grant","error_message":"code expired"}"#);
        assert!(other.contains("start the login again"), "{other}");
    }

    #[test]
    fn success_body_is_returned() {
        let v = read_json_object(&response(200, r#"{"access_token":"a"}"#), &[]).unwrap();
        assert_eq!(v.get("access_token").and_then(Value::as_str), Some("a"));
    }

    #[test]
    fn every_error_encoding_is_an_oauth_error() {
        let cases = [
            (
                400,
                r#"{"error_code":"invalid_grant","error_message":"bad code"}"#,
                "invalid_grant",
                Some("bad code"),
            ),
            (
                200,
                r#"{"error_code":"invalid_grant","error_message":"bad code"}"#,
                "invalid_grant",
                Some("bad code"),
            ),
            (
                400,
                r#"{"error":"access_denied","error_description":"no"}"#,
                "access_denied",
                Some("no"),
            ),
            (200, r#"{"error":"slow_down"}"#, "slow_down", None),
            (
                401,
                r#"{"code":4100,"msg":"authentication is invalid"}"#,
                "4100",
                Some("authentication is invalid"),
            ),
            (
                200,
                r#"{"code":"4101","msg":"token incorrect"}"#,
                "4101",
                Some("token incorrect"),
            ),
        ];
        for (status, body, code, message) in cases {
            let err = read_json_object(&response(status, body), &[]).unwrap_err();
            assert_eq!(err.code, ErrorCode::OAuthError, "{body}");
            assert_eq!(err.error_code.as_deref(), Some(code));
            assert_eq!(err.error_message.as_deref(), message);
            assert_eq!(err.status, Some(status));
            assert_eq!(err.log_id.as_deref(), Some("log123"));
            assert!(err.message.contains(code));
        }
        let ok = read_json_object(&response(200, r#"{"code":0,"access_token":"a"}"#), &[]);
        assert!(ok.is_ok());
    }

    #[test]
    fn region_hint_for_4100_and_kid_not_registered() {
        let err = read_json_object(&response(401, r#"{"code":4100,"msg":"x"}"#), &[]).unwrap_err();
        assert!(err.message.contains("api.coze.com"));
        let err = read_json_object(
            &response(400, r#"{"error_code":"invalid_jwt","error_message":"invalid jwt: kid not been registred"}"#),
            &[],
        )
        .unwrap_err();
        assert!(err.message.contains("region"));
        let err =
            read_json_object(&response(400, r#"{"error_code":"invalid_grant"}"#), &[]).unwrap_err();
        assert!(!err.message.contains("region"));
    }

    #[test]
    fn bad_responses_are_typed() {
        let err = read_json_object(&response(502, "<html>Bad Gateway</html>"), &[]).unwrap_err();
        assert_eq!((err.code, err.status), (ErrorCode::HttpError, Some(502)));
        let err = read_json_object(&response(500, ""), &[]).unwrap_err();
        assert_eq!((err.code, err.status), (ErrorCode::HttpError, Some(500)));
        let err = read_json_object(&response(200, "{not json"), &[]).unwrap_err();
        assert_eq!(err.code, ErrorCode::InvalidResponse);
        let err = read_json_object(&response(200, "[1]"), &[]).unwrap_err();
        assert_eq!(err.code, ErrorCode::InvalidResponse);
        let err = read_json_object(&response(302, ""), &[]).unwrap_err();
        assert_eq!(err.code, ErrorCode::HttpError);
        assert!(err.message.contains("redirect"));
        let err = read_json_object(&response(0, ""), &[]).unwrap_err();
        assert_eq!(err.code, ErrorCode::HttpError);
        let mut big = response(200, "");
        big.body = vec![b' '; MAX_BODY_BYTES + 1];
        assert_eq!(
            read_json_object(&big, &[]).unwrap_err().code,
            ErrorCode::InvalidResponse
        );
        let mut bad_utf8 = response(200, "");
        bad_utf8.body = b"{\"a\":\"\xff\"}".to_vec();
        assert_eq!(
            read_json_object(&bad_utf8, &[]).unwrap_err().code,
            ErrorCode::InvalidResponse
        );
    }

    #[test]
    fn server_text_echoing_a_secret_is_scrubbed() {
        let body = r#"{"error_code":"invalid_grant","error_message":"code SECRETCODE123 is bad"}"#;
        let err = read_json_object(&response(400, body), &["SECRETCODE123"]).unwrap_err();
        assert!(!err.message.contains("SECRETCODE123"));
        assert!(!err
            .error_message
            .as_deref()
            .unwrap()
            .contains("SECRETCODE123"));
    }

    #[test]
    fn request_debug_hides_secrets() {
        let req = HttpRequest::post_json(
            "https://api.coze.cn/x".into(),
            r#"{"code":"SECRET"}"#.into(),
        )
        .with_bearer("TOPSECRET");
        let shown = format!("{req:?}");
        assert!(!shown.contains("SECRET"));
        assert!(shown.contains("authorization"));
    }

    #[test]
    fn encoded_echoes_of_a_secret_are_scrubbed_too() {
        let secret = "AbC de/f+g\"h\\i~é";
        for echo in [
            // Form encoding (space as +), upper and lower hex, JSON escapes, and mixtures.
            "AbC+de%2Ff%2Bg%22h%5Ci%7E%C3%A9",
            "AbC%20de%2ff%2bg%22h%5ci~%c3%a9",
            "%41bC%20de%2Ff%2Bg%22h%5Ci%7E%C3%A9",
            r#"AbC de/f+g\"h\\i~é"#,
            r#"AbC de\/f+g\"h\\i~\u00e9"#,
            r#"AbC\u0020de/f+g\u0022h\u005ci~\u00E9"#,
        ] {
            let mut body = String::from(r#"{"error_code":"invalid_grant","error_message":"#);
            crate::core::json::write_string(&mut body, &format!("bad code [{echo}] sent"));
            body.push('}');
            let err = read_json_object(&response(400, &body), &[secret]).unwrap_err();
            let shown = format!("{err} {err:?}");
            assert!(!shown.contains(echo), "{echo} in {shown}");
            assert_eq!(
                err.error_message.as_deref(),
                Some("bad code [[redacted]] sent"),
                "{echo}"
            );
        }
        // Text around a partial echo is kept.
        let body = r#"{"error_code":"x","error_message":"AbC+de is half"}"#;
        let err = read_json_object(&response(400, body), &[secret]).unwrap_err();
        assert_eq!(err.error_message.as_deref(), Some("AbC+de is half"));
    }

    #[test]
    fn a_log_id_is_kept_only_when_it_looks_like_one() {
        let with_log_id = |id: &str| HttpResponse {
            status: 400,
            headers: vec![("x-tt-logid".into(), id.into())],
            body: br#"{"error_code":"x"}"#.to_vec(),
        };
        for good in [
            "20261121fuzz",
            "0123456789abcdefABCDEF_-",
            &"a".repeat(64),
            " 7 ",
        ] {
            let err = read_json_object(&with_log_id(good), &[]).unwrap_err();
            assert_eq!(err.log_id.as_deref(), Some(good.trim()), "{good}");
        }
        for bad in [
            "",
            "a b",
            "id\u{2028}forged line",
            "<script>",
            "x;y",
            "logid=1",
            &"a".repeat(65),
            "é",
        ] {
            let err = read_json_object(&with_log_id(bad), &[]).unwrap_err();
            assert_eq!(err.log_id, None, "{bad:?}");
            assert!(!err.message.contains("logId"), "{bad:?}");
        }
    }

    #[test]
    fn an_ok_status_with_only_an_error_message_is_an_oauth_error() {
        for status in [200, 400] {
            let err = read_json_object(
                &response(status, r#"{"error_message":"app SECRET99 is disabled"}"#),
                &["SECRET99"],
            )
            .unwrap_err();
            assert_eq!(err.code, ErrorCode::OAuthError, "{status}");
            assert_eq!(err.error_code, None);
            assert_eq!(
                err.error_message.as_deref(),
                Some("app [redacted] is disabled")
            );
            assert_eq!(err.log_id.as_deref(), Some("log123"));
            assert_eq!(err.status, Some(status));
            assert!(err.message.contains("app [redacted] is disabled"));
            assert!(err.message.contains("log123"));
        }
        // A token body that also carries a message is still a token body.
        assert!(read_json_object(
            &response(200, r#"{"access_token":"a","error_message":""}"#),
            &[]
        )
        .is_ok());
    }

    #[test]
    fn coze_param_is_kept_and_scrubbed() {
        let err = read_json_object(
            &response(
                400,
                r#"{"error_code":"invalid_request","error_message":"bad","param":"redirect_uri"}"#,
            ),
            &[],
        )
        .unwrap_err();
        assert_eq!(err.param.as_deref(), Some("redirect_uri"));
        assert_eq!(err.error_code.as_deref(), Some("invalid_request"));
        assert!(err.message.contains("redirect_uri"));
        // go and java keep the body's `error` as the param when `error_code` holds the code.
        let err = read_json_object(
            &response(
                400,
                r#"{"error_code":"invalid_client","error":"secret czs_SECRET_42 refused"}"#,
            ),
            &["czs_SECRET_42"],
        )
        .unwrap_err();
        assert_eq!(err.error_code.as_deref(), Some("invalid_client"));
        assert_eq!(err.param.as_deref(), Some("secret [redacted] refused"));
        assert!(!format!("{err:?}").contains("czs_SECRET_42"));
        // `error` alone is the code, not a param.
        let err = read_json_object(&response(400, r#"{"error":"slow_down"}"#), &[]).unwrap_err();
        assert_eq!(
            (err.error_code.as_deref(), err.param.as_deref()),
            (Some("slow_down"), None)
        );
    }
}
