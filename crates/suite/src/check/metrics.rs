//! The figures a suite's results provide to the gate, each declared once with its name,
//! the way it gets better and its unit, so that the baseline, the comparison and every
//! exporter read the same declaration instead of guessing from a name's suffix.
//!
//! A metric's key is `{claim}.{role}@{x}.{metric}` for a point of a series, and
//! `claim.{id}.{figure}` for a figure of the claims table. A point metric's value is the
//! median over the point's trials, and [`MetricKey::trial_values`] gives each trial's, so
//! that a failure can be re-measured trial by trial.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use waitbench_core::Stack;
use waitbench_core::{Point, RunResult, ScenarioResult, Spread, SuiteResults};

/// Which way is better for a metric.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    /// Larger values are better (throughput, efficiency, speedup).
    Higher,
    /// Smaller values are better (latency, overshoot, errors).
    Lower,
}

/// A figure measured at every point of every series.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum PointMetric {
    /// Requests per second over the measured window (absolute: tracked, not gated).
    ThroughputRps,
    /// Median latency, µs (absolute).
    P50Us,
    /// p99 latency, µs (absolute).
    P99Us,
    /// Throughput ÷ its Little's-law bound C/L.
    Efficiency,
    /// Time-averaged requests in flight ÷ C: does the strategy keep C in flight?
    InFlightRatio,
    /// Requests for which `sent == ok + http_errors + errors` does not hold.
    AccountingViolations,
    /// Median latency above the injected fixed latency, µs.
    OvershootP50Us,
    /// Open loop only: how late the harness itself sent, median of actual − intended, µs.
    /// Scheduling delays on a busy machine move it far less than the p99, so it still
    /// tells a precise timer from a millisecond one there.
    SendLagP50Us,
    /// Open loop only: how late the harness itself sent, p99 of actual − intended, µs.
    /// It is part of every open-loop latency, so it must stay far below them.
    SendLagP99Us,
}

impl PointMetric {
    /// Every point metric.
    pub const ALL: [PointMetric; 9] = [
        PointMetric::ThroughputRps,
        PointMetric::P50Us,
        PointMetric::P99Us,
        PointMetric::Efficiency,
        PointMetric::InFlightRatio,
        PointMetric::AccountingViolations,
        PointMetric::OvershootP50Us,
        PointMetric::SendLagP50Us,
        PointMetric::SendLagP99Us,
    ];

    /// The name used in metric keys.
    pub fn name(self) -> &'static str {
        match self {
            PointMetric::ThroughputRps => "throughput_rps",
            PointMetric::P50Us => "p50_us",
            PointMetric::P99Us => "p99_us",
            PointMetric::Efficiency => "efficiency",
            PointMetric::InFlightRatio => "in_flight_ratio",
            PointMetric::AccountingViolations => "accounting_violations",
            PointMetric::OvershootP50Us => "overshoot_p50_us",
            PointMetric::SendLagP50Us => "send_lag_p50_us",
            PointMetric::SendLagP99Us => "send_lag_p99_us",
        }
    }

    /// Which way is better.
    pub fn direction(self) -> Direction {
        match self {
            PointMetric::ThroughputRps | PointMetric::Efficiency | PointMetric::InFlightRatio => {
                Direction::Higher
            }
            _ => Direction::Lower,
        }
    }

    /// The unit, as tracking services show it.
    pub fn unit(self) -> &'static str {
        match self {
            PointMetric::ThroughputRps => "req/s",
            PointMetric::P50Us
            | PointMetric::P99Us
            | PointMetric::OvershootP50Us
            | PointMetric::SendLagP50Us
            | PointMetric::SendLagP99Us => "µs",
            PointMetric::Efficiency | PointMetric::InFlightRatio => "ratio",
            PointMetric::AccountingViolations => "requests",
        }
    }

    /// This metric for one trial, when the trial has it.
    pub fn of(self, run: &RunResult) -> Option<f64> {
        match self {
            PointMetric::ThroughputRps => Some(run.throughput_rps),
            PointMetric::P50Us => Some(run.latency.p50_us),
            PointMetric::P99Us => Some(run.latency.p99_us),
            PointMetric::Efficiency => run.littles_law.efficiency,
            PointMetric::InFlightRatio => run.littles_law.in_flight_ratio,
            PointMetric::AccountingViolations => Some(run.counts.tally().unaccounted() as f64),
            PointMetric::OvershootP50Us => {
                let injected = run
                    .injected
                    .latency
                    .as_deref()
                    .and_then(waitbench_core::units::parse_duration)?
                    .as_secs_f64()
                    * 1e6;
                (injected > 0.0).then_some(run.latency.p50_us - injected)
            }
            PointMetric::SendLagP50Us => send_lag(run).map(|lag| lag.p50_us),
            PointMetric::SendLagP99Us => send_lag(run).map(|lag| lag.p99_us),
        }
    }

    /// The value over a point's trials: the sum of violations (one broken trial is a
    /// broken point), the median of everything else.
    fn over(self, point: &Point) -> Option<f64> {
        let values: Vec<f64> = point
            .trials
            .trials
            .iter()
            .filter_map(|r| self.of(r))
            .collect();
        if values.is_empty() {
            return None;
        }
        Some(match self {
            PointMetric::AccountingViolations => values.iter().sum(),
            _ => Spread::of(values).median,
        })
    }
}

