//! wasm-bindgen tests of the wasm32 adapters (`coze_auth::adapters`), in Node (default) and
//! headless Chromium (`WASM_BINDGEN_USE_BROWSER=1`), against the mock Coze that scripts/test.sh
//! starts. Its URL comes from `COZE_MOCK_URL`: read from `process.env` at run time in Node, and
//! compiled in for the browser (which has no environment); scripts/test.sh starts one mock for
//! both runs, so the URL is the same and nothing rebuilds between them.
#![cfg(target_arch = "wasm32")]

use coze_auth::adapters::{FetchTransport, TimeoutSleeper, WebStorageStore};
use coze_auth::core::http::MAX_BODY_BYTES;
use coze_auth::{
    AuthorizationUrlParams, DeviceOAuthApp, DeviceOAuthAppOptions, ErrorCode, HttpRequest,
    PendingFlowStore, PkceOAuthApp, PkceOAuthAppOptions, Sleeper, SystemClock, SystemRandom,
    Transport,
};
use js_sys::{Function, Promise};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;

const CLIENT_ID: &str = "wasm-adapters-client";

fn mock_url() -> String {
    js_sys::eval("globalThis.process?.env?.COZE_MOCK_URL")
        .ok()
        .and_then(|v| v.as_string())
        .or_else(|| option_env!("COZE_MOCK_URL").map(str::to_owned))
        .expect("COZE_MOCK_URL: scripts/test.sh starts the mock Coze and sets it")
}

/// Runs `body` (a JS async function body over `base` and `arg`) and returns its value.
async fn js(body: &str, arg: &str) -> JsValue {
    let f = Function::new_with_args("base, arg", &format!("return (async () => {{ {body} }})()"));
    let promise: Promise = f
        .call2(&JsValue::UNDEFINED, &mock_url().into(), &arg.into())
        .unwrap()
        .into();
    JsFuture::from(promise).await.unwrap()
}

/// Sets a fault on the mock's token endpoint for its next answer (`POST /__mock/fault`).
async fn fault(name: &str) {
    let status = js(
        "const r = await fetch(`${base}/__mock/fault`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ fault: arg, times: 1 }) }); return r.status",
        name,
    )
    .await;
    assert_eq!(status.as_f64(), Some(200.0), "fault {name}");
}

/// Paths the mock has been asked for since the last reset.
async fn requested_paths() -> Vec<String> {
    let paths = js(
        "const r = await fetch(`${base}/__mock/requests`); return (await r.json()).map((q) => q.path).join(' ')",
        "",
    )
    .await;
    paths
        .as_string()
        .unwrap()
        .split(' ')
        .map(str::to_owned)
        .collect()
}

async fn reset_mock() {
    js(
        "await fetch(`${base}/__mock/reset`, { method: 'POST' })",
        "",
    )
    .await;
}

fn pkce_app() -> PkceOAuthApp {
    let base = mock_url();
    PkceOAuthApp::new(PkceOAuthAppOptions {
        client_id: CLIENT_ID.into(),
        base_url: Some(base.clone()),
        www_base_url: Some(base),
    })
    .unwrap()
}

fn token_request() -> HttpRequest {
    pkce_app()
        .refresh_request("czs_not_a_refresh_token")
        .unwrap()
}

/// A JS `AbortController` whose `abort()` runs after `ms`.
fn abort_after(ms: u32) -> web_sys::AbortController {
    let controller = web_sys::AbortController::new().unwrap();
    Function::new_with_args("c, ms", "setTimeout(() => c.abort(), ms)")
        .call2(&JsValue::UNDEFINED, &controller, &ms.into())
        .unwrap();
    controller
}

