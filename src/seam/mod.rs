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
//! contract test (`tests/package/seam/contract.test.mjs`) holds against the TypeScript's types and the
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

/// A value the TypeScript sends, borrowed from the parsed arguments. Reading never stops
/// half-way: a bad member is recorded in [`Args`] (the first one is reported) and stands in as
/// an empty value, so each field costs the module one small call rather than an error path.
pub(crate) trait Arg<'a>: Sized {
    /// Reads the member `key`, `None` when absent.
    fn take(args: &mut Args, value: Option<&'a Value>, key: &str) -> Self;
    /// The keys under this one, for the contract test: `(path, required)`.
    #[cfg(test)]
    fn schema(_path: &str, _out: &mut Vec<(String, bool)>) {}
    /// False for `Option`.
    #[cfg(test)]
    const REQUIRED: bool = true;
}

/// The first problem met while reading the arguments.
#[derive(Default)]
pub(crate) struct Args {
    error: Option<Error>,
}

impl Args {
    /// Records that the member `key` is not as it should be (`what`), unless a problem was
    /// recorded already.
    #[inline(never)]
    pub(crate) fn fail(&mut self, key: &str, what: &str) {
        if self.error.is_none() {
            self.error = Some(argument_error(key, what));
        }
    }

    /// `what` a required member `key` is not, absent or of another type.
    #[inline(never)]
    fn fail_required(&mut self, value: Option<&Value>, key: &str, what: &str) {
        match value {
            None => self.fail(key, "is missing"),
            Some(_) => self.fail(key, what),
        }
    }

    /// The members of the object `key`, every one of them among `keys`; none when it is not one.
    #[inline(never)]
    pub(crate) fn object<'a>(
        &mut self,
        value: Option<&'a Value>,
        key: &str,
        keys: &[&str],
    ) -> &'a [(String, Value)] {
        let Some(Value::Object(members)) = value else {
            self.fail_required(value, key, "must be an object");
            return &[];
        };
        if let Some((unknown, _)) = members.iter().find(|(k, _)| !keys.contains(&k.as_str())) {
            let mut path = String::from(key);
            path.push('.');
            path.push_str(unknown);
            self.fail(&path, "is not one this operation reads");
        }
        members
    }
}

/// The member `key` of an object's `members`.
#[inline(never)]
pub(crate) fn find<'a>(members: &'a [(String, Value)], key: &str) -> Option<&'a Value> {
    members.iter().find(|(k, _)| k == key).map(|(_, v)| v)
}

/// Reads the arguments of one operation from their parsed JSON.
pub(crate) fn read<'a, T: Arg<'a>>(value: &'a Value) -> Result<T, Error> {
    let mut args = Args::default();
    let t = T::take(&mut args, Some(value), "args");
    match args.error {
        Some(e) => Err(e),
        None => Ok(t),
    }
}

pub(crate) fn argument_error(key: &str, what: &str) -> Error {
    let mut message = String::from("coze-auth: the argument `");
    message.push_str(key);
    message.push_str("` ");
    message.push_str(what);
    message.push('.');
    Error::invalid_argument(message)
}

impl<'a> Arg<'a> for &'a str {
    fn take(args: &mut Args, value: Option<&'a Value>, key: &str) -> Self {
        match value {
            Some(Value::String(s)) => s,
            v => {
                args.fail_required(v, key, "must be a string");
                ""
            }
        }
    }
}

impl<'a> Arg<'a> for i64 {
    fn take(args: &mut Args, value: Option<&'a Value>, key: &str) -> Self {
        match value {
            Some(v @ Value::Number(_)) => v.as_i64(),
            _ => None,
        }
        .unwrap_or_else(|| {
            args.fail_required(value, key, "must be a whole number");
            0
        })
    }
}

impl<'a> Arg<'a> for bool {
    fn take(args: &mut Args, value: Option<&'a Value>, key: &str) -> Self {
        match value {
            Some(Value::Bool(b)) => *b,
            v => {
                args.fail_required(v, key, "must be a boolean");
                false
            }
        }
    }
}

