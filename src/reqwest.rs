//! A ready native HTTP client for the flows (feature `reqwest`, not on wasm32):
//! [`ReqwestTransport`], a [`Transport`] over an async `reqwest` client, and
//! [`TokioSleeper`], the [`Sleeper`] of the device flow's polling on tokio's timer.
//!
//! Both run inside a tokio runtime with its I/O and time drivers enabled (`enable_all()` on
//! the runtime builder, or `#[tokio::main]`); reqwest needs one in any case.
//!
//! The transport keeps the promises the [`Transport`] trait asks for:
//! - **redirects are never followed**: a 3xx comes back as it is, and the core refuses it;
//! - **one time limit covers the whole exchange** (connecting, sending, the headers and the
//!   last byte of the body): 30 s unless [`ReqwestTransportBuilder::timeout`] says otherwise,
//!   ending in [`ErrorCode::Timeout`];
//! - **the body is capped** at [`MAX_BODY_BYTES`] (1 MiB), counted while the chunks arrive
//!   (nothing is decompressed: no gzip, brotli or deflate feature is on), and refused with
//!   [`ErrorCode::InvalidResponse`] as soon as it is passed, whatever `Content-Length` says;
//! - no response at all (DNS, refused, reset, TLS) is [`ErrorCode::NetworkError`], which the
//!   device poller retries with back-off;
//! - an error never holds the request body or the `authorization` header (reqwest's errors
//!   carry neither; their text is kept as the error's `cause`).
//!
//! TLS is rustls with Mozilla's root certificates (`webpki-roots`): no OpenSSL, no native-tls.
//! HTTP/1.1 only. Proxies come from the `HTTPS_PROXY`, `HTTP_PROXY` and `NO_PROXY` environment
//! variables, as reqwest reads them by default. The transport builds its own client so that
//! these settings hold; it keeps no idle connection between requests (see [`ReqwestTransport`]).
//!
//! ```no_run
//! use coze_auth::reqwest::{ReqwestTransport, TokioSleeper};
//! use coze_auth::{DeviceOAuthApp, DeviceOAuthAppOptions, SystemClock};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
//! let token = runtime.block_on(async {
//!     let transport = ReqwestTransport::new()?; // 30 s per exchange
//!     let app = DeviceOAuthApp::new(DeviceOAuthAppOptions {
//!         client_id: "my-device-client-id".into(),
//!         base_url: None, // https://api.coze.cn
//!     })?;
//!     let code = app.get_device_code(&transport, &SystemClock, None).await?;
//!     eprintln!("Open {} and enter {}", code.verification_uri, code.user_code);
//!     app.poll_token(&transport, &TokioSleeper, &code, |_| {}).await
//! })?;
//! println!("{}", token.to_json());
//! # Ok(()) }
//! ```

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::core::error::{Error, ErrorCode};
use crate::core::http::{body_too_large, HttpRequest, HttpResponse, MAX_BODY_BYTES};
use crate::transport::{Sleeper, Transport};

/// The default time limit of one exchange: 30 s, as in the npm package.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

/// Settings of a [`ReqwestTransport`]; [`ReqwestTransport::builder`] makes one.
///
/// Only the time limit can be changed: the redirect policy, the body cap and TLS are what make
/// the transport correct, so they are not options (and a caller's own `reqwest::Client` is not
/// accepted, since it might follow redirects).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReqwestTransportBuilder {
    timeout: Duration,
}

impl Default for ReqwestTransportBuilder {
    fn default() -> Self {
        ReqwestTransportBuilder {
            timeout: DEFAULT_TIMEOUT,
        }
    }
}

impl ReqwestTransportBuilder {
    /// The time limit of each exchange, from connecting to the body's last byte; default
    /// [`DEFAULT_TIMEOUT`]. It must be more than zero.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Builds the transport. `invalid_argument` for a zero timeout, `network_error` if reqwest
    /// cannot set up its client (its TLS configuration).
    pub fn build(self) -> Result<ReqwestTransport, Error> {
        if self.timeout.is_zero() {
            return Err(Error::invalid_argument(
                "The transport's timeout must be more than zero.",
            ));
        }
        let client = ::reqwest::Client::builder()
            .redirect(::reqwest::redirect::Policy::none())
            .timeout(self.timeout)
            .pool_max_idle_per_host(0)
            .build()
            .map_err(|e| {
                Error::new(
                    ErrorCode::NetworkError,
                    "The HTTP client could not be set up (TLS configuration).",
                )
                .with_cause(error_chain(&e))
            })?;
        Ok(ReqwestTransport {
            client,
            timeout: self.timeout,
        })
    }
}

