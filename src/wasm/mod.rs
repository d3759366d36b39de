//! The JavaScript API: thin wrappers that convert JS values, call the core, and turn errors
//! into `CozeAuthError`. No protocol decisions here.

#[cfg(feature = "fetch")]
pub mod error;
#[cfg(feature = "fetch")]
pub mod fetch;
#[cfg(feature = "fetch")]
pub mod js;
#[cfg(feature = "fetch")]
pub mod pkce_app;
#[cfg(feature = "fetch")]
pub mod storage;
