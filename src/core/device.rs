//! The device authorization grant (RFC 8628) as Coze speaks it (protocol file §4.3, §4.5, §7):
//! the device-code request and its answer, the poll and refresh requests, and the polling
//! policy as a sans-IO state machine, [`DevicePoller`], whose clock is passed in. The async
//! driver [`DeviceOAuthApp::poll_token`] runs the machine over a [`Transport`] and a
//! [`Sleeper`]; the JS layer drives the same machine with `fetch` and timers.
//!
//! The policy, in one place:
//! - the first poll comes one interval after the device code was read;
//! - `authorization_pending` keeps the interval; `slow_down` adds
//!   [`SLOW_DOWN_STEP_SECONDS`] to it for this and every later poll, without a cap;
//! - `access_denied`, `expired_token` and any other answer end the flow with that error;
//! - at the device code's expiry the flow ends locally with `expired_token`, even if the
//!   server still answers `authorization_pending`;
//! - a transient failure (network error, timeout, HTTP 5xx or 429 without a device-flow code)
//!   is retried after a back-off (see [`DevicePoller`]) and ends the flow at the
//!   [`MAX_TRANSIENT_FAILURES`]th in a row;
//! - the server's code may come as `error_code` or `error`, with HTTP 200 or 400 alike.

use super::clock::Clock;
use super::config::{
    api_base_url, device_code_path, require_non_empty, validate_client_id,
    DEFAULT_DEVICE_POLL_INTERVAL_SECONDS, GRANT_DEVICE_CODE, SLOW_DOWN_STEP_SECONDS,
};
use super::encoding::form_encode_into;
use super::error::{
    Error, ErrorCode, ACCESS_DENIED, AUTHORIZATION_PENDING, EXPIRED_TOKEN, SLOW_DOWN,
};
use super::http::{read_json_object, HttpRequest, HttpResponse};
use super::json::{ObjectWriter, Value};
use super::secret::Secret;
use super::text::{blank, cat, int};
use super::token::{
    expiry_time, read_token_response, request_token, OAuthToken, ABSOLUTE_TIME_FLOOR,
};
use crate::prelude::*;
use crate::transport::{Sleeper, Transport};

/// Transient failures in a row that end the polling: the flow gives up at this one, with it.
pub const MAX_TRANSIENT_FAILURES: u32 = 5;
/// Longest back-off after a transient failure, and the cap on a server's `Retry-After` (unless
/// the polling interval itself is longer: a retry never comes sooner than the interval).
pub const MAX_BACKOFF_MS: i64 = 60_000;
/// Largest `interval` accepted from the server: one hour.
const MAX_INTERVAL_SECONDS: i64 = 3600;

/// How to build a [`DeviceOAuthApp`].
#[derive(Debug, Clone, Default)]
pub struct DeviceOAuthAppOptions {
    /// The OAuth app's client id. Required.
    pub client_id: String,
    /// API base URL; default [`COZE_CN_BASE_URL`](crate::COZE_CN_BASE_URL).
    pub base_url: Option<String>,
}

/// How the server's `expires_in` was read: Coze's fixtures disagree (protocol file §4.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExpiresInKind {
    /// A lifetime in seconds from when the answer was read (values below 10⁹).
    Lifetime,
    /// An absolute Unix time in seconds (values from 10⁹ on).
    Absolute,
}

/// A device code, as read from Coze's answer. `Debug` redacts the device code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceCode {
    /// The code the app polls with. Never shown to the user.
    pub device_code: Secret,
    /// The code the user types on the verification page.
    pub user_code: String,
    /// The verification page (`verification_uri`, or `verification_url` from some servers).
    pub verification_uri: String,
    /// The verification page with `user_code` already filled in: `verification_uri` plus
    /// `?user_code=…` (or `&user_code=…` when it has a query), form-encoded.
    pub verification_url: String,
    /// `expires_in` exactly as the server sent it; see `expires_in_kind`.
    pub expires_in: i64,
    /// Whether `expires_in` was read as a lifetime or an absolute time.
    pub expires_in_kind: ExpiresInKind,
    /// When the device code expires, in Unix seconds.
    pub expires_at: i64,
    /// Seconds to wait between polls: the server's `interval`, or 5 when it sends none.
    pub interval: i64,
}

/// What the poller wants done next (see [`DevicePoller::next_action`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PollAction {
    /// Nothing to do before `until_ms` (Unix milliseconds); then ask again.
    Wait {
        /// When to ask again, in Unix milliseconds.
        until_ms: i64,
    },
    /// Send [`DeviceOAuthApp::poll_request`] now and pass its result to
    /// [`DevicePoller::on_response`].
    Poll,
    /// The flow is over: the token, or why not.
    Done(Result<OAuthToken, Error>),
}

/// Progress report after a poll that found the user has not finished (`authorization_pending`
/// or `slow_down`): what JS's `onPending` receives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DevicePending {
    /// How many polls have been sent, this one included (from 1).
    pub attempt: u32,
    /// The interval now in force, in seconds (raised by each `slow_down`).
    pub interval: i64,
    /// When the device code expires, in Unix seconds.
    pub expires_at: i64,
    /// True when the server asked to slow down.
    pub slow_down: bool,
    /// When the next poll is due, in Unix milliseconds.
    pub next_poll_at_ms: i64,
}

/// The polling policy of the device flow as a state machine, free of I/O and of any clock:
/// every call takes "now" in Unix milliseconds, so tests run it in virtual time.
///
/// Drive it like this: ask [`Self::next_action`]; on `Wait` sleep until the time given and ask
/// again; on `Poll` send [`DeviceOAuthApp::poll_request`] and hand the result, whatever it is,
/// to [`Self::on_response`]; on `Done` stop. Once done it stays done.
///
/// Intervals are measured from when an answer arrives, so two polls are never closer than the
/// interval, however long a request takes.
///
/// Back-off after a transient failure (network error, timeout, HTTP 5xx or 429 whose body
/// carries no device-flow code): with a `Retry-After` in delta-seconds, that long, capped at
/// [`MAX_BACKOFF_MS`] (but never less than the interval; the HTTP-date form is not read and
/// falls back to the rule that follows); otherwise the interval doubled for each failure in a row (2×, 4×, …), at most
/// [`MAX_BACKOFF_MS`] unless the interval itself is longer. The interval itself is unchanged.
/// The [`MAX_TRANSIENT_FAILURES`]th failure in a row ends the flow with that failure, and so
/// does a failure whose retry would fall at or after the expiry; any other answer resets the
/// count.
#[derive(Debug, Clone)]
pub struct DevicePoller {
    device_code: Secret,
    interval_ms: i64,
    expires_at: i64,
    expires_at_ms: i64,
    next_poll_at_ms: i64,
    attempts: u32,
    transient_failures: u32,
    awaiting_response: bool,
    outcome: Option<Result<OAuthToken, Error>>,
}

