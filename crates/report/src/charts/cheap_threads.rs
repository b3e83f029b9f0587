//! Claim K, on claim E's runs: sync code on cheap threads beside OS threads and async,
//! per series against concurrency (log x), in four panels: throughput as a share of the
//! Little's-law bound C/L, p99, client CPU per request and the client's OS threads. A
//! cheap thread that keeps up lies at 100% with async, at a p99 near L, with as few OS
//! threads as async; an OS thread per request shows in the last panel as a line of slope
//! one. JEP 444's batch rows are left out: they are a batch, not a sweep of C.

use std::path::Path;

use waitbench_core::{ScenarioResult, Spread};

use super::axis::{Axis, Fit};
use super::draw::DrawError;
use super::figure::Figure;
use super::frame::build_chart;
use super::look::series_looks;
use super::plot::{Line, draw_lines};
use super::{
    ChartSpec, Context, Outcome, line_values, line_xs, series_legend, series_lines, style_notes,
};
use crate::figures::{fmt_axis, spread, swept_only};

/// The chart.
pub(crate) const CHART: ChartSpec = ChartSpec {
    file: "cheap-threads.png",
    // Claim K is judged on claim E's runs.
    claim: waitbench_core::claim_ids::E,
    draw,
};

fn draw(ctx: &Context<'_>, scenario: &ScenarioResult, path: &Path) -> Result<Outcome, DrawError> {
    let swept = swept_only(scenario);
    let scenario = &swept;
    let looks = series_looks(&scenario.series);
    let shares = series_lines(scenario, &looks, |p| {
        p.trials.efficiency.map(|e| Spread {
            median: e.median * 100.0,
            min: e.min * 100.0,
            max: e.max * 100.0,
        })
    });
    if shares.iter().all(|l| l.points.is_empty()) {
        return Ok(Outcome::Skipped(
            "no point with a positive x and a C/L bound".into(),
        ));
    }
    let p99 = series_lines(scenario, &looks, |p| {
        spread(p, |t| {
            (t.latency.count > 0).then_some(t.latency.p99_us / 1e6)
        })
    });
    let cpu = series_lines(scenario, &looks, |p| {
        spread(p, |t| {
            let us = t.client.client_cpu_per_request_us;
            (us > 0.0).then_some(us)
        })
    });
    let threads = series_lines(scenario, &looks, |p| {
        spread(p, |t| t.client.threads_peak.map(|n| n.max(1) as f64))
    });

    let x = Axis::log_at(
        &format!("{} — log scale", scenario.x_label),
        &line_xs(&shares),
        fmt_axis,
    );
    let top = line_values(&shares).into_iter().fold(100.0, f64::max);
    let y_share = Axis::linear("% of C/L", 0.0, top, fmt_axis);
    let y_p99 = Axis::fitted("seconds", line_values(&p99), fmt_axis, Fit::Points);
    let y_cpu = log_axis("µs (log)", &cpu);
    let y_threads = log_axis("threads (log)", &threads);

    let mut notes = vec![
        scenario.title.clone(),
        "Claim K: cheap threads keep C/L as async does; each runtime's cheap threads are \
         judged against its own async (Go's against C/L itself)."
            .to_string(),
        "Points: median; whiskers: min–max across trials.".to_string(),
    ];
    notes.push(ctx.run_note());
    notes.extend(style_notes(scenario, false));
    let legend = series_legend(scenario, &looks);

    let figure = Figure::new(path)?;
    let area = figure.layout("Claim K · Sync code on cheap threads", &notes, &legend)?;
    let panels = area.split_evenly((2, 2));
    let drawn: [(&str, &Axis, &Vec<Line>); 4] = [
        ("Throughput as a share of C/L", &y_share, &shares),
        ("p99 latency (s)", &y_p99, &p99),
        ("Client CPU per request (µs, log)", &y_cpu, &cpu),
        ("Client OS threads (log)", &y_threads, &threads),
    ];
    let mut charts = Vec::new();
    for (panel, (caption, y, lines)) in panels.iter().zip(drawn) {
        let mut chart = build_chart(panel, Some(caption), &x, y, 64)?;
        draw_lines(figure.root(), &mut chart, &x, y, lines)?;
        charts.push(chart);
    }
    drop(charts);
    figure.finish()?;
    Ok(Outcome::Drawn)
}

/// A log axis over the lines' values (1 when there are none).
fn log_axis(desc: &str, lines: &[Line]) -> Axis {
    let values: Vec<f64> = line_values(lines)
        .into_iter()
        .filter(|v| *v > 0.0)
        .collect();
    if values.is_empty() {
        return Axis::log(desc, 1.0, 10.0, fmt_axis);
    }
    Axis::log_at(desc, &values, fmt_axis)
}
