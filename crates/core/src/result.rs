//! The versioned result schema: plain serde structs that the CLI writes (`--json`,
//! `results.json`) and the report and regression check read. Nothing here measures.
//! The JSON Schemas in `docs/schema/` are generated from these types (`tests/schema.rs`
//! fails when they are stale), so that other tools can validate what they read.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::time::Duration;

use hdrhistogram::Histogram;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::environment::Environment;
use crate::interchange::RunHistograms;
use crate::littles_law;
use crate::outcome::{ErrorKind, Tally};
use crate::placement::Placement;
use crate::rate_window::{RateWindow, worst_window};
use crate::recorder::Measurement;
use crate::resources::ResourceUsage;
use crate::server_stats::ServerStats;
use crate::timeline::TimelineSecond;
use crate::workload::Workload;

/// Version of the result schema; bumped on any incompatible change.
pub const SCHEMA_VERSION: u32 = 1;

/// Percentile points kept in results for the spectrum chart (HdrHistogram style).
const SPECTRUM_TICKS: u32 = 2;

/// Latency statistics of one run, in microseconds.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct LatencySummary {
    /// Number of recorded values.
    pub count: u64,
    /// Smallest value.
    pub min_us: f64,
    /// Mean.
    pub mean_us: f64,
    /// Standard deviation.
    pub stdev_us: f64,
    /// Median.
    pub p50_us: f64,
    /// 90th percentile.
    pub p90_us: f64,
    /// 99th percentile.
    pub p99_us: f64,
    /// 99.9th percentile.
    pub p999_us: f64,
    /// 99.99th percentile.
    pub p9999_us: f64,
    /// Largest value.
    pub max_us: f64,
    /// The full spectrum as (percentile in 0..=100, value) pairs, HdrHistogram's iteration.
    pub spectrum: Vec<(f64, f64)>,
}

impl LatencySummary {
    /// Summarises a histogram of microseconds.
    pub fn from_histogram(h: &Histogram<u64>) -> Self {
        if h.is_empty() {
            return LatencySummary::default();
        }
        let q = |quantile: f64| h.value_at_quantile(quantile) as f64;
        let mut spectrum: Vec<(f64, f64)> = Vec::new();
        for v in h.iter_quantiles(SPECTRUM_TICKS) {
            let point = (
                v.quantile_iterated_to() * 100.0,
                v.value_iterated_to() as f64,
            );
            if spectrum.last() != Some(&point) {
                spectrum.push(point);
            }
        }
        LatencySummary {
            count: h.len(),
            min_us: h.min() as f64,
            mean_us: h.mean(),
            stdev_us: h.stdev(),
            p50_us: q(0.50),
            p90_us: q(0.90),
            p99_us: q(0.99),
            p999_us: q(0.999),
            p9999_us: q(0.9999),
            max_us: h.max() as f64,
            spectrum,
        }
    }
}

/// How every request ended. Invariant: `sent == ok + http_errors + errors`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Counts {
    /// Requests sent in the measured window.
    pub sent: u64,
    /// Requests sent outside the measured window: during the warm-up, or after a closed
    /// loop's end by an external client that held tickets ahead (not in any other count;
    /// results written before this field existed read as 0).
    #[serde(default)]
    pub warmup_sent: u64,
    /// 2xx responses.
    pub ok: u64,
    /// Non-2xx responses.
    pub http_errors: u64,
    /// Typed errors.
    pub errors: u64,
    /// Non-2xx responses by status code.
    pub by_status: BTreeMap<u16, u64>,
    /// Typed errors by kind (kinds with zero are left out).
    pub by_error: BTreeMap<ErrorKind, u64>,
    /// Requests issued after the first failure (claim G); `None` if nothing failed.
    pub issued_after_first_failure: Option<u64>,
}

impl Counts {
    /// The outcome tally these counts make.
    pub fn tally(&self) -> Tally {
        Tally {
            sent: self.sent,
            ok: self.ok,
            http_errors: self.http_errors,
            errors: self.errors,
        }
    }

    /// Whether the accounting invariant holds.
    pub fn balanced(&self) -> bool {
        self.tally().balanced()
    }
}

