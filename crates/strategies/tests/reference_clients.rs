//! The reference clients of Go, Java and Node.js end to end against the embedded
//! server: each is built on first use, speaks the client protocol through every load
//! model, and its account matches what the server saw. Without a runtime's toolchain
//! these tests say so and skip, unless CI's `WAITBENCH_REQUIRE_…` asks for it.

mod common;

use std::time::Duration;

use common::{
    assert_accounted, assert_closed_loop_counted, batch, errors, run, run_with, server, timed,
    unavailable,
};
use waitbench_core::{ErrorKind, LoadModel, PathPlan};
use waitbench_strategies::{IdlePerHost, PoolSize, StrategyKind, StrategyOptions, build};

/// Every reference client, Go's, Java's and Node's.
fn reference_kinds() -> impl Iterator<Item = StrategyKind> {
    StrategyKind::GO
        .into_iter()
        .chain(StrategyKind::JAVA)
        .chain(StrategyKind::NODE)
}

#[test]
fn every_reference_client_runs_a_batch_the_server_counts_exactly() {
    let server = server(Some("5ms"));
    for kind in reference_kinds() {
        if unavailable(kind) {
            continue;
        }
        let before = server.stats().requests_served;
        server.reset_max_in_flight();
        let mut workload = batch(&server.url(), 120, 12, None);
        workload.paths = PathPlan::DistinctItems { count: 30 };
        let m = run(kind, &workload);
        assert_eq!(m.recorder.counters.ok, 120, "{kind}: {:?}", m.recorder);
        assert_eq!(server.stats().requests_served - before, 120, "{kind}");
        assert!(server.stats().max_in_flight <= 12, "{kind}");
        assert_accounted(kind, &m.recorder);
        let latency = &m.recorder.latency;
        assert!(latency.min() >= latency.lowest_equivalent(5_000), "{kind}");
        let child = m.client_process.expect("an external run samples its child");
        assert!(
            child.memory.is_some_and(|mem| mem.rss_peak_bytes > 0),
            "{kind}"
        );
    }
}

#[test]
fn every_reference_client_runs_a_closed_loop_without_its_warmup() {
    let server = server(None);
    for kind in reference_kinds() {
        if unavailable(kind) {
            continue;
        }
        let load = LoadModel::ClosedLoop {
            concurrency: 4,
            duration: Duration::from_millis(400),
            warmup: Duration::from_millis(200),
        };
        let before = server.stats().requests_served;
        let m = run(kind, &timed(&server.url(), load));
        assert_closed_loop_counted(kind, &m, &server, before);
        assert!(
            m.mean_in_flight <= 4.0 + 1e-9,
            "{kind}: {}",
            m.mean_in_flight
        );
    }
}

#[test]
fn every_reference_client_sends_an_open_loop_on_its_schedule() {
    let server = server(None);
    for kind in reference_kinds() {
        if unavailable(kind) {
            continue;
        }
        let load = LoadModel::OpenLoop {
            rate_per_s: 100.0,
            duration: Duration::from_millis(500),
            warmup: Duration::from_millis(100),
            max_in_flight: 10,
        };
        let m = run(kind, &timed(&server.url(), load));
        let counters = &m.recorder.counters;
        assert_eq!((counters.sent, counters.warmup_sent), (50, 10), "{kind}");
        assert_eq!(m.recorder.send_lag.len(), 50, "{kind}");
        assert!(
            m.recorder.latency.max() >= m.recorder.service.max(),
            "{kind}"
        );
        assert_accounted(kind, &m.recorder);
    }
}

#[test]
fn every_reference_client_reports_refused_connections_as_connect_errors() {
    // A port that was just free: nothing listens there.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .unwrap()
        .port();
    for kind in reference_kinds() {
        if unavailable(kind) {
            continue;
        }
        let workload = batch(&format!("http://127.0.0.1:{port}"), 6, 2, None);
        let m = run(kind, &workload);
        assert_eq!(m.recorder.counters.ok, 0, "{kind}");
        assert_eq!(
            errors(&m.recorder, ErrorKind::Connect),
            6,
            "{kind}: {:?}",
            m.recorder
        );
        assert_accounted(kind, &m.recorder);
    }
}

#[test]
fn every_reference_client_counts_error_statuses_as_http_errors() {
    let server = server(None);
    for kind in reference_kinds() {
        if unavailable(kind) {
            continue;
        }
        let workload = batch(&server.url(), 20, 4, Some("fail=1:503"));
        let m = run(kind, &workload);
        assert_eq!(
            m.recorder.counters.http_errors(),
            20,
            "{kind}: {:?}",
            m.recorder
        );
        assert_accounted(kind, &m.recorder);
    }
}

#[test]
fn go_with_the_library_default_of_two_idle_connections_reconnects_and_sized_does_not() {
    let kind = StrategyKind::GoGoroutines;
    if unavailable(kind) {
        return;
    }
    let server = server(Some("5ms"));
    let connections = |idle_per_host| {
        let before = server.stats().connections_accepted;
        let options = StrategyOptions {
            idle_per_host,
            ..Default::default()
        };
        run_with(kind, &options, &batch(&server.url(), 400, 20, None));
        server.stats().connections_accepted - before
    };
    let sized = connections(IdlePerHost::Sized);
    let library = connections(IdlePerHost::LibraryDefault);
    // Sized for C, no connection is thrown away: at most C are ever opened. With Go's
    // 2 idle per host, each wave of 20 answers keeps 2 and closes 18, which the next
    // wave dials again.
    assert!(sized <= 20, "sized opened {sized}");
    assert!(
        library > 2 * sized,
        "library opened {library}, sized {sized}"
    );
}

#[test]
fn a_pool_smaller_than_c_keeps_its_own_size_in_flight() {
    let server = server(Some("20ms"));
    for kind in [StrategyKind::GoPool, StrategyKind::JavaThreads] {
        if unavailable(kind) {
            continue;
        }
        server.reset_max_in_flight();
        let options = StrategyOptions {
            threads: PoolSize::Fixed(3),
            ..Default::default()
        };
        let m = run_with(kind, &options, &batch(&server.url(), 30, 12, None));
        assert_eq!(m.recorder.counters.ok, 30, "{kind}");
        // waitbench hands out 12 tickets; the pattern's 3 workers take them in turn.
        assert!(server.stats().max_in_flight <= 3, "{kind}");
        assert_accounted(kind, &m.recorder);
    }
}

#[test]
fn a_reference_client_refuses_cpu_work_it_does_not_implement() {
    let options = StrategyOptions {
        cpu_work: Duration::from_millis(1),
        ..Default::default()
    };
    let workload = batch("http://127.0.0.1:9", 1, 1, None);
    for kind in reference_kinds() {
        let err = build(kind, &options).run(&workload).unwrap_err();
        assert_eq!(
            err.to_string(),
            format!(
                "{kind} with --cpu-work needs no CPU work: the reference clients only send \
                 (claim F's CPU step is Rust's and Python's)"
            )
        );
    }
}
