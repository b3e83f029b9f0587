//! Exporting metrics to benchmark-tracking services, one format per file behind one
//! [`Exporter`] trait (as hyperfine's exporters are). Every exporter reads the same
//! [`ExportedMetric`]s: the direction of each comes from the baseline where the metric is
//! gated or tracked, and from the metric's own declaration otherwise, never from a guess
//! at its name.

mod bencher;
mod github;

use std::path::{Path, PathBuf};
use std::str::FromStr;

use waitbench_core::{Spread, SuiteResults};

use super::baseline::Baseline;
use super::metrics::{Direction, MetricKey, metrics};
use crate::output::write_json;

pub use bencher::Bencher;
pub use github::GithubActionBenchmark;

/// One metric as exported: its key, value, trial range, direction and unit.
#[derive(Debug, Clone, PartialEq)]
pub struct ExportedMetric {
    /// The metric.
    pub key: MetricKey,
    /// Its value (the median over trials for a point metric).
    pub value: f64,
    /// Smallest and largest trial, when the point had more than one.
    pub range: Option<(f64, f64)>,
    /// Which way is better.
    pub direction: Direction,
    /// Its unit.
    pub unit: &'static str,
}

/// Every metric of `results`, with directions taken from `baseline` where it has them.
pub fn exported(results: &SuiteResults, baseline: &Baseline) -> Vec<ExportedMetric> {
    metrics(results)
        .into_iter()
        .filter_map(|(name, value)| {
            let key: MetricKey = name.parse().ok()?;
            let trials = key.trial_values(results);
            let range = (trials.len() > 1).then(|| {
                let s = Spread::of(trials);
                (s.min, s.max)
            });
            let direction = baseline
                .metrics
                .get(&name)
                .map_or_else(|| key.direction(), |m| m.direction);
            Some(ExportedMetric {
                unit: key.unit(),
                key,
                value,
                range,
                direction,
            })
        })
        .collect()
}

/// A file to write: where, and its JSON.
pub type ExportFile = (PathBuf, serde_json::Value);

/// Turns metrics into the files a tracking service reads.
pub trait Exporter {
    /// The files for `metrics`, the first at `path`.
    fn files(&self, metrics: &[ExportedMetric], path: &Path) -> Vec<ExportFile>;
}

/// The export formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    /// github-action-benchmark: FILE (customBiggerIsBetter) and FILE with the extension
    /// `smaller.json` (customSmallerIsBetter).
    GithubActionBenchmark,
    /// Bencher Metric Format: one file.
    Bencher,
}

impl ExportFormat {
    /// Every format.
    pub const ALL: [ExportFormat; 2] = [ExportFormat::GithubActionBenchmark, ExportFormat::Bencher];

    /// The format's name on the command line.
    pub fn name(self) -> &'static str {
        match self {
            ExportFormat::GithubActionBenchmark => "github-action-benchmark",
            ExportFormat::Bencher => "bencher",
        }
    }

    /// What the format writes, for `--help`.
    pub fn description(self) -> &'static str {
        match self {
            ExportFormat::GithubActionBenchmark => {
                "FILE (customBiggerIsBetter) and FILE's stem + .smaller.json (customSmallerIsBetter)"
            }
            ExportFormat::Bencher => "FILE in Bencher Metric Format",
        }
    }

    fn exporter(self) -> &'static dyn Exporter {
        match self {
            ExportFormat::GithubActionBenchmark => &GithubActionBenchmark,
            ExportFormat::Bencher => &Bencher,
        }
    }

    /// Writes `metrics` in this format to `path` (and its siblings); returns the paths.
    pub fn write(self, metrics: &[ExportedMetric], path: &Path) -> crate::Result<Vec<PathBuf>> {
        let files = self.exporter().files(metrics, path);
        for (file, json) in &files {
            write_json(file, json)?;
        }
        Ok(files.into_iter().map(|(p, _)| p).collect())
    }
}

waitbench_core::named_value!(ExportFormat);

impl FromStr for ExportFormat {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        waitbench_core::named::by_name(
            &ExportFormat::ALL,
            ExportFormat::name,
            "export format",
            text,
        )
    }
}
