//! The one error type. Every failure has a stable [`ErrorCode`]; messages say what went wrong
//! and what to do, and never contain a code, verifier, token, key or secret.

use core::fmt;

use super::text;
use crate::prelude::*;

/// Stable, machine-readable failure kinds (the JS `CozeAuthError.code`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorCode {
    /// An option or parameter is missing or malformed; nothing was sent.
    InvalidArgument,
    /// The callback's state is missing or does not match.
    InvalidState,
    /// No stored pending login matches the callback.
    MissingPendingFlow,
    /// Coze answered with an OAuth error body.
    OAuthError,
    /// Coze answered with an HTTP error status and no OAuth error body.
    HttpError,
    /// The response could not be understood.
    InvalidResponse,
    /// No complete response within the time limit.
    Timeout,
    /// The caller aborted.
    Aborted,
    /// No HTTP response at all (DNS, refused, reset, CORS).
    NetworkError,
    /// A private key that cannot be used: malformed, truncated, encrypted, not RSA, or of an
    /// unsupported size. The message names the accepted formats and never quotes the key.
    InvalidKey,
}

impl ErrorCode {
    /// The code as JS sees it, e.g. `"oauth_error"`.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::InvalidArgument => "invalid_argument",
            ErrorCode::InvalidState => "invalid_state",
            ErrorCode::MissingPendingFlow => "missing_pending_flow",
            ErrorCode::OAuthError => "oauth_error",
            ErrorCode::HttpError => "http_error",
            ErrorCode::InvalidResponse => "invalid_response",
            ErrorCode::Timeout => "timeout",
            ErrorCode::Aborted => "aborted",
            ErrorCode::NetworkError => "network_error",
            ErrorCode::InvalidKey => "invalid_key",
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A failure of any flow: its [`ErrorDetails`] (read them as fields, `err.code`, through
/// `Deref`). Boxed, so a `Result` stays one pointer wide: moving a wide error through every `?`
/// was a large part of the WebAssembly module.
#[derive(Clone, PartialEq, Eq)]
pub struct Error(Box<ErrorDetails>);

/// What an [`Error`] carries. Fields mirror JS `CozeAuthError`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErrorDetails {
    /// What went wrong, as a stable code.
    pub code: ErrorCode,
    /// Human text: what went wrong and what to do. Contains no secret.
    pub message: String,
    /// Coze's OAuth error code (`error_code` or `error` in the body).
    pub error_code: Option<String>,
    /// Coze's human text (`error_message` or `error_description`), secrets scrubbed.
    pub error_message: Option<String>,
    /// HTTP status, when a response arrived.
    pub status: Option<u16>,
    /// Coze's `x-tt-logid` response header.
    pub log_id: Option<String>,
    /// A description of the underlying failure (for example the transport's), when there is one.
    pub cause: Option<String>,
}

impl Error {
    /// An error with just a code and a message.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Error(Box::new(ErrorDetails {
            code,
            message: message.into(),
            error_code: None,
            error_message: None,
            status: None,
            log_id: None,
            cause: None,
        }))
    }

    /// `invalid_argument`.
    pub fn invalid_argument(message: impl Into<String>) -> Self {
        Error::new(ErrorCode::InvalidArgument, message)
    }

    /// `invalid_response`, with the status and log id of the response.
    pub fn invalid_response(message: impl Into<String>) -> Self {
        Error::new(ErrorCode::InvalidResponse, message)
    }

    /// Adds the underlying cause.
    pub fn with_cause(mut self, cause: impl Into<String>) -> Self {
        self.cause = Some(cause.into());
        self
    }

    /// Adds the HTTP status and the log id.
    pub fn with_response(mut self, status: u16, log_id: Option<String>) -> Self {
        self.status = Some(status);
        self.log_id = log_id;
        self
    }

    /// Coze's OAuth error code (`error_code` or `error`) when this is an `oauth_error`.
    pub fn oauth_error_code(&self) -> Option<&str> {
        match self.code {
            ErrorCode::OAuthError => self.error_code.as_deref(),
            _ => None,
        }
    }

    /// True for a device poll answered `authorization_pending`: the user has not acted yet;
    /// poll again after the interval. Only a one-shot poll returns it.
    pub fn is_authorization_pending(&self) -> bool {
        self.oauth_error_code() == Some(super::config::AUTHORIZATION_PENDING)
    }

    /// True for a device poll answered `slow_down`: poll again, 5 s further apart than before.
    /// Only a one-shot poll returns it.
    pub fn is_slow_down(&self) -> bool {
        self.oauth_error_code() == Some(super::config::SLOW_DOWN)
    }
}

impl core::ops::Deref for Error {
    type Target = ErrorDetails;
    fn deref(&self) -> &ErrorDetails {
        &self.0
    }
}

impl core::ops::DerefMut for Error {
    fn deref_mut(&mut self) -> &mut ErrorDetails {
        &mut self.0
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

#[cfg(not(all(target_arch = "wasm32", feature = "npm", not(feature = "fetch"))))]
impl std::error::Error for Error {}

/// Replaces every occurrence of each secret in `text` with `[redacted]`, and caps the length
/// (1000 bytes).
/// Used on text that comes from the server, which might echo what we sent.
pub(crate) fn scrub(text: &str, secrets: &[&str]) -> String {
    const MAX_BYTES: usize = 1000;
    let mut out = text.to_owned();
    for secret in secrets {
        // Very short values (like "1") would redact innocent text and are not secret enough to matter.
        if secret.len() >= 6 {
            out = text::replace(&out, secret, "[redacted]");
        }
    }
    if out.len() > MAX_BYTES {
        out = text::cat(&[text::truncate(&out, MAX_BYTES), "…"]);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_stable_strings() {
        assert_eq!(
            ErrorCode::MissingPendingFlow.as_str(),
            "missing_pending_flow"
        );
        assert_eq!(ErrorCode::OAuthError.to_string(), "oauth_error");
        assert_eq!(ErrorCode::InvalidKey.as_str(), "invalid_key");
    }

    #[test]
    fn scrub_removes_secrets_and_caps_length() {
        assert_eq!(
            scrub("bad code abcdef123 for you", &["abcdef123", "x"]),
            "bad code [redacted] for you"
        );
        let long = "é".repeat(1000);
        let cut = scrub(&long, &[]);
        assert_eq!(cut.chars().count(), 501);
        assert!(cut.ends_with('…'));
    }
}
