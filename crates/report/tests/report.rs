//! Renders a small synthetic suite (every claim with a chart, plus one without) read back
//! from the committed fixture, and checks the files, the PNG headers and the page.
//!
//! The fixture `tests/fixtures/small-results.json` is what [`small_suite`] builds; set
//! `WAITBENCH_BLESS=1` to rewrite it after changing the builder or the schema.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use waitbench_core::{
    ClaimRow, ClientResources, Counts, Environment, ErrorKind, ErrorPolicy, InjectedConditions,
    LatencySummary, LittlesLaw, LoadModel, PathPlan, Point, RunResult, SCHEMA_VERSION,
    ScenarioResult, Series, ServerRunStats, Stack, StrategyInfo, SuiteResults, TimelineSecond,
    Timeouts, TrialSet, Variant, Verdict, Workload,
};
use waitbench_report::{ReportError, claims_table_text, read_results, render, summary};

const CHARTS: [&str; 13] = [
    "fan-out.png",
    "connection-reuse.png",
    "throughput-vs-concurrency.png",
    "p99-vs-concurrency.png",
    "latency-spectrum.png",
    "saturation.png",
    "memory-per-request.png",
    "cheap-threads.png",
    "cpu-bound.png",
    "blocking-in-async.png",
    "error-policy.png",
    "coordinated-omission.png",
    "timeline.png",
];

fn fixture_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/small-results.json")
}

/// The committed fixture, read through the public reader.
fn fixture() -> SuiteResults {
    read_results(&fixture_path()).expect("the committed fixture reads")
}

// ---------------------------------------------------------------------------------------
// Building a synthetic suite, field by field.
// ---------------------------------------------------------------------------------------

fn environment() -> Environment {
    Environment {
        cores: 2,
        kernel: Some("6.1.0-test".into()),
        os: "linux x86_64".into(),
        memory_bytes: Some(24 << 30),
        fd_soft_limit: Some(20_000),
        fd_hard_limit: Some(20_000),
        somaxconn: Some(4096),
        ephemeral_ports: Some("32768-60999".into()),
        waitbench_version: "0.1.0".into(),
        unix_time_s: 1_700_000_000,
    }
}

/// A latency summary whose percentiles grow from `p50_us` to `max_us`.
fn latency(p50_us: f64, p99_us: f64, max_us: f64, count: u64) -> LatencySummary {
    let p90 = p50_us + (p99_us - p50_us) * 0.4;
    let p999 = p99_us + (max_us - p99_us) * 0.5;
    let p9999 = p99_us + (max_us - p99_us) * 0.8;
    let spectrum = vec![
        (0.0, p50_us * 0.9),
        (25.0, p50_us * 0.96),
        (50.0, p50_us),
        (75.0, p50_us + (p90 - p50_us) * 0.4),
        (87.5, p50_us + (p90 - p50_us) * 0.8),
        (90.0, p90),
        (96.875, p90 + (p99_us - p90) * 0.5),
        (99.0, p99_us),
        (99.9, p999),
        (99.99, p9999),
        (99.999, max_us),
        (100.0, max_us),
    ];
    LatencySummary {
        count,
        min_us: p50_us * 0.9,
        mean_us: p50_us * 1.05,
        stdev_us: (p99_us - p50_us) / 3.0,
        p50_us,
        p90_us: p90,
        p99_us,
        p999_us: p999,
        p9999_us: p9999,
        max_us,
        spectrum,
    }
}

/// What varies between the synthetic runs; everything else is derived.
#[derive(Clone)]
struct Spec {
    strategy: &'static str,
    concurrency: usize,
    effective: usize,
    latency_ms: f64,
    throughput_rps: f64,
    wall_s: f64,
    p50_ms: f64,
    p99_ms: f64,
    max_ms: f64,
    errors: BTreeMap<ErrorKind, u64>,
    http_errors: u64,
    issued_after_first_failure: Option<u64>,
    rss_per_in_flight: f64,
    vm_per_in_flight: f64,
    extras: BTreeMap<String, f64>,
    open_loop: bool,
    batch: Option<u64>,
}

fn spec(strategy: &'static str, concurrency: usize) -> Spec {
    Spec {
        strategy,
        concurrency,
        effective: concurrency,
        latency_ms: 50.0,
        throughput_rps: concurrency as f64 / 0.05,
        wall_s: 2.0,
        p50_ms: 51.0,
        p99_ms: 54.0,
        max_ms: 60.0,
        errors: BTreeMap::new(),
        http_errors: 0,
        issued_after_first_failure: None,
        rss_per_in_flight: 16_384.0,
        vm_per_in_flight: 2_097_152.0,
        extras: BTreeMap::new(),
        open_loop: false,
        batch: None,
    }
}

