//! Claim D: saturation at zero injected latency, two panels side by side. Left: each
//! series' throughput (median, min–max whiskers) beside the CPU bound cores ÷ D, where D
//! is the client's and the server's CPU per request; at L = 0 nothing waits, so this
//! bound, not Little's C/L, is what the stacks are held to. Right: each series' p99.
//! The Python clients' bars are striped apart from the Rust ones.

use std::path::Path;

use waitbench_core::{Point, ScenarioResult};

use super::axis::{Axis, Fit};
use super::draw::DrawError;
use super::figure::Figure;
use super::legend::{LegendEntry, Swatch};
use super::look::{BarFill, bar_fill, series_looks};
use super::plot::{Bar, BarGroup, draw_bars};
use super::theme::REFERENCE;
use super::{ChartSpec, Context, Outcome, style_notes};
use crate::figures::{fmt_axis, fmt_us, labelled_points, spread};

/// The chart.
pub(crate) const CHART: ChartSpec = ChartSpec {
    file: "saturation.png",
    claim: waitbench_core::claim_ids::D,
    draw,
};

/// The CPU bound of a point's median-throughput trial, in req/s: `cores` ÷ (client CPU
/// + server CPU per request); `None` without the server's figures or any CPU spent.
fn cpu_bound_rps(point: &Point, cores: usize) -> Option<f64> {
    let trial = point.trials.median_trial()?;
    let server = trial.server.as_ref().filter(|s| s.requests > 0)?;
    let per_request_us =
        trial.client.client_cpu_per_request_us + server.cpu_s * 1e6 / server.requests as f64;
    (per_request_us > 0.0 && cores > 0).then(|| cores as f64 * 1e6 / per_request_us)
}

fn draw(ctx: &Context<'_>, scenario: &ScenarioResult, path: &Path) -> Result<Outcome, DrawError> {
    let looks = series_looks(&scenario.series);
    let points = labelled_points(scenario);
    let cores = ctx.suite.environment.cores;
    let mut rps_values = Vec::new();
    let mut p99_values = Vec::new();
    let mut throughput = Vec::new();
    let mut p99 = Vec::new();
    for (i, series, point, label) in &points {
        let color = looks[*i].color;
        let t = point.trials.throughput_rps;
        rps_values.extend([t.min, t.max]);
        let mut bars = vec![Bar {
            value: Some(t.median),
            range: Some((t.min, t.max)),
            color,
            fill: bar_fill(series),
            notes: vec![fmt_axis(t.median)],
        }];
        if let Some(bound) = cpu_bound_rps(point, cores) {
            rps_values.push(bound);
            bars.push(Bar {
                value: Some(bound),
                range: None,
                color,
                fill: BarFill::Outline,
                notes: vec![format!("≤ {}", fmt_axis(bound))],
            });
        }
        throughput.push(BarGroup {
            label: label.clone(),
            bars,
        });
        let latency = spread(point, |t| {
            (t.latency.count > 0).then_some(t.latency.p99_us / 1e3)
        });
        if let Some(s) = latency {
            p99_values.extend([s.min, s.max]);
        }
        p99.push(BarGroup {
            label: label.clone(),
            bars: vec![Bar::measured(
                latency,
                color,
                bar_fill(series),
                |ms| fmt_us(ms * 1e3),
                "no latency",
            )],
        });
    }
    if p99_values.is_empty() {
        return Ok(Outcome::Skipped("no point measured a latency".into()));
    }
    let y_rps = Axis::fitted("throughput (req/s)", rps_values, fmt_axis, Fit::Bars);
    let y_p99 = Axis::fitted("p99 latency (ms)", p99_values, fmt_axis, Fit::Bars);
    let legend = vec![
        LegendEntry {
            label: "measured: median across trials (whiskers: min–max)".into(),
            swatch: Swatch::Bar(REFERENCE, BarFill::Solid),
        },
        LegendEntry {
            label: format!("CPU bound: {cores} cores ÷ (client + server CPU per request)"),
            swatch: Swatch::Bar(REFERENCE, BarFill::Outline),
        },
    ];
    let mut notes = vec![
        scenario.title.clone(),
        "At zero latency nothing waits: a stack saturates at its CPU bound, so the one that \
         spends the least CPU per request wins. p99: the median of the trials' p99."
            .to_string(),
        ctx.run_note(),
    ];
    if y_rps.is_log() || y_p99.is_log() {
        notes.push("A logarithmic axis: its values span more than 10×.".into());
    }
    notes.extend(style_notes(scenario, true));

    let figure = Figure::new(path)?;
    let area = figure.layout("Claim D · Saturation: throughput and p99", &notes, &legend)?;
    let panels = area.split_evenly((1, 2));
    draw_bars(
        figure.root(),
        &panels[0],
        Some("Throughput beside its CPU bound"),
        &y_rps,
        &throughput,
    )?;
    draw_bars(figure.root(), &panels[1], Some("p99 latency"), &y_p99, &p99)?;
    figure.finish()?;
    Ok(Outcome::Drawn)
}

#[cfg(test)]
mod tests {
    use waitbench_core::{SuiteResults, TrialSet};

    use super::*;

    #[test]
    fn the_cpu_bound_is_the_one_claim_d_predicts_from_the_same_trials() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../reports/reference/results.json"
        );
        let suite: SuiteResults =
            serde_json::from_str(&std::fs::read_to_string(path).expect("reference results"))
                .expect("reference results parse");
        let d = suite
            .scenarios
            .iter()
            .find(|s| s.claim == "D")
            .expect("claim D's scenario");
        let reqwest = &d.series[0].points[0];
        let bound = cpu_bound_rps(reqwest, suite.environment.cores).expect("a bound");
        // The claim's prediction reads "reqwest 63,076 req/s (D = 31.7 µs)": the chart's
        // bound, formatted as the claim formats it, is the same figure.
        let predicted = &suite
            .claims
            .iter()
            .find(|c| c.id == "D")
            .expect("D")
            .predicted;
        let shown = format!("reqwest {} (D = ", waitbench_core::units::format_rps(bound));
        assert!(predicted.contains(&shown), "{shown} in {predicted}");
    }

    #[test]
    fn a_point_without_server_figures_has_no_cpu_bound() {
        let point = Point {
            x: 100.0,
            predicted: None,
            predicted_unit: String::new(),
            trials: TrialSet::new(Vec::new()),
        };
        assert_eq!(cpu_bound_rps(&point, 2), None);
    }
}