/// Throughput beside its Little's-law bound.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct LittlesLaw {
    /// Mean injected latency the bound is computed from, in microseconds (0 if unknown).
    pub injected_mean_latency_us: f64,
    /// Requests the strategy can really have in flight (min of C and its pool).
    pub effective_concurrency: usize,
    /// C / L with C the requested concurrency; `None` at zero latency.
    pub bound_rps: Option<f64>,
    /// Measured throughput divided by the bound.
    pub efficiency: Option<f64>,
    /// Batch only: predicted time ceil(N / C_eff) · L, in seconds.
    pub predicted_batch_time_s: Option<f64>,
    /// Requests in flight on average over the measured window (the time-averaged count).
    pub measured_mean_in_flight: f64,
    /// Time-averaged requests in flight ÷ the requested C: whether a strategy really keeps
    /// C in flight, whatever the latency or the CPU does to each request.
    #[serde(default)]
    pub in_flight_ratio: Option<f64>,
}

/// Open-loop figures: was the requested rate achieved, and were sends on time.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct OpenLoopStats {
    /// Requested arrival rate.
    pub requested_rps: f64,
    /// Sends per second achieved in the measured window.
    pub achieved_rps: f64,
    /// Sends later than the late threshold after their intended time.
    pub late_sends: u64,
    /// The late threshold, in microseconds.
    pub late_threshold_us: f64,
    /// Requests due while every worker was busy, which waited for a free one: the
    /// target's share of their lateness, left in their latency and out of the send lag.
    #[serde(default)]
    pub queued_sends: u64,
    /// The harness's send lag percentiles: actual send − the later of the intended time
    /// and the moment a worker was free for the request.
    pub send_lag: LatencySummary,
    /// The whole measured second whose rate strayed furthest from the requested one;
    /// `None` when the window held no whole second (or the result predates it).
    #[serde(default)]
    pub worst_second: Option<RateWindow>,
}

/// Client-side resources during the run.
///
/// CPU comes from `getrusage`; memory and threads come from `/proc/self/status`, so
/// elsewhere than on Linux they are `None` (shown as "unavailable", never as 0).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ClientResources {
    /// User CPU of the whole process (client plus an embedded server), seconds.
    pub process_cpu_user_s: f64,
    /// System CPU of the whole process, seconds.
    pub process_cpu_sys_s: f64,
    /// Client CPU: process CPU minus the embedded server's own threads, seconds.
    pub client_cpu_s: f64,
    /// Client CPU per request sent, warm-up included on both sides (the CPU is measured
    /// over the whole run), microseconds.
    pub client_cpu_per_request_us: f64,
    /// Resident memory before the run, bytes.
    pub rss_baseline_bytes: Option<u64>,
    /// Peak resident memory during the run, bytes.
    pub rss_peak_bytes: Option<u64>,
    /// Steady-state resident memory (median of the middle half), bytes.
    pub rss_steady_bytes: Option<u64>,
    /// Virtual memory before the run, bytes.
    pub vm_baseline_bytes: Option<u64>,
    /// Peak virtual memory, bytes.
    pub vm_peak_bytes: Option<u64>,
    /// Steady-state virtual memory, bytes.
    pub vm_steady_bytes: Option<u64>,
    /// Threads before the run.
    pub threads_baseline: Option<u64>,
    /// Peak thread count.
    pub threads_peak: Option<u64>,
    /// (steady RSS − baseline) / concurrency, bytes per in-flight request.
    pub rss_per_in_flight_bytes: Option<f64>,
    /// (steady VM − baseline) / concurrency, bytes per in-flight request.
    pub vm_per_in_flight_bytes: Option<f64>,
}

/// What the server saw during the run (deltas of its `/stats`, when it has them).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ServerRunStats {
    /// Requests the server handled during the run (including warm-up).
    pub requests: u64,
    /// Most requests in flight at the server at once.
    pub max_in_flight: u64,
    /// Connections accepted during the run.
    pub connections_accepted: u64,
    /// Server CPU during the run, seconds.
    pub cpu_s: f64,
    /// Faults injected during the run, by kind.
    pub faults: BTreeMap<String, u64>,
}

