//! The compact terminal summary of a run (`waitbench run`), drawn from a result alone as
//! the HTML report is: throughput beside its bound, the percentile
//! spectrum, every outcome, client and server resources, and the spread across trials.

use std::fmt::Write;

use waitbench_core::units::{
    UNAVAILABLE, format_bytes, format_count, format_duration, format_micros, format_percent,
    format_rps, format_seconds, format_significant,
};
use waitbench_core::{ClientResources, LoadModel, RunResult, TrialSet};

use crate::figures::format_figure;

/// What the summary says when the target published no server figures.
const SERVER_FIGURES_UNAVAILABLE: &str =
    "server figures: not available (the target is not a waitbench server)";

/// One line describing the workload: strategy, load model, injected latency, each as
/// the run really had it: the concurrency the strategy can reach (a sequential client
/// has one request in flight whatever `-c` says), and the latency the server applied, or
/// "unknown" for a server that does not publish it.
pub fn headline(r: &RunResult) -> String {
    let effective = r.strategy.effective_concurrency;
    let c = |asked: usize| {
        if effective == asked || effective == 0 {
            format!("C={asked}")
        } else {
            format!(
                "C={effective} (-c {asked}; {} reaches {effective})",
                r.strategy.name
            )
        }
    };
    let load = match &r.workload.load {
        LoadModel::Batch {
            requests,
            concurrency,
        } => format!("batch of {requests} at {}", c(*concurrency)),
        LoadModel::ClosedLoop {
            concurrency,
            duration,
            warmup,
        } => format!(
            "closed loop {} for {} (+{} warm-up)",
            c(*concurrency),
            format_duration(*duration),
            format_duration(*warmup)
        ),
        LoadModel::OpenLoop {
            rate_per_s,
            duration,
            max_in_flight,
            ..
        } => format!(
            "open loop {} for {} (≤{max_in_flight} in flight)",
            format_rps(*rate_per_s),
            format_duration(*duration)
        ),
    };
    let latency = match (&r.injected.latency, &r.server) {
        (_, None) if !r.injected.embedded_server => "unknown (not a waitbench server)",
        (Some(spec), _) => spec.as_str(),
        (None, _) => "none",
    };
    let server = if r.injected.embedded_server {
        "embedded mock server"
    } else {
        r.workload.target.as_str()
    };
    let stopped = if r.interrupted {
        " · INTERRUPTED: the figures cover the measured window only"
    } else {
        ""
    };
    let mut placed = String::new();
    if let Some(p) = &r.placement {
        for (side, cpus) in [("client", &p.client_cpus), ("server", &p.server_cpus)] {
            if let Some(cpus) = cpus {
                let _ = write!(placed, " · {side} pinned to CPUs {cpus}");
            }
        }
    }
    if let Some(n) = r.merged_runs {
        let _ = write!(placed, " · merged from {n} client hosts");
    }
    format!(
        "{} · {load} · injected latency {latency} · {server}{placed}{stopped}",
        r.strategy.name
    )
}

