//! The committed baseline: for each gated or tracked metric, the accepted value, which
//! way is better, how far it may move the wrong way, and a note saying where the
//! tolerance came from. [`make_baseline`] derives it from the measured distribution of
//! many independent runs, so no tolerance is typed by hand.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};
use waitbench_core::{Spread, Stack, SuiteResults};

use super::metrics::{Direction, MetricKey, metrics};
use crate::error::{Result, SuiteError};

/// Version of the baseline file format.
pub const BASELINE_SCHEMA_VERSION: u32 = 1;

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
    /// The allowed movement for a baseline `value`, in the metric's unit.
    pub fn allowance(self, value: f64) -> f64 {
        match self {
            Tolerance::Relative(r) => r * value.abs(),
            Tolerance::Absolute(a) => a,
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
    /// The smallest tolerance [`make_baseline`] may derive (for metrics whose runs hardly
    /// vary, where 30 runs cannot show the tail).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub floor: Option<Tolerance>,
    /// Why this metric and tolerance (e.g. the spread measured over repeated runs).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub note: String,
    /// Every run the baseline came from read the same value: the metric cannot move
    /// without a planted (or real) change, so holding it is a check of the construct,
    /// not evidence that the measurement is stable.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub invariant: bool,
    /// The value past which the claim's verdict flips, from the figure's declaration
    /// (set when the baseline is read, never stored).
    #[serde(skip)]
    pub edge: Option<f64>,
}

impl BaselineMetric {
    /// How far the metric may move the wrong way: its tolerance, but never past the
    /// edge where its claim's verdict flips, so the gate cannot pass a flipped verdict.
    pub fn allowance(&self) -> f64 {
        let tolerance = self.tolerance.allowance(self.value);
        match self.edge {
            Some(edge) => {
                let room = match self.direction {
                    Direction::Higher => self.value - edge,
                    Direction::Lower => edge - self.value,
                };
                tolerance.min(room.max(0.0))
            }
            None => tolerance,
        }
    }

    /// Whether the stored tolerance reaches past the verdict's edge (it is then capped
    /// by [`allowance`](Self::allowance); the baseline should be rebuilt).
    pub fn reaches_past_edge(&self) -> bool {
        self.allowance() < self.tolerance.allowance(self.value)
    }
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

impl Baseline {
    /// Whether any metric is measured on the Python series, so a live check must run them.
    pub fn needs_python(&self) -> bool {
        !self.python_claims().is_empty()
    }

    /// The claims whose Python series give a metric of this baseline.
    pub fn python_claims(&self) -> Vec<String> {
        let mut claims: Vec<String> = self
            .metrics
            .keys()
            .filter_map(|name| name.parse::<MetricKey>().ok())
            .filter(|key| key.stack() == Stack::Python)
            .map(|key| key.claim().to_string())
            .collect();
        claims.sort();
        claims.dedup();
        claims
    }

    /// This baseline without the Python metrics that `current` lacks, and their names: on
    /// a machine without Python (or results made with `--no-python`) the Rust metrics are
    /// still checked, and the skipped ones are named. A missing Rust metric stays, for
    /// [`compare`](super::compare::compare) to refuse.
    pub fn measurable(&self, current: &BTreeMap<String, f64>) -> (Baseline, Vec<String>) {
        let (kept, skipped): (BTreeMap<_, _>, BTreeMap<_, _>) = self
            .metrics
            .clone()
            .into_iter()
            .partition(|(name, _)| current.contains_key(name) || !is_python(name));
        let baseline = Baseline {
            metrics: kept,
            ..self.clone()
        };
        (baseline, skipped.into_keys().collect())
    }

    /// The claims whose scenarios produce the baseline's metrics.
    pub fn claims(&self) -> Vec<String> {
        let mut claims: Vec<String> = self
            .metrics
            .keys()
            .filter_map(|k| k.parse::<MetricKey>().ok())
            .map(|k| k.claim().to_string())
            .collect();
        claims.sort();
        claims.dedup();
        claims
    }
}

fn is_python(name: &str) -> bool {
    name.parse::<MetricKey>()
        .is_ok_and(|key| key.stack() == Stack::Python)
}

/// Reads and validates a baseline; every problem names the file and the fix.
pub fn read_baseline(path: &Path) -> Result<Baseline> {
    let text = std::fs::read_to_string(path).map_err(|source| SuiteError::Read {
        path: path.to_path_buf(),
        hint: " (the --baseline file: check the path, leave the flag out to use the built-in \
               baseline, or make one with `waitbench check --make-baseline RESULTS…`)",
        source,
    })?;
    parse_baseline(&text, path)
}

/// Parses and validates a baseline from its text; `path` is what errors name (a file, or
/// the built-in copy's label).
pub fn parse_baseline(text: &str, path: &Path) -> Result<Baseline> {
    let bad = |message: String| SuiteError::Baseline {
        path: path.to_path_buf(),
        message,
    };
    let baseline: Baseline = serde_json::from_str(text)
        .map_err(|e| bad(format!("is not a valid baseline file: {e}")))?;
    if baseline.schema_version != BASELINE_SCHEMA_VERSION {
        return Err(bad(format!(
            "has schema_version {}; this waitbench reads version {}",
            baseline.schema_version, BASELINE_SCHEMA_VERSION
        )));
    }
    if baseline.metrics.is_empty() {
        return Err(bad("lists no metrics".into()));
    }
    let mut baseline = baseline;
    for (name, metric) in baseline.metrics.iter_mut() {
        metric.edge = name.parse::<MetricKey>().map_err(bad)?.edge();
    }
    Ok(baseline)
}

/// How [`make_baseline`] turns a measured distribution into a tolerance.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TolerancePolicy {
    /// Runs needed before a tolerance is trusted.
    pub min_runs: usize,
    /// The tolerance is this many times the distance from the median to the worst run.
    pub worst_factor: f64,
}

/// The policy the committed baseline uses.
pub const TOLERANCE_POLICY: TolerancePolicy = TolerancePolicy {
    min_runs: 30,
    worst_factor: 2.0,
};

fn quantile(sorted: &[f64], q: f64) -> f64 {
    let pos = q * (sorted.len() - 1) as f64;
    let (lo, hi) = (pos.floor() as usize, pos.ceil() as usize);
    sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo as f64)
}

