//! Claim B: mean latency per request with one shared client against a new client per
//! request, per library, each bar labelled with the saving of the shared client.

use std::path::Path;

use waitbench_core::{ScenarioResult, Series};

use super::axis::{Axis, Fit};
use super::draw::DrawError;
use super::look::{bar_fill, series_looks};
use super::plot::{Bar, BarGroup, bar_figure};
use super::{ChartSpec, Context, Outcome, style_notes};
use crate::figures::{fmt_axis, fmt_us, labelled_points, spread};

/// The chart.
pub(crate) const CHART: ChartSpec = ChartSpec {
    file: "connection-reuse.png",
    claim: waitbench_core::claim_ids::B,
    draw,
};

fn draw(ctx: &Context<'_>, scenario: &ScenarioResult, path: &Path) -> Result<Outcome, DrawError> {
    let looks = series_looks(&scenario.series);
    let points = labelled_points(scenario);
    let mean_ms = |point: &waitbench_core::Point| spread(point, |t| Some(t.latency.mean_us / 1e3));
    let mut values = Vec::new();
    let groups: Vec<BarGroup> = points
        .iter()
        .map(|(i, series, point, label)| {
            let mean = mean_ms(point);
            if let Some(m) = mean {
                values.extend([m.min, m.max]);
            }
            let shared = shared_partner(scenario, series)
                .and_then(|s| s.points.iter().find(|p| p.x == point.x))
                .and_then(mean_ms);
            let mut notes = vec![mean.map_or("n/a".into(), |m| fmt_us(m.median * 1e3))];
            if is_shared_client(series) {
                notes.push("shared client".into());
            } else if let (Some(this), Some(shared)) = (mean, shared)
                && this.median > 0.0
            {
                let saving = (1.0 - shared.median / this.median) * 100.0;
                notes.push(format!("shared saves {saving:.0}%"));
            }
            BarGroup {
                label: label.clone(),
                bars: vec![Bar {
                    value: mean.map(|m| m.median),
                    range: mean.map(|m| (m.min, m.max)),
                    color: looks[*i].color,
                    fill: bar_fill(series),
                    notes,
                }],
            }
        })
        .collect();
    let y = Axis::fitted("mean latency per request (ms)", values, fmt_axis, Fit::Bars);
    let mut notes = vec![
        scenario.title.clone(),
        "Median across trials of each trial's mean latency; whiskers min–max. Saving = \
             1 − shared / this, against the shared client of the same library."
            .to_string(),
        ctx.run_note(),
    ];
    notes.extend(style_notes(scenario, true));

    bar_figure(
        path,
        "Claim B · Connection reuse: latency per request",
        &notes,
        &[],
        &y,
        &groups,
    )
}

/// The shared-client series a per-request series is compared with: by role
/// (`reqwest-per-request-loopback` → `reqwest-shared-loopback`, as the scenario files name
/// them), else the shared series of the same library.
fn shared_partner<'a>(scenario: &'a ScenarioResult, series: &Series) -> Option<&'a Series> {
    if series.role.contains("per-request") {
        let role = series.role.replacen("per-request", "shared", 1);
        if let Some(partner) = scenario.series.iter().find(|s| s.role == role) {
            return Some(partner);
        }
    }
    scenario
        .series
        .iter()
        .find(|s| is_shared_client(s) && library(s) == library(series))
}

/// The library a series uses: its strategy name up to the first `-` (`ureq`, `reqwest`).
fn library(series: &Series) -> &str {
    series
        .strategy
        .split('-')
        .next()
        .unwrap_or(&series.strategy)
}

/// Whether a series reuses one client: its role, label or strategy says "shared" (and
/// not "unshared"/"not shared"), or "reuse" without a negation.
pub(crate) fn is_shared_client(series: &Series) -> bool {
    let text = format!("{} {} {}", series.role, series.label, series.strategy).to_lowercase();
    let negated = |word: &str| {
        ["un", "not ", "non-", "no ", "no-", "without "]
            .iter()
            .any(|neg| text.contains(&format!("{neg}{word}")))
    };
    (text.contains("shared") && !negated("shared")) || (text.contains("reuse") && !negated("reuse"))
}

#[cfg(test)]
mod tests {
    use waitbench_core::{Stack, Variant};

    use super::*;

    fn series(label: &str, strategy: &str) -> Series {
        Series {
            label: label.into(),
            role: String::new(),
            strategy: strategy.into(),
            stack: Stack::Rust,
            variant: Variant::Plain,
            points: Vec::new(),
            not_measured: None,
        }
    }

    #[test]
    fn shared_clients_are_recognised_by_name() {
        assert!(is_shared_client(&series(
            "ureq, one shared agent",
            "ureq-sequential"
        )));
        assert!(is_shared_client(&series("reqwest", "reqwest-shared")));
        assert!(!is_shared_client(&series(
            "ureq, new agent per request",
            "ureq-fresh"
        )));
        assert!(!is_shared_client(&series(
            "reqwest, unshared",
            "reqwest-tokio"
        )));
        assert!(!is_shared_client(&series("no reuse", "ureq-x")));
        assert_eq!(library(&series("x", "reqwest-tokio")), "reqwest");
    }

    #[test]
    fn per_request_series_pair_with_the_shared_role_of_the_same_kind() {
        let mut shared = series("reqwest, shared client", "reqwest-tokio");
        shared.role = "reqwest-shared".into();
        let mut shared_loopback = series("reqwest, shared client, loopback", "reqwest-tokio");
        shared_loopback.role = "reqwest-shared-loopback".into();
        let mut fresh_loopback = series("reqwest, new client, loopback", "reqwest-per-request");
        fresh_loopback.role = "reqwest-per-request-loopback".into();
        let scenario = ScenarioResult {
            claim: "B".into(),
            name: "b".into(),
            title: "b".into(),
            description: String::new(),
            x_label: "x".into(),
            series: vec![shared, shared_loopback, fresh_loopback.clone()],
        };
        let partner = shared_partner(&scenario, &fresh_loopback).expect("a partner");
        assert_eq!(partner.role, "reqwest-shared-loopback");
    }
}
