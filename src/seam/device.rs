//! The device flow's operations (Node build): requests, readers, and one step of the polling
//! policy at a time, whose state the TypeScript keeps between steps as an opaque snapshot.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen::prelude::wasm_bindgen;

use super::pkce::TokenOut;
use super::{argument_error, run, seam_struct, Checked, RequestOut, ResponseArgs};
use crate::core::config::DEFAULT_DEVICE_POLL_INTERVAL_SECONDS;
use crate::core::device::{
    read_device_code_response, read_device_token_response, DeviceOAuthApp, DeviceOAuthAppOptions,
    DevicePoller, PollAction,
};
use crate::core::error::{Error, ErrorCode};
use crate::prelude::*;

/// How long a device code not from `getDeviceCode` is polled (Coze does not say; 30 minutes is
/// the lifetime the official Go SDK's fixtures use).
const UNKNOWN_DEVICE_CODE_LIFETIME_SECONDS: i64 = 1800;

seam_struct!(in
    /// A device app's options.
    struct DeviceAppArgs {
        client_id: String = "clientId",
        base_url: Option<String> = "baseURL",
    }
);

impl DeviceAppArgs {
    fn app(self) -> Result<DeviceOAuthApp, Error> {
        DeviceOAuthApp::new(DeviceOAuthAppOptions {
            client_id: self.client_id,
            base_url: self.base_url,
        })
    }
}

seam_struct!(in
    /// Only the app: its options are checked.
    struct DeviceCheckArgs {
        app: DeviceAppArgs = "app",
    }
);

/// Checks a device app's options (the constructor's errors).
#[cfg_attr(target_arch = "wasm32", wasm_bindgen(js_name = deviceCheckApp))]
pub fn device_check_app(args: &[u8], _bytes: &[u8]) -> Vec<u8> {
    run(args, |a: DeviceCheckArgs| a.app.app().map(|_| Checked))
}

seam_struct!(in
    /// `getDeviceCode`'s values.
    struct DeviceCodeArgs {
        app: DeviceAppArgs = "app",
        workspace_id: Option<String> = "workspaceId",
    }
);

/// The device-code request.
#[cfg_attr(target_arch = "wasm32", wasm_bindgen(js_name = deviceCodeRequest))]
pub fn device_code_request(args: &[u8], _bytes: &[u8]) -> Vec<u8> {
    run(args, |a: DeviceCodeArgs| {
        a.app
            .app()?
            .device_code_request(a.workspace_id.as_deref())
            .map(RequestOut::from)
    })
}

seam_struct!(in
    /// An answer and the time it was read.
    struct ReadAtArgs {
        response: ResponseArgs = "response",
        now: i64 = "now",
    }
);

seam_struct!(out
    /// A device code, as `getDeviceCode` returns it (`expires_in`: absolute Unix seconds).
    struct DeviceCodeOut {
        device_code: String = "device_code",
        user_code: String = "user_code",
        verification_uri: String = "verification_uri",
        verification_url: String = "verification_url",
        expires_in: i64 = "expires_in",
        interval: i64 = "interval",
    }
);

/// Reads the device-code answer.
#[cfg_attr(target_arch = "wasm32", wasm_bindgen(js_name = readDeviceCodeResponse))]
pub fn read_device_code(args: &[u8], body: &[u8]) -> Vec<u8> {
    run(args, |a: ReadAtArgs| {
        read_device_code_response(&a.response.with_body(body)?, a.now).map(|dc| DeviceCodeOut {
            device_code: dc.device_code.secret().to_owned(),
            user_code: dc.user_code,
            verification_uri: dc.verification_uri,
            verification_url: dc.verification_url,
            expires_in: dc.expires_at,
            interval: dc.interval,
        })
    })
}

seam_struct!(in
    /// One poll's values.
    struct DevicePollArgs {
        app: DeviceAppArgs = "app",
        device_code: String = "deviceCode",
    }
);

