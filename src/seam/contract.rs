//! The Rust half of the seam's contract: every export with the keys of its arguments and
//! result. `tests/package/seam/contract.test.mjs` reads it (written by the test below when
//! `COZE_SEAM_MANIFEST` names a file) and holds it against the exports of each built `.wasm`
//! and the TypeScript's types of the calls.

use super::device::*;
use super::jwt::*;
use super::pkce::*;
use super::web::*;
use super::*;

/// Which builds carry an export.
#[derive(Clone, Copy)]
enum Builds {
    Both,
    Node,
}

struct Op {
    name: &'static str,
    builds: Builds,
    args: Vec<(String, bool)>,
    result: Vec<(String, bool)>,
}

fn op<'a, A: Arg<'a>, R: Out>(name: &'static str, builds: Builds) -> Op {
    let mut args = Vec::new();
    A::schema("", &mut args);
    let mut result = Vec::new();
    R::schema("", &mut result);
    Op {
        name,
        builds,
        args,
        result,
    }
}

fn ops() -> Vec<Op> {
    use Builds::{Both, Node};
    vec![
        op::<PkceCheckArgs, Checked>("pkceCheckApp", Both),
        op::<PkceAuthorizeArgs, PkceAuthorizeOut>("pkceAuthorize", Both),
        op::<PkceExchangeArgs, RequestOut>("pkceExchangeRequest", Both),
        op::<PkceRefreshArgs, RequestOut>("pkceRefreshRequest", Both),
        op::<ReadTokenArgs, TokenOut>("readTokenResponse", Both),
        op::<CallbackUrlArgs, PendingLoginKeyOut>("pendingLoginKey", Both),
        op::<TakePendingLoginArgs, PendingLoginOut>("takePendingLogin", Both),
        op::<PendingLoginExpiredArgs, PendingLoginExpiredOut>("pendingLoginExpired", Both),
        op::<DeviceCheckArgs, Checked>("deviceCheckApp", Node),
        op::<DeviceCodeArgs, RequestOut>("deviceCodeRequest", Node),
        op::<ReadAtArgs, DeviceCodeOut>("readDeviceCodeResponse", Node),
        op::<DevicePollArgs, RequestOut>("devicePollRequest", Node),
        op::<ReadPollArgs, TokenOut>("readDevicePollResponse", Node),
        op::<DevicePollStepArgs, DevicePollStepOut>("devicePollStep", Node),
        op::<DeviceRefreshArgs, RequestOut>("deviceRefreshRequest", Node),
        op::<NoArgs, PrivateKeyOut>("jwtPrivateKey", Node),
        op::<JwtCheckArgs, Checked>("jwtCheckFlow", Node),
        op::<JwtGrantArgs, JwtPlanOut>("jwtPlan", Node),
        op::<JwtAssertionArgs, JwtAssertionOut>("jwtAssertion", Node),
        op::<BotChatScopeArgs, RawJson>("botChatScope", Node),
        op::<WebCheckArgs, Checked>("webCheckApp", Node),
        op::<WebAuthorizeArgs, WebAuthorizeOut>("webAuthorize", Node),
        op::<WebCallbackArgs, WebCallbackOut>("webCallback", Node),
        op::<WebExchangeArgs, RequestOut>("webExchangeRequest", Node),
        op::<WebRefreshArgs, RequestOut>("webRefreshRequest", Node),
        op::<NoArgs, AppConfigOut>("readAppConfig", Node),
    ]
}

fn keys_json(keys: &[(String, bool)]) -> String {
    let mut out = String::from("{");
    for (key, required) in keys {
        write_member(&mut out, key, required);
    }
    out.push('}');
    out
}

/// The manifest: `{exportName: {builds: "both"|"node", args: {path: required}, result: {path:
/// always present}}}`.
fn manifest() -> String {
    let mut out = String::from("{");
    for op in ops() {
        let builds = match op.builds {
            Builds::Both => "both",
            Builds::Node => "node",
        };
        let entry = format!(
            "{{\"builds\":\"{builds}\",\"args\":{},\"result\":{}}}",
            keys_json(&op.args),
            keys_json(&op.result)
        );
        write_member(&mut out, op.name, &RawJson(&entry));
    }
    out.push('}');
    out
}

#[test]
fn manifest_is_json_and_names_each_export_once() {
    let text = manifest();
    let value = crate::core::json::parse(text.as_bytes()).expect("the manifest is JSON");
    let Value::Object(ops) = &value else {
        panic!("not an object")
    };
    assert_eq!(ops.len(), 26);
    assert_eq!(
        value
            .get("pkceExchangeRequest")
            .and_then(|o| o.get("args"))
            .and_then(|a| a.get("app.clientId")),
        Some(&Value::Bool(true))
    );
    if let Ok(path) = std::env::var("COZE_SEAM_MANIFEST") {
        std::fs::write(&path, text).expect("write the manifest");
    }
}