impl ServerRunStats {
    /// The difference between two `/stats` readings taken before and after a run.
    pub fn between(before: &ServerStats, after: &ServerStats) -> Self {
        let faults = after
            .faults
            .iter()
            .map(|(k, v)| (k.clone(), v - before.faults.get(k).copied().unwrap_or(0)))
            .collect();
        ServerRunStats {
            requests: after.requests_served.saturating_sub(before.requests_served),
            max_in_flight: after.max_in_flight,
            connections_accepted: after
                .connections_accepted
                .saturating_sub(before.connections_accepted),
            cpu_s: (after.cpu_seconds - before.cpu_seconds).max(0.0),
            faults,
        }
    }
}

/// The strategy and every setting that changes its result.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct StrategyInfo {
    /// Strategy name, e.g. `reqwest-tokio`.
    pub name: String,
    /// Settings (pool sizes, idle connections, buffers, runtime threads), as strings.
    pub settings: BTreeMap<String, String>,
    /// Requests the strategy can have in flight at once with these settings.
    pub effective_concurrency: usize,
}

/// The server-side conditions of the run (injected latency and faults), as given.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct InjectedConditions {
    /// Latency spec, e.g. `50ms` or `lognormal(median=20ms,p99=120ms)`.
    pub latency: Option<String>,
    /// Connection-setup delay spec.
    pub connect_delay: Option<String>,
    /// Fault specs by name (`fail`, `reset`, `stall`, `bandwidth`, `pause`).
    pub faults: BTreeMap<String, String>,
    /// Mean of the latency distribution, microseconds (0 when none or unknown).
    pub mean_latency_us: f64,
    /// Whether the mock server was embedded in this process.
    pub embedded_server: bool,
}

impl InjectedConditions {
    /// The faults that fail requests by design (`fail`, `reset`, `stall`, `pause`);
    /// `bandwidth` only slows them.
    pub const FAILING_FAULTS: [&str; 4] = ["fail", "reset", "stall", "pause"];

    /// Whether the run injects faults that fail requests: then errors are its point, and
    /// not held against it.
    pub fn injects_failures(&self) -> bool {
        Self::FAILING_FAULTS
            .iter()
            .any(|k| self.faults.contains_key(*k))
    }

    /// The share of failed requests a run under these conditions may have before it
    /// counts as broken: `max` when given, else none, unless failures are injected.
    pub fn error_budget(&self, max: Option<f64>) -> f64 {
        max.unwrap_or(if self.injects_failures() { 1.0 } else { 0.0 })
    }
}

/// One measured run: the unit every report and check reads.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct RunResult {
    /// [`SCHEMA_VERSION`] of the writer.
    #[schemars(extend("const" = SCHEMA_VERSION))]
    pub schema_version: u32,
    /// Strategy and its settings.
    pub strategy: StrategyInfo,
    /// The workload as run.
    pub workload: Workload,
    /// The URL the requests were sent to, exactly (the first of distinct endpoints, with
    /// their count); empty in documents written before it was recorded.
    #[serde(default)]
    pub url: String,
    /// The first few distinct error messages, as the client library gave them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub error_samples: Vec<String>,
    /// Injected server conditions.
    pub injected: InjectedConditions,
    /// Length of the measured window, seconds.
    pub wall_time_s: f64,
    /// Goodput: successful responses per second over the measured window. Failed
    /// requests never count, so a strategy (or a target) that fails fast cannot look fast;
    /// every throughput-based figure (efficiency, claims, the CI gate) derives from this.
    pub throughput_rps: f64,
    /// Attempts: requests completed per second whatever their outcome (successes, error
    /// statuses and transport errors alike).
    #[serde(default)]
    pub attempts_rps: f64,
    /// Share of the measured window's requests that failed: (error statuses + transport
    /// errors) ÷ sent; 0 when nothing was sent.
    #[serde(default)]
    pub error_rate: f64,
    /// Whether Ctrl-C or SIGTERM stopped the load before its count or deadline: the
    /// figures describe the shorter window actually measured.
    #[serde(default)]
    pub interrupted: bool,
    /// Outcome counts.
    pub counts: Counts,
    /// Latency (from intended send time in the open loop, else from the actual send).
    pub latency: LatencySummary,
    /// Service time, from the actual send (differs from latency in the open loop only).
    pub service_time: LatencySummary,
    /// Open-loop figures.
    pub open_loop: Option<OpenLoopStats>,
    /// Little's-law bound and efficiency.
    pub littles_law: LittlesLaw,
    /// Client resources.
    pub client: ClientResources,
    /// Server-side view, when the target is a waitbench server (it publishes `/stats`);
    /// `None`: server figures are not available, and the target was sent only the
    /// measured requests.
    pub server: Option<ServerRunStats>,
    /// Strategy-specific figures (e.g. `ticker_lateness_p99_us`).
    #[serde(default)]
    pub extras: BTreeMap<String, f64>,
    /// What the client's connections were: protocol, connections opened and their
    /// connect time, TLS version, cipher suite, key type and handshakes by kind.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connections: Option<crate::ConnectionReport>,
    /// Machine description.
    pub environment: Environment,
    /// The full histograms in HdrHistogram's interchange encoding, so that runs can be
    /// merged exactly and read by other HdrHistogram tools (`None` in older results).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub histograms: Option<RunHistograms>,
    /// Requests finished and their latency, second by second, warm-up included.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub timeline: Vec<TimelineSecond>,
    /// The CPUs the client and an embedded server were pinned to (`None`: not pinned).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub placement: Option<Placement>,
    /// For a result of `waitbench merge`: how many runs, made at the same time by
    /// different client hosts, it adds up.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub merged_runs: Option<u32>,
}

