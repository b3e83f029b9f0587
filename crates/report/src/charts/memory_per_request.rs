//! Claim E: resident and virtual memory per in-flight request against concurrency per
//! series (log x), side by side. A trial can read below 0 (steady memory under its
//! baseline, as when the allocator hands memory back mid-run); the axes are fitted to the
//! readings at or above 0 when every median is, so that one such trial does not squash
//! the series into a band, and its whisker ends in an arrow at the axis. The Python
//! clients' lines have square markers.

use std::path::Path;

use waitbench_core::ScenarioResult;

use super::axis::Axis;
use super::draw::DrawError;
use super::figure::Figure;
use super::frame::build_chart;
use super::look::series_looks;
use super::plot::{Line, draw_lines};
use super::{
    ChartSpec, Context, Outcome, line_values, line_xs, series_legend, series_lines, style_notes,
};
use crate::figures::{fmt_axis, fmt_sig, labelled_points, spread, swept_only};

/// The chart.
pub(crate) const CHART: ChartSpec = ChartSpec {
    file: "memory-per-request.png",
    claim: waitbench_core::claim_ids::E,
    draw,
};

fn draw(ctx: &Context<'_>, scenario: &ScenarioResult, path: &Path) -> Result<Outcome, DrawError> {
    let swept = swept_only(scenario);
    let scenario = &swept;
    let looks = series_looks(&scenario.series);
    let rss = series_lines(scenario, &looks, |p| {
        spread(p, |t| t.client.rss_per_in_flight_bytes.map(|b| b / 1024.0))
    });
    let vm = series_lines(scenario, &looks, |p| {
        spread(p, |t| t.client.vm_per_in_flight_bytes.map(|b| b / 1024.0))
    });
    if rss.iter().all(|l| l.points.is_empty()) {
        return Ok(Outcome::Skipped("no point with a positive x".into()));
    }
    let legend = series_legend(scenario, &looks);
    let x_desc = format!("{} — log scale", scenario.x_label);
    let x = Axis::log_at(&x_desc, &line_xs(&rss), fmt_axis);
    // Linear from 0: the claim compares sizes (a thread's ~1 MB against a task's few KB),
    // which a log axis would turn into noise around a few KiB.
    let y_rss = axis("RSS per in-flight request (KiB)", &rss);
    let y_vm = axis("virtual memory per in-flight request (KiB)", &vm);

    let mut notes = vec![
        scenario.title.clone(),
        "(steady − baseline) / concurrency; median across trials, whiskers min–max.".to_string(),
    ];
    let cut = cut_whiskers(scenario, &[("RSS", &rss, &y_rss), ("VM", &vm, &y_vm)]);
    if !cut.is_empty() {
        notes.push(format!(
            "Arrows: a trial read below 0 (steady memory under its baseline) and is cut at \
             the axis: {}.",
            cut.join("; ")
        ));
    }
    notes.push(ctx.run_note());
    notes.extend(style_notes(scenario, false));

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

/// A linear axis from 0 (or the lowest median, if one is negative) to the highest value;
/// whisker ends below 0 are left out when no median is, and drawn cut.
fn axis(desc: &str, lines: &[Line]) -> Axis {
    let lowest_median = lines
        .iter()
        .flat_map(|l| &l.points)
        .map(|p| p.y)
        .fold(0.0, f64::min);
    let values = line_values(lines);
    let highest = values.iter().copied().fold(0.0, f64::max);
    Axis::linear(desc, lowest_median, highest, fmt_axis)
}

/// For each point with a whisker cut by its panel's axis, "series · x = 100: −256 KiB
/// RSS, −1310 KiB VM", one entry per point.
fn cut_whiskers(scenario: &ScenarioResult, panels: &[(&str, &Vec<Line>, &Axis)]) -> Vec<String> {
    let labels = labelled_points(scenario);
    let mut cut: Vec<(&str, Vec<String>)> = Vec::new();
    for (name, lines, y) in panels {
        for (i, line) in lines.iter().enumerate() {
            for p in &line.points {
                let Some((lo, _)) = p.range.filter(|(lo, _)| y.beyond(*lo)) else {
                    continue;
                };
                let Some((.., label)) = labels.iter().find(|(s, _, at, _)| *s == i && at.x == p.x)
                else {
                    continue;
                };
                let text = format!("{} KiB {name}", fmt_sig(lo, 3).replace('-', "−"));
                match cut.iter_mut().find(|(l, _)| *l == label.as_str()) {
                    Some((_, texts)) => texts.push(text),
                    None => cut.push((label, vec![text])),
                }
            }
        }
    }
    cut.into_iter()
        .map(|(label, texts)| format!("{label}: {}", texts.join(", ")))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::look::{Look, Marker, Stroke};
    use super::super::plot::LinePoint;
    use super::super::theme::PALETTE;
    use super::*;

    #[test]
    fn a_trial_below_zero_is_cut_rather_than_stretching_the_axis() {
        let point = |x, y, range| LinePoint {
            x,
            y,
            range: Some(range),
        };
        let lines = [Line {
            look: Look {
                color: PALETTE[1],
                stroke: Stroke::Solid,
                marker: Marker::Filled,
            },
            points: vec![
                point(100.0, 50.0, (-256.0, 52.0)),
                point(1000.0, 300.0, (290.0, 310.0)),
            ],
        }];
        let y = axis("RSS", &lines);
        assert_eq!(y.range().0, 0.0);
        assert!(y.beyond(-256.0));
        assert!(!y.beyond(310.0));
    }
}
