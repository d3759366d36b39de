//! The self-renewing JWT token source: cached until the refresh margin, one grant for any number
//! of concurrent callers, failures not cached, a dropped leader taken over.

use std::cell::{Cell, RefCell};
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};

use coze_auth::{
    Error, ErrorCode, HttpRequest, HttpResponse, JwtFlow, JwtFlowOptions, JwtTokenParams,
    JwtTokenSource, OAuthToken, RandomSource, Scope, Signer, SystemRandom, TokenCache, Transport,
};
use futures_executor::block_on;

const START: i64 = 1_800_000_000;

/// Returns `Pending` once (waking itself), so a request is really in flight while others poll.
struct YieldOnce(bool);

impl Future for YieldOnce {
    type Output = ();
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.0 {
            Poll::Ready(())
        } else {
            self.0 = true;
            cx.waker().wake_by_ref();
            Poll::Pending
        }
    }
}

/// Polls every future until all are done; their outputs in order.
fn join_all<T: Unpin>(futures: Vec<Pin<Box<dyn Future<Output = T> + '_>>>) -> Vec<T> {
    struct JoinAll<'a, T> {
        futures: Vec<Option<Pin<Box<dyn Future<Output = T> + 'a>>>>,
        outputs: Vec<Option<T>>,
    }
    impl<T: Unpin> Future for JoinAll<'_, T> {
        type Output = Vec<T>;
        fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Vec<T>> {
            let this = self.get_mut();
            for (slot, out) in this.futures.iter_mut().zip(this.outputs.iter_mut()) {
                if let Some(f) = slot {
                    if let Poll::Ready(v) = f.as_mut().poll(cx) {
                        *out = Some(v);
                        *slot = None;
                    }
                }
            }
            if this.futures.iter().all(Option::is_none) {
                Poll::Ready(this.outputs.iter_mut().map(|o| o.take().unwrap()).collect())
            } else {
                Poll::Pending
            }
        }
    }
    let outputs = futures.iter().map(|_| None).collect();
    block_on(JoinAll {
        futures: futures.into_iter().map(Some).collect(),
        outputs,
    })
}

/// A token endpoint on a fake clock: counts grants, answers `expires_in = now + lifetime`,
/// fails while `failures` is positive, and stays in flight for one poll.
struct Endpoint {
    clock: Rc<Cell<i64>>,
    /// How far Coze's clock is ahead of the local one, in seconds.
    server_ahead: Cell<i64>,
    lifetime: i64,
    hits: Cell<u32>,
    failures: Cell<u32>,
}

impl Transport for Endpoint {
    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, Error> {
        YieldOnce(false).await;
        let n = self.hits.get() + 1;
        self.hits.set(n);
        assert!(request.body.contains("jwt-bearer"));
        let (status, body) = if self.failures.get() > 0 {
            self.failures.set(self.failures.get() - 1);
            (
                500,
                r#"{"error_code":"internal_error","error_message":"try later"}"#.to_owned(),
            )
        } else {
            (
                200,
                format!(
                    r#"{{"access_token":"czs_jwt_{n}","expires_in":{},"token_type":"Bearer"}}"#,
                    self.clock.get() + self.server_ahead.get() + self.lifetime
                ),
            )
        };
        Ok(HttpResponse {
            status,
            headers: vec![],
            body: body.into_bytes(),
        })
    }
}

/// Signs instantly (the cache is what is under test here).
struct FakeSigner;
impl Signer for FakeSigner {
    async fn sign(&self, _: &[u8]) -> Result<Vec<u8>, Error> {
        Ok(vec![0xab; 256])
    }
}

fn source(lifetime: i64) -> (JwtTokenSource<Endpoint, FakeSigner>, Rc<Cell<i64>>) {
    let clock = Rc::new(Cell::new(START));
    let endpoint = Endpoint {
        clock: clock.clone(),
        server_ahead: Cell::new(0),
        lifetime,
        hits: Cell::new(0),
        failures: Cell::new(0),
    };
    let flow = JwtFlow::new(JwtFlowOptions {
        app_id: "app".into(),
        keyid: "kid".into(),
        ..Default::default()
    })
    .unwrap();
    let cache_clock = clock.clone();
    let cache = TokenCache::new(move || cache_clock.get());
    (
        JwtTokenSource::with_cache(flow, endpoint, FakeSigner, cache, SystemRandom),
        clock,
    )
}

fn hits(s: &JwtTokenSource<Endpoint, FakeSigner>) -> u32 {
    s.transport().hits.get()
}

fn token_of(r: &Result<OAuthToken, Error>) -> &str {
    r.as_ref().unwrap().access_token.secret()
}

