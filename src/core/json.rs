//! A small, strict JSON reader and writer.
//!
//! Why not serde_json: it roughly doubles the browser build, and Coze's bodies are small flat
//! objects. The reader is strict where strictness protects us (UTF-8 only, nesting limit,
//! duplicate keys rejected, since two `access_token` values are ambiguous) and never panics.

use super::text::push_int;
use crate::prelude::*;

/// Deepest nesting accepted; deeper input is refused rather than risking the stack.
const MAX_DEPTH: usize = 64;
/// Most members accepted in one object.
const MAX_MEMBERS: usize = 1000;

#[cfg(test)]
std::thread_local! {
    /// Member-name comparisons made by the duplicate check on this thread (tests only).
    static KEY_COMPARISONS: core::cell::Cell<usize> = const { core::cell::Cell::new(0) };
}

/// Counts one member-name comparison (tests only).
fn count_comparison() {
    #[cfg(test)]
    KEY_COMPARISONS.with(|c| c.set(c.get() + 1));
}

/// A parsed JSON value. Numbers keep their source text so no float parser is linked in.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// `null`.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// The number exactly as written, e.g. `"1741953784"` or `"-1.5e3"`.
    Number(String),
    /// A string, unescaped.
    String(String),
    /// An array, in document order.
    Array(Vec<Value>),
    /// Members in document order; keys are unique (the reader rejects duplicates).
    Object(Vec<(String, Value)>),
}

impl Value {
    /// The member `key` of an object, if this is an object that has it.
    pub fn get(&self, key: &str) -> Option<&Value> {
        match self {
            Value::Object(members) => members.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// The string, if this is a string.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// The value as a whole number: an integer literal, or a string holding only an integer
    /// (some servers quote numbers). Fractions, exponents and overflow give `None`.
    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Value::Number(text) => parse_integer(text),
            Value::String(text) => parse_integer(text.trim_ascii()),
            _ => None,
        }
    }

    /// True for an object.
    pub fn is_object(&self) -> bool {
        matches!(self, Value::Object(_))
    }
}

fn parse_integer(text: &str) -> Option<i64> {
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    if digits.is_empty() || digits.len() > 18 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    // At most 18 digits: below 10^18, so no step can overflow (and no checked 64-bit multiply,
    // which wasm32 does through a 128-bit helper, is linked).
    let mut n: i64 = 0;
    for b in digits.bytes() {
        n = n * 10 + i64::from(b - b'0');
    }
    Some(if negative { -n } else { n })
}

/// Why a document was refused. Carries a position, never the document's text (it may hold tokens).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    /// What is wrong, in a few words.
    pub reason: &'static str,
    /// The byte offset in the document where reading stopped.
    pub offset: usize,
}

/// Parses one JSON document (surrounding whitespace allowed).
pub fn parse(input: &[u8]) -> Result<Value, ParseError> {
    let text = core::str::from_utf8(input).map_err(|e| ParseError {
        reason: "not UTF-8",
        offset: e.valid_up_to(),
    })?;
    let mut reader = Reader { text, pos: 0 };
    let value = reader.value(0)?;
    reader.skip_ws();
    if reader.pos != text.len() {
        return Err(reader.error("trailing characters after the JSON value"));
    }
    Ok(value)
}

/// True when two members share a name. The names are heap-sorted (O(n log n) in the worst case,
/// with no recursion and no allocation but the list of names past 8; `slice::sort` would link more
/// code into the WebAssembly module) and neighbours compared. Only `get` touches the slice, so
/// there is no panic path (and no formatting code for one) in the module.
fn has_duplicate_key(members: &[(String, Value)]) -> bool {
    // The names of a small object (every one the seam and Coze send) go on the stack: no
    // list to allocate and free per object.
    let mut small = [""; 8];
    let mut large = Vec::new();
    let keys: &mut [&str] = match small.get_mut(..members.len()) {
        Some(keys) => keys,
        None => {
            large.resize(members.len(), "");
            &mut large
        }
    };
    for (slot, (key, _)) in keys.iter_mut().zip(members) {
        *slot = key;
    }
    let n = keys.len();
    for root in (0..n / 2).rev() {
        sift_down(keys, root, n);
    }
    for end in (1..n).rev() {
        // Move the largest name to the end of the heap, and the one there to the root.
        if let (Some(&first), Some(&last)) = (keys.first(), keys.get(end)) {
            set(keys, 0, last);
            set(keys, end, first);
        }
        sift_down(keys, 0, end);
    }
    keys.windows(2).any(|pair| matches!(pair, [a, b] if a == b))
}