#[wasm_bindgen_test]
async fn an_answer_comes_back_with_its_status_headers_and_body() {
    let response = FetchTransport::new().send(token_request()).await.unwrap();
    // A refresh token the mock never issued: an OAuth error, read in full.
    assert_eq!(response.status, 400);
    assert!(response.log_id().is_some());
    let body = String::from_utf8(response.body).unwrap();
    assert!(body.contains(r#""error_code":"invalid_grant""#), "{body}");

    let err = pkce_app()
        .refresh_token(
            &FetchTransport::new(),
            &SystemClock,
            "czs_not_a_refresh_token",
        )
        .await
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::OAuthError);
    assert_eq!(err.status, Some(400));
}

#[wasm_bindgen_test]
async fn a_body_that_arrives_a_byte_at_a_time_is_read_whole() {
    fault("drip").await;
    let token = pkce_app()
        .refresh_token(&FetchTransport::new(), &SystemClock, "czs_any")
        .await
        .unwrap();
    assert!(token.access_token.secret().starts_with("czs_mock_at_"));
}

#[wasm_bindgen_test]
async fn a_server_that_never_answers_times_out() {
    fault("hang").await;
    let transport = FetchTransport::new().with_timeout_ms(300);
    let err = transport.send(token_request()).await.unwrap_err();
    assert_eq!(err.code, ErrorCode::Timeout);
    assert!(err.message.contains("300 ms"), "{}", err.message);
}

#[wasm_bindgen_test]
async fn the_time_limit_covers_the_body() {
    fault("slow_body").await;
    let transport = FetchTransport::new().with_timeout_ms(300);
    let err = transport.send(token_request()).await.unwrap_err();
    assert_eq!(err.code, ErrorCode::Timeout);
    assert_eq!(err.status, Some(200), "the headers had arrived");
}

#[wasm_bindgen_test]
async fn the_callers_signal_aborts_a_request() {
    fault("hang").await;
    let controller = abort_after(50);
    let transport = FetchTransport::new().with_signal(controller.signal());
    let err = transport.send(token_request()).await.unwrap_err();
    assert_eq!(err.code, ErrorCode::Aborted);
    // Already aborted: nothing is sent.
    let err = transport.send(token_request()).await.unwrap_err();
    assert_eq!(err.code, ErrorCode::Aborted);

    fault("slow_body").await;
    let controller = abort_after(100);
    let transport = FetchTransport::new().with_signal(controller.signal());
    let err = transport.send(token_request()).await.unwrap_err();
    assert_eq!(err.code, ErrorCode::Aborted, "while the body streams");
}

#[wasm_bindgen_test]
async fn a_fetch_that_ignores_its_signal_still_settles_on_time() {
    let hang = Function::new_with_args("url, init", "return new Promise(() => {})");
    let transport = FetchTransport::new().with_fetch(hang).with_timeout_ms(50);
    let err = transport.send(token_request()).await.unwrap_err();
    assert_eq!(err.code, ErrorCode::Timeout);
}

#[wasm_bindgen_test]
async fn no_response_is_a_network_error_with_a_cause() {
    let refused = Function::new_with_args(
        "url, init",
        "return Promise.reject(new TypeError('connection refused'))",
    );
    let transport = FetchTransport::new().with_fetch(refused);
    let err = transport.send(token_request()).await.unwrap_err();
    assert_eq!(err.code, ErrorCode::NetworkError);
    assert_eq!(err.cause.as_deref(), Some("TypeError: connection refused"));
    let body = token_request().body;
    assert!(!format!("{err} {err:?}").contains(&body));
}

#[wasm_bindgen_test]
async fn a_redirect_is_returned_not_followed() {
    reset_mock().await;
    fault("redirect").await;
    let response = FetchTransport::new().send(token_request()).await.unwrap();
    // Node's fetch hands the 302 over; a browser gives an opaque redirect (status 0).
    assert!(
        [0, 302].contains(&response.status),
        "status {}",
        response.status
    );
    fault("redirect").await;
    let err = pkce_app()
        .refresh_token(&FetchTransport::new(), &SystemClock, "czs_any")
        .await
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::HttpError);
    let paths = requested_paths().await;
    assert!(
        !paths.iter().any(|p| p.contains("redirected_token")),
        "{paths:?}"
    );
}

#[wasm_bindgen_test]
async fn a_body_over_one_mib_is_refused_with_or_without_content_length() {
    for name in ["huge_body_chunked", "huge_body"] {
        fault(name).await;
        let err = FetchTransport::new()
            .send(token_request())
            .await
            .unwrap_err();
        assert_eq!(err.code, ErrorCode::InvalidResponse, "{name}");
        assert_eq!(err.status, Some(200), "{name}");
        assert!(err.message.contains("1 MiB"), "{name}: {}", err.message);
        assert!(err.log_id.is_some(), "{name}");
    }
    // A stand-in fetch whose chunked body never declares a length, and never ends: the count
    // stops it, not the end of the stream.
    let endless = Function::new_with_args(
        "url, init",
        "const chunk = new Uint8Array(64 * 1024).fill(32);
         const body = new ReadableStream({ pull(c) { c.enqueue(chunk) } });
         return Promise.resolve(new Response(body, { status: 200 }))",
    );
    let err = FetchTransport::new()
        .with_fetch(endless)
        .send(token_request())
        .await
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::InvalidResponse);
    // Exactly the cap is still read.
    let at_cap = Function::new_with_args(
        "url, init",
        &format!("return Promise.resolve(new Response(new Uint8Array({MAX_BODY_BYTES}).fill(32)))"),
    );
    let response = FetchTransport::new()
        .with_fetch(at_cap)
        .send(token_request())
        .await
        .unwrap();
    assert_eq!(response.body.len(), MAX_BODY_BYTES);
}

#[wasm_bindgen_test]
async fn an_html_502_is_an_http_error_with_its_status() {
    fault("html_502").await;
    let err = pkce_app()
        .refresh_token(&FetchTransport::new(), &SystemClock, "czs_any")
        .await
        .unwrap_err();
    assert_eq!((err.code, err.status), (ErrorCode::HttpError, Some(502)));
    assert!(err.log_id.is_some());
}

