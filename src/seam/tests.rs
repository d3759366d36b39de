//! The seam's rules, natively: arguments read strictly, results and errors as the TypeScript
//! expects them.

use super::device::*;
use super::jwt::*;
use super::pkce::*;
use super::web::*;
use crate::core::json::{parse, Value};

fn call(op: fn(&str, &[u8]) -> String, args: &str, bytes: &[u8]) -> Value {
    parse(op(args, bytes).as_bytes()).expect("the answer is JSON")
}

fn error_message(answer: &Value) -> &str {
    answer
        .get("error")
        .and_then(|e| e.get("message"))
        .and_then(Value::as_str)
        .unwrap_or_else(|| panic!("not an error: {answer:?}"))
}

const APP: &str = r#""app":{"clientId":"cid"}"#;

#[test]
fn a_missing_argument_is_an_error_that_names_it() {
    let answer = call(
        pkce_exchange_request,
        &format!(r#"{{{APP},"code":"c","redirectUri":"http://localhost/cb"}}"#),
        b"",
    );
    assert_eq!(
        error_message(&answer),
        "coze-auth: the argument `codeVerifier` is missing."
    );
    let answer = call(pkce_check_app, r#"{"app":{}}"#, b"");
    assert_eq!(
        error_message(&answer),
        "coze-auth: the argument `clientId` is missing."
    );
}

#[test]
fn an_unknown_or_misspelt_argument_is_an_error_that_names_it() {
    let answer = call(
        take_pending_login,
        r#"{"app":{"clientId":"c"},"url":"http://localhost/cb?code=c&state=s","nwo":1}"#,
        b"",
    );
    assert_eq!(
        error_message(&answer),
        "coze-auth: the argument `args.nwo` is not one this operation reads."
    );
    let answer = call(
        pkce_check_app,
        r#"{"app":{"clientId":"x","baseUrl":"y"}}"#,
        b"",
    );
    assert_eq!(
        error_message(&answer),
        "coze-auth: the argument `app.baseUrl` is not one this operation reads."
    );
}

#[test]
fn a_wrongly_typed_argument_is_an_error_that_names_it() {
    for (args, message) in [
        (
            r#"{"app":{"clientId":"c"},"url":"u","now":"1"}"#,
            "coze-auth: the argument `now` must be a whole number.",
        ),
        (
            r#"{"app":{"clientId":"c"},"url":"u","now":1.5}"#,
            "coze-auth: the argument `now` must be a whole number.",
        ),
        (
            r#"{"app":{"clientId":"c"},"url":7,"now":1}"#,
            "coze-auth: the argument `url` must be a string.",
        ),
        (r#"[]"#, "coze-auth: the argument `args` must be an object."),
        (r#"{"#, "coze-auth: unreadable arguments."),
    ] {
        assert_eq!(error_message(&call(take_pending_login, args, b"")), message);
    }
}

#[test]
fn null_is_absent_for_an_optional_argument_only() {
    let ok = call(
        pkce_check_app,
        r#"{"app":{"clientId":"x","baseURL":null}}"#,
        b"",
    );
    assert_eq!(ok, Value::Object(vec![]));
    let answer = call(pkce_check_app, r#"{"app":{"clientId":null}}"#, b"");
    assert_eq!(
        error_message(&answer),
        "coze-auth: the argument `clientId` must be a string."
    );
}

#[test]
fn pkce_round_trip_through_the_exports() {
    let random = [7u8; 48];
    let auth = call(
        pkce_authorize,
        &format!(r#"{{{APP},"redirectUri":"http://localhost/cb","loginNow":1000}}"#),
        &random,
    );
    let url = auth.get("url").and_then(Value::as_str).unwrap();
    assert!(url.starts_with("https://www.coze.cn/api/permission/oauth2/authorize?"));
    let state = auth.get("state").and_then(Value::as_str).unwrap();
    let stored = auth.get("value").and_then(Value::as_str).unwrap();
    let callback = format!("http://localhost/cb?code=the-code&state={state}");
    let key = call(
        pending_login_key,
        &format!(r#"{{"url":"{callback}"}}"#),
        b"",
    );
    assert_eq!(
        key.get("key").and_then(Value::as_str),
        auth.get("key").and_then(Value::as_str)
    );
    let mut args = String::from("{\"app\":{\"clientId\":\"cid\"},\"url\":");
    crate::core::json::write_string(&mut args, &callback);
    args.push_str(",\"stored\":");
    crate::core::json::write_string(&mut args, stored);
    args.push_str(",\"now\":1001}");
    let taken = call(take_pending_login, &args, b"");
    assert_eq!(taken.get("code").and_then(Value::as_str), Some("the-code"));
    let verifier = taken.get("codeVerifier").and_then(Value::as_str).unwrap();
    assert_eq!(
        Some(verifier),
        auth.get("codeVerifier").and_then(Value::as_str)
    );

    let request = call(
        pkce_exchange_request,
        &format!(
            r#"{{{APP},"code":"the-code","redirectUri":"http://localhost/cb","codeVerifier":"{verifier}"}}"#
        ),
        b"",
    );
    assert_eq!(
        request.get("url").and_then(Value::as_str),
        Some("https://api.coze.cn/api/permission/oauth2/token")
    );
    assert_eq!(request.get("method").and_then(Value::as_str), Some("POST"));
    assert_eq!(
        request
            .get("headers")
            .and_then(|h| h.get("content-type"))
            .and_then(Value::as_str),
        Some("application/json")
    );

    let token = call(
        read_token_response,
        r#"{"response":{"status":200,"logId":"L1"},"now":1741950000,"secret1":"the-code"}"#,
        br#"{"access_token":"at","expires_in":1741953784,"refresh_token":"rt","token_type":"Bearer"}"#,
    );
    assert_eq!(
        token,
        parse(br#"{"access_token":"at","expires_in":1741953784,"refresh_token":"rt","token_type":"Bearer"}"#).unwrap()
    );
}

#[test]
fn a_body_too_large_to_read_is_an_error_for_every_reader() {
    for op in [read_token_response, read_device_code_response] {
        let answer = call(
            op,
            r#"{"response":{"status":200,"tooLarge":true},"now":1}"#,
            b"",
        );
        assert_eq!(
            answer
                .get("error")
                .and_then(|e| e.get("code"))
                .and_then(Value::as_str),
            Some("invalid_response")
        );
    }
}

#[test]
fn errors_carry_their_fields() {
    let answer = call(
        read_token_response,
        r#"{"response":{"status":400,"logId":"L2"},"now":1}"#,
        br#"{"error_code":"invalid_grant","error_message":"used"}"#,
    );
    let error = answer.get("error").unwrap();
    assert_eq!(
        error.get("code").and_then(Value::as_str),
        Some("oauth_error")
    );
    assert_eq!(
        error.get("errorCode").and_then(Value::as_str),
        Some("invalid_grant")
    );
    assert_eq!(error.get("logId").and_then(Value::as_str), Some("L2"));
    assert_eq!(error.get("status").and_then(Value::as_i64), Some(400));
}

#[test]
fn device_poll_steps() {
    let app = r#""app":{"clientId":"cid"}"#;
    let request = call(
        device_poll_request,
        &format!(r#"{{{app},"deviceCode":"dc"}}"#),
        b"",
    );
    assert!(request
        .get("body")
        .and_then(Value::as_str)
        .unwrap()
        .contains("dc"));
    let first = call(
        device_poll_step,
        r#"{"deviceCode":"dc","interval":5,"expiresAt":1000,"nowMs":0}"#,
        b"",
    );
    assert_eq!(first.get("wait").and_then(Value::as_i64), Some(5000));
    let poller = first.get("poller").and_then(Value::as_str).unwrap();
    let mut args = String::from("{\"poller\":");
    crate::core::json::write_string(&mut args, poller);
    args.push_str(",\"nowMs\":5000}");
    let poll = call(device_poll_step, &args, b"");
    assert_eq!(poll.get("wait"), None);
    let poller = poll.get("poller").and_then(Value::as_str).unwrap();
    let mut args = String::from("{\"poller\":");
    crate::core::json::write_string(&mut args, poller);
    args.push_str(",\"nowMs\":5100,\"response\":{\"status\":200}}");
    let done = call(
        device_poll_step,
        &args,
        br#"{"access_token":"at","expires_in":900,"refresh_token":"rt"}"#,
    );
    assert_eq!(
        done.get("token")
            .and_then(|t| t.get("access_token"))
            .and_then(Value::as_str),
        Some("at")
    );
    let answer = call(device_poll_step, r#"{"nowMs":0}"#, b"");
    assert_eq!(
        error_message(&answer),
        "coze-auth: the argument `args.deviceCode` is missing."
    );
}

#[test]
fn jwt_and_web_and_config_through_the_exports() {
    let flow = r#""flow":{"appId":"1","keyid":"k"}"#;
    let plan = call(
        jwt_plan,
        &format!(r#"{{{flow},"params":{{"durationSeconds":900}}}}"#),
        b"",
    );
    assert_eq!(plan.get("marginSeconds").and_then(Value::as_i64), Some(30));
    let bad = call(
        jwt_plan,
        &format!(r#"{{{flow},"params":{{"durationSeconds":1.5}}}}"#),
        b"",
    );
    assert!(error_message(&bad).contains("durationSeconds"));
    let minted = call(
        jwt_assertion,
        &format!(r#"{{{flow},"params":{{}},"now":1000}}"#),
        &[1u8; 16],
    );
    let signing_input = minted.get("signingInput").and_then(Value::as_str).unwrap();
    assert_eq!(signing_input.split('.').count(), 2);
    // The request is built for the signing input: the TypeScript appends the signature.
    let request = minted.get("request").unwrap();
    assert_eq!(
        request
            .get("headers")
            .and_then(|h| h.get("authorization"))
            .and_then(Value::as_str),
        Some(format!("Bearer {signing_input}").as_str())
    );
    assert_eq!(
        request.get("url").and_then(Value::as_str),
        Some("https://api.coze.cn/api/permission/oauth2/token")
    );
    let too_few = call(
        jwt_assertion,
        &format!(r#"{{{flow},"params":{{}},"now":1000}}"#),
        &[1u8; 15],
    );
    assert!(error_message(&too_few).contains("random"));
    let scope = call(bot_chat_scope, r#"{"botIds":["b1"]}"#, b"");
    assert!(scope.is_object());
    let web_app = r#""app":{"clientId":"cid","clientSecret":"sec"}"#;
    let auth = call(
        web_authorize,
        &format!(r#"{{{web_app},"redirectUri":"http://localhost/cb"}}"#),
        &[3u8; 48],
    );
    let state = auth.get("state").and_then(Value::as_str).unwrap();
    let code = call(
        web_callback,
        &format!(
            r#"{{{web_app},"url":"http://localhost/cb?code=c1&state={state}","state":"{state}"}}"#
        ),
        b"",
    );
    assert_eq!(code.get("code").and_then(Value::as_str), Some("c1"));
    let config = call(
        read_app_config,
        "{}",
        br#"{"client_type":"pkce","client_id":"cid","coze_api_base":"https://api.coze.com"}"#,
    );
    assert_eq!(
        config.get("clientType").and_then(Value::as_str),
        Some("pkce")
    );
    assert_eq!(config.get("clientSecret"), None);
}

#[test]
fn a_pending_login_expires_through_the_export() {
    let auth = call(
        pkce_authorize,
        &format!(r#"{{{APP},"redirectUri":"http://localhost/cb","loginNow":1000}}"#),
        &[7u8; 48],
    );
    let stored = auth.get("value").and_then(Value::as_str).unwrap();
    let expired = |now: i64| {
        let mut args = String::from("{\"stored\":");
        crate::core::json::write_string(&mut args, stored);
        args.push_str(&format!(",\"now\":{now}}}"));
        call(pending_login_expired, &args, b"")
            .get("expired")
            .cloned()
    };
    assert_eq!(expired(1000 + 3600), Some(Value::Bool(false)));
    assert_eq!(expired(1000 + 3601), Some(Value::Bool(true)));
    let unreadable = call(pending_login_expired, r#"{"stored":"{}","now":0}"#, b"");
    assert_eq!(unreadable.get("expired"), Some(&Value::Bool(true)));
    let answer = call(pending_login_expired, r#"{"now":0}"#, b"");
    assert_eq!(
        error_message(&answer),
        "coze-auth: the argument `stored` is missing."
    );
}
