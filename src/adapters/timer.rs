//! A [`Sleeper`] over the host's clock and timers (`Date.now()`, `setTimeout`), for the device
//! flow's polling ([`DeviceOAuthApp::poll_token`](crate::DeviceOAuthApp::poll_token)).

use js_sys::{Function, Promise};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::AbortSignal;

use super::{clear_timeout, set_timeout, timer_ms, MAX_TIMER_MS};
use crate::core::error::{Error, ErrorCode};
use crate::transport::Sleeper;

/// The wall clock (`Date.now()`) and `setTimeout`, optionally under the caller's `AbortSignal`:
/// once it aborts, a wait in progress and later ones fail with [`ErrorCode::Aborted`], which
/// ends the polling.
///
/// ```no_run
/// # async fn poll(app: coze_auth::DeviceOAuthApp, code: coze_auth::DeviceCode) -> Result<(), coze_auth::Error> {
/// use coze_auth::adapters::{FetchTransport, TimeoutSleeper};
///
/// let token = app
///     .poll_token(&FetchTransport::new(), &TimeoutSleeper::new(), &code, |_pending| {})
///     .await?;
/// # let _ = token; Ok(()) }
/// ```
#[derive(Clone, Debug, Default)]
pub struct TimeoutSleeper {
    signal: Option<AbortSignal>,
}

fn aborted_error() -> Error {
    Error::new(
        ErrorCode::Aborted,
        "The wait was aborted by the caller's AbortSignal.",
    )
}

impl TimeoutSleeper {
    /// A sleeper that only stops when its future is dropped.
    pub fn new() -> Self {
        TimeoutSleeper { signal: None }
    }

    /// The same sleeper under `signal`.
    pub fn with_signal(self, signal: AbortSignal) -> Self {
        TimeoutSleeper {
            signal: Some(signal),
        }
    }

    fn aborted(&self) -> bool {
        self.signal.as_ref().is_some_and(|s| s.aborted())
    }

    async fn sleep(&self, unix_ms: i64) -> Result<(), Error> {
        loop {
            if self.aborted() {
                return Err(aborted_error());
            }
            let left = unix_ms.saturating_sub(self.now_ms());
            if left <= 0 {
                return Ok(());
            }
            // setTimeout waits at most ~24.8 days at once: longer waits take several.
            let ms = u32::try_from(left).unwrap_or(MAX_TIMER_MS);
            Wait::start(ms, self.signal.clone())
                .finish()
                .await
                .map_err(|_| aborted_error())?;
        }
    }
}

/// One `setTimeout`, raced by the signal's `abort` event; both are released when it is dropped
/// (the future finished, or was dropped).
struct Wait {
    promise: Promise,
    timer: JsValue,
    signal: Option<AbortSignal>,
    reject: Option<Function>,
}

impl Wait {
    fn start(ms: u32, signal: Option<AbortSignal>) -> Wait {
        let mut slots: Option<(Function, Function)> = None;
        let promise = Promise::new(&mut |resolve, reject| slots = Some((resolve, reject)));
        let (timer, reject) = match slots {
            Some((resolve, reject)) => {
                let timer = set_timeout(&resolve, timer_ms(ms));
                if let Some(s) = &signal {
                    let _ = s.add_event_listener_with_callback("abort", &reject);
                }
                (timer, Some(reject))
            }
            // The executor runs synchronously, so this does not happen; resolve at once.
            None => (JsValue::UNDEFINED, None),
        };
        let promise = if reject.is_some() {
            promise
        } else {
            Promise::resolve(&JsValue::UNDEFINED)
        };
        Wait {
            promise,
            timer,
            signal,
            reject,
        }
    }

    async fn finish(self) -> Result<JsValue, JsValue> {
        JsFuture::from(self.promise.clone()).await
    }
}

impl Drop for Wait {
    fn drop(&mut self) {
        clear_timeout(&self.timer);
        if let (Some(s), Some(reject)) = (&self.signal, &self.reject) {
            let _ = s.remove_event_listener_with_callback("abort", reject);
        }
    }
}

impl Sleeper for TimeoutSleeper {
    /// `Date.now()`.
    fn now_ms(&self) -> i64 {
        js_sys::Date::now() as i64
    }

    fn sleep_until(&self, unix_ms: i64) -> impl core::future::Future<Output = Result<(), Error>> {
        self.sleep(unix_ms)
    }
}
