//! The Rust device flow against the mock Coze server (mock-coze, run with `node`), over a
//! minimal blocking HTTP/1.1 transport: proves that the core and the mock agree on the wire.
//! These tests sleep for real (the smallest interval Coze can send is 1 s), about 2 s each, in
//! parallel. Without `node` on PATH they are skipped.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use coze_auth::{
    DeviceOAuthApp, DeviceOAuthAppOptions, Error, ErrorCode, HttpRequest, HttpResponse, Sleeper,
    SystemClock, Transport,
};
use futures_executor::block_on;

/// A mock Coze in a child process, killed on drop.
struct Mock {
    child: Child,
    port: u16,
}

impl Drop for Mock {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start_mock() -> Option<Mock> {
    let server = concat!(env!("CARGO_MANIFEST_DIR"), "/mock-coze/server.mjs");
    let mut child = match Command::new("node")
        .args([server, "--port", "0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
    {
        Ok(child) => child,
        Err(_) => {
            eprintln!("node not found: skipping the test against the mock Coze server");
            return None;
        }
    };
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("piped stdout"))
        .read_line(&mut line)
        .expect("the mock prints its URL");
    let port = line
        .trim()
        .rsplit(':')
        .next()
        .and_then(|p| p.parse().ok())
        .expect("mock-coze listening on http://127.0.0.1:PORT");
    Some(Mock { child, port })
}

/// One request per connection, `Connection: close`; the mock always sends content-length.
fn exchange(port: u16, method: &str, path: &str, body: &str) -> Result<HttpResponse, Error> {
    let network = |e: std::io::Error| Error::new(ErrorCode::NetworkError, e.to_string());
    let mut stream = TcpStream::connect(("127.0.0.1", port)).map_err(network)?;
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .map_err(network)?;
    let head = format!(
        "{method} {path} HTTP/1.1\r\nhost: 127.0.0.1:{port}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
        body.len()
    );
    stream
        .write_all(format!("{head}{body}").as_bytes())
        .map_err(network)?;
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).map_err(network)?;
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a complete head");
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|s| s.parse().ok())
        .expect("a status line");
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    Ok(HttpResponse {
        status,
        headers,
        body: raw[split + 4..].to_vec(),
    })
}

struct MockTransport(u16);

impl Transport for MockTransport {
    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, Error> {
        assert!(request.headers.iter().all(|(k, _)| k != "authorization"));
        let path = request
            .url
            .strip_prefix(&format!("http://127.0.0.1:{}", self.0))
            .expect("a request to the mock");
        exchange(self.0, request.method, path, &request.body)
    }
}

/// The real clock; sleeps block the thread (fine under `block_on`).
struct RealClock;

impl Sleeper for RealClock {
    fn now_ms(&self) -> i64 {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_millis() as i64)
            .unwrap_or(0)
    }
    async fn sleep_until(&self, unix_ms: i64) -> Result<(), Error> {
        let ms = unix_ms - self.now_ms();
        if ms > 0 {
            std::thread::sleep(Duration::from_millis(ms as u64));
        }
        Ok(())
    }
}

fn app(port: u16) -> DeviceOAuthApp {
    DeviceOAuthApp::new(DeviceOAuthAppOptions {
        client_id: "1234567890.app.coze".into(),
        base_url: Some(format!("http://127.0.0.1:{port}")),
    })
    .unwrap()
}

fn script(port: u16, json: &str) {
    let res = exchange(port, "POST", "/__mock/device-script", json).unwrap();
    assert_eq!(res.status, 200, "{}", String::from_utf8_lossy(&res.body));
}

fn polls(port: u16) -> String {
    let res = exchange(port, "GET", "/__mock/device-polls", "").unwrap();
    String::from_utf8(res.body).unwrap()
}

#[test]
fn pending_in_the_error_field_with_200_then_a_token_without_polling_too_early() {
    let Some(mock) = start_mock() else { return };
    script(
        mock.port,
        r#"{"pending":1,"interval":1,"encoding":"error","status":200,"enforceInterval":true,"verificationField":"verification_url","expiresAbsolute":true}"#,
    );
    let transport = MockTransport(mock.port);
    let app = app(mock.port);
    let code = block_on(app.get_device_code(&transport, &SystemClock, Some("ws_1"))).unwrap();
    assert_eq!(code.interval, 1);
    assert_eq!(code.expires_in_kind, coze_auth::ExpiresInKind::Absolute);
    // XXXX-XXXX needs no encoding.
    assert!(code
        .verification_url
        .ends_with(&format!("/device/activate?user_code={}", code.user_code)));
    let mut pendings = Vec::new();
    let token =
        block_on(app.poll_token(&transport, &RealClock, &code, |p| pendings.push(*p))).unwrap();
    assert!(token.access_token.secret().starts_with("czs_mock_at_"));
    assert_eq!(pendings.len(), 1);
    let log = polls(mock.port);
    assert_eq!(log.matches(r#""tooEarly":false"#).count(), 2, "{log}");
    assert!(!log.contains(r#""tooEarly":true"#), "{log}");
    // The device token refreshes.
    let refreshed = block_on(app.refresh_token(
        &transport,
        &SystemClock,
        token.refresh_token.as_ref().unwrap().secret(),
    ))
    .unwrap();
    assert_ne!(refreshed.access_token, token.access_token);
}

#[test]
fn access_denied_with_400_ends_the_flow_typed() {
    let Some(mock) = start_mock() else { return };
    script(
        mock.port,
        r#"{"outcome":"deny","interval":1,"encoding":"error_code","status":400}"#,
    );
    let transport = MockTransport(mock.port);
    let app = app(mock.port);
    let code = block_on(app.get_device_code(&transport, &SystemClock, None)).unwrap();
    let err = block_on(app.poll_token(&transport, &RealClock, &code, |_| {})).unwrap_err();
    assert_eq!(err.code, ErrorCode::OAuthError);
    assert_eq!(err.error_code.as_deref(), Some("access_denied"));
    assert_eq!(err.status, Some(400));
    assert!(err.log_id.is_some());
    assert!(!format!("{err:?}").contains(code.device_code.secret()));
}
