//! Plain string building without `core::fmt`, and substring search without the two-way
//! searcher. The npm browser build has a tight size budget; `format!`, integer `Display` and
//! `str::find(&str)` each link kilobytes of machinery it never needs for short messages.

use crate::prelude::*;

/// Joins `parts` into one string.
pub fn cat(parts: &[&str]) -> String {
    let mut out = String::with_capacity(parts.iter().map(|p| p.len()).sum());
    for p in parts {
        out.push_str(p);
    }
    out
}

/// Appends `n` in decimal.
pub fn push_int(out: &mut String, n: i64) {
    if n < 0 {
        out.push('-');
    }
    push_digits(out, n.unsigned_abs());
}

fn push_digits(out: &mut String, n: u64) {
    if n >= 10 {
        push_digits(out, n / 10);
    }
    out.push(char::from(b'0' + (n % 10) as u8));
}

/// `n` in decimal.
pub fn int(n: i64) -> String {
    let mut out = String::new();
    push_int(&mut out, n);
    out
}

/// Appends `%XX` (upper-case hex) for one byte.
pub fn push_percent(out: &mut String, b: u8) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    out.push('%');
    out.push(char::from(HEX[usize::from(b >> 4)]));
    out.push(char::from(HEX[usize::from(b & 15)]));
}

/// True when `s` is empty or only whitespace, by Unicode's definition (`char::is_whitespace`:
/// ASCII space, tab, line breaks, VT and FF, and U+0085, U+00A0, U+2028, U+3000, …). The one
/// rule for every "required, non-blank" value, read or given: a token, code or id made only of
/// invisible characters is missing.
pub fn blank(s: &str) -> bool {
    s.chars().all(is_white_space)
}

/// Unicode's White_Space, the 25 code points `char::is_whitespace` matches, listed: core's
/// version looks them up in a 256-byte table that the browser build need not carry.
fn is_white_space(c: char) -> bool {
    matches!(
        c,
        '\t'..='\r'
            | ' '
            | '\u{85}'
            | '\u{a0}'
            | '\u{1680}'
            | '\u{2000}'..='\u{200a}'
            | '\u{2028}'
            | '\u{2029}'
            | '\u{202f}'
            | '\u{205f}'
            | '\u{3000}'
    )
}

/// True when `s` has a control character (C0, DEL or C1).
pub fn has_control(s: &str) -> bool {
    let b = s.as_bytes();
    b.iter().enumerate().any(|(i, &c)| {
        c < 0x20 || c == 0x7f || (c == 0xc2 && b.get(i + 1).is_some_and(|&n| n < 0xa0))
    })
}

/// `s` cut to at most `max` bytes, on a character boundary.
pub fn truncate(s: &str, max: usize) -> &str {
    let mut n = max.min(s.len());
    while !s.is_char_boundary(n) {
        n -= 1;
    }
    s.get(..n).unwrap_or("")
}

/// Splits at the first `byte` (an ASCII byte, so both halves are valid text).
pub fn split_byte(s: &str, byte: u8) -> Option<(&str, &str)> {
    let i = s.bytes().position(|b| b == byte)?;
    Some((s.get(..i)?, s.get(i + 1..)?))
}

/// The byte offset of the first `needle` in `haystack` (`Some(0)` for an empty needle).
pub fn find(haystack: &str, needle: &str) -> Option<usize> {
    let (h, n) = (haystack.as_bytes(), needle.as_bytes());
    if n.is_empty() {
        return Some(0);
    }
    h.windows(n.len()).position(|w| w == n)
}

/// `haystack` split around its first `needle`, like `str::split_once` (without the two-way
/// searcher, and without a panicking slice).
pub fn split_once<'a>(haystack: &'a str, needle: &str) -> Option<(&'a str, &'a str)> {
    let i = find(haystack, needle)?;
    Some((haystack.get(..i)?, haystack.get(i + needle.len()..)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builds_and_searches() {
        assert_eq!(cat(&["a", "", "bc"]), "abc");
        for n in [0i64, 7, -7, 10, 1_800_000_000, i64::MIN, i64::MAX] {
            assert_eq!(int(n), n.to_string());
        }
        let mut s = String::new();
        push_percent(&mut s, 0x0f);
        push_percent(&mut s, 0xe9);
        assert_eq!(s, "%0F%E9");
        assert_eq!(find("api.coze", "coze"), Some(4));
        assert_eq!(find("ab", "abc"), None);
        assert_eq!(find("é.api.", "api."), Some(3));
        assert_eq!(split_once("a://b://c", "://"), Some(("a", "b://c")));
        assert_eq!(split_once("ab", "://"), None);
    }

    #[test]
    fn has_control_is_char_is_control() {
        // The byte check stands for `chars().any(char::is_control)` (the JWT options' check).
        for c in (0..=0x10ffff).filter_map(char::from_u32) {
            let text = ["a", "b"].join(&c.to_string());
            assert_eq!(has_control(&text), c.is_control(), "U+{:04X}", u32::from(c));
        }
    }

    #[test]
    fn blank_is_unicode_whitespace_only() {
        for b in [
            "", " ", "\t\n\r", "\u{b}", "\u{c}", "\u{a0}", "\u{2028}", "\u{3000}", "\u{85}",
        ] {
            assert!(blank(b), "{b:?}");
        }
        for not in ["a", " a ", "\u{200b}", "\u{feff}x", "-"] {
            assert!(!blank(not), "{not:?}");
        }
        // The listed set is exactly core's (Unicode's White_Space), over every code point.
        for c in (0..=0x10ffff).filter_map(char::from_u32) {
            assert_eq!(
                is_white_space(c),
                c.is_whitespace(),
                "U+{:04X}",
                u32::from(c)
            );
        }
    }
}
