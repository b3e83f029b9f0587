//! The runs a client is put through, each against the embedded server with conditions
//! known in advance, and what each run leaves behind for the properties to judge.
//!
//! Every probe asks for its conditions in its URL's query (`latency=20ms`, `reset=1`…), so
//! one server serves them all and a client needs nothing but the URLs it is handed. The
//! server's counters are read around each run and only once the server has nothing in
//! flight, so that a request the client abandoned (a timeout) is not counted against the
//! next probe. The interrupt probe is the last: an interruption is process-wide
//! ([`waitbench_core::interrupt`]) and cannot be taken back.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use waitbench_core::{
    Counters, ErrorPolicy, LoadModel, PathPlan, RequestSpec, ServerRunStats, Timeouts, Workload,
    interrupt,
};
use waitbench_mockserver::MockServer;
use waitbench_strategies::{RunError, Strategy};

/// C of the load-model probes: small enough for any client, large enough to show a
/// client that sends more than it was handed.
pub const CONCURRENCY: usize = 4;
/// The latency the server injects into every request of the load-model probes.
pub const DELAY: Duration = Duration::from_millis(20);
/// The open loop's arrival rate: `RATE × DELAY` = 2 requests in flight on average, half
/// of C, so a conforming client never makes a ticket wait for a free slot.
pub const RATE_PER_S: f64 = 100.0;
/// The most the open loop's median send lag may be (sent − intended). The median, not
/// a tail: a client that sends late by design (tickets queued behind fewer slots than C,
/// a loop a blocking call holds, a ticket read polled) is late on most requests, while
/// a conforming client on a busy machine is late only when it is not scheduled, which
/// moves its tail (tens of ms at load average 10 on 2 cores) but not its median.
pub const SEND_LAG_BOUND: Duration = Duration::from_millis(5);
/// How soon after an interruption the client must have stopped.
pub const STOP_BOUND: Duration = Duration::from_secs(1);
/// The request timeout of the timeout probe, and the delay the server holds it for.
const TIMEOUT: Duration = Duration::from_millis(300);
const TIMEOUT_DELAY: Duration = Duration::from_millis(1500);
/// Requests in a batch probe, and in each fault probe.
const BATCH: u64 = 40;
const FAULT_BATCH: u64 = 4;
/// How long to wait for the server to finish what a client abandoned.
const QUIET_WAIT: Duration = Duration::from_secs(3);
/// How long the interrupt probe waits for the client's first requests before giving up.
const FIRST_REQUESTS_WAIT: Duration = Duration::from_secs(20);

/// One run of the check: a load model and the conditions the server injects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Probe {
    /// A batch of 40 at C = 4, 20 ms each.
    Batch,
    /// A closed loop at C = 4 with a warm-up.
    ClosedLoop,
    /// An open loop at 100/s with a warm-up.
    OpenLoop,
    /// Every connection reset by the server.
    Reset,
    /// Every request delayed past the request timeout.
    Timeout,
    /// Every request answered 503.
    Status,
    /// A long closed loop, interrupted once requests flow.
    Interrupt,
}

impl Probe {
    /// Every probe, in the order they run (the interruption last: it cannot be undone).
    pub const ALL: [Probe; 7] = [
        Probe::Batch,
        Probe::ClosedLoop,
        Probe::OpenLoop,
        Probe::Reset,
        Probe::Timeout,
        Probe::Status,
        Probe::Interrupt,
    ];

    /// The probes that run one of the load models with every request answered.
    pub const LOAD_MODELS: [Probe; 3] = [Probe::Batch, Probe::ClosedLoop, Probe::OpenLoop];