#[test]
fn two_hundred_sequential_calls_mint_once() {
    let (s, clock) = source(900);
    let params = JwtTokenParams::default();
    for i in 0..200 {
        clock.set(START + i); // time passes, well inside the lifetime
        let t = block_on(s.access_token(&params)).unwrap();
        assert_eq!(t.access_token.secret(), "czs_jwt_1");
    }
    assert_eq!(hits(&s), 1);
}

#[test]
fn concurrent_callers_share_one_grant() {
    let (s, _) = source(900);
    let params = JwtTokenParams::default();
    let futures: Vec<Pin<Box<dyn Future<Output = _>>>> = (0..50)
        .map(|_| Box::pin(s.access_token(&params)) as Pin<Box<dyn Future<Output = _>>>)
        .collect();
    let results = join_all(futures);
    assert_eq!(hits(&s), 1);
    assert!(results.iter().all(|r| token_of(r) == "czs_jwt_1"));
    // And the result is cached for later callers.
    block_on(s.access_token(&params)).unwrap();
    assert_eq!(hits(&s), 1);
}

#[test]
fn different_parameters_are_different_tokens() {
    let (s, _) = source(900);
    let a = JwtTokenParams::default();
    let b = JwtTokenParams {
        scope: Some(Scope::bot_chat(&["b1"], &[])),
        ..Default::default()
    };
    let c = JwtTokenParams {
        session_name: Some("user-1".into()),
        ..Default::default()
    };
    let d = JwtTokenParams {
        account_id: Some("42".into()),
        ..Default::default()
    };
    let futures: Vec<Pin<Box<dyn Future<Output = _>>>> = vec![
        Box::pin(s.access_token(&a)),
        Box::pin(s.access_token(&b)),
        Box::pin(s.access_token(&a)),
        Box::pin(s.access_token(&c)),
        Box::pin(s.access_token(&d)),
        Box::pin(s.access_token(&b)),
    ];
    let results = join_all(futures);
    assert_eq!(hits(&s), 4);
    assert_eq!(token_of(&results[0]), token_of(&results[2]));
    assert_eq!(token_of(&results[1]), token_of(&results[5]));
    assert_ne!(token_of(&results[0]), token_of(&results[1]));
}

#[test]
fn expiry_re_mints_exactly_once_at_the_margin() {
    let (s, clock) = source(900);
    let params = JwtTokenParams::default();
    block_on(s.access_token(&params)).unwrap();
    // 900 s lifetime: 30 s margin, so fresh until expires_in - 30.
    clock.set(START + 869);
    assert_eq!(
        block_on(s.access_token(&params))
            .unwrap()
            .access_token
            .secret(),
        "czs_jwt_1"
    );
    assert_eq!(hits(&s), 1);
    clock.set(START + 870);
    let futures: Vec<Pin<Box<dyn Future<Output = _>>>> = (0..10)
        .map(|_| Box::pin(s.access_token(&params)) as Pin<Box<dyn Future<Output = _>>>)
        .collect();
    let results = join_all(futures);
    assert_eq!(hits(&s), 2);
    assert!(results.iter().all(|r| token_of(r) == "czs_jwt_2"));
    assert_eq!(
        s.cache()
            .cached(&s.flow().cache_key(&params))
            .unwrap()
            .access_token
            .secret(),
        "czs_jwt_2"
    );
}

#[test]
fn freshness_is_measured_on_the_local_clock_whatever_coze_s_clock_says() {
    // The local clock 5 minutes slow: Coze's absolute expiry is 5 minutes later than the token
    // really lasts by the local clock. The token is replaced at the margin of the lifetime
    // asked for, measured from the local send time, never served after it expired.
    let (s, clock) = source(900);
    s.transport().server_ahead.set(300);
    let params = JwtTokenParams::default(); // 900 s asked for
    block_on(s.access_token(&params)).unwrap();
    clock.set(START + 869);
    block_on(s.access_token(&params)).unwrap();
    assert_eq!(hits(&s), 1);
    clock.set(START + 880);
    block_on(s.access_token(&params)).unwrap();
    assert_eq!(
        hits(&s),
        2,
        "a slow local clock must not keep an expired token"
    );

    // The local clock 11 minutes fast: the token is still used for the time Coze left it,
    // rather than minted again on every call.
    let (s, clock) = source(900);
    s.transport().server_ahead.set(-660);
    block_on(s.access_token(&params)).unwrap();
    for t in [1, 60, 200, 229] {
        clock.set(START + t);
        block_on(s.access_token(&params)).unwrap();
    }
    assert_eq!(
        hits(&s),
        1,
        "a fast local clock must not mint on every call"
    );
}

#[test]
fn short_lifetimes_use_smaller_margins() {
    let (s, clock) = source(45); // margin 5 s
    let params = JwtTokenParams::default();
    block_on(s.access_token(&params)).unwrap();
    clock.set(START + 39);
    block_on(s.access_token(&params)).unwrap();
    assert_eq!(hits(&s), 1);
    clock.set(START + 40);
    block_on(s.access_token(&params)).unwrap();
    assert_eq!(hits(&s), 2);
}

