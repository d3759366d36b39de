//! Differential: the hand-written base64 code against the `base64` crate.
//!
//! - `encoding::base64url` (PKCE verifier and challenge, JWT parts) must equal
//!   `URL_SAFE_NO_PAD.encode` for every input.
//! - `encoding::is_base64url` (the check on a caller's code verifier) must accept exactly the
//!   non-empty texts over the URL-safe alphabet, so every text `URL_SAFE_NO_PAD` decodes (bar the
//!   empty one) and every such text whose length a real encoding can have (not 1 mod 4).
//! - The crate has no base64url *decoder*; its one decoder is `pem::decode_base64`, standard
//!   base64 for PEM bodies. It must accept and refuse what `base64`'s STANDARD alphabet does once
//!   ASCII whitespace is taken out (PEM wraps lines), with equal bytes, except for two intended
//!   differences, both harmless for a PEM body (the DER parser judges the bytes):
//!   1. padding is optional, but when present it must be complete (`Zg==`, not `Zg=`), where
//!      `DecodePaddingMode::Indifferent` also takes a partial one;
//!   2. the unused low bits of the last character are ignored (`Zh==` reads as `Zg==`), as
//!      OpenSSL's reader does, where `base64` refuses them unless told to allow them; the
//!      reference is configured so (`with_decode_allow_trailing_bits(true)`).
#![no_main]
use base64::alphabet;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig, URL_SAFE_NO_PAD};
use base64::engine::DecodePaddingMode;
use base64::Engine;
use coze_auth::__fuzz::{base64url, decode_base64, is_base64url};
use libfuzzer_sys::fuzz_target;

/// Standard base64, padding optional, trailing bits allowed: the PEM decoder's rules but for
/// difference 1.
const PEM_LIKE: GeneralPurpose = GeneralPurpose::new(
    &alphabet::STANDARD,
    GeneralPurposeConfig::new()
        .with_decode_padding_mode(DecodePaddingMode::Indifferent)
        .with_decode_allow_trailing_bits(true),
);

/// base64url without padding, trailing bits allowed: for the alphabet check.
const URL_LENIENT: GeneralPurpose = GeneralPurpose::new(
    &alphabet::URL_SAFE,
    GeneralPurposeConfig::new()
        .with_decode_padding_mode(DecodePaddingMode::RequireNone)
        .with_decode_allow_trailing_bits(true),
);

/// Difference 1: `=`s that are there but fewer than the data's length calls for.
fn partial_padding(compact: &str) -> bool {
    let data = compact.trim_end_matches('=');
    let pads = compact.len() - data.len();
    let canonical = (4 - data.len() % 4) % 4;
    pads > 0 && pads != canonical
}

fuzz_target!(|data: &[u8]| {
    // Encoding: equal for every input.
    let ours = base64url(data);
    assert_eq!(ours, URL_SAFE_NO_PAD.encode(data));
    assert_eq!(is_base64url(&ours), !data.is_empty());

    let Ok(text) = core::str::from_utf8(data) else {
        return;
    };

    // The alphabet check.
    let url_decodes = URL_LENIENT.decode(text).is_ok();
    if url_decodes && !text.is_empty() {
        assert!(
            is_base64url(text),
            "base64 decodes {text:?}, is_base64url refuses it"
        );
    }
    if is_base64url(text) && text.len() % 4 != 1 {
        assert!(
            url_decodes,
            "is_base64url accepts {text:?}, base64 cannot decode it"
        );
    }

    // The PEM decoder.
    let compact: String = text.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    let ours = decode_base64(text);
    let theirs = PEM_LIKE.decode(&compact).ok();
    match (&ours, &theirs) {
        (Some(a), Some(b)) => assert_eq!(a, b, "{text:?} decodes differently"),
        (None, None) => {}
        (Some(_), None) => panic!("decode_base64 accepts {text:?}, base64 refuses it"),
        (None, Some(_)) => assert!(
            partial_padding(&compact),
            "decode_base64 refuses {text:?}, base64 accepts it (not a partial padding)"
        ),
    }
});
