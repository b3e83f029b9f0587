//! `check` on your own service: a `run --json` document judged by thresholds
//! (`--threshold p99<200ms`) and against a baseline run of the same service
//! (`--baseline base.json`), each metric with a tolerance, so that "my service's p99 must
//! not regress" is one command in CI.
//!
//! A baseline run becomes thresholds ([`baseline_thresholds`]): throughput may fall by
//! its tolerance, a latency may rise by its tolerance (both relative), and the error rate
//! may rise by its tolerance in percentage points (a relative tolerance on 0% would allow
//! nothing). The grammar of thresholds and of shares is core's
//! ([`waitbench_core::threshold`]), the same one `run --threshold` reads.

use std::path::Path;
use std::str::FromStr;

use waitbench_core::threshold::{Judged, Metric, Op, Threshold, parse_proportion};
use waitbench_core::{RunDocument, RunResult};

use crate::error::{Result, SuiteError};

/// How far a metric may move from its baseline before it fails: `p99=20%`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Tolerance {
    /// The metric.
    pub metric: Metric,
    /// The share it may move by (relative; for the error rate, absolute points).
    pub share: f64,
}

impl FromStr for Tolerance {
    type Err = String;

    fn from_str(text: &str) -> std::result::Result<Self, String> {
        let (name, share) = text
            .split_once('=')
            .ok_or_else(|| format!("tolerance {text:?} has no '='; give it as p99=20%"))?;
        let metric = Metric::from_name(name).ok_or_else(|| {
            format!(
                "tolerance {text:?}: unknown metric {name:?}; one of {}",
                Metric::ALL.map(Metric::name).join(", ")
            )
        })?;
        let share = parse_proportion(share).map_err(|e| format!("tolerance {text:?}: {e}"))?;
        Ok(Tolerance { metric, share })
    }
}

/// The tolerances a baseline check uses unless told otherwise: throughput may fall by
/// 10%, p50 rise by 10%, p99 by 20% (tails are noisier), the error rate by 0.1 points.
pub const DEFAULT_TOLERANCES: [Tolerance; 4] = [
    Tolerance {
        metric: Metric::Throughput,
        share: 0.10,
    },
    Tolerance {
        metric: Metric::P50,
        share: 0.10,
    },
    Tolerance {
        metric: Metric::P99,
        share: 0.20,
    },
    Tolerance {
        metric: Metric::ErrorRate,
        share: 0.001,
    },
];

/// Whether the JSON file at `path` is a `run --json` document rather than a suite's
/// results (it has the run document's `command` and `result`).
pub fn is_run_document(path: &Path) -> Result<bool> {
    let bytes = std::fs::read(path).map_err(|source| SuiteError::Read {
        path: path.to_path_buf(),
        hint: "",
        source,
    })?;
    let value: serde_json::Value = match serde_json::from_slice(&bytes) {
        Ok(value) => value,
        // Not JSON: the suite reader names the problem.
        Err(_) => return Ok(false),
    };
    Ok(value.get("command").is_some() && value.get("result").is_some())
}

/// The result a document is judged by: its median trial.
pub fn median(doc: &RunDocument<'_>, path: &Path) -> Result<RunResult> {
    doc.result.median_trial().cloned().ok_or_else(|| {
        SuiteError::Usage(format!("{} has no measured trial to check", path.display()))
    })
}

/// The thresholds a baseline run sets: each metric of `tolerances` (the defaults, with
/// any given replacing its metric's) held to the baseline's figure moved by its
/// tolerance.
pub fn baseline_thresholds(baseline: &RunResult, given: &[Tolerance]) -> Vec<Threshold> {
    let mut tolerances: Vec<Tolerance> = DEFAULT_TOLERANCES.to_vec();
    for t in given {
        match tolerances.iter_mut().find(|d| d.metric == t.metric) {
            Some(existing) => *existing = *t,
            None => tolerances.push(*t),
        }
    }
    tolerances
        .iter()
        .map(|t| {
            let base = t.metric.of(baseline);
            let (op, limit) = match t.metric {
                Metric::Throughput => (Op::Ge, base * (1.0 - t.share)),
                Metric::ErrorRate => (Op::Le, (base + t.share).min(1.0)),
                _ => (Op::Le, base * (1.0 + t.share)),
            };
            Threshold {
                metric: t.metric,
                op,
                limit,
            }
        })
        .collect()
}

/// Judges `result` by every threshold.
pub fn judge(result: &RunResult, thresholds: &[Threshold]) -> Vec<Judged> {
    thresholds.iter().map(|t| t.judge(result)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn result(rps: f64, p50_ms: f64, p99_ms: f64, error_rate: f64) -> RunResult {
        let text = include_str!("../../../report/tests/fixtures/small-results.json");
        let suite: waitbench_core::SuiteResults = serde_json::from_str(text).expect("fixture");
        let mut r = suite.scenarios[0].series[0].points[0].trials.trials[0].clone();
        r.throughput_rps = rps;
        r.latency.p50_us = p50_ms * 1e3;
        r.latency.p99_us = p99_ms * 1e3;
        r.error_rate = error_rate;
        r
    }

    #[test]
    fn tolerances_parse_by_metric_name_and_share() {
        let t: Tolerance = "p99=25%".parse().unwrap();
        assert_eq!((t.metric, t.share), (Metric::P99, 0.25));
        assert!("p99".parse::<Tolerance>().unwrap_err().contains("no '='"));
        assert!(
            "p98=1%"
                .parse::<Tolerance>()
                .unwrap_err()
                .contains("unknown metric")
        );
    }

    #[test]
    fn a_baseline_run_holds_each_metric_to_its_tolerance() {
        let base = result(1000.0, 10.0, 50.0, 0.0);
        let limits = baseline_thresholds(&base, &["p99=50%".parse().unwrap()]);
        let limit = |m| limits.iter().find(|t| t.metric == m).unwrap().clone();
        assert_eq!(
            (
                limit(Metric::Throughput).op,
                limit(Metric::Throughput).limit
            ),
            (Op::Ge, 900.0)
        );
        assert!((limit(Metric::P50).limit - 11_000.0).abs() < 1e-6);
        assert!((limit(Metric::P99).limit - 75_000.0).abs() < 1e-6);
        assert!((limit(Metric::ErrorRate).limit - 0.001).abs() < 1e-12);
        // Within every tolerance: passes; p99 past +50%: fails alone.
        let same = judge(&result(950.0, 10.5, 70.0, 0.0005), &limits);
        assert!(same.iter().all(|j| j.passed), "{same:?}");
        let slower = judge(&result(950.0, 10.5, 80.0, 0.0), &limits);
        let failed: Vec<Metric> = slower
            .iter()
            .filter(|j| !j.passed)
            .map(|j| j.threshold.metric)
            .collect();
        assert_eq!(failed, [Metric::P99]);
    }
}
