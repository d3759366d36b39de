//! The device code flow end to end through the Transport and Sleeper traits, in virtual time:
//! a fake clock that jumps to each deadline and a scripted transport that records every
//! request with the virtual time it was sent at. Nothing here sleeps.

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;

use coze_auth::{
    Clock, DeviceCode, DeviceOAuthApp, DeviceOAuthAppOptions, DevicePending, Error, ErrorCode,
    ExpiresInKind, HttpRequest, HttpResponse, OAuthToken, Sleeper, SystemClock, Transport,
};
use futures_executor::block_on;

/// Virtual start time, Unix milliseconds.
const T0_MS: i64 = 1_900_000_000_000;
const DEVICE_CODE: &str = "dc-SECRET-0123456789";
const TOKEN: &str = r#"{"access_token":"czs_access_dev","expires_in":1893456000,"refresh_token":"czs_refresh_dev","token_type":"Bearer"}"#;

/// A virtual clock: `sleep_until` jumps to the deadline; it can be told to fail a sleep with
/// `aborted` (the caller's AbortSignal firing while the flow sleeps).
struct FakeClock {
    now: Cell<i64>,
    sleeps: RefCell<Vec<i64>>,
    abort_at: Cell<Option<i64>>,
}

impl FakeClock {
    fn new() -> Self {
        FakeClock {
            now: Cell::new(T0_MS),
            sleeps: RefCell::new(Vec::new()),
            abort_at: Cell::new(None),
        }
    }
    fn advance(&self, ms: i64) {
        self.now.set(self.now.get() + ms);
    }
}

impl Sleeper for FakeClock {
    fn now_ms(&self) -> i64 {
        self.now.get()
    }
    async fn sleep_until(&self, unix_ms: i64) -> Result<(), Error> {
        self.sleeps.borrow_mut().push(unix_ms);
        if let Some(abort_at) = self.abort_at.get() {
            if unix_ms > abort_at {
                self.now.set(abort_at.max(self.now.get()));
                return Err(Error::new(ErrorCode::Aborted, "The caller aborted."));
            }
        }
        self.now.set(unix_ms.max(self.now.get()));
        Ok(())
    }
}

/// Answers scripted responses; records each request with the virtual time it was sent at.
/// Each answer takes `latency_ms` of virtual time.
struct ClockedTransport<'a> {
    clock: &'a FakeClock,
    latency_ms: i64,
    answers: RefCell<VecDeque<Result<HttpResponse, Error>>>,
    sent: RefCell<Vec<(i64, HttpRequest)>>,
}

impl<'a> ClockedTransport<'a> {
    fn new(clock: &'a FakeClock) -> Self {
        ClockedTransport {
            clock,
            latency_ms: 0,
            answers: RefCell::new(VecDeque::new()),
            sent: RefCell::new(Vec::new()),
        }
    }
    fn answer(self, status: u16, body: &str) -> Self {
        self.answer_with(status, body, &[])
    }
    fn answer_with(self, status: u16, body: &str, headers: &[(&str, &str)]) -> Self {
        let mut all = vec![("x-tt-logid".to_owned(), "dev-log".to_owned())];
        all.extend(headers.iter().map(|(k, v)| (k.to_string(), v.to_string())));
        self.answers.borrow_mut().push_back(Ok(HttpResponse {
            status,
            headers: all,
            body: body.as_bytes().to_vec(),
        }));
        self
    }
    fn fail(self, code: ErrorCode) -> Self {
        self.answers
            .borrow_mut()
            .push_back(Err(Error::new(code, "transport failure")));
        self
    }
    /// Seconds after T0 at which each request was sent.
    fn times(&self) -> Vec<f64> {
        self.sent
            .borrow()
            .iter()
            .map(|(t, _)| (t - T0_MS) as f64 / 1000.0)
            .collect()
    }
    fn gaps(&self) -> Vec<f64> {
        self.times().windows(2).map(|w| w[1] - w[0]).collect()
    }
}

