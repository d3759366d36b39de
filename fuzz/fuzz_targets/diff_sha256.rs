//! Differential: the hand-written SHA-256 (`core::sha256`, the PKCE S256 challenge) against the
//! `sha2` crate. Every input must give the same digest.
#![no_main]
use coze_auth::__fuzz::sha256;
use libfuzzer_sys::fuzz_target;
use sha2::{Digest, Sha256};

fuzz_target!(|data: &[u8]| {
    let ours = sha256(data);
    let theirs: [u8; 32] = Sha256::digest(data).into();
    assert_eq!(ours, theirs, "SHA-256 of {} bytes differs", data.len());
});
