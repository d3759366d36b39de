//! A [`Transport`] over `fetch`: `globalThis.fetch` (never `window`'s, so browsers, workers
//! and Node 18+ work alike) or a JS function given in its place.
//!
//! What the [`Transport`] contract asks, done with Web APIs:
//! - **No redirects**: requests go with `redirect: "manual"`; a 3xx (or a browser's opaque
//!   redirect, status 0) comes back as it is and the core refuses it.
//! - **A time limit on the whole exchange**, headers and body: every step races a deadline that
//!   rejects when the timer fires or the caller's `AbortSignal` aborts, and aborts the request's
//!   own `AbortController` then too, so the call settles on time even if the `fetch` in use
//!   ignores its signal.
//! - **A bounded body**: the body is read as a stream (`response.body.getReader()`), counting
//!   bytes as they arrive; past [`MAX_BODY_BYTES`] the reader is cancelled and the request
//!   fails with the core's too-large error ([`body_too_large`]), whether or not the server sent
//!   `Content-Length` (one above the cap is refused before reading).

use core::cell::Cell;
use std::rc::Rc;

use js_sys::{Array, Function, Object, Promise, Reflect, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortController, AbortSignal, ReadableStreamDefaultReader};

use super::{clear_timeout, set_timeout, timer_ms};
use crate::core::config::DEFAULT_TIMEOUT_MS;
use crate::core::error::{Error, ErrorCode};
use crate::core::http::{body_too_large, HttpRequest, HttpResponse, MAX_BODY_BYTES};
use crate::transport::Transport;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(catch, js_name = fetch)]
    fn global_fetch(input: &str, init: &Object) -> Result<JsValue, JsValue>;
    /// A `Response`'s body stream, as far as reading it goes. (web-sys's
    /// `ReadableStream::get_reader` does not catch, and `getReader` throws on a locked stream.)
    type BodyStream;
    #[wasm_bindgen(catch, method, js_name = getReader)]
    fn get_reader(this: &BodyStream) -> Result<ReadableStreamDefaultReader, JsValue>;
}

/// Response headers the core reads; the others are not copied out of JS.
const WANTED_HEADERS: [&str; 3] = ["x-tt-logid", "retry-after", "content-length"];

/// A [`Transport`] over `fetch`, with a time limit (30 s unless set) and an optional
/// `AbortSignal` of the caller's.
///
/// ```no_run
/// use coze_auth::adapters::FetchTransport;
///
/// let controller = web_sys::AbortController::new().map_err(|_| "no AbortController")?;
/// let transport = FetchTransport::new()
///     .with_timeout_ms(10_000)
///     .with_signal(controller.signal());
/// # Ok::<(), &str>(())
/// ```
#[derive(Clone, Debug)]
pub struct FetchTransport {
    fetch: Option<Function>,
    timeout_ms: u32,
    signal: Option<AbortSignal>,
}

impl Default for FetchTransport {
    fn default() -> Self {
        FetchTransport::new()
    }
}

impl FetchTransport {
    /// `globalThis.fetch`, a 30 s limit per request, no abort signal.
    pub fn new() -> Self {
        FetchTransport {
            fetch: None,
            timeout_ms: DEFAULT_TIMEOUT_MS,
            signal: None,
        }
    }

    /// The same transport with another time limit for each whole request (headers and body),
    /// in milliseconds; kept within 1 ..= 2147483647, what `setTimeout` honours.
    pub fn with_timeout_ms(self, timeout_ms: u32) -> Self {
        FetchTransport {
            timeout_ms: timeout_ms.clamp(1, super::MAX_TIMER_MS),
            ..self
        }
    }

    /// The same transport calling `fetch` instead of `globalThis.fetch`: a JS function taking
    /// `(url, init)` and returning a promise of a `Response` (a wrapper that logs, a test double).
    pub fn with_fetch(self, fetch: Function) -> Self {
        FetchTransport {
            fetch: Some(fetch),
            ..self
        }
    }

