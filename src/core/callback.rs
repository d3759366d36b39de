//! The redirect back from Coze, and the pending login kept across it.
//!
//! `start_login` stores `{state, code_verifier, redirect_uri}` keyed by state (several tabs may
//! log in at once), with the client id and base URLs of the app that started it;
//! `handle_callback` finds it by the callback's state, deletes it before anything else (so a
//! callback works once, on success and on failure alike), checks the state exactly and in
//! constant time, checks the login belongs to this app (same client id, API and www base
//! URLs), and exchanges the code.

use super::clock::Clock;
use super::encoding::for_each_query_pair;
use super::error::{scrub, Error, ErrorCode};
use super::json::{self, ObjectWriter, Value};
use super::pkce::{AuthorizationUrlParams, PkceAuthorizationUrl, PkceOAuthApp};
use super::random::RandomSource;
use super::secret::{constant_time_eq, Secret};
use super::text::cat;
use super::token::OAuthToken;
use crate::prelude::*;
use crate::transport::Transport;

/// Prefix of the storage keys of pending logins.
pub const PENDING_FLOW_KEY_PREFIX: &str = "coze-auth:pkce:";
/// A pending login older than this is refused: the user walked away.
pub const PENDING_FLOW_MAX_AGE_SECONDS: i64 = 3600;
/// How far in the future a pending login's start may lie (clock adjustments between the start
/// and the callback); further is a forged or corrupt entry, refused.
pub const PENDING_FLOW_MAX_FUTURE_SECONDS: i64 = 300;
/// The version of the stored form of a pending login. Older forms (without the app's client id
/// and base URLs) are refused like corrupt ones: the user starts the login again.
const PENDING_FLOW_VERSION: i64 = 2;

/// A key-value store for pending logins (`sessionStorage` in browsers).
pub trait PendingFlowStore {
    /// The value under `key`.
    fn get(&self, key: &str) -> Result<Option<String>, Error>;
    /// Stores `value` under `key`.
    fn set(&self, key: &str, value: &str) -> Result<(), Error>;
    /// Deletes `key` (no error if absent).
    fn remove(&self, key: &str) -> Result<(), Error>;
}

/// An in-memory [`PendingFlowStore`], for native apps and tests.
#[derive(Debug, Default)]
pub struct MemoryStore(core::cell::RefCell<alloc::collections::BTreeMap<String, String>>);

impl MemoryStore {
    /// How many entries it holds.
    pub fn len(&self) -> usize {
        self.0.borrow().len()
    }

    /// True when empty.
    pub fn is_empty(&self) -> bool {
        self.0.borrow().is_empty()
    }
}

impl PendingFlowStore for MemoryStore {
    fn get(&self, key: &str) -> Result<Option<String>, Error> {
        Ok(self.0.borrow().get(key).cloned())
    }
    fn set(&self, key: &str, value: &str) -> Result<(), Error> {
        self.0.borrow_mut().insert(key.to_owned(), value.to_owned());
        Ok(())
    }
    fn remove(&self, key: &str) -> Result<(), Error> {
        self.0.borrow_mut().remove(key);
        Ok(())
    }
}

/// The query parameters of a callback URL that matter.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Callback {
    /// The authorization code (secret).
    pub code: Option<Secret>,
    /// The state (echoed back by Coze).
    pub state: Option<Secret>,
    /// An OAuth error, e.g. `access_denied`.
    pub error: Option<String>,
    /// Its description.
    pub error_description: Option<String>,
}

/// Reads `code`, `state`, `error` and `error_description` from a callback URL. Empty values
/// count as absent; for repeated parameters the first wins.
pub fn parse_callback(url: &str) -> Callback {
    let mut callback = Callback::default();
    for_each_query_pair(url, |key, value| {
        if value.is_empty() {
            return;
        }
        match key.as_str() {
            "code" if callback.code.is_none() => callback.code = Some(Secret::new(value)),
            "state" if callback.state.is_none() => callback.state = Some(Secret::new(value)),
            "error" if callback.error.is_none() => callback.error = Some(value),
            "error_description" if callback.error_description.is_none() => {
                callback.error_description = Some(value)
            }
            _ => {}
        }
    });
    callback
}

