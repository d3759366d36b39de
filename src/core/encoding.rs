//! base64url, form encoding of query strings, and query parsing.

use super::text::{push_percent, split_byte};
use crate::prelude::*;

const BASE64URL: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// base64url without padding (RFC 4648 §5), as PKCE and JWT use it.
pub fn base64url(bytes: &[u8]) -> String {
    let mut out = Vec::with_capacity(bytes.len().div_ceil(3) * 4);
    base64url_into(&mut out, bytes);
    // Every byte is from the ASCII alphabet: the conversion cannot fail (the empty fallback
    // keeps it free of a panic path). Bytes, then one conversion, rather than a `String::push`
    // per character, which encodes each char as UTF-8 and checks the capacity each time.
    String::from_utf8(out).unwrap_or_default()
}

/// Appends the base64url (no padding) of `bytes` to `out`: ASCII only.
pub fn base64url_into(out: &mut Vec<u8>, bytes: &[u8]) {
    let digit = |n: u32, shift: u32| BASE64URL[(n >> shift) as usize % 64];
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, &b)| n | u32::from(b) << (16 - 8 * i));
        // 1 byte gives 2 characters, 2 give 3, 3 give 4: appended at once.
        let quad = [digit(n, 18), digit(n, 12), digit(n, 6), digit(n, 0)];
        out.extend_from_slice(quad.get(..=chunk.len()).unwrap_or_default());
    }
}

/// True when `text` is non-empty and only uses the base64url alphabet (for tests and the
/// differential fuzz target).
#[cfg(any(test, fuzzing))]
pub fn is_base64url(text: &str) -> bool {
    !text.is_empty()
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// Appends `value` encoded as `application/x-www-form-urlencoded` does (space → `+`), which is
/// how the official SDKs encode the authorize URL's query.
pub fn form_encode_into(out: &mut String, value: &str) {
    for b in value.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'*' => {
                out.push(char::from(b))
            }
            b' ' => out.push('+'),
            _ => push_percent(out, b),
        }
    }
}

/// Appends `value` percent-encoded for one path segment (everything but unreserved characters).
pub fn path_segment_encode_into(out: &mut String, value: &str) {
    for b in value.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                out.push(char::from(b))
            }
            _ => push_percent(out, b),
        }
    }
}

/// Builds a query string from pairs: `a=1&b=2`, form-encoded.
pub fn form_query(pairs: &[(&str, &str)]) -> String {
    let mut out = String::new();
    for (i, (k, v)) in pairs.iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        form_encode_into(&mut out, k);
        out.push('=');
        form_encode_into(&mut out, v);
    }
    out
}

fn hex_value(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// Decodes one form-encoded component like `URLSearchParams` does: `+` is a space, and a `%`
/// not followed by two hex digits stays as it is. Decoded bytes that are not UTF-8 give `None`
/// (no OAuth parameter holds such text).
pub fn form_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' => {
                let hi = bytes.get(i + 1).copied().and_then(hex_value);
                let lo = bytes.get(i + 2).copied().and_then(hex_value);
                if let (Some(hi), Some(lo)) = (hi, lo) {
                    out.push(hi * 16 + lo);
                    i += 2;
                } else {
                    out.push(b'%');
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8(out).ok()
}

/// The query parameters of a URL (the part between `?` and `#`), decoded, in order.
/// Works on absolute and relative URLs; a URL without `?` has none. A parameter whose name or
/// value does not decode to UTF-8 is left out. For tests: the library walks them with
/// [`for_each_query_pair`].
#[cfg(test)]
pub fn query_pairs(url: &str) -> Vec<(String, String)> {
    let mut pairs = Vec::new();
    for_each_query_pair(url, |k, v| pairs.push((k, v)));
    pairs
}

/// Calls `each` with the query parameters of a URL (the part between `?` and `#`), decoded, in
/// order. Works on absolute and relative URLs; a URL without `?` has none. A parameter whose
/// name or value does not decode to UTF-8 is left out.
pub fn for_each_query_pair(url: &str, mut each: impl FnMut(String, String)) {
    let without_fragment = split_byte(url, b'#').map_or(url, |(u, _)| u);
    let Some((_, mut rest)) = split_byte(without_fragment, b'?') else {
        return;
    };
    loop {
        let (part, next) = match split_byte(rest, b'&') {
            Some((part, next)) => (part, Some(next)),
            None => (rest, None),
        };
        let (k, v) = split_byte(part, b'=').unwrap_or((part, ""));
        if let (false, Some(k), Some(v)) = (part.is_empty(), form_decode(k), form_decode(v)) {
            each(k, v);
        }
        match next {
            Some(next) => rest = next,
            None => return,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64url_matches_rfc4648_vectors() {
        // RFC 4648 §10 vectors, in the url alphabet without padding.
        let cases = [
            ("", ""),
            ("f", "Zg"),
            ("fo", "Zm8"),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg"),
            ("fooba", "Zm9vYmE"),
            ("foobar", "Zm9vYmFy"),
        ];
        for (input, expected) in cases {
            assert_eq!(base64url(input.as_bytes()), expected);
        }
        assert_eq!(base64url(&[0xfb, 0xff, 0xbf]), "-_-_");
        assert_eq!(base64url(&[0u8; 32]).len(), 43);
    }

    #[test]
    fn form_encoding_matches_the_sdk_test_vector() {
        let q = form_query(&[
            ("response_type", "code"),
            ("client_id", "client id"),
            ("redirect_uri", "https://example.com"),
            ("state", "state"),
        ]);
        assert_eq!(
            q,
            "response_type=code&client_id=client+id&redirect_uri=https%3A%2F%2Fexample.com&state=state"
        );
        let mut s = String::new();
        form_encode_into(&mut s, "é&=+~");
        assert_eq!(s, "%C3%A9%26%3D%2B%7E");
        let mut p = String::new();
        path_segment_encode_into(&mut p, "a b/c~");
        assert_eq!(p, "a%20b%2Fc~");
    }

    #[test]
    fn query_parsing_round_trips_and_tolerates_junk() {
        let pairs =
            query_pairs("https://app.example/cb?code=a%2Bb+c&state=xyz&flag&=v&bad=%zz%4#frag?x=1");
        assert_eq!(
            pairs,
            vec![
                ("code".into(), "a+b c".into()),
                ("state".into(), "xyz".into()),
                ("flag".into(), "".into()),
                ("".into(), "v".into()),
                ("bad".into(), "%zz%4".into()),
            ]
        );
        assert!(query_pairs("https://app.example/cb#code=1").is_empty());
        assert_eq!(form_decode("%ff"), None);
        assert_eq!(
            query_pairs("/cb?code=%ff&state=s"),
            vec![("state".into(), "s".into())]
        );
        assert!(is_base64url("aZ09-_"));
        assert!(!is_base64url("a+b"));
        assert!(!is_base64url(""));
    }
}