fn set<'a>(keys: &mut [&'a str], i: usize, key: &'a str) {
    if let Some(slot) = keys.get_mut(i) {
        *slot = key;
    }
}

/// Moves `keys[root]` down to its place in the max-heap `keys[..end]`.
fn sift_down(keys: &mut [&str], mut root: usize, end: usize) {
    loop {
        let left = 2 * root + 1;
        let (Some(&top), Some(&left_key)) = (keys.get(root), keys.get(left)) else {
            return;
        };
        if left >= end {
            return;
        }
        let (mut child, mut child_key) = (left, left_key);
        if let Some(&right_key) = keys.get(left + 1).filter(|_| left + 1 < end) {
            count_comparison();
            if left_key < right_key {
                (child, child_key) = (left + 1, right_key);
            }
        }
        count_comparison();
        if top >= child_key {
            return;
        }
        set(keys, root, child_key);
        set(keys, child, top);
        root = child;
    }
}

/// Reads from text already checked to be UTF-8, so every slice it takes between ASCII bytes
/// is text too (taken with `get`, which cannot panic).
struct Reader<'a> {
    text: &'a str,
    pos: usize,
}

impl Reader<'_> {
    fn error(&self, reason: &'static str) -> ParseError {
        ParseError {
            reason,
            offset: self.pos,
        }
    }

    // Inlined, as `since` is: a call per byte read cost more than the load, and the module
    // comes out smaller too (measured on the browser build).
    #[inline(always)]
    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.pos).copied()
    }

    fn skip_ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.pos += 1;
        }
    }

    /// Skips whitespace, then consumes `byte` if it comes next.
    fn eat(&mut self, byte: u8) -> bool {
        self.skip_ws();
        let found = self.peek() == Some(byte);
        if found {
            self.pos += 1;
        }
        found
    }

    /// The text from `start` to the current position.
    #[inline(always)]
    fn since(&self, start: usize) -> &str {
        self.text.get(start..self.pos).unwrap_or("")
    }

    fn value(&mut self, depth: usize) -> Result<Value, ParseError> {
        if depth > MAX_DEPTH {
            return Err(self.error("nesting too deep"));
        }
        self.skip_ws();
        let (word, value) = match self.peek() {
            None => return Err(self.error("unexpected end of input")),
            Some(b'{') => return self.items(depth, true),
            Some(b'[') => return self.items(depth, false),
            Some(b'"') => return self.string().map(Value::String),
            Some(b'-' | b'0'..=b'9') => return self.number(),
            Some(b't') => ("true", Value::Bool(true)),
            Some(b'f') => ("false", Value::Bool(false)),
            Some(b'n') => ("null", Value::Null),
            Some(_) => return Err(self.error("unexpected character")),
        };
        let rest = self.text.get(self.pos..).unwrap_or("");
        if !rest.starts_with(word) {
            return Err(self.error("invalid literal"));
        }
        self.pos += word.len();
        Ok(value)
    }

    /// An object or an array, from its opening bracket.
    fn items(&mut self, depth: usize, object: bool) -> Result<Value, ParseError> {
        let mut members = Vec::new();
        let mut items = Vec::new();
        self.read_items(depth, object, &mut members, &mut items)?;
        if has_duplicate_key(&members) {
            return Err(self.error("duplicate member name"));
        }
        Ok(if object {
            Value::Object(members)
        } else {
            Value::Array(items)
        })
    }

    /// The members of an object (into `members`), or the items of an array (into `items`),
    /// after the opening bracket. Duplicate names are looked for once the object is read (see
    /// [`has_duplicate_key`]).
    fn read_items(
        &mut self,
        depth: usize,
        object: bool,
        members: &mut Vec<(String, Value)>,
        items: &mut Vec<Value>,
    ) -> Result<(), ParseError> {
        self.pos += 1;
        let close = if object { b'}' } else { b']' };
        if self.eat(close) {
            return Ok(());
        }
        loop {
            if object {
                self.skip_ws();
                if self.peek() != Some(b'"') {
                    return Err(self.error("expected a member name"));
                }
                let key = self.string()?;
                if !self.eat(b':') {
                    return Err(self.error("expected ':'"));
                }
                self.skip_ws();
                if members.len() >= MAX_MEMBERS {
                    return Err(self.error("too many members in an object"));
                }
                members.push((key, self.value(depth + 1)?));
            } else {
                items.push(self.value(depth + 1)?);
            }
            if self.eat(b',') {
                continue;
            }
            if self.eat(close) {
                return Ok(());
            }
            return Err(self.error(if object {
                "expected ',' or '}'"
            } else {
                "expected ',' or ']'"
            }));
        }
    }

    /// Consumes ASCII digits; true if there was at least one.
    fn digits(&mut self) -> bool {
        let start = self.pos;
        while let Some(b'0'..=b'9') = self.peek() {
            self.pos += 1;
        }
        self.pos > start
    }

    fn number(&mut self) -> Result<Value, ParseError> {
        let start = self.pos;
        if self.peek() == Some(b'-') {
            self.pos += 1;
        }
        let int_start = self.pos;
        if !self.digits() {
            return Err(self.error("invalid number"));
        }
        if self.pos - int_start > 1 && self.text.as_bytes().get(int_start) == Some(&b'0') {
            return Err(self.error("leading zero in number"));
        }
        if self.peek() == Some(b'.') {
            self.pos += 1;
            if !self.digits() {
                return Err(self.error("invalid number"));
            }
        }
        if let Some(b'e' | b'E') = self.peek() {
            self.pos += 1;
            if let Some(b'+' | b'-') = self.peek() {
                self.pos += 1;
            }
            if !self.digits() {
                return Err(self.error("invalid number"));
            }
        }
        Ok(Value::Number(self.since(start).to_owned()))
    }

    fn hex4(&mut self) -> Result<u32, ParseError> {
        let mut n = 0u32;
        for _ in 0..4 {
            let digit = match self.peek() {
                Some(b) => char::from(b).to_digit(16),
                None => None,
            };
            n = n * 16 + digit.ok_or_else(|| self.error("invalid \\u escape"))?;
            self.pos += 1;
        }
        Ok(n)
    }

    fn string(&mut self) -> Result<String, ParseError> {
        self.pos += 1; // opening quote
        let mut out = String::new();
        loop {
            // Copy the run of plain characters in one go; it ends at an ASCII byte. Found with
            // one scan of the bytes, not a `peek` call per byte (most of the module's time in
            // reading the seam's arguments).
            let run_start = self.pos;
            // 0xE2 (a leading byte) stops the scan but not the run.
            loop {
                let rest = self.text.as_bytes().get(self.pos..).unwrap_or_default();
                self.pos += plain_len(rest);
                if self.peek() != Some(0xE2) {
                    break;
                }
                self.pos += 1;
            }
            out.push_str(self.since(run_start));
            let Some(b) = self.peek() else {
                return Err(self.error("unterminated string"));
            };
            self.pos += 1;
            let ch = match b {
                b'"' => return Ok(out),
                b'\\' => {
                    let escaped = self.peek();
                    self.pos += 1;
                    match escaped {
                        None => {
                            self.pos -= 1;
                            return Err(self.error("unterminated string"));
                        }
                        Some(b'"') => '"',
                        Some(b'\\') => '\\',
                        Some(b'/') => '/',
                        Some(b'b') => '\u{8}',
                        Some(b'f') => '\u{c}',
                        Some(b'n') => '\n',
                        Some(b'r') => '\r',
                        Some(b't') => '\t',
                        Some(b'u') => self.unicode_escape()?,
                        Some(_) => return Err(self.error("invalid escape")),
                    }
                }
                _ => {
                    self.pos -= 1;
                    return Err(self.error("control character in string"));
                }
            };
            out.push(ch);
        }
    }

    /// The character of a `\u` escape (after the `u`), joining a surrogate pair.
    fn unicode_escape(&mut self) -> Result<char, ParseError> {
        let first = self.hex4()?;
        let code = if (0xD800..0xDC00).contains(&first) {
            if !self.text.get(self.pos..).unwrap_or("").starts_with("\\u") {
                return Err(self.error("lone surrogate in string"));
            }
            self.pos += 2;
            let second = self.hex4()?;
            if !(0xDC00..0xE000).contains(&second) {
                return Err(self.error("lone surrogate in string"));
            }
            0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00)
        } else {
            first
        };
        char::from_u32(code).ok_or_else(|| self.error("lone surrogate in string"))
    }
}

