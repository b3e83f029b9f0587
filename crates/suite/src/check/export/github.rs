//! github-action-benchmark's custom formats: one file of bigger-is-better metrics and
//! one of smaller-is-better ones, since the action takes one direction per file.

use std::path::Path;

use super::{ExportFile, ExportedMetric, Exporter};
use crate::check::metrics::Direction;

/// The github-action-benchmark exporter.
#[derive(Debug, Clone, Copy)]
pub struct GithubActionBenchmark;

/// Where the smaller-is-better file goes beside `path`.
pub fn smaller_path(path: &Path) -> std::path::PathBuf {
    path.with_extension("smaller.json")
}

impl Exporter for GithubActionBenchmark {
    fn files(&self, metrics: &[ExportedMetric], path: &Path) -> Vec<ExportFile> {
        let entries = |direction: Direction| -> serde_json::Value {
            metrics
                .iter()
                .filter(|m| m.direction == direction)
                .map(|m| {
                    let mut entry = serde_json::json!({
                        "name": m.key.to_string(),
                        "unit": m.unit,
                        "value": m.value,
                    });
                    if let Some((lo, hi)) = m.range {
                        entry["range"] = format!("{lo} – {hi}").into();
                    }
                    entry
                })
                .collect()
        };
        vec![
            (path.to_path_buf(), entries(Direction::Higher)),
            (smaller_path(path), entries(Direction::Lower)),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn metric(key: &str, value: f64, direction: Direction) -> ExportedMetric {
        ExportedMetric {
            key: key.parse().unwrap(),
            value,
            range: Some((value - 1.0, value + 1.0)),
            direction,
            unit: "ratio",
        }
    }

    #[test]
    fn metrics_split_by_their_declared_direction_with_ranges() {
        let files = GithubActionBenchmark.files(
            &[
                metric("C.async@100.in_flight_ratio", 1.0, Direction::Higher),
                metric("claim.F2.throughput_ratio", 0.05, Direction::Lower),
            ],
            Path::new("out/bench.json"),
        );
        assert_eq!(files[0].0, Path::new("out/bench.json"));
        assert_eq!(files[1].0, Path::new("out/bench.smaller.json"));
        assert_eq!(files[0].1[0]["name"], "C.async@100.in_flight_ratio");
        assert_eq!(files[0].1[0]["range"], "0 – 2");
        assert_eq!(files[1].1[0]["name"], "claim.F2.throughput_ratio");
    }
}
