//! The table that ends a `run` of several strategies: each strategy's median trial
//! against the first one's, as hyperfine ends with "… times faster than …". Ratios are
//! of what was measured on the same workload, trial by trial, so the first strategy is
//! the reference the user chose by putting it first.

use std::fmt::Write;

use waitbench_core::TrialSet;
use waitbench_core::units::{format_micros, format_rps};

/// One ratio against the reference, `×` with three significant figures, or `–` when the
/// reference's figure is zero (nothing to compare with).
fn times(value: f64, reference: f64) -> String {
    if reference > 0.0 && value.is_finite() {
        format!("{:.3}×", value / reference)
    } else {
        "–".to_string()
    }
}

/// The comparison of each set's median trial with the first set's: throughput, p99 and
/// client CPU per request, each as a figure and a ratio. Empty for fewer than two sets.
pub fn comparison(sets: &[&TrialSet]) -> String {
    let medians: Vec<_> = sets.iter().filter_map(|s| s.median_trial()).collect();
    let [reference, others @ ..] = medians.as_slice() else {
        return String::new();
    };
    if others.is_empty() {
        return String::new();
    }
    let mut out = String::new();
    let _ = writeln!(
        out,
        "comparison (median trials; × is against {}, the first strategy)",
        reference.strategy.name
    );
    let _ = writeln!(
        out,
        "  {:<24} {:>14} {:>8}  {:>10} {:>8}  {:>12} {:>8}",
        "strategy", "throughput", "×", "p99", "×", "CPU/request", "×"
    );
    for r in &medians {
        let _ = writeln!(
            out,
            "  {:<24} {:>14} {:>8}  {:>10} {:>8}  {:>12} {:>8}",
            r.strategy.name,
            format_rps(r.throughput_rps),
            times(r.throughput_rps, reference.throughput_rps),
            format_micros(r.latency.p99_us),
            times(r.latency.p99_us, reference.latency.p99_us),
            format_micros(r.client.client_cpu_per_request_us),
            times(
                r.client.client_cpu_per_request_us,
                reference.client.client_cpu_per_request_us
            ),
        );
    }
    for r in others {
        if reference.throughput_rps > 0.0 && r.throughput_rps > 0.0 {
            let ratio = r.throughput_rps / reference.throughput_rps;
            let (faster, slower, times) = if ratio >= 1.0 {
                (&r.strategy.name, &reference.strategy.name, ratio)
            } else {
                (&reference.strategy.name, &r.strategy.name, 1.0 / ratio)
            };
            let _ = writeln!(
                out,
                "  {faster} completed {times:.2}× the requests per second of {slower}"
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(name: &str, rps: f64, p99: f64, cpu: f64) -> TrialSet {
        let text = include_str!("../tests/fixtures/small-results.json");
        let suite: waitbench_core::SuiteResults = serde_json::from_str(text).expect("fixture");
        let mut r = suite.scenarios[0].series[0].points[0].trials.trials[0].clone();
        r.strategy.name = name.into();
        r.throughput_rps = rps;
        r.latency.p99_us = p99;
        r.client.client_cpu_per_request_us = cpu;
        TrialSet::new(vec![r])
    }

    #[test]
    fn each_strategy_is_given_as_a_ratio_of_the_first() {
        let (a, b) = (
            set("py-threadpool", 800.0, 333_000.0, 1510.0),
            set("py-aiohttp", 2000.0, 72_000.0, 302.0),
        );
        let table = comparison(&[&a, &b]);
        assert!(table.contains("against py-threadpool"), "{table}");
        let row = table
            .lines()
            .find(|l| l.trim_start().starts_with("py-aiohttp"))
            .unwrap();
        assert!(row.contains("2.500×"), "{row}");
        assert!(row.contains("0.216×"), "{row}");
        assert!(row.contains("0.200×"), "{row}");
        assert!(
            table.contains("py-aiohttp completed 2.50× the requests per second of py-threadpool"),
            "{table}"
        );
    }

    #[test]
    fn one_strategy_has_no_comparison_and_a_zero_reference_no_ratio() {
        let a = set("a", 0.0, 0.0, 0.0);
        assert_eq!(comparison(&[&a]), "");
        let b = set("b", 10.0, 5.0, 1.0);
        let table = comparison(&[&a, &b]);
        assert!(table.contains("–"), "{table}");
        assert!(!table.contains("completed"), "{table}");
    }
}
