//! Hosts, paths and defaults: every constant of the wire protocol lives here.

use super::error::Error;
use super::text::{blank, cat, has_control, split_byte, split_once};
use crate::prelude::*;

/// Fails with `invalid_argument` (`<name> is required.`) when `value` is blank.
pub(crate) fn require_non_empty(value: &str, name: &str) -> Result<(), Error> {
    if blank(value) {
        return Err(Error::invalid_argument(cat(&[name, " is required."])));
    }
    Ok(())
}

/// Coze's China region API base (the default: the region of most of our users' docs).
pub const COZE_CN_BASE_URL: &str = "https://api.coze.cn";
/// Coze's global region API base.
pub const COZE_COM_BASE_URL: &str = "https://api.coze.com";
/// Default per-request time limit.
pub const DEFAULT_TIMEOUT_MS: u32 = 30_000;

/// The token endpoint: every grant (E3).
pub const TOKEN_PATH: &str = "/api/permission/oauth2/token";
/// The consent page (E1) on the www host.
pub const AUTHORIZE_PATH: &str = "/api/permission/oauth2/authorize";
/// Prefix of the workspace-scoped paths (E2, E5).
pub const WORKSPACE_PATH_PREFIX: &str = "/api/permission/oauth2/workspace_id/";
/// Starts the device flow (E4); the workspace variant (E5) is [`device_code_path`].
pub const DEVICE_CODE_PATH: &str = "/api/permission/oauth2/device/code";

/// `grant_type` of the code exchange (web and PKCE).
pub const GRANT_AUTHORIZATION_CODE: &str = "authorization_code";
/// `grant_type` of a refresh.
pub const GRANT_REFRESH_TOKEN: &str = "refresh_token";

/// `grant_type` of the JWT grant (§4.4).
pub const GRANT_JWT_BEARER: &str = "urn:ietf:params:oauth:grant-type:jwt-bearer";
/// The JWT grant for one account (E6): this prefix, the account id, then [`TOKEN_PATH_SUFFIX`].
pub const ACCOUNT_TOKEN_PATH_PREFIX: &str = "/api/permission/oauth2/account/";
/// The JWT grant for an enterprise (E7): this prefix, the enterprise id, then [`TOKEN_PATH_SUFFIX`].
pub const ENTERPRISE_TOKEN_PATH_PREFIX: &str = "/api/permission/oauth2/enterprise_id/";
/// The last segment of the E6 and E7 paths.
pub const TOKEN_PATH_SUFFIX: &str = "/token";

/// The only JWT algorithm Coze accepts.
pub const JWT_ALGORITHM: &str = "RS256";
/// Default `duration_seconds` of a JWT grant: the token's lifetime (every official SDK: 900).
pub const DEFAULT_JWT_DURATION_SECONDS: i64 = 900;
/// Longest `duration_seconds` Coze documents (24 h minus 1 s).
pub const MAX_JWT_DURATION_SECONDS: i64 = 86_399;
/// Lifetime of a signed assertion (`exp - iat`). Fixed, as in the Python, JS and cozeloop SDKs:
/// the assertion is used at once, and an hour absorbs any clock skew between us and Coze; `jti`
/// keeps it from being replayed.
pub const JWT_ASSERTION_LIFETIME_SECONDS: i64 = 3600;
/// The permission of the "channel" scope (`Connector.botChat`), as py's `build_bot_chat` and
/// go's `BuildBotChat` send it.
pub const BOT_CHAT_PERMISSION: &str = "Connector.botChat";

/// Response header that carries Coze's request id.
pub const LOG_ID_HEADER: &str = "x-tt-logid";

/// Hint added to messages when an error looks like the wrong region (the most common support
/// question of the official SDKs).
pub const REGION_HINT: &str = "Apps, keys and tokens belong to one region: if this app was created on coze.com, use baseURL https://api.coze.com; if on coze.cn, use https://api.coze.cn.";

/// `grant_type` of a device-code poll (RFC 8628 §3.4).
pub const GRANT_DEVICE_CODE: &str = "urn:ietf:params:oauth:grant-type:device_code";

/// Seconds between device-code polls when the server sends no `interval` (RFC 8628 §3.2).
pub const DEFAULT_DEVICE_POLL_INTERVAL_SECONDS: i64 = 5;
/// Seconds added to the polling interval by each `slow_down` answer (RFC 8628 §3.5).
pub const SLOW_DOWN_STEP_SECONDS: i64 = 5;

