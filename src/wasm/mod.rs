//! The JavaScript API: thin wrappers that convert JS values, call the core, and turn errors
//! into `CozeAuthError`. No protocol decisions here.

pub mod error;
pub mod fetch;
pub mod js;
pub mod pkce_app;
pub mod storage;
