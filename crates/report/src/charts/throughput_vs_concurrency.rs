//! Claim C: median throughput against concurrency per series (log x), with min–max
//! whiskers across trials and the Little's-law bound X = C/L; beside it, the same
//! throughput as a share of that bound. On log–log axes every series that keeps up lies
//! on the bound and on each other; the share shows, at each C, which one falls behind
//! and by how much.

use std::path::Path;

use waitbench_core::{ScenarioResult, Spread};

use super::axis::{Axis, Fit};
use super::draw::DrawError;
use super::figure::Figure;
use super::frame::build_chart;
use super::legend::{LegendEntry, Swatch};
use super::look::{Look, Marker, Stroke, series_looks};
use super::plot::{Line, LinePoint, draw_lines};
use super::theme::REFERENCE;
use super::{
    ChartSpec, Context, Outcome, coincidence_note, line_values, line_xs, series_legend,
    series_lines, style_notes,
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

    let shares = series_lines(scenario, &looks, |p| {
        p.trials.efficiency.map(|e| Spread {
            median: e.median * 100.0,
            min: e.min * 100.0,
            max: e.max * 100.0,
        })
    });
    let has_shares = shares.iter().any(|l| !l.points.is_empty());
    let top = line_values(&shares).into_iter().fold(100.0, f64::max);
    let y_share = Axis::linear("share of the C/L bound (%)", 0.0, top, fmt_axis);

    let mut notes = vec![
        scenario.title.clone(),
        "Points: median throughput; whiskers: min–max across trials.".to_string(),
    ];
    if has_shares {
        notes.push(
            "Right: throughput ÷ C/L. Series that lie on the bound at left separate here."
                .to_string(),
        );
        notes.extend(coincidence_note(&shares, &y_share));
    }
    notes.push(ctx.run_note());
    notes.extend(style_notes(scenario, false));

    let figure = Figure::new(path)?;
    let area = figure.layout("Claim C · Throughput vs concurrency", &notes, &legend)?;
    if has_shares {
        let panels = area.split_evenly((1, 2));
        let mut left = build_chart(&panels[0], Some("Throughput (log scale)"), &x, &y, 64)?;
        draw_lines(figure.root(), &mut left, &x, &y, &bounds)?;
        draw_lines(figure.root(), &mut left, &x, &y, &lines)?;
        let caption = "Throughput as a share of C/L";
        let mut right = build_chart(&panels[1], Some(caption), &x, &y_share, 64)?;
        draw_lines(figure.root(), &mut right, &x, &y_share, &shares)?;
        drop((left, right));
    } else {
        let mut chart = build_chart(&area, None, &x, &y, 64)?;
        draw_lines(figure.root(), &mut chart, &x, &y, &bounds)?;
        draw_lines(figure.root(), &mut chart, &x, &y, &lines)?;
        drop(chart);
    }
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
