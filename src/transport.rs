//! The plug-in point for HTTP: the core builds an [`HttpRequest`], a [`Transport`] sends it.
//!
//! On wasm32 the crate ships `coze_auth::adapters::FetchTransport` (the `fetch` of
//! `globalThis`, or the caller's) and `coze_auth::adapters::TimeoutSleeper` (feature `fetch`).
//! Native Rust users implement [`Transport`] over the HTTP client of their choice.

use core::future::Future;

use crate::core::error::Error;
use crate::core::http::{HttpRequest, HttpResponse};

/// Sends one request and returns the response, whatever its status.
///
/// A transport must:
/// - not follow redirects (return the 3xx as it is);
/// - enforce a time limit on the whole exchange, headers and body, and fail with
///   [`crate::ErrorCode::Timeout`];
/// - map a cancelled request to [`crate::ErrorCode::Aborted`] and a failure without a
///   response to [`crate::ErrorCode::NetworkError`];
/// - never put the request's body or `authorization` header in an error.
pub trait Transport {
    /// Sends `request`.
    fn send(&self, request: HttpRequest) -> impl Future<Output = Result<HttpResponse, Error>>;
}

impl<T: Transport> Transport for &T {
    fn send(&self, request: HttpRequest) -> impl Future<Output = Result<HttpResponse, Error>> {
        (**self).send(request)
    }
}

/// The clock and timer of the device flow's polling loop
/// ([`crate::DeviceOAuthApp::poll_token`]): a runtime's timer in an app, a virtual clock in
/// tests, so the polling policy is tested without sleeping.
///
/// A sleeper must resolve `sleep_until` at or after `unix_ms` (at once when it is past) and
/// report cancellation as an [`crate::ErrorCode::Aborted`] error, which ends the polling.
pub trait Sleeper {
    /// Now, in Unix milliseconds.
    fn now_ms(&self) -> i64;
    /// Resolves once [`Sleeper::now_ms`] has reached `unix_ms`; `Err` ends the polling with it.
    fn sleep_until(&self, unix_ms: i64) -> impl Future<Output = Result<(), Error>>;
}

impl<S: Sleeper> Sleeper for &S {
    fn now_ms(&self) -> i64 {
        (**self).now_ms()
    }
    fn sleep_until(&self, unix_ms: i64) -> impl Future<Output = Result<(), Error>> {
        (**self).sleep_until(unix_ms)
    }
}
