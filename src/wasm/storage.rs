//! Pending logins in a JS `Storage` (`sessionStorage` by default, or the caller's).

use wasm_bindgen::prelude::*;

use super::js::get;
use crate::core::callback::PendingFlowStore;
use crate::core::error::Error;

/// A `sessionStorage`-like JS object.
pub struct JsStore(JsValue);

fn storage_error(what: &str) -> Error {
    Error::invalid_argument(format!(
        "Could not {what} the pending login in storage (is sessionStorage available and not full?). Pass `storage` to use another store."
    ))
}

impl JsStore {
    /// `options.storage`, else `globalThis.sessionStorage`.
    pub fn from_options(options: &JsValue) -> Result<JsStore, Error> {
        let given = get(options, "storage");
        let store = if given.is_undefined() || given.is_null() {
            // Reading sessionStorage can throw (opaque origins, disabled storage): treat as absent.
            get(&js_sys::global(), "sessionStorage")
        } else {
            given
        };
        let usable = ["getItem", "setItem", "removeItem"]
            .iter()
            .all(|m| get(&store, m).is_function());
        if !usable {
            return Err(Error::invalid_argument(
                "No storage for the pending login: sessionStorage is not available here, so pass `storage` (an object with getItem, setItem and removeItem).",
            ));
        }
        Ok(JsStore(store))
    }

    fn call(&self, method: &str, args: &[&str]) -> Result<JsValue, JsValue> {
        let f: js_sys::Function = get(&self.0, method).into();
        match args {
            [a] => f.call1(&self.0, &JsValue::from_str(a)),
            [a, b] => f.call2(&self.0, &JsValue::from_str(a), &JsValue::from_str(b)),
            _ => f.call0(&self.0),
        }
    }
}

impl PendingFlowStore for JsStore {
    fn get(&self, key: &str) -> Result<Option<String>, Error> {
        self.call("getItem", &[key])
            .map(|v| v.as_string())
            .map_err(|_| storage_error("read"))
    }
    fn set(&self, key: &str, value: &str) -> Result<(), Error> {
        self.call("setItem", &[key, value])
            .map(|_| ())
            .map_err(|_| storage_error("save"))
    }
    fn remove(&self, key: &str) -> Result<(), Error> {
        self.call("removeItem", &[key])
            .map(|_| ())
            .map_err(|_| storage_error("delete"))
    }
}
