//! Bencher Metric Format: benchmark → measure → value, with the trial range as
//! `lower_value` and `upper_value`. The x of a point belongs to the benchmark's name
//! (`C.async@300`), never to the measure's slug, so one measure is one series in Bencher.

use std::path::Path;

use super::{ExportFile, ExportedMetric, Exporter};

/// The Bencher exporter.
#[derive(Debug, Clone, Copy)]
pub struct Bencher;

impl Exporter for Bencher {
    fn files(&self, metrics: &[ExportedMetric], path: &Path) -> Vec<ExportFile> {
        let mut out = serde_json::Map::new();
        for m in metrics {
            let (benchmark, measure) = m.key.split();
            let slug = waitbench_core::units::slug(&measure);
            let mut value = serde_json::json!({ "value": m.value });
            if let Some((lo, hi)) = m.range {
                value["lower_value"] = lo.into();
                value["upper_value"] = hi.into();
            }
            let entry = out
                .entry(benchmark)
                .or_insert_with(|| serde_json::Value::Object(Default::default()));
            entry[slug] = value;
        }
        vec![(path.to_path_buf(), out.into())]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::metrics::Direction;

    #[test]
    fn benchmark_carries_the_x_and_measure_the_figure_with_its_range() {
        let metrics = [
            ExportedMetric {
                key: "C.async@100.in_flight_ratio".parse().unwrap(),
                value: 0.97,
                range: Some((0.95, 0.99)),
                direction: Direction::Higher,
                unit: "ratio",
            },
            ExportedMetric {
                key: "claim.C.speedup_right_sized@300".parse().unwrap(),
                value: 1.01,
                range: None,
                direction: Direction::Higher,
                unit: "ratio",
            },
        ];
        let files = Bencher.files(&metrics, Path::new("bmf.json"));
        let v = &files[0].1;
        assert_eq!(v["C.async@100"]["in-flight-ratio"]["value"], 0.97);
        assert_eq!(v["C.async@100"]["in-flight-ratio"]["lower_value"], 0.95);
        assert_eq!(v["claim.C@300"]["speedup-right-sized"]["value"], 1.01);
    }
}