/// One run from a spec, scaled by `factor` to make trials differ.
fn run(s: &Spec, factor: f64) -> RunResult {
    let throughput = s.throughput_rps * factor;
    let completed = (throughput * s.wall_s).round().max(1.0) as u64;
    let errors: u64 = s.errors.values().sum();
    let sent = completed;
    let ok = sent - errors - s.http_errors;
    let load = match (s.batch, s.open_loop) {
        (Some(requests), _) => LoadModel::Batch {
            requests,
            concurrency: s.concurrency,
        },
        (None, true) => LoadModel::OpenLoop {
            rate_per_s: s.throughput_rps,
            duration: Duration::from_secs(2),
            warmup: Duration::from_millis(500),
            max_in_flight: s.concurrency,
        },
        (None, false) => LoadModel::ClosedLoop {
            concurrency: s.concurrency,
            duration: Duration::from_secs(2),
            warmup: Duration::from_millis(500),
        },
    };
    let bound = (s.latency_ms > 0.0).then(|| s.concurrency as f64 / (s.latency_ms / 1e3));
    let lat = latency(
        s.p50_ms * 1e3 / factor,
        s.p99_ms * 1e3 / factor,
        s.max_ms * 1e3,
        completed,
    );
    let mut by_status = BTreeMap::new();
    if s.http_errors > 0 {
        by_status.insert(500, s.http_errors);
    }
    RunResult {
        schema_version: SCHEMA_VERSION,
        url: String::new(),
        error_samples: Vec::new(),
        strategy: StrategyInfo {
            name: s.strategy.into(),
            settings: [
                ("workers".to_string(), s.effective.to_string()),
                ("idle_per_host".to_string(), "3".to_string()),
            ]
            .into(),
            effective_concurrency: s.effective,
        },
        workload: Workload {
            target: "http://127.0.0.1:9".into(),
            paths: PathPlan::Single { path: "/".into() },
            query: Some(format!("latency={}ms", s.latency_ms)),
            load,
            on_error: ErrorPolicy::WaitAll,
            request: Default::default(),
            timeouts: Timeouts::default(),
        },
        injected: InjectedConditions {
            latency: Some(format!("{}ms", s.latency_ms)),
            connect_delay: None,
            faults: BTreeMap::new(),
            mean_latency_us: s.latency_ms * 1e3,
            embedded_server: true,
        },
        wall_time_s: s.wall_s / factor,
        throughput_rps: throughput,
        attempts_rps: throughput * sent as f64 / ok.max(1) as f64,
        error_rate: (sent - ok) as f64 / sent.max(1) as f64,
        interrupted: false,
        counts: Counts {
            sent,
            warmup_sent: 0,
            ok,
            http_errors: s.http_errors,
            errors,
            by_status,
            by_error: s.errors.clone(),
            issued_after_first_failure: s.issued_after_first_failure,
        },
        latency: lat.clone(),
        service_time: lat,
        open_loop: None,
        littles_law: LittlesLaw {
            injected_mean_latency_us: s.latency_ms * 1e3,
            effective_concurrency: s.effective,
            bound_rps: bound,
            efficiency: bound.map(|b| throughput / b),
            predicted_batch_time_s: s
                .batch
                .map(|n| (n as f64 / s.effective as f64).ceil() * s.latency_ms / 1e3),
            measured_mean_in_flight: throughput * s.p50_ms / 1e3,
            in_flight_ratio: Some(s.effective as f64 / s.concurrency as f64),
        },
        client: ClientResources {
            process_cpu_user_s: 0.4,
            process_cpu_sys_s: 0.2,
            client_cpu_s: 0.45,
            client_cpu_per_request_us: 0.45e6 / completed as f64,
            rss_baseline_bytes: Some(8 << 20),
            rss_peak_bytes: Some((8 << 20) + (s.rss_per_in_flight * s.concurrency as f64) as u64),
            rss_steady_bytes: Some((8 << 20) + (s.rss_per_in_flight * s.concurrency as f64) as u64),
            vm_baseline_bytes: Some(100 << 20),
            vm_peak_bytes: Some((100 << 20) + (s.vm_per_in_flight * s.concurrency as f64) as u64),
            vm_steady_bytes: Some((100 << 20) + (s.vm_per_in_flight * s.concurrency as f64) as u64),
            threads_baseline: Some(3),
            threads_peak: Some(3 + s.effective as u64),
            rss_per_in_flight_bytes: Some(s.rss_per_in_flight * factor),
            vm_per_in_flight_bytes: Some(s.vm_per_in_flight),
        },
        server: Some(ServerRunStats {
            requests: completed,
            max_in_flight: s.effective as u64,
            connections_accepted: s.effective as u64,
            cpu_s: 0.15,
            faults: BTreeMap::new(),
        }),
        extras: s.extras.clone(),
        connections: None,
        environment: environment(),
        histograms: None,
        timeline: Vec::new(),
        placement: None,
        merged_runs: None,
    }
}

