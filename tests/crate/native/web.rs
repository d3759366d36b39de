//! The web (confidential) app, static tokens and the JSON app config, through the public API.

use coze_auth::{
    AppConfig, ErrorCode, Secret, SystemClock, SystemRandom, TokenAuth, WebAuthorizationUrlParams,
    WebOAuthApp, WebOAuthAppOptions,
};
use futures_executor::block_on;

use super::{FakeTransport, TOKEN};

fn app() -> WebOAuthApp {
    WebOAuthApp::new(WebOAuthAppOptions {
        client_id: "web-cid".into(),
        client_secret: Secret::new("cs_web_secret_1"),
        base_url: Some("http://127.0.0.1:9".into()),
        www_base_url: None,
    })
    .unwrap()
}

#[test]
fn login_round_trip_sends_the_secret_as_bearer_only() {
    let a = app();
    let auth = a
        .authorization_url(
            &WebAuthorizationUrlParams {
                redirect_uri: "https://app.example/cb".into(),
                ..Default::default()
            },
            &mut SystemRandom,
        )
        .unwrap();
    assert!(auth
        .url
        .starts_with("http://127.0.0.1:9/api/permission/oauth2/authorize?response_type=code&client_id=web-cid&redirect_uri=https%3A%2F%2Fapp.example%2Fcb&state="));
    assert_eq!(auth.state.secret().len(), 22);
    let callback = format!(
        "https://app.example/cb?code=code-7&state={}",
        auth.state.secret()
    );
    let code = a
        .code_from_callback(&callback, auth.state.secret())
        .unwrap();

    let transport = FakeTransport::answering(200, TOKEN);
    let token = block_on(a.exchange_code(
        &transport,
        &SystemClock,
        code.secret(),
        "https://app.example/cb",
    ))
    .unwrap();
    assert_eq!(token.refresh_token.unwrap().secret(), "czs_refresh_1");
    let requests = transport.requests.borrow();
    assert_eq!(
        requests[0].url,
        "http://127.0.0.1:9/api/permission/oauth2/token"
    );
    assert_eq!(
        requests[0].headers,
        vec![
            ("content-type".to_string(), "application/json".to_string()),
            (
                "authorization".to_string(),
                "Bearer cs_web_secret_1".to_string()
            ),
        ]
    );
    assert_eq!(
        requests[0].body,
        r#"{"grant_type":"authorization_code","client_id":"web-cid","code":"code-7","redirect_uri":"https://app.example/cb"}"#
    );
    assert!(!requests[0].body.contains("secret"));
}

#[test]
fn refresh_sends_the_secret_and_errors_hide_it() {
    let transport = FakeTransport::answering(200, TOKEN);
    block_on(app().refresh_token(&transport, &SystemClock, "czs_refresh_0")).unwrap();
    let req = &transport.requests.borrow()[0];
    assert_eq!(
        req.body,
        r#"{"grant_type":"refresh_token","client_id":"web-cid","refresh_token":"czs_refresh_0"}"#
    );
    assert_eq!(req.headers[1].1, "Bearer cs_web_secret_1");

    let transport = FakeTransport::answering(
        401,
        r#"{"error_code":"invalid_client","error_message":"client_secret cs_web_secret_1 is wrong for czs_refresh_0"}"#,
    );
    let err = block_on(app().refresh_token(&transport, &SystemClock, "czs_refresh_0")).unwrap_err();
    assert_eq!(err.code, ErrorCode::OAuthError);
    let shown = format!("{err} {err:?} {:?}", app());
    assert!(!shown.contains("cs_web_secret_1"), "{shown}");
    assert!(!shown.contains("czs_refresh_0"), "{shown}");
}

#[test]
fn a_forged_callback_is_refused_before_any_request() {
    let err = app()
        .code_from_callback("https://app.example/cb?code=c&state=forged", "expected")
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::InvalidState);
}

#[test]
fn token_auth_for_pats_and_sats() {
    let pat = TokenAuth::new("pat_0123456789abcdef").unwrap();
    assert_eq!(
        pat.authorization_header().secret(),
        "Bearer pat_0123456789abcdef"
    );
    assert_eq!(
        pat.check_runtime(true, false).unwrap_err().code,
        ErrorCode::InvalidArgument
    );
    assert!(pat.check_runtime(true, true).is_ok());
    assert!(pat.check_runtime(false, false).is_ok());
    assert!(!format!("{pat:?}").contains("0123456789"));
}

#[cfg(all(feature = "jwt", not(target_arch = "wasm32")))]
fn json_string(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '"' => out.push_str("\\\""),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(all(feature = "jwt", not(target_arch = "wasm32")))]
#[test]
fn a_jwt_app_config_mints_a_token() {
    use super::jwt::{JWT_TOKEN, KEY_PKCS1, KEY_PKCS8};
    use coze_auth::{JwtTokenParams, RsaSigner};

    for key in [KEY_PKCS8, KEY_PKCS1] {
        let config = format!(
            r#"{{"client_type":"jwt","client_id":"1234567890","private_key":{},"public_key_id":"fixture-kid","coze_api_base":"http://127.0.0.1:9","coze_www_base":"http://127.0.0.1:9"}}"#,
            json_string(key)
        );
        let config = match AppConfig::from_json(&config).unwrap() {
            AppConfig::Jwt(c) => c,
            other => panic!("{}", other.client_type()),
        };
        assert!(!format!("{config:?}").contains("MII"));
        let flow = config.jwt_flow().unwrap();
        let signer = RsaSigner::new(&config.parse_private_key().unwrap()).unwrap();
        let transport = FakeTransport::answering(200, JWT_TOKEN);
        let token = block_on(flow.get_token(
            &transport,
            &signer,
            &SystemClock,
            &mut SystemRandom,
            &JwtTokenParams::default(),
        ))
        .unwrap();
        assert_eq!(token.access_token.secret(), "czs_jwt_access_1");
        assert_eq!(
            transport.requests.borrow()[0].url,
            "http://127.0.0.1:9/api/permission/oauth2/token"
        );
    }
}

#[test]
fn a_web_app_config_builds_the_app() {
    let config = AppConfig::from_json(
        r#"{"client_type":"web","client_id":"web-cid","client_secret":"cs_web_secret_1","coze_api_base":"http://127.0.0.1:9"}"#,
    )
    .unwrap();
    let app = match &config {
        AppConfig::Web(c) => c.web_app().unwrap(),
        other => panic!("{}", other.client_type()),
    };
    assert_eq!(app, self::app());
    assert!(!format!("{config:?}").contains("cs_web_secret_1"));
}