/// A login waiting for its callback.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingFlow {
    /// The `state` sent in the authorize URL; the callback must echo it.
    pub state: Secret,
    /// The PKCE verifier whose challenge the authorize URL carried; the code exchange sends it.
    pub code_verifier: Secret,
    /// The redirect URI of the authorize URL; the code exchange must send the same.
    pub redirect_uri: String,
    /// Unix seconds when the login started.
    pub created_at: i64,
    /// The client id of the app that started the login.
    pub client_id: String,
    /// The normalised API base URL of that app (where the code is exchanged).
    pub base_url: String,
    /// The normalised consent (www) base URL of that app (where the user consented).
    pub www_base_url: String,
}

impl PendingFlow {
    /// The storage key for a state.
    pub fn key(state: &str) -> String {
        cat(&[PENDING_FLOW_KEY_PREFIX, state])
    }

    /// The stored form (JSON, version 2).
    pub fn to_json(&self) -> String {
        ObjectWriter::new()
            .integer("v", PENDING_FLOW_VERSION)
            .string("state", self.state.secret())
            .string("codeVerifier", self.code_verifier.secret())
            .string("redirectUri", &self.redirect_uri)
            .integer("createdAt", self.created_at)
            .string("clientId", &self.client_id)
            .string("baseUrl", &self.base_url)
            .string("wwwBaseUrl", &self.www_base_url)
            .finish()
    }

    /// Reads the stored form; `None` if it is not one of ours, or an older form (before
    /// version 2, which does not say which app started the login).
    pub fn from_json(text: &str) -> Option<PendingFlow> {
        let value = json::parse(text.as_bytes()).ok()?;
        if value.get("v").and_then(Value::as_i64) != Some(PENDING_FLOW_VERSION) {
            return None;
        }
        let field = |k: &str| value.get(k).and_then(Value::as_str).map(str::to_owned);
        Some(PendingFlow {
            state: Secret::new(field("state")?),
            code_verifier: Secret::new(field("codeVerifier")?),
            redirect_uri: field("redirectUri")?,
            created_at: value.get("createdAt").and_then(Value::as_i64)?,
            client_id: field("clientId")?,
            base_url: field("baseUrl")?,
            www_base_url: field("wwwBaseUrl")?,
        })
    }

    /// What differs between the app that started this login and `app`, named for a message
    /// (`None` when it is the same app).
    fn app_mismatch(&self, app: &PkceOAuthApp) -> Option<String> {
        let mut names = String::new();
        for (differs, name) in [
            (self.client_id != app.client_id(), "clientId"),
            (self.base_url != app.base_url(), "baseURL"),
            (self.www_base_url != app.www_base_url(), "wwwBaseURL"),
        ] {
            if differs {
                if !names.is_empty() {
                    names.push_str(", ");
                }
                names.push_str(name);
            }
        }
        (!names.is_empty()).then_some(names)
    }
}

fn missing_pending_flow(why: &str) -> Error {
    Error::new(
        ErrorCode::MissingPendingFlow,
        cat(&["No pending login matches this callback (", why, "). It may have been used already, started in another browser, or expired: start the login again."]),
    )
}

/// The state of a callback URL, or `invalid_state` when it has none.
fn callback_state(callback: &Callback) -> Result<&Secret, Error> {
    callback.state.as_ref().ok_or_else(|| {
        Error::new(
            ErrorCode::InvalidState,
            "The callback URL has no state, so it cannot be matched to a login this app started: start the login again.",
        )
    })
}

/// The storage key of the pending login that `callback_url` answers (`invalid_state` when the
/// URL has no state).
pub fn pending_flow_key(callback_url: &str) -> Result<String, Error> {
    callback_state(&parse_callback(callback_url)).map(|s| PendingFlow::key(s.secret()))
}

/// See [`PkceOAuthApp::take_pending_flow`].
pub fn take_pending_flow(
    callback_url: &str,
    store: &dyn PendingFlowStore,
    now: i64,
    app: &PkceOAuthApp,
) -> Result<(Secret, PendingFlow), Error> {
    let key = pending_flow_key(callback_url)?;
    let stored = store.get(&key)?;
    store.remove(&key)?;
    check_pending_flow(callback_url, stored.as_deref(), now, app)
}

