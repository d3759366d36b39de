//! PEM armour (RFC 7468) and the base64 inside it: the text form of private keys.
//!
//! Keys arrive from files, env vars and JSON configs, which mangle them in known ways: surrounding
//! whitespace or quotes, newlines written as the two characters `\n`, CRLF line ends, or a whole
//! key on one line. `decode_pem` undoes those and returns the first block's label and bytes.
//! Its errors describe the problem, never the text.

use super::error::{Error, ErrorCode};
use super::text::{cat, find};
use crate::prelude::*;

/// What the key errors tell the caller to provide.
pub const ACCEPTED_KEY_FORMATS: &str = "Expected an unencrypted RSA private key (2048 to 4096 bits) in PEM: PKCS#8 (-----BEGIN PRIVATE KEY-----, what the Coze console downloads) or PKCS#1 (-----BEGIN RSA PRIVATE KEY-----). Surrounding whitespace, CRLF line ends and literal \\n escapes (keys kept in env vars) are fine.";

/// An `invalid_key` error: `problem` (which never quotes the key) and the accepted formats.
pub(crate) fn invalid_key(problem: &str) -> Error {
    Error::new(
        ErrorCode::InvalidKey,
        cat(&[
            "The private key is unusable: ",
            problem,
            " ",
            ACCEPTED_KEY_FORMATS,
        ]),
    )
}

/// One decoded PEM block.
pub(crate) struct PemBlock {
    /// The label between `BEGIN ` and the dashes, e.g. `PRIVATE KEY`.
    pub label: String,
    /// True when the block has RFC 1421 headers that say it is encrypted (`Proc-Type: 4,ENCRYPTED`).
    pub encrypted: bool,
    /// The decoded bytes (DER).
    pub der: Vec<u8>,
}

/// Undoes what env vars and config files do to a PEM text: surrounding whitespace and one pair
/// of quotes, and `\n` / `\r` written as two characters (base64 and PEM armour never contain a
/// backslash, so every backslash is an escape).
fn normalize(text: &str) -> String {
    let mut t = text.trim();
    for quote in ['"', '\''] {
        if t.len() >= 2 && t.starts_with(quote) && t.ends_with(quote) {
            t = t.get(1..t.len() - 1).unwrap_or(t).trim();
        }
    }
    let mut out = String::with_capacity(t.len());
    let mut chars = t.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.peek() {
                Some('n') => {
                    chars.next();
                    out.push('\n');
                    continue;
                }
                Some('r') => {
                    chars.next();
                    continue;
                }
                _ => {}
            }
        }
        out.push(c);
    }
    out
}

const BEGIN: &str = "-----BEGIN ";
const DASHES: &str = "-----";

/// Decodes the first PEM block of `text`.
pub(crate) fn decode_pem(text: &str) -> Result<PemBlock, Error> {
    let text = normalize(text);
    if text.is_empty() {
        return Err(invalid_key("it is empty."));
    }
    let start = find(&text, BEGIN).ok_or_else(|| {
        invalid_key("it is not PEM (no -----BEGIN line); a bare base64 body or a file path is not accepted here.")
    })?;
    let after_begin = text.get(start + BEGIN.len()..).unwrap_or("");
    let label_len = find(after_begin, DASHES)
        .ok_or_else(|| invalid_key("its -----BEGIN line is cut short."))?;
    let label = after_begin.get(..label_len).unwrap_or("");
    if label.is_empty()
        || !label
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b' ')
    {
        return Err(invalid_key("its -----BEGIN line is malformed."));
    }
    let rest = after_begin.get(label_len + DASHES.len()..).unwrap_or("");
    let end_line = cat(&["-----END ", label, DASHES]);
    let body_len = find(rest, &end_line)
        .ok_or_else(|| invalid_key("it has no matching -----END line (truncated?)."))?;
    let body = rest.get(..body_len).unwrap_or("");

    // RFC 1421 headers ("Proc-Type: 4,ENCRYPTED", "DEK-Info: …") come before the base64, one per
    // line; base64 never contains ':'.
    let mut encrypted = false;
    let mut base64 = String::with_capacity(body.len());
    for line in body.split('\n') {
        if line.contains(':') {
            if find(line, "ENCRYPTED").is_some() || line.trim_start().starts_with("DEK-Info") {
                encrypted = true;
            }
            continue;
        }
        base64.push_str(line);
    }
    let der = if encrypted {
        Vec::new()
    } else {
        decode_base64(&base64).ok_or_else(|| {
            invalid_key("its base64 body is malformed (a character outside base64, or cut short).")
        })?
    };
    Ok(PemBlock {
        label: label.to_owned(),
        encrypted,
        der,
    })
}

