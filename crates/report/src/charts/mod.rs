//! The PNG charts, one file per chart. Each chart belongs to one claim id and is drawn
//! from the first scenario with that claim; a chart whose scenario ran without usable
//! numbers is skipped with a reason, and one whose claim the run left out (`--only`) is
//! neither drawn nor listed.
//!
//! The charts are built from shared pieces, one file each: `theme` (size, font, colours),
//! `axis` (scales and ticks), `frame` (the plot frame on two axes), `look` (how a series
//! looks), `legend`, `figure` (title, notes, legend and plot area of one PNG), `draw`
//! (pixel-space primitives) and `plot` (lines and bars); `above_injected` decides when a
//! latency chart plots the latency above a fixed injected delay.

mod above_injected;
mod axis;
mod blocking_in_async;
mod cheap_threads;
mod connection_reuse;
mod coordinated_omission;
mod cpu_bound;
mod draw;
mod error_policy;
mod fan_out;
mod figure;
mod frame;
mod http1_vs_http2;
mod latency_spectrum;
mod legend;
mod look;
mod memory_per_request;
mod p99_vs_concurrency;
mod plot;
mod saturation;
pub(crate) mod theme;
mod throughput_vs_concurrency;
mod timeline;

use std::path::Path;

use waitbench_core::{ScenarioResult, SuiteResults};

use crate::error::ReportError;
use crate::{RenderedChart, SkippedChart};
use draw::DrawError;
use legend::{LegendEntry, Swatch};
use look::Look;

/// What a chart needs besides its scenario.
pub(crate) struct Context<'a> {
    /// The whole suite (trials, quick, environment).
    pub(crate) suite: &'a SuiteResults,
}

impl Context<'_> {
    /// The note every chart carries: trials, run kind and machine.
    pub(crate) fn run_note(&self) -> String {
        let suite = self.suite;
        format!(
            "{} run, {} per point · {}",
            if suite.quick { "Quick" } else { "Full" },
            crate::trials::of_suite(suite),
            suite.environment.label()
        )
    }
}

/// Whether a chart was drawn.
pub(crate) enum Outcome {
    /// The PNG was written.
    Drawn,
    /// Nothing was written, for this reason.
    Skipped(String),
}

