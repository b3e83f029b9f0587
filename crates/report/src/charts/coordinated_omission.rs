//! Scenario "CO": coordinated omission. Closed-loop against open-loop series, with the
//! p50, p99, p99.9 and max latency of each (the open loop measures from the intended
//! send time, so a stall shows in its tail), and beside an open loop's bars its send lag
//! p99: how late the harness itself sent, which its latencies include.

use std::path::Path;

use waitbench_core::{LatencySummary, ScenarioResult};

use super::axis::{Axis, Fit};
use super::draw::DrawError;
use super::legend::metric_legend;
use super::look::BarFill;
use super::plot::{Bar, BarGroup, bar_figure};
use super::theme::PALETTE;
use super::{ChartSpec, Context, Outcome};
use crate::figures::{fmt_axis, fmt_us, labelled_points};

/// The chart.
pub(crate) const CHART: ChartSpec = ChartSpec {
    file: "coordinated-omission.png",
    claim: waitbench_core::claim_ids::CO,
    draw,
};

type Percentile = (&'static str, fn(&LatencySummary) -> f64);

const PERCENTILES: [Percentile; 4] = [
    ("p50", |l| l.p50_us),
    ("p99", |l| l.p99_us),
    ("p99.9", |l| l.p999_us),
    ("max", |l| l.max_us),
];
const COLORS: [usize; 4] = [9, 0, 4, 3];

/// The send-lag bar's name and colour (an open loop's only; a closed loop has no lag).
const SEND_LAG: (&str, usize) = ("send lag p99", 7);

/// The send-lag p99 bar of `trial`, in ms; empty for a closed loop (no intended times).
fn send_lag_bar(trial: &waitbench_core::RunResult) -> Bar {
    let ms = trial.open_loop.as_ref().map(|o| o.send_lag.p99_us / 1e3);
    Bar {
        value: ms,
        range: None,
        color: PALETTE[SEND_LAG.1],
        fill: BarFill::Solid,
        notes: ms.map(|ms| vec![fmt_us(ms * 1e3)]).unwrap_or_default(),
    }
}

fn draw(ctx: &Context<'_>, scenario: &ScenarioResult, path: &Path) -> Result<Outcome, DrawError> {
    let points = labelled_points(scenario);
    let mut values = Vec::new();
    let groups: Vec<BarGroup> = points
        .iter()
        .filter_map(|(_, _, point, label)| {
            let trial = point.trials.median_trial()?;
            Some(BarGroup {
                label: label.clone(),
                bars: PERCENTILES
                    .iter()
                    .zip(COLORS)
                    .map(|((_, get), color)| {
                        let ms = get(&trial.latency) / 1e3;
                        values.push(ms);
                        Bar {
                            value: Some(ms),
                            range: None,
                            color: PALETTE[color],
                            fill: BarFill::Solid,
                            notes: vec![fmt_us(ms * 1e3)],
                        }
                    })
                    .chain(std::iter::once(send_lag_bar(trial)))
                    .collect(),
            })
        })
        .collect();
    values.extend(groups.iter().filter_map(|g| g.bars.last()?.value));
    if groups.is_empty() {
        return Ok(Outcome::Skipped("no trials".into()));
    }
    let y = Axis::fitted("latency (ms)", values, fmt_axis, Fit::Bars);
    let colors: Vec<usize> = COLORS.into_iter().chain([SEND_LAG.1]).collect();
    let names = PERCENTILES
        .iter()
        .map(|(name, _)| *name)
        .chain([SEND_LAG.0]);
    let legend = metric_legend(names, &colors);
    let mut notes = vec![
        scenario.title.clone(),
        "Closed loop measures from the actual send, so a stall stops its clock too; open loop \
             measures from the intended send time."
            .to_string(),
        "Bars: each series' median-throughput trial. Send lag p99: how late the harness sent \
             an open loop's requests, a part of its latencies that the target did not cause."
            .to_string(),
        ctx.run_note(),
    ];
    if y.is_log() {
        notes.push("The latency axis is logarithmic: the values span more than 10×.".into());
    }

    bar_figure(
        path,
        "Coordinated omission · closed vs open loop",
        &notes,
        &legend,
        &y,
        &groups,
    )
}