/// The standard base64 alphabet's value of `b`.
fn sextet(b: u8) -> Option<u32> {
    match b {
        b'A'..=b'Z' => Some(u32::from(b - b'A')),
        b'a'..=b'z' => Some(u32::from(b - b'a') + 26),
        b'0'..=b'9' => Some(u32::from(b - b'0') + 52),
        b'+' => Some(62),
        b'/' => Some(63),
        _ => None,
    }
}

/// Decodes standard base64 (RFC 4648 §4), ignoring ASCII whitespace. Padding is optional but,
/// when present, must be right and last. `None` for anything else, including a length that no
/// encoding produces.
pub(crate) fn decode_base64(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len() / 4 * 3);
    let mut acc = 0u32;
    let mut count = 0usize; // sextets in the current group
    let mut padding = 0usize;
    for b in text.bytes() {
        if b.is_ascii_whitespace() {
            continue;
        }
        if b == b'=' {
            padding += 1;
            continue;
        }
        if padding > 0 {
            return None; // data after padding
        }
        acc = (acc << 6) | sextet(b)?;
        count += 1;
        if count == 4 {
            out.extend_from_slice(&[(acc >> 16) as u8, (acc >> 8) as u8, acc as u8]);
            acc = 0;
            count = 0;
        }
    }
    match (count, padding) {
        (0, 0) => {}
        (2, 0 | 2) => out.push((acc >> 4) as u8),
        (3, 0 | 1) => out.extend_from_slice(&[(acc >> 10) as u8, (acc >> 2) as u8]),
        _ => return None,
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_round_trips_rfc4648_vectors() {
        for (plain, encoded) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(decode_base64(encoded).unwrap(), plain.as_bytes());
            assert_eq!(
                decode_base64(encoded.trim_end_matches('=')).unwrap(),
                plain.as_bytes()
            );
        }
        assert_eq!(decode_base64(" Zm9v\r\nYmFy \n").unwrap(), b"foobar");
        assert_eq!(decode_base64("+/+/").unwrap(), [0xfb, 0xff, 0xbf]);
        for bad in [
            "Z",
            "Zm9vY",
            "Zm=9",
            "Zm9v=Zm9v",
            "Zg===",
            "Zm8==",
            "-_-_",
            "Zm9v!",
        ] {
            assert_eq!(decode_base64(bad), None, "{bad}");
        }
    }

    #[test]
    fn escapes_quotes_and_one_line_keys_are_undone() {
        let pem = "-----BEGIN PRIVATE KEY-----\nZm9v\nYmFy\n-----END PRIVATE KEY-----\n";
        let variants = [
            pem.to_owned(),
            pem.replace('\n', "\\n"),
            pem.replace('\n', "\r\n"),
            pem.replace('\n', "\\r\\n"),
            cat(&["\"", &pem.replace('\n', "\\n"), "\""]),
            cat(&["  \n\t", pem, "\n\n "]),
            pem.replace('\n', " "),
        ];
        for v in variants {
            let block = decode_pem(&v).unwrap();
            assert_eq!(block.label, "PRIVATE KEY");
            assert!(!block.encrypted);
            assert_eq!(block.der, b"foobar");
        }
    }

    #[test]
    fn legacy_encryption_headers_are_detected() {
        let pem = "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-256-CBC,00\n\nZm9v\n-----END RSA PRIVATE KEY-----";
        let block = decode_pem(pem).unwrap();
        assert!(block.encrypted);
        assert_eq!(block.label, "RSA PRIVATE KEY");
    }

    #[test]
    fn broken_armour_is_invalid_key_without_the_text() {
        for bad in [
            "",
            "   ",
            "Zm9vYmFy",
            "-----BEGIN PRIVATE KEY",
            "-----BEGIN private key-----\nZm9v\n-----END private key-----",
            "-----BEGIN PRIVATE KEY-----\nZm9v\n",
            "-----BEGIN PRIVATE KEY-----\nZm9v\n-----END RSA PRIVATE KEY-----",
            "-----BEGIN PRIVATE KEY-----\nZm9v*\n-----END PRIVATE KEY-----",
        ] {
            let err = decode_pem(bad).err().unwrap();
            assert_eq!(err.code, ErrorCode::InvalidKey, "{bad}");
            assert!(err.message.contains("PKCS#8"));
            assert!(!err.message.contains("Zm9v"));
        }
    }
}
