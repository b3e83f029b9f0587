//! The Python strategies end to end, a few tens of requests each: every load model runs,
//! the measurement rules are core's (warm-up left out, open-loop latency from the
//! intended time, accounting), and the child's resources are sampled from outside.
//! Without a usable Python these tests say so and skip.

mod common;

use std::time::{Duration, Instant};

use common::{
    assert_accounted, assert_closed_loop_counted, batch, errors, run, run_with, server, timed,
    unavailable,
};
use waitbench_core::{ErrorKind, LoadModel, PathPlan};
use waitbench_strategies::{AwaitWith, PoolSize, StrategyKind, StrategyOptions};

#[test]
fn every_python_pattern_runs_a_distinct_endpoint_batch_that_the_server_counts() {
    let server = server(Some("5ms"));
    for kind in StrategyKind::PYTHON {
        if unavailable(kind) {
            return;
        }
        let before = server.stats().requests_served;
        let mut workload = batch(&server.url(), 30, 5, None);
        workload.paths = PathPlan::DistinctItems { count: 30 };
        let started = Instant::now();
        let m = run(kind, &workload);
        assert_eq!(m.recorder.counters.ok, 30, "{kind}: {:?}", m.recorder);
        assert_eq!(server.stats().requests_served - before, 30, "{kind}");
        assert_accounted(kind, &m.recorder);
        // Python's clock is Rust's: its window opens inside this run, not elsewhere.
        assert!(
            m.window_start >= started && m.window_end <= Instant::now(),
            "{kind}"
        );
        let latency = &m.recorder.latency;
        assert!(latency.min() >= latency.lowest_equivalent(5_000), "{kind}");
        let child = m.client_process.expect("a Python run samples its child");
        assert!(
            child.memory.is_some_and(|mem| mem.rss_peak_bytes > 0),
            "{kind}"
        );
    }
}

#[test]
fn the_warmup_is_left_out_of_a_python_closed_loop() {
    let server = server(None);
    for kind in [StrategyKind::PyThreadpool, StrategyKind::PyAiohttp] {
        if unavailable(kind) {
            return;
        }
        let load = LoadModel::ClosedLoop {
            concurrency: 4,
            duration: Duration::from_millis(400),
            warmup: Duration::from_millis(200),
        };
        let before = server.stats().requests_served;
        let m = run(kind, &timed(&server.url(), load));
        assert_closed_loop_counted(kind, &m, &server, before);
        assert_eq!(m.recorder.latency.len(), m.recorder.counters.sent, "{kind}");
        // Four workers at 10 ms: about four in flight, never more.
        assert!(
            m.mean_in_flight <= 4.0 + 1e-9,
            "{kind}: {}",
            m.mean_in_flight
        );
    }
}

#[test]
fn a_python_open_loop_sends_at_the_rate_and_times_from_the_intended_send() {
    let server = server(None);
    let kind = StrategyKind::PyAiohttp;
    if unavailable(kind) {
        return;
    }
    let load = LoadModel::OpenLoop {
        rate_per_s: 100.0,
        duration: Duration::from_millis(500),
        warmup: Duration::from_millis(100),
        max_in_flight: 10,
    };
    let m = run(kind, &timed(&server.url(), load));
    let counters = &m.recorder.counters;
    // 100/s for 0.6 s: 60 tickets, of which the 10 meant for the warm-up are left out.
    assert_eq!((counters.sent, counters.warmup_sent), (50, 10));
    assert_eq!(m.recorder.send_lag.len(), 50);
    // Latency counts from the intended time, so it is never shorter than the service.
    assert!(m.recorder.latency.max() >= m.recorder.service.max());
    assert_accounted(kind, &m.recorder);
}

#[test]
fn the_default_thread_pool_keeps_pythons_own_thread_count_in_flight() {
    let server = server(Some("50ms"));
    let kind = StrategyKind::PyThreadpool;
    if unavailable(kind) {
        return;
    }
    let options = StrategyOptions {
        threads: PoolSize::LibraryDefault,
        ..Default::default()
    };
    let python_default = 32.min(std::thread::available_parallelism().unwrap().get() + 4);
    let concurrency = python_default + 10;
    server.reset_max_in_flight();
    let m = run_with(kind, &options, &batch(&server.url(), 60, concurrency, None));
    assert_eq!(m.recorder.counters.ok, 60);
    assert_eq!(server.stats().max_in_flight, python_default as u64);
    let threads = m
        .client_process
        .and_then(|c| c.memory)
        .map(|mem| mem.threads_peak);
    // The pool's threads and the main thread, from outside (no thread reads stdin).
    assert_eq!(threads, Some(python_default as u64 + 1));
}