/// One chart: its file, the claim it belongs to, and how to draw it.
pub(crate) struct ChartSpec {
    /// File name in the report folder.
    pub(crate) file: &'static str,
    /// Claim id whose scenario it draws.
    pub(crate) claim: &'static str,
    /// Draws the chart into the given path (or says why not, before creating the file).
    /// [`render_all`] calls it only with a scenario that has at least one point.
    pub(crate) draw: fn(&Context<'_>, &ScenarioResult, &Path) -> Result<Outcome, DrawError>,
}

/// Every chart, in the order the report shows them.
pub(crate) const CHARTS: &[ChartSpec] = &[
    fan_out::CHART,
    connection_reuse::CHART,
    throughput_vs_concurrency::CHART,
    p99_vs_concurrency::CHART,
    latency_spectrum::CHART,
    saturation::CHART,
    memory_per_request::CHART,
    cheap_threads::CHART,
    cpu_bound::CHART,
    blocking_in_async::CHART,
    error_policy::CHART,
    coordinated_omission::CHART,
    http1_vs_http2::CHART,
    timeline::CHART,
];

/// Draws every chart whose scenario is present into `out_dir`.
pub(crate) fn render_all(
    suite: &SuiteResults,
    out_dir: &Path,
) -> Result<(Vec<RenderedChart>, Vec<SkippedChart>), ReportError> {
    let context = Context { suite };
    let mut drawn = Vec::new();
    let mut skipped = Vec::new();
    for spec in CHARTS {
        let skip = |reason: String| SkippedChart {
            file_name: spec.file.to_string(),
            claim: spec.claim.to_string(),
            reason,
        };
        // A claim this run left out (`--only`) has no chart to miss.
        let Some(present) = suite.scenarios.iter().find(|s| is_of(s, spec.claim)) else {
            continue;
        };
        let Some(index) = scenario_for(&suite.scenarios, spec.claim) else {
            skipped.push(skip(format!("scenario {} measured no point", present.name)));
            continue;
        };
        let path = out_dir.join(spec.file);
        let scenario = &suite.scenarios[index];
        match (spec.draw)(&context, scenario, &path) {
            Ok(Outcome::Drawn) => drawn.push(RenderedChart {
                file_name: spec.file.to_string(),
                path,
                claim: spec.claim.to_string(),
                scenario: index,
            }),
            Ok(Outcome::Skipped(reason)) => skipped.push(skip(reason)),
            Err(DrawError(message)) => return Err(ReportError::Chart { path, message }),
        }
    }
    Ok((drawn, skipped))
}

/// Whether `scenario` measures claim id `claim` (ignoring case).
fn is_of(scenario: &ScenarioResult, claim: &str) -> bool {
    scenario.claim.trim().eq_ignore_ascii_case(claim)
}

/// The first scenario with claim id `claim` (ignoring case) that has any point: the one
/// check that a chart has something to draw, so charts need not repeat it.
fn scenario_for(scenarios: &[ScenarioResult], claim: &str) -> Option<usize> {
    scenarios
        .iter()
        .position(|s| is_of(s, claim) && s.series.iter().any(|x| !x.points.is_empty()))
}

/// One line per series from a figure of each point (median and min–max), skipping points
/// without the figure or with x ≤ 0 (log x axes).
pub(crate) fn series_lines(
    scenario: &ScenarioResult,
    looks: &[Look],
    figure: impl Fn(&waitbench_core::Point) -> Option<waitbench_core::Spread>,
) -> Vec<plot::Line> {
    scenario
        .series
        .iter()
        .zip(looks)
        .map(|(series, look)| plot::Line {
            look: *look,
            points: series
                .points
                .iter()
                .filter(|p| p.x > 0.0)
                .filter_map(|p| {
                    let s = figure(p)?;
                    Some(plot::LinePoint {
                        x: p.x,
                        y: s.median,
                        range: Some((s.min, s.max)),
                    })
                })
                .collect(),
        })
        .collect()
}

/// A legend entry per series, with its line look.
pub(crate) fn series_legend(scenario: &ScenarioResult, looks: &[Look]) -> Vec<LegendEntry> {
    scenario
        .series
        .iter()
        .zip(looks)
        .map(|(series, look)| LegendEntry {
            label: series.label.clone(),
            swatch: Swatch::Line(*look),
        })
        .collect()
}

/// Every data value of some lines (medians and ranges), for choosing an axis.
pub(crate) fn line_values(lines: &[plot::Line]) -> Vec<f64> {
    lines
        .iter()
        .flat_map(|l| &l.points)
        .flat_map(|p| {
            let (lo, hi) = p.range.unwrap_or((p.y, p.y));
            [p.y, lo, hi]
        })
        .collect()
}

/// A note for a plot where two lines share a point (the same x, and y within about a
/// pixel), because the line drawn last hides the other there; `None` when none do.
pub(crate) fn coincidence_note(lines: &[plot::Line], y: &axis::Axis) -> Option<String> {
    let (lo, hi) = y.range();
    let close = (hi - lo) * 0.005;
    let same = |a: &plot::LinePoint, b: &plot::LinePoint| {
        a.x == b.x && (y.pos(a.y) - y.pos(b.y)).abs() <= close
    };
    let coincide = lines.iter().enumerate().any(|(i, a)| {
        lines[i + 1..]
            .iter()
            .any(|b| a.points.iter().any(|p| b.points.iter().any(|q| same(p, q))))
    });
    coincide.then(|| {
        "Where lines coincide, their series measured the same to within a pixel; the one \
         listed last in the legend is drawn on top."
            .to_string()
    })
}

/// Every x of some lines.
pub(crate) fn line_xs(lines: &[plot::Line]) -> Vec<f64> {
    lines.iter().flat_map(|l| &l.points).map(|p| p.x).collect()
}

/// The notes on how series are told apart, for the series this scenario has: library
/// defaults (pale bars; dashed lines with hollow markers) and the Python clients
/// (striped bars; dash-dot lines with square markers), as [`look`] draws them.
pub(crate) fn style_notes(scenario: &ScenarioResult, bars: bool) -> Vec<String> {
    let mut notes = Vec::new();
    let rust_defaults = scenario
        .series
        .iter()
        .any(|s| s.variant == waitbench_core::Variant::Defaults && !look::is_python(s));
    if rust_defaults {
        notes.push(if bars {
            "Pale bars: library defaults (the artifact on); solid bars: right-sized or plain."
                .to_string()
        } else {
            "Dashed lines with hollow markers: library defaults (the artifact on); solid: \
             right-sized or plain."
                .to_string()
        });
    }
    if scenario.series.iter().any(look::is_python) {
        notes.push(if bars {
            "Striped bars: the Python clients (the article's own stack).".to_string()
        } else {
            "Dash-dot lines with square markers: the Python clients (the article's own \
             stack); hollow squares: their library defaults."
                .to_string()
        });
    }
    notes
}

#[cfg(test)]
mod tests {
    use waitbench_core::{Series, Stack, Variant};