#[cfg(any(test, feature = "node"))]
impl<'a> Arg<'a> for Vec<&'a str> {
    fn take(args: &mut Args, value: Option<&'a Value>, key: &str) -> Self {
        let strings = match value {
            Some(Value::Array(items)) => items.iter().map(Value::as_str).collect(),
            _ => None,
        };
        strings.unwrap_or_else(|| {
            args.fail_required(value, key, "must be an array of strings");
            Vec::new()
        })
    }
}

/// An optional member: absent or `null` is `None`.
impl<'a, T: Arg<'a>> Arg<'a> for Option<T> {
    fn take(args: &mut Args, value: Option<&'a Value>, key: &str) -> Self {
        match value {
            None | Some(Value::Null) => None,
            v => Some(T::take(args, v, key)),
        }
    }
    #[cfg(test)]
    fn schema(path: &str, out: &mut Vec<(String, bool)>) {
        T::schema(path, out)
    }
    #[cfg(test)]
    const REQUIRED: bool = false;
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

impl Out for &str {
    fn write(&self, out: &mut String) {
        write_string(out, self);
    }
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
pub(crate) struct RawJson<'a>(pub(crate) &'a str);

#[cfg(any(test, feature = "node"))]
impl Out for RawJson<'_> {
    fn write(&self, out: &mut String) {
        out.push_str(self.0);
    }
}

/// Appends `"key":value` (after a comma unless it is the object's first member) when the value
/// is present.
#[inline(never)]
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

/// A result's JSON text.
pub(crate) fn json(value: &impl Out) -> String {
    // Room for most answers at once (a request with a JWT is under 1 KiB), instead of growing
    // through 8, 16, 32, … bytes, each step a copy. The export hands the text over as a boxed
    // slice, which is one resize anyway.
    let mut out = String::with_capacity(1024);
    value.write(&mut out);
    out
}