/// Three trials of a spec, as a point at `x`.
fn point(x: f64, s: &Spec) -> Point {
    let (predicted, unit) = match s.batch {
        Some(n) => (
            Some((n as f64 / s.effective as f64).ceil() * s.latency_ms / 1e3),
            "s",
        ),
        None => (Some(s.concurrency as f64 / (s.latency_ms / 1e3)), "req/s"),
    };
    Point {
        x,
        predicted,
        predicted_unit: unit.into(),
        trials: TrialSet::new(vec![run(s, 0.97), run(s, 1.0), run(s, 1.03)]),
    }
}

fn series(label: &str, variant: Variant, points: Vec<Point>) -> Series {
    Series {
        label: label.into(),
        role: label
            .split([' ', ','])
            .next()
            .unwrap_or_default()
            .to_lowercase(),
        strategy: points
            .first()
            .map(|p| p.trials.trials[0].strategy.name.clone())
            .unwrap_or_default(),
        stack: Stack::Rust,
        variant,
        points,
        not_measured: None,
    }
}

fn scenario(
    claim: &str,
    name: &str,
    title: &str,
    x_label: &str,
    series: Vec<Series>,
) -> ScenarioResult {
    ScenarioResult {
        claim: claim.into(),
        name: name.into(),
        title: title.into(),
        description: format!("Synthetic {title} for the report tests.\n\nSecond paragraph."),
        x_label: x_label.into(),
        series,
    }
}

fn claim(id: &str, claimed: &str, measured: &str, verdict: Verdict) -> ClaimRow {
    ClaimRow {
        id: id.into(),
        claim: format!("claim {id} <as the article puts it>"),
        claimed: claimed.into(),
        measured: measured.into(),
        predicted: "C / L".into(),
        verdict,
        rule: "measured within 20 % of the claim".into(),
        why: "pool sizes decide how many requests are in flight".into(),
        figures: [("speedup".to_string(), 1.5)].into(),
        trial_verdicts: Vec::new(),
        explained: None,
        stacks: Vec::new(),
    }
}

fn fan_out() -> ScenarioResult {
    let batch = |strategy, c: usize, wall_s: f64, defaults| {
        let mut s = spec(strategy, c);
        s.batch = Some(500);
        s.latency_ms = 48.0;
        s.wall_s = wall_s;
        s.throughput_rps = 500.0 / wall_s;
        (s, defaults)
    };
    let runs = [
        (
            "ureq sequential",
            batch("ureq-sequential", 1, 24.3, Variant::Plain),
        ),
        (
            "reqwest-tokio, uncapped",
            batch("reqwest-tokio", 500, 0.061, Variant::Plain),
        ),
        (
            "reqwest-tokio, cap 100 (aiohttp default)",
            batch("reqwest-tokio-cap", 100, 0.25, Variant::Defaults),
        ),
        (
            "reqwest-tokio, cap 13",
            batch("reqwest-tokio-13", 13, 1.9, Variant::RightSized),
        ),
    ];
    scenario(
        "A",
        "a-fan-out",
        "500 endpoints: sequential vs async",
        "concurrency cap",
        runs.into_iter()
            .map(|(label, (s, v))| series(label, v, vec![point(s.concurrency as f64, &s)]))
            .collect(),
    )
}

