//! `waitbench check`: compare a suite's results with a committed baseline and fail on a
//! regression, without crying wolf.
//!
//! Only metrics that do not depend on the machine's speed are gated: whether a strategy
//! keeps C requests in flight (time-averaged, so free of the window's edges), Little's-law
//! efficiency under latencies long enough that CPU contention cannot change the in-flight
//! count, speedup ratios and savings, accounting, and latency overshoot. Absolute req/s
//! and latency are tracked only.
//!
//! A gate on a shared machine still sees noise, so a gated metric that fails is
//! re-measured with fresh trials of that point alone before a regression is declared
//! ([`Confirmation`]), and the machine's load from other processes is measured around the
//! run ([`crate::contention`]). The verdict follows from both ([`GateVerdict::of`]).
//!
//! The pieces: [`metrics`] (what a result provides, declared once), [`baseline`] (the
//! committed file and how tolerances are derived from many runs), [`compare`], [`render`]
//! (terminal and Markdown tables) and [`export`] (one file per tracking format).

pub mod baseline;
pub mod compare;
pub mod export;
pub mod metrics;
pub mod render;

use crate::contention::Contention;

pub use baseline::{Baseline, BaselineMetric, Tolerance, make_baseline, read_baseline};
pub use compare::{Comparison, Confirmation, Status, compare};
pub use metrics::{Direction, MetricKey, PointMetric, metrics};

/// Fresh trials measured for each gated metric that fails the first time.
pub const CONFIRMATION_TRIALS: usize = 3;

/// What a check concludes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GateVerdict {
    /// Every gated metric holds (or its first failure was cleared on a quiet machine).
    Pass,
    /// A gated metric regressed and re-measurement confirmed it.
    Regression,
    /// A first failure was not confirmed, but the machine was contended, so the run
    /// cannot tell noise from a regression: run it again on a quieter machine.
    Inconclusive,
}

impl GateVerdict {
    /// The verdict from the compared rows (re-measured where they failed) and the
    /// machine's load while they were measured.
    pub fn of(rows: &[Comparison], contention: &[Contention]) -> GateVerdict {
        let failed_first = rows
            .iter()
            .any(|r| r.status == Status::Regressed && r.baseline.gate);
        if rows.iter().any(Comparison::fails) {
            GateVerdict::Regression
        } else if failed_first && contention.iter().any(Contention::contended) {
            GateVerdict::Inconclusive
        } else {
            GateVerdict::Pass
        }
    }

    /// A heading for the table.
    pub fn headline(self, rows: &[Comparison]) -> String {
        let gated = rows.iter().filter(|r| r.baseline.gate).count();
        match self {
            GateVerdict::Pass => format!("all {gated} gated metrics hold"),
            GateVerdict::Regression => {
                let failed: Vec<&str> = rows
                    .iter()
                    .filter(|r| r.fails())
                    .map(|r| r.name.as_str())
                    .collect();
                format!("regression: {}", failed.join(", "))
            }
            GateVerdict::Inconclusive => "inconclusive: a metric failed once and was not \
                 confirmed, on a contended machine; run the check again"
                .to_string(),
        }
    }
}

/// Re-measures every gated metric of `rows` that regressed, with `remeasure` giving the
/// metric's value in each of [`CONFIRMATION_TRIALS`] fresh trials.
pub fn confirm(
    rows: &mut [Comparison],
    mut remeasure: impl FnMut(&MetricKey) -> anyhow::Result<Vec<f64>>,
) -> anyhow::Result<()> {
    for row in rows
        .iter_mut()
        .filter(|r| r.status == Status::Regressed && r.baseline.gate)
    {
        let key: MetricKey = row.name.parse().map_err(anyhow::Error::msg)?;
        let values = remeasure(&key)?;
        row.confirmation = Some(Confirmation::of(&row.baseline, values));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    fn rows(current: f64) -> Vec<Comparison> {
        let baseline = Baseline {
            schema_version: 1,
            comment: String::new(),
            metrics: BTreeMap::from([(
                "C.async@100.in_flight_ratio".to_string(),
                BaselineMetric {
                    value: 1.0,
                    direction: Direction::Higher,
                    tolerance: Tolerance::Relative(0.05),
                    gate: true,
                    floor: None,
                    note: String::new(),
                },
            )]),
        };
        compare(
            &baseline,
            &BTreeMap::from([("C.async@100.in_flight_ratio".to_string(), current)]),
        )
        .unwrap()
    }

    const QUIET: Contention = Contention {
        before: Some(0.0),
        during: Some(0.05),
        after: Some(0.0),
    };
    const BUSY: Contention = Contention {
        before: Some(0.0),
        during: Some(0.8),
        after: Some(0.0),
    };

    #[test]
    fn holding_metrics_pass_even_on_a_busy_machine() {
        assert_eq!(GateVerdict::of(&rows(0.99), &[BUSY]), GateVerdict::Pass);
    }

    #[test]
    fn a_confirmed_failure_is_a_regression_whatever_the_load() {
        for load in [QUIET, BUSY] {
            let mut r = rows(0.8);
            confirm(&mut r, |_| Ok(vec![0.8, 0.81, 0.79])).unwrap();
            assert_eq!(GateVerdict::of(&r, &[load]), GateVerdict::Regression);
        }
    }

    #[test]
    fn a_cleared_failure_passes_on_a_quiet_machine_and_is_inconclusive_on_a_busy_one() {
        let mut r = rows(0.8);
        confirm(&mut r, |_| Ok(vec![1.0, 0.99, 0.8])).unwrap();
        assert_eq!(GateVerdict::of(&r, &[QUIET]), GateVerdict::Pass);
        assert_eq!(
            GateVerdict::of(&r, &[QUIET, BUSY]),
            GateVerdict::Inconclusive
        );
    }

    #[test]
    fn without_re_measurement_a_failure_stands() {
        assert_eq!(GateVerdict::of(&rows(0.8), &[]), GateVerdict::Regression);
    }

    #[test]
    fn only_gated_failures_are_re_measured() {
        let mut r = rows(0.99);
        confirm(&mut r, |_| panic!("nothing failed, nothing to re-measure")).unwrap();
        assert!(r[0].confirmation.is_none());
    }
}
