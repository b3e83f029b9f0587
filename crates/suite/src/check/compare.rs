//! `waitbench check`: compare a suite's results with a committed baseline and fail on
//! regression. Only metrics that do not depend on the machine's speed are gated
//! (speedup ratios, Little's-law efficiency under injected latency, accounting, latency
//! overshoot above the injected value); absolute req/s and latency are tracked only.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::path::Path;

use anyhow::Context;
use serde::{Deserialize, Serialize};
use waitbench_core::SuiteResults;

use crate::output::write_json;

/// Version of the baseline file format.
pub const BASELINE_SCHEMA_VERSION: u32 = 1;

/// Which way is better for a metric.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    /// Larger values are better (throughput, efficiency, speedup).
    Higher,
    /// Smaller values are better (latency, overshoot, errors).
    Lower,
}

/// How far a metric may move the wrong way before it is a regression.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase", deny_unknown_fields)]
pub enum Tolerance {
    /// A fraction of the baseline value (0.1 = 10%).
    Relative(f64),
    /// An amount in the metric's own unit.
    Absolute(f64),
}

impl Tolerance {
    fn allowance(self, baseline: f64) -> f64 {
        match self {
            Tolerance::Relative(r) => r * baseline.abs(),
            Tolerance::Absolute(a) => a,
        }
    }

    fn describe(self) -> String {
        match self {
            Tolerance::Relative(r) => format!("±{:.0}%", r * 100.0),
            Tolerance::Absolute(a) => format!("±{}", short(a)),
        }
    }
}

/// One baseline metric.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BaselineMetric {
    /// The accepted value.
    pub value: f64,
    /// Which way is better.
    pub direction: Direction,
    /// Allowed movement the wrong way.
    pub tolerance: Tolerance,
    /// Whether a regression fails the check (false: shown and tracked only).
    pub gate: bool,
    /// Why this metric and tolerance (e.g. the spread measured over repeated runs).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub note: String,
}

/// The baseline file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Baseline {
    /// [`BASELINE_SCHEMA_VERSION`].
    pub schema_version: u32,
    /// How the tolerances were chosen.
    #[serde(default)]
    pub comment: String,
    /// Metrics by name.
    pub metrics: BTreeMap<String, BaselineMetric>,
}

/// Reads and validates a baseline; every problem names the file and the fix.
pub fn read_baseline(path: &Path) -> anyhow::Result<Baseline> {
    let text = std::fs::read_to_string(path).with_context(|| {
        format!(
            "reading baseline {} (create one with `waitbench check --update-baseline` from an existing baseline, or restore it from git)",
            path.display()
        )
    })?;
    let baseline: Baseline = serde_json::from_str(&text)
        .with_context(|| format!("baseline {} is not a valid baseline file", path.display()))?;
    if baseline.schema_version != BASELINE_SCHEMA_VERSION {
        anyhow::bail!(
            "baseline {} has schema_version {}; this waitbench reads version {}",
            path.display(),
            baseline.schema_version,
            BASELINE_SCHEMA_VERSION
        );
    }
    if baseline.metrics.is_empty() {
        anyhow::bail!("baseline {} lists no metrics", path.display());
    }
    Ok(baseline)
}

fn fixed_latency_us(spec: Option<&str>) -> Option<f64> {
    spec.and_then(waitbench_core::units::parse_duration)
        .map(|d| d.as_secs_f64() * 1e6)
}

/// Every metric a suite's results provide, by name.
///
/// Per point: `{claim}.{role}@{x}.{metric}`; per claim: `claim.{id}.{figure}`.
pub fn metrics(results: &SuiteResults) -> BTreeMap<String, f64> {
    let mut out = BTreeMap::new();
    for row in &results.claims {
        for (figure, value) in &row.figures {
            if value.is_finite() {
                out.insert(format!("claim.{}.{figure}", row.id), *value);
            }
        }
    }
    for scenario in &results.scenarios {
        for series in &scenario.series {
            for point in &series.points {
                let key = |m: &str| format!("{}.{}@{}.{m}", scenario.claim, series.role, point.x);
                let t = &point.trials;
                out.insert(key("throughput_rps"), t.throughput_rps.median);
                out.insert(key("p50_us"), t.p50_us.median);
                out.insert(key("p99_us"), t.p99_us.median);
                if let Some(e) = t.efficiency {
                    out.insert(key("efficiency"), e.median);
                }
                let violations: u64 = t
                    .trials
                    .iter()
                    .map(|r| {
                        let c = &r.counts;
                        c.sent.abs_diff(c.ok + c.http_errors + c.errors)
                    })
                    .sum();
                out.insert(key("accounting_violations"), violations as f64);
                if let Some(run) = t.median_trial()
                    && let Some(injected) = fixed_latency_us(run.injected.latency.as_deref())
                    && injected > 0.0
                {
                    out.insert(key("overshoot_p50_us"), run.latency.p50_us - injected);
                }
            }
        }
    }
    out
}