fn connection_reuse() -> ScenarioResult {
    let mk = |strategy, p50: f64| {
        let mut s = spec(strategy, 10);
        s.latency_ms = 10.0;
        s.p50_ms = p50;
        s.p99_ms = p50 * 1.3;
        s.max_ms = p50 * 2.0;
        s
    };
    let rows = [
        ("ureq, shared agent", "ureq-shared", mk("ureq-rayon", 10.4)),
        (
            "ureq, new agent per request",
            "ureq-per-request",
            mk("ureq-per-request", 20.8),
        ),
        (
            "reqwest, shared client",
            "reqwest-shared",
            mk("reqwest-tokio", 10.2),
        ),
        (
            "reqwest, new client per request",
            "reqwest-per-request",
            mk("reqwest-per-request", 20.5),
        ),
        (
            "reqwest, shared client, plain loopback",
            "reqwest-shared-loopback",
            mk("reqwest-tokio", 1.02),
        ),
        (
            "reqwest, new client per request, plain loopback",
            "reqwest-per-request-loopback",
            mk("reqwest-per-request", 1.05),
        ),
    ];
    scenario(
        "B",
        "b-connection-reuse",
        "One session vs a new client per request",
        "requests in flight",
        rows.into_iter()
            .map(|(label, role, s)| Series {
                role: role.into(),
                ..series(label, Variant::Plain, vec![point(10.0, &s)])
            })
            .collect(),
    )
}

fn concurrency_sweep() -> ScenarioResult {
    let xs = [1usize, 10, 100, 1000, 5000];
    let sweep = |strategy, cap: Option<usize>, overhead: f64| -> Vec<Point> {
        xs.iter()
            .map(|&c| {
                let mut s = spec(strategy, c);
                s.latency_ms = 100.0;
                s.effective = cap.map_or(c, |cap| cap.min(c));
                s.throughput_rps =
                    s.effective as f64 / 0.1 * (1.0 - overhead * (c as f64).log10() / 4.0);
                s.p50_ms = 100.5 * (c as f64 / s.effective as f64);
                s.p99_ms = s.p50_ms * (1.05 + overhead * (c as f64).log10());
                s.max_ms = s.p99_ms * 1.6;
                point(c as f64, &s)
            })
            .collect()
    };
    scenario(
        "C",
        "c-concurrency-sweep",
        "Throughput at 1 … 5,000 requests in flight",
        "concurrency (requests in flight)",
        vec![
            series(
                "ureq-rayon (rayon default pool: 2 threads)",
                Variant::Defaults,
                sweep("ureq-rayon", Some(2), 0.0),
            ),
            series(
                "ureq-rayon (num_threads = C)",
                Variant::RightSized,
                sweep("ureq-rayon", None, 0.25),
            ),
            series(
                "reqwest-tokio",
                Variant::Plain,
                sweep("reqwest-tokio", None, 0.08),
            ),
        ],
    )
}

fn memory() -> ScenarioResult {
    let sweep = |strategy, rss: f64, vm: f64| -> Vec<Point> {
        [10usize, 100, 1000]
            .iter()
            .map(|&c| {
                let mut s = spec(strategy, c);
                s.rss_per_in_flight = rss;
                s.vm_per_in_flight = vm;
                point(c as f64, &s)
            })
            .collect()
    };
    scenario(
        "E",
        "e-memory",
        "Memory per in-flight request",
        "concurrency (requests in flight)",
        vec![
            series(
                "ureq on threads (128 KiB buffers)",
                Variant::Plain,
                sweep("ureq-threads", 280_000.0, 2_200_000.0),
            ),
            series(
                "reqwest-tokio tasks",
                Variant::Plain,
                sweep("reqwest-tokio", 9_000.0, 12_000.0),
            ),
        ],
    )
}

fn cpu_bound() -> ScenarioResult {
    let mk = |strategy, rps: f64| {
        let mut s = spec(strategy, 2);
        s.latency_ms = 0.0;
        s.throughput_rps = rps;
        s
    };
    let rows = [
        ("sequential", mk("ureq-sequential", 410.0)),
        ("rayon (2 threads)", mk("ureq-rayon", 790.0)),
        ("tokio async, work inline", mk("reqwest-tokio", 430.0)),
        ("tokio + spawn_blocking", mk("reqwest-tokio-sb", 780.0)),
    ];
    scenario(
        "F1",
        "f1-cpu-bound",
        "CPU-bound response handling",
        "workers",
        rows.into_iter()
            .map(|(label, s)| series(label, Variant::Plain, vec![point(2.0, &s)]))
            .collect(),
    )
}