/// The poll request (the same for every poll of one code).
#[cfg_attr(target_arch = "wasm32", wasm_bindgen(js_name = devicePollRequest))]
pub fn device_poll_request(args: &[u8], _bytes: &[u8]) -> Vec<u8> {
    run(args, |a: DevicePollArgs| {
        a.app
            .app()?
            .poll_request(&a.device_code)
            .map(RequestOut::from)
    })
}

seam_struct!(in
    /// The answer to one poll, with the device code sent (scrubbed from server text).
    struct ReadPollArgs {
        response: ResponseArgs = "response",
        now: i64 = "now",
        device_code: String = "deviceCode",
    }
);

/// Reads the answer to one poll (no polling policy: `authorization_pending` is an error).
#[cfg_attr(target_arch = "wasm32", wasm_bindgen(js_name = readDevicePollResponse))]
pub fn read_device_poll(args: &[u8], body: &[u8]) -> Vec<u8> {
    run(args, |a: ReadPollArgs| {
        read_device_token_response(&a.response.with_body(body)?, a.now, &a.device_code)
            .map(TokenOut::from)
    })
}

seam_struct!(in
    /// A poll that got no answer.
    struct PollFailureArgs {
        /// `timeout` or `network_error`.
        code: String = "code",
        message: String = "message",
    }
);

seam_struct!(in
    /// One step of the polling: to start, `deviceCode` (with the `interval` and `expiresAt` of
    /// `getDeviceCode` when known, else every 5 s for 30 minutes); then the `poller` snapshot,
    /// and after a poll its `response` (body in the bytes) or its `failure`.
    struct DevicePollStepArgs {
        now_ms: i64 = "nowMs",
        device_code: Option<String> = "deviceCode",
        interval: Option<i64> = "interval",
        expires_at: Option<i64> = "expiresAt",
        poller: Option<String> = "poller",
        response: Option<ResponseArgs> = "response",
        failure: Option<PollFailureArgs> = "failure",
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
    struct DevicePollStepOut {
        wait: Option<i64> = "wait",
        token: Option<TokenOut> = "token",
        pending: Option<PendingOut> = "pending",
        poller: Option<String> = "poller",
    }
);

/// One step of the device flow's polling policy ([`DevicePoller`]).
#[cfg_attr(target_arch = "wasm32", wasm_bindgen(js_name = devicePollStep))]
pub fn device_poll_step(args: &[u8], body: &[u8]) -> Vec<u8> {
    run(args, |a: DevicePollStepArgs| step(a, body))
}

fn step(a: DevicePollStepArgs, body: &[u8]) -> Result<DevicePollStepOut, Error> {
    let now_ms = a.now_ms;
    let mut poller = match (&a.poller, &a.device_code) {
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
        let code = match failure.code.as_str() {
            "timeout" => ErrorCode::Timeout,
            _ => ErrorCode::NetworkError,
        };
        pending = poller.on_response(Err(Error::new(code, failure.message)), now_ms);
    }
    let mut out = DevicePollStepOut {
        wait: None,
        token: None,
        pending: pending.map(|p| PendingOut {
            attempt: p.attempt.into(),
            interval: p.interval,
            expires_at: p.expires_at,
            slow_down: p.slow_down,
        }),
        poller: None,
    };
    match poller.next_action(now_ms) {
        PollAction::Done(result) => {
            out.token = Some(result?.into());
            out.pending = None;
            return Ok(out);
        }
        PollAction::Wait { until_ms } => out.wait = Some(until_ms),
        PollAction::Poll => {}
    }
    out.poller = poller.to_snapshot();
    Ok(out)
}

seam_struct!(in
    /// A device app's refresh.
    struct DeviceRefreshArgs {
        app: DeviceAppArgs = "app",
        refresh_token: String = "refreshToken",
    }
);

/// The refresh request.
#[cfg_attr(target_arch = "wasm32", wasm_bindgen(js_name = deviceRefreshRequest))]
pub fn device_refresh_request(args: &[u8], _bytes: &[u8]) -> Vec<u8> {
    run(args, |a: DeviceRefreshArgs| {
        a.app
            .app()?
            .refresh_request(&a.refresh_token)
            .map(RequestOut::from)
    })
}
