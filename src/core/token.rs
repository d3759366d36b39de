//! The token object Coze returns, read strictly.

use super::clock::Clock;
use super::error::Error;
use super::http::{read_json_object, HttpRequest, HttpResponse};
use super::json::Value;
use super::secret::Secret;
use super::text::{blank, cat};
use crate::prelude::*;
use crate::transport::Transport;

/// `{base_url}/api/permission/oauth2/token`, where every grant is sent.
pub fn token_url(base_url: &str) -> String {
    cat(&[base_url, super::config::TOKEN_PATH])
}

/// The refresh grant (protocol §4.5), the same for every client type: JSON `{grant_type,
/// client_id, refresh_token}` to the token endpoint, with no `Authorization` header (a
/// confidential client adds its own).
pub fn refresh_request(
    base_url: &str,
    client_id: &str,
    refresh_token: &str,
) -> Result<HttpRequest, Error> {
    super::config::require_non_empty(refresh_token, "refreshToken")?;
    let body = super::json::ObjectWriter::new()
        .string("grant_type", super::config::GRANT_REFRESH_TOKEN)
        .string("client_id", client_id)
        .string("refresh_token", refresh_token)
        .finish();
    Ok(HttpRequest::post_json(token_url(base_url), body))
}

/// Below this, `expires_in` cannot be a Unix time of this century: read it as a lifetime.
/// (Coze sends an absolute time; some mocks and older servers send a duration.)
pub(crate) const ABSOLUTE_TIME_FLOOR: i64 = 1_000_000_000;
/// The furthest ahead of "now" a server's expiry may be: ten years. Tokens live hours and
/// device codes minutes; anything beyond is a broken or hostile answer.
pub(crate) const MAX_EXPIRY_AHEAD_SECONDS: i64 = 315_576_000;
/// The largest integer JS numbers hold exactly (`Number.MAX_SAFE_INTEGER`, 2^53 - 1): no time
/// handed to JS may exceed it.
pub(crate) const MAX_SAFE_INTEGER: i64 = (1 << 53) - 1;

/// When something expires, from a server's `expires_in` read at `now` (Unix seconds): values
/// from [`ABSOLUTE_TIME_FLOOR`] on are absolute Unix seconds, smaller positive ones a lifetime.
/// `None` when it is not plausible: zero or negative, more than ten years past `now`, or
/// above 2^53 - 1.
pub(crate) fn expiry_time(expires_in: i64, now: i64) -> Option<i64> {
    let at = match expires_in {
        n if n >= ABSOLUTE_TIME_FLOOR => n,
        n if n > 0 => now.saturating_add(n),
        _ => return None,
    };
    let latest = now
        .saturating_add(MAX_EXPIRY_AHEAD_SECONDS)
        .min(MAX_SAFE_INTEGER);
    (at <= latest).then_some(at)
}

/// A Coze OAuth token. `Debug` redacts the token values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OAuthToken {
    /// The bearer token for OpenAPI calls.
    pub access_token: Secret,
    /// Absolute expiry in Unix seconds.
    pub expires_in: i64,
    /// Present for code, PKCE, device and refresh grants; may rotate on refresh.
    pub refresh_token: Option<Secret>,
    /// Usually `Bearer`; may be absent.
    pub token_type: Option<String>,
}

impl OAuthToken {
    /// True when the token expires within `margin_seconds` of `now` (Unix seconds).
    pub fn expires_within(&self, now: i64, margin_seconds: i64) -> bool {
        self.expires_in.saturating_sub(margin_seconds) <= now
    }

    /// The token as JSON with Coze's field names (`token_type` and `refresh_token` only when
    /// present). The values are in clear: this is for handing the token over, never for logs.
    pub fn to_json(&self) -> String {
        super::json::ObjectWriter::new()
            .string("access_token", self.access_token.secret())
            .integer("expires_in", self.expires_in)
            .optional_string(
                "refresh_token",
                self.refresh_token.as_ref().map(|t| t.secret()),
            )
            .optional_string("token_type", self.token_type.as_deref())
            .finish()
    }
}

fn optional_string(body: &Value, key: &str, status: u16) -> Result<Option<String>, Error> {
    match body.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if blank(s) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(Error::invalid_response(cat(&[
            "Coze's token response has a `",
            key,
            "` that is not a string.",
        ]))
        .with_response(status, None)),
    }
}