fn blocking() -> ScenarioResult {
    let mk = |strategy, rps: f64, lateness_us: f64| {
        let mut s = spec(strategy, 100);
        s.throughput_rps = rps;
        s.extras = [("ticker_lateness_p99_us".to_string(), lateness_us)].into();
        s
    };
    let rows = [
        (
            "current-thread runtime, blocking sleep",
            mk("tokio-ct-blocking", 19.0, 50_200.0),
        ),
        (
            "multi-thread runtime, blocking sleep",
            mk("tokio-mt-blocking", 39.0, 1_900.0),
        ),
        (
            "spawn_blocking fix",
            mk("tokio-spawn-blocking", 1_950.0, 1_080.0),
        ),
    ];
    scenario(
        "F2",
        "f2-blocking-in-async",
        "One blocking call inside async code",
        "concurrency",
        rows.into_iter()
            .map(|(label, s)| series(label, Variant::Plain, vec![point(100.0, &s)]))
            .collect(),
    )
}

fn error_policy() -> ScenarioResult {
    let mk = |strategy, cancelled: u64, after: u64| {
        let mut s = spec(strategy, 100);
        s.wall_s = 0.25;
        s.throughput_rps = 2_000.0;
        s.http_errors = 5;
        if cancelled > 0 {
            s.errors = [(ErrorKind::Cancelled, cancelled)].into();
        }
        s.issued_after_first_failure = Some(after);
        s
    };
    let rows = [
        ("join_all (wait for all)", mk("reqwest-join-all", 0, 380)),
        (
            "try_join_all (cancel the rest)",
            mk("reqwest-try-join-all", 95, 0),
        ),
        (
            "dropped JoinHandles (detached)",
            mk("reqwest-detached", 0, 380),
        ),
    ];
    scenario(
        "G",
        "g-error-policy",
        "What the first error does to the rest",
        "concurrency",
        rows.into_iter()
            .map(|(label, s)| series(label, Variant::Plain, vec![point(100.0, &s)]))
            .collect(),
    )
}

fn coordinated_omission() -> ScenarioResult {
    let mk = |strategy, open: bool, p99: f64, max: f64| {
        let mut s = spec(strategy, 50);
        s.latency_ms = 5.0;
        s.throughput_rps = 1_000.0;
        s.p50_ms = 5.2;
        s.p99_ms = p99;
        s.max_ms = max;
        s.open_loop = open;
        s
    };
    let rows = [
        (
            "closed loop (from actual send)",
            mk("reqwest-tokio", false, 6.1, 510.0),
        ),
        (
            "open loop (from intended send)",
            mk("reqwest-tokio-open", true, 480.0, 1_020.0),
        ),
    ];
    let mut scenario = scenario(
        "CO",
        "co-coordinated-omission",
        "Coordinated omission under a periodic stall",
        "requests in flight (max)",
        rows.into_iter()
            .map(|(label, s)| series(label, Variant::Plain, vec![point(50.0, &s)]))
            .collect(),
    );
    // Seven seconds, the first a warm-up, with a stall in seconds 2 and 4 that only the
    // open loop's p99 shows; the last second is partial.
    for (i, series) in scenario.series.iter_mut().enumerate() {
        for trial in series
            .points
            .iter_mut()
            .flat_map(|p| p.trials.trials.iter_mut())
        {
            trial.timeline = (0..7u32)
                .map(|second| {
                    let stalled = second == 2 || second == 4;
                    TimelineSecond {
                        second,
                        completed: if second == 6 {
                            300
                        } else if stalled {
                            900
                        } else {
                            1_000
                        },
                        p50_us: 5_200.0,
                        p99_us: if stalled && i == 1 {
                            190_000.0
                        } else {
                            6_100.0
                        },
                        max_us: if stalled { 200_000.0 } else { 7_000.0 },
                        warmup: second == 0,
                    }
                })
                .collect();
        }
    }
    scenario
}

fn saturation() -> ScenarioResult {
    let mut s = spec("reqwest-tokio", 100);
    s.latency_ms = 0.0;
    s.throughput_rps = 48_000.0;
    scenario(
        "D",
        "d-saturation",
        "Maximum throughput at L = 0",
        "concurrency",
        vec![series(
            "reqwest-tokio",
            Variant::Plain,
            vec![point(100.0, &s)],
        )],
    )
}