    /// The same transport under the caller's `signal`: once it aborts, pending and later
    /// requests fail with [`ErrorCode::Aborted`].
    pub fn with_signal(self, signal: AbortSignal) -> Self {
        FetchTransport {
            signal: Some(signal),
            ..self
        }
    }

    /// The time limit of each request, in milliseconds.
    pub fn timeout_ms(&self) -> u32 {
        self.timeout_ms
    }
}

fn aborted_error() -> Error {
    Error::new(
        ErrorCode::Aborted,
        "The request was aborted by the caller's AbortSignal.",
    )
}

/// `value[key]`, or `undefined` when `value` is not an object or the getter throws.
fn get(value: &JsValue, key: &str) -> JsValue {
    if !value.is_object() && !value.is_function() {
        return JsValue::UNDEFINED;
    }
    Reflect::get(value, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

/// Sets `target[key] = value` (the target is always a fresh object of ours).
fn set(target: &Object, key: &str, value: &JsValue) {
    let _ = Reflect::set(target, &JsValue::from_str(key), value);
}

/// `target.name()`, catching a throw and a missing method.
fn call_method(target: &JsValue, name: &str) -> Result<JsValue, JsValue> {
    let method: Function = get(target, name)
        .dyn_into()
        .map_err(|_| JsValue::from_str("not a Response"))?;
    method.call0(target)
}

/// A JS error as text for [`Error::cause`]: `String(error)`, e.g. `TypeError: fetch failed`,
/// with the error's own `cause` when it has one (Node's fetch puts the socket error there).
fn describe(value: &JsValue) -> String {
    let Some(error) = value.dyn_ref::<js_sys::Error>() else {
        return value
            .as_string()
            .unwrap_or_else(|| "a value that is not an Error".to_owned());
    };
    let mut text = String::from(error.to_string());
    if let Some(inner) = get(value, "cause").dyn_ref::<js_sys::Error>() {
        text.push_str(" (cause: ");
        text.push_str(&String::from(inner.to_string()));
        text.push(')');
    }
    text
}

/// Lets go of a promise whose outcome does not matter (one that settles), marking a rejection
/// as handled (a `JsFuture` attaches both handlers when made, and frees them once the promise
/// settles), so Node does not report it as unhandled.
fn ignore(promise: Promise) {
    drop(JsFuture::from(promise));
}

/// The deadline of one request: a promise that rejects when the time is up or the caller
/// aborts, and the handles to release when the request is over (in `Drop`).
struct Deadline {
    promise: Promise,
    timer: JsValue,
    timed_out: Rc<Cell<bool>>,
    signal: Option<AbortSignal>,
    // Kept alive while the request runs.
    _on_timeout: Closure<dyn FnMut()>,
    on_abort: Closure<dyn FnMut()>,
}

impl Deadline {
    fn start(ms: u32, controller: &AbortController, signal: Option<AbortSignal>) -> Deadline {
        let mut reject_slot: Option<Function> = None;
        let promise = Promise::new(&mut |_resolve, reject| reject_slot = Some(reject));
        let reject = reject_slot.unwrap_or_else(|| Function::new_no_args(""));
        let timed_out = Rc::new(Cell::new(false));

        let on_timeout = {
            let (reject, controller, timed_out) =
                (reject.clone(), controller.clone(), timed_out.clone());
            Closure::<dyn FnMut()>::new(move || {
                timed_out.set(true);
                controller.abort();
                let _ = reject.call1(&JsValue::UNDEFINED, &JsValue::from_str("timeout"));
            })
        };
        let on_abort = {
            let controller = controller.clone();
            Closure::<dyn FnMut()>::new(move || {
                controller.abort();
                let _ = reject.call1(&JsValue::UNDEFINED, &JsValue::from_str("aborted"));
            })
        };
        let timer = set_timeout(on_timeout.as_ref().unchecked_ref(), timer_ms(ms));
        if let Some(s) = &signal {
            let _ = s.add_event_listener_with_callback("abort", on_abort.as_ref().unchecked_ref());
        }
        // No `catch` on `promise`: the first race, right after `fetch` is called (in the same
        // turn), attaches handlers before the timer or an abort event can reject it, and a
        // `JsFuture` kept on a promise that never settles would never be freed.
        Deadline {
            promise,
            timer,
            timed_out,
            signal,
            _on_timeout: on_timeout,
            on_abort,
        }
    }

    /// Awaits `work`, or fails when the deadline passes first.
    async fn race(&self, work: Promise) -> Result<JsValue, JsValue> {
        JsFuture::from(Promise::race(&Array::of2(&work, &self.promise))).await
    }
}

impl Drop for Deadline {
    fn drop(&mut self) {
        clear_timeout(&self.timer);
        if let Some(s) = &self.signal {
            let _ = s.remove_event_listener_with_callback(
                "abort",
                self.on_abort.as_ref().unchecked_ref(),
            );
        }
    }
}

/// Where a request failed: before any response, or while its body was arriving.
#[derive(Clone, Copy)]
enum Phase {
    Headers,
    Body,
}

impl FetchTransport {
    /// The error for a step that failed or lost the race against the deadline.
    fn failure(&self, deadline: &Deadline, phase: Phase, cause: &JsValue) -> Error {
        if self.signal.as_ref().is_some_and(|s| s.aborted()) {
            return aborted_error();
        }
        if deadline.timed_out.get() {
            return Error::new(
                ErrorCode::Timeout,
                format!(
                    "No complete response from Coze within {} ms. Check the network, or raise the transport's timeout.",
                    self.timeout_ms
                ),
            );
        }
        let message = match phase {
            Phase::Headers => "The request to Coze failed before a response arrived (network down, DNS, connection reset, or blocked by CORS). See `cause`.",
            Phase::Body => "The connection to Coze failed while the response body was arriving (connection reset?). See `cause`.",
        };
        Error::new(ErrorCode::NetworkError, message).with_cause(describe(cause))
    }

    async fn exchange(&self, request: HttpRequest) -> Result<HttpResponse, Error> {
        if self.signal.as_ref().is_some_and(|s| s.aborted()) {
            return Err(aborted_error());
        }
        let controller = AbortController::new().map_err(|_| {
            Error::new(
                ErrorCode::NetworkError,
                "AbortController is not available in this runtime.",
            )
        })?;
        let deadline = Deadline::start(self.timeout_ms, &controller, self.signal.clone());

        let headers = Object::new();
        for (name, value) in &request.headers {
            set(&headers, name, &JsValue::from_str(value));
        }
        let init = Object::new();
        set(&init, "method", &JsValue::from_str(request.method));
        set(&init, "headers", &headers);
        set(&init, "body", &JsValue::from_str(&request.body));
        // Token calls never follow redirects: a redirect is answered, not obeyed.
        set(&init, "redirect", &JsValue::from_str("manual"));
        set(&init, "signal", &controller.signal());

        let started = match &self.fetch {
            Some(f) => f.call2(&JsValue::UNDEFINED, &JsValue::from_str(&request.url), &init),
            None => global_fetch(&request.url, &init),
        };
        let response = match started {
            Ok(p) => deadline.race(Promise::resolve(&p)).await,
            Err(e) => Err(e),
        }
        .map_err(|e| self.failure(&deadline, Phase::Headers, &e))?;

        let status = get(&response, "status").as_f64().unwrap_or(-1.0);
        let opaque = get(&response, "type").as_string().as_deref() == Some("opaqueredirect");
        let status = if opaque {
            0
        } else if (0.0..=999.0).contains(&status) {
            status as u16
        } else {
            return Err(Error::invalid_response(
                "fetch returned something that is not a Response.",
            ));
        };
        let headers = read_headers(&response);
        let mut answer = HttpResponse {
            status,
            headers,
            body: Vec::new(),
        };
        let too_large = |answer: &HttpResponse| body_too_large(answer.status, answer.log_id());
        let declared_len = answer
            .headers
            .iter()
            .find(|(k, _)| k == "content-length")
            .and_then(|(_, v)| v.trim().parse::<u64>().ok());
        if declared_len.is_some_and(|n| n > MAX_BODY_BYTES as u64) {
            controller.abort();
            return Err(too_large(&answer));
        }
        let body = get(&response, "body");
        let read = if body.is_object() {
            self.read_stream(&deadline, body.unchecked_ref(), &mut answer.body)
                .await
        } else {
            // No stream: a bodiless answer (null body), or a stand-in `Response` of the caller's
            // fetch that only has arrayBuffer(); its size is checked once it is in.
            self.read_whole(&deadline, &response, &mut answer.body)
                .await
        };
        match read {
            Ok(()) => Ok(answer),
            Err(ReadError::TooLarge) => {
                controller.abort();
                Err(too_large(&answer))
            }
            Err(ReadError::Failed(e)) => {
                controller.abort();
                Err(e.with_response(answer.status, answer.log_id()))
            }
        }
    }

    /// Reads the body stream into `out`, chunk by chunk, each read racing the deadline. Past
    /// [`MAX_BODY_BYTES`], or on any failure, the reader is cancelled.
    async fn read_stream(
        &self,
        deadline: &Deadline,
        stream: &BodyStream,
        out: &mut Vec<u8>,
    ) -> Result<(), ReadError> {
        let reader = stream
            .get_reader()
            .map_err(|e| ReadError::Failed(self.failure(deadline, Phase::Body, &e)))?;
        loop {
            let chunk = match deadline.race(reader.read()).await {
                Ok(chunk) => chunk,
                Err(e) => {
                    ignore(reader.cancel());
                    return Err(ReadError::Failed(self.failure(deadline, Phase::Body, &e)));
                }
            };
            if get(&chunk, "done").as_bool() == Some(true) {
                return Ok(());
            }
            let Some(bytes) = get(&chunk, "value").dyn_into::<Uint8Array>().ok() else {
                ignore(reader.cancel());
                return Err(ReadError::Failed(Error::invalid_response(
                    "The response body stream gave something other than bytes.",
                )));
            };
            let len = bytes.length() as usize;
            if out.len().saturating_add(len) > MAX_BODY_BYTES {
                ignore(reader.cancel());
                return Err(ReadError::TooLarge);
            }
            let start = out.len();
            out.resize(start + len, 0);
            if let Some(dest) = out.get_mut(start..) {
                bytes.copy_to(dest);
            }
        }
    }

    /// Reads a body that is not a stream with `arrayBuffer()`, racing the deadline.
    async fn read_whole(
        &self,
        deadline: &Deadline,
        response: &JsValue,
        out: &mut Vec<u8>,
    ) -> Result<(), ReadError> {
        let buffer = match call_method(response, "arrayBuffer") {
            Ok(p) => deadline.race(Promise::resolve(&p)).await,
            Err(e) => Err(e),
        }
        .map_err(|e| ReadError::Failed(self.failure(deadline, Phase::Body, &e)))?;
        let bytes = Uint8Array::new(&buffer);
        if bytes.length() as usize > MAX_BODY_BYTES {
            return Err(ReadError::TooLarge);
        }
        *out = bytes.to_vec();
        Ok(())
    }
}

/// Why reading a body stopped.
enum ReadError {
    /// Past [`MAX_BODY_BYTES`].
    TooLarge,
    /// Timeout, abort, a broken connection or a stream that is not one.
    Failed(Error),
}

/// The [`WANTED_HEADERS`] the response has, read through `headers.get` (catching throws).
fn read_headers(response: &JsValue) -> Vec<(String, String)> {
    let js_headers = get(response, "headers");
    let mut headers = Vec::new();
    if let Ok(getter) = get(&js_headers, "get").dyn_into::<Function>() {
        for name in WANTED_HEADERS {
            if let Ok(Some(value)) = getter
                .call1(&js_headers, &JsValue::from_str(name))
                .map(|v| v.as_string())
            {
                headers.push((name.to_owned(), value));
            }
        }
    }
    headers
}

impl Transport for FetchTransport {
    fn send(
        &self,
        request: HttpRequest,
    ) -> impl core::future::Future<Output = Result<HttpResponse, Error>> {
        self.exchange(request)
    }
}
