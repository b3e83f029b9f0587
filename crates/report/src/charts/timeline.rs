//! A run second by second: throughput and p99 per second over the run, one line per
//! series (its median-throughput trial), drawn for the coordinated-omission scenario,
//! whose server pauses. A whole-run percentile says a pause happened somewhere; this
//! chart shows when, and shows the warm-up before the measured window (left of the dashed
//! line) that every other chart leaves out. The last second of a run is partial, so its
//! count is left out of the throughput panel.

use std::path::Path;

use waitbench_core::{LoadModel, ScenarioResult, TimelineSecond};

use super::axis::{Axis, Fit};
use super::draw::{DrawError, draw_pixel_line};
use super::figure::Figure;
use super::frame::build_chart;
use super::legend::{LegendEntry, Swatch};
use super::look::{Look, Marker, Stroke, series_looks};
use super::plot::{Line, LinePoint, draw_lines};
use super::theme::REFERENCE;
use super::{ChartSpec, Context, Outcome, coincidence_note, series_legend};
use crate::figures::fmt_axis;

/// The chart.
pub(crate) const CHART: ChartSpec = ChartSpec {
    file: "timeline.png",
    claim: waitbench_core::claim_ids::CO,
    draw,
};

/// Each series' median trial: its seconds and its warm-up, in seconds.
fn timelines(scenario: &ScenarioResult) -> Vec<(&[TimelineSecond], f64)> {
    scenario
        .series
        .iter()
        .map(|series| {
            let trial = series.points.first().and_then(|p| p.trials.median_trial());
            trial.map_or((&[][..], 0.0), |t| {
                let warmup = match t.workload.load {
                    LoadModel::ClosedLoop { warmup, .. } | LoadModel::OpenLoop { warmup, .. } => {
                        warmup.as_secs_f64()
                    }
                    LoadModel::Batch { .. } => 0.0,
                };
                (t.timeline.as_slice(), warmup)
            })
        })
        .collect()
}

/// A line of `figure` per second, each point at the middle of its second.
fn lines(
    timelines: &[(&[TimelineSecond], f64)],
    looks: &[Look],
    figure: impl Fn(&TimelineSecond, bool) -> Option<f64>,
) -> Vec<Line> {
    timelines
        .iter()
        .zip(looks)
        .map(|((seconds, _), look)| Line {
            look: *look,
            points: seconds
                .iter()
                .enumerate()
                .filter_map(|(i, s)| {
                    Some(LinePoint {
                        x: f64::from(s.second) + 0.5,
                        y: figure(s, i + 1 == seconds.len())?,
                        range: None,
                    })
                })
                .collect(),
        })
        .collect()
}

fn draw(ctx: &Context<'_>, scenario: &ScenarioResult, path: &Path) -> Result<Outcome, DrawError> {
    let timelines = timelines(scenario);
    if timelines.iter().all(|(seconds, _)| seconds.is_empty()) {
        return Ok(Outcome::Skipped(
            "no per-second timeline in these results (written before results kept one)".into(),
        ));
    }
    let looks = series_looks(&scenario.series);
    let throughput = lines(&timelines, &looks, |s, last| {
        (!last).then_some(s.completed as f64)
    });
    let p99 = lines(&timelines, &looks, |s, _| {
        (s.completed > 0).then_some(s.p99_us / 1e3)
    });
    let end = timelines
        .iter()
        .map(|(seconds, _)| seconds.len() as f64)
        .fold(1.0, f64::max);
    let x = Axis::linear("seconds since the run started", 0.0, end, fmt_axis);
    let values = |lines: &[Line]| -> Vec<f64> {
        lines
            .iter()
            .flat_map(|l| l.points.iter().map(|p| p.y))
            .collect()
    };
    let y_rps = Axis::fitted(
        "requests finished per second",
        values(&throughput),
        fmt_axis,
        Fit::Points,
    );
    let y_p99 = Axis::fitted("p99 latency (ms)", values(&p99), fmt_axis, Fit::Points);
    let warmup = timelines.iter().map(|(_, w)| *w).fold(0.0, f64::max);

    let reference = Look {
        color: REFERENCE,
        stroke: Stroke::Dashed,
        marker: Marker::None,
    };
    let mut legend = series_legend(scenario, &looks);
    if warmup > 0.0 {
        legend.push(LegendEntry {
            label: "end of the warm-up".into(),
            swatch: Swatch::Line(reference),
        });
    }
    let mut notes = vec![
        scenario.title.clone(),
        "Each series' median-throughput trial, second by second, warm-up included; each \
         point is the requests that finished in that second (the last, partial second is \
         left out of the top panel) and their p99."
            .to_string(),
        ctx.run_note(),
    ];
    notes.extend(coincidence_note(&throughput, &y_rps));
    if y_p99.is_log() {
        notes.push("The p99 axis is logarithmic: the values span more than 10×.".into());
    }

    let figure = Figure::new(path)?;
    let area = figure.layout("Over time · throughput and p99 per second", &notes, &legend)?;
    let panels = area.split_evenly((2, 1));
    for (panel, caption, y, lines) in [
        (&panels[0], "Throughput per second", &y_rps, &throughput),
        (&panels[1], "p99 per second", &y_p99, &p99),
    ] {
        let mut chart = build_chart(panel, Some(caption), &x, y, 48)?;
        if warmup > 0.0 {
            let (y0, y1) = y.range();
            let top = chart.backend_coord(&(x.pos(warmup), y1));
            let bottom = chart.backend_coord(&(x.pos(warmup), y0));
            draw_pixel_line(
                figure.root(),
                &[top, bottom],
                reference.color,
                reference.stroke,
                2,
            )?;
        }
        draw_lines(figure.root(), &mut chart, &x, y, lines)?;
    }
    figure.finish()?;
    Ok(Outcome::Drawn)
}
