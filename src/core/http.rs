//! Requests and responses as plain values, and the reading of every Coze OAuth response.
//!
//! The core builds [`HttpRequest`]s and reads [`HttpResponse`]s; a [`crate::Transport`]
//! moves them. That keeps every protocol decision testable without a network.

use super::config::LOG_ID_HEADER;
use super::error::{scrub, Error, ErrorCode};
use super::json::{self, Value};
use super::text::{cat, find, int, truncate};
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

    /// Coze's log id, if the response has one.
    pub fn log_id(&self) -> Option<String> {
        self.header(LOG_ID_HEADER)
            .map(str::trim_ascii)
            .filter(|v| !v.is_empty())
            .map(|v| truncate(v, 128).to_owned())
    }
}

fn string_field<'a>(body: &'a Value, key: &str) -> Option<&'a str> {
    body.get(key)
        .and_then(Value::as_str)
        .map(str::trim_ascii)
        .filter(|s| !s.is_empty())
}

/// If `body` is an error answer, the Coze error code and message in it. Coze's OAuth errors use
/// `error_code` (some SDKs read `error`) and `error_message` (or `error_description`); other
/// OpenAPI errors use a non-zero numeric `code` with `msg`.
fn error_in_body(body: &Value) -> Option<(String, Option<String>)> {
    let message = string_field(body, "error_message")
        .or_else(|| string_field(body, "error_description"))
        .or_else(|| string_field(body, "msg"))
        .map(str::to_owned);
    if let Some(code) = string_field(body, "error_code").or_else(|| string_field(body, "error")) {
        return Some((code.to_owned(), message));
    }
    match body.get("code") {
        Some(code) => match code.as_i64() {
            Some(0) => None,
            Some(n) => Some((int(n), message)),
            None => code.as_str().map(|s| (s.to_owned(), message)),
        },
        None => None,
    }
}

fn oauth_error(
    status: u16,
    log_id: Option<String>,
    code: &str,
    message: Option<String>,
    secrets: &[&str],
) -> Error {
    let code = scrub(code, secrets);
    let message = message.map(|m| scrub(&m, secrets));
    let lower = message.as_deref().unwrap_or("").to_ascii_lowercase();
    let wrong_region = matches!(code.as_str(), "4100" | "4101")
        || (find(&lower, "kid").is_some() && find(&lower, "regist").is_some());
    let mut text = cat(&["Coze rejected the request: ", &code]);
    if let Some(m) = &message {
        text.push_str(" (");
        text.push_str(m);
        text.push(')');
    }
    text.push('.');
    match code.as_str() {
        "invalid_grant" => text.push_str(" The code or refresh token is invalid, expired or already used: start the login again."),
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
    err.error_code = Some(code);
    err.error_message = message;
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
pub fn read_json_object(response: &HttpResponse, secrets: &[&str]) -> Result<Value, Error> {
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
        if let Some((code, message)) = error_in_body(body) {
            return Err(oauth_error(status, log_id, &code, message, secrets));
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
}