/// Everything [`RunResult::assemble`] combines.
#[derive(Debug)]
pub struct RunInputs<'a> {
    /// Strategy and settings.
    pub strategy: StrategyInfo,
    /// The workload that ran.
    pub workload: &'a Workload,
    /// Injected conditions.
    pub injected: InjectedConditions,
    /// The strategy's measurement.
    pub measurement: &'a Measurement,
    /// Process resources during the run.
    pub resources: ResourceUsage,
    /// Server-side deltas, if known.
    pub server: Option<ServerRunStats>,
    /// Server CPU to subtract from process CPU when the server runs in this process.
    pub embedded_server_cpu: Duration,
    /// Machine description.
    pub environment: Environment,
    /// Where the client and server threads were pinned, if they were.
    pub placement: Option<Placement>,
}

impl RunResult {
    /// Derives every figure of a result from the raw inputs.
    pub fn assemble(inputs: RunInputs<'_>) -> Self {
        let RunInputs {
            strategy,
            workload,
            injected,
            measurement,
            resources,
            server,
            embedded_server_cpu,
            environment,
            placement,
        } = inputs;
        let rec = &measurement.recorder.counters;
        let histograms = &measurement.recorder;
        let wall = measurement.wall_time();
        let completed = rec.ok + rec.http_errors() + rec.error_total();
        let latency = LatencySummary::from_histogram(&histograms.latency);
        let attempts_rps = match workload.load {
            // Little's law on the time-averaged in-flight count: free of the window-edge
            // effect that completions ÷ (last finish − window start) has (up to L/d).
            crate::LoadModel::ClosedLoop { .. } if completed > 0 && latency.mean_us > 0.0 => {
                measurement.mean_in_flight / (latency.mean_us / 1e6)
            }
            _ if wall.is_zero() => 0.0,
            _ => completed as f64 / wall.as_secs_f64(),
        };
        let (throughput_rps, error_rate) = match completed {
            0 => (0.0, 0.0),
            n => (
                attempts_rps * rec.ok as f64 / n as f64,
                (n - rec.ok) as f64 / n as f64,
            ),
        };
        let counts = Counts {
            sent: rec.sent,
            warmup_sent: rec.warmup_sent,
            ok: rec.ok,
            http_errors: rec.http_errors(),
            errors: rec.error_total(),
            by_status: rec.statuses.iter().copied().collect(),
            by_error: ErrorKind::ALL
                .iter()
                .filter(|k| rec.errors[k.index()] > 0)
                .map(|k| (*k, rec.errors[k.index()]))
                .collect(),
            issued_after_first_failure: measurement.issued_after_first_failure,
        };
        let concurrency = workload.load.concurrency();
        let injected_latency = Duration::from_secs_f64(injected.mean_latency_us / 1e6);
        let bound_rps = littles_law::throughput_bound(concurrency, injected_latency);
        let predicted_batch_time_s = match workload.load {
            crate::LoadModel::Batch { requests, .. } if !injected_latency.is_zero() => Some(
                littles_law::batch_time(requests, strategy.effective_concurrency, injected_latency)
                    .as_secs_f64(),
            ),
            _ => None,
        };
        let littles_law = LittlesLaw {
            injected_mean_latency_us: injected.mean_latency_us,
            effective_concurrency: strategy.effective_concurrency,
            bound_rps,
            efficiency: bound_rps.map(|b| throughput_rps / b),
            predicted_batch_time_s,
            measured_mean_in_flight: measurement.mean_in_flight,
            in_flight_ratio: (concurrency > 0 && completed > 0)
                .then(|| measurement.mean_in_flight / concurrency as f64),
        };
        let timeline = measurement.timeline.summary();
        let open_loop = match workload.load {
            crate::LoadModel::OpenLoop {
                rate_per_s,
                duration,
                warmup,
                ..
            } => Some(OpenLoopStats {
                requested_rps: rate_per_s,
                achieved_rps: if wall.is_zero() {
                    0.0
                } else {
                    rec.sent as f64 / wall.as_secs_f64()
                },
                late_sends: rec.late_sends,
                queued_sends: rec.queued_sends,
                late_threshold_us: crate::recorder::LATE_SEND_THRESHOLD.as_secs_f64() * 1e6,
                send_lag: LatencySummary::from_histogram(&histograms.send_lag),
                worst_second: worst_window(&timeline, warmup, duration, rate_per_s),
            }),
            _ => None,
        };
        let process_cpu = resources.cpu_user + resources.cpu_sys;
        let client_cpu = process_cpu.saturating_sub(embedded_server_cpu);
        let memory = resources.memory;
        let per_in_flight = |steady: u64, baseline: u64| {
            (steady as f64 - baseline as f64) / concurrency.max(1) as f64
        };
        let client = ClientResources {
            process_cpu_user_s: resources.cpu_user.as_secs_f64(),
            process_cpu_sys_s: resources.cpu_sys.as_secs_f64(),
            client_cpu_s: client_cpu.as_secs_f64(),
            client_cpu_per_request_us: match rec.sent + rec.warmup_sent {
                0 => 0.0,
                all => client_cpu.as_secs_f64() * 1e6 / all as f64,
            },
            rss_baseline_bytes: memory.map(|m| m.rss_baseline_bytes),
            rss_peak_bytes: memory.map(|m| m.rss_peak_bytes),
            rss_steady_bytes: memory.map(|m| m.rss_steady_bytes),
            vm_baseline_bytes: memory.map(|m| m.vm_baseline_bytes),
            vm_peak_bytes: memory.map(|m| m.vm_peak_bytes),
            vm_steady_bytes: memory.map(|m| m.vm_steady_bytes),
            threads_baseline: memory.map(|m| m.threads_baseline),
            threads_peak: memory.map(|m| m.threads_peak),
            rss_per_in_flight_bytes: memory
                .map(|m| per_in_flight(m.rss_steady_bytes, m.rss_baseline_bytes)),
            vm_per_in_flight_bytes: memory
                .map(|m| per_in_flight(m.vm_steady_bytes, m.vm_baseline_bytes)),
        };
        RunResult {
            schema_version: SCHEMA_VERSION,
            strategy,
            workload: workload.clone(),
            url: workload.sent_url(),
            error_samples: measurement.error_samples.clone(),
            injected,
            wall_time_s: wall.as_secs_f64(),
            throughput_rps,
            attempts_rps,
            error_rate,
            interrupted: measurement.interrupted,
            counts,
            latency,
            service_time: LatencySummary::from_histogram(&histograms.service),
            open_loop,
            littles_law,
            client,
            server,
            extras: measurement.extras.clone(),
            connections: measurement.connections.clone(),
            environment,
            histograms: Some(RunHistograms::encode(histograms)),
            timeline,
            placement,
            merged_runs: None,
        }
    }
}