/// The synthetic suite the fixture holds.
fn small_suite() -> SuiteResults {
    SuiteResults {
        schema_version: waitbench_core::suite::SUITE_SCHEMA_VERSION,
        quick: true,
        trials: 3,
        environment: environment(),
        duration_s: 312.5,
        incomplete: None,
        scenarios: vec![
            fan_out(),
            connection_reuse(),
            concurrency_sweep(),
            saturation(),
            memory(),
            cpu_bound(),
            blocking(),
            error_policy(),
            coordinated_omission(),
        ],
        claims: vec![
            claim(
                "A",
                "13.3× (240 s vs 18 s)",
                "398× uncapped; 13.1× at cap 13",
                Verdict::OnlyUnderConditions,
            ),
            claim(
                "B",
                "30–50 % lower latency",
                "50 % with a 10 ms setup delay, ~0 % without",
                Verdict::OnlyUnderConditions,
            ),
            claim(
                "C",
                "1.5–5× at 300+",
                "1.0× right-sized; 500× with rayon defaults",
                Verdict::NotReproduced,
            ),
            claim(
                "D",
                "41 % higher throughput",
                "48,000 req/s",
                Verdict::Inconclusive,
            ),
            claim(
                "E",
                "1 MB per thread vs a few KB",
                "273 KiB vs 8.8 KiB RSS",
                Verdict::Reproduced,
            ),
            claim(
                "F1",
                "async gives nothing for CPU work",
                "1.05× sequential",
                Verdict::Reproduced,
            ),
            claim(
                "F2",
                "blocking freezes the loop",
                "ticker p99 50 ms",
                Verdict::Reproduced,
            ),
            claim(
                "G",
                "gather cancels the rest",
                "siblings keep running",
                Verdict::NotReproduced,
            ),
            claim(
                "CO",
                "closed loop hides stalls",
                "p99 6.1 ms vs 480 ms",
                Verdict::Reproduced,
            ),
        ],
        server_url: None,
        placement: None,
    }
}

// ---------------------------------------------------------------------------------------
// Tests.
// ---------------------------------------------------------------------------------------

#[test]
fn fixture_matches_the_builder() {
    let built = small_suite();
    if std::env::var_os("WAITBENCH_BLESS").is_some() {
        let json = serde_json::to_string(&built).expect("the suite serialises");
        std::fs::create_dir_all(fixture_path().parent().expect("has a parent"))
            .expect("fixture dir");
        std::fs::write(fixture_path(), json + "\n").expect("fixture written");
    }
    // Compare through the same JSON text so float parsing cannot differ by an ulp.
    let built: SuiteResults =
        serde_json::from_str(&serde_json::to_string(&built).expect("serialises")).expect("parses");
    assert_eq!(
        fixture(),
        built,
        "tests/fixtures/small-results.json is stale; rerun with WAITBENCH_BLESS=1"
    );
}

/// Width and height from a PNG's IHDR chunk, after checking the signature.
fn png_size(bytes: &[u8]) -> (u32, u32) {
    assert!(bytes.len() > 24, "too short for a PNG");
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "PNG signature");
    assert_eq!(&bytes[12..16], b"IHDR", "first chunk is IHDR");
    let be = |at: usize| u32::from_be_bytes(bytes[at..at + 4].try_into().expect("4 bytes"));
    (be(16), be(20))
}

