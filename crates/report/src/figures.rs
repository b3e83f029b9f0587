//! Figures derived from a point's trials, and number formatting, shared by the charts
//! and the HTML tables so that both show the same numbers.

use waitbench_core::{Point, RunResult, ScenarioResult, Series, Spread};

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

/// The Little's-law throughput bound C/L of a point, in req/s.
pub(crate) fn bound_rps(point: &Point) -> Option<f64> {
    if point.predicted_unit == "req/s"
        && let Some(p) = point.predicted
    {
        return Some(p);
    }
    point.trials.trials.first()?.littles_law.bound_rps
}

/// The predicted batch time of a point (ceil(N/C)·L), in seconds.
pub(crate) fn predicted_time_s(point: &Point) -> Option<f64> {
    if point.predicted_unit == "s"
        && let Some(p) = point.predicted
    {
        return Some(p);
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
                    fmt_sig(point.x, 4)
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

/// `value` with `sig` significant digits, trailing zeros trimmed, thousands separated.
pub(crate) fn fmt_sig(value: f64, sig: i32) -> String {
    if !value.is_finite() {
        return "–".to_string();
    }
    if value == 0.0 {
        return "0".to_string();
    }
    let magnitude = value.abs().log10().floor() as i32;
    let decimals = (sig - 1 - magnitude).max(0) as usize;
    let text = format!("{value:.decimals$}");
    let text = if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        text
    };
    group_thousands(&text)
}

fn group_thousands(text: &str) -> String {
    let (sign, rest) = text.strip_prefix('-').map_or(("", text), |r| ("-", r));
    let (int, frac) = rest
        .split_once('.')
        .map_or((rest, None), |(i, f)| (i, Some(f)));
    if int.len() <= 4 {
        return text.to_string();
    }
    let mut grouped = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    match frac {
        Some(f) => format!("{sign}{grouped}.{f}"),
        None => format!("{sign}{grouped}"),
    }
}

/// Compact axis labels: `0.5`, `20`, `5000`, `12k`, `1.5M`.
pub(crate) fn fmt_axis(value: f64) -> String {
    let a = value.abs();
    if a >= 1e6 {
        format!("{}M", fmt_sig(value / 1e6, 3))
    } else if a >= 1e4 {
        format!("{}k", fmt_sig(value / 1e3, 3))
    } else {
        fmt_sig(value, 3).replace(',', "")
    }
}

/// Microseconds as a readable duration: `850 µs`, `12.3 ms`, `2.41 s`.
pub(crate) fn fmt_us(us: f64) -> String {
    if !us.is_finite() {
        "–".to_string()
    } else if us.abs() < 1_000.0 {
        format!("{} µs", fmt_sig(us, 3))
    } else if us.abs() < 1_000_000.0 {
        format!("{} ms", fmt_sig(us / 1e3, 3))
    } else {
        format!("{} s", fmt_sig(us / 1e6, 3))
    }
}

/// Seconds as a readable duration.
pub(crate) fn fmt_s(seconds: f64) -> String {
    fmt_us(seconds * 1e6)
}

/// A rate in requests per second.
pub(crate) fn fmt_rps(rps: f64) -> String {
    format!("{} req/s", fmt_sig(rps, 3))
}

/// A byte count with binary units.
pub(crate) fn fmt_bytes(bytes: f64) -> String {
    waitbench_core::units::format_bytes(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn significant_digits_are_trimmed_and_grouped() {
        assert_eq!(fmt_sig(12345.6, 3), "12,346");
        assert_eq!(fmt_sig(2.5, 3), "2.5");
        assert_eq!(fmt_sig(0.012345, 3), "0.0123");
        assert_eq!(fmt_sig(1000.0, 3), "1000");
        assert_eq!(fmt_sig(-98765.0, 2), "-98,765");
    }

    #[test]
    fn durations_pick_a_readable_unit() {
        assert_eq!(fmt_us(850.0), "850 µs");
        assert_eq!(fmt_us(12_340.0), "12.3 ms");
        assert_eq!(fmt_s(240.0), "240 s");
    }

    #[test]
    fn axis_labels_are_compact() {
        assert_eq!(fmt_axis(5000.0), "5000");
        assert_eq!(fmt_axis(20000.0), "20k");
        assert_eq!(fmt_axis(0.5), "0.5");
    }
}
