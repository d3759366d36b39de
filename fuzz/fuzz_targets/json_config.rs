//! The app config file (protocol §9: client_type, client_id, client_secret, private_key,
//! public_key_id, coze_api_base, coze_www_base) and a JWT scope given as JSON text.
#![no_main]
use coze_auth::core::jwt::Scope;
use coze_auth::AppConfig;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = core::str::from_utf8(data) else {
        return;
    };
    match AppConfig::from_json(text) {
        Ok(config) => {
            let shown = format!("{config:?}");
            assert!(
                !shown.contains("czs_fuzz_secret"),
                "Debug shows a secret: {shown}"
            );
        }
        Err(err) => {
            assert!(!err.message.is_empty());
            assert!(
                !format!("{err} {err:?}").contains("czs_fuzz_secret"),
                "an error echoes a secret"
            );
        }
    }
    if let Ok(scope) = Scope::from_json(text) {
        assert!(Scope::from_json(scope.as_json()).is_ok());
    }
});
