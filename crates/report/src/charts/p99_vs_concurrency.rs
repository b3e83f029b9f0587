//! Claim C: p99 latency against concurrency per series (log x), with min–max whiskers
//! across trials and the injected latency L for reference.

use std::path::Path;

use waitbench_core::{ScenarioResult, Spread};

use super::axis::{Axis, Fit};
use super::draw::DrawError;
use super::figure::Figure;
use super::frame::build_chart;
use super::legend::{LegendEntry, Swatch};
use super::look::{Look, Marker, Stroke, series_looks};
use super::plot::{draw_hline, draw_lines};
use super::theme::REFERENCE;
use super::{
    ChartSpec, Context, Outcome, line_values, line_xs, series_legend, series_lines, variant_note,
};
use crate::figures::{common_injected_latency_us, fmt_axis, fmt_us};

/// The chart.
pub(crate) const CHART: ChartSpec = ChartSpec {
    file: "p99-vs-concurrency.png",
    claim: "C",
    draw,
};

fn draw(ctx: &Context<'_>, scenario: &ScenarioResult, path: &Path) -> Result<Outcome, DrawError> {
    let looks = series_looks(&scenario.series);
    let lines = series_lines(scenario, &looks, |p| {
        let s = p.trials.p99_us;
        (!p.trials.trials.is_empty()).then(|| Spread {
            median: s.median / 1e3,
            min: s.min / 1e3,
            max: s.max / 1e3,
        })
    });
    if lines.iter().all(|l| l.points.is_empty()) {
        return Ok(Outcome::Skipped("no point with a positive x".into()));
    }
    let mut legend = series_legend(scenario, &looks);
    let injected_ms = common_injected_latency_us(scenario).map(|us| us / 1e3);
    let reference = Look {
        color: REFERENCE,
        stroke: Stroke::Dashed,
        marker: Marker::None,
    };
    if let Some(l_ms) = injected_ms {
        legend.push(LegendEntry {
            label: format!("injected latency L = {}", fmt_us(l_ms * 1e3)),
            swatch: Swatch::Line(reference),
        });
    }

    let x = Axis::log_at(
        &format!("{} — log scale", scenario.x_label),
        &line_xs(&lines),
        fmt_axis,
    );
    let mut values = line_values(&lines);
    values.extend(injected_ms);
    let y = Axis::fitted("p99 latency (ms)", values, fmt_axis, Fit::Points);

    let mut notes = vec![
        scenario.title.clone(),
        "Points: median of the trials' p99; whiskers: min–max across trials.".to_string(),
        ctx.run_note(),
    ];
    notes.extend(variant_note(scenario, false));

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
