//! Figures derived from a point's trials, shared by the charts, the HTML tables and the
//! terminal summary so that all show the same numbers. The numbers themselves are
//! formatted by `waitbench_core::units`, the one formatter of the terminal and the page.

use waitbench_core::units::{
    format_bytes, format_micros, format_rps, format_seconds, format_significant,
};
use waitbench_core::{Point, RunResult, ScenarioResult, Series, Spread};

/// The names the charts know the core formatters by (microseconds, seconds, significant
/// digits).
pub(crate) use waitbench_core::units::{
    format_micros as fmt_us, format_seconds as fmt_s, format_significant as fmt_sig,
};

/// Median and range across a point's trials of a figure some trials may lack.
pub(crate) fn spread(point: &Point, figure: impl Fn(&RunResult) -> Option<f64>) -> Option<Spread> {
    let values: Vec<f64> = point
        .trials
        .trials
        .iter()
        .filter_map(figure)
        .filter(|v| v.is_finite())
        .collect();
    (!values.is_empty()).then(|| Spread::of(values))
}

/// A point's Little's-law prediction, typed by the unit the suite wrote beside it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Prediction<'a> {
    /// A batch time (ceil(N/C)·L), in seconds.
    Time(f64),
    /// A throughput bound (C/L), in req/s.
    Rate(f64),
    /// Any other unit, shown as written.
    Other(f64, &'a str),
}

impl<'a> Prediction<'a> {
    /// The prediction of `point`, if the suite made one.
    pub(crate) fn of(point: &'a Point) -> Option<Self> {
        let value = point.predicted?;
        Some(match point.predicted_unit.as_str() {
            "s" => Prediction::Time(value),
            "req/s" => Prediction::Rate(value),
            unit => Prediction::Other(value, unit),
        })
    }

    /// The prediction formatted as the tables show it (`4.68 s`, `1,000 req/s`).
    pub(crate) fn formatted(self) -> String {
        match self {
            Prediction::Time(s) => format_seconds(s),
            Prediction::Rate(rps) => format_rps(rps),
            Prediction::Other(value, unit) => format!("{} {unit}", format_significant(value, 3)),
        }
    }
}

/// `scenario` without its batch series: a scenario that sweeps C in a closed loop may
/// hold a batch beside it (claim E's JEP 444 batch), which no figure per unit of C reads.
pub(crate) fn swept_only(scenario: &ScenarioResult) -> ScenarioResult {
    let mut swept = scenario.clone();
    swept.series.retain(|s| {
        !s.points.iter().any(|p| {
            p.trials
                .median_trial()
                .is_some_and(|r| matches!(r.workload.load, waitbench_core::LoadModel::Batch { .. }))
        })
    });
    swept
}

/// The Little's-law throughput bound C/L of a point, in req/s.
pub(crate) fn bound_rps(point: &Point) -> Option<f64> {
    if let Some(Prediction::Rate(rps)) = Prediction::of(point) {
        return Some(rps);
    }
    point.trials.trials.first()?.littles_law.bound_rps
}

/// The predicted batch time of a point (ceil(N/C)·L), in seconds.
pub(crate) fn predicted_time_s(point: &Point) -> Option<f64> {
    if let Some(Prediction::Time(s)) = Prediction::of(point) {
        return Some(s);
    }
    point
        .trials
        .trials
        .first()?
        .littles_law
        .predicted_batch_time_s
}

/// The injected mean latency shared by every trial of the scenario, in microseconds.
pub(crate) fn common_injected_latency_us(scenario: &ScenarioResult) -> Option<f64> {
    let mut values = scenario
        .series
        .iter()
        .flat_map(|s| &s.points)
        .flat_map(|p| &p.trials.trials)
        .map(|t| t.injected.mean_latency_us);
    let first = values.next()?;
    (first > 0.0 && values.all(|v| (v - first).abs() <= first * 1e-6)).then_some(first)
}

/// The points of every series, each with its group label for bar charts: the series label,
/// plus the x value when the series has more than one point.
pub(crate) fn labelled_points(scenario: &ScenarioResult) -> Vec<(usize, &Series, &Point, String)> {
    let mut out = Vec::new();
    for (i, series) in scenario.series.iter().enumerate() {
        for point in &series.points {
            let label = if series.points.len() > 1 {
                format!(
                    "{} · {} = {}",
                    series.label,
                    short_x_label(&scenario.x_label),
                    format_significant(point.x, 4)
                )
            } else {
                series.label.clone()
            };
            out.push((i, series, point, label));
        }
    }
    out
}

/// The x label without its parenthesised unit note, for compact labels.
fn short_x_label(x_label: &str) -> &str {
    x_label.split(" (").next().unwrap_or(x_label).trim()
}

/// Compact axis labels: `0.5`, `20`, `5000`, `12k`, `1.5M`.
pub(crate) fn fmt_axis(value: f64) -> String {
    let a = value.abs();
    if a >= 1e6 {
        format!("{}M", format_significant(value / 1e6, 3))
    } else if a >= 1e4 {
        format!("{}k", format_significant(value / 1e3, 3))
    } else {
        format_significant(value, 3).replace(',', "")
    }
}

/// A named figure formatted by the unit its key ends with (`_us`, `_ms`, `_s`, `_bytes`,
/// `_rps`; anything else as a plain number), e.g. a strategy's `ticker_lateness_p99_us`.
pub(crate) fn format_figure(key: &str, value: f64) -> String {
    if key.ends_with("_us") {
        format_micros(value)
    } else if key.ends_with("_ms") {
        format_micros(value * 1e3)
    } else if key.ends_with("_s") {
        format_seconds(value)
    } else if key.ends_with("_bytes") {
        format_bytes(value)
    } else if key.ends_with("_rps") {
        format_rps(value)
    } else {
        format_significant(value, 4)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn named_figures_are_formatted_by_the_unit_their_key_ends_with() {
        assert_eq!(format_figure("ticker_lateness_p99_us", 1_920.0), "1.92 ms");
        assert_eq!(format_figure("pause_ms", 200.0), "200 ms");
        assert_eq!(format_figure("setup_s", 2.5), "2.5 s");
        assert_eq!(format_figure("buffer_bytes", 2048.0), "2.0 KiB");
        assert_eq!(format_figure("ceiling_rps", 48_213.0), "48,213 req/s");
        assert_eq!(format_figure("issued", 276.0), "276");
    }

    #[test]
    fn axis_labels_are_compact() {
        assert_eq!(fmt_axis(5000.0), "5000");
        assert_eq!(fmt_axis(20000.0), "20k");
        assert_eq!(fmt_axis(0.5), "0.5");
    }
}