/// The number of bytes before the first control character, `"`, `\\` or 0xE2 (the first
/// byte of U+2028/2029, which the writer escapes). Four bytes at a time while none of them is
/// one (SWAR: a zero byte of `word ^ pattern` is a match, and `word - 0x20..` borrows into the
/// high bit of a byte below 0x20; a borrow only ever marks a byte after a real match, so a
/// clean word is clean), then byte by byte. Most of the seam's time went to scanning long
/// values (request bodies, JWTs) a byte per step; 32-bit words do as well as 64 in V8 and
/// keep the browser module smaller.
fn plain_len(bytes: &[u8]) -> usize {
    const ONES: u32 = u32::from_ne_bytes([1; 4]);
    let zero = |v: u32| v.wrapping_sub(ONES) & !v;
    let mut i = 0;
    while let Some(Ok(word)) = bytes.get(i..i + 4).map(<[u8; 4]>::try_from) {
        let w = u32::from_ne_bytes(word);
        let hit = (w.wrapping_sub(ONES * 0x20) & !w)
            | zero(w ^ (ONES * 0x22))
            | zero(w ^ (ONES * 0x5c))
            | zero(w ^ (ONES * 0xe2));
        if hit & (ONES << 7) != 0 {
            break;
        }
        i += 4;
    }
    let rest = bytes.get(i..).unwrap_or_default();
    i + rest
        .iter()
        .position(|&b| b < 0x20 || b == b'"' || b == b'\\' || b == 0xE2)
        .unwrap_or(rest.len())
}