fn seconds_to_ms(seconds: i64) -> i64 {
    seconds.saturating_mul(1000)
}

/// The error of the local deadline: `oauth_error` / `expired_token`, without a status.
fn local_expiry_error() -> Error {
    let mut err = Error::new(
        ErrorCode::OAuthError,
        "The device code expired before the user authorized this device: request a new device code and show the user its new user code.",
    );
    err.error_code = Some(EXPIRED_TOKEN.to_owned());
    err
}

/// Adds to a poll error what it means in the device flow and what to do.
fn explain_poll_error(mut err: Error) -> Error {
    let hint = match err.oauth_error_code() {
        Some(AUTHORIZATION_PENDING) => {
            " The user has not authorized this device yet: poll again after the interval."
        }
        Some(SLOW_DOWN) => " Polling too fast: wait 5 seconds longer between polls from now on.",
        Some(EXPIRED_TOKEN) => {
            " The device code expired: request a new device code and show the user its new user code."
        }
        _ => "",
    };
    err.message.push_str(hint);
    err
}

/// `Retry-After` as delta-seconds, in milliseconds, at most [`MAX_BACKOFF_MS`] (however many
/// digits it has). The HTTP-date form gives `None`.
fn retry_after_ms(response: &HttpResponse) -> Option<i64> {
    let value = response.header("retry-after")?.trim_ascii();
    if value.is_empty() || !value.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let seconds = value.bytes().fold(0i64, |n, b| {
        n.saturating_mul(10).saturating_add(i64::from(b - b'0'))
    });
    Some(seconds_to_ms(seconds).min(MAX_BACKOFF_MS))
}

fn is_transient_status(status: u16) -> bool {
    status == 429 || (500..600).contains(&status)
}

impl DevicePoller {
    /// A poller for `device_code`, read at `now_ms` (Unix milliseconds): the first poll is due
    /// one interval from now.
    pub fn new(device_code: &DeviceCode, now_ms: i64) -> Self {
        DevicePoller::from_parts(
            device_code.device_code.secret(),
            device_code.interval,
            device_code.expires_at,
            now_ms,
        )
    }

    /// A poller from the parts of a device code, for callers that kept only those.
    /// `interval_seconds` is clamped to 1..=3600; `expires_at` is in Unix seconds.
    pub fn from_parts(
        device_code: &str,
        interval_seconds: i64,
        expires_at: i64,
        now_ms: i64,
    ) -> Self {
        let interval_ms = seconds_to_ms(interval_seconds.clamp(1, MAX_INTERVAL_SECONDS));
        DevicePoller {
            device_code: Secret::new(device_code),
            interval_ms,
            expires_at,
            expires_at_ms: seconds_to_ms(expires_at),
            next_poll_at_ms: now_ms.saturating_add(interval_ms),
            attempts: 0,
            transient_failures: 0,
            awaiting_response: false,
            outcome: None,
        }
    }

    /// The poller's state as JSON, for hosts that keep it between calls (the npm module keeps
    /// no state: JS holds this snapshot). It contains the device code: keep it private.
    /// A finished poller has no snapshot (its outcome was returned already).
    pub fn to_snapshot(&self) -> Option<String> {
        if self.outcome.is_some() {
            return None;
        }
        Some(
            ObjectWriter::new()
                .string("deviceCode", self.device_code.secret())
                .integer("intervalMs", self.interval_ms)
                .integer("expiresAt", self.expires_at)
                .integer("nextPollAtMs", self.next_poll_at_ms)
                .integer("attempts", self.attempts.into())
                .integer("transientFailures", self.transient_failures.into())
                .integer("awaiting", self.awaiting_response.into())
                .finish(),
        )
    }

    /// A poller from [`Self::to_snapshot`]'s JSON; `None` if it is not one.
    pub fn from_snapshot(json: &str) -> Option<Self> {
        let v = super::json::parse(json.as_bytes()).ok()?;
        let int = |k: &str| v.get(k).and_then(Value::as_i64);
        let small = |k: &str| int(k).and_then(|n| u32::try_from(n).ok());
        let expires_at = int("expiresAt")?;
        Some(DevicePoller {
            device_code: Secret::new(v.get("deviceCode")?.as_str()?),
            interval_ms: int("intervalMs")?.max(1000),
            expires_at,
            expires_at_ms: seconds_to_ms(expires_at),
            next_poll_at_ms: int("nextPollAtMs")?,
            attempts: small("attempts")?,
            transient_failures: small("transientFailures")?,
            awaiting_response: int("awaiting")? != 0,
            outcome: None,
        })
    }

    /// The interval now in force, in seconds.
    pub fn interval(&self) -> i64 {
        self.interval_ms / 1000
    }

    /// Polls sent so far.
    pub fn attempts(&self) -> u32 {
        self.attempts
    }

    /// When the device code expires, in Unix seconds.
    pub fn expires_at(&self) -> i64 {
        self.expires_at
    }

    /// When the next poll is due, in Unix milliseconds.
    pub fn next_poll_at_ms(&self) -> i64 {
        self.next_poll_at_ms
    }

    /// True once the flow has an outcome.
    pub fn is_done(&self) -> bool {
        self.outcome.is_some()
    }

    fn finish(&mut self, outcome: Result<OAuthToken, Error>) -> PollAction {
        self.awaiting_response = false;
        self.outcome = Some(outcome.clone());
        PollAction::Done(outcome)
    }

    /// What to do at `now_ms`. A `Poll` counts as sent: asking again before
    /// [`Self::on_response`] returns `Poll` again without counting another.
    pub fn next_action(&mut self, now_ms: i64) -> PollAction {
        if let Some(outcome) = &self.outcome {
            return PollAction::Done(outcome.clone());
        }
        if self.awaiting_response {
            return PollAction::Poll;
        }
        if now_ms >= self.expires_at_ms {
            return self.finish(Err(local_expiry_error()));
        }
        if now_ms < self.next_poll_at_ms {
            return PollAction::Wait {
                until_ms: self.next_poll_at_ms.min(self.expires_at_ms),
            };
        }
        self.attempts = self.attempts.saturating_add(1);
        self.awaiting_response = true;
        PollAction::Poll
    }