#[test]
fn every_chart_is_a_1200_by_800_png_and_the_page_references_it() {
    let suite = fixture();
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("report");
    let report = render(&suite, &out).expect("the report renders");

    assert!(report.skipped.is_empty(), "skipped: {:?}", report.skipped);
    let drawn: Vec<&str> = report.charts.iter().map(|c| c.file_name.as_str()).collect();
    assert_eq!(drawn, CHARTS);
    for name in CHARTS {
        let bytes = std::fs::read(out.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(png_size(&bytes), (1200, 800), "{name}");
    }
    assert_eq!(report.files().len(), CHARTS.len() + 1);

    let html = std::fs::read_to_string(&report.index_html).expect("index.html");
    for name in CHARTS {
        assert!(
            html.contains(&format!("src=\"{name}\"")),
            "index.html lacks {name}"
        );
    }
    for row in &suite.claims {
        assert!(
            html.contains(&format!(">{}</a>", row.id)),
            "claim {} missing",
            row.id
        );
        assert!(
            html.contains(row.verdict.label()),
            "{} missing",
            row.verdict.label()
        );
    }
    for scenario in &suite.scenarios {
        assert!(html.contains(&scenario.title), "{}", scenario.title);
    }
}

#[test]
fn the_page_is_self_contained_and_escaped() {
    let suite = fixture();
    let dir = tempfile::tempdir().expect("temp dir");
    let report = render(&suite, dir.path()).expect("the report renders");
    let html = std::fs::read_to_string(&report.index_html).expect("index.html");
    assert!(html.contains("<style>"));
    for remote in ["http://", "https://", "<script", "<link", "@import", "url("] {
        assert!(
            !html.contains(remote),
            "index.html must not contain {remote:?}"
        );
    }
    assert!(html.contains("claim A &lt;as the article puts it&gt;"));
    assert!(!html.contains("<as the article puts it>"));
    // Scenario D has no chart but still gets its table.
    assert!(html.contains("id=\"s-d-saturation\""));
    assert!(html.contains("Maximum throughput at L = 0"));
    assert!(html.contains("Method"));
}

#[test]
fn charts_of_claims_left_out_are_not_listed_and_an_empty_scenario_says_why() {
    let mut suite = fixture();
    suite.scenarios.retain(|s| s.claim == "D" || s.claim == "G");
    let dir = tempfile::tempdir().expect("temp dir");
    let report = render(&suite, dir.path()).expect("the report renders");
    let drawn: Vec<&str> = report.charts.iter().map(|c| c.file_name.as_str()).collect();
    assert_eq!(drawn, ["saturation.png", "error-policy.png"]);
    assert_eq!(
        report.skipped,
        [],
        "claims A, B, C, E, F1, F2 and CO were left out"
    );
    assert!(!dir.path().join("fan-out.png").exists());
    let html = std::fs::read_to_string(&report.index_html).expect("index.html");
    assert!(
        !html.contains("not drawn"),
        "no chart of a left-out claim is listed"
    );

    for series in &mut suite.scenarios[0].series {
        series.points.clear();
    }
    let report = render(&suite, dir.path()).expect("the report renders");
    let skipped: Vec<(&str, &str)> = report
        .skipped
        .iter()
        .map(|s| (s.file_name.as_str(), s.reason.as_str()))
        .collect();
    assert_eq!(
        skipped,
        [("saturation.png", "scenario d-saturation measured no point")]
    );
}

#[test]
fn a_missing_results_file_is_named() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("nope.json");
    let err = read_results(&path).unwrap_err();
    assert!(matches!(err, ReportError::MissingResults { .. }));
    assert!(
        err.to_string().contains(&path.display().to_string()),
        "{err}"
    );
}

#[test]
fn corrupt_json_is_reported_with_file_line_and_column() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("results.json");
    std::fs::write(
        &path,
        "{\n  \"schema_version\": 1,\n  \"quick\": tru,\n  \"trials\": 3\n}\n",
    )
    .expect("write");
    let err = read_results(&path).unwrap_err();
    let text = err.to_string();
    assert!(
        text.starts_with(&format!("{}:3:", path.display())),
        "message should start with file:line: {text}"
    );
    assert!(matches!(err, ReportError::InvalidResults { line: 3, .. }));
}

#[test]
fn a_wrong_schema_version_names_the_file_and_the_supported_version() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("results.json");
    let mut value = serde_json::to_value(small_suite()).expect("serialise");
    value["schema_version"] = 99.into();
    std::fs::write(&path, value.to_string()).expect("write");
    let err = read_results(&path).unwrap_err();
    let text = err.to_string();
    assert!(text.contains(&path.display().to_string()), "{text}");
    assert!(text.contains("schema_version 99"), "{text}");
    assert!(text.contains("reads schema_version 1"), "{text}");
}

#[test]
fn the_terminal_claims_table_lists_every_claim() {
    let suite = fixture();
    let text = claims_table_text(&suite.claims, 100);
    for row in &suite.claims {
        assert!(
            text.lines().any(|l| l.starts_with(&format!("{} ", row.id))),
            "{}",
            row.id
        );
    }
    assert!(text.lines().all(|l| l.chars().count() <= 100), "{text}");
}

#[test]
fn the_summary_and_the_page_format_a_latency_the_same_way() {
    let suite = fixture();
    let point = &suite.scenarios[0].series[0].points[0];
    let p99 = waitbench_core::units::format_micros(point.trials.p99_us.median);
    assert!(p99.contains(' '), "a space before the unit: {p99}");
    let dir = tempfile::tempdir().expect("temp dir");
    render(&suite, dir.path()).expect("render");
    let html = std::fs::read_to_string(dir.path().join("index.html")).expect("page");
    assert!(html.contains(&p99), "the page shows p99 as {p99}");
    assert!(
        summary(&point.trials).contains(&p99),
        "the summary shows {p99}"
    );
}

