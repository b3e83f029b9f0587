//! The compact terminal summary of a run (`waitbench run`), drawn from a result alone as
//! the HTML report is: throughput beside its bound, the percentile
//! spectrum, every outcome, client and server resources, and the spread across trials.

use std::fmt::Write;

use waitbench_core::units::{format_bytes, format_micros};
use waitbench_core::{LoadModel, RunResult, TrialSet};

fn thousands(value: f64) -> String {
    let n = value.round() as i64;
    let digits = n.abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 { format!("-{out}") } else { out }
}

/// One line describing the workload: strategy, load model, injected latency.
pub fn headline(r: &RunResult) -> String {
    let load = match &r.workload.load {
        LoadModel::Batch {
            requests,
            concurrency,
        } => format!("batch of {requests} at C={concurrency}"),
        LoadModel::ClosedLoop {
            concurrency,
            duration,
            warmup,
        } => format!(
            "closed loop C={concurrency} for {:.1}s (+{:.1}s warm-up)",
            duration.as_secs_f64(),
            warmup.as_secs_f64()
        ),
        LoadModel::OpenLoop {
            rate_per_s,
            duration,
            max_in_flight,
            ..
        } => format!(
            "open loop {rate_per_s} req/s for {:.1}s (≤{max_in_flight} in flight)",
            duration.as_secs_f64()
        ),
    };
    let latency = r.injected.latency.as_deref().unwrap_or("none");
    let server = if r.injected.embedded_server {
        "embedded mock server"
    } else {
        r.workload.target.as_str()
    };
    format!(
        "{} · {load} · injected latency {latency} · {server}",
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
    let mut line = format!("  throughput  {} req/s", thousands(r.throughput_rps));
    if let (Some(bound), Some(eff)) = (r.littles_law.bound_rps, r.littles_law.efficiency) {
        let _ = write!(
            line,
            "   bound C/L {} req/s   efficiency {eff:.3}",
            thousands(bound)
        );
    }
    if let Some(ratio) = r.littles_law.in_flight_ratio {
        let _ = write!(line, "   in flight {ratio:.3} of C");
    }
    if let Some(t) = r.littles_law.predicted_batch_time_s {
        let _ = write!(line, "   predicted time {t:.3}s");
    }
    let _ = writeln!(out, "{line}   wall {:.3}s", r.wall_time_s);
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
    if let Some(open) = &r.open_loop {
        let _ = writeln!(
            out,
            "  open loop   requested {} req/s, achieved {} req/s, late sends {} (> {}), service p99 {}",
            thousands(open.requested_rps),
            thousands(open.achieved_rps),
            open.late_sends,
            format_micros(open.late_threshold_us),
            format_micros(r.service_time.p99_us)
        );
    }
    let c = &r.counts;
    let mut outcomes = format!(
        "  requests    sent {}  ok {}  http errors {}  errors {}",
        thousands(c.sent as f64),
        thousands(c.ok as f64),
        c.http_errors,
        c.errors
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
        "  client      CPU {:.3}s ({:.1}µs/request; process user {:.3}s sys {:.3}s)  RSS peak {} \
         (+{} steady, {} per in-flight)  VM peak {}  threads {}",
        m.client_cpu_s,
        m.client_cpu_per_request_us,
        m.process_cpu_user_s,
        m.process_cpu_sys_s,
        format_bytes(m.rss_peak_bytes as f64),
        format_bytes(m.rss_steady_bytes as f64 - m.rss_baseline_bytes as f64),
        format_bytes(m.rss_per_in_flight_bytes),
        format_bytes(m.vm_peak_bytes as f64),
        m.threads_peak
    );
    if let Some(s) = &r.server {
        let faults: Vec<String> = s
            .faults
            .iter()
            .filter(|(_, n)| **n > 0)
            .map(|(k, n)| format!("{k}: {n}"))
            .collect();
        let _ = writeln!(
            out,
            "  server      CPU {:.3}s  requests {}  max in flight {}  connections {}{}",
            s.cpu_s,
            thousands(s.requests as f64),
            s.max_in_flight,
            s.connections_accepted,
            if faults.is_empty() {
                String::new()
            } else {
                format!("  faults {}", faults.join(", "))
            }
        );
    }
    for (key, value) in &r.extras {
        let _ = writeln!(out, "  {key:<11} {value:.1}");
    }
    if set.trials.len() > 1 {
        let t = &set.throughput_rps;
        let p = &set.p99_us;
        let _ = writeln!(
            out,
            "  {} trials  throughput median {} [{}–{}] req/s, p99 median {} [{}–{}]",
            set.trials.len(),
            thousands(t.median),
            thousands(t.min),
            thousands(t.max),
            format_micros(p.median),
            format_micros(p.min),
            format_micros(p.max)
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::thousands;

    #[test]
    fn thousands_are_grouped() {
        assert_eq!(thousands(1234567.4), "1,234,567");
        assert_eq!(thousands(999.0), "999");
        assert_eq!(thousands(-1000.0), "-1,000");
    }
}