    /// Takes the result of the poll (the transport's error included), received at `now_ms`.
    /// Returns the progress report when the user has not finished yet (for `onPending`);
    /// otherwise `None`, and [`Self::next_action`] says what follows. Ignored once done.
    pub fn on_response(
        &mut self,
        result: Result<HttpResponse, Error>,
        now_ms: i64,
    ) -> Option<DevicePending> {
        if self.outcome.is_some() {
            return None;
        }
        self.awaiting_response = false;
        let response = match result {
            Ok(response) => response,
            Err(err) => {
                return match err.code {
                    ErrorCode::NetworkError | ErrorCode::Timeout => {
                        self.on_transient(err, None, now_ms);
                        None
                    }
                    _ => {
                        self.finish(Err(err));
                        None
                    }
                };
            }
        };
        let now_seconds = now_ms.div_euclid(1000);
        let err = match read_token_response(&response, now_seconds, &[self.device_code.secret()]) {
            Ok(token) => {
                self.finish(Ok(token));
                return None;
            }
            Err(err) => err,
        };
        match err.oauth_error_code() {
            Some(AUTHORIZATION_PENDING) => Some(self.on_pending(false, now_ms)),
            Some(SLOW_DOWN) => Some(self.on_pending(true, now_ms)),
            Some(ACCESS_DENIED | EXPIRED_TOKEN) => {
                self.finish(Err(explain_poll_error(err)));
                None
            }
            _ if is_transient_status(response.status) => {
                self.on_transient(err, retry_after_ms(&response), now_ms);
                None
            }
            _ => {
                self.finish(Err(explain_poll_error(err)));
                None
            }
        }
    }

    fn on_pending(&mut self, slow_down: bool, now_ms: i64) -> DevicePending {
        self.transient_failures = 0;
        if slow_down {
            self.interval_ms = self
                .interval_ms
                .saturating_add(seconds_to_ms(SLOW_DOWN_STEP_SECONDS));
        }
        self.next_poll_at_ms = now_ms.saturating_add(self.interval_ms);
        DevicePending {
            attempt: self.attempts,
            interval: self.interval(),
            expires_at: self.expires_at,
            slow_down,
            next_poll_at_ms: self.next_poll_at_ms,
        }
    }

    fn on_transient(&mut self, mut err: Error, retry_after_ms: Option<i64>, now_ms: i64) {
        self.transient_failures = self.transient_failures.saturating_add(1);
        if self.transient_failures >= MAX_TRANSIENT_FAILURES {
            err.message.push_str(&cat(&[
                " The device-code polling gave up after ",
                &int(self.transient_failures.into()),
                " failures in a row.",
            ]));
            self.finish(Err(err));
            return;
        }
        let delay_ms = match retry_after_ms {
            Some(ms) => ms.max(self.interval_ms),
            None => {
                let doubled = self
                    .interval_ms
                    .saturating_mul(1i64 << self.transient_failures.min(20));
                doubled.min(MAX_BACKOFF_MS).max(self.interval_ms)
            }
        };
        let retry_at_ms = now_ms.saturating_add(delay_ms);
        if retry_at_ms >= self.expires_at_ms {
            err.message.push_str(
                " The device code expires before a retry is due: request a new device code later.",
            );
            self.finish(Err(err));
            return;
        }
        self.next_poll_at_ms = retry_at_ms;
    }
}

fn required_string(body: &Value, key: &str, response: &HttpResponse) -> Result<String, Error> {
    match body.get(key).and_then(Value::as_str) {
        Some(s) if !blank(s) => Ok(s.to_owned()),
        _ => Err(invalid_device_code_response(
            cat(&["has no `", key, "` (a non-empty string)"]),
            response,
        )),
    }
}

fn invalid_device_code_response(what: String, response: &HttpResponse) -> Error {
    Error::invalid_response(cat(&["Coze's device-code response ", &what, "."]))
        .with_response(response.status, response.log_id())
}

fn is_http_url(url: &str) -> bool {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"));
    match rest {
        Some(rest) => {
            !rest.is_empty()
                && !url
                    .chars()
                    .any(|c| c.is_whitespace() || c.is_control() || c == '\\')
        }
        None => false,
    }
}

/// `uri` with `user_code=<user_code>` (form-encoded) added to its query, before any fragment.
pub fn verification_url(uri: &str, user_code: &str) -> String {
    let (base, fragment) = match uri.find('#') {
        Some(i) => (uri.get(..i).unwrap_or(uri), uri.get(i..).unwrap_or("")),
        None => (uri, ""),
    };
    let mut out = String::with_capacity(uri.len() + user_code.len() + 12);
    out.push_str(base);
    if !base.contains('?') {
        out.push('?');
    } else if !base.ends_with('?') && !base.ends_with('&') {
        out.push('&');
    }
    out.push_str("user_code=");
    form_encode_into(&mut out, user_code);
    out.push_str(fragment);
    out
}

/// Reads the answer to [`DeviceOAuthApp::device_code_request`], received at `now` (Unix
/// seconds, used when `expires_in` is a lifetime). Accepts `verification_uri` or
/// `verification_url`, `expires_in` as a lifetime or an absolute time (told apart at 10⁹), and a
/// missing `interval` (5 s). An error body is an `oauth_error`; a missing or malformed field is
/// `invalid_response`.
pub fn read_device_code_response(response: &HttpResponse, now: i64) -> Result<DeviceCode, Error> {
    let body = read_json_object(response, &[])?;
    let invalid = |what: &str| invalid_device_code_response(what.to_owned(), response);
    let device_code = Secret::new(required_string(&body, "device_code", response)?);
    let user_code = required_string(&body, "user_code", response)?;
    let uri_value = body
        .get("verification_uri")
        .filter(|v| !matches!(v, Value::Null))
        .or_else(|| body.get("verification_url"));
    let verification_uri = match uri_value.and_then(Value::as_str).map(str::trim) {
        Some(uri) if is_http_url(uri) => uri.to_owned(),
        Some(_) => {
            return Err(invalid(
                "has a `verification_uri` that is not an http(s) URL",
            ))
        }
        None => return Err(invalid("has no `verification_uri` (or `verification_url`)")),
    };
    let expires_in = match body.get("expires_in") {
        None | Some(Value::Null) => return Err(invalid("has no `expires_in`")),
        Some(v) => match v.as_i64() {
            Some(n) if n > 0 => n,
            Some(_) => return Err(invalid("has a non-positive `expires_in`")),
            None => return Err(invalid("has an `expires_in` that is not a whole number")),
        },
    };
    let expires_in_kind = if expires_in >= ABSOLUTE_TIME_FLOOR {
        ExpiresInKind::Absolute
    } else {
        ExpiresInKind::Lifetime
    };
    let expires_at = expiry_time(expires_in, now).ok_or_else(|| {
        invalid("has an `expires_in` more than ten years ahead, which cannot be right (if this repeats, check this computer's clock)")
    })?;
    if expires_at <= now {
        return Err(invalid(
            "says the device code has already expired (if this repeats, check this computer's clock)",
        ));
    }
    let interval = match body.get("interval") {
        None | Some(Value::Null) => DEFAULT_DEVICE_POLL_INTERVAL_SECONDS,
        Some(v) => match v.as_i64() {
            Some(n) if (1..=MAX_INTERVAL_SECONDS).contains(&n) => n,
            _ => {
                return Err(invalid(
                    "has an `interval` that is not a whole number of seconds from 1 to 3600",
                ))
            }
        },
    };
    let verification_url = verification_url(&verification_uri, &user_code);
    Ok(DeviceCode {
        device_code,
        user_code,
        verification_uri,
        verification_url,
        expires_in,
        expires_in_kind,
        expires_at,
        interval,
    })
}

