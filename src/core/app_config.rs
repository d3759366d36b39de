//! The JSON app config shared by the official SDKs (py `load_oauth_app_from_config`, go
//! `LoadOAuthAppFromConfig`; protocol file §9): `client_type`, `client_id`, `client_secret`,
//! `private_key`, `public_key_id`, `coze_api_base`, `coze_www_base`.
//!
//! Read strictly: a known key with a non-string value, a missing required key, an unknown
//! `client_type`, or a credential that the app type must not hold is an `invalid_argument`
//! error naming the key. Errors never contain a value: `client_secret` and `private_key` are
//! secrets, and the rest may sit next to them.

use super::config::{api_base_url_named, normalize_base_url};
use super::error::Error;
use super::json::{self, Value};
use super::jwt::{JwtFlow, JwtFlowOptions};
use super::key::PrivateKey;
use super::pkce::{PkceOAuthApp, PkceOAuthAppOptions};
use super::secret::Secret;
use super::text::{blank, cat};
use super::web::{WebOAuthApp, WebOAuthAppOptions};
use crate::prelude::*;

/// A public client's config (PKCE or device).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicAppConfig {
    /// `client_id`.
    pub client_id: String,
    /// `coze_api_base`, normalised.
    pub base_url: Option<String>,
    /// `coze_www_base`, normalised.
    pub www_base_url: Option<String>,
}

/// A web app's config. `Debug` redacts the secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebAppConfig {
    /// `client_id`.
    pub client_id: String,
    /// `client_secret`.
    pub client_secret: Secret,
    /// `coze_api_base`, normalised.
    pub base_url: Option<String>,
    /// `coze_www_base`, normalised.
    pub www_base_url: Option<String>,
}

/// A JWT app's config. `Debug` redacts the key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JwtAppConfig {
    /// `client_id`: the app id, the JWT's `iss`.
    pub client_id: String,
    /// `private_key`: the PEM text, not parsed yet (see [`JwtAppConfig::parse_private_key`]).
    pub private_key: Secret,
    /// `public_key_id`: the JWT header's `kid`.
    pub public_key_id: String,
    /// `coze_api_base`, normalised.
    pub base_url: Option<String>,
    /// `coze_www_base`, normalised (unused by the JWT grant).
    pub www_base_url: Option<String>,
}

/// One app, by `client_type`.
///
/// ```
/// use coze_auth::{AppConfig, DeviceOAuthApp, DeviceOAuthAppOptions};
///
/// // The file the Coze console hands out (e.g. coze_oauth_config.json, read with
/// // std::fs::read_to_string); its client_type says which kind of app it is.
/// let text = r#"{
///     "client_type": "device",
///     "client_id": "my-device-client-id",
///     "coze_api_base": "https://api.coze.com",
///     "coze_www_base": "https://www.coze.com"
/// }"#;
/// let config = AppConfig::from_json(text)?;
/// match &config {
///     AppConfig::Pkce(c) => { let _app = c.pkce_app()?; }
///     AppConfig::Device(c) => {
///         let app = DeviceOAuthApp::new(DeviceOAuthAppOptions {
///             client_id: c.client_id.clone(),
///             base_url: c.base_url.clone(),
///         })?;
///         assert_eq!(app.base_url(), "https://api.coze.com");
///     }
///     AppConfig::Web(c) => { let _app = c.web_app()?; }
///     AppConfig::Jwt(c) => {
///         let _flow = c.jwt_flow()?;
///         let _key = c.parse_private_key()?; // then RsaSigner::new(&key) (feature `jwt`)
///     }
/// }
/// assert_eq!((config.client_type(), config.client_id()), ("device", "my-device-client-id"));
///
/// // Strict: a credential the app type must not hold is refused, naming the key, not its value.
/// let err = AppConfig::from_json(r#"{"client_type":"pkce","client_id":"c","client_secret":"s3cret"}"#).unwrap_err();
/// assert!(err.message.contains("client_secret") && !err.message.contains("s3cret"));
/// # Ok::<(), coze_auth::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AppConfig {
    /// `"pkce"`.
    Pkce(PublicAppConfig),
    /// `"device"`.
    Device(PublicAppConfig),
    /// `"web"`.
    Web(WebAppConfig),
    /// `"jwt"`.
    Jwt(JwtAppConfig),
}

