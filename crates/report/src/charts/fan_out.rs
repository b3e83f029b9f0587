//! Claim A: total time of a fan-out batch per series (median wall time, min–max
//! whiskers), beside the Little's-law prediction ceil(N/C)·L.

use std::path::Path;

use waitbench_core::ScenarioResult;

use super::axis::{Axis, Fit};
use super::draw::DrawError;
use super::legend::{LegendEntry, Swatch};
use super::look::{BarFill, bar_fill, series_looks};
use super::plot::{Bar, BarGroup, bar_figure};
use super::theme::REFERENCE;
use super::{ChartSpec, Context, Outcome, style_notes};
use crate::figures::{fmt_axis, fmt_s, labelled_points, predicted_time_s};

/// The chart.
pub(crate) const CHART: ChartSpec = ChartSpec {
    file: "fan-out.png",
    claim: waitbench_core::claim_ids::A,
    draw,
};

fn draw(ctx: &Context<'_>, scenario: &ScenarioResult, path: &Path) -> Result<Outcome, DrawError> {
    let looks = series_looks(&scenario.series);
    let points = labelled_points(scenario);
    let mut values = Vec::new();
    let groups: Vec<BarGroup> = points
        .iter()
        .map(|(i, series, point, label)| {
            let wall = point.trials.wall_time_s;
            let predicted = predicted_time_s(point);
            values.extend([wall.median, wall.min, wall.max]);
            values.extend(predicted);
            let mut bars = vec![Bar {
                value: Some(wall.median),
                range: Some((wall.min, wall.max)),
                color: looks[*i].color,
                fill: bar_fill(series),
                notes: vec![fmt_s(wall.median)],
            }];
            if let Some(p) = predicted {
                bars.push(Bar {
                    value: Some(p),
                    range: None,
                    color: looks[*i].color,
                    fill: BarFill::Outline,
                    notes: vec![format!("pred. {}", fmt_s(p))],
                });
            }
            BarGroup {
                label: label.clone(),
                bars,
            }
        })
        .collect();
    let y = Axis::fitted("total time for the batch (s)", values, fmt_axis, Fit::Bars);
    let legend = vec![
        LegendEntry {
            label: "measured: median wall time (whiskers: min–max across trials)".into(),
            swatch: Swatch::Bar(REFERENCE, BarFill::Solid),
        },
        LegendEntry {
            label: "predicted by Little's law: ceil(N / C) · L".into(),
            swatch: Swatch::Bar(REFERENCE, BarFill::Outline),
        },
    ];
    let mut notes = vec![scenario.title.clone(), ctx.run_note()];
    if y.is_log() {
        notes.push("The time axis is logarithmic: the values span more than 10×.".into());
    }
    notes.extend(style_notes(scenario, true));

    bar_figure(
        path,
        "Claim A · Fan-out: total time per strategy",
        &notes,
        &legend,
        &y,
        &groups,
    )
}
