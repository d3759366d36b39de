//! The PKCE flow end to end through the Transport trait, with a scripted fake transport that
//! records every request: exact request bytes, and every kind of server answer.

// RsaSigner and the rsa verifier exist only natively, with the `jwt` feature.
mod hygiene;
#[cfg(all(feature = "jwt", not(target_arch = "wasm32")))]
mod jwt;
mod jwt_cache;
// The ready HTTP client exists only natively, with the `reqwest` feature.
#[cfg(all(feature = "reqwest", not(target_arch = "wasm32")))]
mod reqwest_transport;
mod web;

use std::cell::RefCell;
use std::collections::VecDeque;

use coze_auth::{
    AuthorizationUrlParams, Clock, Error, ErrorCode, HttpRequest, HttpResponse, MemoryStore,
    PkceAuthorizationUrl, PkceOAuthApp, PkceOAuthAppOptions, SystemClock, SystemRandom, Transport,
};
use futures_executor::block_on;

mod device;
mod device_mock;

/// Answers with scripted responses (or errors) and records the requests.
#[derive(Default)]
struct FakeTransport {
    answers: RefCell<VecDeque<Result<HttpResponse, Error>>>,
    requests: RefCell<Vec<HttpRequest>>,
}

impl FakeTransport {
    fn answering(status: u16, body: &str) -> Self {
        let t = FakeTransport::default();
        t.push(status, body);
        t
    }
    fn push(&self, status: u16, body: &str) {
        self.answers.borrow_mut().push_back(Ok(HttpResponse {
            status,
            headers: vec![("x-tt-logid".into(), "20261121-log".into())],
            body: body.as_bytes().to_vec(),
        }));
    }
}

impl Transport for FakeTransport {
    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, Error> {
        self.requests.borrow_mut().push(request);
        self.answers
            .borrow_mut()
            .pop_front()
            .unwrap_or_else(|| Err(Error::new(ErrorCode::NetworkError, "no scripted answer")))
    }
}

pub(crate) const TOKEN: &str = r#"{"access_token":"czs_access_1","expires_in":1893456000,"refresh_token":"czs_refresh_1","token_type":"Bearer"}"#;

fn app() -> PkceOAuthApp {
    PkceOAuthApp::new(PkceOAuthAppOptions {
        client_id: "cid".into(),
        base_url: Some("http://127.0.0.1:9/".into()),
        www_base_url: None,
    })
    .unwrap()
}

#[test]
fn exchange_sends_the_exact_request_and_reads_the_token() {
    let transport = FakeTransport::answering(200, TOKEN);
    let token = block_on(app().exchange_code(
        &transport,
        &SystemClock,
        "code-1",
        "https://app.example/cb",
        "verifier-1",
    ))
    .unwrap();
    assert_eq!(token.access_token.secret(), "czs_access_1");
    assert_eq!(token.expires_in, 1_893_456_000);
    let requests = transport.requests.borrow();
    assert_eq!(requests.len(), 1);
    assert_eq!(
        requests[0].url,
        "http://127.0.0.1:9/api/permission/oauth2/token"
    );
    assert_eq!(requests[0].method, "POST");
    assert_eq!(
        requests[0].headers,
        vec![("content-type".to_string(), "application/json".to_string())]
    );
    assert_eq!(
        requests[0].body,
        r#"{"grant_type":"authorization_code","client_id":"cid","code":"code-1","redirect_uri":"https://app.example/cb","code_verifier":"verifier-1"}"#
    );
}

#[test]
fn the_flows_read_the_clock_they_are_given() {
    // A lifetime instead of an absolute expiry is added to the given clock's time, read when
    // the answer arrives: a fixed clock (any `Fn() -> i64`) makes the expiry exact.
    let now = 1_800_000_000;
    let lifetime = r#"{"access_token":"czs_access_1","expires_in":900}"#;
    let transport = FakeTransport::answering(200, lifetime);
    let token = block_on(app().exchange_code(
        &transport,
        &|| now,
        "code-1",
        "https://app.example/cb",
        "verifier-1",
    ))
    .unwrap();
    assert_eq!(token.expires_in, now + 900);
    transport.push(200, lifetime);
    let token = block_on(app().refresh_token(&transport, &|| now + 60, "czs_refresh_0")).unwrap();
    assert_eq!(token.expires_in, now + 960);
}

#[test]
fn refresh_sends_the_exact_request() {
    let transport = FakeTransport::answering(200, TOKEN);
    block_on(app().refresh_token(&transport, &SystemClock, "czs_refresh_0")).unwrap();
    assert_eq!(
        transport.requests.borrow()[0].body,
        r#"{"grant_type":"refresh_token","client_id":"cid","refresh_token":"czs_refresh_0"}"#
    );
}

