//! Token caching for sources that mint rather than refresh (the JWT grant): when to mint again,
//! and a single-flight cache that shares one in-flight mint among concurrent callers.
//!
//! The policy ([`refresh_margin_seconds`], [`should_refresh`]) is sans-IO, for the JS layer to
//! reuse; [`TokenCache`] is the async part for Rust callers. Both are single-threaded: the
//! futures of wasm, of a `LocalSet`, or of one request handler.

use alloc::rc::Rc;
use core::cell::{Cell, RefCell};
use core::fmt;
use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll, Waker};

use super::clock::Clock;
use super::error::Error;
use super::token::OAuthToken;
use crate::prelude::*;

/// How long before its expiry a token of `lifetime_seconds` is replaced: 30 s for lifetimes of
/// 10 minutes or more, 10 s from a minute, 5 s from 30 s, else none (the go and java SDKs'
/// table), so a short-lived token is still used for most of its life.
pub fn refresh_margin_seconds(lifetime_seconds: i64) -> i64 {
    match lifetime_seconds {
        l if l >= 600 => 30,
        l if l >= 60 => 10,
        l if l >= 30 => 5,
        _ => 0,
    }
}

/// True when `token`, minted with a lifetime of `lifetime_seconds`, should be replaced at `now`
/// (Unix seconds): it expires within [`refresh_margin_seconds`].
pub fn should_refresh(token: &OAuthToken, lifetime_seconds: i64, now: i64) -> bool {
    token.expires_within(now, refresh_margin_seconds(lifetime_seconds))
}

/// One mint in progress, shared by its caller (the leader) and every caller that waits for it.
#[derive(Default)]
struct InFlight {
    result: RefCell<Option<Result<OAuthToken, Error>>>,
    /// The leader's future was dropped before the mint finished: waiters must try again.
    abandoned: Cell<bool>,
    wakers: RefCell<Vec<Waker>>,
}

impl InFlight {
    fn wake_all(&self) {
        let wakers = core::mem::take(&mut *self.wakers.borrow_mut());
        for waker in wakers {
            waker.wake();
        }
    }
}

enum Slot {
    /// A minted token, with when it must be replaced and when it expires, by the local clock.
    Ready {
        token: OAuthToken,
        refresh_at: i64,
        expires_at: i64,
    },
    Minting(Rc<InFlight>),
}

/// What a caller does after looking at the cache.
enum Next {
    Return(OAuthToken),
    Wait(Rc<InFlight>),
    Lead(Rc<InFlight>),
}

/// Waits for another caller's mint. `None` when that caller gave up (its future was dropped).
struct WaitFor(Rc<InFlight>);

impl Future for WaitFor {
    type Output = Option<Result<OAuthToken, Error>>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        if let Some(result) = self.0.result.borrow().as_ref() {
            return Poll::Ready(Some(result.clone()));
        }
        if self.0.abandoned.get() {
            return Poll::Ready(None);
        }
        let mut wakers = self.0.wakers.borrow_mut();
        if !wakers.iter().any(|w| w.will_wake(cx.waker())) {
            wakers.push(cx.waker().clone());
        }
        Poll::Pending
    }
}

/// A cache of tokens by key, minting through a caller-supplied function:
/// - a fresh cached token is returned without minting (see [`should_refresh`]; the lifetime is
///   measured from when the mint started);
/// - callers that ask while a mint for their key is in flight wait for it and share its result,
///   success or failure;
/// - a failed mint is not cached: the next call mints again;
/// - if the minting caller's future is dropped, a waiting caller takes over.
///
/// Expired entries are dropped whenever a new token is stored, so keys that stop being asked
/// for do not accumulate.
pub struct TokenCache {
    slots: RefCell<Vec<(String, Slot)>>,
    clock: Box<dyn Clock>,
}

impl fmt::Debug for TokenCache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let len = self.slots.try_borrow().map(|s| s.len()).unwrap_or(0);
        f.debug_struct("TokenCache").field("entries", &len).finish()
    }
}

/// Ends the leader's turn: publishes the result, or on drop without one, lets waiters retry.
struct Leader<'a> {
    cache: &'a TokenCache,
    key: &'a str,
    in_flight: Rc<InFlight>,
    finished: bool,
}

impl Leader<'_> {
    /// `started`: the local time the mint began; `granted_seconds`: the lifetime the grant asked
    /// for, which Coze grants.
    fn finish(mut self, result: &Result<OAuthToken, Error>, started: i64, granted_seconds: i64) {
        self.finished = true;
        let now = self.cache.now_unix_seconds();
        if let Ok(mut slots) = self.cache.slots.try_borrow_mut() {
            let mine =
                |slot: &Slot| matches!(slot, Slot::Minting(f) if Rc::ptr_eq(f, &self.in_flight));
            slots.retain(|(k, slot)| {
                let expired = matches!(slot, Slot::Ready { expires_at, .. } if *expires_at <= now);
                !(expired || (k == self.key && mine(slot)))
            });
            if let Ok(token) = result {
                // Freshness is measured on the local clock, from when the request was sent plus
                // the lifetime granted: the lifetime asked for, or less when Coze's absolute
                // `expires_in` says so by the local clock (a server that granted less, or a
                // local clock running fast). Comparing `expires_in` with the local clock alone
                // would serve tokens already expired when the local clock is slow.
                let lifetime = granted_seconds
                    .min(token.expires_in.saturating_sub(started))
                    .max(0);
                let expires_at = started.saturating_add(lifetime);
                slots.push((
                    self.key.to_owned(),
                    Slot::Ready {
                        token: token.clone(),
                        refresh_at: expires_at - refresh_margin_seconds(lifetime),
                        expires_at,
                    },
                ));
            }
        }
        *self.in_flight.result.borrow_mut() = Some(result.clone());
        self.in_flight.wake_all();
    }
}

