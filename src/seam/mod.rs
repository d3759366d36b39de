//! The seam between the npm package's TypeScript and the Rust core: one `#[wasm_bindgen]`
//! export per operation, each named as the TypeScript calls it (`pkceAuthorize`,
//! `readTokenResponse`, …), each taking its arguments as a JSON object and its bytes (a response
//! body, random bytes, a PEM), and answering JSON text: the result object, or
//! `{"error": {code, message, …}}` that the TypeScript throws as a `CozeAuthError`.
//!
//! The module is sans-IO and keeps no state between calls: the TypeScript does fetch, timers,
//! storage, random bytes and signing; every protocol decision is made by the core.
//!
//! Arguments and results are Rust structs declared with [`seam_struct!`]: the declaration is at
//! once the reader (every key the struct lists is read, a missing required key and any key it
//! does not list are errors that name the key, never defaults) and, in tests, the schema that the
//! contract test (`tests/seam/contract.test.mjs`) holds against the TypeScript's types and the
//! built modules' exports.
//!
//! - [`pkce`]: the PKCE app and the token reader (both builds);
//! - `device`, `jwt`, `web`: the Node build's flows (feature `node`).

// Natively the module is compiled for its tests only, where the exports are JS's to call.
#![cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]

use crate::core::error::Error;
use crate::core::json::{self, write_string, Value};
use crate::core::text::push_int;
use crate::prelude::*;

#[cfg(test)]
mod contract;
#[cfg(any(test, feature = "node"))]
pub(crate) mod device;
#[cfg(any(test, feature = "node"))]
pub(crate) mod jwt;
pub(crate) mod pkce;
#[cfg(test)]
mod tests;
#[cfg(any(test, feature = "node"))]
pub(crate) mod web;

/// A value the TypeScript sends: read from the JSON member `key` (named in errors).
pub(crate) trait Arg: Sized {
    /// Reads the member `key`, present with `value`.
    fn read(value: &Value, key: &str) -> Result<Self, Error>;
    /// The member `key` is absent: an error, unless the type is optional.
    fn absent(key: &str) -> Result<Self, Error> {
        Err(argument_error(key, "is missing"))
    }
    /// The keys under this one, for the contract test: `(path, required)`.
    #[cfg(test)]
    fn schema(_path: &str, _out: &mut Vec<(String, bool)>) {}
    /// False for `Option`.
    #[cfg(test)]
    const REQUIRED: bool = true;
}

/// A value the TypeScript receives: written as JSON text.
pub(crate) trait Out {
    /// Appends the value as JSON.
    fn write(&self, out: &mut String);
    /// False when the member is to be left out (`None`).
    fn present(&self) -> bool {
        true
    }
    /// The keys under this one, for the contract test: `(path, always present)`.
    #[cfg(test)]
    fn schema(_path: &str, _out: &mut Vec<(String, bool)>) {}
    /// False for `Option`.
    #[cfg(test)]
    const REQUIRED: bool = true;
}

pub(crate) fn argument_error(key: &str, what: &str) -> Error {
    let mut message = String::from("coze-auth: the argument `");
    message.push_str(key);
    message.push_str("` ");
    message.push_str(what);
    message.push('.');
    Error::invalid_argument(message)
}

impl Arg for String {
    fn read(value: &Value, key: &str) -> Result<Self, Error> {
        value
            .as_str()
            .map(str::to_owned)
            .ok_or_else(|| argument_error(key, "must be a string"))
    }
}

impl Arg for i64 {
    fn read(value: &Value, key: &str) -> Result<Self, Error> {
        match value {
            Value::Number(_) => value.as_i64(),
            _ => None,
        }
        .ok_or_else(|| argument_error(key, "must be a whole number"))
    }
}

impl Arg for bool {
    fn read(value: &Value, key: &str) -> Result<Self, Error> {
        match value {
            Value::Bool(b) => Ok(*b),
            _ => Err(argument_error(key, "must be a boolean")),
        }
    }
}

impl Arg for Vec<String> {
    fn read(value: &Value, key: &str) -> Result<Self, Error> {
        let not_strings = || argument_error(key, "must be an array of strings");
        match value {
            Value::Array(items) => items
                .iter()
                .map(|v| v.as_str().map(str::to_owned))
                .collect::<Option<Vec<String>>>()
                .ok_or_else(not_strings),
            _ => Err(not_strings()),
        }
    }
}

/// An optional member: absent or `null` is `None`.
impl<T: Arg> Arg for Option<T> {
    fn read(value: &Value, key: &str) -> Result<Self, Error> {
        match value {
            Value::Null => Ok(None),
            v => T::read(v, key).map(Some),
        }
    }
    fn absent(_key: &str) -> Result<Self, Error> {
        Ok(None)
    }
    #[cfg(test)]
    fn schema(path: &str, out: &mut Vec<(String, bool)>) {
        T::schema(path, out)
    }
    #[cfg(test)]
    const REQUIRED: bool = false;
}

