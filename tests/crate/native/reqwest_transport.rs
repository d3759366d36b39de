//! `coze_auth::reqwest::ReqwestTransport` against tiny HTTP servers on 127.0.0.1 (std threads
//! writing raw HTTP/1.1): a normal answer, a redirect returned and not followed, bodies over
//! 1 MiB refused (chunked, and declared), the time limit on headers and on the body, a refused
//! connection, and errors that never hold the request's secrets. Also `TokioSleeper`.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use coze_auth::core::http::MAX_BODY_BYTES;
use coze_auth::reqwest::{ReqwestTransport, TokioSleeper, DEFAULT_TIMEOUT};
use coze_auth::{Error, ErrorCode, HttpRequest, HttpResponse, Sleeper, Transport};

const SECRET_BODY: &str =
    r#"{"grant_type":"refresh_token","client_id":"cid","refresh_token":"czs_rt_secret_123"}"#;
const SECRET_BEARER: &str = "client-secret-456";

/// A request as the server read it.
#[derive(Debug, Clone)]
struct Received {
    request_line: String,
    headers: Vec<(String, String)>,
    body: String,
}

impl Received {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

struct Server {
    url: String,
    received: Arc<Mutex<Vec<Received>>>,
}

/// Serves every connection on its own thread: reads one request, records it, then lets
/// `answer` write whatever it likes (or nothing) on the stream.
fn serve(answer: fn(&mut TcpStream, &Received)) -> Server {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let received = Arc::new(Mutex::new(Vec::new()));
    let log = Arc::clone(&received);
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            let log = Arc::clone(&log);
            std::thread::spawn(move || {
                if let Some(request) = read_request(&mut stream) {
                    log.lock().unwrap().push(request.clone());
                    answer(&mut stream, &request);
                }
            });
        }
    });
    Server { url, received }
}

fn read_request(stream: &mut TcpStream) -> Option<Received> {
    let mut reader = BufReader::new(stream.try_clone().ok()?);
    let mut request_line = String::new();
    reader.read_line(&mut request_line).ok()?;
    let mut headers = Vec::new();
    loop {
        let mut line = String::new();
        reader.read_line(&mut line).ok()?;
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        let (name, value) = line.split_once(':')?;
        headers.push((name.trim().to_owned(), value.trim().to_owned()));
    }
    let length: usize = headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
        .map_or(0, |(_, v)| v.parse().unwrap_or(0));
    let mut body = vec![0u8; length];
    reader.read_exact(&mut body).ok()?;
    Some(Received {
        request_line: request_line.trim_end().to_owned(),
        headers,
        body: String::from_utf8(body).ok()?,
    })
}

fn request(url: &str) -> HttpRequest {
    HttpRequest::post_json(
        format!("{url}/api/permission/oauth2/token"),
        SECRET_BODY.into(),
    )
    .with_bearer(SECRET_BEARER)
}

fn run<F: std::future::Future>(future: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(future)
}

fn send(transport: &ReqwestTransport, url: &str) -> Result<HttpResponse, Error> {
    run(transport.send(request(url)))
}

fn transport_with_timeout(ms: u64) -> ReqwestTransport {
    ReqwestTransport::builder()
        .timeout(Duration::from_millis(ms))
        .build()
        .unwrap()
}

/// Neither the body's secret nor the bearer credential may appear anywhere in an error.
fn assert_no_secret(error: &Error) {
    let all = format!("{error} {error:?} {:?}", error.cause);
    assert!(!all.contains("czs_rt_secret_123"), "{all}");
    assert!(!all.contains(SECRET_BEARER), "{all}");
}

#[test]
fn defaults() {
    let transport = ReqwestTransport::new().unwrap();
    assert_eq!(transport.timeout(), DEFAULT_TIMEOUT);
    assert_eq!(DEFAULT_TIMEOUT, Duration::from_secs(30));
    assert!(format!("{transport:?}").contains("30s"));
    let zero = ReqwestTransport::builder().timeout(Duration::ZERO).build();
    assert_eq!(zero.unwrap_err().code, ErrorCode::InvalidArgument);
}

