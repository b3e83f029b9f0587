//! Shared setup for waitbench's criterion benches: one embedded mock server per bench
//! binary (started once, on its own threads, so it is never timed as client work) and
//! the timing loop every bench uses.
//!
//! Timing model: each criterion iteration runs one whole batch through
//! [`Strategy::run`]; the time reported is the batch's measured window (first send to
//! last completion), so building clients, pools and runtimes is not timed.

use std::sync::OnceLock;
use std::time::Duration;

use waitbench_core::{ErrorPolicy, LoadModel, PathPlan, Timeouts, Workload};
use waitbench_mockserver::{MockServer, ServerConfig};
use waitbench_strategies::Strategy;

/// The bench binary's mock server, started on first use.
pub fn server() -> &'static MockServer {
    static SERVER: OnceLock<MockServer> = OnceLock::new();
    SERVER.get_or_init(|| {
        let _ = waitbench_core::limits::raise_fd_limit();
        MockServer::start(ServerConfig::default())
            .expect("the bench mock server starts on a free port")
    })
}

/// The bench binary's HTTPS mock server (ALPN h2 and http/1.1, resumption on, its
/// certificate signed by waitbench's local CA, made on first use), started on first use.
pub fn tls_server() -> &'static MockServer {
    static SERVER: OnceLock<MockServer> = OnceLock::new();
    SERVER.get_or_init(|| {
        let _ = waitbench_core::limits::raise_fd_limit();
        MockServer::start(ServerConfig {
            protocol: waitbench_mockserver::ProtocolConfig::tls(),
            ..ServerConfig::default()
        })
        .expect("the bench TLS mock server starts on a free port")
    })
}

/// A batch of `requests` at `concurrency` in flight, with per-request server conditions
/// given as a query string (e.g. `latency=10ms`).
pub fn batch(requests: u64, concurrency: usize, query: &str) -> Workload {
    batch_on(server(), requests, concurrency, query)
}

/// [`batch`] against `server`.
pub fn batch_on(server: &MockServer, requests: u64, concurrency: usize, query: &str) -> Workload {
    Workload {
        target: server.url(),
        paths: PathPlan::Single { path: "/".into() },
        query: (!query.is_empty()).then(|| query.to_string()),
        load: LoadModel::Batch {
            requests,
            concurrency,
        },
        on_error: ErrorPolicy::WaitAll,
        request: Default::default(),
        timeouts: Timeouts::default(),
    }
}

/// Runs `iters` batches and returns the sum of their measured windows (criterion's
/// `iter_custom`); a failed or unbalanced run aborts the bench with its reason.
pub fn timed_batches(strategy: &dyn Strategy, workload: &Workload, iters: u64) -> Duration {
    (0..iters)
        .map(|_| {
            let measurement = strategy
                .run(workload)
                .unwrap_or_else(|e| panic!("{} failed: {e}", strategy.kind().name()));
            let rec = &measurement.recorder.counters;
            assert_eq!(
                rec.ok,
                rec.sent,
                "{}: every bench request must succeed",
                strategy.kind().name()
            );
            measurement.wall_time()
        })
        .sum()
}