fn config_error(parts: &[&str]) -> Error {
    let mut message = String::from("The app config ");
    message.push_str(&cat(parts));
    message.push_str(" Expected a JSON object with client_type (\"pkce\", \"device\", \"web\" or \"jwt\"), client_id, client_secret (web), private_key and public_key_id (jwt), and optionally coze_api_base and coze_www_base.");
    Error::invalid_argument(message)
}

/// Reads the string member `key`; absent is `None`, any non-string is an error.
fn string_member<'a>(body: &'a Value, key: &str) -> Result<Option<&'a str>, Error> {
    match body.get(key) {
        None => Ok(None),
        Some(v) => match v.as_str() {
            Some(s) => Ok(Some(s)),
            None => Err(config_error(&["has a `", key, "` that is not a string."])),
        },
    }
}

fn required<'a>(body: &'a Value, key: &str, client_type: &str) -> Result<&'a str, Error> {
    match string_member(body, key)? {
        Some(s) if !blank(s) => Ok(s),
        _ => Err(config_error(&[
            "has no `",
            key,
            "`, which a ",
            client_type,
            " app needs.",
        ])),
    }
}

/// Refuses a non-empty `key` that a `client_type` app must not hold.
fn forbidden(body: &Value, key: &str, client_type: &str, why: &str) -> Result<(), Error> {
    match string_member(body, key)? {
        Some(s) if !s.is_empty() => Err(config_error(&[
            "has a `",
            key,
            "`, which a ",
            client_type,
            " app must not hold: ",
            why,
        ])),
        _ => Ok(()),
    }
}

/// `coze_api_base` (`api`: the API host, no path) or `coze_www_base`, normalised.
fn base_url(body: &Value, key: &str, api: bool) -> Result<Option<String>, Error> {
    match string_member(body, key)? {
        None => Ok(None),
        Some(s) if blank(s) => Ok(None),
        Some(s) if api => api_base_url_named(s, key).map(Some),
        Some(s) => normalize_base_url(s, key).map(Some),
    }
}

const PUBLIC_NO_SECRET: &str = "a public client cannot keep a secret (use a web app for that).";
const NOT_JWT: &str = "only jwt apps sign with a key.";

impl AppConfig {
    /// Parses the JSON config text.
    pub fn from_json(text: &str) -> Result<Self, Error> {
        let trimmed = text.trim();
        let body = match json::parse(trimmed.as_bytes()) {
            Ok(body) if trimmed.starts_with('{') => body,
            _ => {
                return Err(config_error(&[
                    "is not a valid JSON object (with unique keys).",
                ]))
            }
        };
        let client_type = string_member(&body, "client_type")?
            .ok_or_else(|| config_error(&["has no `client_type`."]))?;
        let client_id = || {
            required(&body, "client_id", client_type).and_then(|id| {
                if id.chars().any(char::is_control) {
                    Err(config_error(&[
                        "has a `client_id` with control characters.",
                    ]))
                } else {
                    Ok(id.to_owned())
                }
            })
        };
        let api = base_url(&body, "coze_api_base", true)?;
        let www = base_url(&body, "coze_www_base", false)?;
        match client_type {
            "pkce" | "device" => {
                forbidden(&body, "client_secret", client_type, PUBLIC_NO_SECRET)?;
                forbidden(&body, "private_key", client_type, NOT_JWT)?;
                let config = PublicAppConfig {
                    client_id: client_id()?,
                    base_url: api,
                    www_base_url: www,
                };
                Ok(if client_type == "pkce" {
                    AppConfig::Pkce(config)
                } else {
                    AppConfig::Device(config)
                })
            }
            "web" => {
                forbidden(&body, "private_key", client_type, NOT_JWT)?;
                Ok(AppConfig::Web(WebAppConfig {
                    client_id: client_id()?,
                    client_secret: Secret::new(required(&body, "client_secret", client_type)?),
                    base_url: api,
                    www_base_url: www,
                }))
            }
            "jwt" => {
                forbidden(
                    &body,
                    "client_secret",
                    client_type,
                    "a jwt app authenticates with its private key.",
                )?;
                Ok(AppConfig::Jwt(JwtAppConfig {
                    client_id: client_id()?,
                    private_key: Secret::new(required(&body, "private_key", client_type)?),
                    public_key_id: required(&body, "public_key_id", client_type)?.to_owned(),
                    base_url: api,
                    www_base_url: www,
                }))
            }
            _ => Err(config_error(&["has an unknown `client_type`."])),
        }
    }