/// Appends `value` as a JSON string literal.
pub fn write_string(out: &mut String, value: &str) {
    out.push('"');
    // Copies each run that needs no escape in one go, found by one scan of the bytes (pushing
    // char by char was half the CPU time of a code exchange). Every escaped character is ASCII
    // but U+2028/2029, whose first byte is 0xE2, a leading byte, so each run ends on a char
    // boundary; `get` keeps slicing free of panic paths.
    let mut rest = value;
    while let Some(i) = Some(plain_len(rest.as_bytes())).filter(|&i| i < rest.len()) {
        out.push_str(rest.get(..i).unwrap_or_default());
        let mut chars = rest.get(i..).unwrap_or_default().chars();
        write_char(out, chars.next().unwrap_or_default());
        rest = chars.as_str();
    }
    out.push_str(rest);
    out.push('"');
}

/// Appends one character of a JSON string, escaped if it must be.
fn write_char(out: &mut String, ch: char) {
    match ch {
        '"' => out.push_str("\\\""),
        '\\' => out.push_str("\\\\"),
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        // U+2028/2029 are valid JSON but break some JS parsers of old; escape them too.
        c if (c as u32) < 0x20 || c == '\u{2028}' || c == '\u{2029}' => {
            const HEX: &[u8; 16] = b"0123456789abcdef";
            out.push_str("\\u");
            for shift in [12, 8, 4, 0] {
                out.push(char::from(HEX[(c as usize >> shift) & 15]));
            }
        }
        c => out.push(c),
    }
}

/// Builds a JSON object member by member, in the order given.
#[derive(Debug)]
pub struct ObjectWriter {
    buf: String,
}

impl ObjectWriter {
    pub fn new() -> Self {
        // Room for a request body or a JWT's claims at once, instead of growing through 8, 16,
        // 32, … bytes, each step a copy.
        ObjectWriter {
            buf: String::with_capacity(256),
        }
    }

    fn key(&mut self, key: &str) {
        self.buf.push(if self.buf.is_empty() { '{' } else { ',' });
        write_string(&mut self.buf, key);
        self.buf.push(':');
    }

    /// Adds a string member.
    pub fn string(mut self, key: &str, value: &str) -> Self {
        self.key(key);
        write_string(&mut self.buf, value);
        self
    }

    /// Adds a string member when `value` is `Some`.
    pub fn optional_string(self, key: &str, value: Option<&str>) -> Self {
        match value {
            Some(v) => self.string(key, v),
            None => self,
        }
    }

    /// Adds an integer member.
    pub fn integer(mut self, key: &str, value: i64) -> Self {
        self.key(key);
        push_int(&mut self.buf, value);
        self
    }

