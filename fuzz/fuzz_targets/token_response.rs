//! Coze's token answer (PKCE, web, JWT and device grants share the reader): any status, any body.
#![no_main]
use coze_auth::core::token::read_token_response;
use coze_auth_fuzz::{check_error, response, SECRET};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    match read_token_response(&response(data), 1_763_700_000, &[SECRET]) {
        Ok(token) => {
            assert!(!token.access_token.secret().trim().is_empty());
            assert!(token.expires_in > 0);
        }
        Err(err) => check_error(&err),
    }
});
