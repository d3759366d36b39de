//! A string that must never be printed: verifier, state, code, tokens, client secret, keys.

use core::fmt;

use crate::prelude::*;

/// Holds a secret value. `Debug` and `Display` print `[redacted]`, so a secret cannot leak
/// through `{:?}` in a log line or an error message; read it with [`Secret::secret`].
/// `Default` is the empty string (an option not given yet).
#[derive(Clone, PartialEq, Eq, Default)]
pub struct Secret(String);

impl Secret {
    /// Wraps a value.
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    /// The secret value itself. Call it only where the value goes on the wire.
    pub fn secret(&self) -> &str {
        &self.0
    }

    /// Consumes the wrapper and returns the value.
    pub fn into_secret(self) -> String {
        self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret([redacted])")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Self {
        Secret(value)
    }
}

impl From<&str> for Secret {
    fn from(value: &str) -> Self {
        Secret(value.to_owned())
    }
}

/// `url` with the value of its `state` query parameter replaced by `[redacted]`, for the `Debug`
/// of authorize URLs (the state is what ties a callback to its login).
pub(crate) fn url_with_state_redacted(url: &str) -> String {
    let Some(start) = ["?state=", "&state="]
        .iter()
        .filter_map(|p| crate::core::text::find(url, p).map(|i| i + p.len()))
        .min()
    else {
        return url.to_owned();
    };
    let end = url[start..]
        .find(['&', '#'])
        .map_or(url.len(), |i| start + i);
    crate::core::text::cat(&[&url[..start], "[redacted]", &url[end..]])
}

/// How `Debug` shows an optional caller-given secret.
pub(crate) fn redacted_option(value: &Option<String>) -> Option<&'static str> {
    value.as_ref().map(|_| "[redacted]")
}

/// Compares two byte strings in time that depends only on their lengths, so an attacker who
/// can time the comparison learns nothing about where the first difference is.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let mut diff = 0u8;
    for (x, y) in a.iter().zip(b.iter()) {
        diff |= x ^ y;
    }
    // black_box keeps the optimiser from turning the loop into an early exit.
    core::hint::black_box(diff) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_and_display_are_redacted() {
        let s = Secret::new("czs_very_secret");
        assert_eq!(format!("{s:?}"), "Secret([redacted])");
        assert_eq!(format!("{s}"), "[redacted]");
        assert_eq!(s.secret(), "czs_very_secret");
    }

    #[test]
    fn constant_time_eq_compares() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"ab"));
        assert!(constant_time_eq(b"", b""));
    }
}