    /// Its name in the table.
    pub fn name(self) -> &'static str {
        match self {
            Probe::Batch => "batch",
            Probe::ClosedLoop => "closed",
            Probe::OpenLoop => "open",
            Probe::Reset => "reset",
            Probe::Timeout => "timeout",
            Probe::Status => "503",
            Probe::Interrupt => "interrupt",
        }
    }

    /// What it runs, for progress lines.
    pub fn describe(self) -> String {
        let delay = DELAY.as_millis();
        match self {
            Probe::Batch => format!("batch of {BATCH} at C = {CONCURRENCY}, {delay} ms each"),
            Probe::ClosedLoop => format!("closed loop at C = {CONCURRENCY}, 0.5 s warm-up + 1 s"),
            Probe::OpenLoop => format!("open loop at {RATE_PER_S}/s, 0.5 s warm-up + 1 s"),
            Probe::Reset => format!("batch of {FAULT_BATCH}, every connection reset"),
            Probe::Timeout => format!(
                "batch of {FAULT_BATCH}, {} ms delay against a {} ms timeout",
                TIMEOUT_DELAY.as_millis(),
                TIMEOUT.as_millis()
            ),
            Probe::Status => format!("batch of {FAULT_BATCH}, every request answered 503"),
            Probe::Interrupt => "closed loop, interrupted once requests flow".into(),
        }
    }

    /// The most requests it may have in flight.
    pub fn concurrency(self) -> usize {
        self.load().concurrency()
    }

    /// Requests a batch probe sends; `None` for a timed one.
    pub fn batch_size(self) -> Option<u64> {
        match self.load() {
            LoadModel::Batch { requests, .. } => Some(requests),
            _ => None,
        }
    }

    fn load(self) -> LoadModel {
        let half = Duration::from_millis(500);
        let faults = LoadModel::Batch {
            requests: FAULT_BATCH,
            concurrency: 2,
        };
        match self {
            Probe::Batch => LoadModel::Batch {
                requests: BATCH,
                concurrency: CONCURRENCY,
            },
            Probe::ClosedLoop => LoadModel::ClosedLoop {
                concurrency: CONCURRENCY,
                duration: Duration::from_secs(1),
                warmup: half,
            },
            Probe::OpenLoop => LoadModel::OpenLoop {
                rate_per_s: RATE_PER_S,
                duration: Duration::from_secs(1),
                warmup: half,
                max_in_flight: CONCURRENCY,
            },
            Probe::Reset | Probe::Timeout | Probe::Status => faults,
            Probe::Interrupt => LoadModel::ClosedLoop {
                concurrency: CONCURRENCY,
                duration: Duration::from_secs(60),
                warmup: Duration::ZERO,
            },
        }
    }

    /// The conditions, as the query every request carries.
    fn query(self) -> String {
        let delay = |d: Duration| format!("latency={}ms", d.as_millis());
        match self {
            Probe::Reset => "reset=1".into(),
            Probe::Timeout => delay(TIMEOUT_DELAY),
            Probe::Status => "fail=1:503".into(),
            _ => delay(DELAY),
        }
    }

    /// The workload it runs against the server at `target`.
    pub fn workload(self, target: &str) -> Workload {
        let mut timeouts = Timeouts::default();
        if self == Probe::Timeout {
            timeouts.request = TIMEOUT;
        }
        Workload {
            target: target.to_string(),
            paths: PathPlan::Single { path: "/".into() },
            query: Some(self.query()),
            load: self.load(),
            on_error: ErrorPolicy::WaitAll,
            timeouts,
            request: RequestSpec::default(),
        }
    }
}

/// What a run the client finished left for the properties to judge.
#[derive(Debug, Clone, Default)]
pub struct Recorded {
    /// Every outcome count, as the run's recorder kept them.
    pub counters: Counters,
    /// The shortest sent-to-ended time of the measured window, at the upper edge of its
    /// histogram bucket (so that a request of exactly the delay is not read as shorter),
    /// in microseconds; `None` when nothing was measured.
    pub shortest_us: Option<u64>,
    /// The open loop's send lag (sent − intended, or − handed out when later); `None`
    /// when nothing was measured.
    pub send_lag: Option<SendLag>,
    /// Whether the run says it was cut short by an interruption.
    pub interrupted: bool,
}

/// Two points of a send-lag distribution, microseconds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SendLag {
    /// The median.
    pub p50_us: u64,
    /// The 99th percentile.
    pub p99_us: u64,
}

/// One probe as it ran.
#[derive(Debug)]
pub struct Observed {
    /// Which probe.
    pub probe: Probe,
    /// What the client reported, or why the run failed.
    pub run: Result<Recorded, RunError>,
    /// What the server saw during the run.
    pub server: ServerRunStats,
    /// Just before the strategy was asked to run.
    pub started: Instant,
    /// When the run returned.
    pub returned: Instant,
    /// When the interrupt probe interrupted the run; `None` elsewhere, or when the
    /// client sent too little to be interrupted.
    pub interrupted_at: Option<Instant>,
}

/// Runs `probe` with `strategy` against `server`.
pub fn observe(strategy: &dyn Strategy, server: &MockServer, probe: Probe) -> Observed {
    let workload = probe.workload(&server.url());
    wait_for_quiet(server);
    server.reset_max_in_flight();
    let before = server.stats();
    let finished = Arc::new(AtomicBool::new(false));
    let interrupter = (probe == Probe::Interrupt).then(|| {
        let (finished, state) = (Arc::clone(&finished), server.state());
        let flowing = before.requests_served + 2 * CONCURRENCY as u64;
        std::thread::spawn(move || {
            let deadline = Instant::now() + FIRST_REQUESTS_WAIT;
            while Instant::now() < deadline && !finished.load(Ordering::Relaxed) {
                if state.stats().requests_served >= flowing {
                    let at = Instant::now();
                    interrupt::request();
                    return Some(at);
                }
                std::thread::sleep(Duration::from_millis(5));
            }
            None
        })
    });
    let started = Instant::now();
    let run = strategy.run(&workload);
    let returned = Instant::now();
    finished.store(true, Ordering::Relaxed);
    let interrupted_at = interrupter.and_then(|thread| thread.join().ok().flatten());
    wait_for_quiet(server);
    let server = ServerRunStats::between(&before, &server.stats());
    let run = run.map(|m| {
        let service = &m.recorder.service;
        Recorded {
            shortest_us: (!service.is_empty()).then(|| service.highest_equivalent(service.min())),
            send_lag: (!m.recorder.send_lag.is_empty()).then(|| SendLag {
                p50_us: m.recorder.send_lag.value_at_quantile(0.5),
                p99_us: m.recorder.send_lag.value_at_quantile(0.99),
            }),
            interrupted: m.interrupted,
            counters: m.recorder.counters,
        }
    });
    Observed {
        probe,
        run,
        server,
        started,
        returned,
        interrupted_at,
    }
}

/// Waits (a few seconds at most) until the server has no request in flight.
fn wait_for_quiet(server: &MockServer) {
    let deadline = Instant::now() + QUIET_WAIT;
    while server.stats().in_flight > 0 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(10));
    }
}
