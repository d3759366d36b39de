//! The device flow's operations (Node build): requests, readers, and one step of the polling
//! policy at a time, whose state the TypeScript keeps between steps as an opaque snapshot.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen::prelude::wasm_bindgen;

use super::pkce::TokenOut;
use super::{
    argument_error, json, read, request_json, run, seam_struct, Checked, Operation, ResponseArgs,
};
use crate::core::config::DEFAULT_DEVICE_POLL_INTERVAL_SECONDS;
use crate::core::device::{
    self as flow, DeviceOAuthApp, DeviceOAuthAppOptions, DevicePoller, PollAction,
};
use crate::core::error::{Error, ErrorCode};
use crate::core::json::Value;
use crate::prelude::*;

/// How long a device code not from `getDeviceCode` is polled (Coze does not say; 30 minutes is
/// the lifetime the official Go SDK's fixtures use).
const UNKNOWN_DEVICE_CODE_LIFETIME_SECONDS: i64 = 1800;

seam_struct!(in
    /// A device app's options.
    struct DeviceAppArgs<'a> {
        client_id: &'a str = "clientId",
        base_url: Option<&'a str> = "baseURL",
    }
);

impl DeviceAppArgs<'_> {
    fn app(&self) -> Result<DeviceOAuthApp, Error> {
        DeviceOAuthApp::new(DeviceOAuthAppOptions {
            client_id: self.client_id.to_owned(),
            base_url: self.base_url.map(str::to_owned),
        })
    }
}

seam_struct!(in
    /// Only the app: its options are checked.
    struct DeviceCheckArgs<'a> {
        app: DeviceAppArgs<'a> = "app",
    }
);

/// Checks a device app's options (the constructor's errors).
#[cfg_attr(target_arch = "wasm32", wasm_bindgen(js_name = deviceCheckApp))]
pub fn device_check_app(args: &str, bytes: &[u8]) -> String {
    run(args, bytes, Op::DeviceCheckApp)
}

fn check_app(v: &Value) -> Result<String, Error> {
    read::<DeviceCheckArgs>(v)?.app.app()?;
    Ok(json(&Checked))
}

seam_struct!(in
    /// `getDeviceCode`'s values.
    struct DeviceCodeArgs<'a> {
        app: DeviceAppArgs<'a> = "app",
        workspace_id: Option<&'a str> = "workspaceId",
    }
);

/// The device-code request.
#[cfg_attr(target_arch = "wasm32", wasm_bindgen(js_name = deviceCodeRequest))]
pub fn device_code_request(args: &str, bytes: &[u8]) -> String {
    run(args, bytes, Op::DeviceCodeRequest)
}

fn code_request(v: &Value) -> Result<String, Error> {
    let a = read::<DeviceCodeArgs>(v)?;
    Ok(request_json(
        &a.app.app()?.device_code_request(a.workspace_id)?,
    ))
}

seam_struct!(in
    /// An answer and the time it was read.
    struct ReadAtArgs<'a> {
        response: ResponseArgs<'a> = "response",
        now: i64 = "now",
    }
);

seam_struct!(out
    /// A device code, as `getDeviceCode` returns it (`expires_in`: absolute Unix seconds).
    struct DeviceCodeOut<'a> {
        device_code: &'a str = "device_code",
        user_code: &'a str = "user_code",
        verification_uri: &'a str = "verification_uri",
        verification_url: &'a str = "verification_url",
        expires_in: i64 = "expires_in",
        interval: i64 = "interval",
    }
);

/// Reads the device-code answer.
#[cfg_attr(target_arch = "wasm32", wasm_bindgen(js_name = readDeviceCodeResponse))]
pub fn read_device_code_response(args: &str, body: &[u8]) -> String {
    run(args, body, Op::ReadDeviceCodeResponse)
}