/// An open-loop run's send lag, when it recorded any.
fn send_lag(run: &RunResult) -> Option<&waitbench_core::LatencySummary> {
    let open = run.open_loop.as_ref()?;
    (open.send_lag.count > 0).then_some(&open.send_lag)
}

impl FromStr for PointMetric {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        waitbench_core::named::by_name(&PointMetric::ALL, PointMetric::name, "point metric", text)
    }
}

/// Where a metric comes from, parsed from its key.
#[derive(Debug, Clone, PartialEq)]
pub enum MetricKey {
    /// A figure of one point: `{claim}.{role}@{x}.{metric}`.
    Point {
        /// Claim id.
        claim: String,
        /// Series role.
        role: String,
        /// The point's x.
        x: f64,
        /// Which figure.
        metric: PointMetric,
    },
    /// A figure of the claims table: `claim.{id}.{figure}`, one its claim declares.
    Claim {
        /// Claim id.
        claim: String,
        /// Figure key, as the claim's row writes it.
        figure: String,
        /// Its declaration: which way is better, its unit.
        declared: &'static crate::claims::Figure,
        /// The client stack whose series give it.
        stack: Stack,
    },
}

impl MetricKey {
    /// The claim whose scenario produces this metric.
    pub fn claim(&self) -> &str {
        match self {
            MetricKey::Point { claim, .. } | MetricKey::Claim { claim, .. } => claim,
        }
    }

    /// The client stack whose series give this metric, from a claim figure's declaration.
    /// Python is gated through claim figures only, so a point metric counts as Rust's: one
    /// missing from the results is an error, never skipped as "Python not measured".
    pub fn stack(&self) -> Stack {
        match self {
            MetricKey::Point { .. } => Stack::Rust,
            MetricKey::Claim { stack, .. } => *stack,
        }
    }

    /// Which way is better, from the metric's declaration.
    pub fn direction(&self) -> Direction {
        match self {
            MetricKey::Point { metric, .. } => metric.direction(),
            MetricKey::Claim { declared, .. } => declared.direction,
        }
    }

    /// The value past which the claim's verdict or explanation flips, from a claim
    /// figure's declaration (`None` for a point metric or a figure no rule reads alone).
    pub fn edge(&self) -> Option<f64> {
        match self {
            MetricKey::Point { .. } => None,
            MetricKey::Claim { declared, .. } => declared.edge,
        }
    }

    /// The metric's unit, from its declaration.
    pub fn unit(&self) -> &'static str {
        match self {
            MetricKey::Point { metric, .. } => metric.unit(),
            MetricKey::Claim { declared, .. } => declared.unit,
        }
    }

    /// The benchmark part of the key (`C.async@100`, `claim.B`, `claim.C@300`) and the
    /// measure part (`in_flight_ratio`, `speedup_right_sized`): an x always belongs to the
    /// benchmark, so that one measure is one series in a tracking service.
    pub fn split(&self) -> (String, String) {
        match self {
            MetricKey::Point {
                claim,
                role,
                x,
                metric,
            } => (format!("{claim}.{role}@{x}"), metric.name().to_string()),
            MetricKey::Claim { claim, figure, .. } => match figure.split_once('@') {
                Some((figure, x)) => (format!("claim.{claim}@{x}"), figure.to_string()),
                None => (format!("claim.{claim}"), figure.clone()),
            },
        }
    }

    /// This metric's value in each run of a point metric's point (one value per trial);
    /// empty for a claim figure, which is judged over the whole scenario.
    pub fn trial_values(&self, results: &SuiteResults) -> Vec<f64> {
        let MetricKey::Point {
            claim,
            role,
            x,
            metric,
        } = self
        else {
            return Vec::new();
        };
        find_point(&results.scenarios, claim, role, *x)
            .map(|p| {
                p.trials
                    .trials
                    .iter()
                    .filter_map(|r| metric.of(r))
                    .collect()
            })
            .unwrap_or_default()
    }
}

fn find_point<'a>(
    scenarios: &'a [ScenarioResult],
    claim: &str,
    role: &str,
    x: f64,
) -> Option<&'a Point> {
    scenarios
        .iter()
        .filter(|s| s.claim == claim)
        .flat_map(|s| &s.series)
        .filter(|s| s.role == role)
        .flat_map(|s| &s.points)
        .find(|p| p.x == x)
}

impl fmt::Display for MetricKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MetricKey::Point {
                claim,
                role,
                x,
                metric,
            } => write!(f, "{claim}.{role}@{x}.{}", metric.name()),
            MetricKey::Claim { claim, figure, .. } => write!(f, "claim.{claim}.{figure}"),
        }
    }
}