/// The checks of [`take_pending_flow`], for a caller that has already taken the stored entry
/// (`stored`: what was kept under [`pending_flow_key`]) out of its store. `app` is the app
/// handling the callback: a login started by an app with another client id, API base URL or
/// www base URL is refused (`missing_pending_flow`), before any request is built. So is a
/// stored entry in an older form, a login more than an hour old, or one that claims to start
/// more than five minutes in the future.
pub fn check_pending_flow(
    callback_url: &str,
    stored: Option<&str>,
    now: i64,
    app: &PkceOAuthApp,
) -> Result<(Secret, PendingFlow), Error> {
    let callback = parse_callback(callback_url);
    let state = callback_state(&callback)?.clone();
    let pending = match stored {
        None => return Err(missing_pending_flow("none stored for this state")),
        Some(text) => PendingFlow::from_json(text).ok_or_else(|| {
            missing_pending_flow(
                "the stored entry is unreadable, or was stored by an older version of this library",
            )
        })?,
    };
    if !constant_time_eq(pending.state.secret().as_bytes(), state.secret().as_bytes()) {
        return Err(Error::new(
            ErrorCode::InvalidState,
            "The callback's state does not match the stored login: start the login again.",
        ));
    }
    if let Some(names) = pending.app_mismatch(app) {
        return Err(Error::new(
            ErrorCode::MissingPendingFlow,
            cat(&[
                "The pending login was started by a different app (its ",
                &names,
                " differ from this app's): handle the callback with the same app options that started the login, or start the login again.",
            ]),
        ));
    }
    let age = now.saturating_sub(pending.created_at);
    if age > PENDING_FLOW_MAX_AGE_SECONDS {
        return Err(missing_pending_flow("it is more than an hour old"));
    }
    if age < -PENDING_FLOW_MAX_FUTURE_SECONDS {
        return Err(missing_pending_flow(
            "it claims to start in the future; if this repeats, check this computer's clock",
        ));
    }
    if let Some(error) = callback.error {
        let secrets = [pending.code_verifier.secret(), state.secret()];
        let code = scrub(&error, &secrets);
        let description = callback.error_description.map(|d| scrub(&d, &secrets));
        let mut text = cat(&["Coze did not authorize the login: ", &code]);
        if let Some(d) = &description {
            text.push_str(&cat(&[" (", d, ")"]));
        }
        text.push('.');
        if code == "access_denied" {
            text.push_str(" The user declined; offer to try again.");
        }
        let mut err = Error::new(ErrorCode::OAuthError, text);
        err.error_code = Some(code);
        err.error_message = description;
        return Err(err);
    }
    let code = callback.code.ok_or_else(|| {
        Error::invalid_argument("The callback URL has neither a code nor an error.")
    })?;
    Ok((code, pending))
}

/// True when a stored pending login (`stored`: the value kept under a key with
/// [`PENDING_FLOW_KEY_PREFIX`]) can never be used at `now` (Unix seconds), so a store may drop
/// it: it is more than [`PENDING_FLOW_MAX_AGE_SECONDS`] old, or unreadable (corrupt, or the
/// form of an older version, both refused by [`check_pending_flow`] whatever the callback).
pub fn pending_flow_expired(stored: &str, now: i64) -> bool {
    match PendingFlow::from_json(stored) {
        Some(pending) => now.saturating_sub(pending.created_at) > PENDING_FLOW_MAX_AGE_SECONDS,
        None => true,
    }
}

impl PkceOAuthApp {
    /// Builds the authorize URL and stores the pending login in `store`, keyed by state.
    /// Navigating to the URL is the caller's job.
    pub fn start_login(
        &self,
        params: &AuthorizationUrlParams,
        store: &dyn PendingFlowStore,
        rng: &mut dyn RandomSource,
        now: i64,
    ) -> Result<PkceAuthorizationUrl, Error> {
        let (auth, key, value) = self.pending_login(params, rng, now)?;
        store.set(&key, &value)?;
        Ok(auth)
    }