/// Sends a token request through `transport` and reads the answer at `clock`'s time once it
/// arrives; `secrets` are the values sent, scrubbed from server text. The shared last step of
/// every grant's async method.
pub async fn request_token<T: Transport, C: Clock + ?Sized>(
    transport: &T,
    clock: &C,
    request: HttpRequest,
    secrets: &[&str],
) -> Result<OAuthToken, Error> {
    let response = transport.send(request).await?;
    read_token_response(&response, clock.now_unix_seconds(), secrets)
}

/// Reads a token response (any grant). `now` is the current Unix time in seconds, used only
/// when the server sends a lifetime instead of an absolute expiry. `secrets` are the values
/// sent with the request: server text that echoes one is scrubbed.
///
/// A redirect is refused; an error body (`error_code`/`error`, or a non-zero `code`) is
/// `oauth_error` whatever the status; any other non-2xx is `http_error`; a 2xx that is not a
/// JSON object with a non-blank `access_token` and a plausible `expires_in` is
/// `invalid_response`.
pub fn read_token_response(
    response: &HttpResponse,
    now: i64,
    secrets: &[&str],
) -> Result<OAuthToken, Error> {
    let body = read_json_object(response, secrets)?;
    let status = response.status;
    let log_id = response.log_id();
    let invalid = |what: &str| {
        Error::invalid_response(cat(&["Coze's token response ", what, "."]))
            .with_response(status, log_id.clone())
    };
    let access_token = match body.get("access_token") {
        Some(Value::String(s)) if !blank(s) => Secret::new(s.clone()),
        Some(Value::String(_)) => return Err(invalid("has an empty `access_token`")),
        Some(_) => return Err(invalid("has an `access_token` that is not a string")),
        None => return Err(invalid("has no `access_token`")),
    };
    let expires_in = match body.get("expires_in") {
        None | Some(Value::Null) => return Err(invalid("has no `expires_in`")),
        Some(v) => match v.as_i64() {
            Some(n) if n <= 0 => return Err(invalid("has a non-positive `expires_in`")),
            Some(n) => expiry_time(n, now).ok_or_else(|| {
                invalid("has an `expires_in` more than ten years ahead, which cannot be right (if this repeats, check this computer's clock)")
            })?,
            None => return Err(invalid("has an `expires_in` that is not a whole number")),
        },
    };
    let refresh_token = optional_string(&body, "refresh_token", status)
        .map_err(|e| e.with_response(status, log_id.clone()))?
        .map(Secret::new);
    let token_type = optional_string(&body, "token_type", status)
        .map_err(|e| e.with_response(status, log_id.clone()))?;
    Ok(OAuthToken {
        access_token,
        expires_in,
        refresh_token,
        token_type,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::error::ErrorCode;

    fn resp(status: u16, body: &str) -> HttpResponse {
        HttpResponse {
            status,
            headers: vec![],
            body: body.as_bytes().to_vec(),
        }
    }

    const NOW: i64 = 1_800_000_000;

    #[test]
    fn reads_a_full_token() {
        let t = read_token_response(
            &resp(200, r#"{"access_token":"czs_a","expires_in":1800000900,"refresh_token":"czs_r","token_type":"Bearer"}"#),
            NOW,
            &[],
        )
        .unwrap();
        assert_eq!(t.access_token.secret(), "czs_a");
        assert_eq!(t.expires_in, 1_800_000_900);
        assert_eq!(t.refresh_token.as_ref().map(Secret::secret), Some("czs_r"));
        assert_eq!(t.token_type.as_deref(), Some("Bearer"));
        assert!(!format!("{t:?}").contains("czs_"));
        assert!(!t.expires_within(NOW, 30));
        assert!(t.expires_within(NOW + 880, 30));
    }

    #[test]
    fn token_type_and_refresh_token_are_optional() {
        let t = read_token_response(
            &resp(200, r#"{"access_token":"a","expires_in":1800000900}"#),
            NOW,
            &[],
        )
        .unwrap();
        assert_eq!(t.token_type, None);
        assert_eq!(t.refresh_token, None);
    }

    #[test]
    fn lifetimes_and_quoted_numbers_are_understood() {
        let t = read_token_response(
            &resp(200, r#"{"access_token":"a","expires_in":3600}"#),
            NOW,
            &[],
        )
        .unwrap();
        assert_eq!(t.expires_in, NOW + 3600);
        let t = read_token_response(
            &resp(200, r#"{"access_token":"a","expires_in":"1800000900"}"#),
            NOW,
            &[],
        )
        .unwrap();
        assert_eq!(t.expires_in, 1_800_000_900);
    }

    #[test]
    fn malformed_tokens_are_invalid_responses() {
        for body in [
            r#"{"expires_in":1800000900,"token_type":"Bearer"}"#,
            r#"{"access_token":"","expires_in":1800000900}"#,
            r#"{"access_token":5,"expires_in":1800000900}"#,
            r#"{"access_token":"a"}"#,
            r#"{"access_token":"a","expires_in":"soon"}"#,
            r#"{"access_token":"a","expires_in":1.5}"#,
            r#"{"access_token":"a","expires_in":-1}"#,
            r#"{"access_token":"a","expires_in":1800000900,"refresh_token":7}"#,
            r#"{"access_token":"a","expires_in":1800000900,"token_type":{}}"#,
        ] {
            let err = read_token_response(&resp(200, body), NOW, &[]).unwrap_err();
            assert_eq!(err.code, ErrorCode::InvalidResponse, "{body}");
            assert_eq!(err.status, Some(200));
        }
    }

    #[test]
    fn implausible_expiry_times_are_refused() {
        const TEN_YEARS: i64 = 10 * 366 * 86_400;
        for body in [
            // 18 digits: above JS's Number.MAX_SAFE_INTEGER.
            r#"{"access_token":"a","expires_in":999999999999999999}"#.to_owned(),
            r#"{"access_token":"a","expires_in":"999999999999999999"}"#.to_owned(),
            r#"{"access_token":"a","expires_in":9007199254740993}"#.to_owned(),
            // A lifetime of about 31 years.
            r#"{"access_token":"a","expires_in":999999999}"#.to_owned(),
            format!(
                r#"{{"access_token":"a","expires_in":{}}}"#,
                NOW + TEN_YEARS + 1
            ),
            r#"{"access_token":"a","expires_in":-5}"#.to_owned(),
        ] {
            let err = read_token_response(&resp(200, &body), NOW, &[]).unwrap_err();
            assert_eq!(err.code, ErrorCode::InvalidResponse, "{body}");
            assert!(
                err.message.contains("expires_in"),
                "{body}: {}",
                err.message
            );
        }
        // Plausible values still pass: a day's lifetime, and an absolute time a year ahead.
        let t = read_token_response(
            &resp(200, r#"{"access_token":"a","expires_in":86400}"#),
            NOW,
            &[],
        )
        .unwrap();
        assert_eq!(t.expires_in, NOW + 86_400);
        let year = NOW + 365 * 86_400;
        let body = format!(r#"{{"access_token":"a","expires_in":{year}}}"#);
        assert_eq!(
            read_token_response(&resp(200, &body), NOW, &[])
                .unwrap()
                .expires_in,
            year
        );
        // Whatever `now` the caller passes, an expiry never goes past 2^53 - 1.
        let err = read_token_response(
            &resp(200, r#"{"access_token":"a","expires_in":3600}"#),
            (1 << 53) - 10,
            &[],
        )
        .unwrap_err();
        assert_eq!(err.code, ErrorCode::InvalidResponse);
    }

    #[test]
    fn an_access_token_of_unicode_whitespace_is_blank() {
        for blank in ["\u{b}", "\u{a0}", "\u{2028}", " \u{3000}\t", "\u{85}"] {
            let mut body = String::from(r#"{"access_token":"#);
            crate::core::json::write_string(&mut body, blank);
            body.push_str(r#","expires_in":1800000900}"#);
            let err = read_token_response(&resp(200, &body), NOW, &[]).unwrap_err();
            assert_eq!(err.code, ErrorCode::InvalidResponse, "{blank:?}");
            // An optional field that is blank is absent.
            let mut body =
                String::from(r#"{"access_token":"a","expires_in":1800000900,"refresh_token":"#);
            crate::core::json::write_string(&mut body, blank);
            body.push('}');
            let token = read_token_response(&resp(200, &body), NOW, &[]).unwrap();
            assert_eq!(token.refresh_token, None, "{blank:?}");
        }
    }
}