impl Out for String {
    fn write(&self, out: &mut String) {
        write_string(out, self);
    }
}

impl Out for i64 {
    fn write(&self, out: &mut String) {
        push_int(out, *self);
    }
}

impl Out for bool {
    fn write(&self, out: &mut String) {
        out.push_str(if *self { "true" } else { "false" });
    }
}

impl<T: Out> Out for Option<T> {
    fn write(&self, out: &mut String) {
        match self {
            Some(v) => v.write(out),
            None => out.push_str("null"),
        }
    }
    fn present(&self) -> bool {
        self.is_some()
    }
    #[cfg(test)]
    fn schema(path: &str, out: &mut Vec<(String, bool)>) {
        T::schema(path, out)
    }
    #[cfg(test)]
    const REQUIRED: bool = false;
}

/// JSON text written elsewhere by the core (a scope object), passed through as it is.
#[cfg(any(test, feature = "node"))]
pub(crate) struct RawJson(pub(crate) String);

#[cfg(any(test, feature = "node"))]
impl Out for RawJson {
    fn write(&self, out: &mut String) {
        out.push_str(&self.0);
    }
}

/// The members of an object argument, with every key checked against `keys`.
pub(crate) fn members<'a>(
    value: &'a Value,
    key: &str,
    keys: &[&str],
) -> Result<&'a [(String, Value)], Error> {
    let Value::Object(members) = value else {
        return Err(argument_error(key, "must be an object"));
    };
    if let Some((unknown, _)) = members.iter().find(|(k, _)| !keys.contains(&k.as_str())) {
        let mut path = String::from(key);
        path.push('.');
        path.push_str(unknown);
        return Err(argument_error(&path, "is not one this operation reads"));
    }
    Ok(members)
}

/// The member `key` of `members`, read as `T`.
pub(crate) fn member<T: Arg>(members: &[(String, Value)], key: &str) -> Result<T, Error> {
    match members.iter().find(|(k, _)| k == key) {
        Some((_, v)) => T::read(v, key),
        None => T::absent(key),
    }
}

/// Appends `"key":value` (after a comma unless it is the object's first member) when the value
/// is present.
pub(crate) fn write_member(out: &mut String, key: &str, value: &impl Out) {
    if value.present() {
        if !out.ends_with('{') {
            out.push(',');
        }
        write_string(out, key);
        out.push(':');
        value.write(out);
    }
}