/// Median and range of one figure across independent trials.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Spread {
    /// Median across trials.
    pub median: f64,
    /// Smallest trial.
    pub min: f64,
    /// Largest trial.
    pub max: f64,
}

impl Spread {
    /// Median and range of `values`; zeros when empty.
    pub fn of(values: impl IntoIterator<Item = f64>) -> Self {
        let mut v: Vec<f64> = values.into_iter().filter(|x| x.is_finite()).collect();
        if v.is_empty() {
            return Spread::default();
        }
        v.sort_by(f64::total_cmp);
        let n = v.len();
        let median = if n % 2 == 1 {
            v[n / 2]
        } else {
            (v[n / 2 - 1] + v[n / 2]) / 2.0
        };
        Spread {
            median,
            min: v[0],
            max: v[n - 1],
        }
    }

    /// (max − min) / median: the relative spread across trials.
    pub fn relative_range(&self) -> f64 {
        if self.median == 0.0 {
            0.0
        } else {
            (self.max - self.min) / self.median
        }
    }
}

/// Repeated independent trials of one configuration, with statistics across them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct TrialSet {
    /// Every trial, in order.
    pub trials: Vec<RunResult>,
    /// Throughput across trials, req/s.
    pub throughput_rps: Spread,
    /// Wall time across trials, seconds.
    pub wall_time_s: Spread,
    /// Median latency across trials, µs.
    pub p50_us: Spread,
    /// p99 latency across trials, µs.
    pub p99_us: Spread,
    /// Little's-law efficiency across trials (when a bound exists).
    pub efficiency: Option<Spread>,
}

