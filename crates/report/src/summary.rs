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
            "closed loop {} for {}{}",
            c(*concurrency),
            format_duration(*duration),
            warmup_note(*warmup)
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
    let server = destination(r);
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

/// ` (+1 s warm-up)`, or nothing for a run without one.
fn warmup_note(warmup: std::time::Duration) -> String {
    if warmup.is_zero() {
        String::new()
    } else {
        format!(" (+{} warm-up)", format_duration(warmup))
    }
}

/// Where the requests went and what they were: the method (when not a plain `GET`) and
/// the URL exactly as sent, or the embedded server with the path when it is not `/`.
fn destination(r: &RunResult) -> String {
    let request = &r.workload.request;
    let method = if request.is_plain_get() {
        String::new()
    } else {
        let body = request.body.as_ref().map_or(String::new(), |b| {
            format!(" with a {} body", format_bytes(b.bytes as f64))
        });
        let headers = match request.headers.len() {
            0 => String::new(),
            n => format!(" +{n} header{}", if n == 1 { "" } else { "s" }),
        };
        format!("{}{headers}{body} ", request.method)
    };
    let url = if r.url.is_empty() {
        r.workload.target.clone()
    } else {
        r.url.clone()
    };
    if r.injected.embedded_server {
        let path = url
            .split_once("://")
            .and_then(|(_, rest)| rest.find('/').map(|i| rest[i..].to_string()))
            .filter(|p| p != "/");
        match path {
            Some(path) => format!("{method}embedded mock server {path}"),
            None if method.is_empty() => "embedded mock server".to_string(),
            None => format!("{method}embedded mock server"),
        }
    } else {
        format!("{method}{url}")
    }
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
    line.push_str(&littles_law_part(r));
    if let Some(t) = r.littles_law.predicted_batch_time_s {
        let _ = write!(line, "   predicted time {}", format_seconds(t));
    }
    let _ = writeln!(out, "{line}   wall {}", format_seconds(r.wall_time_s));
    if let Some(bound) = bound_line(r) {
        let _ = writeln!(out, "{bound}");
    }
    let l = &r.latency;
    if r.counts.ok == 0 {
        let _ = writeln!(out, "{}", no_latency_line());
    } else {
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
    }
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
    if let Some(why) = errors_line(r) {
        let _ = writeln!(out, "{why}");
    }
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
    if let Some(connections) = &r.connections {
        let _ = writeln!(out, "{}", connections_line(connections));
    }
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

/// The client's connections in one line: protocol, how many it opened and in what
/// time, and over TLS the session and the handshakes by kind.
fn connections_line(c: &waitbench_core::ConnectionReport) -> String {
    let mut line = format!(
        "  connections {} {} opened",
        c.protocol.name(),
        format_count(c.opened)
    );
    if c.failed > 0 {
        let _ = write!(line, ", {} failed", format_count(c.failed));
    }
    if let (Some(mean), Some(max)) = (c.connect_mean_us, c.connect_max_us) {
        let _ = write!(
            line,
            "  connect mean {} max {}",
            format_micros(mean),
            format_micros(max)
        );
    }
    if let Some(tls) = &c.tls {
        let _ = write!(
            line,
            "  {} {} {}: {} full, {} resumed{}",
            tls.version.map_or("TLS", |v| v.name()),
            tls.cipher_suite.as_deref().unwrap_or("(suite not shown)"),
            tls.key_type.map_or("?", |k| k.name()),
            format_count(tls.full),
            format_count(tls.resumed),
            if tls.failed > 0 {
                format!(", {} failed", format_count(tls.failed))
            } else {
                String::new()
            }
        );
    }
    if c.http2_stream_errors + c.http2_connection_errors > 0 {
        let _ = write!(
            line,
            "  HTTP/2 errors: {} stream, {} connection",
            format_count(c.http2_stream_errors),
            format_count(c.http2_connection_errors)
        );
    }
    line
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
    let queued = match open.queued_sends {
        0 => String::new(),
        n => format!(
            "; {} due while all {} workers were busy waited for one, in their latency",
            format_count(n),
            format_count(concurrency(r).0 as u64)
        ),
    };
    let _ = writeln!(
        out,
        "  send lag    p50 {}  p99 {}  max {}  (latency p50 {}){queued}",
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

/// The concurrency the strategy reached (what every figure of the summary uses), and
/// the one asked for.
fn concurrency(r: &RunResult) -> (usize, usize) {
    let asked = r.workload.load.concurrency();
    match r.strategy.effective_concurrency {
        0 => (asked, asked),
        reached => (reached, asked),
    }
}

/// ` (asked 100)` when the strategy reaches fewer than asked.
fn asked_note(reached: usize, asked: usize) -> String {
    if reached == asked {
        String::new()
    } else {
        format!(" (asked {asked})")
    }
}

/// The Little's-law figures of the throughput line, all at the concurrency the strategy
/// reached, so that one C runs through the summary: the bound C/L, the efficiency
/// against it, and the mean in flight as a share of it.
fn littles_law_part(r: &RunResult) -> String {
    let (c, asked) = concurrency(r);
    let mut part = String::new();
    let latency_s = r.littles_law.injected_mean_latency_us / 1e6;
    if r.littles_law.bound_rps.is_some() && latency_s > 0.0 {
        let bound = c as f64 / latency_s;
        let _ = write!(
            part,
            "   bound C/L {}   efficiency {:.3}",
            format_rps(bound),
            r.throughput_rps / bound
        );
    }
    if r.littles_law.in_flight_ratio.is_some() && c > 0 {
        let ratio = r.littles_law.measured_mean_in_flight / c as f64;
        let _ = write!(
            part,
            "   in flight {ratio:.3} of C={c}{}",
            asked_note(c, asked)
        );
    }
    part
}

/// What bounded the throughput, computed from what was measured, the way the report's
/// why-lines are: the pool (fewer in flight than asked), the latency (C/L reached), the
/// client's CPU (cores busy), or the server (the client waited).
fn bound_line(r: &RunResult) -> Option<String> {
    if r.counts.ok == 0 || r.wall_time_s <= 0.0 {
        return None;
    }
    let (c, asked) = concurrency(r);
    let latency_s = r.littles_law.injected_mean_latency_us / 1e6;
    let per_request_s = r.client.client_cpu_per_request_us / 1e6;
    let busy = r.client.client_cpu_s / r.wall_time_s;
    let cores = r.environment.cores.max(1);
    let c_over_l = (latency_s > 0.0).then(|| c as f64 / latency_s);
    let why = if c < asked {
        let bound = c_over_l.map_or(String::new(), |b| {
            format!(": C/L at C={c} is {}", format_rps(b))
        });
        format!(
            "pool-bound: {} keeps at most {c} of the {asked} requests asked in flight{bound}",
            r.strategy.name
        )
    } else if let Some(bound) = c_over_l.filter(|b| r.throughput_rps >= 0.9 * b) {
        format!(
            "latency-bound: C/L = {c} / {} = {}, and {} of it was reached",
            format_duration(std::time::Duration::from_secs_f64(latency_s)),
            format_rps(bound),
            format_percent(r.throughput_rps / bound)
        )
    } else if per_request_s > 0.0 && busy >= 0.8 {
        format!(
            "client-bound: {} of client CPU per request caps the rate near {} per busy core; \
             {busy:.2} of {cores} cores were busy, so near {}",
            format_micros(r.client.client_cpu_per_request_us),
            format_rps(1.0 / per_request_s),
            format_rps(busy / per_request_s)
        )
    } else {
        let mean_s = r.latency.mean_us / 1e6;
        let injected = if latency_s > 0.0 {
            format!(" ({} injected)", format_micros(latency_s * 1e6))
        } else {
            String::new()
        };
        let waited = if mean_s > 0.0 {
            format!(
                ": the answers took {} on average{injected}, and C over that is {}",
                format_micros(r.latency.mean_us),
                format_rps(c as f64 / mean_s)
            )
        } else {
            String::new()
        };
        format!(
            "server-bound: the client was busy {busy:.2} of {cores} cores and waited on the \
             server{waited}"
        )
    };
    Some(format!("  bound       {why}"))
}

/// What the summary says instead of percentiles when nothing succeeded: the latencies of
/// failures describe the failure, not the server.
fn no_latency_line() -> &'static str {
    "  latency     none: no request succeeded (the time failures took is not a latency)"
}

/// Up to three distinct failures with what they mean, beside the counts, then the first
/// few distinct messages the client library gave (as oha shows them): the first thing to
/// read when a run has errors.
fn errors_line(r: &RunResult) -> Option<String> {
    let c = &r.counts;
    let mut reasons: Vec<String> = c
        .by_error
        .iter()
        .map(|(kind, n)| format!("{kind} ({n}): {}", kind.meaning()))
        .chain(
            c.by_status
                .iter()
                .map(|(code, n)| format!("{code} ({n}): the server answered HTTP {code}")),
        )
        .collect();
    if reasons.is_empty() {
        return None;
    }
    let more = reasons.len().saturating_sub(3);
    reasons.truncate(3);
    let tail = if more > 0 {
        format!("; and {more} more")
    } else {
        String::new()
    };
    let mut text = format!("  failures    {}{tail}", reasons.join("; "));
    for message in &r.error_samples {
        let _ = write!(text, "\n              \"{message}\"");
    }
    Some(text)
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

    #[test]
    fn a_tls_run_shows_its_session_and_handshakes_in_one_line() {
        let mut run = stored();
        run.connections = Some(waitbench_core::ConnectionReport {
            protocol: waitbench_core::HttpVersion::Http1,
            opened: 300,
            failed: 0,
            connect_min_us: Some(400.0),
            connect_mean_us: Some(650.0),
            connect_max_us: Some(2200.0),
            http2_stream_errors: 0,
            http2_connection_errors: 0,
            tls: Some(waitbench_core::TlsReport {
                version: Some(waitbench_core::TlsVersion::Tls13),
                cipher_suite: Some("TLS13_AES_256_GCM_SHA384".into()),
                key_type: Some(waitbench_core::ServerKeyType::EcdsaP256),
                resumption: true,
                verified: true,
                full: 1,
                resumed: 299,
                failed: 0,
            }),
        });
        let text = summary(&waitbench_core::TrialSet::new(vec![run]));
        let line = text
            .lines()
            .find(|l| l.trim_start().starts_with("connections"))
            .expect("a connections line");
        assert_eq!(
            line,
            "  connections HTTP/1.1 300 opened  connect mean 650 µs max 2.2 ms  TLSv1.3 \
             TLS13_AES_256_GCM_SHA384 ecdsa-p256: 1 full, 299 resumed"
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

    /// A closed loop of `asked` workers at 50 ms injected, reaching `reached`, with
    /// `rps` throughput and the client's CPU.
    fn closed(
        asked: usize,
        reached: usize,
        rps: f64,
        cpu_per_request_us: f64,
        busy: f64,
    ) -> RunResult {
        let mut r = stored();
        r.workload.load = LoadModel::ClosedLoop {
            concurrency: asked,
            duration: std::time::Duration::from_secs(5),
            warmup: std::time::Duration::ZERO,
        };
        r.strategy.name = "py-threadpool".into();
        r.strategy.effective_concurrency = reached;
        r.littles_law.injected_mean_latency_us = 50_000.0;
        r.littles_law.bound_rps = Some(asked as f64 / 0.05);
        r.throughput_rps = rps;
        r.wall_time_s = 5.0;
        r.client.client_cpu_per_request_us = cpu_per_request_us;
        r.client.client_cpu_s = busy * 5.0;
        r.environment.cores = 2;
        r
    }

    #[test]
    fn a_pool_that_keeps_fewer_in_flight_than_asked_is_the_bound() {
        let r = closed(100, 6, 118.0, 300.0, 0.1);
        let line = bound_line(&r).unwrap();
        assert!(
            line.contains("pool-bound: py-threadpool keeps at most 6 of the 100 requests asked in flight: C/L at C=6 is 120 req/s"),
            "{line}"
        );
        // One C throughout: the bound and the share in flight use the C reached.
        let part = littles_law_part(&r);
        assert!(part.contains("bound C/L 120 req/s"), "{part}");
        assert!(part.contains("of C=6 (asked 100)"), "{part}");
    }

    #[test]
    fn a_client_busy_with_cpu_below_c_over_l_is_client_bound() {
        let r = closed(100, 100, 758.0, 1510.0, 1.15);
        let line = bound_line(&r).unwrap();
        assert!(
            line.contains("client-bound: 1.51 ms of client CPU per request"),
            "{line}"
        );
        assert!(
            line.contains("caps the rate near 662 req/s per busy core"),
            "{line}"
        );
        assert!(
            line.contains("1.15 of 2 cores were busy, so near 762 req/s"),
            "{line}"
        );
    }

    #[test]
    fn reaching_c_over_l_is_latency_bound_and_an_idle_client_below_it_waits_on_the_server() {
        let line = bound_line(&closed(100, 100, 1960.0, 100.0, 0.2)).unwrap();
        assert!(
            line.contains("latency-bound: C/L = 100 / 50 ms = 2000 req/s"),
            "{line}"
        );
        let line = bound_line(&closed(100, 100, 1000.0, 100.0, 0.2)).unwrap();
        assert!(line.contains("server-bound"), "{line}");
        assert!(line.contains("(50 ms injected)"), "{line}");
    }

    #[test]
    fn a_run_without_a_success_prints_no_percentiles_and_no_bound() {
        let mut r = closed(10, 10, 0.0, 100.0, 0.1);
        r.counts.ok = 0;
        r.counts.errors = r.counts.sent;
        r.counts.by_error = [(waitbench_core::ErrorKind::Connect, r.counts.sent)].into();
        r.error_samples = vec!["connect to 127.0.0.1:9: Connection refused (os error 111)".into()];
        let text = summary(&TrialSet::new(vec![r.clone()]));
        assert!(!text.contains("p50"), "{text}");
        assert!(
            text.contains("latency     none: no request succeeded"),
            "{text}"
        );
        assert!(!text.contains("  bound       "), "{text}");
        assert!(text.contains("connect ("), "{text}");
        assert!(text.contains("refused, unreachable"), "{text}");
        assert!(
            text.contains("\"connect to 127.0.0.1:9: Connection refused (os error 111)\""),
            "{text}"
        );
    }

    #[test]
    fn a_run_without_warm_up_does_not_mention_one() {
        let r = closed(10, 10, 100.0, 100.0, 0.1);
        assert!(!headline(&r).contains("warm-up"), "{}", headline(&r));
        let mut r = r;
        r.workload.load = LoadModel::ClosedLoop {
            concurrency: 10,
            duration: std::time::Duration::from_secs(5),
            warmup: std::time::Duration::from_secs(1),
        };
        assert!(headline(&r).contains("(+1 s warm-up)"), "{}", headline(&r));
    }
}
