//! Every request ends as exactly one outcome, for every strategy, whatever the server does;
//! and what the client says it sent is what the server received.

mod common;

use std::time::Duration;

use common::{PathRecorder, assert_accounted, batch, errors, run, server, unavailable};
use waitbench_core::{ErrorKind, ErrorPolicy, PathPlan};
use waitbench_strategies::{Combinator, Stack, StrategyKind, StrategyOptions, build};

/// Runs the three fault batches against `kind`: error statuses, resets, stalls.
fn accounting_holds_under_faults(kind: StrategyKind) {
    if unavailable(kind) {
        return;
    }
    let server = server(None);
    // Fewer workers than requests so that workers reuse (or replace) connections.
    let (requests, concurrency) = (40, 8);

    let failing = batch(&server.url(), requests, concurrency, Some("fail=0.3:503"));
    let m = run(kind, &failing);
    assert_eq!(m.recorder.counters.sent, requests, "{kind}");
    assert_accounted(kind, &m.recorder);
    assert!(
        m.recorder.counters.http_errors() > 0,
        "{kind}: no 503 in {:?}",
        m.recorder
    );
    assert!(m.recorder.counters.ok > 0, "{kind}");

    // aiohttp re-sends a GET once after a reset, so a reset error needs two in a row:
    // at 0.5 per request, 40 requests show one with a probability of 1 - 0.75^40.
    let reset = if kind.stack() == Stack::Python {
        "reset=0.5"
    } else {
        "reset=0.2"
    };
    let resetting = batch(&server.url(), requests, concurrency, Some(reset));
    let m = run(kind, &resetting);
    assert_eq!(m.recorder.counters.sent, requests, "{kind}");
    assert_accounted(kind, &m.recorder);
    let broken = errors(&m.recorder, ErrorKind::Reset) + errors(&m.recorder, ErrorKind::Body);
    assert!(
        broken > 0,
        "{kind}: no reset in {:?}",
        m.recorder.counters.errors
    );
    assert_eq!(
        m.recorder.counters.error_total(),
        broken,
        "{kind}: {:?}",
        m.recorder.counters.errors
    );

    let mut stalling = batch(&server.url(), requests, concurrency, Some("stall=0.2"));
    stalling.timeouts.request = Duration::from_millis(300);
    let m = run(kind, &stalling);
    assert_eq!(m.recorder.counters.sent, requests, "{kind}");
    assert_accounted(kind, &m.recorder);
    let timeouts = errors(&m.recorder, ErrorKind::Timeout);
    assert!(
        timeouts > 0,
        "{kind}: no timeout in {:?}",
        m.recorder.counters.errors
    );
    assert_eq!(
        m.recorder.counters.error_total(),
        timeouts,
        "{kind}: {:?}",
        m.recorder.counters.errors
    );
}

macro_rules! fault_tests {
    ($($name:ident => $kind:ident),* $(,)?) => {$(
        #[test]
        fn $name() {
            accounting_holds_under_faults(StrategyKind::$kind);
        }
    )*};
}

fault_tests! {
    ureq_sequential_accounts_for_fail_reset_and_stall => UreqSequential,
    ureq_rayon_accounts_for_fail_reset_and_stall => UreqRayon,
    ureq_threads_accounts_for_fail_reset_and_stall => UreqThreads,
    reqwest_tokio_accounts_for_fail_reset_and_stall => ReqwestTokio,
    hyper_tokio_accounts_for_fail_reset_and_stall => HyperTokio,
    ureq_per_request_accounts_for_fail_reset_and_stall => UreqPerRequest,
    reqwest_per_request_accounts_for_fail_reset_and_stall => ReqwestPerRequest,
    tokio_blocking_accounts_for_fail_reset_and_stall => TokioBlocking,
    tokio_spawn_blocking_accounts_for_fail_reset_and_stall => TokioSpawnBlocking,
    py_requests_accounts_for_fail_reset_and_stall => PyRequests,
    py_requests_session_accounts_for_fail_reset_and_stall => PyRequestsSession,
    py_threadpool_accounts_for_fail_reset_and_stall => PyThreadpool,
    py_aiohttp_accounts_for_fail_reset_and_stall => PyAiohttp,
    py_aiohttp_per_request_accounts_for_fail_reset_and_stall => PyAiohttpPerRequest,
    py_async_blocking_accounts_for_fail_reset_and_stall => PyAsyncBlocking,
    py_async_executor_accounts_for_fail_reset_and_stall => PyAsyncExecutor,
    py_process_pool_accounts_for_fail_reset_and_stall => PyProcessPool,
    py_gevent_accounts_for_fail_reset_and_stall => PyGevent,
    py_aiohttp_uvloop_accounts_for_fail_reset_and_stall => PyAiohttpUvloop,
    py_httpx_accounts_for_fail_reset_and_stall => PyHttpx,
    py_httpx_async_accounts_for_fail_reset_and_stall => PyHttpxAsync,
}

