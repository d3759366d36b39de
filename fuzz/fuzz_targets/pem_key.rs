//! A private key as it arrives from an option, a variable or a file: PEM (PKCS#8 or PKCS#1),
//! with whitespace and literal `\n`, or anything else. Errors never echo key material.
#![no_main]
use coze_auth::PrivateKey;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = core::str::from_utf8(data) else {
        return;
    };
    match PrivateKey::from_pem(text) {
        Ok(key) => assert!(!key.pkcs8_der().is_empty()),
        Err(err) => {
            assert!(!err.message.is_empty());
            // Any 16-character run of the input's base64 must not reappear in the error.
            let body: String = text
                .chars()
                .filter(|c| c.is_ascii_alphanumeric() || *c == '+' || *c == '/')
                .collect();
            let shown = format!("{err} {err:?}");
            for start in (0..body.len().saturating_sub(16)).step_by(8) {
                let run = &body[start..start + 16];
                assert!(!shown.contains(run), "key material in the error: {run}");
            }
        }
    }
});