    /// What [`Self::start_login`] does but the storing: the authorize URL, and the storage key
    /// and value of its pending login.
    pub fn pending_login(
        &self,
        params: &AuthorizationUrlParams,
        rng: &mut dyn RandomSource,
        now: i64,
    ) -> Result<(PkceAuthorizationUrl, String, String), Error> {
        let auth = self.authorization_url(params, rng)?;
        let pending = PendingFlow {
            state: auth.state.clone(),
            code_verifier: auth.code_verifier.clone(),
            redirect_uri: params.redirect_uri.clone(),
            created_at: now,
            client_id: self.client_id().to_owned(),
            base_url: self.base_url().to_owned(),
            www_base_url: self.www_base_url().to_owned(),
        };
        let key = PendingFlow::key(auth.state.secret());
        Ok((auth, key, pending.to_json()))
    }

    /// Takes the pending login that `callback_url` answers out of `store` and checks it: the
    /// flow is deleted before anything else, so each callback is usable once, and it must have
    /// been started by this app (same client id and base URLs). Returns the code and the
    /// pending flow to exchange it with.
    pub fn take_pending_flow(
        &self,
        callback_url: &str,
        store: &dyn PendingFlowStore,
        now: i64,
    ) -> Result<(Secret, PendingFlow), Error> {
        take_pending_flow(callback_url, store, now, self)
    }

