//! Claim C: median throughput against concurrency per series (log x), with min–max
//! whiskers across trials and the Little's-law bound X = C/L.

use std::path::Path;

use waitbench_core::ScenarioResult;

use super::axis::{Axis, Fit};
use super::draw::DrawError;
use super::figure::Figure;
use super::frame::build_chart;
use super::legend::{LegendEntry, Swatch};
use super::look::{Look, Marker, Stroke, series_looks};
use super::plot::{Line, LinePoint, draw_lines};
use super::theme::REFERENCE;
use super::{
    ChartSpec, Context, Outcome, line_values, line_xs, series_legend, series_lines, variant_note,
};
use crate::figures::{bound_rps, fmt_axis};

/// The chart.
pub(crate) const CHART: ChartSpec = ChartSpec {
    file: "throughput-vs-concurrency.png",
    claim: "C",
    draw,
};

fn draw(ctx: &Context<'_>, scenario: &ScenarioResult, path: &Path) -> Result<Outcome, DrawError> {
    let looks = series_looks(&scenario.series);
    let lines = series_lines(scenario, &looks, |p| Some(p.trials.throughput_rps));
    if lines.iter().all(|l| l.points.is_empty()) {
        return Ok(Outcome::Skipped("no point with a positive x".into()));
    }
    let mut legend = series_legend(scenario, &looks);

    let per_series: Vec<Vec<LinePoint>> = scenario
        .series
        .iter()
        .map(|s| {
            s.points
                .iter()
                .filter(|p| p.x > 0.0)
                .filter_map(|p| {
                    Some(LinePoint {
                        x: p.x,
                        y: bound_rps(p)?,
                        range: None,
                    })
                })
                .collect()
        })
        .collect();
    let mut bounds: Vec<Line> = Vec::new();
    if let Some(shared) = shared_bound(&per_series) {
        let look = Look {
            color: REFERENCE,
            stroke: Stroke::Dashed,
            marker: Marker::None,
        };
        bounds.push(Line {
            look,
            points: shared,
        });
        legend.push(LegendEntry {
            label: "Little's-law bound X = C/L".into(),
            swatch: Swatch::Line(look),
        });
    } else {
        for ((series, points), look) in scenario.series.iter().zip(per_series).zip(&looks) {
            if points.is_empty() {
                continue;
            }
            let look = Look {
                color: look.color,
                stroke: Stroke::Dotted,
                marker: Marker::None,
            };
            bounds.push(Line { look, points });
            legend.push(LegendEntry {
                label: format!("C/L bound: {}", series.label),
                swatch: Swatch::Line(look),
            });
        }
    }

    let x = Axis::log_at(
        &format!("{} — log scale", scenario.x_label),
        &line_xs(&lines),
        fmt_axis,
    );
    let mut values = line_values(&lines);
    values.extend(line_values(&bounds));
    let y = Axis::fitted("throughput (req/s)", values, fmt_axis, Fit::Points);

    let mut notes = vec![
        scenario.title.clone(),
        "Points: median throughput; whiskers: min–max across trials.".to_string(),
        ctx.run_note(),
    ];
    notes.extend(variant_note(scenario, false));

    let figure = Figure::new(path)?;
    let area = figure.layout("Claim C · Throughput vs concurrency", &notes, &legend)?;
    let mut chart = build_chart(&area, None, &x, &y, 64)?;
    draw_lines(figure.root(), &mut chart, &x, &y, &bounds)?;
    draw_lines(figure.root(), &mut chart, &x, &y, &lines)?;
    drop(chart);
    figure.finish()?;
    Ok(Outcome::Drawn)
}

/// The bound as one line when every series has the same bound at each x (within 1 %).
fn shared_bound(per_series: &[Vec<LinePoint>]) -> Option<Vec<LinePoint>> {
    let mut merged: Vec<LinePoint> = Vec::new();
    for p in per_series.iter().flatten() {
        match merged.iter().find(|m| m.x == p.x) {
            Some(m) if (m.y - p.y).abs() > 0.01 * m.y.abs() => return None,
            Some(_) => {}
            None => merged.push(*p),
        }
    }
    merged.sort_by(|a, b| a.x.total_cmp(&b.x));
    (!merged.is_empty()).then_some(merged)
}
