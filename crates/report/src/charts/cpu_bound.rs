//! Claim F1: throughput of a CPU-bound response-handling step per series, the Python
//! clients' bars striped apart from the Rust ones.

use std::path::Path;

use waitbench_core::ScenarioResult;

use super::axis::{Axis, Fit};
use super::draw::DrawError;
use super::look::{bar_fill, series_looks};
use super::plot::{Bar, BarGroup, bar_figure};
use super::{ChartSpec, Context, Outcome, style_notes};
use crate::figures::{fmt_axis, fmt_sig, labelled_points};

/// The chart.
pub(crate) const CHART: ChartSpec = ChartSpec {
    file: "cpu-bound.png",
    claim: waitbench_core::claim_ids::F1,
    draw,
};

fn draw(ctx: &Context<'_>, scenario: &ScenarioResult, path: &Path) -> Result<Outcome, DrawError> {
    let looks = series_looks(&scenario.series);
    let points = labelled_points(scenario);
    let mut values = Vec::new();
    let groups: Vec<BarGroup> = points
        .iter()
        .map(|(i, series, point, label)| {
            let t = point.trials.throughput_rps;
            values.extend([t.min, t.max]);
            BarGroup {
                label: label.clone(),
                bars: vec![Bar {
                    value: Some(t.median),
                    range: Some((t.min, t.max)),
                    color: looks[*i].color,
                    fill: bar_fill(series),
                    notes: vec![format!("{} req/s", fmt_sig(t.median, 3))],
                }],
            }
        })
        .collect();
    let y = Axis::fitted("throughput (req/s)", values, fmt_axis, Fit::Bars);
    let mut notes = vec![
        scenario.title.clone(),
        "Median throughput across trials; whiskers: min–max.".to_string(),
        ctx.run_note(),
    ];
    notes.extend(style_notes(scenario, true));

    bar_figure(
        path,
        "Claim F1 · CPU-bound work: throughput",
        &notes,
        &[],
        &y,
        &groups,
    )
}
