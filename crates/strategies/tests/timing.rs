//! Physical bounds every strategy must respect: the concurrency it claims is what the
//! server sees, no latency beats the injected one, the open loop exposes a server pause
//! that the closed loop hides, and a blocking call inside a runtime makes its timers late.

mod common;

use std::time::Duration;

use common::{batch, run, run_with, server, unavailable};
use waitbench_core::{ErrorPolicy, LoadModel, PathPlan, Timeouts, Workload};
use waitbench_mockserver::{MockServer, ServerConfig};
use waitbench_strategies::{PoolSize, RuntimeFlavor, StrategyKind, StrategyOptions};

/// Runs `workload` and returns the most requests the server had in flight at once.
fn max_in_flight(
    server: &MockServer,
    kind: StrategyKind,
    options: &StrategyOptions,
    workload: &Workload,
) -> u64 {
    server.reset_max_in_flight();
    let m = run_with(kind, options, workload);
    assert_eq!(
        m.recorder.counters.ok, m.recorder.counters.sent,
        "{kind}: {:?}",
        m.recorder
    );
    server.stats().max_in_flight
}

#[test]
fn server_sees_the_requested_concurrency_from_a_right_sized_pool_and_from_tasks() {
    let server = server(Some("100ms"));
    let workload = batch(&server.url(), 200, 50, None);
    let defaults = StrategyOptions::default();
    for kind in [
        StrategyKind::UreqRayon,
        StrategyKind::UreqThreads,
        StrategyKind::ReqwestTokio,
        StrategyKind::HyperTokio,
        StrategyKind::PyThreadpool,
        StrategyKind::PyAiohttp,
        StrategyKind::PyAiohttpPerRequest,
        StrategyKind::PyAsyncExecutor,
    ] {
        if unavailable(kind) {
            continue;
        }
        assert_eq!(
            max_in_flight(&server, kind, &defaults, &workload),
            50,
            "{kind}"
        );
    }
}

#[test]
fn rayon_default_pool_caps_concurrency_at_one_thread_per_core() {
    let server = server(Some("100ms"));
    let workload = batch(&server.url(), 20, 50, None);
    let options = StrategyOptions {
        threads: PoolSize::LibraryDefault,
        ..Default::default()
    };
    let cores = std::thread::available_parallelism().unwrap().get() as u64;
    let seen = max_in_flight(&server, StrategyKind::UreqRayon, &options, &workload);
    assert!(
        seen >= 1 && seen <= cores,
        "{seen} in flight on {cores} cores"
    );
}

#[test]
fn no_recorded_latency_beats_the_injected_latency() {
    let http1 = server(Some("50ms"));
    let http2 = common::h2c_server(Some("50ms"));
    for kind in StrategyKind::ALL {
        if unavailable(kind) {
            continue;
        }
        let server = if kind.needs_http2() { &http2 } else { &http1 };
        let sequential = waitbench_strategies::build(kind, &StrategyOptions::default())
            .info(&batch(&server.url(), 1, 10, None))
            .effective_concurrency
            == 1;
        let requests = if sequential { 4 } else { 20 };
        let m = run(kind, &batch(&server.url(), requests, 10, None));
        let latency = &m.recorder.latency;
        assert_eq!(latency.len(), requests, "{kind}");
        // At the histogram's resolution: 50 ms itself may be stored a few µs lower.
        assert!(
            latency.min() >= latency.lowest_equivalent(50_000),
            "{kind}: min {} µs",
            latency.min()
        );
    }
}

fn loop_workload(target: &str, load: LoadModel) -> Workload {
    Workload {
        target: target.to_string(),
        paths: PathPlan::Single { path: "/".into() },
        query: Some("latency=5ms".into()),
        load,
        on_error: ErrorPolicy::WaitAll,
        request: Default::default(),
        timeouts: Timeouts::default(),
    }
}

/// A fresh server per run so that each run sees exactly one 400 ms pause, 1.5 s in.
fn pausing_server() -> MockServer {
    MockServer::start(ServerConfig {
        conditions: waitbench_mockserver::Conditions {
            faults: waitbench_mockserver::Faults {
                pause: Some("1500ms/400ms".parse().expect("valid pause")),
                ..Default::default()
            },
            ..Default::default()
        },
        worker_threads: 2,
        ..Default::default()
    })
    .expect("mock server starts")
}