/// A [`Transport`] over an async `reqwest::Client` that it builds and configures itself (see
/// the [module documentation](self) for what it guarantees). Cloning is cheap and shares the
/// client.
///
/// It keeps no idle connection between requests: the calls are rare (a token now and then, a
/// device poll every 5 s or more), servers close idle connections on their own schedule, and
/// a `POST` sent on a connection the server has just closed fails without a retry, which the
/// device poller would take for a network failure and back off for.
#[derive(Clone)]
pub struct ReqwestTransport {
    client: ::reqwest::Client,
    timeout: Duration,
}

impl core::fmt::Debug for ReqwestTransport {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("ReqwestTransport")
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

impl ReqwestTransport {
    /// A transport with the defaults (a 30 s limit per exchange).
    pub fn new() -> Result<Self, Error> {
        Self::builder().build()
    }

    /// Settings to change before [`ReqwestTransportBuilder::build`].
    pub fn builder() -> ReqwestTransportBuilder {
        ReqwestTransportBuilder::default()
    }

    /// The time limit of each exchange.
    pub fn timeout(&self) -> Duration {
        self.timeout
    }

    fn timeout_error(&self) -> Error {
        Error::new(
            ErrorCode::Timeout,
            format!(
                "No complete response from Coze within {} ms. Check the network, or allow more time.",
                self.timeout.as_millis()
            ),
        )
    }

    /// Sends `request` and reads the answer, without the time limit.
    async fn exchange(&self, request: HttpRequest) -> Result<HttpResponse, Error> {
        let method = ::reqwest::Method::from_bytes(request.method.as_bytes())
            .map_err(|_| Error::invalid_argument("The request's HTTP method is not valid."))?;
        let mut builder = self.client.request(method, request.url.as_str());
        for (name, value) in &request.headers {
            builder = builder.header(name.as_str(), value.as_str());
        }
        let mut response = builder
            .body(request.body)
            .send()
            .await
            .map_err(|e| self.map_error(&e))?;

        let status = response.status().as_u16();
        let headers: Vec<(String, String)> = response
            .headers()
            .iter()
            .filter_map(|(name, value)| Some((name.to_string(), value.to_str().ok()?.to_owned())))
            .collect();
        let too_large = |headers: Vec<(String, String)>| {
            let log_id = HttpResponse {
                status,
                headers,
                body: Vec::new(),
            }
            .log_id();
            body_too_large(status, log_id)
        };
        // A declared length over the cap is refused before reading; an undeclared or false
        // one is caught by counting.
        if response
            .content_length()
            .is_some_and(|n| n > MAX_BODY_BYTES as u64)
        {
            return Err(too_large(headers));
        }
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(|e| self.map_error(&e))? {
            if body.len().saturating_add(chunk.len()) > MAX_BODY_BYTES {
                return Err(too_large(headers));
            }
            body.extend_from_slice(&chunk);
        }
        Ok(HttpResponse {
            status,
            headers,
            body,
        })
    }

    /// reqwest's failures in the crate's error model. A reqwest error holds the URL (no secret:
    /// every secret travels in the body or the `authorization` header) and never the body or
    /// the headers.
    fn map_error(&self, error: &::reqwest::Error) -> Error {
        if error.is_timeout() {
            return self.timeout_error();
        }
        if error.is_builder() {
            return Error::invalid_argument(
                "The request could not be built (an unusable URL or header value).",
            )
            .with_cause(error_chain(error));
        }
        let message = if error.is_body() || error.is_decode() {
            "The connection to Coze broke while the response was being read."
        } else {
            "The request to Coze failed before a response arrived (network down, DNS, TLS, connection refused or reset)."
        };
        Error::new(ErrorCode::NetworkError, message).with_cause(error_chain(error))
    }
}

impl Transport for ReqwestTransport {
    /// Sends `request` with the time limit over the whole exchange.
    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, Error> {
        match tokio::time::timeout(self.timeout, self.exchange(request)).await {
            Ok(result) => result,
            Err(_elapsed) => Err(self.timeout_error()),
        }
    }
}

/// An error and its sources, one line.
fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

/// The [`Sleeper`] of [`crate::DeviceOAuthApp::poll_token`] on tokio: the system clock, and
/// `tokio::time::sleep` (which needs a runtime with the time driver enabled). It never fails;
/// to stop a polling early, drop its future (for example with `tokio::time::timeout` or
/// `tokio::select!` on Ctrl-C).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TokioSleeper;

impl Sleeper for TokioSleeper {
    fn now_ms(&self) -> i64 {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
    }

    async fn sleep_until(&self, unix_ms: i64) -> Result<(), Error> {
        if let Ok(wait_ms) = u64::try_from(unix_ms.saturating_sub(self.now_ms())) {
            if wait_ms > 0 {
                tokio::time::sleep(Duration::from_millis(wait_ms)).await;
            }
        }
        Ok(())
    }
}