/// The multi-line summary of one result (the median trial when there were several).
pub fn summary(set: &TrialSet) -> String {
    let Some(r) = set.median_trial() else {
        return "no trials ran".to_string();
    };
    let mut out = String::new();
    let _ = writeln!(out, "{}", headline(r));
    let mut line = format!(
        "  throughput  {} ok   errors {} of {} attempted",
        format_rps(r.throughput_rps),
        format_percent(r.error_rate),
        format_rps(r.attempts_rps)
    );
    if let (Some(bound), Some(eff)) = (r.littles_law.bound_rps, r.littles_law.efficiency) {
        let _ = write!(
            line,
            "   bound C/L {}   efficiency {eff:.3}",
            format_rps(bound)
        );
    }
    if let Some(ratio) = r.littles_law.in_flight_ratio {
        let _ = write!(line, "   in flight {ratio:.3} of C");
    }
    if let Some(t) = r.littles_law.predicted_batch_time_s {
        let _ = write!(line, "   predicted time {}", format_seconds(t));
    }
    let _ = writeln!(out, "{line}   wall {}", format_seconds(r.wall_time_s));
    let l = &r.latency;
    let _ = writeln!(
        out,
        "  latency     p50 {}  p90 {}  p99 {}  p99.9 {}  p99.99 {}  max {}  mean {}",
        format_micros(l.p50_us),
        format_micros(l.p90_us),
        format_micros(l.p99_us),
        format_micros(l.p999_us),
        format_micros(l.p9999_us),
        format_micros(l.max_us),
        format_micros(l.mean_us)
    );
    out.push_str(&open_loop_lines(r));
    let c = &r.counts;
    let mut outcomes = format!(
        "  requests    sent {}  ok {}  http errors {}  errors {}",
        format_count(c.sent),
        format_count(c.ok),
        format_count(c.http_errors),
        format_count(c.errors)
    );
    let details: Vec<String> = c
        .by_status
        .iter()
        .map(|(code, n)| format!("{code}: {n}"))
        .chain(c.by_error.iter().map(|(kind, n)| format!("{kind}: {n}")))
        .collect();
    if !details.is_empty() {
        let _ = write!(outcomes, " ({})", details.join(", "));
    }
    if let Some(after) = c.issued_after_first_failure {
        let _ = write!(outcomes, "  issued after first failure {after}");
    }
    let _ = writeln!(out, "{outcomes}");
    let m = &r.client;
    let _ = writeln!(
        out,
        "  client      CPU {} ({}/request; process user {} sys {})  {}",
        format_seconds(m.client_cpu_s),
        format_micros(m.client_cpu_per_request_us),
        format_seconds(m.process_cpu_user_s),
        format_seconds(m.process_cpu_sys_s),
        memory(m)
    );
    match &r.server {
        Some(s) => {
            let faults: Vec<String> = s
                .faults
                .iter()
                .filter(|(_, n)| **n > 0)
                .map(|(k, n)| format!("{k}: {n}"))
                .collect();
            let _ = writeln!(
                out,
                "  server      CPU {}  requests {}  max in flight {}  connections {}{}",
                format_seconds(s.cpu_s),
                format_count(s.requests),
                format_count(s.max_in_flight),
                format_count(s.connections_accepted),
                if faults.is_empty() {
                    String::new()
                } else {
                    format!("  faults {}", faults.join(", "))
                }
            );
        }
        None => {
            let _ = writeln!(out, "  {SERVER_FIGURES_UNAVAILABLE}");
        }
    }
    for (key, value) in &r.extras {
        let _ = writeln!(out, "  {key:<11} {}", format_figure(key, *value));
    }
    if set.trials.len() > 1 {
        let t = &set.throughput_rps;
        let p = &set.p99_us;
        let _ = writeln!(
            out,
            "  {} trials  throughput median {} [{}–{}], p99 median {} [{}–{}]",
            set.trials.len(),
            format_rps(t.median),
            format_significant(t.min, 3),
            format_significant(t.max, 3),
            format_micros(p.median),
            format_micros(p.min),
            format_micros(p.max)
        );
    }
    out
}

/// The harness's own lateness is worth a warning once its p99 exceeds this share of the
/// measured latency's p50: past it, a run's latencies say as much about the load
/// generator as about the target.
pub const HARNESS_LAG_SHARE: f64 = 0.10;