#[test]
fn a_run_without_server_figures_says_they_are_not_available() {
    let mut result = run(&spec("reqwest-tokio", 100), 1.0);
    result.server = None;
    let text = summary(&TrialSet::new(vec![result]));
    assert!(text.contains("server figures: not available"), "{text}");
    assert!(!text.contains("  server      CPU"), "{text}");
}

#[test]
fn a_run_without_memory_figures_says_unavailable_instead_of_zero() {
    let mut result = run(&spec("reqwest-tokio", 100), 1.0);
    result.client = ClientResources {
        client_cpu_s: 0.5,
        ..ClientResources::default()
    };
    let text = summary(&TrialSet::new(vec![result]));
    assert!(text.contains("memory and threads unavailable"), "{text}");
    assert!(!text.contains("RSS peak"), "{text}");
}

#[test]
fn a_claim_judged_on_python_shows_its_row_and_a_series_that_could_not_run_says_why() {
    let mut suite = fixture();
    suite.scenarios.retain(|s| s.claim == "D");
    suite.scenarios[0].series.push(Series {
        role: "py-async".into(),
        strategy: "py-aiohttp".into(),
        points: Vec::new(),
        not_measured: Some("no python3 on PATH".into()),
        ..series("py-aiohttp (gather)", Variant::Plain, Vec::new())
    });
    let mut row = claim("D", "+41%", "reqwest -5%", Verdict::NotReproduced);
    row.stacks.push(waitbench_core::StackFinding {
        stack: Stack::Python,
        measured: "aiohttp +544% throughput".into(),
        verdict: Some(Verdict::Reproduced),
        why_they_differ: "100 threads spend 753 µs per request against 81 µs".into(),
        trial_verdicts: Vec::new(),
        explained: None,
    });
    suite.claims = vec![row];
    let dir = tempfile::tempdir().expect("temp dir");
    let report = render(&suite, dir.path()).expect("the report renders");
    let html = std::fs::read_to_string(&report.index_html).expect("index.html");
    assert!(
        html.contains("<th scope=\"col\">Python clients</th>"),
        "no Python column"
    );
    let python_cell = html
        .split("<td class=\"finding\" data-stack=\"Python\">")
        .nth(1)
        .and_then(|rest| rest.split("</td>").next())
        .expect("a Python cell in claim D's row");
    assert!(python_cell.contains("verdict-reproduced"), "{python_cell}");
    assert!(
        python_cell.contains("aiohttp +544% throughput"),
        "{python_cell}"
    );
    assert!(html.contains("Why they differ on Python:</strong> 100 threads spend 753 µs"));
    assert!(html.contains("Python clients:</strong> 1 of 1 claim reproduced"));
    assert!(html.contains("not measured: no python3 on PATH"));
}

#[test]
fn a_python_series_is_drawn_on_its_claims_chart_beside_the_rust_ones() {
    let mut suite = fixture();
    suite.scenarios.retain(|s| s.claim == "B");
    let rust = suite.scenarios[0].series[0].clone();
    suite.scenarios[0].series.push(Series {
        label: "aiohttp, one shared session".into(),
        role: "py-shared".into(),
        strategy: "py-aiohttp".into(),
        stack: Stack::Python,
        ..rust
    });
    let dir = tempfile::tempdir().expect("temp dir");
    let report = render(&suite, dir.path()).expect("the report renders");
    let drawn: Vec<&str> = report.charts.iter().map(|c| c.file_name.as_str()).collect();
    assert_eq!(drawn, ["connection-reuse.png"]);
    let html = std::fs::read_to_string(&report.index_html).expect("index.html");
    assert!(html.contains("aiohttp, one shared session"));
}

#[test]
fn claim_gs_python_series_are_drawn_on_the_error_policy_chart() {
    let mut suite = fixture();
    suite.scenarios.retain(|s| s.claim == "G");
    let rust = suite.scenarios[0].series[0].clone();
    for (label, role) in [
        ("Python: asyncio.gather", "py-gather"),
        ("Python: asyncio.TaskGroup", "py-taskgroup"),
    ] {
        suite.scenarios[0].series.push(Series {
            label: label.into(),
            role: role.into(),
            strategy: "py-aiohttp".into(),
            stack: Stack::Python,
            ..rust.clone()
        });
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let report = render(&suite, dir.path()).expect("the report renders");
    let drawn: Vec<&str> = report.charts.iter().map(|c| c.file_name.as_str()).collect();
    assert_eq!(drawn, ["error-policy.png"]);
    let html = std::fs::read_to_string(&report.index_html).expect("index.html");
    assert!(html.contains("Python: asyncio.TaskGroup"));
}