#[test]
fn distinct_endpoint_batch_reaches_every_endpoint_once() {
    for kind in StrategyKind::ALL {
        // An HTTP/2-only client against this HTTP/1.1 server: tests/http2.rs.
        if unavailable(kind) || kind.needs_http2() {
            continue;
        }
        let recorder = PathRecorder::start();
        let mut workload = batch(&recorder.url, 500, 20, None);
        workload.paths = PathPlan::DistinctItems { count: 500 };
        let m = run(kind, &workload);
        assert_eq!(m.recorder.counters.ok, 500, "{kind}: {:?}", m.recorder);
        let paths = recorder.paths();
        assert_eq!(paths.len(), 500, "{kind}");
        assert_eq!(recorder.distinct(), 500, "{kind}");
        assert!(paths.iter().all(|p| p.starts_with("/item/")), "{kind}");
    }
}

#[test]
fn mock_server_counts_every_request_of_a_batch() {
    let server = server(None);
    for kind in [
        StrategyKind::UreqRayon,
        StrategyKind::ReqwestTokio,
        StrategyKind::HyperTokio,
    ] {
        let before = server.stats().requests_served;
        let mut workload = batch(&server.url(), 200, 10, None);
        workload.paths = PathPlan::DistinctItems { count: 200 };
        let m = run(kind, &workload);
        assert_eq!(m.recorder.counters.ok, 200, "{kind}");
        assert_eq!(server.stats().requests_served - before, 200, "{kind}");
    }
}

#[test]
fn hyper_workers_each_keep_one_connection() {
    let server = server(None);
    let before = server.stats().connections_accepted;
    let m = run(
        StrategyKind::HyperTokio,
        &batch(&server.url(), 300, 12, None),
    );
    assert_eq!(m.recorder.counters.ok, 300);
    assert_eq!(server.stats().connections_accepted - before, 12);
}

/// N = 200, C = 10, 20 % of requests fail, latencies spread so that siblings are mid-flight
/// when the first failure lands.
fn failing_batch(target: &str, policy: ErrorPolicy) -> waitbench_core::Workload {
    let mut workload = batch(
        target,
        200,
        10,
        Some("fail=0.2:500&latency=uniform(2ms,20ms)"),
    );
    workload.on_error = policy;
    workload
}

#[test]
fn cancel_drops_in_flight_siblings_and_sends_fewer_than_wait_all() {
    let server = server(None);
    let kind = StrategyKind::ReqwestTokio;

    let waited = run(kind, &failing_batch(&server.url(), ErrorPolicy::WaitAll));
    assert_eq!(waited.recorder.counters.sent, 200);
    assert_eq!(errors(&waited.recorder, ErrorKind::Cancelled), 0);
    assert!(waited.recorder.counters.http_errors() > 0);
    assert!(waited.issued_after_first_failure.unwrap() > 0);
    assert_accounted(kind, &waited.recorder);

    let cancelled = run(kind, &failing_batch(&server.url(), ErrorPolicy::Cancel));
    assert!(
        cancelled.recorder.counters.sent < 200,
        "{:?}",
        cancelled.recorder
    );
    assert!(cancelled.recorder.counters.http_errors() >= 1);
    assert!(
        errors(&cancelled.recorder, ErrorKind::Cancelled) >= 1,
        "no sibling was dropped: {:?}",
        cancelled.recorder
    );
    assert_eq!(cancelled.issued_after_first_failure, Some(0));
    assert_accounted(kind, &cancelled.recorder);
}

#[test]
fn cancel_stops_every_strategy_early_and_accounts_for_what_was_in_flight() {
    let server = server(None);
    for kind in StrategyKind::ALL {
        // An HTTP/2-only client against this HTTP/1.1 server: tests/http2.rs.
        if unavailable(kind) || kind.needs_http2() {
            continue;
        }
        let m = run(kind, &failing_batch(&server.url(), ErrorPolicy::Cancel));
        assert!(m.recorder.counters.sent < 200, "{kind}: {:?}", m.recorder);
        assert!(m.recorder.counters.http_errors() >= 1, "{kind}");
        assert_accounted(kind, &m.recorder);
        if !kind.uses_tokio() {
            // Blocking calls cannot be dropped: the in-flight ones finish and are counted.
            assert_eq!(errors(&m.recorder, ErrorKind::Cancelled), 0, "{kind}");
        }
    }
}

#[test]
fn invalid_workload_is_rejected_before_any_request() {
    let mut workload = batch("http://127.0.0.1:1", 10, 0, None);
    for kind in StrategyKind::ALL {
        let err = build(kind, &StrategyOptions::default())
            .run(&workload)
            .unwrap_err();
        assert!(
            err.to_string().contains("invalid workload"),
            "{kind}: {err}"
        );
    }
    workload.load = waitbench_core::LoadModel::Batch {
        requests: 1,
        concurrency: 1,
    };
    workload.target = "localhost:1".into();
    assert!(
        build(StrategyKind::UreqSequential, &StrategyOptions::default())
            .run(&workload)
            .is_err()
    );
}