/// An open loop's lines (nothing for other load models): the rate requested and
/// achieved (with the worst whole second's deviation), how late the harness sent (send
/// lag beside the latency it is charged to), and the warning when that lag is large.
fn open_loop_lines(r: &RunResult) -> String {
    let Some(open) = &r.open_loop else {
        return String::new();
    };
    let mut out = String::new();
    let worst = open.worst_second.map_or_else(String::new, |w| {
        let sign = if w.deviation > 0.0 { "+" } else { "" };
        format!(" (worst second {sign}{})", format_percent(w.deviation))
    });
    let _ = writeln!(
        out,
        "  open loop   requested {}, achieved {}{worst}, late sends {} (> {}), service p99 {}",
        format_rps(open.requested_rps),
        format_rps(open.achieved_rps),
        format_count(open.late_sends),
        format_micros(open.late_threshold_us),
        format_micros(r.service_time.p99_us)
    );
    let lag = &open.send_lag;
    let _ = writeln!(
        out,
        "  send lag    p50 {}  p99 {}  max {}  (latency p50 {})",
        format_micros(lag.p50_us),
        format_micros(lag.p99_us),
        format_micros(lag.max_us),
        format_micros(r.latency.p50_us)
    );
    if let Some(warning) = harness_lag_warning(r) {
        let _ = writeln!(out, "  warning     {warning}");
    }
    out
}

/// One line when the harness's send lag p99 exceeds [`HARNESS_LAG_SHARE`] of the
/// measured latency's p50: every request's latency runs from its intended send time, so
/// the harness's lateness was charged to the target.
pub fn harness_lag_warning(r: &RunResult) -> Option<String> {
    let open = r.open_loop.as_ref()?;
    let (lag, latency) = (open.send_lag.p99_us, r.latency.p50_us);
    (open.send_lag.count > 0 && lag > HARNESS_LAG_SHARE * latency).then(|| {
        format!(
            "the harness added up to {} to these latencies; it, not the target, was late \
             (send lag p99 {} > {} of latency p50 {})",
            format_micros(lag),
            format_micros(lag),
            format_percent(HARNESS_LAG_SHARE),
            format_micros(latency)
        )
    })
}

