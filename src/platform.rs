//! The two things the core needs from the platform, and is handed rather than reads: a CSPRNG
//! ([`SystemRandom`], a [`RandomSource`]) and the clock ([`SystemClock`], a [`Clock`]).
//! Native: the operating system. wasm32: `globalThis.crypto.getRandomValues` and `Date.now()`
//! (`std::time::SystemTime` panics on wasm32-unknown-unknown). The core never names this module.

use crate::core::clock::Clock;
use crate::core::error::Error;
#[cfg(not(target_arch = "wasm32"))]
use crate::core::error::ErrorCode;
use crate::core::random::RandomSource;

/// The platform's cryptographically secure random number generator.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemRandom;

#[cfg(not(target_arch = "wasm32"))]
impl RandomSource for SystemRandom {
    fn fill(&mut self, buf: &mut [u8]) -> Result<(), Error> {
        getrandom::getrandom(buf).map_err(|e| {
            Error::new(
                ErrorCode::InvalidArgument,
                "The operating system's random number generator failed.",
            )
            .with_cause(std::string::ToString::to_string(&e))
        })
    }
}

#[cfg(target_arch = "wasm32")]
mod js {
    use wasm_bindgen::prelude::*;

    #[wasm_bindgen]
    extern "C" {
        // `crypto` of globalThis: browsers, workers, Node 19+.
        #[wasm_bindgen(catch, js_namespace = crypto, js_name = getRandomValues)]
        pub fn get_random_values(buf: &mut [u8]) -> Result<JsValue, JsValue>;
        #[wasm_bindgen(js_namespace = Date, js_name = now)]
        pub fn date_now() -> f64;
    }
}

#[cfg(target_arch = "wasm32")]
impl RandomSource for SystemRandom {
    /// `globalThis.crypto.getRandomValues`, at most 65536 bytes per call.
    fn fill(&mut self, buf: &mut [u8]) -> Result<(), Error> {
        for chunk in buf.chunks_mut(65536) {
            js::get_random_values(chunk).map_err(|_| {
                Error::new(
                    crate::core::error::ErrorCode::InvalidArgument,
                    "globalThis.crypto.getRandomValues is not available: coze-auth needs a secure random source (browsers, Node 20+).",
                )
            })?;
        }
        Ok(())
    }
}

/// The platform's clock: the operating system's natively, `Date.now()` on wasm32.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    /// Now, in Unix seconds.
    #[cfg(not(target_arch = "wasm32"))]
    fn now_unix_seconds(&self) -> i64 {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
            .unwrap_or(0)
    }

    /// Now, in Unix seconds.
    #[cfg(target_arch = "wasm32")]
    fn now_unix_seconds(&self) -> i64 {
        (js::date_now() / 1000.0) as i64
    }
}