/// Declares a struct that crosses the seam: its fields, each with the JSON key it has on the
/// TypeScript side. `seam_struct!(in …)` makes an argument (read strictly, borrowing from the
/// parsed JSON), `seam_struct!(out …)` a result (written in field order).
macro_rules! seam_struct {
    (in $(#[$meta:meta])* struct $name:ident<$lt:lifetime> { $($(#[$fmeta:meta])* $field:ident: $ty:ty = $key:literal),* $(,)? }) => {
        $(#[$meta])*
        pub(crate) struct $name<$lt> { $($(#[$fmeta])* pub(crate) $field: $ty),* }
        impl<$lt> $crate::seam::Arg<$lt> for $name<$lt> {
            #[inline(never)]
            fn take(args: &mut $crate::seam::Args, value: Option<&$lt $crate::core::json::Value>, key: &str) -> Self {
                let _members = args.object(value, key, &[$($key),*]);
                Self { $($field: <$ty as $crate::seam::Arg<$lt>>::take(args, $crate::seam::find(_members, $key), $key)),* }
            }
            #[cfg(test)]
            fn schema(path: &str, out: &mut Vec<(String, bool)>) {
                $(
                    let p = if path.is_empty() { String::from($key) } else { format!("{}.{}", path, $key) };
                    out.push((p.clone(), <$ty as $crate::seam::Arg<$lt>>::REQUIRED));
                    <$ty as $crate::seam::Arg<$lt>>::schema(&p, out);
                )*
                let _ = (path, out);
            }
        }
    };
    (out $(#[$meta:meta])* struct $name:ident $(<$lt:lifetime>)? { $($(#[$fmeta:meta])* $field:ident: $ty:ty = $key:literal),* $(,)? }) => {
        $(#[$meta])*
        pub(crate) struct $name $(<$lt>)? { $($(#[$fmeta])* pub(crate) $field: $ty),* }
        impl $(<$lt>)? $crate::seam::Out for $name $(<$lt>)? {
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

/// No arguments: the operation reads only its bytes.
#[cfg(any(test, feature = "node"))]
pub(crate) struct NoArgs;

#[cfg(any(test, feature = "node"))]
impl<'a> Arg<'a> for NoArgs {
    fn take(args: &mut Args, value: Option<&'a Value>, key: &str) -> Self {
        args.object(value, key, &[]);
        NoArgs
    }
}

/// No result members: the operation only checks its arguments.
pub(crate) struct Checked;

impl Out for Checked {
    fn write(&self, out: &mut String) {
        out.push_str("{}");
    }
}

/// The operations of one file of the seam, dispatched by [`run`].
pub(crate) trait Operation: Copy {
    /// Runs the operation with its parsed arguments and its bytes: the result's JSON text.
    fn call(self, args: &Value, bytes: &[u8]) -> Result<String, Error>;
}

/// Runs one operation: parses the JSON `args`, calls `op` with them and `bytes`, and answers
/// its result's JSON text, or the error's (`{"error": …}`). One function per file of
/// operations (a `match`), not one per export, so the module carries the common code once.
/// The JSON goes as text both ways: wasm-bindgen's glue (Node's) then writes the arguments
/// straight into the module's memory and decodes the answer where it lies, with no byte array
/// made for either (about 2 µs less per call than bytes both ways).
#[inline(never)]
pub(crate) fn run<O: Operation>(args: &str, bytes: &[u8], op: O) -> String {
    let result = match json::parse(args.as_bytes()) {
        Ok(value) => op.call(&value, bytes),
        Err(_) => Err(Error::invalid_argument("coze-auth: unreadable arguments.")),
    };
    match result {
        Ok(text) => text,
        Err(e) => {
            let mut out = String::from("{\"error\":");
            ErrorOut {
                code: e.code.as_str(),
                message: &e.message,
                error_code: e.error_code.as_deref(),
                error_message: e.error_message.as_deref(),
                param: e.param.as_deref(),
                log_id: e.log_id.as_deref(),
                status: e.status.map(i64::from),
            }
            .write(&mut out);
            out.push('}');
            out
        }
    }
}

seam_struct!(out
    /// A `CozeAuthError`'s fields.
    struct ErrorOut<'a> {
        code: &'a str = "code",
        message: &'a str = "message",
        error_code: Option<&'a str> = "errorCode",
        error_message: Option<&'a str> = "errorMessage",
        param: Option<&'a str> = "param",
        log_id: Option<&'a str> = "logId",
        status: Option<i64> = "status",
    }
);

seam_struct!(out
    /// A request for the TypeScript to send as it is.
    struct RequestOut<'a> {
        url: &'a str = "url",
        method: &'a str = "method",
        headers: HeadersOut<'a> = "headers",
        body: &'a str = "body",
    }
);

/// The request's headers, as an object of name to value.
pub(crate) struct HeadersOut<'a>(&'a [(String, String)]);

impl Out for HeadersOut<'_> {
    fn write(&self, out: &mut String) {
        out.push('{');
        for (name, value) in self.0 {
            write_member(out, name, value);
        }
        out.push('}');
    }
}

/// A request the core built, as the TypeScript receives it.
pub(crate) fn request_out(r: &crate::core::http::HttpRequest) -> RequestOut<'_> {
    RequestOut {
        url: &r.url,
        method: r.method,
        headers: HeadersOut(&r.headers),
        body: &r.body,
    }
}

/// The JSON of a request the core built.
pub(crate) fn request_json(r: &crate::core::http::HttpRequest) -> String {
    json(&request_out(r))
}

seam_struct!(in
    /// What the TypeScript received for a request the core built.
    struct ResponseArgs<'a> {
        /// The HTTP status (0: an opaque redirect).
        status: i64 = "status",
        /// The `x-tt-logid` header.
        log_id: Option<&'a str> = "logId",
        /// The `retry-after` header.
        retry_after: Option<&'a str> = "retryAfter",
        /// True when the body was over the size limit and not read.
        too_large: Option<bool> = "tooLarge",
    }
);

impl ResponseArgs<'_> {
    /// The response with its `body`, or the error of a body that was too large to read.
    pub(crate) fn with_body(&self, body: &[u8]) -> Result<crate::core::http::HttpResponse, Error> {
        let status = self.status.clamp(0, 999) as u16;
        let mut headers = Vec::new();
        if let Some(v) = self.log_id {
            headers.push(("x-tt-logid".to_owned(), v.to_owned()));
        }
        if let Some(v) = self.retry_after {
            headers.push(("retry-after".to_owned(), v.to_owned()));
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
