//! A [`PendingFlowStore`] over Web `Storage`: where a page keeps its pending login
//! ([`PkceOAuthApp::start_login`](crate::PkceOAuthApp::start_login)) across the redirect to
//! Coze and back.

use js_sys::Reflect;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::Storage;

use crate::core::callback::PendingFlowStore;
use crate::core::error::Error;

/// Pending logins in a Web [`Storage`]: `sessionStorage` ([`WebStorageStore::session`], what a
/// page should use: per tab, gone when the tab closes) or any other `Storage`.
///
/// ```no_run
/// use coze_auth::adapters::WebStorageStore;
///
/// let store = WebStorageStore::session()?;
/// # Ok::<(), coze_auth::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct WebStorageStore {
    storage: Storage,
}

fn storage_error(what: &str) -> Error {
    Error::invalid_argument(format!(
        "Could not {what} the pending login in Web Storage (is it available here, and not full?)."
    ))
}

impl WebStorageStore {
    /// A store over `storage`: `window.local_storage()`, or any object with the `Storage`
    /// methods `getItem`, `setItem` and `removeItem` (cast with `unchecked_into`; its methods are
    /// called by name).
    pub fn new(storage: Storage) -> Self {
        WebStorageStore { storage }
    }

    /// A store over `globalThis.sessionStorage`. Fails with
    /// [`ErrorCode::InvalidArgument`](crate::ErrorCode::InvalidArgument) where there is none
    /// (Node, workers, storage disabled or denied): use [`WebStorageStore::new`] or another
    /// [`PendingFlowStore`] there.
    pub fn session() -> Result<Self, Error> {
        // Reading sessionStorage throws in opaque origins and with storage disabled: absent.
        Reflect::get(&js_sys::global(), &JsValue::from_str("sessionStorage"))
            .ok()
            .and_then(|s| s.dyn_into::<Storage>().ok())
            .map(WebStorageStore::new)
            .ok_or_else(|| {
                Error::invalid_argument(
                    "There is no sessionStorage here (Node, a worker, or storage disabled): keep the pending login in another PendingFlowStore.",
                )
            })
    }

    /// The `Storage` it uses.
    pub fn storage(&self) -> &Storage {
        &self.storage
    }
}

impl PendingFlowStore for WebStorageStore {
    fn get(&self, key: &str) -> Result<Option<String>, Error> {
        self.storage
            .get_item(key)
            .map_err(|_| storage_error("read"))
    }

    fn set(&self, key: &str, value: &str) -> Result<(), Error> {
        self.storage
            .set_item(key, value)
            .map_err(|_| storage_error("save"))
    }

    fn remove(&self, key: &str) -> Result<(), Error> {
        self.storage
            .remove_item(key)
            .map_err(|_| storage_error("delete"))
    }
}
