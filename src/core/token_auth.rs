//! Static bearer tokens (protocol file §4.7): personal access tokens (`pat_…`), service access
//! tokens, or any access token obtained elsewhere. No exchange: the token is sent as it is.

use core::fmt;

use super::error::Error;
use super::secret::Secret;
use super::text::{blank, cat};
use crate::prelude::*;

/// The prefix of Coze personal access tokens.
pub const PERSONAL_ACCESS_TOKEN_PREFIX: &str = "pat_";

/// A bearer token for Coze's OpenAPI. `Debug` redacts it.
///
/// No flow and no network: the token goes into each OpenAPI request's `Authorization` header.
///
/// ```
/// use coze_auth::TokenAuth;
///
/// // e.g. std::env::var("COZE_API_TOKEN"): a PAT from the console, a service token, or an
/// // OAuth access token obtained elsewhere. Surrounding whitespace (a pasted newline) is trimmed.
/// let auth = TokenAuth::new("pat_0123456789abcdef\n")?;
/// assert!(auth.is_personal_access_token());
/// assert_eq!(auth.authorization_header().secret(), "Bearer pat_0123456789abcdef");
/// assert_eq!(format!("{auth:?}"), "TokenAuth { personal_access_token: true, token: \"[redacted]\" }");
/// // Code that may also run in a browser refuses a PAT there unless the caller opted in.
/// let in_browser = false;
/// auth.check_runtime(in_browser, false)?;
/// // Malformed tokens are refused before anything is sent.
/// assert_eq!(TokenAuth::new("pat_a b").unwrap_err().code, coze_auth::ErrorCode::InvalidArgument);
/// # Ok::<(), coze_auth::Error>(())
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct TokenAuth {
    token: Secret,
}

impl fmt::Debug for TokenAuth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenAuth")
            .field("personal_access_token", &self.is_personal_access_token())
            .field("token", &"[redacted]")
            .finish()
    }
}

impl TokenAuth {
    /// Wraps a token. `invalid_argument` when it is empty or holds whitespace or control
    /// characters (it goes into an HTTP header); surrounding whitespace is trimmed first.
    pub fn new(token: impl Into<String>) -> Result<Self, Error> {
        let token: String = token.into();
        let trimmed = token.trim();
        if blank(trimmed) {
            return Err(Error::invalid_argument(
                "token is required: a personal access token (pat_…) or service access token from the Coze console, or an OAuth access token.",
            ));
        }
        if trimmed.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(Error::invalid_argument(
                "token contains whitespace or control characters; copy it again from the Coze console.",
            ));
        }
        Ok(TokenAuth {
            token: Secret::new(trimmed),
        })
    }

    /// The token.
    pub fn token(&self) -> &Secret {
        &self.token
    }

    /// The `Authorization` header value: `Bearer <token>`.
    pub fn authorization_header(&self) -> Secret {
        Secret::new(cat(&["Bearer ", self.token.secret()]))
    }

    /// True for a personal access token (`pat_…`).
    pub fn is_personal_access_token(&self) -> bool {
        self.token
            .secret()
            .starts_with(PERSONAL_ACCESS_TOKEN_PREFIX)
    }

    /// Refuses a personal access token in a browser unless the caller opted in: anyone who can
    /// open the page can read it, and it acts as its owner (the JS SDK's
    /// `allowPersonalAccessTokenInBrowser`). Other tokens, and any token outside a browser, pass.
    pub fn check_runtime(
        &self,
        is_browser: bool,
        allow_personal_access_token_in_browser: bool,
    ) -> Result<(), Error> {
        if is_browser && self.is_personal_access_token() && !allow_personal_access_token_in_browser
        {
            return Err(Error::invalid_argument(
                "A personal access token (pat_…) in a browser is readable by anyone who can open the page. Use an OAuth flow (PKCE) in browsers, or set allowPersonalAccessTokenInBrowser if you accept the risk (e.g. a local tool).",
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::error::ErrorCode;

    #[test]
    fn wraps_and_redacts() {
        let auth = TokenAuth::new("  pat_abcdef123456 ").unwrap();
        assert_eq!(auth.token().secret(), "pat_abcdef123456");
        assert_eq!(
            auth.authorization_header().secret(),
            "Bearer pat_abcdef123456"
        );
        assert!(auth.is_personal_access_token());
        let shown = format!("{auth:?} {}", auth.authorization_header());
        assert!(!shown.contains("abcdef"), "{shown}");
        assert!(!TokenAuth::new("sat_x").unwrap().is_personal_access_token());
    }

    #[test]
    fn bad_tokens_are_invalid_arguments() {
        for bad in ["", "   ", "pat_a b", "pat_a\nb", "x\u{7}"] {
            assert_eq!(
                TokenAuth::new(bad).unwrap_err().code,
                ErrorCode::InvalidArgument
            );
        }
    }

    #[test]
    fn pat_in_a_browser_needs_the_opt_in() {
        let pat = TokenAuth::new("pat_abc").unwrap();
        let sat = TokenAuth::new("czs_abc").unwrap();
        assert!(pat.check_runtime(false, false).is_ok());
        let err = pat.check_runtime(true, false).unwrap_err();
        assert_eq!(err.code, ErrorCode::InvalidArgument);
        assert!(!err.message.contains("pat_abc"));
        assert!(pat.check_runtime(true, true).is_ok());
        assert!(sat.check_runtime(true, false).is_ok());
    }
}
