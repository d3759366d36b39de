//! The device code answer, and a poll's answer (pending, slow_down, denied, a token).
#![no_main]
use coze_auth::core::device::{read_device_code_response, read_device_token_response};
use coze_auth_fuzz::{check_error, response, SECRET};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let response = response(data);
    match read_device_code_response(&response, 1_763_700_000) {
        Ok(code) => {
            assert!(!code.user_code.trim().is_empty());
            assert!(code.interval > 0);
        }
        // The device code request carries no secret (only client_id): nothing to scrub.
        Err(err) => assert!(!err.message.is_empty()),
    }
    if let Err(err) = read_device_token_response(&response, 1_763_700_000, SECRET) {
        check_error(&err);
    }
});