/// Memory and threads of the client, or that they are unavailable on this platform.
fn memory(m: &ClientResources) -> String {
    let bytes = |b: Option<u64>| b.map(|b| b as f64);
    let figures = (
        bytes(m.rss_peak_bytes),
        bytes(m.rss_steady_bytes).zip(bytes(m.rss_baseline_bytes)),
        m.rss_per_in_flight_bytes,
        bytes(m.vm_peak_bytes),
        m.threads_peak,
    );
    let (Some(peak), Some((steady, baseline)), Some(per_in_flight), Some(vm), Some(threads)) =
        figures
    else {
        return format!("memory and threads {UNAVAILABLE} (read from /proc, on Linux only)");
    };
    format!(
        "RSS peak {} (+{} steady, {} per in-flight)  VM peak {}  threads {threads}",
        format_bytes(peak),
        format_bytes(steady - baseline),
        format_bytes(per_in_flight),
        format_bytes(vm),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memory_that_could_not_be_read_says_unavailable_not_zero() {
        let line = memory(&ClientResources::default());
        assert_eq!(
            line,
            "memory and threads unavailable (read from /proc, on Linux only)"
        );
    }

    #[test]
    fn memory_is_shown_in_binary_units_with_its_growth_and_threads() {
        let client = ClientResources {
            rss_baseline_bytes: Some(8 << 20),
            rss_peak_bytes: Some(10 << 20),
            rss_steady_bytes: Some(9 << 20),
            vm_baseline_bytes: Some(100 << 20),
            vm_peak_bytes: Some(3 << 30),
            vm_steady_bytes: Some(2 << 30),
            threads_baseline: Some(3),
            threads_peak: Some(1003),
            rss_per_in_flight_bytes: Some(1048.6),
            vm_per_in_flight_bytes: Some(2e6),
            ..ClientResources::default()
        };
        assert_eq!(
            memory(&client),
            "RSS peak 10.0 MiB (+1.0 MiB steady, 1.0 KiB per in-flight)  VM peak 3.00 GiB  \
             threads 1003"
        );
    }

    fn stored() -> RunResult {
        let text = include_str!("../tests/fixtures/small-results.json");
        let suite: waitbench_core::SuiteResults = serde_json::from_str(text).expect("fixture");
        suite.scenarios[0].series[0].points[0].trials.trials[0].clone()
    }

    /// `stored()` turned into an open loop whose send lag and latency p50 are these.
    fn open_loop_with(lag_p99_us: f64, latency_p50_us: f64) -> RunResult {
        let lag = waitbench_core::LatencySummary {
            count: 100,
            p50_us: 20.0,
            p99_us: lag_p99_us,
            max_us: lag_p99_us,
            ..Default::default()
        };
        let mut r = stored();
        r.latency.p50_us = latency_p50_us;
        r.open_loop = Some(waitbench_core::OpenLoopStats {
            requested_rps: 1_000.0,
            achieved_rps: 999.0,
            send_lag: lag,
            worst_second: Some(waitbench_core::RateWindow {
                second: 3,
                achieved_rps: 996.0,
                deviation: -0.004,
            }),
            ..Default::default()
        });
        r
    }

    #[test]
    fn an_open_loop_summary_shows_send_lag_beside_the_latency_and_the_worst_second() {
        let lines = open_loop_lines(&open_loop_with(90.0, 1_100.0));
        assert!(lines.contains("(worst second -0.4%)"), "{lines}");
        assert!(
            lines.contains("send lag    p50 20 µs  p99 90 µs  max 90 µs  (latency p50 1.1 ms)"),
            "{lines}"
        );
        assert!(
            !lines.contains("warning"),
            "90 µs is under 10% of 1.1 ms: {lines}"
        );
    }

    #[test]
    fn a_send_lag_p99_over_a_tenth_of_the_latency_p50_warns_in_one_line() {
        let r = open_loop_with(1_990.0, 2_370.0);
        let lines = open_loop_lines(&r);
        let warnings: Vec<&str> = lines.lines().filter(|l| l.contains("warning")).collect();
        assert_eq!(warnings.len(), 1, "{lines}");
        assert!(
            warnings[0].contains(
                "the harness added up to 1.99 ms to these latencies; it, not the target, was late"
            ),
            "{lines}"
        );
        assert!(harness_lag_warning(&open_loop_with(110.0, 1_000.0)).is_some());
        assert!(harness_lag_warning(&open_loop_with(100.0, 1_000.0)).is_none());
    }

    #[test]
    fn a_closed_loop_has_no_open_loop_lines() {
        let mut r = stored();
        r.open_loop = None;
        assert_eq!(open_loop_lines(&r), "");
        assert_eq!(harness_lag_warning(&r), None);
    }

    #[test]
    fn the_headline_says_where_threads_were_pinned_and_how_many_hosts_were_merged() {
        let mut r = stored();
        assert!(!headline(&r).contains("pinned"));
        r.placement = Some(
            waitbench_core::Placement::new(Some("1".parse().unwrap()), Some("0".parse().unwrap()))
                .unwrap(),
        );
        r.merged_runs = Some(4);
        let line = headline(&r);
        assert!(
            line.contains("client pinned to CPUs 1 · server pinned to CPUs 0 · merged from 4"),
            "{line}"
        );
    }

    #[test]
    fn the_headline_gives_the_concurrency_the_strategy_reaches() {
        let mut r = stored();
        r.workload.load = LoadModel::Batch {
            requests: 100,
            concurrency: 10,
        };
        r.strategy.name = "ureq-sequential".into();
        r.strategy.effective_concurrency = 1;
        let line = headline(&r);
        assert!(
            line.contains("batch of 100 at C=1 (-c 10; ureq-sequential reaches 1)"),
            "{line}"
        );
    }

    #[test]
    fn a_foreign_target_s_latency_is_unknown_and_an_interruption_is_said() {
        let mut r = stored();
        r.injected.embedded_server = false;
        r.injected.latency = None;
        r.server = None;
        r.interrupted = true;
        let line = headline(&r);
        assert!(line.contains("injected latency unknown"), "{line}");
        assert!(line.contains("INTERRUPTED"), "{line}");
    }
}
