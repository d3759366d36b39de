//! Differential: the hand-written JSON reader (`core::json`, every Coze answer and app config)
//! against `serde_json`.
//!
//! The rule:
//! - Every document our reader accepts, serde_json accepts too, with an equal value: same
//!   nulls, booleans, strings and arrays; objects with the same members (ours keeps document
//!   order, serde_json sorts: compared as maps); numbers, which ours keeps as source text,
//!   equal as integers when both read one (i64 or u64), else as f64 (serde_json's
//!   `float_roundtrip` parses exactly, so `==`). One exception: a number too large for an f64
//!   (`1e400`), which serde_json refuses ("number out of range") and ours keeps as text, as the
//!   grammar allows; its meaning is decided where it is read (`Value::as_i64` refuses it).
//! - A document serde_json accepts and ours refuses is refused on purpose, for one of:
//!   - `nesting too deep`: a value inside more than 64 arrays or objects (serde_json allows 128);
//!   - `too many members in an object`: more than 1000 (their duplicate check is quadratic);
//!   - `duplicate member name`: which of two `access_token`s is meant is unknowable (serde_json
//!     keeps the last).
//!
//!   Anything else is a divergence. (Both refuse invalid UTF-8, lone surrogates in `\u`
//!   escapes, control characters in strings, leading zeros, trailing commas, a byte order mark.)
#![no_main]
use coze_auth::__fuzz::{parse_json, JsonValue};
use libfuzzer_sys::fuzz_target;
use serde_json::Value;

/// Our reader's nesting limit (`core::json::MAX_DEPTH`): a value inside more containers fails.
const MAX_DEPTH: usize = 64;
/// Our reader's member cap (`core::json::MAX_MEMBERS`).
const MAX_MEMBERS: usize = 1000;

fn same_number(ours: &str, theirs: &serde_json::Number) -> bool {
    if let (Ok(a), Some(b)) = (ours.parse::<i64>(), theirs.as_i64()) {
        return a == b;
    }
    if let (Ok(a), Some(b)) = (ours.parse::<u64>(), theirs.as_u64()) {
        return a == b;
    }
    matches!((ours.parse::<f64>(), theirs.as_f64()), (Ok(a), Some(b)) if a == b)
}

fn same(ours: &JsonValue, theirs: &Value) -> bool {
    match (ours, theirs) {
        (JsonValue::Null, Value::Null) => true,
        (JsonValue::Bool(a), Value::Bool(b)) => a == b,
        (JsonValue::Number(a), Value::Number(b)) => same_number(a, b),
        (JsonValue::String(a), Value::String(b)) => a == b,
        (JsonValue::Array(a), Value::Array(b)) => {
            a.len() == b.len() && a.iter().zip(b).all(|(x, y)| same(x, y))
        }
        (JsonValue::Object(a), Value::Object(b)) => {
            a.len() == b.len() && a.iter().all(|(k, v)| b.get(k).is_some_and(|w| same(v, w)))
        }
        _ => false,
    }
}

/// True when a number of the document is beyond an f64 (serde_json's "number out of range").
fn has_huge_number(value: &JsonValue) -> bool {
    match value {
        JsonValue::Number(text) => text.parse::<f64>().map_or(true, |f| f.is_infinite()),
        JsonValue::Array(items) => items.iter().any(has_huge_number),
        JsonValue::Object(members) => members.iter().any(|(_, v)| has_huge_number(v)),
        _ => false,
    }
}

/// The most containers any value of the document sits in.
fn deepest(value: &Value, enclosing: usize) -> usize {
    match value {
        Value::Array(items) => items
            .iter()
            .map(|v| deepest(v, enclosing + 1))
            .max()
            .unwrap_or(enclosing),
        Value::Object(members) => members
            .values()
            .map(|v| deepest(v, enclosing + 1))
            .max()
            .unwrap_or(enclosing),
        _ => enclosing,
    }
}

fn largest_object(value: &Value) -> usize {
    match value {
        Value::Array(items) => items.iter().map(largest_object).max().unwrap_or(0),
        Value::Object(members) => members
            .values()
            .map(largest_object)
            .max()
            .unwrap_or(0)
            .max(members.len()),
        _ => 0,
    }
}

fuzz_target!(|data: &[u8]| {
    let ours = parse_json(data);
    let theirs = serde_json::from_slice::<Value>(data);
    match (&ours, &theirs) {
        (Ok(a), Ok(b)) => assert!(same(a, b), "different values: ours {a:?}, serde_json {b:?}"),
        (Err(_), Err(_)) => {}
        (Ok(a), Err(e)) => assert!(
            has_huge_number(a),
            "ours accepts what serde_json refuses ({e}): {a:?}"
        ),
        (Err(e), Ok(b)) => match e.reason {
            "nesting too deep" => assert!(
                deepest(b, 0) > MAX_DEPTH,
                "{e:?} at depth {}",
                deepest(b, 0)
            ),
            "too many members in an object" => assert!(largest_object(b) >= MAX_MEMBERS, "{e:?}"),
            "duplicate member name" => {}
            _ => panic!("ours refuses ({e:?}) what serde_json accepts: {b:?}"),
        },
    }
});