#[test]
fn requests_inside_async_def_freezes_the_loop_and_run_in_executor_keeps_it_free() {
    let server = server(Some("10ms"));
    let (blocking_kind, executor_kind) =
        (StrategyKind::PyAsyncBlocking, StrategyKind::PyAsyncExecutor);
    if unavailable(blocking_kind) {
        return;
    }
    let options = StrategyOptions {
        ticker: true,
        ..Default::default()
    };
    let workload = batch(&server.url(), 40, 8, None);
    server.reset_max_in_flight();
    let blocking = run_with(blocking_kind, &options, &workload);
    let blocking_in_flight = server.stats().max_in_flight;
    server.reset_max_in_flight();
    let executor = run_with(executor_kind, &options, &workload);
    let executor_in_flight = server.stats().max_in_flight;
    for (kind, m) in [(blocking_kind, &blocking), (executor_kind, &executor)] {
        assert_eq!(m.recorder.counters.ok, 40, "{kind}: {:?}", m.recorder);
        assert_accounted(kind, &m.recorder);
        assert!(m.extras["ticker_ticks"] > 0.0, "{kind}: {:?}", m.extras);
    }
    // Inside async def the calls go one at a time; the executor's 8 threads overlap them.
    assert_eq!(blocking_in_flight, 1);
    assert!(executor_in_flight > 1, "{executor_in_flight}");
    // The loop is frozen for the whole batch: the workers number their own requests
    // (awaiting a ticket would hand the loop back), so 40 calls of at least 10 ms each
    // pass before the ticker runs at all: its longest wait is at least 390 ms (one tick
    // spare).
    let max = |m: &waitbench_core::Measurement| m.extras["ticker_lateness_max_us"];
    assert!(max(&blocking) >= 390_000.0, "{:?}", blocking.extras);
    // Through the executor the loop stays free: its ticker waits less than one frozen
    // batch, and at p99 far less than the frozen loop's.
    assert!(max(&executor) < max(&blocking), "{:?}", executor.extras);
    let p99 = |m: &waitbench_core::Measurement| m.extras["ticker_lateness_p99_us"];
    assert!(
        p99(&executor) * 5.0 < p99(&blocking),
        "{:?} vs {:?}",
        executor.extras,
        blocking.extras
    );
}

/// Claim G's batch, a task per request: 60 at 5 in flight, a fifth of them failing with
/// 500, latencies spread so that other tasks are mid-flight when the first failure lands.
fn failing_tasks(
    server: &waitbench_mockserver::MockServer,
    way: AwaitWith,
) -> waitbench_core::Measurement {
    let options = StrategyOptions {
        await_with: way,
        ..Default::default()
    };
    let workload = batch(
        &server.url(),
        60,
        5,
        Some("fail=0.2:500&latency=uniform(2ms,20ms)"),
    );
    run_with(StrategyKind::PyAiohttp, &options, &workload)
}

/// The server's count of injected 500s so far.
fn failures_injected(server: &waitbench_mockserver::MockServer) -> u64 {
    server.stats().faults.get("fail").copied().unwrap_or(0)
}

#[test]
fn gather_with_or_without_return_exceptions_lets_every_request_of_the_batch_run() {
    let server = server(None);
    let kind = StrategyKind::PyAiohttp;
    if unavailable(kind) {
        return;
    }
    for way in [AwaitWith::Gather, AwaitWith::GatherReturnExceptions] {
        let (served, failed) = (server.stats().requests_served, failures_injected(&server));
        let m = failing_tasks(&server, way);
        let counters = &m.recorder.counters;
        // Nothing is cancelled: the server answered all 60, and every 500 it injected
        // is one the client counted.
        assert_eq!(counters.sent, 60, "{way}: {counters:?}");
        assert_eq!(server.stats().requests_served - served, 60, "{way}");
        assert_eq!(errors(&m.recorder, ErrorKind::Cancelled), 0, "{way}");
        assert!(counters.http_errors() > 0, "{way}: {counters:?}");
        assert_eq!(
            counters.http_errors(),
            failures_injected(&server) - failed,
            "{way}"
        );
        assert_eq!(counters.ok + counters.http_errors(), 60, "{way}");
        assert!(m.issued_after_first_failure.unwrap() > 0, "{way}");
        assert_accounted(kind, &m.recorder);
    }
}

#[test]
fn every_cpu_bound_python_pattern_burns_the_cpu_work_where_its_pattern_puts_it() {
    let server = server(None);
    let options = StrategyOptions {
        cpu_work: Duration::from_millis(5),
        threads: PoolSize::Fixed(2),
        ..Default::default()
    };
    for kind in [
        StrategyKind::PyRequestsSession,
        StrategyKind::PyThreadpool,
        StrategyKind::PyAiohttp,
        StrategyKind::PyProcessPool,
    ] {
        if unavailable(kind) {
            return;
        }
        let before = server.stats().requests_served;
        let m = run_with(kind, &options, &batch(&server.url(), 40, 4, None));
        assert_eq!(m.recorder.counters.ok, 40, "{kind}: {:?}", m.recorder);
        assert_eq!(server.stats().requests_served - before, 40, "{kind}");
        assert_accounted(kind, &m.recorder);
        // 40 responses × 5 ms of CPU: the process pool's is spent in its workers, which
        // are counted with the client because the sampler sums its process tree.
        let child = m.client_process.expect("a Python run samples its child");
        let cpu = child.cpu_user + child.cpu_sys;
        assert!(cpu >= Duration::from_millis(200), "{kind}: {child:?}");
    }
}