/// True for a literal IPv4 address in 127.0.0.0/8: four decimal octets (0–255, no leading
/// zeros), the first 127.
fn is_ipv4_loopback(name: &str) -> bool {
    let mut rest = name;
    for i in 0..4 {
        let (part, after) = match split_byte(rest, b'.') {
            Some(split) if i < 3 => split,
            None if i == 3 => (rest, ""),
            _ => return false,
        };
        let well_formed = (1..=3).contains(&part.len())
            && part.bytes().all(|b| b.is_ascii_digit())
            && (part.len() == 1 || !part.starts_with('0'));
        if !well_formed {
            return false;
        }
        // At most three digits: no overflow.
        let value = part.bytes().fold(0u16, |n, b| n * 10 + u16::from(b - b'0'));
        if value > 255 || (i == 0 && value != 127) {
            return false;
        }
        rest = after;
    }
    true
}

/// True when `authority` (`host[:port]`) names this machine: `localhost`, `[::1]` or a literal
/// 127.0.0.0/8 address, with an optional numeric port. Names that merely start like one
/// (`127.attacker.example`, `localhost.example`) are not.
fn is_loopback_host(authority: &str) -> bool {
    let (name, port) = match authority.strip_prefix('[') {
        Some(rest) => match split_byte(rest, b']') {
            Some((name, after)) if name == "::1" => match after.strip_prefix(':') {
                Some(port) => (name, Some(port)),
                None if after.is_empty() => (name, None),
                None => return false,
            },
            _ => return false,
        },
        None => match split_byte(authority, b':') {
            Some((name, port)) => (name, Some(port)),
            None => (authority, None),
        },
    };
    let port_ok = port.map_or(true, |p| {
        !p.is_empty() && p.len() <= 5 && p.bytes().all(|b| b.is_ascii_digit())
    });
    port_ok && (name == "::1" || name.eq_ignore_ascii_case("localhost") || is_ipv4_loopback(name))
}

/// Checks and normalises a base URL: `https://host[:port][/path]`, trailing slashes removed.
/// Plain `http` is accepted only for loopback hosts (local test servers): tokens must not
/// cross a network unencrypted. `option` names the option in the error message.
pub fn normalize_base_url(url: &str, option: &str) -> Result<String, Error> {
    let trimmed = url.trim_ascii();
    let (scheme, rest) = if let Some(rest) = trimmed.strip_prefix("https://") {
        ("https", rest)
    } else if let Some(rest) = trimmed.strip_prefix("http://") {
        ("http", rest)
    } else {
        return Err(Error::invalid_argument(cat(&[
            option,
            " must be an absolute https URL such as https://api.coze.cn or https://api.coze.com.",
        ])));
    };
    let authority = split_byte(rest, b'/').map_or(rest, |(a, _)| a);
    let bad_char = has_control(trimmed)
        || trimmed
            .bytes()
            .any(|b| matches!(b, b' ' | b'?' | b'#' | b'\\' | b'@'));
    if authority.is_empty() || bad_char {
        return Err(Error::invalid_argument(cat(&[
            option,
            " must be a plain base URL (scheme, host, optional port and path; no user info, query or fragment).",
        ])));
    }
    if scheme == "http" && !is_loopback_host(authority) {
        return Err(Error::invalid_argument(cat(&[
            option,
            " must use https: plain http is allowed only for localhost test servers.",
        ])));
    }
    let mut end = trimmed.len();
    while end > 0 && trimmed.as_bytes().get(end - 1) == Some(&b'/') {
        end -= 1;
    }
    Ok(trimmed.get(..end).unwrap_or(trimmed).to_owned())
}

/// An app's API base URL: `base_url`, default [`COZE_CN_BASE_URL`], normalised. It must be
/// the API host itself: a path (`https://api.coze.cn/v1`) or a `www` host (the consent site) is
/// refused, since the endpoints' paths are appended to it and the consent host is derived
/// from it.
pub fn api_base_url(base_url: Option<&str>) -> Result<String, Error> {
    api_base_url_named(base_url.unwrap_or(COZE_CN_BASE_URL), "baseURL")
}

/// [`api_base_url`] for an option called `option` in messages (e.g. `coze_api_base`).
pub fn api_base_url_named(base_url: &str, option: &str) -> Result<String, Error> {
    let url = normalize_base_url(base_url, option)?;
    let (_, rest) = split_once(&url, "://").unwrap_or(("", &url));
    let has_path = rest.bytes().any(|b| b == b'/');
    let first_label = split_byte(rest, b'.').map_or(rest, |(label, _)| label);
    if has_path || first_label.eq_ignore_ascii_case("www") {
        return Err(Error::invalid_argument(cat(&[
            option,
            " must be the API host without a path, such as https://api.coze.cn or https://api.coze.com (not the www consent host; pass that as wwwBaseURL).",
        ])));
    }
    Ok(url)
}

