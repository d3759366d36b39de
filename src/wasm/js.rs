//! Reading JS option objects and building JS results, without panicking on odd input.

use js_sys::{Function, Object, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::core::error::Error;
use crate::core::token::OAuthToken;

/// Fills `buf` from `globalThis.crypto.getRandomValues` (at most 65536 bytes per call).
pub fn fill_random(buf: &mut [u8]) -> Result<(), Error> {
    crate::core::random::RandomSource::fill(&mut crate::platform::SystemRandom, buf)
}

/// `value[key]`, or `undefined` when `value` is not an object or the getter throws.
pub fn get(value: &JsValue, key: &str) -> JsValue {
    if !value.is_object() && !value.is_function() {
        return JsValue::UNDEFINED;
    }
    Reflect::get(value, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

/// Sets `target[key] = value` (ignores failures: the target is always our own fresh object).
pub fn set(target: &Object, key: &str, value: &JsValue) {
    let _ = Reflect::set(target, &JsValue::from_str(key), value);
}

/// Checks that an options/params argument is an object (or absent, if `optional`).
pub fn expect_object(value: &JsValue, name: &str, optional: bool) -> Result<(), Error> {
    if value.is_object() || (optional && value.is_undefined()) {
        Ok(())
    } else {
        Err(Error::invalid_argument(format!(
            "{name} must be an object."
        )))
    }
}

/// An optional string option: `undefined`/`null` → `None`.
pub fn optional_string(obj: &JsValue, key: &str) -> Result<Option<String>, Error> {
    let value = get(obj, key);
    if value.is_undefined() || value.is_null() {
        return Ok(None);
    }
    value
        .as_string()
        .map(Some)
        .ok_or_else(|| Error::invalid_argument(format!("{key} must be a string.")))
}

/// A required string option.
pub fn required_string(obj: &JsValue, key: &str) -> Result<String, Error> {
    optional_string(obj, key)?.ok_or_else(|| Error::invalid_argument(format!("{key} is required.")))
}

/// An optional function option.
pub fn optional_function(obj: &JsValue, key: &str) -> Result<Option<Function>, Error> {
    let value = get(obj, key);
    if value.is_undefined() || value.is_null() {
        return Ok(None);
    }
    value
        .dyn_into::<Function>()
        .map(Some)
        .map_err(|_| Error::invalid_argument(format!("{key} must be a function.")))
}

/// An optional time in milliseconds: a whole number from 1 to 2147483647 (setTimeout's limit).
pub fn optional_millis(obj: &JsValue, key: &str) -> Result<Option<u32>, Error> {
    let value = get(obj, key);
    if value.is_undefined() || value.is_null() {
        return Ok(None);
    }
    match value.as_f64() {
        Some(ms) if ms.fract() == 0.0 && (1.0..=2_147_483_647.0).contains(&ms) => {
            Ok(Some(ms as u32))
        }
        _ => Err(Error::invalid_argument(format!(
            "{key} must be a whole number of milliseconds from 1 to 2147483647."
        ))),
    }
}

/// The `signal` option, if it looks like an AbortSignal (duck-typed, so polyfills and other
/// realms work).
pub fn optional_signal(obj: &JsValue) -> Result<Option<web_sys::AbortSignal>, Error> {
    let value = get(obj, "signal");
    if value.is_undefined() || value.is_null() {
        return Ok(None);
    }
    let looks_right =
        get(&value, "aborted").as_bool().is_some() && get(&value, "addEventListener").is_function();
    if !looks_right {
        return Err(Error::invalid_argument("signal must be an AbortSignal."));
    }
    Ok(Some(value.unchecked_into()))
}

/// A token as a plain JS object with Coze's wire names; absent fields are left out.
pub fn token_to_js(token: &OAuthToken) -> JsValue {
    let out = Object::new();
    set(
        &out,
        "access_token",
        &JsValue::from_str(token.access_token.secret()),
    );
    set(
        &out,
        "expires_in",
        &JsValue::from_f64(token.expires_in as f64),
    );
    if let Some(r) = &token.refresh_token {
        set(&out, "refresh_token", &JsValue::from_str(r.secret()));
    }
    if let Some(t) = &token.token_type {
        set(&out, "token_type", &JsValue::from_str(t));
    }
    out.into()
}