impl Baseline {
    /// This baseline with every value taken from `results`, tolerances and gates kept
    /// (`check --update-baseline`).
    pub fn updated_from(&self, results: &SuiteResults) -> Baseline {
        let current = metrics(results);
        let mut updated = self.clone();
        for (name, metric) in updated.metrics.iter_mut() {
            if let Some(value) = current.get(name) {
                metric.value = *value;
            }
        }
        updated
    }
}

/// [`make_baseline`] from results files (`check --make-baseline RESULTS…`), with the
/// house [`TOLERANCE_POLICY`], rebuilding only the metrics `only` selects.
pub fn make_baseline_from_files(
    template: &Baseline,
    paths: &[std::path::PathBuf],
    only: &Selection,
) -> Result<Baseline> {
    let runs: Vec<SuiteResults> = paths
        .iter()
        .map(|p| waitbench_report::read_results(p))
        .collect::<Result<_, _>>()?;
    make_baseline(template, &runs, TOLERANCE_POLICY, only)
}

/// Which of a baseline's metrics a rebuild touches: all, or those whose names start with
/// one of the prefixes (`check --make-baseline … --only-metrics claim.F2.python_`), so
/// that new metrics get their tolerances from their own runs while the others keep
/// theirs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Selection {
    /// Name prefixes; empty selects every metric.
    pub prefixes: Vec<String>,
}

impl Selection {
    /// Whether the metric `name` is selected.
    pub fn selects(&self, name: &str) -> bool {
        self.prefixes.is_empty() || self.prefixes.iter().any(|p| name.starts_with(p.as_str()))
    }

    /// A prefix that selects none of `baseline`'s metrics is a typo, refused by name.
    fn check(&self, baseline: &Baseline) -> Result<()> {
        match self.prefixes.iter().find(|p| {
            !baseline
                .metrics
                .keys()
                .any(|name| name.starts_with(p.as_str()))
        }) {
            Some(prefix) => Err(SuiteError::Usage(format!(
                "--only-metrics {prefix} selects none of the baseline's metrics; its names \
                 start with: {}",
                baseline
                    .claims()
                    .iter()
                    .map(|c| format!("{c}., claim.{c}."))
                    .collect::<Vec<_>>()
                    .join(", ")
            ))),
            None => Ok(()),
        }
    }
}