    /// The `client_type` this config was read from.
    pub fn client_type(&self) -> &'static str {
        match self {
            AppConfig::Pkce(_) => "pkce",
            AppConfig::Device(_) => "device",
            AppConfig::Web(_) => "web",
            AppConfig::Jwt(_) => "jwt",
        }
    }

    /// The client id (for a JWT app, the app id).
    pub fn client_id(&self) -> &str {
        match self {
            AppConfig::Pkce(c) | AppConfig::Device(c) => &c.client_id,
            AppConfig::Web(c) => &c.client_id,
            AppConfig::Jwt(c) => &c.client_id,
        }
    }
}

impl PublicAppConfig {
    /// A [`PkceOAuthApp`] for this config.
    pub fn pkce_app(&self) -> Result<PkceOAuthApp, Error> {
        PkceOAuthApp::new(PkceOAuthAppOptions {
            client_id: self.client_id.clone(),
            base_url: self.base_url.clone(),
            www_base_url: self.www_base_url.clone(),
        })
    }
}

impl WebAppConfig {
    /// A [`WebOAuthApp`] for this config.
    pub fn web_app(&self) -> Result<WebOAuthApp, Error> {
        WebOAuthApp::new(WebOAuthAppOptions {
            client_id: self.client_id.clone(),
            client_secret: self.client_secret.clone(),
            base_url: self.base_url.clone(),
            www_base_url: self.www_base_url.clone(),
        })
    }
}

impl JwtAppConfig {
    /// A [`JwtFlow`] for this config (`aud` from `coze_api_base`), with no session name.
    pub fn jwt_flow(&self) -> Result<JwtFlow, Error> {
        JwtFlow::new(JwtFlowOptions {
            app_id: self.client_id.clone(),
            keyid: self.public_key_id.clone(),
            base_url: self.base_url.clone(),
            ..Default::default()
        })
    }

