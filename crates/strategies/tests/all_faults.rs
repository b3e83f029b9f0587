//! Every fault at once (error statuses, resets, stalls, a slow body and server pauses),
//! for every strategy: the run finishes, no request is lost, and each outcome is counted
//! by its kind, equal to what the server says it injected. A stall ends at the client's
//! request timeout as a timeout error, never as anything else and never later.
//!
//! The server's own fault counters are the check: a strategy that dropped, retried or
//! misfiled a request would disagree with them.

mod common;

use std::time::{Duration, Instant};

use common::{assert_accounted, batch, errors, run, server, unavailable};
use waitbench_core::{ErrorKind, PathPlan};
use waitbench_strategies::StrategyKind;

/// Probabilities high enough that 40 requests meet every fault (the chance that one kind
/// never fires in a batch is about 1 in 10,000), a 4 KiB body at 256 KiB/s (16 ms), and
/// a pause of 50 ms every 200 ms: all far inside the 1.5 s request timeout even on a
/// loaded machine, so only a stall times out.
const ALL_FAULTS: &str = "fail=0.35:503&reset=0.2&stall=0.25&bandwidth=256KiB/s&pause=200ms/50ms";
const REQUESTS: u64 = 40;
const CONCURRENCY: usize = 5;

/// The server's counters once it has seen every connection the client closed: a stalled
/// request ends on the server only when it notices its client gave up.
fn settled_stats(server: &waitbench_mockserver::MockServer) -> waitbench_core::ServerStats {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let stats = server.stats();
        if stats.in_flight == 0 || Instant::now() > deadline {
            return stats;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// One batch of `kind` with every fault at once, and the server's counters after it
/// (`None`, with the reason printed, when the strategy cannot run here).
fn run_every_fault(
    kind: StrategyKind,
) -> Option<(waitbench_core::Measurement, waitbench_core::ServerStats)> {
    if unavailable(kind) {
        return None;
    }
    let server = if kind.needs_http2() {
        common::h2c_server(None)
    } else {
        server(None)
    };
    let mut workload = batch(&server.url(), REQUESTS, CONCURRENCY, Some(ALL_FAULTS));
    workload.paths = PathPlan::Single {
        path: "/bytes/4KiB".into(),
    };
    workload.timeouts.request = Duration::from_millis(1500);
    let m = run(kind, &workload);
    Some((m, settled_stats(&server)))
}

fn every_fault_at_once_is_counted_by_kind(kind: StrategyKind) {
    let Some((m, stats)) = run_every_fault(kind) else {
        return;
    };
    let counters = &m.recorder.counters;
    let injected = stats.faults;

    assert_eq!(counters.sent, REQUESTS, "{kind}: a request was lost");
    assert_accounted(kind, &m.recorder);
    assert_eq!(stats.in_flight, 0, "{kind}: a request still held");
    assert_eq!(
        stats.requests_served, REQUESTS,
        "{kind}: the server saw a different number of requests (a retry, or one never sent)"
    );

    let statuses: u64 = counters.statuses.iter().map(|(_, n)| n).sum();
    assert_eq!(
        counters.statuses.first().map(|(code, _)| *code),
        Some(503),
        "{kind}"
    );
    assert_eq!(statuses, injected["fail"], "{kind}: 503s vs fails injected");

    let timeouts = errors(&m.recorder, ErrorKind::Timeout);
    assert_eq!(
        timeouts, injected["stall"],
        "{kind}: timeouts vs stalls injected"
    );

    let broken = errors(&m.recorder, ErrorKind::Reset) + errors(&m.recorder, ErrorKind::Body);
    assert_eq!(
        broken, injected["reset"],
        "{kind}: resets vs resets injected"
    );
    assert_eq!(
        counters.error_total(),
        timeouts + broken,
        "{kind}: an error of another kind: {:?}",
        counters.errors
    );

    // Every answered request (ok or 503) went through the paced body.
    assert_eq!(counters.ok + statuses, injected["bandwidth"], "{kind}");
    for fault in ["fail", "reset", "stall"] {
        assert!(injected[fault] > 0, "{kind}: no {fault} in {injected:?}");
    }
    assert!(counters.ok > 0, "{kind}: nothing succeeded");
}

macro_rules! all_fault_tests {
    ($($name:ident => $kind:ident),* $(,)?) => {$(
        #[test]
        fn $name() {
            every_fault_at_once_is_counted_by_kind(StrategyKind::$kind);
        }
    )*};
}

all_fault_tests! {
    ureq_sequential_counts_every_fault_at_once_by_kind => UreqSequential,
    ureq_rayon_counts_every_fault_at_once_by_kind => UreqRayon,
    ureq_threads_counts_every_fault_at_once_by_kind => UreqThreads,
    reqwest_tokio_counts_every_fault_at_once_by_kind => ReqwestTokio,
    hyper_tokio_counts_every_fault_at_once_by_kind => HyperTokio,
    ureq_per_request_counts_every_fault_at_once_by_kind => UreqPerRequest,
    reqwest_per_request_counts_every_fault_at_once_by_kind => ReqwestPerRequest,
    tokio_blocking_counts_every_fault_at_once_by_kind => TokioBlocking,
    tokio_spawn_blocking_counts_every_fault_at_once_by_kind => TokioSpawnBlocking,
    py_requests_counts_every_fault_at_once_by_kind => PyRequests,
    py_requests_session_counts_every_fault_at_once_by_kind => PyRequestsSession,
    py_threadpool_counts_every_fault_at_once_by_kind => PyThreadpool,
    py_async_blocking_counts_every_fault_at_once_by_kind => PyAsyncBlocking,
    py_async_executor_counts_every_fault_at_once_by_kind => PyAsyncExecutor,
    node_fetch_counts_every_fault_at_once_by_kind => NodeFetch,
    node_http_counts_every_fault_at_once_by_kind => NodeHttp,
    py_gevent_counts_every_fault_at_once_by_kind => PyGevent,
    py_httpx_counts_every_fault_at_once_by_kind => PyHttpx,
    py_httpx_async_counts_every_fault_at_once_by_kind => PyHttpxAsync,
}

/// Checked apart: aiohttp re-sends a GET once on a new connection after a reset
/// (RFC 9112 §9.3.1), so the server sees more requests than were sent and fewer resets
/// end as errors than it injected; the retrying test above accounts for exactly that.
const RETRYING: [StrategyKind; 9] = [
    StrategyKind::PyAiohttp,
    StrategyKind::PyAiohttpPerRequest,
    StrategyKind::PyProcessPool,
    StrategyKind::PyAiohttpUvloop,
    StrategyKind::GoGoroutines,
    StrategyKind::GoPool,
    StrategyKind::JavaThreads,
    StrategyKind::JavaVirtualThreads,
    StrategyKind::JavaAsync,
];

/// The same faults for a client that re-sends a GET once after a reset: every request
/// still ends once and is counted by its kind, 503s and stalls match the server's counts
/// exactly (neither is retried), and every reset the client does not report was re-sent,
/// which is exactly how many more requests the server saw than the client sent.
fn every_fault_at_once_is_counted_by_a_retrying_client(kind: StrategyKind) {
    let Some((m, stats)) = run_every_fault(kind) else {
        return;
    };
    let counters = &m.recorder.counters;
    let injected = stats.faults;

    assert_eq!(counters.sent, REQUESTS, "{kind}: a request was lost");
    assert_accounted(kind, &m.recorder);
    assert_eq!(stats.in_flight, 0, "{kind}: a request still held");
    let statuses: u64 = counters.statuses.iter().map(|(_, n)| n).sum();
    assert_eq!(statuses, injected["fail"], "{kind}: 503s vs fails injected");
    let timeouts = errors(&m.recorder, ErrorKind::Timeout);
    assert_eq!(timeouts, injected["stall"], "{kind}: timeouts vs stalls");
    let broken = errors(&m.recorder, ErrorKind::Reset) + errors(&m.recorder, ErrorKind::Body);
    assert_eq!(
        counters.error_total(),
        timeouts + broken,
        "{kind}: an error of another kind: {:?}",
        counters.errors
    );
    let resent = injected["reset"] - broken;
    assert_eq!(
        stats.requests_served,
        REQUESTS + resent,
        "{kind}: the server's extra requests are the re-sent resets"
    );
    assert!(
        injected["stall"] > 0 && injected["reset"] > 0,
        "{injected:?}"
    );
}

#[test]
fn py_aiohttp_counts_every_fault_at_once_by_kind_with_its_retry() {
    every_fault_at_once_is_counted_by_a_retrying_client(StrategyKind::PyAiohttp);
}

#[test]
fn py_aiohttp_per_request_counts_every_fault_at_once_by_kind_with_its_retry() {
    every_fault_at_once_is_counted_by_a_retrying_client(StrategyKind::PyAiohttpPerRequest);
}

#[test]
fn py_process_pool_counts_every_fault_at_once_by_kind_with_its_retry() {
    every_fault_at_once_is_counted_by_a_retrying_client(StrategyKind::PyProcessPool);
}

/// Over HTTP/2 a reset or a stall ends the whole connection (docs/mock-server.md), so
/// every stream in flight on it fails with the injected one: at least as many broken
/// requests as resets injected, each counted once, as a connection error.
#[test]
fn hyper_tokio_h2_counts_every_fault_at_once_with_the_streams_of_a_broken_connection() {
    let kind = StrategyKind::HyperTokioH2;
    let Some((m, stats)) = run_every_fault(kind) else {
        return;
    };
    let counters = &m.recorder.counters;
    let injected = stats.faults;
    assert_eq!(counters.sent, REQUESTS, "a request was lost");
    assert_accounted(kind, &m.recorder);
    assert_eq!(stats.in_flight, 0, "a request still held");
    let timeouts = errors(&m.recorder, ErrorKind::Timeout);
    let broken = errors(&m.recorder, ErrorKind::Reset) + errors(&m.recorder, ErrorKind::Body);
    assert_eq!(
        counters.error_total(),
        timeouts + broken,
        "{:?}",
        counters.errors
    );
    assert!(broken >= injected["reset"], "{broken} broken, {injected:?}");
    assert!(
        timeouts <= injected["stall"],
        "{timeouts} timeouts, {injected:?}"
    );
    let report = m.connections.expect("a connection report");
    assert!(
        report.http2_connection_errors >= injected["reset"],
        "{report:?} vs {injected:?}"
    );
    assert!(
        report.opened > 1,
        "broken connections were replaced: {report:?}"
    );
}

macro_rules! retrying_fault_tests {
    ($($name:ident => $kind:ident),* $(,)?) => {$(
        #[test]
        fn $name() {
            every_fault_at_once_is_counted_by_a_retrying_client(StrategyKind::$kind);
        }
    )*};
}

// Go's Transport and java.net.http re-send an idempotent request once on a new
// connection when a reused one closed before any answer, as aiohttp does.
retrying_fault_tests! {
    go_goroutines_counts_every_fault_at_once_by_kind_with_its_retry => GoGoroutines,
    go_pool_counts_every_fault_at_once_by_kind_with_its_retry => GoPool,
    java_threads_counts_every_fault_at_once_by_kind_with_its_retry => JavaThreads,
    java_virtual_threads_counts_every_fault_at_once_by_kind_with_its_retry => JavaVirtualThreads,
    java_async_counts_every_fault_at_once_by_kind_with_its_retry => JavaAsync,
    py_aiohttp_uvloop_counts_every_fault_at_once_by_kind_with_its_retry => PyAiohttpUvloop,
}

#[test]
fn every_strategy_has_an_all_faults_test() {
    // The macros above list strategies by hand; this fails when one is added without it.
    assert_eq!(StrategyKind::ALL.len(), 19 + RETRYING.len() + 1);
}
