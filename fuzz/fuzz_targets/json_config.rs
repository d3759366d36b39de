//! The app config file (protocol §9: client_type, client_id, client_secret, private_key,
//! public_key_id, coze_api_base, coze_www_base) and a JWT scope given as JSON text.
#![no_main]
use coze_auth::__fuzz::{parse_json, JsonValue as Value};
use coze_auth::core::jwt::Scope;
use coze_auth::AppConfig;
use libfuzzer_sys::fuzz_target;

/// Only values that carry this marker count as secrets to look for: a short or common value
/// (`"a"`, `"config"`) would also appear in innocent text.
const MARKER: &str = "czs_fuzz_secret";

/// The secret values of the config (`client_secret`, `private_key`) that carry the marker and
/// appear in no other member (a `client_id` that contains one is shown, rightly).
fn secrets(text: &str) -> Vec<String> {
    let Ok(Value::Object(members)) = parse_json(text.as_bytes()) else {
        return Vec::new();
    };
    let secret_key = |k: &str| k == "client_secret" || k == "private_key";
    let mut found = Vec::new();
    for (key, value) in &members {
        let Some(secret) = value.as_str().filter(|s| s.contains(MARKER)) else {
            continue;
        };
        let elsewhere = members.iter().any(|(k, v)| {
            !secret_key(k) && (k.contains(secret) || v.as_str().is_some_and(|s| s.contains(secret)))
        });
        if secret_key(key) && !elsewhere {
            found.push(secret.to_owned());
        }
    }
    found
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = core::str::from_utf8(data) else {
        return;
    };
    let shown = match AppConfig::from_json(text) {
        Ok(config) => format!("{config:?}"),
        Err(err) => {
            assert!(!err.message.is_empty());
            format!("{err} {err:?}")
        }
    };
    for secret in secrets(text) {
        assert!(!shown.contains(&secret), "a secret value is shown: {shown}");
    }
    if let Ok(scope) = Scope::from_json(text) {
        assert!(Scope::from_json(scope.as_json()).is_ok());
    }
});