#[test]
fn sends_the_request_as_it_is_and_reads_the_answer() {
    let server = serve(|stream, _| {
        let body = r#"{"access_token":"czs_at","expires_in":4102444800,"token_type":"Bearer"}"#;
        let _ = write!(
            stream,
            "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\nx-tt-logid: log-1\r\ncontent-length: {}\r\n\r\n{body}",
            body.len()
        );
    });
    let response = send(&ReqwestTransport::new().unwrap(), &server.url).unwrap();
    assert_eq!(response.status, 200);
    assert_eq!(response.log_id().as_deref(), Some("log-1"));
    assert_eq!(response.header("content-type"), Some("application/json"));
    assert!(response.body.starts_with(b"{\"access_token\":\"czs_at\""));

    let received = server.received.lock().unwrap();
    assert_eq!(received.len(), 1);
    let r = &received[0];
    assert_eq!(r.request_line, "POST /api/permission/oauth2/token HTTP/1.1");
    assert_eq!(r.body, SECRET_BODY);
    assert_eq!(r.header("content-type"), Some("application/json"));
    assert_eq!(
        r.header("authorization"),
        Some(format!("Bearer {SECRET_BEARER}").as_str())
    );
    // Nothing asks for a compressed answer: the cap counts the bytes as they are.
    assert_eq!(r.header("accept-encoding"), None);
}

#[test]
fn an_error_status_is_an_answer_too() {
    let server = serve(|stream, _| {
        let body = r#"{"error_code":"invalid_grant","error_message":"no"}"#;
        let _ = write!(
            stream,
            "HTTP/1.1 400 Bad Request\r\ncontent-length: {}\r\n\r\n{body}",
            body.len()
        );
    });
    let response = send(&ReqwestTransport::new().unwrap(), &server.url).unwrap();
    assert_eq!(response.status, 400);
    assert!(response.body.starts_with(b"{\"error_code\""));
}

#[test]
fn a_redirect_is_returned_not_followed() {
    let server = serve(|stream, request| {
        if request
            .request_line
            .starts_with("POST /api/permission/oauth2/token ")
        {
            let _ = write!(
                stream,
                "HTTP/1.1 307 Temporary Redirect\r\nlocation: /elsewhere\r\ncontent-length: 0\r\n\r\n"
            );
        } else {
            let body = r#"{"access_token":"followed","expires_in":4102444800}"#;
            let _ = write!(
                stream,
                "HTTP/1.1 200 OK\r\ncontent-length: {}\r\n\r\n{body}",
                body.len()
            );
        }
    });
    let response = send(&ReqwestTransport::new().unwrap(), &server.url).unwrap();
    assert_eq!(response.status, 307);
    assert_eq!(response.header("location"), Some("/elsewhere"));
    std::thread::sleep(Duration::from_millis(100));
    assert_eq!(
        server.received.lock().unwrap().len(),
        1,
        "the target was asked"
    );
}

/// Writes `total` bytes of body in 64 KiB chunks (chunked encoding: no length declared).
fn chunked_body(stream: &mut TcpStream, total: usize) {
    let _ = write!(
        stream,
        "HTTP/1.1 200 OK\r\nx-tt-logid: log-big\r\ntransfer-encoding: chunked\r\n\r\n"
    );
    let chunk = vec![b' '; 64 * 1024];
    let mut sent = 0;
    while sent < total {
        let n = chunk.len().min(total - sent);
        if write!(stream, "{n:x}\r\n").is_err()
            || stream.write_all(&chunk[..n]).is_err()
            || stream.write_all(b"\r\n").is_err()
        {
            return; // the client stopped reading
        }
        sent += n;
    }
    let _ = stream.write_all(b"0\r\n\r\n");
}

#[test]
fn a_chunked_body_over_1_mib_is_refused_while_reading() {
    let server = serve(|stream, _| chunked_body(stream, 3 * MAX_BODY_BYTES));
    let error = send(&ReqwestTransport::new().unwrap(), &server.url).unwrap_err();
    assert_eq!(error.code, ErrorCode::InvalidResponse);
    assert!(error.message.contains("1 MiB"), "{}", error.message);
    assert_eq!(error.status, Some(200));
    assert_eq!(error.log_id.as_deref(), Some("log-big"));
    assert_no_secret(&error);
}