/// An app's API base URL and consent host: `www_base_url` if given, else derived from the API
/// base (see [`derive_www_base_url`]); both normalised.
pub fn api_and_www_base_urls(
    base_url: Option<&str>,
    www_base_url: Option<&str>,
) -> Result<(String, String), Error> {
    let base_url = api_base_url(base_url)?;
    let www_base_url = match www_base_url {
        Some(www) => normalize_base_url(www, "wwwBaseURL")?,
        None => derive_www_base_url(&base_url),
    };
    Ok((base_url, www_base_url))
}

/// The consent host for an API base (as [`api_base_url`] returns it: no path): a first label of
/// exactly `api` becomes `www` (`https://api.coze.cn` → `https://www.coze.cn`); any other host
/// (`https://kapi.io`, a private or local deployment) serves consent itself.
pub fn derive_www_base_url(api_base: &str) -> String {
    let (scheme, rest) = split_once(api_base, "://").unwrap_or(("https", api_base));
    match rest.get(..4) {
        Some(label) if label.eq_ignore_ascii_case("api.") => {
            cat(&[scheme, "://www.", rest.get(4..).unwrap_or("")])
        }
        _ => api_base.to_owned(),
    }
}

/// A client id must be present and printable (it goes into URLs and JSON).
pub fn validate_client_id(client_id: &str) -> Result<(), Error> {
    if blank(client_id) {
        return Err(Error::invalid_argument(
            "clientId is required: copy it from the OAuth app's page in the Coze console.",
        ));
    }
    if has_control(client_id) {
        return Err(Error::invalid_argument(
            "clientId contains control characters.",
        ));
    }
    Ok(())
}

/// The authorize URL path, with or without a workspace.
pub fn authorize_path(workspace_id: Option<&str>) -> String {
    match workspace_id {
        Some(id) => {
            let mut path = String::from(WORKSPACE_PATH_PREFIX);
            super::encoding::path_segment_encode_into(&mut path, id);
            path.push_str("/authorize");
            path
        }
        None => AUTHORIZE_PATH.to_owned(),
    }
}

/// The authorize URL on `www_base_url` (the workspace variant when `workspace_id` is set):
/// `response_type=code`, `client_id`, `redirect_uri` and `state`, then `extra` (PKCE's
/// challenge), form-encoded.
pub fn authorize_url(
    www_base_url: &str,
    workspace_id: Option<&str>,
    client_id: &str,
    redirect_uri: &str,
    state: &str,
    extra: &[(&str, &str)],
) -> String {
    let mut query = super::encoding::form_query(&[
        ("response_type", "code"),
        ("client_id", client_id),
        ("redirect_uri", redirect_uri),
        ("state", state),
    ]);
    if !extra.is_empty() {
        query.push('&');
        query.push_str(&super::encoding::form_query(extra));
    }
    cat(&[www_base_url, &authorize_path(workspace_id), "?", &query])
}