fn read_code(v: &Value, body: &[u8]) -> Result<String, Error> {
    let a = read::<ReadAtArgs>(v)?;
    let dc = flow::read_device_code_response(&a.response.with_body(body)?, a.now)?;
    Ok(json(&DeviceCodeOut {
        device_code: dc.device_code.secret(),
        user_code: &dc.user_code,
        verification_uri: &dc.verification_uri,
        verification_url: &dc.verification_url,
        expires_in: dc.expires_at,
        interval: dc.interval,
    }))
}

seam_struct!(in
    /// One poll's values.
    struct DevicePollArgs<'a> {
        app: DeviceAppArgs<'a> = "app",
        device_code: &'a str = "deviceCode",
    }
);

/// The poll request (the same for every poll of one code).
#[cfg_attr(target_arch = "wasm32", wasm_bindgen(js_name = devicePollRequest))]
pub fn device_poll_request(args: &str, bytes: &[u8]) -> String {
    run(args, bytes, Op::DevicePollRequest)
}

fn poll_request(v: &Value) -> Result<String, Error> {
    let a = read::<DevicePollArgs>(v)?;
    Ok(request_json(&a.app.app()?.poll_request(a.device_code)?))
}

seam_struct!(in
    /// The answer to one poll, with the device code sent (scrubbed from server text).
    struct ReadPollArgs<'a> {
        response: ResponseArgs<'a> = "response",
        now: i64 = "now",
        device_code: &'a str = "deviceCode",
    }
);

/// Reads the answer to one poll (no polling policy: `authorization_pending` is an error).
#[cfg_attr(target_arch = "wasm32", wasm_bindgen(js_name = readDevicePollResponse))]
pub fn read_device_poll_response(args: &str, body: &[u8]) -> String {
    run(args, body, Op::ReadDevicePollResponse)
}

fn read_poll(v: &Value, body: &[u8]) -> Result<String, Error> {
    let a = read::<ReadPollArgs>(v)?;
    let token =
        flow::read_device_token_response(&a.response.with_body(body)?, a.now, a.device_code)?;
    Ok(json(&TokenOut::from(&token)))
}

seam_struct!(in
    /// A poll that got no answer.
    struct PollFailureArgs<'a> {
        /// `timeout` or `network_error`.
        code: &'a str = "code",
        message: &'a str = "message",
    }
);

seam_struct!(in
    /// One step of the polling: to start, `deviceCode` (with the `interval` and `expiresAt` of
    /// `getDeviceCode` when known, else every 5 s for 30 minutes); then the `poller` snapshot,
    /// and after a poll its `response` (body in the bytes) or its `failure`.
    struct DevicePollStepArgs<'a> {
        now_ms: i64 = "nowMs",
        device_code: Option<&'a str> = "deviceCode",
        interval: Option<i64> = "interval",
        expires_at: Option<i64> = "expiresAt",
        poller: Option<&'a str> = "poller",
        response: Option<ResponseArgs<'a>> = "response",
        failure: Option<PollFailureArgs<'a>> = "failure",
    }
);

seam_struct!(out
    /// Progress after a poll the user has not answered yet (for `onPending`).
    struct PendingOut {
        attempt: i64 = "attempt",
        interval: i64 = "interval",
        expires_at: i64 = "expiresAt",
        slow_down: bool = "slowDown",
    }
);

seam_struct!(out
    /// What to do next: sleep until `wait` (Unix ms) then step again; poll now (neither
    /// `wait` nor `token`); or done with `token`. The error that ends the flow is thrown.
    struct DevicePollStepOut<'a> {
        wait: Option<i64> = "wait",
        token: Option<TokenOut<'a>> = "token",
        pending: Option<PendingOut> = "pending",
        poller: Option<String> = "poller",
    }
);

/// One step of the device flow's polling policy ([`DevicePoller`]).
#[cfg_attr(target_arch = "wasm32", wasm_bindgen(js_name = devicePollStep))]
pub fn device_poll_step(args: &str, body: &[u8]) -> String {
    run(args, body, Op::DevicePollStep)
}

