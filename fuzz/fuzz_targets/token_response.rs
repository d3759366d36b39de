//! Coze's token answer (PKCE, web, JWT and device grants share the reader): any status, any body.
#![no_main]
use coze_auth::__fuzz::blank;
use coze_auth::core::token::read_token_response;
use coze_auth_fuzz::{check_error, latest_expiry, response, SECRET};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    const NOW: i64 = 1_763_700_000;
    match read_token_response(&response(data), NOW, &[SECRET]) {
        Ok(token) => {
            // The library's own rule for "blank" (Unicode whitespace), not a look-alike.
            assert!(!blank(token.access_token.secret()), "a blank access token");
            assert!(token.expires_in > 0);
            assert!(
                token.expires_in <= latest_expiry(NOW),
                "an implausible expiry"
            );
        }
        Err(err) => check_error(&err),
    }
});