    /// Parses `private_key` (`invalid_key` if unusable).
    pub fn parse_private_key(&self) -> Result<PrivateKey, Error> {
        PrivateKey::from_pem(self.private_key.secret())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::error::ErrorCode;

    #[test]
    fn reads_each_client_type() {
        let pkce = AppConfig::from_json(
            r#"{"client_type":"pkce","client_id":"p1","coze_api_base":"https://api.coze.com/","coze_www_base":""}"#,
        )
        .unwrap();
        assert_eq!(
            pkce,
            AppConfig::Pkce(PublicAppConfig {
                client_id: "p1".into(),
                base_url: Some("https://api.coze.com".into()),
                www_base_url: None,
            })
        );
        match &pkce {
            AppConfig::Pkce(c) => {
                assert_eq!(c.pkce_app().unwrap().www_base_url(), "https://www.coze.com")
            }
            _ => unreachable!(),
        }
        let device =
            AppConfig::from_json(r#"{"client_type":"device","client_id":"d1.app.coze"}"#).unwrap();
        assert_eq!(device.client_type(), "device");
        assert_eq!(device.client_id(), "d1.app.coze");
        let web = AppConfig::from_json(
            r#"{"client_type":"web","client_id":"w1","client_secret":"cs_topsecret"}"#,
        )
        .unwrap();
        match &web {
            AppConfig::Web(c) => {
                assert_eq!(c.client_secret.secret(), "cs_topsecret");
                assert_eq!(c.web_app().unwrap().client_id(), "w1");
            }
            _ => unreachable!(),
        }
        assert!(!format!("{web:?}").contains("cs_topsecret"));
        let jwt = AppConfig::from_json(
            r#"{"client_type":"jwt","client_id":"j1","private_key":"-----BEGIN PRIVATE KEY-----\nabc\n-----END PRIVATE KEY-----","public_key_id":"kid1","coze_api_base":"https://api.coze.com"}"#,
        )
        .unwrap();
        match &jwt {
            AppConfig::Jwt(c) => {
                let flow = c.jwt_flow().unwrap();
                assert_eq!(
                    (flow.app_id(), flow.keyid(), flow.aud()),
                    ("j1", "kid1", "api.coze.com")
                );
                assert_eq!(
                    c.parse_private_key().unwrap_err().code,
                    ErrorCode::InvalidKey
                );
            }
            _ => unreachable!(),
        }
        assert!(!format!("{jwt:?}").contains("BEGIN"));
    }

    #[test]
    fn mistakes_are_named_without_values() {
        for (text, needle) in [
            ("", "valid JSON object"),
            ("[]", "valid JSON object"),
            ("{", "valid JSON object"),
            (r#"{"client_id":"x"}"#, "no `client_type`"),
            (
                r#"{"client_type":"oidc","client_id":"x"}"#,
                "unknown `client_type`",
            ),
            (
                r#"{"client_type":5,"client_id":"x"}"#,
                "`client_type` that is not a string",
            ),
            (r#"{"client_type":"pkce"}"#, "no `client_id`"),
            (
                r#"{"client_type":"pkce","client_id":" "}"#,
                "no `client_id`",
            ),
            (
                r#"{"client_type":"pkce","client_id":7}"#,
                "`client_id` that is not a string",
            ),
            (
                r#"{"client_type":"web","client_id":"w"}"#,
                "no `client_secret`",
            ),
            (
                r#"{"client_type":"pkce","client_id":"p","client_secret":"cs_SECRETVALUE"}"#,
                "must not hold",
            ),
            (
                r#"{"client_type":"jwt","client_id":"j","client_secret":"cs_SECRETVALUE","private_key":"k","public_key_id":"i"}"#,
                "must not hold",
            ),
            (
                r#"{"client_type":"web","client_id":"w","client_secret":"s","private_key":"PRIVATEKEYVALUE"}"#,
                "must not hold",
            ),
            (
                r#"{"client_type":"jwt","client_id":"j","public_key_id":"i"}"#,
                "no `private_key`",
            ),
            (
                r#"{"client_type":"jwt","client_id":"j","private_key":"PRIVATEKEYVALUE"}"#,
                "no `public_key_id`",
            ),
            (
                r#"{"client_type":"jwt","client_id":"j","private_key":["PRIVATEKEYVALUE"],"public_key_id":"i"}"#,
                "not a string",
            ),
            (
                r#"{"client_type":"web","client_id":"w","client_secret":"cs_SECRETVALUE","coze_api_base":"http://api.coze.cn"}"#,
                "coze_api_base",
            ),
            (
                r#"{"client_type":"web","client_id":"w","client_secret":"cs_SECRETVALUE","client_secret":"x"}"#,
                "valid JSON object",
            ),
        ] {
            let err = AppConfig::from_json(text).unwrap_err();
            assert_eq!(err.code, ErrorCode::InvalidArgument, "{text}");
            assert!(err.message.contains(needle), "{text}: {}", err.message);
            let shown = format!("{err} {err:?}");
            assert!(
                !shown.contains("SECRETVALUE") && !shown.contains("PRIVATEKEYVALUE"),
                "{shown}"
            );
        }
    }
}