/// A `Storage` stand-in over a Map (Node has no sessionStorage), with a switch that makes it
/// throw like a full or denied storage.
fn map_storage() -> JsValue {
    js_sys::eval(
        "(() => { const m = new Map(); const s = { broken: false,
           getItem(k) { if (s.broken) throw new Error('denied'); return m.has(k) ? m.get(k) : null },
           setItem(k, v) { if (s.broken) throw new Error('QuotaExceededError'); m.set(k, String(v)) },
           removeItem(k) { if (s.broken) throw new Error('denied'); m.delete(k) } }; return s })()",
    )
    .unwrap()
}

fn check_round_trip(store: &WebStorageStore) {
    assert_eq!(store.get("coze-auth:test").unwrap(), None);
    store.set("coze-auth:test", "value-1").unwrap();
    assert_eq!(
        store.get("coze-auth:test").unwrap().as_deref(),
        Some("value-1")
    );
    store.remove("coze-auth:test").unwrap();
    assert_eq!(store.get("coze-auth:test").unwrap(), None);
    store.remove("coze-auth:test").unwrap();
}

#[wasm_bindgen_test]
async fn the_storage_store_round_trips_a_pending_login() {
    let raw = map_storage();
    let store = WebStorageStore::new(raw.clone().unchecked_into());
    check_round_trip(&store);

    let app = pkce_app();
    let params = AuthorizationUrlParams {
        redirect_uri: "http://localhost:3000/callback".into(),
        ..Default::default()
    };
    let auth = app
        .start_login(&params, &store, &mut SystemRandom, 1_900_000_000)
        .unwrap();
    let key = format!("coze-auth:pkce:{}", auth.state.secret());
    let saved = store.get(&key).unwrap().unwrap();
    assert!(saved.contains("codeVerifier"), "{saved}");

    js_sys::Reflect::set(&raw, &"broken".into(), &JsValue::TRUE).unwrap();
    for err in [
        store.get(&key).unwrap_err(),
        store.set(&key, "x").unwrap_err(),
        store.remove(&key).unwrap_err(),
    ] {
        assert_eq!(err.code, ErrorCode::InvalidArgument);
    }

    match WebStorageStore::session() {
        Ok(session) => check_round_trip(&session),
        Err(err) => {
            assert!(
                js_sys::eval("typeof sessionStorage").unwrap().as_string()
                    == Some("undefined".into()),
                "sessionStorage exists, yet: {err}"
            );
            assert_eq!(err.code, ErrorCode::InvalidArgument);
        }
    }
}

#[wasm_bindgen_test]
async fn the_sleeper_waits_on_the_wall_clock() {
    let sleeper = TimeoutSleeper::new();
    let start = sleeper.now_ms();
    let date_now = js_sys::Date::now() as i64;
    assert!((start - date_now).abs() < 1000);
    sleeper.sleep_until(start + 60).await.unwrap();
    assert!(sleeper.now_ms() >= start + 60);
    let before = sleeper.now_ms();
    sleeper.sleep_until(before - 10_000).await.unwrap();
    assert!(sleeper.now_ms() - before < 50, "a past time does not wait");

    let controller = abort_after(30);
    let sleeper = TimeoutSleeper::new().with_signal(controller.signal());
    let begun = sleeper.now_ms();
    let err = sleeper.sleep_until(begun + 60_000).await.unwrap_err();
    assert_eq!(err.code, ErrorCode::Aborted);
    assert!(sleeper.now_ms() - begun < 5_000);
    let err = sleeper.sleep_until(0).await.unwrap_err();
    assert_eq!(
        err.code,
        ErrorCode::Aborted,
        "an aborted signal stays aborted"
    );
}

#[wasm_bindgen_test]
async fn the_device_flow_polls_with_the_sleeper_and_the_fetch_transport() {
    js(
        "await fetch(`${base}/__mock/device-script`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ pending: 1, interval: 1, outcome: 'allow', enforceInterval: true }) })",
        "",
    )
    .await;
    let app = DeviceOAuthApp::new(DeviceOAuthAppOptions {
        client_id: CLIENT_ID.into(),
        base_url: Some(mock_url()),
    })
    .unwrap();
    let transport = FetchTransport::new().with_timeout_ms(5_000);
    let code = app
        .get_device_code(&transport, &SystemClock, None)
        .await
        .unwrap();
    let mut pending = 0;
    let token = app
        .poll_token(&transport, &TimeoutSleeper::new(), &code, |_| pending += 1)
        .await
        .unwrap();
    assert!(token.access_token.secret().starts_with("czs_mock_at_"));
    assert_eq!(pending, 1);
    reset_mock().await;
}
