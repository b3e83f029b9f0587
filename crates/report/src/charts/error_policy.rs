//! Claim G: what happens to a batch after the first error, per series: requests sent,
//! requests cancelled, and requests issued after the first failure. The Python series
//! (gather, gather(return_exceptions=True), TaskGroup) are striped, apart from Rust's.

use std::path::Path;

use waitbench_core::{ErrorKind, ScenarioResult};

use super::axis::{Axis, Fit};
use super::draw::DrawError;
use super::legend::metric_legend;
use super::look::bar_fill;
use super::plot::{Bar, BarGroup, bar_figure};
use super::theme::PALETTE;
use super::{ChartSpec, Context, Outcome, style_notes};
use crate::figures::{fmt_axis, fmt_sig, labelled_points, spread};

/// The chart.
pub(crate) const CHART: ChartSpec = ChartSpec {
    file: "error-policy.png",
    claim: waitbench_core::claim_ids::G,
    draw,
};

type Metric = (&'static str, fn(&waitbench_core::RunResult) -> Option<f64>);

const METRICS: [Metric; 3] = [
    ("requests sent", |t| Some(t.counts.sent as f64)),
    ("cancelled (dropped in flight)", |t| {
        Some(
            t.counts
                .by_error
                .get(&ErrorKind::Cancelled)
                .copied()
                .unwrap_or(0) as f64,
        )
    }),
    ("issued after the first failure", |t| {
        t.counts.issued_after_first_failure.map(|n| n as f64)
    }),
];
const COLORS: [usize; 3] = [0, 3, 1];

fn draw(ctx: &Context<'_>, scenario: &ScenarioResult, path: &Path) -> Result<Outcome, DrawError> {
    let points = labelled_points(scenario);
    let mut values = Vec::new();
    let groups: Vec<BarGroup> = points
        .iter()
        .map(|(_, series, point, label)| BarGroup {
            label: label.clone(),
            bars: METRICS
                .iter()
                .zip(COLORS)
                .map(|((_, metric), color)| {
                    let s = spread(point, metric);
                    if let Some(s) = s {
                        values.extend([s.min, s.max]);
                    }
                    Bar {
                        value: s.map(|s| s.median),
                        range: s.map(|s| (s.min, s.max)),
                        color: PALETTE[color],
                        fill: bar_fill(series),
                        notes: vec![s.map_or("–".into(), |s| fmt_sig(s.median, 4))],
                    }
                })
                .collect(),
        })
        .collect();
    let y = Axis::fitted(
        "requests (median across trials)",
        values,
        fmt_axis,
        Fit::Bars,
    );
    let legend = metric_legend(METRICS.iter().map(|(name, _)| *name), &COLORS);
    // The dash is explained only where one is drawn.
    let dash = groups
        .iter()
        .flat_map(|g| &g.bars)
        .any(|b| b.value.is_none());
    let mut notes = vec![
        scenario.title.clone(),
        format!(
            "With injected errors: every request ends as ok, HTTP error or typed error{}. \
             Whiskers: min–max across trials.",
            if dash {
                "; \"–\" means nothing failed"
            } else {
                ""
            }
        ),
        ctx.run_note(),
    ];
    notes.extend(style_notes(scenario, true));

    bar_figure(
        path,
        "Claim G · Error policy: what the first error stops",
        &notes,
        &legend,
        &y,
        &groups,
    )
}
