//! Where randomness comes from. The core asks a [`RandomSource`] passed in; the crate's `SystemRandom`
//! (outside the core) supplies the operating system's or the browser's CSPRNG, tests supply a predictable one.

use super::error::Error;

/// Fills buffers with cryptographically secure random bytes.
pub trait RandomSource {
    /// Fills `buf` completely, or fails (never returns predictable bytes).
    fn fill(&mut self, buf: &mut [u8]) -> Result<(), Error>;
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// Predictable bytes for tests: a counter.
    #[derive(Default)]
    pub(crate) struct CountingRandom(u8);

    impl RandomSource for CountingRandom {
        fn fill(&mut self, buf: &mut [u8]) -> Result<(), Error> {
            for b in buf.iter_mut() {
                self.0 = self.0.wrapping_add(1);
                *b = self.0;
            }
            Ok(())
        }
    }
}