#[test]
fn refused_connections_are_connect_errors_for_every_strategy() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let workload = batch(&format!("http://127.0.0.1:{port}"), 4, 2, None);
    for kind in StrategyKind::ALL {
        if unavailable(kind) {
            continue;
        }
        let m = run(kind, &workload);
        assert_eq!(
            errors(&m.recorder, ErrorKind::Connect),
            4,
            "{kind}: {:?}",
            m.recorder
        );
    }
}

#[test]
fn every_strategy_sends_the_method_headers_and_body_it_was_given() {
    let recorder = common::PathRecorder::start();
    let mut workload = batch(&format!("{}/", recorder.url), 3, 1, None);
    workload.paths = waitbench_core::PathPlan::Single {
        path: "/api/v1/items?sort=asc".into(),
    };
    workload.request = waitbench_core::RequestSpec::from_flags(
        "post",
        &[
            "X-Api-Key: k1".into(),
            "Content-Type: application/json".into(),
        ],
        Some(r#"{"n":1}"#),
        None,
    )
    .unwrap();
    for kind in StrategyKind::ALL {
        // An HTTP/2-only client against this HTTP/1.1 server: tests/http2.rs.
        if unavailable(kind) || kind.needs_http2() {
            continue;
        }
        let before = recorder.requests().len();
        let m = run(kind, &workload);
        assert_eq!(m.recorder.counters.ok, 3, "{kind}: {:?}", m.recorder);
        let seen = &recorder.requests()[before..];
        assert_eq!(seen.len(), 3, "{kind}");
        for request in seen {
            assert_eq!(request.method, "POST", "{kind}");
            assert_eq!(request.path, "/api/v1/items?sort=asc", "{kind}");
            assert_eq!(request.header("x-api-key"), Some("k1"), "{kind}");
            assert_eq!(
                request.header("content-type"),
                Some("application/json"),
                "{kind}"
            );
            assert_eq!(request.body, br#"{"n":1}"#, "{kind}");
        }
    }
}

/// A batch awaited by a combinator: `futures`' own `join_all` or `try_join_all`, with
/// the dispatcher never stopping (wait-all), so what follows the first failure is the
/// construct's doing. Returns the run and how many requests the server received.
fn combined(combinator: Combinator) -> (waitbench_core::Measurement, u64) {
    let server = server(None);
    let kind = StrategyKind::ReqwestTokio;
    let options = StrategyOptions {
        combinator,
        ..StrategyOptions::default()
    };
    let before = server.stats().requests_served;
    let m = build(kind, &options)
        .run(&failing_batch(&server.url(), ErrorPolicy::WaitAll))
        .unwrap_or_else(|err| panic!("{combinator}: {err}"));
    assert_accounted(kind, &m.recorder);
    (m, server.stats().requests_served - before)
}

#[test]
fn join_all_sends_the_whole_batch_and_try_join_all_drops_what_waits_at_the_first_error() {
    let (joined, received) = combined(Combinator::JoinAll);
    assert_eq!(joined.recorder.counters.sent, 200);
    assert_eq!(received, 200);
    assert_eq!(errors(&joined.recorder, ErrorKind::Cancelled), 0);
    // With 20% failing, the first failure comes early: most of the batch follows it.
    assert!(
        joined.issued_after_first_failure.unwrap() > 100,
        "{joined:?}"
    );

    let (tried, received) = combined(Combinator::TryJoinAll);
    assert!(tried.recorder.counters.sent < 200, "{:?}", tried.recorder);
    assert!(tried.recorder.counters.http_errors() >= 1);
    // try_join_all returns at the first error it collects and drops every future still
    // waiting for a permit. Over more than 30 futures it collects in order
    // (FuturesOrdered), so an error waits for every earlier request still in flight, and
    // the slots those free let a few more out meanwhile (9 and 12 in two runs at
    // latencies of 2–20 ms): a handful, never the rest of the batch.
    let after = tried.issued_after_first_failure.expect("a request failed");
    assert!(after < 50, "{after} issued after the first failure");
    assert!(after < joined.issued_after_first_failure.unwrap());
    assert!(received < 200, "the server received {received}");
    assert!(
        errors(&tried.recorder, ErrorKind::Cancelled) >= 1,
        "no request in flight was dropped: {:?}",
        tried.recorder
    );
}

#[test]
fn a_combinator_needs_a_wait_all_batch() {
    let options = StrategyOptions {
        combinator: Combinator::TryJoinAll,
        ..StrategyOptions::default()
    };
    let strategy = build(StrategyKind::ReqwestTokio, &options);
    let cancel = failing_batch("http://127.0.0.1:1", ErrorPolicy::Cancel);
    let err = strategy.run(&cancel).unwrap_err().to_string();
    assert!(
        err.contains("--combinator try-join-all needs --on-error wait-all"),
        "{err}"
    );
    let mut closed = failing_batch("http://127.0.0.1:1", ErrorPolicy::WaitAll);
    closed.load = waitbench_core::LoadModel::ClosedLoop {
        concurrency: 1,
        duration: Duration::from_millis(10),
        warmup: Duration::ZERO,
    };
    let err = strategy.run(&closed).unwrap_err().to_string();
    assert!(err.contains("needs a batch"), "{err}");
}
