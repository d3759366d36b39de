//! The consumer crate in Node (wasm-bindgen-test-runner), logging in against the mock Coze whose
//! URL scripts/test-wasm-consumer.sh passes in `COZE_MOCK_URL` (read from `process.env` at run
//! time, so a new port does not rebuild anything). The "user" who clicks Allow on the consent
//! page is a few lines of JS (`fetch` of the page and of its link), and so is the Web Storage
//! that Node lacks; everything else is Rust through coze-auth's core and wasm32 adapters.
#![cfg(target_arch = "wasm32")]

use coze_auth::adapters::WebStorageStore;
use coze_auth::{Clock, ErrorCode, SystemClock};
use coze_auth_wasm_consumer::CozeLogin;
use js_sys::{Function, Promise, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::wasm_bindgen_test;

const CLIENT_ID: &str = "wasm-consumer-client";
const REDIRECT_URI: &str = "http://localhost:3000/callback";

fn mock_url() -> String {
    js_sys::eval("globalThis.process?.env?.COZE_MOCK_URL")
        .ok()
        .and_then(|v| v.as_string())
        .expect("COZE_MOCK_URL: scripts/test.sh starts the mock Coze and sets it")
}

async fn call(f: &Function, args: &[&str]) -> JsValue {
    let args: js_sys::Array = args.iter().map(|a| JsValue::from_str(a)).collect();
    let promise: Promise = f.apply(&JsValue::UNDEFINED, &args).unwrap().into();
    JsFuture::from(promise).await.unwrap()
}

/// Plays the user: opens the consent page, follows its Allow link, and returns where Coze
/// redirects the browser (the callback URL with `code` and `state`).
async fn allow(authorize_url: &str) -> String {
    let consent = Function::new_with_args(
        "url",
        r#"return (async () => {
             const page = await fetch(url)
             const link = /id="authorize" href="([^"]+)"/.exec(await page.text())
             if (!link) throw new Error(`no consent link (HTTP ${page.status})`)
             const answer = await fetch(new URL(link[1].replaceAll('&amp;', '&'), url), { redirect: 'manual' })
             return answer.headers.get('location')
           })()"#,
    );
    call(&consent, &[authorize_url]).await.as_string().unwrap()
}

/// Sets a fault on the mock's token endpoint (`POST /__mock/fault`).
async fn fault(name: &str) {
    let post = Function::new_with_args(
        "base, name",
        r#"return fetch(`${base}/__mock/fault`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ fault: name, times: 1 }) }).then((r) => r.status)"#,
    );
    assert_eq!(
        call(&post, &[&mock_url(), name]).await.as_f64(),
        Some(200.0)
    );
}

/// `sessionStorage` where there is one (a browser), else a stand-in over a Map (Node), and the
/// JS object behind it (to count its entries).
fn storage() -> (WebStorageStore, JsValue) {
    let session = js_sys::eval("globalThis.sessionStorage").unwrap_or(JsValue::UNDEFINED);
    let raw = if session.is_object() {
        session
    } else {
        js_sys::eval(
            "(() => { const m = new Map(); return { getItem: (k) => m.has(k) ? m.get(k) : null, setItem: (k, v) => void m.set(k, String(v)), removeItem: (k) => void m.delete(k), get length() { return m.size } } })()",
        )
        .unwrap()
    };
    (WebStorageStore::new(raw.clone().unchecked_into()), raw)
}

fn pending(raw: &JsValue) -> f64 {
    Reflect::get(raw, &"length".into())
        .unwrap()
        .as_f64()
        .unwrap()
}

fn login(timeout_ms: u32) -> (CozeLogin, JsValue) {
    let (store, raw) = storage();
    let login = CozeLogin::new(CLIENT_ID, &mock_url(), timeout_ms, store).unwrap();
    (login, raw)
}

#[wasm_bindgen_test]
async fn rust_api_logs_in_refreshes_and_refuses_a_replay() {
    let base = mock_url();
    let (login, raw) = login(5_000);
    let authorize_url = login.start(REDIRECT_URI).unwrap();
    assert!(authorize_url.starts_with(&format!(
        "{base}/api/permission/oauth2/authorize?response_type=code&client_id={CLIENT_ID}&"
    )));
    assert!(authorize_url.contains("code_challenge_method=S256"));
    assert_eq!(pending(&raw), 1.0);

    let callback = allow(&authorize_url).await;
    assert!(
        callback.starts_with(&format!("{REDIRECT_URI}?code=")),
        "{callback}"
    );
    let token = login.finish(&callback).await.unwrap();
    assert!(token.access_token.secret().starts_with("czs_mock_at_"));
    assert!(token.expires_in > SystemClock.now_unix_seconds());
    assert_eq!(pending(&raw), 0.0);

    // Refresh tokens rotate: the new one works, the old one is spent.
    let old_refresh = token.refresh_token.unwrap();
    let next = login.refresh(old_refresh.secret()).await.unwrap();
    assert_ne!(next.access_token, token.access_token);
    let err = login.refresh(old_refresh.secret()).await.unwrap_err();
    assert_eq!(err.code, ErrorCode::OAuthError);
    assert_eq!(err.error_code.as_deref(), Some("invalid_grant"));
    assert!(err.log_id.is_some());

    // The callback works once: the pending login is gone.
    let err = login.finish(&callback).await.unwrap_err();
    assert_eq!(err.code, ErrorCode::MissingPendingFlow);
}

#[wasm_bindgen_test]
async fn without_web_storage_the_page_login_says_so() {
    match CozeLogin::in_page(CLIENT_ID, &mock_url(), 5_000) {
        Ok(_) => assert!(js_sys::eval("globalThis.sessionStorage")
            .unwrap()
            .is_object()),
        Err(err) => assert_eq!(err.code, ErrorCode::InvalidArgument),
    }
}

#[wasm_bindgen_test]
async fn a_server_that_never_answers_times_out() {
    let (login, _) = login(300);
    let callback = allow(&login.start(REDIRECT_URI).unwrap()).await;
    fault("hang").await;
    let err = login.finish(&callback).await.unwrap_err();
    assert_eq!(err.code, ErrorCode::Timeout);
}

#[wasm_bindgen_test]
async fn an_html_502_is_an_http_error_with_its_status() {
    let (login, _) = login(5_000);
    let callback = allow(&login.start(REDIRECT_URI).unwrap()).await;
    fault("html_502").await;
    let err = login.finish(&callback).await.unwrap_err();
    assert_eq!((err.code, err.status), (ErrorCode::HttpError, Some(502)));
}
