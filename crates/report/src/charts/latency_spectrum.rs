//! Claim C: the latency percentile spectrum of each series at one concurrency, drawn
//! HdrHistogram style (x = percentile on a 1/(1−p) log scale). Under a fixed injected
//! delay the y axis is the latency above it, on a log scale (see `above_injected`):
//! the strategies differ by a few ms at 500 ms, which an axis from 0 hides.

use std::path::Path;

use waitbench_core::{Point, RunResult, ScenarioResult};

use super::above_injected;
use super::axis::Axis;
use super::draw::DrawError;
use super::figure::Figure;
use super::frame::build_chart;
use super::look::{Look, Marker, series_looks};
use super::plot::{Line, LinePoint, draw_lines};
use super::{ChartSpec, Context, Outcome, series_legend, style_notes};
use crate::figures::{fmt_axis, fmt_sig, fmt_us};

/// The chart.
pub(crate) const CHART: ChartSpec = ChartSpec {
    file: "latency-spectrum.png",
    claim: waitbench_core::claim_ids::C,
    draw,
};

/// Percentiles this close to 100 are left out: 1/(1−p) is unbounded there.
const HIGHEST_PERCENTILE: f64 = 99.9999;

fn draw(ctx: &Context<'_>, scenario: &ScenarioResult, path: &Path) -> Result<Outcome, DrawError> {
    let (chosen, shared_x) = chosen_points(scenario);
    let trials: Vec<Option<&RunResult>> = chosen
        .iter()
        .map(|p| p.and_then(|p| p.trials.median_trial()))
        .collect();
    let floor_us = above_injected::fixed_delay_us(trials.iter().flatten().copied());
    let looks: Vec<Look> = series_looks(&scenario.series)
        .into_iter()
        .map(|look| Look {
            marker: Marker::None,
            ..look
        })
        .collect();
    let lines: Vec<Line> = trials
        .iter()
        .zip(&looks)
        .map(|(trial, look)| Line {
            look: *look,
            points: trial
                .map(|t| spectrum_ms(t, floor_us.unwrap_or(0.0)))
                .unwrap_or_default(),
        })
        .collect();
    if lines.iter().all(|l| l.points.is_empty()) {
        return Ok(Outcome::Skipped(
            "no latency spectrum in the results".into(),
        ));
    }
    let highest = lines
        .iter()
        .flat_map(|l| &l.points)
        .map(|p| p.x)
        .fold(0.0, f64::max);
    let x = Axis::nines("percentile — 1/(1−p) scale", highest);
    let ys: Vec<f64> = lines.iter().flat_map(|l| &l.points).map(|p| p.y).collect();
    let (lo, hi) = ys.iter().fold((f64::INFINITY, 0.0f64), |(lo, hi), y| {
        (lo.min(*y), hi.max(*y))
    });
    let y = match floor_us {
        Some(l) => Axis::log(&above_injected::axis_desc("latency", l), lo, hi, fmt_axis),
        None => Axis::log("latency (ms) — log scale", lo, hi, fmt_axis),
    };
    let legend = series_legend(scenario, &looks);

    let at = match shared_x {
        Some(x) => format!(
            "At {} = {} (the largest value every series measured)",
            scenario.x_label,
            fmt_sig(x, 4)
        ),
        None => "At each series' last point".to_string(),
    };
    let mut notes = vec![
        scenario.title.clone(),
        format!(
            "{at}; each series' median-throughput trial, latency from send to end of body; a \
             line ends at the slowest request it recorded."
        ),
    ];
    if let Some(l) = floor_us {
        let step = smallest_step(&ys).map_or(String::new(), |step| {
            format!(
                " Steps of {} are the histogram's resolution near {} (3 significant digits).",
                fmt_us(step * 1e3),
                fmt_us(l)
            )
        });
        notes.push(above_injected::note(l) + &step);
    }
    notes.push(ctx.run_note());
    notes.extend(style_notes(scenario, false));

    let figure = Figure::new(path)?;
    let area = figure.layout("Claim C · Latency by percentile", &notes, &legend)?;
    let mut chart = build_chart(&area, None, &x, &y, 64)?;
    draw_lines(figure.root(), &mut chart, &x, &y, &lines)?;
    drop(chart);
    figure.finish()?;
    Ok(Outcome::Drawn)
}

/// A trial's latency spectrum in ms above `floor_us`, leaving out what a log axis cannot
/// show (values at or below the floor) and percentiles too close to 100.
fn spectrum_ms(trial: &RunResult, floor_us: f64) -> Vec<LinePoint> {
    trial
        .latency
        .spectrum
        .iter()
        .filter(|(p, v)| *p <= HIGHEST_PERCENTILE && v.is_finite())
        .map(|&(p, v)| LinePoint {
            x: p,
            y: (v - floor_us) / 1e3,
            range: None,
        })
        .filter(|p| p.y > 0.0)
        .collect()
}

/// The smallest positive gap between two of `values`.
fn smallest_step(values: &[f64]) -> Option<f64> {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    sorted
        .windows(2)
        .map(|w| w[1] - w[0])
        .filter(|gap| *gap > 1e-9)
        .min_by(f64::total_cmp)
}

/// Each series' point at the largest x every series has, or its last point when they
/// share none; with that shared x.
fn chosen_points(scenario: &ScenarioResult) -> (Vec<Option<&Point>>, Option<f64>) {
    let shared = scenario
        .series
        .first()
        .into_iter()
        .flat_map(|s| s.points.iter().map(|p| p.x))
        .filter(|x| {
            scenario
                .series
                .iter()
                .all(|s| s.points.iter().any(|p| p.x == *x))
        })
        .fold(None, |best: Option<f64>, x| {
            Some(best.map_or(x, |b| b.max(x)))
        });
    let points = scenario
        .series
        .iter()
        .map(|s| match shared {
            Some(x) => s.points.iter().find(|p| p.x == x),
            None => s.points.last(),
        })
        .collect();
    (points, shared)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn smallest_step_is_the_finest_gap_between_distinct_values() {
        let step = smallest_step(&[0.735, 0.223, 0.479, 0.479, 1.247]).expect("a gap");
        assert!((step - 0.256).abs() < 1e-12, "{step}");
        assert_eq!(smallest_step(&[1.0, 1.0]), None);
    }
}
