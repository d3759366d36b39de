//! The redirect back from Coze (`?code=…&state=…` or `?error=…`) and the stored pending login.
#![no_main]
use coze_auth::core::callback::{parse_callback, pending_flow_key, PendingFlow};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = core::str::from_utf8(data) else {
        return;
    };
    let callback = parse_callback(text);
    if let Some(code) = &callback.code {
        assert!(!code.secret().is_empty());
    }
    if let Err(err) = pending_flow_key(text) {
        assert!(!err.message.is_empty());
    }
    if let Some(flow) = PendingFlow::from_json(text) {
        let again = PendingFlow::from_json(&flow.to_json()).expect("re-read");
        assert_eq!(again.to_json(), flow.to_json());
    }
});