#[test]
fn a_chunked_body_of_exactly_1_mib_is_read() {
    let server = serve(|stream, _| chunked_body(stream, MAX_BODY_BYTES));
    let response = send(&ReqwestTransport::new().unwrap(), &server.url).unwrap();
    assert_eq!(response.body.len(), MAX_BODY_BYTES);
}

#[test]
fn a_declared_body_over_1_mib_is_refused_before_reading() {
    let server = serve(|stream, _| {
        let _ = write!(
            stream,
            "HTTP/1.1 200 OK\r\ncontent-length: {}\r\n\r\n{{",
            MAX_BODY_BYTES + 1
        );
        std::thread::sleep(Duration::from_secs(5)); // the rest never comes
    });
    let started = Instant::now();
    let error = send(&transport_with_timeout(3000), &server.url).unwrap_err();
    assert_eq!(error.code, ErrorCode::InvalidResponse);
    assert!(started.elapsed() < Duration::from_secs(2));
}

#[test]
fn no_headers_in_time_is_a_timeout() {
    let server = serve(|_, _| std::thread::sleep(Duration::from_secs(5)));
    let started = Instant::now();
    let error = send(&transport_with_timeout(300), &server.url).unwrap_err();
    let elapsed = started.elapsed();
    assert_eq!(error.code, ErrorCode::Timeout, "{error}");
    assert!(error.message.contains("300 ms"), "{}", error.message);
    assert!(elapsed >= Duration::from_millis(290), "{elapsed:?}");
    assert!(elapsed < Duration::from_secs(3), "{elapsed:?}");
    assert_no_secret(&error);
}

#[test]
fn a_body_that_never_ends_is_a_timeout() {
    // Headers at once, then a trickle: the limit covers the body, not just the headers.
    let server = serve(|stream, _| {
        let _ = write!(
            stream,
            "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n"
        );
        for _ in 0..50 {
            if stream.write_all(b"1\r\n \r\n").is_err() {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    });
    let started = Instant::now();
    let error = send(&transport_with_timeout(500), &server.url).unwrap_err();
    assert_eq!(error.code, ErrorCode::Timeout, "{error}");
    assert!(started.elapsed() < Duration::from_secs(3));
}

#[test]
fn no_response_at_all_is_a_network_error() {
    // A port nobody listens on: bound, then closed.
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let error = send(
        &ReqwestTransport::new().unwrap(),
        &format!("http://127.0.0.1:{port}"),
    )
    .unwrap_err();
    assert_eq!(error.code, ErrorCode::NetworkError, "{error}");
    assert!(error.cause.is_some());
    assert_no_secret(&error);

    // A connection closed before any answer.
    let server = serve(|stream, _| {
        let _ = stream.shutdown(std::net::Shutdown::Both);
    });
    let error = send(&ReqwestTransport::new().unwrap(), &server.url).unwrap_err();
    assert_eq!(error.code, ErrorCode::NetworkError, "{error}");
    assert_no_secret(&error);
}

#[test]
fn an_unusable_header_value_is_refused_without_echoing_it() {
    let mut request = request("http://127.0.0.1:9");
    request
        .headers
        .push(("authorization".into(), format!("Bearer {SECRET_BEARER}\n")));
    let error = run(ReqwestTransport::new().unwrap().send(request)).unwrap_err();
    assert_eq!(error.code, ErrorCode::InvalidArgument, "{error}");
    assert_no_secret(&error);
}

#[test]
fn the_tokio_sleeper_waits_until_the_given_time() {
    let sleeper = TokioSleeper;
    let now = sleeper.now_ms();
    let system = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64;
    assert!((now - system).abs() < 1000);
    let started = Instant::now();
    run(sleeper.sleep_until(sleeper.now_ms() + 200)).unwrap();
    assert!(started.elapsed() >= Duration::from_millis(190));
    let started = Instant::now();
    run(sleeper.sleep_until(0)).unwrap(); // in the past: at once
    assert!(started.elapsed() < Duration::from_millis(150));
}