/// Declares a struct that crosses the seam: its fields, each with the JSON key it has on the
/// TypeScript side. `seam_struct!(in …)` makes an argument (read strictly), `seam_struct!(out
/// …)` a result (written in field order).
macro_rules! seam_struct {
    (in $(#[$meta:meta])* struct $name:ident { $($(#[$fmeta:meta])* $field:ident: $ty:ty = $key:literal),* $(,)? }) => {
        $(#[$meta])*
        pub(crate) struct $name { $($(#[$fmeta])* pub(crate) $field: $ty),* }
        impl $crate::seam::Arg for $name {
            fn read(value: &$crate::core::json::Value, key: &str) -> Result<Self, $crate::core::error::Error> {
                let _members = $crate::seam::members(value, key, &[$($key),*])?;
                Ok(Self { $($field: $crate::seam::member(_members, $key)?),* })
            }
            #[cfg(test)]
            fn schema(path: &str, out: &mut Vec<(String, bool)>) {
                $(
                    let p = if path.is_empty() { String::from($key) } else { format!("{}.{}", path, $key) };
                    out.push((p.clone(), <$ty as $crate::seam::Arg>::REQUIRED));
                    <$ty as $crate::seam::Arg>::schema(&p, out);
                )*
                let _ = (path, out);
            }
        }
    };
    (out $(#[$meta:meta])* struct $name:ident { $($(#[$fmeta:meta])* $field:ident: $ty:ty = $key:literal),* $(,)? }) => {
        $(#[$meta])*
        pub(crate) struct $name { $($(#[$fmeta])* pub(crate) $field: $ty),* }
        impl $crate::seam::Out for $name {
            fn write(&self, out: &mut String) {
                out.push('{');
                $($crate::seam::write_member(out, $key, &self.$field);)*
                out.push('}');
            }
            #[cfg(test)]
            fn schema(path: &str, out: &mut Vec<(String, bool)>) {
                $(
                    let p = if path.is_empty() { String::from($key) } else { format!("{}.{}", path, $key) };
                    out.push((p.clone(), <$ty as $crate::seam::Out>::REQUIRED));
                    <$ty as $crate::seam::Out>::schema(&p, out);
                )*
                let _ = (path, out);
            }
        }
    };
}
pub(crate) use seam_struct;

#[cfg(any(test, feature = "node"))]
seam_struct!(in
    /// No arguments: the operation reads only its bytes.
    struct NoArgs {}
);

/// No result members: the operation only checks its arguments.
pub(crate) struct Checked;

impl Out for Checked {
    fn write(&self, out: &mut String) {
        out.push_str("{}");
    }
}

/// Runs one operation: reads `A` from the JSON `args`, calls `op`, and answers the result's
/// JSON text, or the error's (`{"error": …}`).
pub(crate) fn run<A: Arg, R: Out>(args: &[u8], op: impl FnOnce(A) -> Result<R, Error>) -> Vec<u8> {
    let result = match json::parse(args) {
        Ok(value) => A::read(&value, "args").and_then(op),
        Err(_) => Err(Error::invalid_argument("coze-auth: unreadable arguments.")),
    };
    let mut out = String::new();
    match result {
        Ok(r) => r.write(&mut out),
        Err(e) => {
            out.push_str("{\"error\":");
            ErrorOut::from(&e).write(&mut out);
            out.push('}');
        }
    }
    out.into_bytes()
}

seam_struct!(out
    /// A `CozeAuthError`'s fields.
    struct ErrorOut {
        code: String = "code",
        message: String = "message",
        error_code: Option<String> = "errorCode",
        error_message: Option<String> = "errorMessage",
        log_id: Option<String> = "logId",
        status: Option<i64> = "status",
    }
);

impl From<&Error> for ErrorOut {
    fn from(e: &Error) -> Self {
        ErrorOut {
            code: e.code.as_str().to_owned(),
            message: e.message.clone(),
            error_code: e.error_code.clone(),
            error_message: e.error_message.clone(),
            log_id: e.log_id.clone(),
            status: e.status.map(i64::from),
        }
    }
}

seam_struct!(out
    /// A request for the TypeScript to send as it is.
    struct RequestOut {
        url: String = "url",
        method: String = "method",
        headers: HeadersOut = "headers",
        body: String = "body",
    }
);

/// The request's headers, as an object of name to value.
pub(crate) struct HeadersOut(Vec<(String, String)>);

impl Out for HeadersOut {
    fn write(&self, out: &mut String) {
        out.push('{');
        for (name, value) in &self.0 {
            write_member(out, name, value);
        }
        out.push('}');
    }
}

impl From<crate::core::http::HttpRequest> for RequestOut {
    fn from(r: crate::core::http::HttpRequest) -> Self {
        RequestOut {
            url: r.url,
            method: r.method.to_owned(),
            headers: HeadersOut(r.headers),
            body: r.body,
        }
    }
}

seam_struct!(in
    /// What the TypeScript received for a request the core built.
    struct ResponseArgs {
        /// The HTTP status (0: an opaque redirect).
        status: i64 = "status",
        /// The `x-tt-logid` header.
        log_id: Option<String> = "logId",
        /// The `retry-after` header.
        retry_after: Option<String> = "retryAfter",
        /// True when the body was over the size limit and not read.
        too_large: Option<bool> = "tooLarge",
    }
);

impl ResponseArgs {
    /// The response with its `body`, or the error of a body that was too large to read.
    pub(crate) fn with_body(&self, body: &[u8]) -> Result<crate::core::http::HttpResponse, Error> {
        let status = self.status.clamp(0, 999) as u16;
        let mut headers = Vec::new();
        if let Some(v) = &self.log_id {
            headers.push(("x-tt-logid".to_owned(), v.clone()));
        }
        if let Some(v) = &self.retry_after {
            headers.push(("retry-after".to_owned(), v.clone()));
        }
        let response = crate::core::http::HttpResponse {
            status,
            headers,
            body: body.to_vec(),
        };
        if self.too_large == Some(true) {
            return Err(crate::core::http::body_too_large(status, response.log_id()));
        }
        Ok(response)
    }
}

/// Random bytes handed over by the TypeScript, drawn from its CSPRNG.
pub(crate) struct GivenRandom<'a>(pub(crate) &'a [u8]);

impl crate::core::random::RandomSource for GivenRandom<'_> {
    fn fill(&mut self, buf: &mut [u8]) -> Result<(), Error> {
        let Some((now, rest)) = self.0.split_at_checked(buf.len()) else {
            return Err(Error::invalid_argument(
                "Not enough random bytes from crypto.getRandomValues.",
            ));
        };
        // Not copy_from_slice: its length check is a panic path the module need not carry.
        for (b, r) in buf.iter_mut().zip(now) {
            *b = *r;
        }
        self.0 = rest;
        Ok(())
    }
}
