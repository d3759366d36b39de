//! Device code login from a terminal, with `ureq` plugged into coze-auth's [`Transport`].
//!
//! ```sh
//! cargo run --example device_login -- --client-id YOUR_DEVICE_APP_CLIENT_ID [--base-url https://api.coze.com] [--workspace-id W] [--timeout-ms 30000]
//! ```
//!
//! It prints where to go and the user code on stderr, polls until the user decides (by the
//! crate's polling policy: the server's interval, `slow_down`, expiry, retries), then prints the
//! token as JSON on stdout. Errors are one line on stderr and exit status 1 (usage: 2).
//!
//! The library depends on no HTTP client: this file is all it takes to use one. Any client
//! works if it sends the request as it is, does not follow redirects, and honours a time limit.

use std::process::ExitCode;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use coze_auth::core::http::{body_too_large, MAX_BODY_BYTES};
use coze_auth::{
    DeviceOAuthApp, DeviceOAuthAppOptions, DevicePending, Error, ErrorCode, HttpRequest,
    HttpResponse, OAuthToken, Sleeper, Transport, COZE_CN_BASE_URL,
};

/// A [`Transport`] over a blocking `ureq` agent. Blocking is fine here: the example runs one
/// flow on one thread under `block_on`. In an async server, use an async client (or run this
/// on a blocking thread pool).
struct UreqTransport {
    agent: ureq::Agent,
}

impl UreqTransport {
    /// An agent that answers redirects and error statuses as responses (the core reads them)
    /// and gives up on any exchange, body included, after `timeout`.
    ///
    /// It keeps no idle connections: polls come 5 s or more apart, servers close idle
    /// connections on their own schedule (Node after 5 s), and a POST sent on a connection the
    /// server has just closed fails without a retry (POST is not idempotent), which the
    /// polling would then treat as a network failure and back off for.
    fn new(timeout: Duration) -> Self {
        let agent = ureq::Agent::config_builder()
            .max_redirects(0)
            .max_idle_connections(0)
            .http_status_as_error(false)
            .timeout_global(Some(timeout))
            .build()
            .new_agent();
        UreqTransport { agent }
    }
}

/// ureq's failures in the crate's error model. Neither the request's body nor its
/// `authorization` header is in a ureq error, so the text is safe to keep as the cause.
fn transport_error(error: ureq::Error) -> Error {
    let timed_out = match &error {
        ureq::Error::Timeout(_) => true,
        ureq::Error::Io(io) => io.kind() == std::io::ErrorKind::TimedOut,
        _ => false,
    };
    if timed_out {
        return Error::new(
            ErrorCode::Timeout,
            "No complete response from Coze in time. Check the network, or raise --timeout-ms.",
        );
    }
    Error::new(
        ErrorCode::NetworkError,
        "The request to Coze failed before a response arrived (network down, DNS, TLS, connection reset).",
    )
    .with_cause(error.to_string())
}

impl Transport for UreqTransport {
    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, Error> {
        let mut builder = ureq::http::Request::builder()
            .method(request.method)
            .uri(&request.url);
        for (name, value) in &request.headers {
            builder = builder.header(name, value);
        }
        let http_request = builder
            .body(request.body)
            .map_err(|e| Error::invalid_argument(format!("unusable request URL: {e}")))?;
        let mut response = self.agent.run(http_request).map_err(transport_error)?;

        let status = response.status().as_u16();
        let headers: Vec<(String, String)> = response
            .headers()
            .iter()
            .filter_map(|(name, value)| Some((name.to_string(), value.to_str().ok()?.to_owned())))
            .collect();
        let body = response
            .body_mut()
            .with_config()
            .limit(MAX_BODY_BYTES as u64)
            .read_to_vec();
        let body = match body {
            Ok(body) => body,
            Err(ureq::Error::BodyExceedsLimit(_)) => {
                let log_id = HttpResponse {
                    status,
                    headers,
                    body: Vec::new(),
                }
                .log_id();
                return Err(body_too_large(status, log_id));
            }
            Err(e) => return Err(transport_error(e)),
        };
        Ok(HttpResponse {
            status,
            headers,
            body,
        })
    }
}

/// The wall clock, and sleeps that block the thread (the flow is all this thread does).
struct ThreadSleeper;

impl Sleeper for ThreadSleeper {
    fn now_ms(&self) -> i64 {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
    }

    async fn sleep_until(&self, unix_ms: i64) -> Result<(), Error> {
        let wait = unix_ms.saturating_sub(self.now_ms());
        if let Ok(ms) = u64::try_from(wait) {
            std::thread::sleep(Duration::from_millis(ms));
        }
        Ok(())
    }
}

struct Options {
    client_id: String,
    base_url: String,
    workspace_id: Option<String>,
    timeout: Duration,
}

const USAGE: &str = "usage: device_login --client-id ID [--base-url URL] [--workspace-id W] [--timeout-ms N]\n       (the client id may also come from COZE_DEVICE_OAUTH_CLIENT_ID, the base URL from COZE_API_BASE)";

fn parse_args() -> Result<Options, String> {
    let env = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
    let mut client_id = env("COZE_DEVICE_OAUTH_CLIENT_ID");
    let mut base_url = env("COZE_API_BASE").unwrap_or_else(|| COZE_CN_BASE_URL.to_owned());
    let mut workspace_id = None;
    let mut timeout_ms: u64 = 30_000;
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let mut value = || args.next().ok_or(format!("{flag} needs a value"));
        match flag.as_str() {
            "--client-id" => client_id = Some(value()?),
            "--base-url" => base_url = value()?,
            "--workspace-id" => workspace_id = Some(value()?),
            "--timeout-ms" => {
                timeout_ms = value()?
                    .parse()
                    .map_err(|_| "--timeout-ms must be a whole number".to_owned())?;
            }
            "-h" | "--help" => return Err(String::new()),
            other => return Err(format!("unknown argument: {other}")),
        }
    }
    Ok(Options {
        client_id: client_id.ok_or("--client-id is required")?,
        base_url,
        workspace_id,
        timeout: Duration::from_millis(timeout_ms),
    })
}

async fn login(options: &Options) -> Result<OAuthToken, Error> {
    let app = DeviceOAuthApp::new(DeviceOAuthAppOptions {
        client_id: options.client_id.clone(),
        base_url: Some(options.base_url.clone()),
    })?;
    let transport = UreqTransport::new(options.timeout);
    let device_code = app
        .get_device_code(&transport, options.workspace_id.as_deref())
        .await?;
    eprintln!(
        "Open {} and enter the code {} (or open {}).",
        device_code.verification_uri, device_code.user_code, device_code.verification_url
    );
    let on_pending = |pending: &DevicePending| {
        let why = if pending.slow_down {
            "asked to slow down"
        } else {
            "waiting for you"
        };
        eprintln!(
            "poll {}: {why}; next in {} s",
            pending.attempt, pending.interval
        );
    };
    app.poll_token(&transport, &ThreadSleeper, &device_code, on_pending)
        .await
}

fn main() -> ExitCode {
    let options = match parse_args() {
        Ok(options) => options,
        Err(problem) if problem.is_empty() => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(problem) => {
            eprintln!("{problem}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    match futures_executor::block_on(login(&options)) {
        Ok(token) => {
            println!("{}", token.to_json());
            ExitCode::SUCCESS
        }
        Err(error) => {
            // The code says what kind of failure it is; the message never holds a secret.
            eprintln!("login failed [{}]: {error}", error.code);
            ExitCode::FAILURE
        }
    }
}