#[test]
fn a_failed_grant_is_shared_but_not_cached() {
    let (s, _) = source(900);
    s.transport().failures.set(1);
    let params = JwtTokenParams::default();
    let futures: Vec<Pin<Box<dyn Future<Output = _>>>> = (0..5)
        .map(|_| Box::pin(s.access_token(&params)) as Pin<Box<dyn Future<Output = _>>>)
        .collect();
    let results: Vec<Result<OAuthToken, Error>> = join_all(futures);
    assert_eq!(hits(&s), 1);
    for r in &results {
        let err = r.as_ref().unwrap_err();
        assert_eq!(err.code, ErrorCode::OAuthError);
        assert_eq!(err.status, Some(500));
    }
    // The next call tries again, and succeeds.
    let t = block_on(s.access_token(&params)).unwrap();
    assert_eq!(t.access_token.secret(), "czs_jwt_2");
    assert_eq!(hits(&s), 2);
}

#[test]
fn invalid_parameters_fail_without_a_grant() {
    let (s, _) = source(900);
    let params = JwtTokenParams {
        duration_seconds: 86_400,
        ..Default::default()
    };
    let err = block_on(s.access_token(&params)).unwrap_err();
    assert_eq!(err.code, ErrorCode::InvalidArgument);
    assert_eq!(hits(&s), 0);
}

#[test]
fn a_dropped_leader_hands_over_to_a_waiter() {
    let (s, _) = source(900);
    let params = JwtTokenParams::default();
    let waker = futures_waker();
    let mut cx = Context::from_waker(&waker);
    let mut leader = Box::pin(s.access_token(&params));
    let mut waiter = Box::pin(s.access_token(&params));
    assert!(leader.as_mut().poll(&mut cx).is_pending()); // the grant is in flight
    assert!(waiter.as_mut().poll(&mut cx).is_pending()); // waits for it
    drop(leader); // the caller gave up before the answer
    let t = block_on(waiter).unwrap();
    assert_eq!(t.access_token.secret(), "czs_jwt_1");
    // The abandoned grant never reached the endpoint's counter; the waiter's did.
    assert_eq!(hits(&s), 1);
    block_on(s.access_token(&params)).unwrap();
    assert_eq!(hits(&s), 1);
}

#[test]
fn clear_forgets_cached_tokens() {
    let (s, _) = source(900);
    let params = JwtTokenParams::default();
    block_on(s.access_token(&params)).unwrap();
    s.cache().clear();
    block_on(s.access_token(&params)).unwrap();
    assert_eq!(hits(&s), 2);
    assert!(format!("{s:?}").contains("entries: 1"));
    assert!(!format!("{s:?}").contains("czs_jwt"));
}

fn futures_waker() -> std::task::Waker {
    struct Noop;
    impl std::task::Wake for Noop {
        fn wake(self: std::sync::Arc<Self>) {}
    }
    std::task::Waker::from(std::sync::Arc::new(Noop))
}

/// Zeros: a predictable `jti`.
struct Zeros;
impl RandomSource for Zeros {
    fn fill(&mut self, buf: &mut [u8]) -> Result<(), Error> {
        buf.fill(0);
        Ok(())
    }
}

/// Keeps what it signs.
#[derive(Default)]
struct RecordingSigner(RefCell<Vec<String>>);
impl Signer for RecordingSigner {
    async fn sign(&self, signing_input: &[u8]) -> Result<Vec<u8>, Error> {
        let input = String::from_utf8(signing_input.to_vec()).unwrap();
        self.0.borrow_mut().push(input);
        Ok(vec![0xab; 256])
    }
}

#[test]
fn assertions_are_dated_by_the_cache_clock_and_drawn_from_the_given_random_source() {
    let clock = Rc::new(Cell::new(START));
    let endpoint = Endpoint {
        clock: clock.clone(),
        server_ahead: Cell::new(0),
        lifetime: 900,
        hits: Cell::new(0),
        failures: Cell::new(0),
    };
    let flow = JwtFlow::new(JwtFlowOptions {
        app_id: "app".into(),
        keyid: "kid".into(),
        ..Default::default()
    })
    .unwrap();
    let expected = flow.signing_input(START, "AAAAAAAAAAAAAAAAAAAAAA", None);
    let cache_clock = clock.clone();
    let source = JwtTokenSource::new(
        flow,
        endpoint,
        RecordingSigner::default(),
        move || cache_clock.get(),
        Zeros,
    );
    block_on(source.access_token(&JwtTokenParams::default())).unwrap();
    assert_eq!(*source.signer().0.borrow(), vec![expected]);
}