    /// Adds a member whose value is already JSON text (a nested object written by another writer).
    pub fn raw(mut self, key: &str, json: &str) -> Self {
        self.key(key);
        self.buf.push_str(json);
        self
    }

    /// The finished object text.
    pub fn finish(mut self) -> String {
        if self.buf.is_empty() {
            self.buf.push('{');
        }
        self.buf.push('}');
        self.buf
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Result<Value, ParseError> {
        parse(s.as_bytes())
    }

    #[test]
    fn parses_a_token_body() {
        let v = p(r#" {"access_token":"czs_x","expires_in":1741953784,"token_type":"Bearer","n":null,"ok":true,"a":[1,2.5,-3e2]} "#).unwrap();
        assert_eq!(v.get("access_token").and_then(Value::as_str), Some("czs_x"));
        assert_eq!(
            v.get("expires_in").and_then(Value::as_i64),
            Some(1741953784)
        );
        assert_eq!(v.get("n"), Some(&Value::Null));
        assert_eq!(v.get("ok"), Some(&Value::Bool(true)));
        assert_eq!(v.get("missing"), None);
    }

    #[test]
    fn numbers_as_strings_and_non_integers() {
        let v = p(r#"{"a":"1741953784","b":1.5,"c":"x","d":99999999999999999999,"e":-7}"#).unwrap();
        assert_eq!(v.get("a").and_then(Value::as_i64), Some(1741953784));
        assert_eq!(v.get("b").and_then(Value::as_i64), None);
        assert_eq!(v.get("c").and_then(Value::as_i64), None);
        assert_eq!(v.get("d").and_then(Value::as_i64), None);
        assert_eq!(v.get("e").and_then(Value::as_i64), Some(-7));
    }

    #[test]
    fn string_escapes() {
        let v = p(r#""a\"b\\c\/d\n\u00e9\ud83d\ude00""#).unwrap();
        assert_eq!(v, Value::String("a\"b\\c/d\né😀".into()));
        assert!(p(r#""\ud83d""#).is_err());
        assert!(p(r#""\ude00""#).is_err());
        assert!(p(r#""\x""#).is_err());
        assert!(p("\"a\u{1}b\"").is_err());
    }

    #[test]
    fn rejects_malformed_documents() {
        for bad in [
            "",
            " ",
            "{",
            "{\"a\"}",
            "{\"a\":}",
            "{\"a\":1,}",
            "[1,]",
            "01",
            "1.",
            "-",
            "1e",
            "tru",
            "nul",
            "{not json",
            "<html>502</html>",
            "{} {}",
            "\"abc",
            "{\"a\":1 \"b\":2}",
        ] {
            assert!(p(bad).is_err(), "accepted {bad:?}");
        }
    }

    #[test]
    fn rejects_duplicate_keys_and_bad_utf8_and_deep_nesting() {
        assert_eq!(
            p(r#"{"access_token":"a","access_token":"b"}"#)
                .unwrap_err()
                .reason,
            "duplicate member name"
        );
        assert_eq!(parse(b"{\"a\":\"\xff\"}").unwrap_err().reason, "not UTF-8");
        let deep = "[".repeat(10_000) + &"]".repeat(10_000);
        assert_eq!(p(&deep).unwrap_err().reason, "nesting too deep");
        let ok = "[".repeat(60) + &"]".repeat(60);
        assert!(p(&ok).is_ok());
        let members = |n: usize| {
            let body: Vec<String> = (0..n).map(|i| format!("\"k{i}\":{i}")).collect();
            format!("{{{}}}", body.join(","))
        };
        assert!(p(&members(MAX_MEMBERS)).is_ok());
        assert_eq!(
            p(&members(MAX_MEMBERS + 1)).unwrap_err().reason,
            "too many members in an object"
        );
    }

    #[test]
    fn writer_escapes_and_round_trips() {
        let text = ObjectWriter::new()
            .string("a", "q\"\\\n\u{1}\u{2028}é")
            .integer("n", -42)
            .optional_string("skip", None)
            .raw("o", &ObjectWriter::new().finish())
            .finish();
        assert_eq!(text, r#"{"a":"q\"\\\n\u0001\u2028é","n":-42,"o":{}}"#);
        let v = p(&text).unwrap();
        assert_eq!(
            v.get("a").and_then(Value::as_str),
            Some("q\"\\\n\u{1}\u{2028}é")
        );
        assert_eq!(ObjectWriter::new().finish(), "{}");
    }

    #[test]
    fn plain_len_finds_the_first_byte_to_stop_at() {
        let naive = |b: &[u8]| {
            b.iter()
                .position(|&c| c < 0x20 || c == b'"' || c == b'\\' || c == 0xE2)
                .unwrap_or(b.len())
        };
        // Every byte at every place of every length up to three words, among bytes next to
        // the patterns (a borrow or a near miss there would show).
        for fill in [
            b'a', b' ', b'!', b'#', b'[', b']', 0x7f, 0x80, 0xe1, 0xe3, 0xff,
        ] {
            for len in 0..=12 {
                for at in 0..len {
                    for b in 0..=255u8 {
                        let mut bytes = vec![fill; len];
                        bytes[at] = b;
                        assert_eq!(plain_len(&bytes), naive(&bytes), "{bytes:?}");
                        bytes.push(b'"');
                        assert_eq!(plain_len(&bytes), naive(&bytes), "{bytes:?}");
                    }
                }
            }
        }
        // Round trips through the writer and the reader with every such character in place.
        for c in [
            '"', '\\', '\n', '\u{1}', '\u{1f}', '\u{2028}', '\u{2029}', '€', 'é', '😀',
        ] {
            for at in 0..12 {
                let text: String = (0..12).map(|i| if i == at { c } else { 'x' }).collect();
                let mut out = String::new();
                write_string(&mut out, &text);
                assert_eq!(p(&out), Ok(Value::String(text.clone())), "{out}");
            }
        }
    }

    #[test]
    fn writer_copies_plain_runs_and_escapes_between_them() {
        let mut out = String::new();
        write_string(&mut out, "€a\u{2028}\u{2029}b\"\u{1f}é😀\\");
        assert_eq!(out, r#""€a\u2028\u2029b\"\u001fé😀\\""#);
        let mut out = String::new();
        write_string(&mut out, "");
        assert_eq!(out, r#""""#);
    }

    #[test]
    fn the_duplicate_check_is_not_quadratic() {
        // 60 objects of 1000 members (the per-object cap): 60,000 members in all.
        let object = |tag: &str, dup: Option<(usize, usize)>| {
            let mut keys: Vec<String> = (0..MAX_MEMBERS).map(|i| format!("{tag}{i:x}")).collect();
            if let Some((from, to)) = dup {
                keys[to] = keys[from].clone();
            }
            let body: Vec<String> = keys.iter().map(|k| format!("\"{k}\":0")).collect();
            format!("{{{}}}", body.join(","))
        };
        let doc = |dup_in_last: Option<(usize, usize)>| {
            let objects: Vec<String> = (0..60)
                .map(|n| object(&format!("k{n}_"), if n == 59 { dup_in_last } else { None }))
                .collect();
            format!("[{}]", objects.join(","))
        };
        KEY_COMPARISONS.with(|c| c.set(0));
        let v = p(&doc(None)).unwrap();
        let comparisons = KEY_COMPARISONS.with(|c| c.get());
        let Value::Array(objects) = &v else {
            panic!("not an array")
        };
        assert_eq!(objects.len(), 60);
        assert!(objects
            .iter()
            .all(|o| matches!(o, Value::Object(m) if m.len() == MAX_MEMBERS)));
        assert_eq!(objects[59].get("k59_3e7").and_then(Value::as_i64), Some(0));
        // n log2 n is about 10,000 per object; the quadratic check made ~500,000.
        assert!(comparisons < 60 * 40_000, "{comparisons} comparisons");
        // Duplicates anywhere in an object are still found: first and last, neighbours.
        for dup in [(0, 999), (998, 999), (0, 1), (500, 17)] {
            assert_eq!(
                p(&doc(Some(dup))).unwrap_err().reason,
                "duplicate member name",
                "{dup:?}"
            );
        }
        // Keys that differ only late, or are prefixes of each other, are distinct.
        assert!(p(r#"{"a":1,"ab":2,"abc":3,"b":4,"":5,"aa":6}"#).is_ok());
        assert_eq!(
            p(r#"{"b":1,"a":2,"c":3,"a":4}"#).unwrap_err().reason,
            "duplicate member name"
        );
    }
}
