//! What the fuzz targets share: an HTTP response made from the fuzzer's bytes, and the checks
//! every parser must pass on any input (besides not panicking): an error has a message and
//! never contains one of the secrets that went with the request.

use coze_auth::{Error, HttpResponse};

/// The secret every target sends "with the request": no error may echo it.
pub const SECRET: &str = "czs_fuzz_secret_4b1d";

/// Statuses Coze's answers come with, plus the odd ones (0 is a browser's opaque redirect).
const STATUSES: [u16; 12] = [200, 201, 204, 0, 302, 400, 401, 403, 429, 500, 502, 599];

/// First byte: the status; the rest: the body. A `x-tt-logid` header rides along.
pub fn response(data: &[u8]) -> HttpResponse {
    let (status, body) = match data.split_first() {
        Some((s, rest)) => (STATUSES[usize::from(*s) % STATUSES.len()], rest),
        None => (200, data),
    };
    HttpResponse {
        status,
        headers: vec![("x-tt-logid".into(), "20261121fuzz".into())],
        body: body.to_vec(),
    }
}

/// An error must say something, and nothing of `SECRET` in any field, even when the server's
/// text quotes it (the parsers scrub it).
pub fn check_error(err: &Error) {
    assert!(!err.message.is_empty(), "an error without a message");
    for text in [
        Some(&err.message),
        err.error_code.as_ref(),
        err.error_message.as_ref(),
        err.param.as_ref(),
        err.cause.as_ref(),
    ]
    .into_iter()
    .flatten()
    {
        assert!(!text.contains(SECRET), "an error echoes the secret: {text}");
    }
    let shown = format!("{err} {err:?}");
    assert!(!shown.contains(SECRET), "Display/Debug echo the secret");
    if let Some(id) = &err.log_id {
        assert!(
            (1..=64).contains(&id.len())
                && id
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-'),
            "a log id that does not look like one: {id:?}"
        );
    }
}

/// The latest expiry the readers may return for `now`: ten years ahead, and never above
/// JS's `Number.MAX_SAFE_INTEGER`.
pub fn latest_expiry(now: i64) -> i64 {
    (now + 315_576_000).min((1 << 53) - 1)
}
