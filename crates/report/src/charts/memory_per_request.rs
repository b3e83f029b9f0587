//! Claim E: resident and virtual memory per in-flight request against concurrency per
//! series (log x), side by side.

use std::path::Path;

use waitbench_core::ScenarioResult;

use super::axis::{Axis, Fit};
use super::draw::DrawError;
use super::figure::Figure;
use super::frame::build_chart;
use super::look::series_looks;
use super::plot::draw_lines;
use super::{
    ChartSpec, Context, Outcome, line_values, line_xs, series_legend, series_lines, variant_note,
};
use crate::figures::{fmt_axis, spread};

/// The chart.
pub(crate) const CHART: ChartSpec = ChartSpec {
    file: "memory-per-request.png",
    claim: "E",
    draw,
};

fn draw(ctx: &Context<'_>, scenario: &ScenarioResult, path: &Path) -> Result<Outcome, DrawError> {
    let looks = series_looks(&scenario.series);
    let rss = series_lines(scenario, &looks, |p| {
        spread(p, |t| Some(t.client.rss_per_in_flight_bytes / 1024.0))
    });
    let vm = series_lines(scenario, &looks, |p| {
        spread(p, |t| Some(t.client.vm_per_in_flight_bytes / 1024.0))
    });
    if rss.iter().all(|l| l.points.is_empty()) {
        return Ok(Outcome::Skipped("no point with a positive x".into()));
    }
    let legend = series_legend(scenario, &looks);
    let x_desc = format!("{} — log scale", scenario.x_label);
    let x = Axis::log_at(&x_desc, &line_xs(&rss), fmt_axis);
    let y_rss = Axis::fitted(
        "RSS per in-flight request (KiB)",
        line_values(&rss),
        fmt_axis,
        Fit::Points,
    );
    let y_vm = Axis::fitted(
        "virtual memory per in-flight request (KiB)",
        line_values(&vm),
        fmt_axis,
        Fit::Points,
    );

    let mut notes = vec![
        scenario.title.clone(),
        "(steady − baseline) / concurrency; median across trials, whiskers min–max.".to_string(),
        ctx.run_note(),
    ];
    notes.extend(variant_note(scenario, false));

    let figure = Figure::new(path)?;
    let area = figure.layout("Claim E · Memory per in-flight request", &notes, &legend)?;
    let panels = area.split_evenly((1, 2));
    let mut left = build_chart(&panels[0], Some("Resident (RSS)"), &x, &y_rss, 64)?;
    draw_lines(figure.root(), &mut left, &x, &y_rss, &rss)?;
    let mut right = build_chart(&panels[1], Some("Virtual (VM)"), &x, &y_vm, 64)?;
    draw_lines(figure.root(), &mut right, &x, &y_vm, &vm)?;
    drop((left, right));
    figure.finish()?;
    Ok(Outcome::Drawn)
}