    use super::*;

    fn scenario(claim: &str, series: Vec<Series>) -> ScenarioResult {
        ScenarioResult {
            claim: claim.into(),
            name: claim.to_lowercase(),
            title: claim.into(),
            description: String::new(),
            x_label: "x".into(),
            series,
        }
    }

    #[test]
    fn a_chart_gets_the_first_scenario_of_its_claim_that_has_a_point() {
        let empty = Series {
            label: "empty".into(),
            role: String::new(),
            strategy: "s".into(),
            stack: Stack::Rust,
            variant: Variant::Plain,
            points: Vec::new(),
            not_measured: None,
        };
        let point = waitbench_core::Point {
            x: 1.0,
            predicted: None,
            predicted_unit: String::new(),
            trials: waitbench_core::TrialSet::new(Vec::new()),
        };
        let with_point = Series {
            points: vec![point],
            ..empty.clone()
        };
        let scenarios = [
            scenario("A", vec![empty.clone()]),
            scenario("B", vec![]),
            scenario("a", vec![empty, with_point]),
        ];
        assert_eq!(scenario_for(&scenarios, "A"), Some(2));
        assert_eq!(scenario_for(&scenarios, "B"), None);
    }

    #[test]
    fn python_series_get_their_style_note_on_lines_and_bars() {
        let series = |stack: Stack, variant| Series {
            label: stack.name().into(),
            role: String::new(),
            strategy: stack.name().to_lowercase(),
            stack,
            variant,
            points: Vec::new(),
            not_measured: None,
        };
        let rust = scenario("C", vec![series(Stack::Rust, Variant::Plain)]);
        assert!(style_notes(&rust, false).is_empty());
        let both = scenario(
            "C",
            vec![
                series(Stack::Rust, Variant::Plain),
                series(Stack::Python, Variant::Defaults),
            ],
        );
        let lines = style_notes(&both, false);
        assert_eq!(
            lines.len(),
            1,
            "Python defaults are told by their squares: {lines:?}"
        );
        assert!(lines[0].starts_with("Dash-dot lines with square markers"));
        assert!(style_notes(&both, true)[0].starts_with("Striped bars"));
    }

    fn line(points: &[(f64, f64)]) -> plot::Line {
        plot::Line {
            look: Look {
                color: theme::PALETTE[0],
                stroke: look::Stroke::Solid,
                marker: look::Marker::Filled,
            },
            points: points
                .iter()
                .map(|&(x, y)| plot::LinePoint { x, y, range: None })
                .collect(),
        }
    }

    #[test]
    fn lines_that_share_a_point_get_the_coincidence_note() {
        let y = axis::Axis::linear("y", 0.0, 100.0, |v| v.to_string());
        let apart = [line(&[(1.0, 10.0), (10.0, 50.0)]), line(&[(1.0, 90.0)])];
        assert_eq!(coincidence_note(&apart, &y), None);
        let together = [line(&[(1.0, 10.0), (10.0, 50.0)]), line(&[(10.0, 50.2)])];
        assert!(coincidence_note(&together, &y).is_some());
    }
}