#[test]
fn open_loop_exposes_a_server_pause_that_the_closed_loop_hides() {
    open_loop_exposes_a_server_pause(StrategyKind::ReqwestTokio);
}

#[test]
fn python_open_loop_exposes_a_server_pause_that_its_closed_loop_hides() {
    if !unavailable(StrategyKind::PyAiohttp) {
        open_loop_exposes_a_server_pause(StrategyKind::PyAiohttp);
    }
}

fn open_loop_exposes_a_server_pause(kind: StrategyKind) {
    let run_for = Duration::from_millis(2500);
    let open_loop = LoadModel::OpenLoop {
        rate_per_s: 200.0,
        duration: run_for,
        warmup: Duration::ZERO,
        max_in_flight: 200,
    };
    // About the same load: one worker at ~5 ms per request.
    let closed_loop = LoadModel::ClosedLoop {
        concurrency: 1,
        duration: run_for,
        warmup: Duration::ZERO,
    };
    // Both at once (each with its own server and pause) to keep the test short.
    let (open, closed) = std::thread::scope(|scope| {
        let [open, closed] = [open_loop, closed_loop].map(|load| {
            scope.spawn(move || {
                let server = pausing_server();
                run(kind, &loop_workload(&server.url(), load))
            })
        });
        (open.join().unwrap(), closed.join().unwrap())
    });

    // The pause is 400 ms every 1.5 s: in 2.5 s the closed loop's one worker is stuck on
    // one request per pause it meets, at most two, and records nothing while it waits;
    // the open loop keeps its schedule, so the ~80 requests due during a pause all
    // record the wait. Counted, not compared as percentiles: a busy machine that slows
    // every request changes how many requests the closed loop makes (and so which one
    // its p99 is), not how many of them met the pause.
    let slow =
        |m: &waitbench_core::Measurement| m.recorder.latency.count_between(200_000, u64::MAX);
    let (open_slow, closed_slow) = (slow(&open), slow(&closed));
    assert!(
        closed_slow <= 2,
        "{kind}: closed loop recorded {closed_slow} slow requests"
    );
    assert!(
        open_slow >= 20,
        "{kind}: open loop recorded {open_slow} requests over 200 ms, closed {closed_slow}"
    );
    let open_p99 = open.recorder.latency.value_at_quantile(0.99);
    assert!(open_p99 >= 200_000, "{kind}: open p99 {open_p99} µs");
    assert!(
        closed.recorder.latency.max() >= 200_000,
        "{kind}: the pause was not hit"
    );
}

#[test]
fn blocking_inside_a_current_thread_runtime_makes_the_ticker_late_and_spawn_blocking_does_not() {
    let server = server(Some("20ms"));
    let workload = batch(&server.url(), 20, 5, None);
    let options = StrategyOptions {
        runtime_flavor: RuntimeFlavor::CurrentThread,
        ticker: true,
        ..Default::default()
    };
    let blocking = run_with(StrategyKind::TokioBlocking, &options, &workload);
    let fixed = run_with(StrategyKind::TokioSpawnBlocking, &options, &workload);
    let p99 = |m: &waitbench_core::Measurement| m.extras["ticker_lateness_p99_us"];
    assert!(blocking.extras["ticker_ticks"] > 0.0);
    assert!(
        p99(&blocking) >= 10_000.0,
        "blocking p99 {}",
        p99(&blocking)
    );
    assert!(
        p99(&fixed) * 2.0 < p99(&blocking),
        "fixed p99 {}",
        p99(&fixed)
    );
    // spawn_blocking keeps all five in flight; inline blocking serialises them.
    assert!(fixed.wall_time() * 2 < blocking.wall_time());
}

#[test]
fn cpu_work_is_burnt_once_per_response_on_the_worker() {
    let server = server(None);
    let options = StrategyOptions {
        cpu_work: Duration::from_millis(5),
        ..Default::default()
    };
    let m = run_with(
        StrategyKind::UreqSequential,
        &options,
        &batch(&server.url(), 20, 1, None),
    );
    // 20 responses × 5 ms of CPU on the one worker: the window cannot be shorter than
    // the 19 burns that precede the last response.
    assert!(
        m.wall_time() >= Duration::from_millis(95),
        "{:?}",
        m.wall_time()
    );
}
