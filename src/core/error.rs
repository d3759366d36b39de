//! The one error type. Every failure has a stable [`ErrorCode`]; messages say what went wrong
//! and what to do, and never contain a code, verifier, token, key or secret.

use core::fmt;

use super::text;
use crate::prelude::*;

/// Device-poll answer (an `oauth_error`'s [`Error::oauth_error_code`], from `error_code` or
/// `error`): the user has not acted yet; poll again.
pub const AUTHORIZATION_PENDING: &str = "authorization_pending";
/// Device-poll answer: poll again, 5 s (`config::SLOW_DOWN_STEP_SECONDS`) further apart from
/// now on.
pub const SLOW_DOWN: &str = "slow_down";
/// Device-poll answer: the user declined. Terminal.
pub const ACCESS_DENIED: &str = "access_denied";
/// Device-poll answer: the device code expired. Terminal; also the code of the local deadline.
pub const EXPIRED_TOKEN: &str = "expired_token";

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
    /// Coze's `param`, which coze-go and coze-java surface beside the error code: the body's
    /// `param`, or its `error` when `error_code` holds the code. Scrubbed like the message.
    pub param: Option<String>,
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
            param: None,
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
        self.oauth_error_code() == Some(AUTHORIZATION_PENDING)
    }

    /// True for a device poll answered `slow_down`: poll again, 5 s further apart than before.
    /// Only a one-shot poll returns it.
    pub fn is_slow_down(&self) -> bool {
        self.oauth_error_code() == Some(SLOW_DOWN)
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

/// The value of one hex digit.
fn hex(b: u8) -> Option<u32> {
    char::from(b).to_digit(16)
}

/// `text[at..]` starts with `%XX` (hex in either case) standing for `byte`.
fn percent_at(text: &[u8], at: usize, byte: u8) -> bool {
    match text.get(at..at + 3) {
        Some([b'%', hi, lo]) => {
            hex(*hi).zip(hex(*lo)).map(|(h, l)| h * 16 + l) == Some(u32::from(byte))
        }
        _ => false,
    }
}

/// The UTF-16 unit of a `\uXXXX` escape at `text[at..]`.
fn json_unit_at(text: &[u8], at: usize) -> Option<u32> {
    match text.get(at..at + 6)? {
        [b'\\', b'u', digits @ ..] => digits.iter().try_fold(0u32, |n, &d| Some(n * 16 + hex(d)?)),
        _ => None,
    }
}

/// Adds to `ends` every position where one encoding of `ch` (whose UTF-8 bytes are `utf8`)
/// that starts at `text[at..]` ends: the character itself; its UTF-8 bytes percent-encoded (`+`
/// for a space, as forms do); or a JSON escape (`\"`, `\\`, `\/`, `\n`…, `\uXXXX`, a
/// surrogate pair).
fn char_echo_ends(text: &[u8], at: usize, ch: char, utf8: &[u8], ends: &mut Vec<usize>) {
    let mut add = |end: usize| {
        if !ends.contains(&end) {
            ends.push(end);
        }
    };
    if text.get(at..).is_some_and(|t| t.starts_with(utf8)) {
        add(at + utf8.len());
    }
    if utf8
        .iter()
        .enumerate()
        .all(|(i, &b)| percent_at(text, at + 3 * i, b))
    {
        add(at + 3 * utf8.len());
    }
    if ch == ' ' && text.get(at) == Some(&b'+') {
        add(at + 1);
    }
    let short = match ch {
        '"' => b'"',
        '\\' => b'\\',
        '/' => b'/',
        '\u{8}' => b'b',
        '\u{c}' => b'f',
        '\n' => b'n',
        '\r' => b'r',
        '\t' => b't',
        _ => 0,
    };
    if short != 0 && text.get(at..at + 2) == Some(&[b'\\', short][..]) {
        add(at + 2);
    }
    // `\uXXXX`, or a surrogate pair above the BMP.
    let code = u32::from(ch);
    let matched = match code.checked_sub(0x10000) {
        None => json_unit_at(text, at) == Some(code),
        Some(astral) => {
            json_unit_at(text, at) == Some(0xD800 + (astral >> 10))
                && json_unit_at(text, at + 6) == Some(0xDC00 + (astral & 0x3FF))
        }
    };
    if matched {
        add(at + if code >= 0x10000 { 12 } else { 6 });
    }
}

/// Where an echo of `secret` starting at `text[at..]` ends (the longest, if several do), each
/// character of it in any of the forms of [`char_echo_ends`]. `ends` and `next` are scratch.
fn echo_end(
    text: &[u8],
    at: usize,
    secret: &str,
    ends: &mut Vec<usize>,
    next: &mut Vec<usize>,
) -> Option<usize> {
    ends.clear();
    ends.push(at);
    for (i, ch) in secret.char_indices() {
        let utf8 = secret
            .as_bytes()
            .get(i..i + ch.len_utf8())
            .unwrap_or_default();
        next.clear();
        for &pos in ends.iter() {
            char_echo_ends(text, pos, ch, utf8, next);
        }
        if next.is_empty() {
            return None;
        }
        core::mem::swap(ends, next);
    }
    ends.iter().copied().max()
}

/// Replaces every echo of each secret in `text` with `[redacted]`, and caps the length (1000
/// bytes). An echo is the secret itself or the secret encoded the ways a server may quote it:
/// URL-encoded (percent-encoding in either hex case, `+` for a space, even of characters that
/// need no encoding) or JSON-escaped, in any mixture.
/// Used on text that comes from the server, which might echo what we sent.
pub(crate) fn scrub(text: &str, secrets: &[&str]) -> String {
    const MAX_BYTES: usize = 1000;
    let bytes = text.as_bytes();
    let (mut ends, mut next) = (Vec::new(), Vec::new());
    let mut out = String::new();
    let mut i = 0;
    // One pass, left to right; it stops once the output is over the cap, so a long text costs
    // no more than a short one. An echo that starts before the cut is replaced whole.
    while out.len() <= MAX_BYTES {
        let Some(ch) = text.get(i..).and_then(|rest| rest.chars().next()) else {
            break;
        };
        let echo = secrets
            .iter()
            // Very short values (like "1") would redact innocent text and are not secret
            // enough to matter.
            .filter(|secret| secret.len() >= 6)
            .filter_map(|secret| echo_end(bytes, i, secret, &mut ends, &mut next))
            .max();
        match echo {
            Some(end) if text.is_char_boundary(end) => {
                out.push_str("[redacted]");
                i = end;
            }
            _ => {
                out.push(ch);
                i += ch.len_utf8();
            }
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
