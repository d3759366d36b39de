//! The two things the core needs from the platform: a CSPRNG and the clock.
//! Native: the operating system. wasm32: `globalThis.crypto.getRandomValues` and `Date.now()`
//! (`std::time::SystemTime` panics on wasm32-unknown-unknown).

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
            .with_cause(e.to_string())
        })
    }
}

#[cfg(target_arch = "wasm32")]
impl RandomSource for SystemRandom {
    fn fill(&mut self, buf: &mut [u8]) -> Result<(), Error> {
        crate::wasm::js::fill_random(buf)
    }
}

/// Now, in Unix seconds.
#[cfg(not(target_arch = "wasm32"))]
pub fn now_unix_seconds() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

/// Now, in Unix seconds.
#[cfg(target_arch = "wasm32")]
pub fn now_unix_seconds() -> i64 {
    (js_sys::Date::now() / 1000.0) as i64
}
