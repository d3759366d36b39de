//! Any answer read as Coze's JSON object or the error it stands for (`error_code`/`error`,
//! `error_message`/`error_description`, the `{code, msg}` envelope), and the JSON parser itself.
#![no_main]
use coze_auth::__fuzz::{parse_json, read_json_object};
use coze_auth_fuzz::{check_error, response, SECRET};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let response = response(data);
    if let Err(err) = read_json_object(&response, &[SECRET]) {
        check_error(&err);
    }
    // The parser alone, on bytes no response check has filtered.
    if let Ok(value) = parse_json(data) {
        assert_eq!(
            parse_json(data).ok(),
            Some(value),
            "parsing is not deterministic"
        );
    }
});