/// A new baseline for `template`'s metrics (same names, gates and floors) from the
/// distribution of each metric over `runs`: the value is the median, and the tolerance
/// is [`TolerancePolicy::worst_factor`] × the distance from the median to the worst
/// run, never below the metric's floor. Each note records the distribution it came from.
/// A metric that `only` leaves out, or that no run has, keeps its current entry.
pub fn make_baseline(
    template: &Baseline,
    runs: &[SuiteResults],
    policy: TolerancePolicy,
    only: &Selection,
) -> Result<Baseline> {
    only.check(template)?;
    if runs.len() < policy.min_runs {
        return Err(SuiteError::Usage(format!(
            "a baseline needs at least {} independent runs to know its tails; {} given",
            policy.min_runs,
            runs.len()
        )));
    }
    let measured: Vec<BTreeMap<String, f64>> = runs.iter().map(metrics).collect();
    let mut out = BTreeMap::new();
    for (name, metric) in &template.metrics {
        let mut values: Vec<f64> = measured
            .iter()
            .filter_map(|m| m.get(name).copied())
            .collect();
        if values.is_empty() || !only.selects(name) {
            out.insert(name.clone(), metric.clone());
            continue;
        }
        if values.len() < runs.len() {
            return Err(SuiteError::Metrics(format!(
                "metric {name} is in {} of the {} runs; every run must have it, or none \
                 to keep its current entry",
                values.len(),
                runs.len()
            )));
        }
        values.sort_by(f64::total_cmp);
        let spread = Spread::of(values.iter().copied());
        let worst = match metric.direction {
            Direction::Higher => spread.median - spread.min,
            Direction::Lower => spread.max - spread.median,
        };
        let floor = metric.floor.map_or(0.0, |f| f.allowance(spread.median));
        let mut allowance = (policy.worst_factor * worst).max(floor);
        // Never past the edge where the claim's verdict flips: a run there must fail.
        let edge = name.parse::<MetricKey>().ok().and_then(|k| k.edge());
        let mut capped = "";
        if let Some(edge) = edge {
            let room = match metric.direction {
                Direction::Higher => spread.median - edge,
                Direction::Lower => edge - spread.median,
            };
            if allowance > room {
                allowance = round_down(room.max(0.0));
                capped = " (capped at the verdict's edge)";
            }
        }
        let tolerance = match metric.tolerance {
            Tolerance::Relative(_) if spread.median != 0.0 => {
                Tolerance::Relative(round_down(allowance / spread.median.abs()))
            }
            _ => Tolerance::Absolute(round_down(allowance)),
        };
        let purpose = metric.note.split(';').next().unwrap_or("").trim();
        out.insert(
            name.clone(),
            BaselineMetric {
                value: round(spread.median),
                direction: metric.direction,
                tolerance,
                gate: metric.gate,
                floor: metric.floor,
                invariant: spread.min == spread.max,
                edge,
                note: format!(
                    "{purpose}; {} runs: min {}, p10 {}, median {}, p90 {}, max {}{capped}",
                    values.len(),
                    sig(spread.min),
                    sig(quantile(&values, 0.1)),
                    sig(spread.median),
                    sig(quantile(&values, 0.9)),
                    sig(spread.max)
                ),
            },
        );
    }
    Ok(Baseline {
        schema_version: BASELINE_SCHEMA_VERSION,
        comment: format!(
            "Values are medians over {} independent quick-suite runs; each tolerance is {} × the \
             distance from the median to the worst run, never below the metric's floor \
             (written by `waitbench check --make-baseline`).",
            runs.len(),
            policy.worst_factor
        ),
        metrics: out,
    })
}

fn round(x: f64) -> f64 {
    if x == 0.0 {
        return 0.0;
    }
    let digits = 3 - x.abs().log10().floor() as i32;
    let scale = 10f64.powi(digits.max(0));
    (x * scale).round() / scale
}

/// [`round`] towards zero, so that a rounded allowance never grows past what it was
/// capped at.
fn round_down(x: f64) -> f64 {
    let rounded = round(x);
    if rounded.abs() <= x.abs() {
        return rounded;
    }
    let digits = 3 - x.abs().log10().floor() as i32;
    let scale = 10f64.powi(digits.max(0));
    (x * scale).trunc() / scale
}

fn sig(x: f64) -> String {
    format!("{}", round(x))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounding_keeps_four_significant_digits() {
        assert_eq!(round(0.0123456), 0.01235);
        assert_eq!(round(9057.466), 9057.0);
        assert_eq!(round(0.0), 0.0);
    }

    #[test]
    fn quantiles_interpolate_between_runs() {
        let v = [1.0, 2.0, 3.0, 4.0, 5.0];
        assert_eq!(quantile(&v, 0.5), 3.0);
        assert_eq!(quantile(&v, 0.1), 1.4);
    }
}