/// Reads the answer to one poll, received at `now` (Unix seconds). `authorization_pending` and
/// `slow_down` come back as `oauth_error`s: branch on [`Error::is_authorization_pending`] and
/// [`Error::is_slow_down`]. `device_code` is scrubbed from any server text.
pub fn read_device_token_response(
    response: &HttpResponse,
    now: i64,
    device_code: &str,
) -> Result<OAuthToken, Error> {
    read_token_response(response, now, &[device_code]).map_err(explain_poll_error)
}

/// A device-flow OAuth app (public client, no secret): builds requests, reads answers, and
/// polls for the token through a [`Transport`] and a [`Sleeper`].
///
/// Here the transport is a stand-in that answers "pending" once, and the sleeper a virtual
/// clock, so the example runs at once. `examples/device_login.rs` is the same flow with a real
/// HTTP client (`coze_auth::reqwest`) and real sleeps.
///
/// ```
/// use std::cell::Cell;
/// use coze_auth::{
///     Clock, DeviceOAuthApp, DeviceOAuthAppOptions, Error, HttpRequest, HttpResponse, Sleeper,
///     SystemClock, Transport,
/// };
///
/// /// The device-code endpoint, then one `authorization_pending`, then a token.
/// struct StandIn { polls: Cell<u32> }
/// impl Transport for StandIn {
///     async fn send(&self, request: HttpRequest) -> Result<HttpResponse, Error> {
///         let (status, body) = if request.url.ends_with("/device/code") {
///             (200, r#"{"device_code":"dc_1","user_code":"ABCD-EFGH","verification_uri":"https://www.coze.cn/device","expires_in":600,"interval":5}"#)
///         } else if self.polls.replace(self.polls.get() + 1) == 0 {
///             (400, r#"{"error_code":"authorization_pending"}"#)
///         } else {
///             (200, r#"{"access_token":"czs_at","expires_in":1893456000,"refresh_token":"czs_rt","token_type":"Bearer"}"#)
///         };
///         Ok(HttpResponse { status, headers: vec![], body: body.into() })
///     }
/// }
///
/// /// A clock that jumps instead of sleeping. A real one sleeps with the runtime's timer.
/// struct VirtualClock { now_ms: Cell<i64> }
/// impl Sleeper for VirtualClock {
///     fn now_ms(&self) -> i64 { self.now_ms.get() }
///     async fn sleep_until(&self, unix_ms: i64) -> Result<(), Error> {
///         self.now_ms.set(self.now_ms.get().max(unix_ms));
///         Ok(())
///     }
/// }
///
/// # fn main() -> Result<(), Error> { futures_executor::block_on(async {
/// let app = DeviceOAuthApp::new(DeviceOAuthAppOptions {
///     client_id: "my-device-client-id".into(),
///     ..Default::default() // https://api.coze.cn
/// })?;
/// let transport = StandIn { polls: Cell::new(0) };
/// let clock = VirtualClock { now_ms: Cell::new(SystemClock.now_unix_seconds() * 1000) };
/// let device_code = app.get_device_code(&transport, &SystemClock, None).await?; // or Some(workspace_id)
/// println!("Open {} and enter {}", device_code.verification_uri, device_code.user_code);
/// let started = clock.now_ms();
/// let token = app
///     .poll_token(&transport, &clock, &device_code, |pending| {
///         println!("poll {}: still waiting, next in {} s", pending.attempt, pending.interval)
///     })
///     .await?;
/// assert_eq!(token.access_token.secret(), "czs_at");
/// assert_eq!(clock.now_ms() - started, 10_000); // one interval before each poll
/// # Ok(()) }) }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceOAuthApp {
    client_id: String,
    base_url: String,
}

impl DeviceOAuthApp {
    /// Checks the options. Fails with `invalid_argument` on a missing client id or a bad URL.
    pub fn new(options: DeviceOAuthAppOptions) -> Result<Self, Error> {
        validate_client_id(&options.client_id)?;
        let base_url = api_base_url(options.base_url.as_deref())?;
        Ok(DeviceOAuthApp {
            client_id: options.client_id,
            base_url,
        })
    }

    /// The client id.
    pub fn client_id(&self) -> &str {
        &self.client_id
    }

    /// The normalised API base URL.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// Starts the flow: JSON `{client_id}` to `/api/permission/oauth2/device/code`, or to
    /// `/api/permission/oauth2/workspace_id/{id}/device/code` for a workspace; no
    /// `Authorization` header.
    pub fn device_code_request(&self, workspace_id: Option<&str>) -> Result<HttpRequest, Error> {
        if let Some(id) = workspace_id {
            require_non_empty(id, "workspaceId")?;
        }
        let body = ObjectWriter::new()
            .string("client_id", &self.client_id)
            .finish();
        let url = cat(&[&self.base_url, &device_code_path(workspace_id)]);
        Ok(HttpRequest::post_json(url, body))
    }

    /// One poll: JSON `{grant_type: "urn:ietf:params:oauth:grant-type:device_code", client_id,
    /// device_code}` to the token endpoint; no `Authorization` header.
    pub fn poll_request(&self, device_code: &str) -> Result<HttpRequest, Error> {
        require_non_empty(device_code, "deviceCode")?;
        let body = ObjectWriter::new()
            .string("grant_type", GRANT_DEVICE_CODE)
            .string("client_id", &self.client_id)
            .string("device_code", device_code)
            .finish();
        Ok(HttpRequest::post_json(
            super::token::token_url(&self.base_url),
            body,
        ))
    }

    /// The refresh: JSON `{grant_type, client_id, refresh_token}`, no `Authorization` header.
    pub fn refresh_request(&self, refresh_token: &str) -> Result<HttpRequest, Error> {
        super::token::refresh_request(&self.base_url, &self.client_id, refresh_token)
    }

    /// Requests a device code (the workspace variant when `workspace_id` is given).
    pub async fn get_device_code<T: Transport, C: Clock + ?Sized>(
        &self,
        transport: &T,
        clock: &C,
        workspace_id: Option<&str>,
    ) -> Result<DeviceCode, Error> {
        let request = self.device_code_request(workspace_id)?;
        let response = transport.send(request).await?;
        read_device_code_response(&response, clock.now_unix_seconds())
    }

    /// Polls once, without waiting. `authorization_pending` and `slow_down` come back as
    /// `oauth_error`s to branch on with [`Error::is_authorization_pending`] and
    /// [`Error::is_slow_down`]; the caller then waits the interval (5 s more after `slow_down`).
    pub async fn poll_token_once<T: Transport, C: Clock + ?Sized>(
        &self,
        transport: &T,
        clock: &C,
        device_code: &str,
    ) -> Result<OAuthToken, Error> {
        let request = self.poll_request(device_code)?;
        let response = transport.send(request).await?;
        read_device_token_response(&response, clock.now_unix_seconds(), device_code)
    }

