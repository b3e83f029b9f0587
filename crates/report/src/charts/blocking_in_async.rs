//! Claim F2: a blocking call inside async code. Left: p99 lateness of a 1 ms ticker task
//! (`extras["ticker_lateness_p99_us"]`); right: throughput; per series.

use std::path::Path;

use waitbench_core::ScenarioResult;

use super::axis::{Axis, Fit};
use super::draw::DrawError;
use super::figure::Figure;
use super::look::{bar_fill, series_looks};
use super::plot::{Bar, BarGroup, draw_bars};
use super::{ChartSpec, Context, Outcome, style_notes};
use crate::figures::{fmt_axis, fmt_sig, fmt_us, labelled_points, spread};

/// The chart.
pub(crate) const CHART: ChartSpec = ChartSpec {
    file: "blocking-in-async.png",
    claim: waitbench_core::claim_ids::F2,
    draw,
};

/// The extras key strategies write the ticker's p99 lateness under, in microseconds.
pub(crate) use waitbench_core::extras::TICKER_LATENESS_P99_US as TICKER_P99_KEY;

fn draw(ctx: &Context<'_>, scenario: &ScenarioResult, path: &Path) -> Result<Outcome, DrawError> {
    let looks = series_looks(&scenario.series);
    let points = labelled_points(scenario);
    let (mut lateness_values, mut throughput_values) = (Vec::new(), Vec::new());
    let mut lateness = Vec::new();
    let mut throughput = Vec::new();
    for (i, series, point, label) in &points {
        let late = spread(point, |t| t.extras.get(TICKER_P99_KEY).map(|us| us / 1e3));
        if let Some(s) = late {
            lateness_values.extend([s.min, s.max]);
        }
        lateness.push(BarGroup {
            label: label.clone(),
            bars: vec![Bar::measured(
                late,
                looks[*i].color,
                bar_fill(series),
                |ms| fmt_us(ms * 1e3),
                "n/a",
            )],
        });
        let t = point.trials.throughput_rps;
        throughput_values.extend([t.min, t.max]);
        throughput.push(BarGroup {
            label: label.clone(),
            bars: vec![Bar {
                value: Some(t.median),
                range: Some((t.min, t.max)),
                color: looks[*i].color,
                fill: bar_fill(series),
                notes: vec![fmt_sig(t.median, 3)],
            }],
        });
    }
    let y_late = Axis::fitted(
        "ticker lateness p99 (ms)",
        lateness_values,
        fmt_axis,
        Fit::Bars,
    );
    let y_rps = Axis::fitted("throughput (req/s)", throughput_values, fmt_axis, Fit::Bars);
    let mut notes = vec![
        scenario.title.clone(),
        "A 1 ms ticker task runs beside the requests; its lateness shows a stalled \
             runtime. Medians across trials, whiskers min–max."
            .to_string(),
        ctx.run_note(),
    ];
    notes.extend(style_notes(scenario, true));

    let figure = Figure::new(path)?;
    let area = figure.layout("Claim F2 · Blocking inside async", &notes, &[])?;
    let panels = area.split_evenly((1, 2));
    let left_caption = if y_late.is_log() {
        "Ticker lateness p99 (log scale)"
    } else {
        "Ticker lateness p99"
    };
    draw_bars(
        figure.root(),
        &panels[0],
        Some(left_caption),
        &y_late,
        &lateness,
    )?;
    let right_caption = if y_rps.is_log() {
        "Throughput (log scale)"
    } else {
        "Throughput"
    };
    draw_bars(
        figure.root(),
        &panels[1],
        Some(right_caption),
        &y_rps,
        &throughput,
    )?;
    figure.finish()?;
    Ok(Outcome::Drawn)
}