impl TrialSet {
    /// Computes the cross-trial statistics of `trials`.
    pub fn new(trials: Vec<RunResult>) -> Self {
        let spread = |f: fn(&RunResult) -> f64| Spread::of(trials.iter().map(f));
        let efficiencies: Vec<f64> = trials
            .iter()
            .filter_map(|t| t.littles_law.efficiency)
            .collect();
        TrialSet {
            throughput_rps: spread(|t| t.throughput_rps),
            wall_time_s: spread(|t| t.wall_time_s),
            p50_us: spread(|t| t.latency.p50_us),
            p99_us: spread(|t| t.latency.p99_us),
            efficiency: (!efficiencies.is_empty()).then(|| Spread::of(efficiencies)),
            trials,
        }
    }

    /// The trial whose throughput is the median (the representative run).
    pub fn median_trial(&self) -> Option<&RunResult> {
        let mut sorted: Vec<&RunResult> = self.trials.iter().collect();
        sorted.sort_by(|a, b| a.throughput_rps.total_cmp(&b.throughput_rps));
        sorted.get(sorted.len() / 2).copied()
    }
}

/// The document `waitbench run --json` writes: the command line and every trial.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct RunDocument<'a> {
    /// [`SCHEMA_VERSION`] of the writer.
    #[schemars(extend("const" = SCHEMA_VERSION))]
    pub schema_version: u32,
    /// The command line that produced the document, program name first.
    pub command: Vec<String>,
    /// The trials and the statistics across them.
    // A Cow so that the CLI writes a document that borrows its trials, while a reader
    // gets an owned copy.
    pub result: Cow<'a, TrialSet>,
}

impl<'a> RunDocument<'a> {
    /// The document of `result`, produced by `command`, at this crate's schema version.
    pub fn new(command: Vec<String>, result: &'a TrialSet) -> Self {
        RunDocument {
            schema_version: SCHEMA_VERSION,
            command,
            result: Cow::Borrowed(result),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spread_takes_median_and_range() {
        let s = Spread::of([3.0, 1.0, 2.0]);
        assert_eq!((s.median, s.min, s.max), (2.0, 1.0, 3.0));
        assert_eq!(Spread::of([1.0, 3.0]).median, 2.0);
        assert!((s.relative_range() - 1.0).abs() < 1e-12);
    }

    #[test]
    fn server_deltas_subtract_counters_but_keep_the_max_gauge() {
        let before = ServerStats {
            requests_served: 10,
            faults: [("fail".to_string(), 1)].into(),
            cpu_seconds: 1.0,
            ..Default::default()
        };
        let after = ServerStats {
            requests_served: 110,
            max_in_flight: 7,
            faults: [("fail".to_string(), 4)].into(),
            cpu_seconds: 1.5,
            ..Default::default()
        };
        let delta = ServerRunStats::between(&before, &after);
        assert_eq!(delta.requests, 100);
        assert_eq!(delta.max_in_flight, 7);
        assert_eq!(delta.faults["fail"], 3);
        assert!((delta.cpu_s - 0.5).abs() < 1e-12);
    }
}