    /// Completes a login started by [`Self::start_login`]: checks the callback against the
    /// stored login and exchanges the code. The stored login is deleted whatever the outcome.
    pub async fn handle_callback<T: Transport, C: Clock + ?Sized>(
        &self,
        transport: &T,
        clock: &C,
        callback_url: &str,
        store: &dyn PendingFlowStore,
    ) -> Result<OAuthToken, Error> {
        let now = clock.now_unix_seconds();
        let (code, pending) = self.take_pending_flow(callback_url, store, now)?;
        self.exchange_code(
            transport,
            clock,
            code.secret(),
            &pending.redirect_uri,
            pending.code_verifier.secret(),
        )
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::pkce::PkceOAuthAppOptions;
    use crate::core::random::tests::CountingRandom;

    const NOW: i64 = 1_800_000_000;

    fn app() -> PkceOAuthApp {
        PkceOAuthApp::new(PkceOAuthAppOptions {
            client_id: "cid".into(),
            ..Default::default()
        })
        .unwrap()
    }

    fn start(store: &MemoryStore) -> PkceAuthorizationUrl {
        start_with(store, &mut CountingRandom::default())
    }

    fn start_with(store: &MemoryStore, rng: &mut CountingRandom) -> PkceAuthorizationUrl {
        let params = AuthorizationUrlParams {
            redirect_uri: "https://app.example/cb".into(),
            ..Default::default()
        };
        app().start_login(&params, store, rng, NOW).unwrap()
    }

    #[test]
    fn parse_callback_reads_the_parameters() {
        let cb = parse_callback("https://app.example/cb?code=c%2F1&state=s&state=t&x=1#frag");
        assert_eq!(cb.code.as_ref().map(Secret::secret), Some("c/1"));
        assert_eq!(cb.state.as_ref().map(Secret::secret), Some("s"));
        let cb = parse_callback("/cb?error=access_denied&error_description=user+said+no&state=s");
        assert_eq!(cb.error.as_deref(), Some("access_denied"));
        assert_eq!(cb.error_description.as_deref(), Some("user said no"));
        assert_eq!(parse_callback("garbage"), Callback::default());
    }

    #[test]
    fn a_callback_completes_once() {
        let store = MemoryStore::default();
        let auth = start(&store);
        assert_eq!(store.len(), 1);
        let url = format!(
            "https://app.example/cb?code=abc&state={}",
            auth.state.secret()
        );
        let (code, pending) = app().take_pending_flow(&url, &store, NOW + 5).unwrap();
        assert_eq!(code.secret(), "abc");
        assert_eq!(pending.code_verifier, auth.code_verifier);
        assert_eq!(pending.redirect_uri, "https://app.example/cb");
        assert!(store.is_empty());
        let replay = app().take_pending_flow(&url, &store, NOW + 6).unwrap_err();
        assert_eq!(replay.code, ErrorCode::MissingPendingFlow);
    }

    #[test]
    fn state_problems_are_typed() {
        let store = MemoryStore::default();
        let auth = start(&store);
        let err = app()
            .take_pending_flow("https://app.example/cb?code=abc", &store, NOW)
            .unwrap_err();
        assert_eq!(err.code, ErrorCode::InvalidState);
        let err = app()
            .take_pending_flow("https://app.example/cb?code=abc&state=other", &store, NOW)
            .unwrap_err();
        assert_eq!(err.code, ErrorCode::MissingPendingFlow);
        // A tampered store entry whose state differs from its key.
        let key = PendingFlow::key(auth.state.secret());
        let forged = PendingFlow {
            state: Secret::new("x"),
            ..PendingFlow::from_json(&store.get(&key).unwrap().unwrap()).unwrap()
        };
        store.set(&key, &forged.to_json()).unwrap();
        let url = format!(
            "https://app.example/cb?code=abc&state={}",
            auth.state.secret()
        );
        assert_eq!(
            app().take_pending_flow(&url, &store, NOW).unwrap_err().code,
            ErrorCode::InvalidState
        );
        assert!(store.is_empty());
        store.set(&key, "not json").unwrap();
        assert_eq!(
            app().take_pending_flow(&url, &store, NOW).unwrap_err().code,
            ErrorCode::MissingPendingFlow
        );
    }

    #[test]
    fn error_callbacks_and_old_logins() {
        let store = MemoryStore::default();
        let auth = start(&store);
        let url = format!(
            "https://app.example/cb?error=access_denied&error_description=no&state={}",
            auth.state.secret()
        );
        let err = app().take_pending_flow(&url, &store, NOW).unwrap_err();
        assert_eq!(err.code, ErrorCode::OAuthError);
        assert_eq!(err.error_code.as_deref(), Some("access_denied"));
        assert_eq!(err.error_message.as_deref(), Some("no"));
        assert!(
            store.is_empty(),
            "an error callback deletes the pending flow"
        );

        let auth = start(&store);
        let url = format!(
            "https://app.example/cb?code=abc&state={}",
            auth.state.secret()
        );
        let err = app()
            .take_pending_flow(&url, &store, NOW + 3601)
            .unwrap_err();
        assert_eq!(err.code, ErrorCode::MissingPendingFlow);
        assert!(store.is_empty());

        let auth = start(&store);
        let url = format!("https://app.example/cb?state={}", auth.state.secret());
        assert_eq!(
            app().take_pending_flow(&url, &store, NOW).unwrap_err().code,
            ErrorCode::InvalidArgument
        );
    }

    #[test]
    fn concurrent_logins_do_not_clash() {
        let store = MemoryStore::default();
        let mut rng = CountingRandom::default();
        let first = start_with(&store, &mut rng);
        let second = start_with(&store, &mut rng);
        assert_eq!(store.len(), 2);
        for auth in [second, first] {
            let url = format!(
                "https://app.example/cb?code=abc&state={}",
                auth.state.secret()
            );
            let (_, pending) = app().take_pending_flow(&url, &store, NOW).unwrap();
            assert_eq!(pending.code_verifier, auth.code_verifier);
        }
        assert!(store.is_empty());
    }

    fn app_with(client_id: &str, base_url: &str, www_base_url: Option<&str>) -> PkceOAuthApp {
        PkceOAuthApp::new(PkceOAuthAppOptions {
            client_id: client_id.into(),
            base_url: Some(base_url.into()),
            www_base_url: www_base_url.map(Into::into),
        })
        .unwrap()
    }

    #[test]
    fn a_pending_login_expires_after_an_hour_and_an_unreadable_one_at_once() {
        let app = app_with("cid", "https://api.coze.cn", None);
        let params = AuthorizationUrlParams {
            redirect_uri: "https://app.example/cb".into(),
            ..Default::default()
        };
        let (_, _, stored) = app
            .pending_login(&params, &mut CountingRandom::default(), NOW)
            .unwrap();
        assert!(!pending_flow_expired(&stored, NOW));
        assert!(!pending_flow_expired(
            &stored,
            NOW + PENDING_FLOW_MAX_AGE_SECONDS
        ));
        assert!(pending_flow_expired(
            &stored,
            NOW + PENDING_FLOW_MAX_AGE_SECONDS + 1
        ));
        // A start in the future is not expired (the clock may have been set back).
        assert!(!pending_flow_expired(
            &stored,
            NOW - 10 * PENDING_FLOW_MAX_AGE_SECONDS
        ));
        for unusable in ["", "{not json", r#"{"state":"s","codeVerifier":"v"}"#, "[]"] {
            assert!(pending_flow_expired(unusable, NOW), "{unusable}");
        }
    }

    #[test]
    fn a_pending_login_belongs_to_the_app_that_started_it() {
        let started_by = app_with("cid", "https://api.coze.cn", None);
        let params = AuthorizationUrlParams {
            redirect_uri: "https://app.example/cb".into(),
            ..Default::default()
        };
        let (auth, _, stored) = started_by
            .pending_login(&params, &mut CountingRandom::default(), NOW)
            .unwrap();
        let flow = PendingFlow::from_json(&stored).unwrap();
        assert_eq!(
            (
                flow.client_id.as_str(),
                flow.base_url.as_str(),
                flow.www_base_url.as_str()
            ),
            ("cid", "https://api.coze.cn", "https://www.coze.cn")
        );
        let url = format!(
            "https://app.example/cb?code=abc&state={}",
            auth.state.secret()
        );
        for (other, names) in [
            (
                app_with("other-cid", "https://api.coze.cn", None),
                "clientId",
            ),
            (
                app_with("cid", "https://api.coze.com", None),
                "baseURL, wwwBaseURL",
            ),
            (
                app_with(
                    "cid",
                    "https://api.coze.cn",
                    Some("https://consent.example"),
                ),
                "wwwBaseURL",
            ),
        ] {
            let err = check_pending_flow(&url, Some(&stored), NOW, &other).unwrap_err();
            assert_eq!(err.code, ErrorCode::MissingPendingFlow, "{names}");
            assert!(err.message.contains(names), "{}", err.message);
            assert!(err.message.contains("different app"));
        }
        // The same app, even built anew with the same options, takes it.
        let same = app_with("cid", "https://api.coze.cn/", None);
        let (code, pending) = check_pending_flow(&url, Some(&stored), NOW, &same).unwrap();
        assert_eq!(code.secret(), "abc");
        assert_eq!(pending.code_verifier, auth.code_verifier);
    }

    #[test]
    fn an_old_format_pending_login_is_refused_and_says_start_again() {
        let store = MemoryStore::default();
        let auth = start(&store);
        let url = format!(
            "https://app.example/cb?code=abc&state={}",
            auth.state.secret()
        );
        let key = PendingFlow::key(auth.state.secret());
        let current = PendingFlow::from_json(&store.get(&key).unwrap().unwrap()).unwrap();
        // What the previous version stored: no version, no app.
        let old = ObjectWriter::new()
            .string("state", current.state.secret())
            .string("codeVerifier", current.code_verifier.secret())
            .string("redirectUri", &current.redirect_uri)
            .integer("createdAt", current.created_at)
            .finish();
        let err = check_pending_flow(&url, Some(&old), NOW, &app()).unwrap_err();
        assert_eq!(err.code, ErrorCode::MissingPendingFlow);
        assert!(
            err.message.contains("start the login again"),
            "{}",
            err.message
        );
        assert!(err.message.contains("older version"), "{}", err.message);
        // A start far in the future is refused; a little clock skew is not.
        let future = |at: i64| PendingFlow {
            created_at: at,
            ..current.clone()
        };
        let err =
            check_pending_flow(&url, Some(&future(NOW + 301).to_json()), NOW, &app()).unwrap_err();
        assert_eq!(err.code, ErrorCode::MissingPendingFlow);
        assert!(check_pending_flow(&url, Some(&future(NOW + 300).to_json()), NOW, &app()).is_ok());
    }
}
