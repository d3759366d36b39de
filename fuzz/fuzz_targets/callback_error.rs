//! The error path of a callback (`?error=…&error_description=…`, Coze's or forged), for a PKCE
//! login taken from its store and for a web app: whatever the query holds, the error names no
//! secret of the login (state, and the verifier or the client secret), neither as is nor
//! URL-encoded nor JSON-escaped.
#![no_main]
use coze_auth::core::callback::{check_pending_flow, PendingFlow};
use coze_auth::{
    Error, PkceOAuthApp, PkceOAuthAppOptions, Secret, WebOAuthApp, WebOAuthAppOptions,
};
use libfuzzer_sys::fuzz_target;

/// The login's state: characters that every encoding changes.
const STATE: &str = "st@te fuzz/4b1d+\"x\"";
/// The state as the callback URL carries it (form-encoded).
const STATE_IN_URL: &str = "st%40te+fuzz%2F4b1d%2B%22x%22";
/// The login's verifier.
const VERIFIER: &str = "v3rifier_fuzz~secret.4b1d-0123456789abcdef";
const NOW: i64 = 1_763_700_000;

/// The forms an echo of `secret` may take in server text.
fn forms(secret: &str) -> [String; 4] {
    let json = secret.replace('\\', "\\\\").replace('"', "\\\"");
    let mut form = String::new();
    let mut percent = String::new();
    for b in secret.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            form.push(char::from(b));
            percent.push(char::from(b));
        } else {
            let hex = format!("%{b:02X}");
            form.push_str(if b == b' ' { "+" } else { &hex });
            percent.push_str(&hex.to_ascii_lowercase());
        }
    }
    [secret.to_owned(), json, form, percent]
}

/// The web app's client secret.
const CLIENT_SECRET: &str = "czs_fuzz_client_secret";

/// `err` has a message and shows none of `secrets` in any form.
fn check(err: &Error, secrets: &[&str]) {
    assert!(!err.message.is_empty(), "an error without a message");
    let shown = format!("{err} {err:?}");
    for &secret in secrets {
        for form in forms(secret) {
            assert!(
                !shown.contains(&form),
                "the error shows a secret as {form:?}: {shown}"
            );
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(query) = core::str::from_utf8(data) else {
        return;
    };
    let url = format!("https://app.example/cb?state={STATE_IN_URL}&{query}");

    let app = PkceOAuthApp::new(PkceOAuthAppOptions {
        client_id: "fuzz-client".into(),
        ..Default::default()
    })
    .expect("app");
    let flow = PendingFlow {
        state: Secret::new(STATE),
        code_verifier: Secret::new(VERIFIER),
        redirect_uri: "https://app.example/cb".into(),
        created_at: NOW,
        client_id: app.client_id().into(),
        base_url: app.base_url().into(),
        www_base_url: app.www_base_url().into(),
    };
    match check_pending_flow(&url, Some(&flow.to_json()), NOW, &app) {
        Ok((code, pending)) => {
            assert!(!code.secret().is_empty());
            assert_eq!(pending.code_verifier.secret(), VERIFIER);
        }
        Err(err) => check(&err, &[STATE, VERIFIER]),
    }

    // A web login's secrets are its state and the client secret (it has no verifier).
    let web = WebOAuthApp::new(WebOAuthAppOptions {
        client_id: "fuzz-client".into(),
        client_secret: Secret::new(CLIENT_SECRET),
        ..Default::default()
    })
    .expect("web app");
    match web.code_from_callback(&url, STATE) {
        Ok(code) => assert!(!code.secret().is_empty()),
        Err(err) => check(&err, &[STATE, CLIENT_SECRET]),
    }
});