    /// Polls until the user authorizes, declines, or the device code expires, by the policy of
    /// [`DevicePoller`], with `sleeper` as the clock and timer. `on_pending` hears about each
    /// `authorization_pending` or `slow_down`. An error from `sleeper` (e.g. `aborted`) or a
    /// transport's `aborted` ends the polling with it; so does dropping the future.
    pub async fn poll_token<T: Transport, S: Sleeper>(
        &self,
        transport: &T,
        sleeper: &S,
        device_code: &DeviceCode,
        mut on_pending: impl FnMut(&DevicePending),
    ) -> Result<OAuthToken, Error> {
        // Every poll is the same request; a bad device code fails here, before any wait.
        let request = self.poll_request(device_code.device_code.secret())?;
        let mut poller = DevicePoller::new(device_code, sleeper.now_ms());
        loop {
            match poller.next_action(sleeper.now_ms()) {
                PollAction::Wait { until_ms } => sleeper.sleep_until(until_ms).await?,
                PollAction::Poll => {
                    let result = transport.send(request.clone()).await;
                    if let Some(pending) = poller.on_response(result, sleeper.now_ms()) {
                        on_pending(&pending);
                    }
                }
                PollAction::Done(outcome) => return outcome,
            }
        }
    }

    /// Trades a refresh token for a new token (whose refresh token may differ: store it).
    pub async fn refresh_token<T: Transport, C: Clock + ?Sized>(
        &self,
        transport: &T,
        clock: &C,
        refresh_token: &str,
    ) -> Result<OAuthToken, Error> {
        let request = self.refresh_request(refresh_token)?;
        request_token(transport, clock, request, &[refresh_token]).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_snapshot_round_trips_the_poller() {
        let mut p =
            DevicePoller::from_parts("dev-code-secret", 5, 1_800_000_600, 1_800_000_000_000);
        assert_eq!(p.next_action(1_800_000_005_000), PollAction::Poll);
        let pending = r#"{"error_code":"slow_down"}"#;
        let r = HttpResponse {
            status: 400,
            headers: vec![],
            body: pending.as_bytes().to_vec(),
        };
        p.on_response(Ok(r), 1_800_000_005_100);
        let snap = p.to_snapshot().unwrap();
        let mut q = DevicePoller::from_snapshot(&snap).unwrap();
        assert_eq!(q.interval(), 10);
        assert_eq!(q.attempts(), 1);
        assert_eq!(q.next_poll_at_ms(), p.next_poll_at_ms());
        assert_eq!(
            q.next_action(1_800_000_006_000),
            p.next_action(1_800_000_006_000)
        );
        assert!(DevicePoller::from_snapshot("{}").is_none());
        assert!(DevicePoller::from_snapshot("not json").is_none());
    }
    use crate::core::json::parse;

    /// Virtual "now" at the start of every test, in Unix seconds.
    const T0: i64 = 1_800_000_000;
    const T0_MS: i64 = T0 * 1000;
    const TOKEN: &str = r#"{"access_token":"czs_at","expires_in":1800009999,"refresh_token":"czs_rt","token_type":"Bearer"}"#;

    fn resp(status: u16, body: &str) -> HttpResponse {
        resp_with(status, body, &[])
    }

    fn resp_with(status: u16, body: &str, headers: &[(&str, &str)]) -> HttpResponse {
        let mut all = vec![("x-tt-logid".to_owned(), "log-1".to_owned())];
        all.extend(
            headers
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned())),
        );
        HttpResponse {
            status,
            headers: all,
            body: body.as_bytes().to_vec(),
        }
    }

    fn oauth(code: &str) -> Result<HttpResponse, Error> {
        Ok(resp(400, &cat(&[r#"{"error_code":""#, code, r#""}"#])))
    }

    fn network() -> Result<HttpResponse, Error> {
        Err(Error::new(ErrorCode::NetworkError, "connection refused"))
    }

    fn token() -> Result<HttpResponse, Error> {
        Ok(resp(200, TOKEN))
    }

    fn device_code(interval: Option<i64>, expires_in: i64) -> DeviceCode {
        let mut w = ObjectWriter::new()
            .string("device_code", "dc-SECRET-123456")
            .string("user_code", "ABCD-EFGH")
            .string("verification_uri", "https://www.coze.cn/oauth/device")
            .integer("expires_in", expires_in);
        if let Some(i) = interval {
            w = w.integer("interval", i);
        }
        read_device_code_response(&resp(200, &w.finish()), T0).unwrap()
    }

    /// What a run of the poller did, in virtual time.
    struct Run {
        outcome: Result<OAuthToken, Error>,
        /// Seconds after T0 at which each poll was sent.
        polls: Vec<f64>,
        pendings: Vec<DevicePending>,
        /// Seconds after T0 when the flow ended.
        ended: f64,
    }

    /// Drives `poller` from T0 with the scripted answers, each arriving `latency_ms` after its
    /// poll. Never sleeps: time jumps to each `Wait`'s deadline.
    fn run(
        mut poller: DevicePoller,
        answers: Vec<Result<HttpResponse, Error>>,
        latency_ms: i64,
    ) -> Run {
        let mut answers = answers.into_iter();
        let mut now = T0_MS;
        let mut polls = Vec::new();
        let mut pendings = Vec::new();
        loop {
            match poller.next_action(now) {
                PollAction::Wait { until_ms } => {
                    assert!(until_ms > now, "a wait moves time forward");
                    now = until_ms;
                }
                PollAction::Poll => {
                    polls.push((now - T0_MS) as f64 / 1000.0);
                    now += latency_ms;
                    let answer = answers.next().expect("the poller polled once too often");
                    pendings.extend(poller.on_response(answer, now));
                }
                PollAction::Done(outcome) => {
                    assert!(answers.next().is_none(), "the poller stopped early");
                    return Run {
                        outcome,
                        polls,
                        pendings,
                        ended: (now - T0_MS) as f64 / 1000.0,
                    };
                }
            }
        }
    }

    fn poller(interval: Option<i64>, expires_in: i64) -> DevicePoller {
        DevicePoller::new(&device_code(interval, expires_in), T0_MS)
    }

    #[test]
    fn first_poll_waits_one_interval_and_pending_keeps_it() {
        let mut p = poller(Some(7), 600);
        assert_eq!(
            p.next_action(T0_MS),
            PollAction::Wait {
                until_ms: T0_MS + 7000
            }
        );
        assert_eq!(
            p.next_action(T0_MS + 6999),
            PollAction::Wait {
                until_ms: T0_MS + 7000
            }
        );
        let r = run(
            poller(Some(7), 600),
            vec![
                oauth("authorization_pending"),
                oauth("authorization_pending"),
                token(),
            ],
            0,
        );
        assert_eq!(r.polls, [7.0, 14.0, 21.0]);
        assert_eq!(r.outcome.unwrap().access_token.secret(), "czs_at");
        assert_eq!(
            r.pendings,
            [
                DevicePending {
                    attempt: 1,
                    interval: 7,
                    expires_at: T0 + 600,
                    slow_down: false,
                    next_poll_at_ms: T0_MS + 14_000
                },
                DevicePending {
                    attempt: 2,
                    interval: 7,
                    expires_at: T0 + 600,
                    slow_down: false,
                    next_poll_at_ms: T0_MS + 21_000
                }
            ]
        );
    }

    #[test]
    fn interval_defaults_to_five_seconds_and_counts_from_the_answer() {
        let r = run(
            poller(None, 600),
            vec![oauth("authorization_pending"), token()],
            1500,
        );
        // Sent at 5; answered at 6.5; next sent 5 s after that answer.
        assert_eq!(r.polls, [5.0, 11.5]);
        assert!(r.outcome.is_ok());
    }

    #[test]
    fn slow_down_adds_five_seconds_to_every_later_poll_without_a_cap() {
        let mut answers: Vec<_> = (0..10).map(|_| oauth("slow_down")).collect();
        answers.push(oauth("authorization_pending"));
        answers.push(token());
        let r = run(poller(None, 3600), answers, 0);
        let gaps: Vec<f64> = r.polls.windows(2).map(|w| w[1] - w[0]).collect();
        assert_eq!(
            gaps,
            [10.0, 15.0, 20.0, 25.0, 30.0, 35.0, 40.0, 45.0, 50.0, 55.0, 55.0]
        );
        assert_eq!(r.pendings[9].interval, 55);
        assert!(r.pendings[9].slow_down);
        assert!(!r.pendings[10].slow_down);
        assert!(r.outcome.is_ok());
    }

    #[test]
    fn the_flow_ends_locally_at_expiry_even_if_the_server_keeps_answering_pending() {
        let r = run(
            poller(None, 12),
            vec![
                oauth("authorization_pending"),
                oauth("authorization_pending"),
            ],
            0,
        );
        assert_eq!(r.polls, [5.0, 10.0]);
        assert_eq!(r.ended, 12.0);
        let err = r.outcome.unwrap_err();
        assert_eq!(err.code, ErrorCode::OAuthError);
        assert_eq!(err.error_code.as_deref(), Some("expired_token"));
        assert_eq!(err.status, None);
        assert!(err.message.contains("request a new device code"));
        // A code that is already past its expiry ends at once, without a poll.
        let mut p = DevicePoller::from_parts("dc", 5, T0 - 1, T0_MS);
        assert!(matches!(p.next_action(T0_MS), PollAction::Done(Err(_))));
        assert_eq!(p.attempts(), 0);
    }

    #[test]
    fn a_token_after_the_expiry_from_a_poll_in_flight_is_accepted() {
        let mut p = poller(None, 6);
        assert_eq!(p.next_action(T0_MS + 5000), PollAction::Poll);
        assert_eq!(p.on_response(token(), T0_MS + 9000), None);
        assert!(matches!(
            p.next_action(T0_MS + 9000),
            PollAction::Done(Ok(_))
        ));
    }

    #[test]
    fn terminal_answers_end_the_flow_with_a_typed_error() {
        for (code, hint) in [
            ("access_denied", "declined"),
            ("expired_token", "request a new device code"),
            ("invalid_grant", "invalid"),
            ("unauthorized", "unauthorized"),
        ] {
            let r = run(poller(None, 600), vec![oauth(code)], 0);
            let err = r.outcome.unwrap_err();
            assert_eq!(err.code, ErrorCode::OAuthError);
            assert_eq!(err.error_code.as_deref(), Some(code));
            assert_eq!(err.status, Some(400));
            assert_eq!(err.log_id.as_deref(), Some("log-1"));
            assert!(err.message.contains(hint), "{}", err.message);
            assert_eq!(r.polls, [5.0]);
        }
        // Neither a token nor an error: invalid_response, terminal.
        let r = run(poller(None, 600), vec![Ok(resp(200, "{}"))], 0);
        assert_eq!(r.outcome.unwrap_err().code, ErrorCode::InvalidResponse);
        // The caller's abort and other transport failures that are not transient.
        for code in [ErrorCode::Aborted, ErrorCode::InvalidArgument] {
            let r = run(poller(None, 600), vec![Err(Error::new(code, "x"))], 0);
            assert_eq!(r.outcome.unwrap_err().code, code);
        }
    }

    #[test]
    fn transient_failures_back_off_and_honour_retry_after() {
        let r = run(
            poller(None, 3600),
            vec![
                network(),
                Err(Error::new(ErrorCode::Timeout, "slow")),
                Ok(resp(503, "<html>busy</html>")),
                Ok(resp_with(429, "", &[("Retry-After", "7")])),
                oauth("authorization_pending"),
                Ok(resp_with(503, "", &[("retry-after", " 2 ")])),
                Ok(resp(500, r#"{"code":500,"msg":"internal"}"#)),
                token(),
            ],
            0,
        );
        let gaps: Vec<f64> = r.polls.windows(2).map(|w| w[1] - w[0]).collect();
        // 2×, 4×, 8× the interval; Retry-After 7; pending keeps 5 s; Retry-After 2 is raised to
        // the interval; the pending answer reset the count, so the next doubling is 4× again.
        assert_eq!(gaps, [10.0, 20.0, 40.0, 7.0, 5.0, 5.0, 20.0]);
        assert_eq!(r.pendings.len(), 1);
        assert!(r.outcome.is_ok());
    }

    #[test]
    fn retry_after_as_an_http_date_falls_back_to_doubling() {
        let r = run(
            poller(None, 3600),
            vec![
                Ok(resp_with(
                    503,
                    "",
                    &[("retry-after", "Fri, 31 Dec 1999 23:59:59 GMT")],
                )),
                token(),
            ],
            0,
        );
        assert_eq!(r.polls, [5.0, 15.0]);
    }

    #[test]
    fn the_back_off_cap_never_undercuts_a_long_interval() {
        let r = run(
            DevicePoller::from_parts("dc", 90, T0 + 3600, T0_MS),
            vec![network(), token()],
            0,
        );
        assert_eq!(r.polls, [90.0, 180.0]);
        let r = run(
            poller(None, 3600),
            vec![network(), network(), network(), network(), token()],
            0,
        );
        let gaps: Vec<f64> = r.polls.windows(2).map(|w| w[1] - w[0]).collect();
        assert_eq!(gaps, [10.0, 20.0, 40.0, 60.0]);
    }

    #[test]
    fn five_transient_failures_in_a_row_end_the_flow_with_the_last() {
        let r = run(
            poller(None, 3600),
            vec![
                network(),
                network(),
                network(),
                network(),
                Ok(resp(502, "bad gateway")),
            ],
            0,
        );
        let err = r.outcome.unwrap_err();
        assert_eq!(err.code, ErrorCode::HttpError);
        assert_eq!(err.status, Some(502));
        assert!(err.message.contains("gave up after 5 failures in a row"));
        assert_eq!(r.polls.len(), 5);
        // A non-transient answer resets the count.
        let mut answers = vec![network(), network(), network(), network()];
        answers.push(oauth("slow_down"));
        answers.extend([network(), network(), network(), network()]);
        answers.push(token());
        let r = run(poller(None, 3600), answers, 0);
        assert!(r.outcome.is_ok());
        assert_eq!(r.polls.len(), 10);
    }

    #[test]
    fn a_retry_due_after_the_expiry_ends_the_flow_now() {
        let r = run(
            poller(None, 30),
            vec![Ok(resp_with(503, "", &[("retry-after", "120")]))],
            0,
        );
        let err = r.outcome.unwrap_err();
        assert_eq!((err.code, err.status), (ErrorCode::HttpError, Some(503)));
        assert!(err.message.contains("expires before a retry"));
        assert_eq!(r.ended, 5.0);
    }

    #[test]
    fn device_codes_on_a_5xx_still_count() {
        let r = run(
            poller(None, 600),
            vec![
                Ok(resp(503, r#"{"error":"slow_down"}"#)),
                Ok(resp(500, r#"{"error_code":"access_denied"}"#)),
            ],
            0,
        );
        assert_eq!(r.polls, [5.0, 15.0]);
        assert_eq!(r.pendings.len(), 1);
        assert_eq!(
            r.outcome.unwrap_err().error_code.as_deref(),
            Some("access_denied")
        );
    }

    #[test]
    fn done_stays_done_and_a_repeated_poll_is_not_counted_twice() {
        let mut p = poller(None, 600);
        assert_eq!(p.next_action(T0_MS + 5000), PollAction::Poll);
        assert_eq!(p.next_action(T0_MS + 5001), PollAction::Poll);
        assert_eq!(p.attempts(), 1);
        assert_eq!(p.on_response(oauth("access_denied"), T0_MS + 5002), None);
        assert!(p.is_done());
        let first = p.next_action(T0_MS + 5003);
        assert_eq!(p.on_response(token(), T0_MS + 5004), None);
        assert_eq!(p.next_action(T0_MS + 99_999_999), first);
        assert!(matches!(first, PollAction::Done(Err(_))));
    }

    #[test]
    fn extreme_numbers_do_not_overflow() {
        let mut p = DevicePoller::from_parts("dc", i64::MAX, i64::MAX, i64::MAX - 5);
        assert_eq!(p.interval(), MAX_INTERVAL_SECONDS);
        assert!(matches!(p.next_action(i64::MAX), PollAction::Done(Err(_))));
        let mut p = DevicePoller::from_parts("dc", i64::MIN, i64::MIN, i64::MIN);
        assert_eq!(p.interval(), 1);
        assert!(matches!(p.next_action(i64::MIN), PollAction::Done(Err(_))));
        // slow_down answers late in time: the interval and the schedule saturate.
        let mut p = DevicePoller::from_parts("dc", 1, i64::MAX / 1000 - 1, 0);
        let mut now = 0;
        for _ in 0..10_000 {
            match p.next_action(now) {
                PollAction::Wait { until_ms } => now = until_ms,
                PollAction::Poll => {
                    p.on_response(oauth("slow_down"), now.saturating_add(i64::MAX / 4));
                }
                PollAction::Done(_) => break,
            }
        }
        assert!(p.is_done());
        assert!(p.interval() > 0);
    }

    #[test]
    fn device_code_responses_are_read_tolerantly() {
        let dc = device_code(Some(3), 1800);
        assert_eq!(dc.device_code.secret(), "dc-SECRET-123456");
        assert_eq!(dc.user_code, "ABCD-EFGH");
        assert_eq!(dc.verification_uri, "https://www.coze.cn/oauth/device");
        assert_eq!(
            dc.verification_url,
            "https://www.coze.cn/oauth/device?user_code=ABCD-EFGH"
        );
        assert_eq!(
            (dc.expires_in, dc.expires_in_kind, dc.expires_at),
            (1800, ExpiresInKind::Lifetime, T0 + 1800)
        );
        assert_eq!(dc.interval, 3);
        assert!(!format!("{dc:?}").contains("SECRET"));

        let body = r#"{"device_code":"d","user_code":"u c&","verification_url":"https://x.example/d?lang=en#top","expires_in":"1800000600"}"#;
        let dc = read_device_code_response(&resp(200, body), T0).unwrap();
        assert_eq!(dc.verification_uri, "https://x.example/d?lang=en#top");
        assert_eq!(
            dc.verification_url,
            "https://x.example/d?lang=en&user_code=u+c%26#top"
        );
        assert_eq!(
            (dc.expires_in_kind, dc.expires_at, dc.interval),
            (ExpiresInKind::Absolute, 1_800_000_600, 5)
        );
        let body = r#"{"device_code":"d","user_code":"u","verification_uri":"https://x.example/d","verification_url":"https://x.example/other","expires_in":60,"interval":null}"#;
        let dc = read_device_code_response(&resp(200, body), T0).unwrap();
        assert_eq!(dc.verification_uri, "https://x.example/d");
        assert_eq!(dc.interval, 5);
    }

    #[test]
    fn verification_urls_are_built_with_a_form_encoded_user_code() {
        assert_eq!(
            verification_url("https://a/d", "AB"),
            "https://a/d?user_code=AB"
        );
        assert_eq!(
            verification_url("https://a/d?", "AB"),
            "https://a/d?user_code=AB"
        );
        assert_eq!(
            verification_url("https://a/d?x=1&", "A/B=+é"),
            "https://a/d?x=1&user_code=A%2FB%3D%2B%C3%A9"
        );
        assert_eq!(
            verification_url("https://a/d#f", "A B"),
            "https://a/d?user_code=A+B#f"
        );
    }

    #[test]
    fn malformed_device_code_responses_are_typed_errors() {
        let ok = r#""device_code":"d","user_code":"u","verification_uri":"https://x/d""#;
        for (body, what) in [
            (
                r#"{"user_code":"u","verification_uri":"https://x/d","expires_in":60}"#,
                "device_code",
            ),
            (
                r#"{"device_code":"","user_code":"u","verification_uri":"https://x/d","expires_in":60}"#,
                "device_code",
            ),
            (
                r#"{"device_code":7,"user_code":"u","verification_uri":"https://x/d","expires_in":60}"#,
                "device_code",
            ),
            (
                r#"{"device_code":"d","verification_uri":"https://x/d","expires_in":60}"#,
                "user_code",
            ),
            (
                r#"{"device_code":"d","user_code":"u","expires_in":60}"#,
                "verification_uri",
            ),
            (
                r#"{"device_code":"d","user_code":"u","verification_uri":"javascript:alert(1)","expires_in":60}"#,
                "http(s)",
            ),
            (
                r#"{"device_code":"d","user_code":"u","verification_uri":"https://x/a b","expires_in":60}"#,
                "http(s)",
            ),
            (&cat(&["{", ok, "}"]), "expires_in"),
            (&cat(&["{", ok, r#","expires_in":0}"#]), "non-positive"),
            (&cat(&["{", ok, r#","expires_in":"soon"}"#]), "whole number"),
            (&cat(&["{", ok, r#","expires_in":1700000000}"#]), "clock"),
            (
                &cat(&["{", ok, r#","expires_in":60,"interval":0}"#]),
                "interval",
            ),
            (
                &cat(&["{", ok, r#","expires_in":60,"interval":-5}"#]),
                "interval",
            ),
            (
                &cat(&["{", ok, r#","expires_in":60,"interval":3601}"#]),
                "interval",
            ),
            (
                &cat(&["{", ok, r#","expires_in":60,"interval":"x"}"#]),
                "interval",
            ),
        ] {
            let err = read_device_code_response(&resp(200, body), T0).unwrap_err();
            assert_eq!(err.code, ErrorCode::InvalidResponse, "{body}");
            assert!(err.message.contains(what), "{body}: {}", err.message);
            assert_eq!(err.status, Some(200));
            assert_eq!(err.log_id.as_deref(), Some("log-1"));
        }
        let err = read_device_code_response(
            &resp(
                400,
                r#"{"error_code":"invalid_client","error_message":"no such app"}"#,
            ),
            T0,
        )
        .unwrap_err();
        assert_eq!(err.code, ErrorCode::OAuthError);
        assert_eq!(err.error_code.as_deref(), Some("invalid_client"));
        let err = read_device_code_response(&resp(502, "<html>"), T0).unwrap_err();
        assert_eq!(err.code, ErrorCode::HttpError);
    }

    #[test]
    fn requests_have_the_exact_shape() {
        let app = DeviceOAuthApp::new(DeviceOAuthAppOptions {
            client_id: "cid".into(),
            base_url: None,
        })
        .unwrap();
        assert_eq!(app.base_url(), "https://api.coze.cn");
        let req = app.device_code_request(None).unwrap();
        assert_eq!(
            req.url,
            "https://api.coze.cn/api/permission/oauth2/device/code"
        );
        assert_eq!(req.body, r#"{"client_id":"cid"}"#);
        assert_eq!(
            req.headers,
            vec![("content-type".to_owned(), "application/json".to_owned())]
        );
        let req = app.device_code_request(Some("7351")).unwrap();
        assert_eq!(
            req.url,
            "https://api.coze.cn/api/permission/oauth2/workspace_id/7351/device/code"
        );
        let req = app.poll_request("dc\"1").unwrap();
        assert_eq!(req.url, "https://api.coze.cn/api/permission/oauth2/token");
        let body = parse(req.body.as_bytes()).unwrap();
        assert_eq!(
            body.get("grant_type").and_then(Value::as_str),
            Some("urn:ietf:params:oauth:grant-type:device_code")
        );
        assert_eq!(
            body.get("device_code").and_then(Value::as_str),
            Some("dc\"1")
        );
        assert!(app.poll_request(" ").is_err());
        assert!(app.refresh_request("").is_err());
        assert!(app.device_code_request(Some("")).is_err());
        assert!(DeviceOAuthApp::new(DeviceOAuthAppOptions::default()).is_err());
        assert!(DeviceOAuthApp::new(DeviceOAuthAppOptions {
            client_id: "c".into(),
            base_url: Some("http://api.coze.cn".into()),
        })
        .is_err());
    }

    #[test]
    fn one_shot_answers_are_easy_to_branch_on() {
        let err = read_device_token_response(
            &resp(200, r#"{"error":"authorization_pending"}"#),
            T0,
            "dc",
        )
        .unwrap_err();
        assert!(err.is_authorization_pending() && !err.is_slow_down());
        assert!(err.message.contains("poll again"));
        let err = read_device_token_response(&resp(400, r#"{"error_code":"slow_down"}"#), T0, "dc")
            .unwrap_err();
        assert!(err.is_slow_down() && !err.is_authorization_pending());
        let err = read_device_token_response(
            &resp(
                400,
                r#"{"error_code":"x","error_message":"dc-SECRET-123456 is bad"}"#,
            ),
            T0,
            "dc-SECRET-123456",
        )
        .unwrap_err();
        assert!(!format!("{err} {err:?}").contains("SECRET"));
        assert!(!local_expiry_error().is_authorization_pending());
        assert!(read_device_token_response(&resp(200, TOKEN), T0, "dc")
            .unwrap()
            .refresh_token
            .is_some());
    }

    #[test]
    fn a_huge_retry_after_is_capped_at_the_back_off_cap() {
        for huge in ["1000000000000", "999999999", "99999999999999999999999999"] {
            let r = run(
                poller(None, 3600),
                vec![Ok(resp_with(503, "", &[("retry-after", huge)])), token()],
                0,
            );
            assert_eq!(r.polls, [5.0, 65.0], "{huge}");
            assert!(r.outcome.is_ok(), "{huge}");
        }
        // Never below the interval.
        let r = run(
            DevicePoller::from_parts("dc", 90, T0 + 3600, T0_MS),
            vec![
                Ok(resp_with(429, "", &[("retry-after", "1000000000000")])),
                token(),
            ],
            0,
        );
        assert_eq!(r.polls, [90.0, 180.0]);
    }

    #[test]
    fn implausible_device_code_times_are_refused() {
        let ok = r#""device_code":"d","user_code":"u","verification_uri":"https://x/d""#;
        for tail in [
            r#","expires_in":999999999999999999"#,
            r#","expires_in":"9007199254740993""#,
            r#","expires_in":999999999"#,
            r#","expires_in":2200000000"#,
            r#","expires_in":-60"#,
            r#","expires_in":600,"interval":999999999999999999"#,
            r#","expires_in":600,"interval":-1"#,
        ] {
            let body = cat(&["{", ok, tail, "}"]);
            let err = read_device_code_response(&resp(200, &body), T0).unwrap_err();
            assert_eq!(err.code, ErrorCode::InvalidResponse, "{body}");
        }
    }

    #[test]
    fn device_fields_of_unicode_whitespace_are_blank() {
        for blank in ["\u{b}", "\u{a0}", "\u{2028}"] {
            let mut body = String::from(r#"{"device_code":"d","user_code":"#);
            crate::core::json::write_string(&mut body, blank);
            body.push_str(r#","verification_uri":"https://x/d","expires_in":60}"#);
            let err = read_device_code_response(&resp(200, &body), T0).unwrap_err();
            assert_eq!(err.code, ErrorCode::InvalidResponse, "{blank:?}");
        }
    }
}
