//! Claim C: median throughput against concurrency per series (log x), with min–max
//! whiskers across trials and the Little's-law bound X = C/L, one line per latency the
//! series ran at; beside it, the same throughput as a share of that bound. On log–log
//! axes every series that keeps up lies on its bound; the share shows, at each C, which
//! one falls behind and by how much.

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
use crate::figures::{bound_rps, fmt_axis, fmt_s};

/// The chart.
pub(crate) const CHART: ChartSpec = ChartSpec {
    file: "throughput-vs-concurrency.png",
    claim: waitbench_core::claim_ids::C,
    draw,
};

pub(super) fn draw(
    ctx: &Context<'_>,
    scenario: &ScenarioResult,
    path: &Path,
) -> Result<Outcome, DrawError> {
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
    // One bound line per latency: series at the same L share C/L, and a scenario that
    // runs some series at another L (the Python ones) gets a second line, not one per series.
    let groups = bound_groups(&per_series);
    let several = groups.len() > 1;
    let mut bounds: Vec<Line> = Vec::new();
    for (i, points) in groups.into_iter().enumerate() {
        let look = Look {
            color: REFERENCE,
            stroke: if i == 0 {
                Stroke::Dashed
            } else {
                Stroke::Dotted
            },
            marker: Marker::None,
        };
        let label = match points.first() {
            // x ÷ (C/L) = L, the same at every point of the group.
            Some(p) if several => format!("Little's-law bound X = C/L at L = {}", fmt_s(p.x / p.y)),
            _ => "Little's-law bound X = C/L".to_string(),
        };
        bounds.push(Line { look, points });
        legend.push(LegendEntry {
            label,
            swatch: Swatch::Line(look),
        });
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
    let heading = format!("Claim {} · Throughput vs concurrency", scenario.claim);
    let area = figure.layout(&heading, &notes, &legend)?;
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

/// The series' bounds merged into one line per latency: a bound is C/L, so x ÷ y is its
/// L, and series whose L agree (within 1 %) share a line.
fn bound_groups(per_series: &[Vec<LinePoint>]) -> Vec<Vec<LinePoint>> {
    let latency = |points: &[LinePoint]| points.first().map(|p| p.x / p.y);
    let mut groups: Vec<Vec<LinePoint>> = Vec::new();
    for points in per_series.iter().filter(|p| !p.is_empty()) {
        let same = |g: &&mut Vec<LinePoint>| matches!((latency(g), latency(points)), (Some(a), Some(b)) if (a - b).abs() <= 0.01 * a.abs());
        match groups.iter_mut().find(same) {
            Some(group) => {
                for p in points {
                    if !group.iter().any(|q| q.x == p.x) {
                        group.push(*p);
                    }
                }
                group.sort_by(|a, b| a.x.total_cmp(&b.x));
            }
            None => groups.push(points.clone()),
        }
    }
    groups
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bound(latency_s: f64, xs: &[f64]) -> Vec<LinePoint> {
        xs.iter()
            .map(|&x| LinePoint {
                x,
                y: x / latency_s,
                range: None,
            })
            .collect()
    }

    #[test]
    fn series_at_one_latency_share_a_bound_and_another_latency_gets_its_own() {
        let groups = bound_groups(&[
            bound(0.1, &[1.0, 10.0]),
            bound(0.1, &[10.0, 100.0]),
            Vec::new(),
            bound(1.0, &[10.0, 300.0]),
            bound(1.0, &[300.0]),
        ]);
        let xs: Vec<Vec<f64>> = groups
            .iter()
            .map(|g| g.iter().map(|p| p.x).collect())
            .collect();
        assert_eq!(xs, vec![vec![1.0, 10.0, 100.0], vec![10.0, 300.0]]);
        assert_eq!(groups[1][1].y, 300.0);
    }
}
