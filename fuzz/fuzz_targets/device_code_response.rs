//! The device code answer, and a poll's answer (pending, slow_down, denied, a token).
#![no_main]
use coze_auth::__fuzz::blank;
use coze_auth::core::device::{read_device_code_response, read_device_token_response};
use coze_auth_fuzz::{check_error, latest_expiry, response, SECRET};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let response = response(data);
    const NOW: i64 = 1_763_700_000;
    match read_device_code_response(&response, NOW) {
        Ok(code) => {
            assert!(!blank(&code.user_code) && !blank(code.device_code.secret()));
            assert!((1..=3600).contains(&code.interval));
            assert!(code.expires_at > NOW && code.expires_at <= latest_expiry(NOW));
        }
        // The device code request carries no secret (only client_id): nothing to scrub.
        Err(err) => assert!(!err.message.is_empty()),
    }
    if let Err(err) = read_device_token_response(&response, NOW, SECRET) {
        check_error(&err);
    }
});