#[test]
fn a_taskgroup_cancels_the_requests_in_flight_at_the_first_failure_and_issues_no_more() {
    let server = server(None);
    let kind = StrategyKind::PyAiohttp;
    if unavailable(kind) {
        return;
    }
    let m = failing_tasks(&server, AwaitWith::TaskGroup);
    let counters = &m.recorder.counters;
    assert!(counters.sent < 60, "{counters:?}");
    assert!(counters.http_errors() >= 1, "{counters:?}");
    assert!(
        errors(&m.recorder, ErrorKind::Cancelled) >= 1,
        "no sibling was cancelled: {counters:?}"
    );
    // Tasks woken in the loop's turn before the group's abort can still take a ticket:
    // at most one per slot.
    assert!(
        m.issued_after_first_failure.unwrap() <= 5,
        "{:?}",
        m.issued_after_first_failure
    );
    assert_accounted(kind, &m.recorder);
}

#[test]
fn the_process_pool_reports_its_processes_apart_from_its_threads() {
    let server = server(None);
    let kind = StrategyKind::PyProcessPool;
    if unavailable(kind) {
        return;
    }
    let options = StrategyOptions {
        threads: PoolSize::Fixed(3),
        ..Default::default()
    };
    let build = waitbench_strategies::build(kind, &options);
    let workload = batch(&server.url(), 20, 4, None);
    let info = build.info(&workload);
    assert!(
        info.settings["processes"].starts_with("3 ProcessPoolExecutor processes"),
        "{:?}",
        info.settings
    );
    let m = run_with(kind, &options, &workload);
    assert_eq!(m.recorder.counters.ok, 20);
    assert_accounted(kind, &m.recorder);
    // Three distinct workers answered before the clock started.
    assert_eq!(m.extras["pool_processes"], 3.0, "{:?}", m.extras);
    // The client process's own threads only: main, and the pool's manager and queue
    // feeder; its workers are processes of their own.
    let threads = m
        .client_process
        .and_then(|c| c.memory)
        .map(|mem| mem.threads_peak);
    assert_eq!(threads, Some(3));
}

#[test]
fn a_python_run_against_a_closed_port_keeps_the_librarys_first_error_messages() {
    for kind in [StrategyKind::PyRequestsSession, StrategyKind::PyAiohttp] {
        if unavailable(kind) {
            return;
        }
        // Port 9 (discard) has no listener here: every connect is refused.
        let workload = batch("http://127.0.0.1:9", 5, 1, None);
        let m = run(kind, &workload);
        assert_eq!(errors(&m.recorder, ErrorKind::Connect), 5, "{kind}");
        // One message, or a few if the library names a per-attempt object in it.
        let kept = m.error_samples.len();
        assert!((1..=3).contains(&kept), "{kind}: {:?}", m.error_samples);
        assert!(
            m.error_samples[0].contains("127.0.0.1"),
            "{kind}: {:?}",
            m.error_samples
        );
    }
}

#[test]
fn a_self_paced_python_client_numbers_its_own_requests_in_a_batch_and_a_closed_loop() {
    let server = server(Some("2ms"));
    let options = StrategyOptions {
        self_paced: true,
        ..Default::default()
    };
    for kind in [StrategyKind::PyRequestsSession, StrategyKind::PyAiohttp] {
        if unavailable(kind) {
            return;
        }
        let before = server.stats().requests_served;
        let m = run_with(kind, &options, &batch(&server.url(), 25, 3, None));
        assert_eq!(m.recorder.counters.ok, 25, "{kind}: {:?}", m.recorder);
        assert_eq!(server.stats().requests_served - before, 25, "{kind}");
        assert_accounted(kind, &m.recorder);
        let load = LoadModel::ClosedLoop {
            concurrency: 3,
            duration: Duration::from_millis(300),
            warmup: Duration::from_millis(100),
        };
        let before = server.stats().requests_served;
        let m = run_with(kind, &options, &timed(&server.url(), load));
        assert_closed_loop_counted(kind, &m, &server, before);
    }
}

#[test]
fn self_paced_mode_refuses_an_open_loop_whose_schedule_is_waitbench_s() {
    let options = StrategyOptions {
        self_paced: true,
        ..Default::default()
    };
    let load = LoadModel::OpenLoop {
        rate_per_s: 100.0,
        duration: Duration::from_millis(100),
        warmup: Duration::ZERO,
        max_in_flight: 2,
    };
    let err = waitbench_strategies::build(StrategyKind::PyAiohttp, &options)
        .run(&timed("http://127.0.0.1:1", load))
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("--self-paced needs a batch or a closed loop"),
        "{err}"
    );
}