/// Which way is better for a metric, judged from its name (for exports).
pub fn direction_of(name: &str) -> Direction {
    let lower = ["_us", "violations", "_s", "_bytes", "p99_change"];
    if lower.iter().any(|s| name.ends_with(s)) {
        Direction::Lower
    } else {
        Direction::Higher
    }
}

/// The verdict on one metric.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Within tolerance.
    Ok,
    /// Better than the baseline by more than the tolerance.
    Improved,
    /// Worse than the baseline by more than the tolerance (fails the check when gated).
    Regressed,
}

/// One row of the comparison.
#[derive(Debug, Clone)]
pub struct Comparison {
    /// Metric name.
    pub name: String,
    /// Baseline entry.
    pub baseline: BaselineMetric,
    /// Current value.
    pub current: f64,
    /// Verdict.
    pub status: Status,
}

/// Compares `current` with `baseline`; an unknown metric name is an error.
pub fn compare(
    baseline: &Baseline,
    current: &BTreeMap<String, f64>,
) -> anyhow::Result<Vec<Comparison>> {
    let missing: Vec<&str> = baseline
        .metrics
        .keys()
        .filter(|k| !current.contains_key(*k))
        .map(String::as_str)
        .collect();
    if !missing.is_empty() {
        let mut hint = String::new();
        for name in &missing {
            let prefix = name.split('.').next().unwrap_or("");
            let similar: Vec<&str> = current
                .keys()
                .filter(|k| k.starts_with(prefix))
                .take(5)
                .map(String::as_str)
                .collect();
            let _ = write!(hint, "\n  {name}: not in the results");
            if !similar.is_empty() {
                let _ = write!(hint, " (metrics there include: {})", similar.join(", "));
            }
        }
        anyhow::bail!(
            "the baseline names {} metric(s) the results do not have; fix the name or re-run the scenario:{hint}",
            missing.len()
        );
    }
    Ok(baseline
        .metrics
        .iter()
        .map(|(name, b)| {
            let current = current[name];
            let allowance = b.tolerance.allowance(b.value);
            let worse_by = match b.direction {
                Direction::Higher => b.value - current,
                Direction::Lower => current - b.value,
            };
            let status = if worse_by > allowance {
                Status::Regressed
            } else if -worse_by > allowance {
                Status::Improved
            } else {
                Status::Ok
            };
            Comparison {
                name: name.clone(),
                baseline: b.clone(),
                current,
                status,
            }
        })
        .collect())
}

fn short(x: f64) -> String {
    if x == 0.0 {
        "0".into()
    } else if x.abs() >= 1000.0 {
        format!("{x:.0}")
    } else if x.abs() >= 10.0 {
        format!("{x:.1}")
    } else {
        format!("{x:.3}")
    }
}

fn change(c: &Comparison) -> String {
    if c.baseline.value == 0.0 {
        format!("{:+}", short(c.current))
    } else {
        format!("{:+.1}%", (c.current / c.baseline.value - 1.0) * 100.0)
    }
}

fn status_label(c: &Comparison) -> &'static str {
    match (c.status, c.baseline.gate) {
        (Status::Regressed, true) => "REGRESSED",
        (Status::Regressed, false) => "worse (tracked)",
        (Status::Improved, _) => "improved",
        (Status::Ok, true) => "ok",
        (Status::Ok, false) => "ok (tracked)",
    }
}

const HEADERS: [&str; 6] = [
    "metric",
    "baseline",
    "current",
    "change",
    "tolerance",
    "status",
];

fn cells(c: &Comparison) -> [String; 6] {
    [
        c.name.clone(),
        short(c.baseline.value),
        short(c.current),
        change(c),
        c.baseline.tolerance.describe(),
        status_label(c).to_string(),
    ]
}