/// The device-code path (E4), or its workspace variant (E5).
pub fn device_code_path(workspace_id: Option<&str>) -> String {
    match workspace_id {
        Some(id) => {
            let mut path = String::from(WORKSPACE_PATH_PREFIX);
            super::encoding::path_segment_encode_into(&mut path, id);
            path.push_str("/device/code");
            path
        }
        None => DEVICE_CODE_PATH.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::error::ErrorCode;

    #[test]
    fn base_urls_are_normalised_and_checked() {
        assert_eq!(
            normalize_base_url("https://api.coze.cn/", "baseURL").unwrap(),
            "https://api.coze.cn"
        );
        assert_eq!(
            normalize_base_url(" https://x.example/coze// ", "baseURL").unwrap(),
            "https://x.example/coze"
        );
        assert_eq!(
            normalize_base_url("http://127.0.0.1:8081", "baseURL").unwrap(),
            "http://127.0.0.1:8081"
        );
        assert_eq!(
            normalize_base_url("http://localhost:1", "baseURL").unwrap(),
            "http://localhost:1"
        );
        assert_eq!(
            normalize_base_url("http://[::1]:9", "baseURL").unwrap(),
            "http://[::1]:9"
        );
        for bad in [
            "",
            "not a url",
            "ftp://x",
            "https://",
            "http://api.coze.cn",
            "https://a b",
            "https://u@evil.example",
            "https://api.coze.cn?x=1",
            "https://api.coze.cn#f",
            "//api.coze.cn",
        ] {
            let err = normalize_base_url(bad, "baseURL").unwrap_err();
            assert_eq!(err.code, ErrorCode::InvalidArgument, "{bad}");
            assert!(err.message.contains("baseURL"));
        }
    }

    #[test]
    fn www_base_is_derived_from_the_api_base() {
        assert_eq!(derive_www_base_url(COZE_CN_BASE_URL), "https://www.coze.cn");
        assert_eq!(
            derive_www_base_url(COZE_COM_BASE_URL),
            "https://www.coze.com"
        );
        assert_eq!(
            derive_www_base_url("https://api.example.com:8443"),
            "https://www.example.com:8443"
        );
        assert_eq!(derive_www_base_url("https://kapi.io"), "https://kapi.io");
        assert_eq!(
            derive_www_base_url("http://127.0.0.1:8081"),
            "http://127.0.0.1:8081"
        );
    }

    #[test]
    fn plain_http_only_for_real_loopback_hosts() {
        for ok in [
            "http://localhost",
            "http://LOCALHOST:8080/",
            "http://[::1]",
            "http://[::1]:9",
            "http://127.0.0.1",
            "http://127.255.255.254:65535",
            "http://127.0.0.1/",
        ] {
            assert!(normalize_base_url(ok, "baseURL").is_ok(), "{ok}");
        }
        for bad in [
            "http://127.attacker.example",
            "http://127.0.0.1.attacker.example",
            "http://127.0.0.1.nip.io:80",
            "http://127.0.0",
            "http://127.0.0.256",
            "http://127.0.0.01",
            "http://127.0.0.1:80x",
            "http://localhost.attacker.example",
            "http://localhostx",
            "http://[::1].attacker.example",
            "http://[::1]x:80",
            "http://[::2]",
            "http://128.0.0.1",
            "http://0x7f.0.0.1",
        ] {
            let err = normalize_base_url(bad, "baseURL").unwrap_err();
            assert_eq!(err.code, ErrorCode::InvalidArgument, "{bad}");
            assert!(err.message.contains("https"), "{bad}: {}", err.message);
        }
    }

    #[test]
    fn www_is_derived_only_from_a_first_label_of_api() {
        let www = |api: &str| api_and_www_base_urls(Some(api), None).map(|(_, w)| w);
        assert_eq!(www("https://api.coze.cn/").unwrap(), "https://www.coze.cn");
        assert_eq!(www("https://API.coze.com").unwrap(), "https://www.coze.com");
        assert_eq!(
            www("https://api.example.com:8443").unwrap(),
            "https://www.example.com:8443"
        );
        // Not a first label of exactly `api`: the same host serves consent.
        for same in [
            "https://kapi.io",
            "https://my-api.example.com",
            "https://apis.example.com",
            "https://x.api.example.com",
            "https://coze.internal",
            "http://127.0.0.1:8081",
        ] {
            assert_eq!(www(same).unwrap(), same, "{same}");
        }
        // An explicit wwwBaseURL wins.
        assert_eq!(
            api_and_www_base_urls(Some("https://kapi.io"), Some("https://consent.kapi.io/"))
                .unwrap()
                .1,
            "https://consent.kapi.io"
        );
        // A path or a www host is not an API base.
        for bad in [
            "https://api.coze.cn/v1",
            "https://api.coze.cn/v1/",
            "https://www.coze.cn",
            "https://WWW.coze.com/",
        ] {
            let err = api_and_www_base_urls(Some(bad), None).unwrap_err();
            assert_eq!(err.code, ErrorCode::InvalidArgument, "{bad}");
            assert!(
                err.message.contains("such as https://api.coze.cn"),
                "{bad}: {}",
                err.message
            );
            assert!(api_base_url(Some(bad)).is_err(), "{bad}");
        }
    }

    #[test]
    fn client_id_and_paths() {
        assert!(validate_client_id("").is_err());
        assert!(validate_client_id("  ").is_err());
        assert!(validate_client_id("a\nb").is_err());
        assert!(validate_client_id("1234.app.coze").is_ok());
        assert_eq!(authorize_path(None), "/api/permission/oauth2/authorize");
        assert_eq!(
            authorize_path(Some("ws 1/2")),
            "/api/permission/oauth2/workspace_id/ws%201%2F2/authorize"
        );
        assert_eq!(device_code_path(None), "/api/permission/oauth2/device/code");
        assert_eq!(
            device_code_path(Some("7351 x")),
            "/api/permission/oauth2/workspace_id/7351%20x/device/code"
        );
    }
}