impl Transport for ClockedTransport<'_> {
    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, Error> {
        self.sent.borrow_mut().push((self.clock.now_ms(), request));
        self.clock.advance(self.latency_ms);
        self.answers
            .borrow_mut()
            .pop_front()
            .unwrap_or_else(|| Err(Error::new(ErrorCode::NetworkError, "no scripted answer")))
    }
}

fn app() -> DeviceOAuthApp {
    DeviceOAuthApp::new(DeviceOAuthAppOptions {
        client_id: "cid.app.coze".into(),
        base_url: Some("http://127.0.0.1:9/".into()),
    })
    .unwrap()
}

/// A device code read at T0: lifetime `expires_in` seconds, the given interval.
fn device_code(interval: Option<i64>, expires_in: i64) -> DeviceCode {
    let interval = interval.map_or(String::new(), |i| format!(r#","interval":{i}"#));
    let body = format!(
        r#"{{"device_code":"{DEVICE_CODE}","user_code":"WDJB-MJHT","verification_uri":"https://www.coze.cn/api/permission/oauth2/device","expires_in":{expires_in}{interval}}}"#
    );
    let response = HttpResponse {
        status: 200,
        headers: vec![],
        body: body.into_bytes(),
    };
    coze_auth::core::device::read_device_code_response(&response, T0_MS / 1000).unwrap()
}

fn poll(
    transport: &ClockedTransport<'_>,
    clock: &FakeClock,
    code: &DeviceCode,
) -> (Result<OAuthToken, Error>, Vec<DevicePending>) {
    let mut pendings = Vec::new();
    let result = block_on(app().poll_token(transport, clock, code, |p| pendings.push(*p)));
    (result, pendings)
}

fn assert_no_secret(err: &Error) {
    let shown = format!("{err} {err:?}");
    for secret in [
        DEVICE_CODE,
        "czs_access_dev",
        "czs_refresh_dev",
        "czs_refresh_old",
    ] {
        assert!(!shown.contains(secret), "{shown}");
    }
}

#[test]
fn device_code_request_has_the_exact_shape_default_and_workspace() {
    let clock = FakeClock::new();
    let body = r#"{"device_code":"d1","user_code":"AB CD","verification_uri":"https://www.coze.cn/device","expires_in":1800,"interval":5}"#;
    let transport = ClockedTransport::new(&clock)
        .answer(200, body)
        .answer(200, body);
    let dc = block_on(app().get_device_code(&transport, &SystemClock, None)).unwrap();
    block_on(app().get_device_code(&transport, &SystemClock, Some("ws/7 1"))).unwrap();
    let sent = transport.sent.borrow();
    let (_, first) = &sent[0];
    assert_eq!(first.method, "POST");
    assert_eq!(
        first.url,
        "http://127.0.0.1:9/api/permission/oauth2/device/code"
    );
    assert_eq!(
        first.headers,
        vec![("content-type".to_string(), "application/json".to_string())]
    );
    assert_eq!(first.body, r#"{"client_id":"cid.app.coze"}"#);
    assert_eq!(
        sent[1].1.url,
        "http://127.0.0.1:9/api/permission/oauth2/workspace_id/ws%2F7%201/device/code"
    );
    assert_eq!(sent[1].1.body, first.body);
    assert_eq!(dc.device_code.secret(), "d1");
    assert_eq!(
        dc.verification_url,
        "https://www.coze.cn/device?user_code=AB+CD"
    );
    assert_eq!(dc.expires_in_kind, ExpiresInKind::Lifetime);
    let now = SystemClock.now_unix_seconds();
    assert!((now + 1795..=now + 1800).contains(&dc.expires_at));
    // Nothing is sent for a blank workspace id.
    assert_eq!(
        block_on(app().get_device_code(&transport, &SystemClock, Some(" ")))
            .unwrap_err()
            .code,
        ErrorCode::InvalidArgument
    );
    assert_eq!(transport.sent.borrow().len(), 2);
}

#[test]
fn device_code_response_variants() {
    let read = |body: &str| {
        let clock = FakeClock::new();
        let transport = ClockedTransport::new(&clock).answer(200, body);
        block_on(app().get_device_code(&transport, &SystemClock, None))
    };
    let dc = read(r#"{"device_code":"d","user_code":"u","verification_url":"https://x.example/v?a=1","expires_in":1893456000}"#).unwrap();
    assert_eq!(dc.verification_uri, "https://x.example/v?a=1");
    assert_eq!(dc.verification_url, "https://x.example/v?a=1&user_code=u");
    assert_eq!(
        (dc.expires_in_kind, dc.expires_at, dc.interval),
        (ExpiresInKind::Absolute, 1_893_456_000, 5)
    );
    let err =
        read(r#"{"user_code":"u","verification_uri":"https://x/v","expires_in":60}"#).unwrap_err();
    assert_eq!(err.code, ErrorCode::InvalidResponse);
    assert!(err.message.contains("device_code"));
    assert_eq!(err.log_id.as_deref(), Some("dev-log"));
    for (status, body) in [
        (
            400,
            r#"{"error_code":"invalid_client","error_message":"no app"}"#,
        ),
        (
            200,
            r#"{"error_code":"invalid_client","error_message":"no app"}"#,
        ),
        (
            400,
            r#"{"error":"invalid_client","error_description":"no app"}"#,
        ),
        (200, r#"{"error":"invalid_client"}"#),
    ] {
        let clock = FakeClock::new();
        let transport = ClockedTransport::new(&clock).answer(status, body);
        let err = block_on(app().get_device_code(&transport, &SystemClock, None)).unwrap_err();
        assert_eq!(err.code, ErrorCode::OAuthError, "{status} {body}");
        assert_eq!(err.error_code.as_deref(), Some("invalid_client"));
        assert_eq!(err.status, Some(status));
    }
}

#[test]
fn polling_waits_an_interval_first_then_keeps_it_and_sends_the_exact_request() {
    let clock = FakeClock::new();
    let transport = ClockedTransport::new(&clock)
        .answer(400, r#"{"error_code":"authorization_pending"}"#)
        .answer(400, r#"{"error_code":"authorization_pending"}"#)
        .answer(200, TOKEN);
    let code = device_code(Some(3), 600);
    let (token, pendings) = poll(&transport, &clock, &code);
    let token = token.unwrap();
    assert_eq!(token.access_token.secret(), "czs_access_dev");
    assert_eq!(token.refresh_token.unwrap().secret(), "czs_refresh_dev");
    assert_eq!(transport.times(), [3.0, 6.0, 9.0]);
    let expires_at = T0_MS / 1000 + 600;
    assert_eq!(
        pendings
            .iter()
            .map(|p| (p.attempt, p.interval, p.expires_at, p.slow_down))
            .collect::<Vec<_>>(),
        [(1, 3, expires_at, false), (2, 3, expires_at, false)]
    );
    for (_, request) in transport.sent.borrow().iter() {
        assert_eq!(request.method, "POST");
        assert_eq!(
            request.url,
            "http://127.0.0.1:9/api/permission/oauth2/token"
        );
        assert_eq!(
            request.headers,
            vec![("content-type".to_string(), "application/json".to_string())]
        );
        assert_eq!(
            request.body,
            format!(
                r#"{{"grant_type":"urn:ietf:params:oauth:grant-type:device_code","client_id":"cid.app.coze","device_code":"{DEVICE_CODE}"}}"#
            )
        );
    }
    // The clock only ever moved forward through sleeps to the poll times.
    assert_eq!(
        *clock.sleeps.borrow(),
        [T0_MS + 3000, T0_MS + 6000, T0_MS + 9000]
    );
}

#[test]
fn the_interval_counts_from_each_answer_not_from_each_request() {
    let clock = FakeClock::new();
    let mut transport = ClockedTransport::new(&clock)
        .answer(200, r#"{"error_code":"authorization_pending"}"#)
        .answer(200, TOKEN);
    transport.latency_ms = 2500;
    let (token, _) = poll(&transport, &clock, &device_code(None, 600));
    assert!(token.is_ok());
    assert_eq!(transport.times(), [5.0, 12.5]);
}

/// Every encoding Coze's SDKs have seen: the code in `error_code` or `error`, with 200 or 400.
fn encodings(code: &str) -> Vec<(u16, String)> {
    let mut out = Vec::new();
    for field in ["error_code", "error"] {
        for status in [200, 400] {
            out.push((
                status,
                format!(r#"{{"{field}":"{code}","error_message":"device code {DEVICE_CODE} is {code}"}}"#),
            ));
        }
    }
    out
}

#[test]
fn pending_and_slow_down_work_in_all_four_encodings() {
    for (status, body) in encodings("authorization_pending") {
        let clock = FakeClock::new();
        let transport = ClockedTransport::new(&clock)
            .answer(status, &body)
            .answer(200, TOKEN);
        let (token, pendings) = poll(&transport, &clock, &device_code(None, 600));
        assert!(token.is_ok(), "{status} {body}");
        assert_eq!(transport.times(), [5.0, 10.0], "{status} {body}");
        assert_eq!(pendings.len(), 1);
    }
    for (status, body) in encodings("slow_down") {
        let clock = FakeClock::new();
        let transport = ClockedTransport::new(&clock)
            .answer(status, &body)
            .answer(status, &body)
            .answer(200, TOKEN);
        let (token, pendings) = poll(&transport, &clock, &device_code(None, 600));
        assert!(token.is_ok(), "{status} {body}");
        assert_eq!(transport.times(), [5.0, 15.0, 30.0], "{status} {body}");
        assert_eq!(
            pendings
                .iter()
                .map(|p| (p.interval, p.slow_down))
                .collect::<Vec<_>>(),
            [(10, true), (15, true)]
        );
    }
}

#[test]
fn terminal_answers_in_all_four_encodings_end_the_flow_typed() {
    for code in [
        "access_denied",
        "expired_token",
        "invalid_grant",
        "some_new_error",
    ] {
        for (status, body) in encodings(code) {
            let clock = FakeClock::new();
            let transport = ClockedTransport::new(&clock)
                .answer(status, &body)
                .answer(200, TOKEN);
            let (result, pendings) = poll(&transport, &clock, &device_code(None, 600));
            let err = result.unwrap_err();
            assert_eq!(err.code, ErrorCode::OAuthError, "{status} {body}");
            assert_eq!(err.error_code.as_deref(), Some(code));
            assert_eq!(err.status, Some(status));
            assert_eq!(err.log_id.as_deref(), Some("dev-log"));
            assert!(err.error_message.as_deref().unwrap().contains("[redacted]"));
            assert_no_secret(&err);
            assert!(pendings.is_empty());
            assert_eq!(transport.sent.borrow().len(), 1, "one poll, then stop");
        }
    }
}

#[test]
fn one_shot_polls_return_pending_and_slow_down_as_typed_errors() {
    for (status, body) in encodings("authorization_pending") {
        let clock = FakeClock::new();
        let transport = ClockedTransport::new(&clock).answer(status, &body);
        let err =
            block_on(app().poll_token_once(&transport, &SystemClock, DEVICE_CODE)).unwrap_err();
        assert!(err.is_authorization_pending(), "{status} {body}");
        assert_eq!(err.oauth_error_code(), Some("authorization_pending"));
        assert_no_secret(&err);
    }
    for (status, body) in encodings("slow_down") {
        let clock = FakeClock::new();
        let transport = ClockedTransport::new(&clock).answer(status, &body);
        let err =
            block_on(app().poll_token_once(&transport, &SystemClock, DEVICE_CODE)).unwrap_err();
        assert!(err.is_slow_down(), "{status} {body}");
        assert!(!err.is_authorization_pending());
    }
    let clock = FakeClock::new();
    let transport = ClockedTransport::new(&clock)
        .answer(400, r#"{"error_code":"access_denied"}"#)
        .answer(200, TOKEN);
    let err = block_on(app().poll_token_once(&transport, &SystemClock, DEVICE_CODE)).unwrap_err();
    assert_eq!(err.oauth_error_code(), Some("access_denied"));
    assert!(!err.is_authorization_pending() && !err.is_slow_down());
    let token = block_on(app().poll_token_once(&transport, &SystemClock, DEVICE_CODE)).unwrap();
    assert_eq!(token.access_token.secret(), "czs_access_dev");
    assert_eq!(
        transport.sent.borrow().len(),
        2,
        "one request per call, no waiting"
    );
    assert!(clock.sleeps.borrow().is_empty());
}

#[test]
fn the_flow_ends_locally_at_expiry_while_the_server_keeps_answering_pending() {
    let clock = FakeClock::new();
    let mut transport = ClockedTransport::new(&clock);
    for _ in 0..100 {
        transport = transport.answer(400, r#"{"error_code":"authorization_pending"}"#);
    }
    let (result, pendings) = poll(&transport, &clock, &device_code(Some(5), 23));
    let err = result.unwrap_err();
    assert_eq!(err.code, ErrorCode::OAuthError);
    assert_eq!(err.error_code.as_deref(), Some("expired_token"));
    assert_eq!(err.status, None);
    assert!(err.message.contains("request a new device code"));
    assert_eq!(transport.times(), [5.0, 10.0, 15.0, 20.0]);
    assert_eq!(pendings.len(), 4);
    // It ended exactly at the expiry, not at the next poll time.
    assert_eq!(clock.now_ms(), T0_MS + 23_000);
}

#[test]
fn transient_failures_back_off_honour_retry_after_and_reset_on_an_answer() {
    let clock = FakeClock::new();
    let transport = ClockedTransport::new(&clock)
        .fail(ErrorCode::NetworkError)
        .answer(503, "<html>Service Unavailable</html>")
        .answer_with(429, "", &[("Retry-After", "12")])
        .fail(ErrorCode::Timeout)
        .answer(400, r#"{"error":"authorization_pending"}"#)
        .answer_with(503, "", &[("retry-after", "1")])
        .answer(200, TOKEN);
    let (result, pendings) = poll(&transport, &clock, &device_code(None, 3600));
    assert!(result.is_ok());
    // 2×, 4× the interval; Retry-After 12; 16× capped at 60 s after the 4th failure in a row;
    // pending keeps 5; Retry-After 1 is raised to the interval.
    assert_eq!(transport.gaps(), [10.0, 20.0, 12.0, 60.0, 5.0, 5.0]);
    assert_eq!(pendings.len(), 1);
    assert_eq!(pendings[0].attempt, 5);
}

#[test]
fn five_transient_failures_in_a_row_give_up_with_the_last() {
    let clock = FakeClock::new();
    let transport = ClockedTransport::new(&clock)
        .fail(ErrorCode::NetworkError)
        .answer(500, "")
        .answer(502, "<html>Bad Gateway</html>")
        .fail(ErrorCode::Timeout)
        .answer_with(429, "", &[("retry-after", "3")])
        .answer(200, TOKEN);
    let (result, _) = poll(&transport, &clock, &device_code(None, 3600));
    let err = result.unwrap_err();
    assert_eq!((err.code, err.status), (ErrorCode::HttpError, Some(429)));
    assert!(err.message.contains("gave up after 5 failures in a row"));
    assert_eq!(transport.sent.borrow().len(), 5);
    assert_eq!(transport.gaps(), [10.0, 20.0, 40.0, 60.0]);
}

#[test]
fn abort_ends_the_flow_while_sleeping_or_while_a_request_is_in_flight() {
    // Aborted during the wait before the second poll.
    let clock = FakeClock::new();
    clock.abort_at.set(Some(T0_MS + 7000));
    let transport = ClockedTransport::new(&clock)
        .answer(400, r#"{"error_code":"authorization_pending"}"#)
        .answer(200, TOKEN);
    let (result, _) = poll(&transport, &clock, &device_code(None, 600));
    assert_eq!(result.unwrap_err().code, ErrorCode::Aborted);
    assert_eq!(transport.sent.borrow().len(), 1);
    assert_eq!(clock.now_ms(), T0_MS + 7000);
    // Aborted while a request is in flight: the transport reports it, nothing more is sent.
    let clock = FakeClock::new();
    let transport = ClockedTransport::new(&clock)
        .fail(ErrorCode::Aborted)
        .answer(200, TOKEN);
    let (result, _) = poll(&transport, &clock, &device_code(None, 600));
    assert_eq!(result.unwrap_err().code, ErrorCode::Aborted);
    assert_eq!(transport.sent.borrow().len(), 1);
    assert_eq!(clock.sleeps.borrow().len(), 1);
}

#[test]
fn refresh_sends_the_exact_request_and_never_shows_the_token() {
    let clock = FakeClock::new();
    let transport = ClockedTransport::new(&clock).answer(200, TOKEN).answer(
        400,
        r#"{"error_code":"invalid_grant","error_message":"czs_refresh_old was used"}"#,
    );
    let token = block_on(app().refresh_token(&transport, &SystemClock, "czs_refresh_old")).unwrap();
    assert_eq!(token.refresh_token.unwrap().secret(), "czs_refresh_dev");
    let sent = transport.sent.borrow();
    assert_eq!(
        sent[0].1.url,
        "http://127.0.0.1:9/api/permission/oauth2/token"
    );
    assert_eq!(
        sent[0].1.body,
        r#"{"grant_type":"refresh_token","client_id":"cid.app.coze","refresh_token":"czs_refresh_old"}"#
    );
    assert!(sent[0].1.headers.iter().all(|(k, _)| k != "authorization"));
    drop(sent);
    let err =
        block_on(app().refresh_token(&transport, &SystemClock, "czs_refresh_old")).unwrap_err();
    assert_eq!(err.error_code.as_deref(), Some("invalid_grant"));
    assert_no_secret(&err);
}

#[test]
fn no_error_or_debug_output_shows_the_device_code_or_a_token() {
    let code = device_code(None, 600);
    assert!(!format!("{code:?}").contains(DEVICE_CODE));
    let echo = format!(
        r#"{{"error_code":"server_error","error_message":"bad device_code {DEVICE_CODE}"}}"#
    );
    let scripts: Vec<Vec<(u16, &str)>> = vec![
        vec![(200, &echo)],
        vec![(503, &echo), (400, &echo)],
        vec![(200, "{not json")],
        vec![(200, r#"{"access_token":"czs_access_dev"}"#)],
        vec![(
            200,
            r#"{"access_token":7,"refresh_token":"czs_refresh_dev","expires_in":1}"#,
        )],
    ];
    for script in scripts {
        let clock = FakeClock::new();
        let mut transport = ClockedTransport::new(&clock);
        for (status, body) in script {
            transport = transport.answer(status, body);
        }
        let (result, _) = poll(&transport, &clock, &code);
        assert_no_secret(&result.unwrap_err());
    }
}

#[test]
fn a_blank_device_code_fails_before_any_wait_or_request() {
    let clock = FakeClock::new();
    let transport = ClockedTransport::new(&clock).answer(200, TOKEN);
    let mut code = device_code(None, 600);
    code.device_code = " ".into();
    let (result, _) = poll(&transport, &clock, &code);
    assert_eq!(result.unwrap_err().code, ErrorCode::InvalidArgument);
    assert!(transport.sent.borrow().is_empty());
    assert!(clock.sleeps.borrow().is_empty());
}