/// The comparison as a terminal table.
pub fn table_text(rows: &[Comparison]) -> String {
    let all: Vec<[String; 6]> = rows.iter().map(cells).collect();
    let widths: Vec<usize> = (0..6)
        .map(|i| {
            all.iter()
                .map(|r| r[i].chars().count())
                .chain([HEADERS[i].len()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = String::new();
    let line = |cols: Vec<&str>, out: &mut String| {
        let padded: Vec<String> = cols
            .iter()
            .zip(&widths)
            .map(|(c, w)| format!("{c:<w$}"))
            .collect();
        let _ = writeln!(out, "{}", padded.join("  ").trim_end());
    };
    line(HEADERS.to_vec(), &mut out);
    for r in &all {
        line(r.iter().map(String::as_str).collect(), &mut out);
    }
    out
}

/// The comparison as a Markdown table (for a pull-request comment).
pub fn table_markdown(rows: &[Comparison]) -> String {
    let regressions = rows
        .iter()
        .filter(|c| c.status == Status::Regressed && c.baseline.gate)
        .count();
    let mut out = format!(
        "### waitbench check: {}\n\n| {} |\n|{}\n",
        if regressions == 0 {
            "all gated metrics hold".to_string()
        } else {
            format!("{regressions} regression(s)")
        },
        HEADERS.join(" | "),
        "---|".repeat(HEADERS.len())
    );
    for c in rows {
        let mut cols = cells(c);
        cols[0] = format!("`{}`", cols[0]);
        if c.status == Status::Regressed && c.baseline.gate {
            cols[5] = format!("**{}**", cols[5]);
        }
        let _ = writeln!(out, "| {} |", cols.join(" | "));
    }
    out
}

/// The metrics as github-action-benchmark input: (bigger-is-better, smaller-is-better).
pub fn export_github_action_benchmark(
    metrics: &BTreeMap<String, f64>,
) -> (serde_json::Value, serde_json::Value) {
    let mut bigger = Vec::new();
    let mut smaller = Vec::new();
    for (name, value) in metrics {
        let entry = serde_json::json!({ "name": name, "unit": unit_of(name), "value": value });
        match direction_of(name) {
            Direction::Higher => bigger.push(entry),
            Direction::Lower => smaller.push(entry),
        }
    }
    (bigger.into(), smaller.into())
}

fn unit_of(name: &str) -> &'static str {
    let suffixes = [
        ("_rps", "req/s"),
        ("_us", "µs"),
        ("_s", "s"),
        ("_bytes", "bytes"),
        ("violations", "requests"),
    ];
    suffixes
        .iter()
        .find(|(s, _)| name.ends_with(s))
        .map_or("ratio", |(_, u)| u)
}

/// The metrics in Bencher Metric Format: benchmark → measure → value.
pub fn export_bencher(metrics: &BTreeMap<String, f64>) -> serde_json::Value {
    let mut out = serde_json::Map::new();
    for (name, value) in metrics {
        let (benchmark, measure) = name.rsplit_once('.').unwrap_or((name, "value"));
        let slug = waitbench_core::units::slug(measure);
        let entry = out
            .entry(benchmark.to_string())
            .or_insert_with(|| serde_json::Value::Object(Default::default()));
        entry[slug] = serde_json::json!({ "value": value });
    }
    out.into()
}

/// Writes `metrics` in `format` (github-action-benchmark or bencher) to `path`.
pub fn export(format: &str, path: &Path, metrics: &BTreeMap<String, f64>) -> anyhow::Result<()> {
    match format {
        "github-action-benchmark" => {
            let (bigger, smaller) = export_github_action_benchmark(metrics);
            let smaller_path = path.with_extension("smaller.json");
            write_json(path, &bigger)?;
            write_json(&smaller_path, &smaller)?;
            eprintln!(
                "wrote {} (tool: customBiggerIsBetter) and {} (tool: customSmallerIsBetter)",
                path.display(),
                smaller_path.display()
            );
        }
        "bencher" => {
            write_json(path, &export_bencher(metrics))?;
            eprintln!("wrote {} (Bencher Metric Format)", path.display());
        }
        other => anyhow::bail!(
            "--export {other}: unknown format; use github-action-benchmark or bencher"
        ),
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn baseline(value: f64, direction: Direction, tolerance: Tolerance) -> Baseline {
        Baseline {
            schema_version: 1,
            comment: String::new(),
            metrics: BTreeMap::from([(
                "C.async@100.efficiency".to_string(),
                BaselineMetric {
                    value,
                    direction,
                    tolerance,
                    gate: true,
                    note: String::new(),
                },
            )]),
        }
    }

    fn current(value: f64) -> BTreeMap<String, f64> {
        BTreeMap::from([("C.async@100.efficiency".to_string(), value)])
    }

    #[test]
    fn a_drop_past_tolerance_regresses_and_within_it_holds() {
        let b = baseline(0.98, Direction::Higher, Tolerance::Relative(0.1));
        assert_eq!(
            compare(&b, &current(0.85)).unwrap()[0].status,
            Status::Regressed
        );
        assert_eq!(compare(&b, &current(0.90)).unwrap()[0].status, Status::Ok);
    }

    #[test]
    fn lower_is_better_metrics_improve_downwards() {
        let b = baseline(500.0, Direction::Lower, Tolerance::Absolute(100.0));
        assert_eq!(
            compare(&b, &current(100.0)).unwrap()[0].status,
            Status::Improved
        );
        assert_eq!(
            compare(&b, &current(700.0)).unwrap()[0].status,
            Status::Regressed
        );
    }

    #[test]
    fn an_unknown_metric_name_is_an_error_naming_it() {
        let b = baseline(1.0, Direction::Higher, Tolerance::Relative(0.1));
        let other = BTreeMap::from([("C.async@100.efficiency_typo".to_string(), 1.0)]);
        let err = compare(&b, &other).unwrap_err().to_string();
        assert!(
            err.contains("C.async@100.efficiency: not in the results"),
            "{err}"
        );
    }

    #[test]
    fn bencher_export_nests_benchmark_and_measure() {
        let v = export_bencher(&current(0.97));
        assert_eq!(v["C.async@100"]["efficiency"]["value"], 0.97);
    }

    #[test]
    fn github_export_splits_by_direction() {
        let mut m = current(0.97);
        m.insert("C.async@100.p99_us".into(), 1234.0);
        let (bigger, smaller) = export_github_action_benchmark(&m);
        assert_eq!(bigger[0]["name"], "C.async@100.efficiency");
        assert_eq!(smaller[0]["unit"], "µs");
    }
}
