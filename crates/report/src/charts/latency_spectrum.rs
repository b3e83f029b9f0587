//! Claim C: the latency percentile spectrum of each series at one concurrency, drawn
//! HdrHistogram style (x = percentile on a 1/(1−p) log scale).

use std::path::Path;

use waitbench_core::{Point, ScenarioResult};

use super::axis::{Axis, Fit};
use super::draw::DrawError;
use super::figure::Figure;
use super::frame::build_chart;
use super::look::{Look, Marker, series_looks};
use super::plot::{Line, LinePoint, draw_lines};
use super::{ChartSpec, Context, Outcome, series_legend, variant_note};
use crate::figures::{fmt_axis, fmt_sig};

/// The chart.
pub(crate) const CHART: ChartSpec = ChartSpec {
    file: "latency-spectrum.png",
    claim: "C",
    draw,
};

/// Percentiles this close to 100 are left out: 1/(1−p) is unbounded there.
const HIGHEST_PERCENTILE: f64 = 99.9999;

fn draw(ctx: &Context<'_>, scenario: &ScenarioResult, path: &Path) -> Result<Outcome, DrawError> {
    let (chosen, shared_x) = chosen_points(scenario);
    let looks: Vec<Look> = series_looks(&scenario.series)
        .into_iter()
        .map(|look| Look {
            marker: Marker::None,
            ..look
        })
        .collect();
    let lines: Vec<Line> = chosen
        .iter()
        .zip(&looks)
        .map(|(point, look)| Line {
            look: *look,
            points: point
                .and_then(|p| p.trials.median_trial())
                .map(|t| {
                    t.latency
                        .spectrum
                        .iter()
                        .filter(|(p, v)| *p <= HIGHEST_PERCENTILE && v.is_finite())
                        .map(|&(p, v)| LinePoint {
                            x: p,
                            y: v / 1e3,
                            range: None,
                        })
                        .collect()
                })
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
    let y = Axis::fitted(
        "latency (ms)",
        lines.iter().flat_map(|l| &l.points).map(|p| p.y),
        fmt_axis,
        Fit::Points,
    );
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
        format!("{at}; each series' median-throughput trial, latency from send to end of body."),
        ctx.run_note(),
    ];
    notes.extend(variant_note(scenario, false));

    let figure = Figure::new(path)?;
    let area = figure.layout("Claim C · Latency by percentile", &notes, &legend)?;
    let mut chart = build_chart(&area, None, &x, &y, 64)?;
    draw_lines(figure.root(), &mut chart, &x, &y, &lines)?;
    drop(chart);
    figure.finish()?;
    Ok(Outcome::Drawn)
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
