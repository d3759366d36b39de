//! The [`Transport`] over `fetch`: `globalThis.fetch` (never `window`, so Node 18+, workers and
//! browsers work) or the caller's `fetch` option.
//!
//! Every request runs under a deadline that settles it on time even if the fetch
//! implementation ignores `AbortSignal`: the work races a promise that rejects when the timer
//! fires or the caller's signal aborts, and the request's own controller is aborted then too.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use js_sys::{Array, Function, Object, Promise, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

use super::js::{get, set};
use crate::core::config::DEFAULT_TIMEOUT_MS;
use crate::core::error::{Error, ErrorCode};
use crate::core::http::{body_too_large, HttpRequest, HttpResponse, MAX_BODY_BYTES};
use crate::transport::Transport;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(catch, js_name = fetch)]
    fn global_fetch(input: &str, init: &Object) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(js_name = setTimeout)]
    fn set_timeout(handler: &Function, ms: i32) -> JsValue;
    #[wasm_bindgen(js_name = clearTimeout)]
    fn clear_timeout(id: &JsValue);
}

/// Response headers the core reads; the rest are not copied out of JS.
const WANTED_HEADERS: [&str; 3] = ["x-tt-logid", "retry-after", "content-length"];

/// How requests are sent: which fetch, how long to wait, and the caller's abort signal.
#[derive(Clone, Default)]
pub struct FetchTransport {
    fetch: Option<Function>,
    timeout_ms: Option<u32>,
    signal: Option<web_sys::AbortSignal>,
    /// The JS error behind the last failure, for `CozeAuthError.cause`.
    last_cause: Rc<RefCell<Option<JsValue>>>,
}

impl FetchTransport {
    /// `fetch`: the caller's function, or `None` for `globalThis.fetch`. `timeout_ms`: `None`
    /// for the 30 s default.
    pub fn new(
        fetch: Option<Function>,
        timeout_ms: Option<u32>,
        signal: Option<web_sys::AbortSignal>,
    ) -> Self {
        FetchTransport {
            fetch,
            timeout_ms,
            signal,
            last_cause: Rc::default(),
        }
    }

    /// The same transport with another abort signal.
    pub fn with_signal(&self, signal: Option<web_sys::AbortSignal>) -> Self {
        FetchTransport {
            signal,
            last_cause: Rc::default(),
            ..self.clone()
        }
    }

    /// Takes the JS error behind the last failure.
    pub fn take_cause(&self) -> Option<JsValue> {
        self.last_cause.borrow_mut().take()
    }

    fn timeout(&self) -> u32 {
        self.timeout_ms.unwrap_or(DEFAULT_TIMEOUT_MS)
    }
}

fn aborted_error() -> Error {
    Error::new(
        ErrorCode::Aborted,
        "The request was aborted by the caller's AbortSignal.",
    )
}

/// The deadline: a promise that rejects when the time is up or the caller aborts, and the
/// handles that must be released when the request is over.
struct Deadline {
    promise: Promise,
    timer: JsValue,
    timed_out: Rc<Cell<bool>>,
    signal: Option<web_sys::AbortSignal>,
    // Kept alive until the request is over; released (timer cleared, listener removed) in Drop.
    on_timeout: Closure<dyn FnMut()>,
    on_abort: Closure<dyn FnMut()>,
}

impl Deadline {
    fn start(
        ms: u32,
        controller: &web_sys::AbortController,
        signal: Option<web_sys::AbortSignal>,
    ) -> Deadline {
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
        let timer = set_timeout(on_timeout.as_ref().unchecked_ref(), ms as i32);
        if let Some(s) = &signal {
            let _ = s.add_event_listener_with_callback("abort", on_abort.as_ref().unchecked_ref());
        }
        Deadline {
            promise,
            timer,
            timed_out,
            signal,
            on_timeout,
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
        let _ = &self.on_timeout;
    }
}

fn call_method(target: &JsValue, name: &str) -> Result<JsValue, JsValue> {
    let method: Function = get(target, name)
        .dyn_into()
        .map_err(|_| JsValue::from_str("not a Response"))?;
    method.call0(target)
}

impl FetchTransport {
    fn failure(&self, deadline: &Deadline, cause: JsValue) -> Error {
        if self.signal.as_ref().is_some_and(|s| s.aborted()) {
            return aborted_error();
        }
        if deadline.timed_out.get() {
            return Error::new(
                ErrorCode::Timeout,
                format!("No complete response from Coze within {} ms. Check the network, or raise timeoutMs.", self.timeout()),
            );
        }
        *self.last_cause.borrow_mut() = Some(cause);
        Error::new(
            ErrorCode::NetworkError,
            "The request to Coze failed before a response arrived (network down, DNS, connection reset, or blocked by CORS). See `cause`.",
        )
    }

    async fn exchange(&self, request: HttpRequest) -> Result<HttpResponse, Error> {
        if self.signal.as_ref().is_some_and(|s| s.aborted()) {
            return Err(aborted_error());
        }
        let controller = web_sys::AbortController::new().map_err(|_| {
            Error::new(
                ErrorCode::NetworkError,
                "AbortController is not available in this runtime.",
            )
        })?;
        let deadline = Deadline::start(self.timeout(), &controller, self.signal.clone());

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
        .map_err(|e| self.failure(&deadline, e))?;

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
        let js_headers = get(&response, "headers");
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
        let declared_len = headers
            .iter()
            .find(|(k, _)| k == "content-length")
            .and_then(|(_, v)| v.trim().parse::<usize>().ok());
        if declared_len.is_some_and(|n| n > MAX_BODY_BYTES) {
            controller.abort();
            let log_id = HttpResponse {
                status,
                headers,
                body: Vec::new(),
            }
            .log_id();
            return Err(body_too_large(status, log_id));
        }
        let body = match call_method(&response, "arrayBuffer") {
            Ok(p) => deadline.race(Promise::resolve(&p)).await,
            Err(e) => Err(e),
        }
        .map_err(|e| self.failure(&deadline, e))?;
        let body = Uint8Array::new(&body).to_vec();
        Ok(HttpResponse {
            status,
            headers,
            body,
        })
    }
}

impl Transport for FetchTransport {
    fn send(
        &self,
        request: HttpRequest,
    ) -> impl core::future::Future<Output = Result<HttpResponse, Error>> {
        self.exchange(request)
    }
}
