//! Secret hygiene of the Rust API: every type that holds a secret shows none in its `Debug`,
//! and neither do the requests that carry one, the responses that return one, nor the errors
//! made from a response that echoes one.

use coze_auth::core::device::{read_device_code_response, DevicePoller};
use coze_auth::core::secret::Secret;
use coze_auth::core::token::read_token_response;
use coze_auth::{
    AppConfig, AuthorizationUrlParams, HttpResponse, PendingFlow, PkceOAuthApp,
    PkceOAuthAppOptions, PrivateKey, SystemRandom, TokenAuth, WebOAuthApp, WebOAuthAppOptions,
};

const ACCESS: &str = "czs_hygiene_access_0001";
const REFRESH: &str = "czs_hygiene_refresh_0002";
const CODE: &str = "czs_hygiene_code_0003";
const VERIFIER: &str = "hygiene-verifier-0004-abcdefghijklmnopqrstuv";
const STATE: &str = "hygiene-state-0005";
const CLIENT_SECRET: &str = "hygiene-client-secret-0006";
const DEVICE_CODE: &str = "czs_hygiene_device_0007";
const PAT: &str = "pat_hygiene_0008";
const ALL: [&str; 8] = [
    ACCESS,
    REFRESH,
    CODE,
    VERIFIER,
    STATE,
    CLIENT_SECRET,
    DEVICE_CODE,
    PAT,
];

fn assert_clean(what: &str, shown: String) {
    for secret in ALL {
        assert!(!shown.contains(secret), "{what} shows {secret}: {shown}");
    }
}

fn key_runs(pem: &str) -> Vec<String> {
    let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    (0..body.len().saturating_sub(16))
        .step_by(8)
        .map(|i| body[i..i + 16].to_owned())
        .collect()
}

fn ok(body: &str) -> HttpResponse {
    HttpResponse {
        status: 200,
        headers: vec![],
        body: body.as_bytes().to_vec(),
    }
}

#[test]
fn secrets_tokens_and_pending_flows() {
    assert_clean("Secret", format!("{:?}", Secret::new(ACCESS)));
    let body = format!(
        r#"{{"access_token":"{ACCESS}","refresh_token":"{REFRESH}","expires_in":1763703600}}"#
    );
    let token = read_token_response(&ok(&body), 1_763_700_000, &[]).unwrap();
    assert_clean("OAuthToken", format!("{token:?}"));
    assert_clean("HttpResponse", format!("{:?}", ok(&body)));
    let flow = PendingFlow {
        state: Secret::new(STATE),
        code_verifier: Secret::new(VERIFIER),
        redirect_uri: "https://a/cb".into(),
        created_at: 1,
        client_id: "c".into(),
        base_url: "https://api.coze.cn".into(),
        www_base_url: "https://www.coze.cn".into(),
    };
    assert_clean("PendingFlow", format!("{flow:?}"));
    assert_clean("TokenAuth", format!("{:?}", TokenAuth::new(PAT).unwrap()));
}

#[test]
fn requests_and_authorize_urls() {
    let app = PkceOAuthApp::new(PkceOAuthAppOptions {
        client_id: "c".into(),
        ..Default::default()
    })
    .unwrap();
    let params = AuthorizationUrlParams {
        redirect_uri: "https://a/cb".into(),
        state: Some(STATE.into()),
        ..Default::default()
    };
    assert_clean("AuthorizationUrlParams", format!("{params:?}"));
    let url = app.authorization_url(&params, &mut SystemRandom).unwrap();
    let shown = format!("{url:?}");
    assert_clean("PkceAuthorizationUrl", shown.clone());
    assert!(
        !shown.contains(url.code_verifier.secret()),
        "PkceAuthorizationUrl shows the verifier"
    );
    assert_clean(
        "exchange request",
        format!(
            "{:?}",
            app.exchange_request(CODE, "https://a/cb", VERIFIER)
                .unwrap()
        ),
    );
    assert_clean(
        "refresh request",
        format!("{:?}", app.refresh_request(REFRESH).unwrap()),
    );
    let web = WebOAuthApp::new(WebOAuthAppOptions {
        client_id: "w".into(),
        client_secret: Secret::new(CLIENT_SECRET),
        ..Default::default()
    })
    .unwrap();
    assert_clean("WebOAuthApp", format!("{web:?}"));
    assert_clean(
        "web exchange request",
        format!("{:?}", web.exchange_request(CODE, "https://a/cb").unwrap()),
    );
}

#[test]
fn device_codes_and_pollers() {
    let body = format!(
        r#"{{"device_code":"{DEVICE_CODE}","user_code":"ABCD","verification_uri":"https://www.coze.cn/d","expires_in":600,"interval":5}}"#
    );
    let code = read_device_code_response(&ok(&body), 1_763_700_000).unwrap();
    assert_clean("DeviceCode", format!("{code:?}"));
    let poller = DevicePoller::new(&code, 1_763_700_000_000);
    assert_clean("DevicePoller", format!("{poller:?}"));
}

#[test]
fn configs_and_keys() {
    let pem = include_str!("../../fixtures/jwt-key-pkcs1.pem");
    let key = PrivateKey::from_pem(pem).unwrap();
    let shown = format!("{key:?}");
    for run in key_runs(pem) {
        assert!(!shown.contains(&run), "PrivateKey shows key material");
    }
    let web =
        format!(r#"{{"client_type":"web","client_id":"1","client_secret":"{CLIENT_SECRET}"}}"#);
    assert_clean(
        "AppConfig (web)",
        format!("{:?}", AppConfig::from_json(&web).unwrap()),
    );
    let jwt = format!(
        r#"{{"client_type":"jwt","client_id":"1","public_key_id":"k","private_key":{}}}"#,
        json_string(pem)
    );
    let config = format!("{:?}", AppConfig::from_json(&jwt).unwrap());
    for run in key_runs(pem) {
        assert!(!config.contains(&run), "AppConfig (jwt) shows key material");
    }
}

#[test]
fn errors_from_echoing_servers() {
    let body = format!(
        r#"{{"error_code":"invalid_grant","error_message":"bad code {CODE} with {VERIFIER} and {REFRESH}"}}"#
    );
    let err = read_token_response(
        &HttpResponse {
            status: 400,
            ..ok(&body)
        },
        1,
        &[CODE, VERIFIER, REFRESH],
    )
    .unwrap_err();
    assert_clean("Error", format!("{err:?} {err}"));
    assert!(err
        .error_message
        .as_deref()
        .unwrap_or("")
        .contains("[redacted]"));
}

fn json_string(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[test]
fn web_authorize_urls() {
    use coze_auth::core::web::WebAuthorizationUrlParams;
    let web = WebOAuthApp::new(WebOAuthAppOptions {
        client_id: "w".into(),
        client_secret: Secret::new(CLIENT_SECRET),
        ..Default::default()
    })
    .unwrap();
    let params = WebAuthorizationUrlParams {
        redirect_uri: "https://a/cb".into(),
        state: Some(STATE.into()),
        workspace_id: None,
    };
    assert_clean("WebAuthorizationUrlParams", format!("{params:?}"));
    let url = web.authorization_url(&params, &mut SystemRandom).unwrap();
    assert!(url.url.contains(STATE));
    let shown = format!("{url:?}");
    assert_clean("WebAuthorizationUrl", shown.clone());
    assert!(shown.contains("state=[redacted]"), "{shown}");
}
