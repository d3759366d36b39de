//! Core errors → JS `CozeAuthError`.
//!
//! The package's JS entry registers its `CozeAuthError` class once at load; errors are built
//! with it, so `instanceof` works. Without a registered class (the wasm-bindgen tests) a plain
//! `Error` with the same fields is thrown.

use std::cell::RefCell;

use js_sys::{Array, Function, Object, Reflect};
use wasm_bindgen::prelude::*;

use super::js::set;
use crate::core::error::Error;

thread_local! {
    static ERROR_CLASS: RefCell<Option<Function>> = const { RefCell::new(None) };
}

/// Registers the class used for thrown errors (called by the package entry).
#[wasm_bindgen(js_name = __registerErrorClass)]
pub fn register_error_class(class: Function) {
    ERROR_CLASS.with(|c| *c.borrow_mut() = Some(class));
}

/// Converts a core error into the JS error to throw. `cause` is the underlying JS error, if any.
pub fn to_js_error(error: &Error, cause: Option<JsValue>) -> JsValue {
    let details = Object::new();
    set(&details, "code", &JsValue::from_str(error.code.as_str()));
    if let Some(v) = &error.error_code {
        set(&details, "errorCode", &JsValue::from_str(v));
    }
    if let Some(v) = &error.error_message {
        set(&details, "errorMessage", &JsValue::from_str(v));
    }
    if let Some(v) = error.status {
        set(&details, "status", &JsValue::from_f64(f64::from(v)));
    }
    if let Some(v) = &error.log_id {
        set(&details, "logId", &JsValue::from_str(v));
    }
    if let Some(c) = cause {
        set(&details, "cause", &c);
    }
    let message = JsValue::from_str(&error.message);
    let class = ERROR_CLASS.with(|c| c.borrow().clone());
    if let Some(class) = class {
        if let Ok(err) = Reflect::construct(&class, &Array::of2(&message, &details)) {
            return err;
        }
    }
    let err: Object = js_sys::Error::new(&error.message).into();
    set(&err, "name", &JsValue::from_str("CozeAuthError"));
    let _ = Object::assign(&err, &details);
    err.into()
}

/// Shorthand for `Err(to_js_error(error, None))`.
pub fn js_err(error: Error) -> JsValue {
    to_js_error(&error, None)
}