impl Drop for Leader<'_> {
    fn drop(&mut self) {
        if self.finished {
            return;
        }
        if let Ok(mut slots) = self.cache.slots.try_borrow_mut() {
            slots.retain(|(k, slot)| {
                !(k == self.key
                    && matches!(slot, Slot::Minting(f) if Rc::ptr_eq(f, &self.in_flight)))
            });
        }
        self.in_flight.abandoned.set(true);
        self.in_flight.wake_all();
    }
}

impl TokenCache {
    /// An empty cache on `clock`: `coze_auth::SystemClock` in an app, a fixed or virtual clock
    /// (any `Fn() -> i64`) in tests and simulations.
    pub fn new(clock: impl Clock + 'static) -> Self {
        TokenCache {
            slots: RefCell::new(Vec::new()),
            clock: Box::new(clock),
        }
    }

    /// Now by the cache's clock, in Unix seconds.
    pub fn now_unix_seconds(&self) -> i64 {
        self.clock.now_unix_seconds()
    }

    /// Forgets every cached token (mints in flight still complete for their callers).
    pub fn clear(&self) {
        if let Ok(mut slots) = self.slots.try_borrow_mut() {
            slots.retain(|(_, slot)| matches!(slot, Slot::Minting(_)));
        }
    }

    /// The cached token for `key`, if there is one and it is fresh.
    pub fn cached(&self, key: &str) -> Option<OAuthToken> {
        let now = self.now_unix_seconds();
        let slots = self.slots.try_borrow().ok()?;
        slots
            .iter()
            .find(|(k, _)| k == key)
            .and_then(|(_, slot)| match slot {
                Slot::Ready {
                    token, refresh_at, ..
                } if now < *refresh_at => Some(token.clone()),
                _ => None,
            })
    }

    fn next_step(&self, key: &str) -> Next {
        let now = self.now_unix_seconds();
        let mut slots = match self.slots.try_borrow_mut() {
            Ok(slots) => slots,
            // Unreachable (no borrow outlives a call), but never a panic: mint uncached.
            Err(_) => return Next::Lead(Rc::new(InFlight::default())),
        };
        let in_flight = Rc::new(InFlight::default());
        match slots.iter_mut().find(|(k, _)| k == key) {
            Some((_, Slot::Minting(f))) => return Next::Wait(f.clone()),
            Some((
                _,
                Slot::Ready {
                    token, refresh_at, ..
                },
            )) if now < *refresh_at => return Next::Return(token.clone()),
            Some((_, slot)) => *slot = Slot::Minting(in_flight.clone()),
            None => slots.push((key.to_owned(), Slot::Minting(in_flight.clone()))),
        }
        Next::Lead(in_flight)
    }

    /// The token for `key`: cached, or minted by `mint` (once, however many callers ask at the
    /// same time). `granted_seconds` is the lifetime the mint asks for (the JWT grant's
    /// `duration_seconds`): a token is fresh until that long after its mint began, less
    /// [`refresh_margin_seconds`], by the cache's clock.
    pub async fn get_or_mint<F, Fut>(
        &self,
        key: &str,
        granted_seconds: i64,
        mint: F,
    ) -> Result<OAuthToken, Error>
    where
        F: Fn() -> Fut,
        Fut: Future<Output = Result<OAuthToken, Error>>,
    {
        loop {
            match self.next_step(key) {
                Next::Return(token) => return Ok(token),
                Next::Wait(in_flight) => {
                    if let Some(result) = WaitFor(in_flight).await {
                        return result;
                    }
                    // The minting caller gave up: look again (and perhaps mint).
                }
                Next::Lead(in_flight) => {
                    let leader = Leader {
                        cache: self,
                        key,
                        in_flight,
                        finished: false,
                    };
                    let started = self.now_unix_seconds();
                    let result = mint().await;
                    leader.finish(&result, started, granted_seconds);
                    return result;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::secret::Secret;

    fn token(expires_in: i64) -> OAuthToken {
        OAuthToken {
            access_token: Secret::new("t"),
            expires_in,
            refresh_token: None,
            token_type: None,
        }
    }

    #[test]
    fn margins_follow_the_lifetime() {
        assert_eq!(refresh_margin_seconds(86_399), 30);
        assert_eq!(refresh_margin_seconds(600), 30);
        assert_eq!(refresh_margin_seconds(599), 10);
        assert_eq!(refresh_margin_seconds(60), 10);
        assert_eq!(refresh_margin_seconds(59), 5);
        assert_eq!(refresh_margin_seconds(30), 5);
        assert_eq!(refresh_margin_seconds(29), 0);
        assert_eq!(refresh_margin_seconds(1), 0);
        assert_eq!(refresh_margin_seconds(-5), 0);
    }

    #[test]
    fn refresh_starts_at_the_margin() {
        let t = token(1_000_900);
        assert!(!should_refresh(&t, 900, 1_000_000));
        assert!(!should_refresh(&t, 900, 1_000_869));
        assert!(should_refresh(&t, 900, 1_000_870));
        assert!(should_refresh(&t, 900, 1_000_900));
        let short = token(1_000_010);
        assert!(!should_refresh(&short, 10, 1_000_009));
        assert!(should_refresh(&short, 10, 1_000_010));
    }
}