fn poll_step(v: &Value, body: &[u8]) -> Result<String, Error> {
    let a = read::<DevicePollStepArgs>(v)?;
    let now_ms = a.now_ms;
    let mut poller = match (a.poller, a.device_code) {
        (Some(snapshot), _) => DevicePoller::from_snapshot(snapshot)
            .ok_or_else(|| Error::invalid_argument("coze-auth: unreadable poller state."))?,
        (None, Some(device_code)) => {
            let interval = a
                .interval
                .filter(|&n| n != 0)
                .unwrap_or(DEFAULT_DEVICE_POLL_INTERVAL_SECONDS);
            let expires_at = a
                .expires_at
                .filter(|&n| n != 0)
                .unwrap_or(now_ms / 1000 + UNKNOWN_DEVICE_CODE_LIFETIME_SECONDS);
            DevicePoller::from_parts(device_code, interval, expires_at, now_ms)
        }
        (None, None) => return Err(argument_error("args.deviceCode", "is missing")),
    };
    let mut pending = None;
    if let Some(response) = &a.response {
        pending = poller.on_response(response.with_body(body), now_ms);
    } else if let Some(failure) = a.failure {
        let code = match failure.code {
            "timeout" => ErrorCode::Timeout,
            _ => ErrorCode::NetworkError,
        };
        pending = poller.on_response(Err(Error::new(code, failure.message)), now_ms);
    }
    let pending = pending.map(|p| PendingOut {
        attempt: p.attempt.into(),
        interval: p.interval,
        expires_at: p.expires_at,
        slow_down: p.slow_down,
    });
    let wait = match poller.next_action(now_ms) {
        PollAction::Done(result) => {
            let token = result?;
            return Ok(json(&DevicePollStepOut {
                wait: None,
                token: Some(TokenOut::from(&token)),
                pending: None,
                poller: None,
            }));
        }
        PollAction::Wait { until_ms } => Some(until_ms),
        PollAction::Poll => None,
    };
    Ok(json(&DevicePollStepOut {
        wait,
        token: None,
        pending,
        poller: poller.to_snapshot(),
    }))
}

seam_struct!(in
    /// A device app's refresh.
    struct DeviceRefreshArgs<'a> {
        app: DeviceAppArgs<'a> = "app",
        refresh_token: &'a str = "refreshToken",
    }
);

/// The refresh request.
#[cfg_attr(target_arch = "wasm32", wasm_bindgen(js_name = deviceRefreshRequest))]
pub fn device_refresh_request(args: &str, bytes: &[u8]) -> String {
    run(args, bytes, Op::DeviceRefreshRequest)
}

fn refresh_request(v: &Value) -> Result<String, Error> {
    let a = read::<DeviceRefreshArgs>(v)?;
    Ok(request_json(
        &a.app.app()?.refresh_request(a.refresh_token)?,
    ))
}

/// The operations of this file, for [`run`] to dispatch in one function.
#[derive(Clone, Copy)]
pub(crate) enum Op {
    DeviceCheckApp,
    DeviceCodeRequest,
    ReadDeviceCodeResponse,
    DevicePollRequest,
    ReadDevicePollResponse,
    DevicePollStep,
    DeviceRefreshRequest,
}

impl Operation for Op {
    fn call(self, args: &Value, bytes: &[u8]) -> Result<String, Error> {
        match self {
            Op::DeviceCheckApp => check_app(args),
            Op::DeviceCodeRequest => code_request(args),
            Op::ReadDeviceCodeResponse => read_code(args, bytes),
            Op::DevicePollRequest => poll_request(args),
            Op::ReadDevicePollResponse => read_poll(args, bytes),
            Op::DevicePollStep => poll_step(args, bytes),
            Op::DeviceRefreshRequest => refresh_request(args),
        }
    }
}
