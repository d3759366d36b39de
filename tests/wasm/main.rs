//! wasm-bindgen tests of the JS layer: run under Node (default) and headless Chromium
//! (`WASM_BINDGEN_USE_BROWSER=1`). A fake `fetch` written in JS scripts the server, so the
//! same tests run in both without a network.
#![cfg(target_arch = "wasm32")]

use coze_auth::wasm::pkce_app::WasmPkceOAuthApp;
use js_sys::{Function, Object, Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;

fn obj(pairs: &[(&str, JsValue)]) -> JsValue {
    let o = Object::new();
    for (k, v) in pairs {
        Reflect::set(&o, &JsValue::from_str(k), v).unwrap();
    }
    o.into()
}

fn s(v: &str) -> JsValue {
    JsValue::from_str(v)
}

fn field(v: &JsValue, k: &str) -> JsValue {
    Reflect::get(v, &s(k)).unwrap()
}

fn field_str(v: &JsValue, k: &str) -> String {
    field(v, k).as_string().unwrap_or_default()
}

/// A fake fetch answering `status` and `body`, recording its calls in `globalThis.__calls`.
fn fake_fetch(status: u16, body: &str) -> Function {
    Function::new_with_args(
        "url, init",
        &format!(
            "(globalThis.__calls ||= []).push({{url, init}});
             return Promise.resolve(new Response({body:?}, {{ status: {status}, headers: {{ 'x-tt-logid': 'log-1', 'content-type': 'application/json' }} }}));"
        ),
    )
}

fn app(fetch: Function, timeout_ms: Option<u32>) -> WasmPkceOAuthApp {
    let mut opts = vec![
        ("clientId", s("cid")),
        ("baseURL", s("https://api.coze.cn")),
        ("fetch", fetch.into()),
    ];
    if let Some(t) = timeout_ms {
        opts.push(("timeoutMs", JsValue::from_f64(t as f64)));
    }
    WasmPkceOAuthApp::new(obj(&opts)).unwrap()
}

async fn settle(p: Promise) -> Result<JsValue, JsValue> {
    JsFuture::from(p).await
}

const TOKEN: &str = r#"{"access_token":"czs_a","expires_in":1893456000,"refresh_token":"czs_r","token_type":"Bearer"}"#;

fn exchange_params(extra: &[(&str, JsValue)]) -> JsValue {
    let mut p = vec![
        ("code", s("code-1")),
        ("redirectUri", s("https://app.example/cb")),
        ("codeVerifier", s("verifier-1")),
    ];
    p.extend(extra.iter().cloned());
    obj(&p)
}

#[wasm_bindgen_test]
async fn oauth_url_uses_the_platform_csprng() {
    let a = app(fake_fetch(200, TOKEN), None);
    let r1 = settle(a.get_oauth_url(obj(&[("redirectUri", s("https://app.example/cb"))])))
        .await
        .unwrap();
    let r2 = settle(a.get_oauth_url(obj(&[("redirectUri", s("https://app.example/cb"))])))
        .await
        .unwrap();
    assert!(field_str(&r1, "url").starts_with(
        "https://www.coze.cn/api/permission/oauth2/authorize?response_type=code&client_id=cid&"
    ));
    assert_eq!(field_str(&r1, "codeVerifier").len(), 43);
    assert_eq!(field_str(&r1, "state").len(), 22);
    assert_ne!(
        field_str(&r1, "codeVerifier"),
        field_str(&r2, "codeVerifier")
    );
    assert_eq!(field_str(&r1, "codeChallengeMethod"), "S256");
}

#[wasm_bindgen_test]
async fn exchange_through_custom_fetch() {
    let a = app(fake_fetch(200, TOKEN), None);
    let token = settle(a.get_access_token(exchange_params(&[])))
        .await
        .unwrap();
    assert_eq!(field_str(&token, "access_token"), "czs_a");
    assert_eq!(field(&token, "expires_in").as_f64(), Some(1893456000.0));
    let calls = js_sys::eval("globalThis.__calls.at(-1)").unwrap();
    assert_eq!(
        field_str(&calls, "url"),
        "https://api.coze.cn/api/permission/oauth2/token"
    );
    let init = field(&calls, "init");
    assert_eq!(field_str(&init, "method"), "POST");
    assert_eq!(field_str(&init, "redirect"), "manual");
    assert!(field(&field(&init, "headers"), "authorization").is_undefined());
    assert!(field_str(&init, "body").contains(r#""code_verifier":"verifier-1""#));
}

#[wasm_bindgen_test]
async fn error_answers_become_coze_auth_errors() {
    let cases = [
        (
            400,
            r#"{"error_code":"invalid_grant","error_message":"bad"}"#,
            "oauth_error",
        ),
        (200, r#"{"error":"invalid_grant"}"#, "oauth_error"),
        (502, "<html>502</html>", "http_error"),
        (200, "{not json", "invalid_response"),
        (
            200,
            r#"{"token_type":"Bearer","expires_in":1893456000}"#,
            "invalid_response",
        ),
    ];
    for (status, body, code) in cases {
        let a = app(fake_fetch(status, body), None);
        let err = settle(a.get_access_token(exchange_params(&[])))
            .await
            .unwrap_err();
        assert_eq!(field_str(&err, "code"), code, "{body}");
        assert_eq!(field_str(&err, "name"), "CozeAuthError");
        assert_eq!(field(&err, "status").as_f64(), Some(status as f64));
        assert_eq!(field_str(&err, "logId"), "log-1");
        let message = field_str(&err, "message");
        assert!(!message.contains("code-1") && !message.contains("verifier-1"));
    }
}

#[wasm_bindgen_test]
async fn a_hanging_fetch_times_out() {
    let hang = Function::new_with_args("url, init", "return new Promise(() => {});");
    let a = app(hang, Some(50));
    let err = settle(a.get_access_token(exchange_params(&[])))
        .await
        .unwrap_err();
    assert_eq!(field_str(&err, "code"), "timeout");
}

#[wasm_bindgen_test]
async fn abort_signal_ends_the_request() {
    // The fake fetch ignores the signal on purpose: the deadline must still settle the call.
    let hang = Function::new_with_args("url, init", "return new Promise(() => {});");
    let a = app(hang, None);
    let controller = web_sys::AbortController::new().unwrap();
    let pending = a.get_access_token(exchange_params(&[("signal", controller.signal().into())]));
    let abort = Function::new_with_args("c", "setTimeout(() => c.abort(), 20)");
    abort.call1(&JsValue::UNDEFINED, &controller).unwrap();
    let err = settle(pending).await.unwrap_err();
    assert_eq!(field_str(&err, "code"), "aborted");

    let err =
        settle(a.get_access_token(exchange_params(&[("signal", controller.signal().into())])))
            .await
            .unwrap_err();
    assert_eq!(
        field_str(&err, "code"),
        "aborted",
        "an already aborted signal"
    );
}

#[wasm_bindgen_test]
async fn a_throwing_fetch_is_a_network_error_with_cause() {
    let broken = Function::new_with_args("url, init", "throw new TypeError('connection reset')");
    let a = app(broken, None);
    let err = settle(a.get_access_token(exchange_params(&[])))
        .await
        .unwrap_err();
    assert_eq!(field_str(&err, "code"), "network_error");
    assert_eq!(
        field_str(&field(&err, "cause"), "message"),
        "connection reset"
    );
    let rejecting = Function::new_with_args(
        "url, init",
        "return Promise.reject(new TypeError('fetch failed'))",
    );
    let err = settle(app(rejecting, None).get_access_token(exchange_params(&[])))
        .await
        .unwrap_err();
    assert_eq!(field_str(&err, "code"), "network_error");
}

#[wasm_bindgen_test]
async fn bad_options_are_invalid_arguments() {
    for options in [
        obj(&[]),
        obj(&[("clientId", s(""))]),
        obj(&[("clientId", s("c")), ("baseURL", s("ftp://x"))]),
        obj(&[("clientId", s("c")), ("timeoutMs", JsValue::from_f64(-1.0))]),
        obj(&[("clientId", s("c")), ("fetch", s("not a function"))]),
        JsValue::NULL,
    ] {
        let err = WasmPkceOAuthApp::new(options).err().unwrap();
        assert_eq!(field_str(&err, "code"), "invalid_argument");
    }
    let a = app(fake_fetch(200, TOKEN), None);
    let err = settle(a.get_oauth_url(obj(&[
        ("redirectUri", s("https://a")),
        ("codeChallengeMethod", s("S512")),
    ])))
    .await
    .unwrap_err();
    assert_eq!(field_str(&err, "code"), "invalid_argument");
    let err = settle(a.get_access_token(obj(&[]))).await.unwrap_err();
    assert_eq!(field_str(&err, "code"), "invalid_argument");
}

/// A storage object over a Map, standing in for sessionStorage in Node.
fn memory_storage() -> JsValue {
    js_sys::eval("(() => { const m = new Map(); return { getItem: k => m.has(k) ? m.get(k) : null, setItem: (k, v) => m.set(k, String(v)), removeItem: k => m.delete(k), get size() { return m.size } } })()").unwrap()
}

#[wasm_bindgen_test]
async fn start_login_and_handle_callback() {
    let storage = memory_storage();
    let navigated = js_sys::Array::new();
    let nav = {
        let navigated = navigated.clone();
        Closure::<dyn FnMut(JsValue)>::new(move |url: JsValue| {
            navigated.push(&url);
        })
    };
    let a = app(fake_fetch(200, TOKEN), None);
    let started = settle(a.start_login(obj(&[
        ("redirectUri", s("https://app.example/cb")),
        ("storage", storage.clone()),
        ("navigate", nav.as_ref().clone()),
    ])))
    .await
    .unwrap();
    assert_eq!(navigated.length(), 1);
    assert_eq!(field(&storage, "size").as_f64(), Some(1.0));
    let state = field_str(&started, "state");
    let callback = format!("https://app.example/cb?code=code-7&state={state}");
    let options = obj(&[("storage", storage.clone())]);
    let token = settle(a.handle_callback(s(&callback), options.clone()))
        .await
        .unwrap();
    assert_eq!(field_str(&token, "access_token"), "czs_a");
    assert_eq!(field(&storage, "size").as_f64(), Some(0.0));
    let err = settle(a.handle_callback(s(&callback), options.clone()))
        .await
        .unwrap_err();
    assert_eq!(field_str(&err, "code"), "missing_pending_flow");
    let err = settle(a.handle_callback(s("https://app.example/cb?code=x"), options))
        .await
        .unwrap_err();
    assert_eq!(field_str(&err, "code"), "invalid_state");
}

#[wasm_bindgen_test]
async fn session_storage_is_the_default_in_browsers() {
    let session = js_sys::eval("globalThis.sessionStorage").unwrap_or(JsValue::UNDEFINED);
    if session.is_undefined() {
        // Node has no sessionStorage: the helper must say so, typed.
        let a = app(fake_fetch(200, TOKEN), None);
        let err = settle(a.handle_callback(
            s("https://app.example/cb?code=x&state=y"),
            JsValue::UNDEFINED,
        ))
        .await
        .unwrap_err();
        assert_eq!(field_str(&err, "code"), "invalid_argument");
        return;
    }
    let a = app(fake_fetch(200, TOKEN), None);
    let nav = Function::new_with_args("url", "");
    let started = settle(a.start_login(obj(&[
        ("redirectUri", s("https://app.example/cb")),
        ("navigate", nav.into()),
    ])))
    .await
    .unwrap();
    let state = field_str(&started, "state");
    let key = format!("coze-auth:pkce:{state}");
    let stored = js_sys::eval(&format!("sessionStorage.getItem({key:?})")).unwrap();
    assert!(stored.as_string().unwrap().contains("codeVerifier"));
    let token = settle(a.handle_callback(
        s(&format!("https://app.example/cb?code=c&state={state}")),
        JsValue::UNDEFINED,
    ))
    .await
    .unwrap();
    assert_eq!(field_str(&token, "access_token"), "czs_a");
    assert!(js_sys::eval(&format!("sessionStorage.getItem({key:?})"))
        .unwrap()
        .is_null());
}