impl FromStr for MetricKey {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let bad = |why: &str| {
            format!(
                "metric {text:?} {why}; a metric is CLAIM.ROLE@X.METRIC \
                 (e.g. C.async@100.in_flight_ratio) or claim.ID.FIGURE (e.g. claim.B.saving_ureq)"
            )
        };
        if let Some(rest) = text.strip_prefix("claim.") {
            let (claim, figure) = rest.split_once('.').ok_or_else(|| bad("has no figure"))?;
            // Its direction, unit and stack come from the declaration: a key no claim
            // declares is an error here, never a figure with default ones.
            let (declared, stack) = crate::claims::declared_figure(claim, figure)
                .ok_or_else(|| bad(&crate::claims::undeclared_figure(claim)))?;
            return Ok(MetricKey::Claim {
                claim: claim.to_string(),
                figure: figure.to_string(),
                declared,
                stack,
            });
        }
        let (point, metric) = text.rsplit_once('.').ok_or_else(|| bad("has no metric"))?;
        let (series, x) = point.rsplit_once('@').ok_or_else(|| bad("has no @X"))?;
        let (claim, role) = series.split_once('.').ok_or_else(|| bad("has no role"))?;
        Ok(MetricKey::Point {
            claim: claim.to_string(),
            role: role.to_string(),
            x: x.parse()
                .map_err(|_| bad("has an x that is not a number"))?,
            metric: metric.parse().map_err(|e: String| bad(&e))?,
        })
    }
}

/// Every metric a suite's results provide, by key.
pub fn metrics(results: &SuiteResults) -> BTreeMap<String, f64> {
    let mut out = BTreeMap::new();
    for row in &results.claims {
        for (figure, value) in &row.figures {
            if value.is_finite() {
                out.insert(format!("claim.{}.{figure}", row.id), *value);
            }
        }
    }
    for scenario in &results.scenarios {
        for series in &scenario.series {
            for point in &series.points {
                for metric in PointMetric::ALL {
                    if let Some(value) = metric.over(point) {
                        let key = MetricKey::Point {
                            claim: scenario.claim.clone(),
                            role: series.role.clone(),
                            x: point.x,
                            metric,
                        };
                        out.insert(key.to_string(), value);
                    }
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_print_and_parse_back() {
        for text in [
            "C.async@100.in_flight_ratio",
            "A.async-cap-13@13.efficiency",
            "G.wait-all@10.accounting_violations",
            "claim.B.saving_ureq",
        ] {
            let key: MetricKey = text.parse().unwrap();
            assert_eq!(key.to_string(), text);
        }
    }

    #[test]
    fn a_malformed_key_names_the_expected_form() {
        for text in [
            "C.async.efficiency",
            "C.async@x.efficiency",
            "C.async@100.speed",
        ] {
            let err = text.parse::<MetricKey>().unwrap_err();
            assert!(err.contains("CLAIM.ROLE@X.METRIC"), "{err}");
        }
    }

    #[test]
    fn a_claim_figure_no_claim_declares_is_an_error_naming_the_declared_ones() {
        let err = "claim.B.savings_ureq".parse::<MetricKey>().unwrap_err();
        assert!(err.contains("claim B declares no such figure"), "{err}");
        assert!(err.contains("saving_ureq, saving_reqwest"), "{err}");
        let err = "claim.Z.speedup".parse::<MetricKey>().unwrap_err();
        assert!(err.contains("there is no claim Z"), "{err}");
        let key: MetricKey = "claim.C.python_speedup_right_sized@300".parse().unwrap();
        assert_eq!(key.stack(), Stack::Python);
        let key: MetricKey = "claim.D.p99_change".parse().unwrap();
        assert_eq!(
            (key.direction(), key.stack()),
            (Direction::Lower, Stack::Rust)
        );
    }

    #[test]
    fn point_metrics_know_their_direction_and_unit() {
        let key: MetricKey = "C.async@1.overshoot_p50_us".parse().unwrap();
        assert_eq!(key.direction(), Direction::Lower);
        assert_eq!(key.unit(), "µs");
        let key: MetricKey = "C.async@1.in_flight_ratio".parse().unwrap();
        assert_eq!(key.direction(), Direction::Higher);
        let key: MetricKey = "CO.open-loop@2.send_lag_p99_us".parse().unwrap();
        assert_eq!(key.direction(), Direction::Lower);
        assert_eq!(key.unit(), "µs");
    }

    #[test]
    fn send_lag_is_a_metric_of_open_loop_runs_only() {
        let text = include_str!("../../../report/tests/fixtures/small-results.json");
        let suite: SuiteResults = serde_json::from_str(text).unwrap();
        let mut run = suite.scenarios[0].series[0].points[0].trials.trials[0].clone();
        run.open_loop = None;
        assert_eq!(PointMetric::SendLagP99Us.of(&run), None, "closed loop");
        run.open_loop = Some(waitbench_core::OpenLoopStats {
            send_lag: waitbench_core::LatencySummary {
                count: 10,
                p50_us: 7.0,
                p99_us: 42.0,
                ..Default::default()
            },
            ..Default::default()
        });
        assert_eq!(PointMetric::SendLagP99Us.of(&run), Some(42.0));
        assert_eq!(PointMetric::SendLagP50Us.of(&run), Some(7.0));
    }
}
