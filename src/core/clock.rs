//! Where the time comes from. The core never reads a clock itself: its synchronous steps take
//! `now` (Unix seconds) as an argument, and its async flows, which read the time after a
//! response arrives, take a [`Clock`]. The crate's `SystemClock` (outside the core) reads the
//! operating system's or the browser's clock; tests pass a fixed or virtual one.

/// The current time, in Unix seconds.
///
/// Any `Fn() -> i64` is a clock, so a test can pass `|| 1_800_000_000`.
pub trait Clock {
    /// Now, in Unix seconds.
    fn now_unix_seconds(&self) -> i64;
}

impl<F: Fn() -> i64> Clock for F {
    fn now_unix_seconds(&self) -> i64 {
        self()
    }
}