#[test]
fn every_bad_answer_is_a_typed_error_without_secrets() {
    let cases: [(u16, &str, ErrorCode); 8] = [
        (200, "{not json", ErrorCode::InvalidResponse),
        (
            502,
            "<html><body>502 Bad Gateway</body></html>",
            ErrorCode::HttpError,
        ),
        (
            200,
            r#"{"error_code":"invalid_grant","error_message":"code code-1 expired"}"#,
            ErrorCode::OAuthError,
        ),
        (
            400,
            r#"{"error":"invalid_grant","error_description":"verifier-1 wrong"}"#,
            ErrorCode::OAuthError,
        ),
        (
            200,
            r#"{"expires_in":1893456000}"#,
            ErrorCode::InvalidResponse,
        ),
        (500, "", ErrorCode::HttpError),
        (302, "", ErrorCode::HttpError),
        (
            200,
            r#"{"access_token":"a","access_token":"b","expires_in":1893456000}"#,
            ErrorCode::InvalidResponse,
        ),
    ];
    for (status, body, code) in cases {
        let transport = FakeTransport::answering(status, body);
        let err = block_on(app().exchange_code(
            &transport,
            &SystemClock,
            "code-1",
            "https://app.example/cb",
            "verifier-1",
        ))
        .unwrap_err();
        assert_eq!(err.code, code, "{status} {body}");
        assert_eq!(err.log_id.as_deref(), Some("20261121-log"));
        let shown = format!("{err} {err:?}");
        assert!(
            !shown.contains("code-1") && !shown.contains("verifier-1"),
            "{shown}"
        );
    }
    // Transport failures pass through unchanged.
    let transport = FakeTransport::default();
    let err = block_on(app().exchange_code(
        &transport,
        &SystemClock,
        "code-1",
        "https://app.example/cb",
        "verifier-1",
    ))
    .unwrap_err();
    assert_eq!(err.code, ErrorCode::NetworkError);
}

#[test]
fn invalid_arguments_send_nothing() {
    let transport = FakeTransport::answering(200, TOKEN);
    let err =
        block_on(app().exchange_code(&transport, &SystemClock, "", "https://app.example/cb", "v"))
            .unwrap_err();
    assert_eq!(err.code, ErrorCode::InvalidArgument);
    assert!(transport.requests.borrow().is_empty());
}

/// Starts a login into `store` and returns it with the callback URL Coze would send for `code`.
fn start_login(store: &MemoryStore, code: &str) -> (PkceAuthorizationUrl, String) {
    let params = AuthorizationUrlParams {
        redirect_uri: "https://app.example/cb".into(),
        ..Default::default()
    };
    let auth = app()
        .start_login(
            &params,
            store,
            &mut SystemRandom,
            SystemClock.now_unix_seconds(),
        )
        .unwrap();
    let callback = format!(
        "https://app.example/cb?code={code}&state={}",
        auth.state.secret()
    );
    (auth, callback)
}

#[test]
fn start_login_then_handle_callback_with_a_memory_store() {
    let store = MemoryStore::default();
    let (auth, callback) = start_login(&store, "code-9");

    let transport = FakeTransport::answering(200, TOKEN);
    let token =
        block_on(app().handle_callback(&transport, &SystemClock, &callback, &store)).unwrap();
    assert_eq!(token.refresh_token.unwrap().secret(), "czs_refresh_1");
    assert!(store.is_empty());
    let body = &transport.requests.borrow()[0].body;
    assert!(body.contains(&format!(
        r#""code_verifier":"{}""#,
        auth.code_verifier.secret()
    )));
    assert!(body.contains(r#""code":"code-9""#));

    // Replaying the same callback fails without a request.
    let transport = FakeTransport::answering(200, TOKEN);
    let err =
        block_on(app().handle_callback(&transport, &SystemClock, &callback, &store)).unwrap_err();
    assert_eq!(err.code, ErrorCode::MissingPendingFlow);
    assert!(transport.requests.borrow().is_empty());
}

#[test]
fn a_failed_exchange_still_deletes_the_pending_flow() {
    let store = MemoryStore::default();
    let (_, callback) = start_login(&store, "c");
    let transport = FakeTransport::answering(400, r#"{"error_code":"invalid_grant"}"#);
    let err =
        block_on(app().handle_callback(&transport, &SystemClock, &callback, &store)).unwrap_err();
    assert_eq!(err.code, ErrorCode::OAuthError);
    assert!(store.is_empty());
}

#[test]
fn generated_verifiers_and_states_are_random_and_well_formed() {
    let params = AuthorizationUrlParams {
        redirect_uri: "https://app.example/cb".into(),
        ..Default::default()
    };
    let mut seen = std::collections::HashSet::new();
    for _ in 0..200 {
        let auth = app().authorization_url(&params, &mut SystemRandom).unwrap();
        let v = auth.code_verifier.secret();
        assert_eq!(v.len(), 43);
        assert!(v
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'));
        assert_eq!(auth.state.secret().len(), 22);
        assert!(seen.insert(v.to_owned()));
        assert!(seen.insert(auth.state.secret().to_owned()));
    }
}
