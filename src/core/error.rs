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

/// A failure of any flow. Fields mirror JS `CozeAuthError`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
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
        Error {
            code,
            message: message.into(),
            error_code: None,
            error_message: None,
            status: None,
            log_id: None,
            cause: None,
        }
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
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

#[cfg(not(all(target_arch = "wasm32", feature = "npm", not(feature = "fetch"))))]
impl std::error::Error for Error {}

/// Replaces every occurrence of each secret in `text` with `[redacted]`, and caps the length.
/// Used on text that comes from the server, which might echo what we sent.
pub(crate) fn scrub(text: &str, secrets: &[&str]) -> String {
    const MAX_CHARS: usize = 500;
    let mut out = text.to_owned();
    for secret in secrets {
        // Very short values (like "1") would redact innocent text and are not secret enough to matter.
        if secret.len() >= 6 {
            out = text::replace(&out, secret, "[redacted]");
        }
    }
    // The byte offset of character MAX_CHARS + 1, if there is one: cut there.
    if let Some((cut, _)) = out.char_indices().nth(MAX_CHARS) {
        out.truncate(cut);
        out.push('…');
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
        assert_eq!(scrub(&long, &[]).chars().count(), 501);
    }
}
