//! Claim C: p99 latency against concurrency per series (log x), with min–max whiskers
//! across trials. Under a fixed injected delay L the y axis is the p99 above L, on a log
//! scale (see `above_injected`): on an axis from 0 every series lies on L until one
//! collapses, and the few ms between them cannot be seen. Otherwise it is the p99 as
//! measured, with L for reference.

use std::path::Path;

use waitbench_core::ScenarioResult;

use super::above_injected;
use super::axis::{Axis, Fit};
use super::draw::DrawError;
use super::figure::Figure;
use super::frame::build_chart;
use super::legend::{LegendEntry, Swatch};
use super::look::{Look, Marker, Stroke, series_looks};
use super::plot::{draw_hline, draw_lines};
use super::theme::REFERENCE;
use super::{
    ChartSpec, Context, Outcome, coincidence_note, line_values, line_xs, series_legend,
    series_lines, style_notes,
};
use crate::figures::{common_injected_latency_us, fmt_axis, fmt_us, spread};

/// The chart.
pub(crate) const CHART: ChartSpec = ChartSpec {
    file: "p99-vs-concurrency.png",
    claim: waitbench_core::claim_ids::C,
    draw,
};

fn draw(ctx: &Context<'_>, scenario: &ScenarioResult, path: &Path) -> Result<Outcome, DrawError> {
    let looks = series_looks(&scenario.series);
    let floor_us = above_injected::fixed_delay_us(
        scenario
            .series
            .iter()
            .flat_map(|s| &s.points)
            .flat_map(|p| &p.trials.trials),
    );
    let lines = series_lines(scenario, &looks, |p| {
        spread(p, |t| {
            (t.latency.count > 0).then(|| (t.latency.p99_us - floor_us.unwrap_or(0.0)) / 1e3)
        })
    });
    if lines.iter().all(|l| l.points.is_empty()) {
        return Ok(Outcome::Skipped("no point with a positive x".into()));
    }
    let mut legend = series_legend(scenario, &looks);
    let x = Axis::log_at(
        &format!("{} — log scale", scenario.x_label),
        &line_xs(&lines),
        fmt_axis,
    );
    let mut notes = vec![
        scenario.title.clone(),
        "Points: median of the trials' p99; whiskers: min–max across trials.".to_string(),
    ];

    // Under a fixed delay the reference is the axis itself (0 above L cannot be drawn
    // on a log scale); otherwise the injected mean is drawn as a line.
    let reference = Look {
        color: REFERENCE,
        stroke: Stroke::Dashed,
        marker: Marker::None,
    };
    let mut injected_ms = None;
    let y = if let Some(l) = floor_us {
        notes.push(above_injected::note(l));
        let values: Vec<f64> = line_values(&lines)
            .into_iter()
            .filter(|v| *v > 0.0)
            .collect();
        let (lo, hi) = values.iter().fold((f64::INFINITY, 0.0f64), |(lo, hi), v| {
            (lo.min(*v), hi.max(*v))
        });
        Axis::log(&above_injected::axis_desc("p99", l), lo, hi, fmt_axis)
    } else {
        injected_ms = common_injected_latency_us(scenario).map(|us| us / 1e3);
        if let Some(l_ms) = injected_ms {
            legend.push(LegendEntry {
                label: format!("injected latency L = {}", fmt_us(l_ms * 1e3)),
                swatch: Swatch::Line(reference),
            });
        }
        let mut values = line_values(&lines);
        values.extend(injected_ms);
        Axis::fitted("p99 latency (ms)", values, fmt_axis, Fit::Points)
    };
    notes.extend(coincidence_note(&lines, &y));
    notes.push(ctx.run_note());
    notes.extend(style_notes(scenario, false));

    let figure = Figure::new(path)?;
    let area = figure.layout("Claim C · p99 latency vs concurrency", &notes, &legend)?;
    let mut chart = build_chart(&area, None, &x, &y, 64)?;
    if let Some(l_ms) = injected_ms {
        draw_hline(figure.root(), &chart, &x, &y, l_ms, reference.color)?;
    }
    draw_lines(figure.root(), &mut chart, &x, &y, &lines)?;
    drop(chart);
    figure.finish()?;
    Ok(Outcome::Drawn)
}
