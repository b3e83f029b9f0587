//! Comparing a run's metrics with the baseline: each metric holds, improves, or
//! regresses by more than its tolerance. A baseline metric missing from the results is
//! an error naming it (a typo never passes silently).

use std::collections::BTreeMap;
use std::fmt::Write;

use super::baseline::{Baseline, BaselineMetric};
use super::metrics::Direction;
use crate::error::SuiteError;

/// The verdict on one metric.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Within tolerance.
    Ok,
    /// Better than the baseline by more than the tolerance.
    Improved,
    /// Worse than the baseline by more than the tolerance (fails the check when gated).
    Regressed,
}

/// One row of the comparison.
#[derive(Debug, Clone)]
pub struct Comparison {
    /// Metric name.
    pub name: String,
    /// Baseline entry.
    pub baseline: BaselineMetric,
    /// Current value.
    pub current: f64,
    /// Verdict.
    pub status: Status,
    /// Re-measurement of a gated regression, when there was one.
    pub confirmation: Option<Confirmation>,
}

impl Comparison {
    /// How much of its tolerance the metric used up the wrong way: 0 at the baseline
    /// value, 1 at the edge of the tolerance, above 1 when it regressed (negative when
    /// it moved the good way).
    pub fn tolerance_used(&self) -> f64 {
        let allowance = self.baseline.allowance();
        let worse_by = worse_by(&self.baseline, self.current);
        if allowance > 0.0 {
            worse_by / allowance
        } else if worse_by > 0.0 {
            f64::INFINITY
        } else {
            0.0
        }
    }

    /// Whether this row fails the gate: a gated regression that re-measurement did not
    /// clear.
    pub fn fails(&self) -> bool {
        self.status == Status::Regressed
            && self.baseline.gate
            && self
                .confirmation
                .as_ref()
                .is_none_or(Confirmation::confirmed)
    }
}

/// Fresh trials of a metric that regressed on the first measurement.
#[derive(Debug, Clone, PartialEq)]
pub struct Confirmation {
    /// The metric's value in each fresh trial.
    pub values: Vec<f64>,
    /// How many of them regressed too.
    pub regressed: usize,
}

impl Confirmation {
    /// Re-measures `baseline`'s metric with `values` from fresh trials.
    pub fn of(baseline: &BaselineMetric, values: Vec<f64>) -> Self {
        let regressed = values
            .iter()
            .filter(|&&v| status(baseline, v) == Status::Regressed)
            .count();
        Confirmation { values, regressed }
    }

    /// A regression stands when most fresh trials regress too.
    pub fn confirmed(&self) -> bool {
        !self.values.is_empty() && 2 * self.regressed > self.values.len()
    }
}

fn worse_by(b: &BaselineMetric, current: f64) -> f64 {
    match b.direction {
        Direction::Higher => b.value - current,
        Direction::Lower => current - b.value,
    }
}

fn status(b: &BaselineMetric, current: f64) -> Status {
    let allowance = b.allowance();
    let worse_by = worse_by(b, current);
    if worse_by > allowance {
        Status::Regressed
    } else if -worse_by > allowance {
        Status::Improved
    } else {
        Status::Ok
    }
}

/// Compares `current` with `baseline`; an unknown metric name is an error.
pub fn compare(
    baseline: &Baseline,
    current: &BTreeMap<String, f64>,
) -> Result<Vec<Comparison>, SuiteError> {
    let missing: Vec<&str> = baseline
        .metrics
        .keys()
        .filter(|k| !current.contains_key(*k))
        .map(String::as_str)
        .collect();
    if !missing.is_empty() {
        let mut hint = String::new();
        for name in &missing {
            let prefix = name.split('.').next().unwrap_or("");
            let similar: Vec<&str> = current
                .keys()
                .filter(|k| k.starts_with(prefix))
                .take(5)
                .map(String::as_str)
                .collect();
            let _ = write!(hint, "\n  {name}: not in the results");
            if !similar.is_empty() {
                let _ = write!(hint, " (metrics there include: {})", similar.join(", "));
            }
        }
        return Err(SuiteError::Metrics(format!(
            "the baseline names {} metric(s) the results do not have; fix the name or re-run the scenario:{hint}",
            missing.len()
        )));
    }
    Ok(baseline
        .metrics
        .iter()
        .map(|(name, b)| {
            let current = current[name];
            Comparison {
                name: name.clone(),
                baseline: b.clone(),
                current,
                status: status(b, current),
                confirmation: None,
            }
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::baseline::Tolerance;

    fn baseline(value: f64, direction: Direction, tolerance: Tolerance) -> Baseline {
        Baseline {
            schema_version: 1,
            comment: String::new(),
            metrics: BTreeMap::from([(
                "C.async@100.in_flight_ratio".to_string(),
                BaselineMetric {
                    value,
                    direction,
                    tolerance,
                    gate: true,
                    floor: None,
                    note: String::new(),
                    invariant: false,
                    edge: None,
                },
            )]),
        }
    }

    fn current(value: f64) -> BTreeMap<String, f64> {
        BTreeMap::from([("C.async@100.in_flight_ratio".to_string(), value)])
    }

    #[test]
    fn a_drop_past_tolerance_regresses_and_within_it_holds() {
        let b = baseline(0.98, Direction::Higher, Tolerance::Relative(0.1));
        assert_eq!(
            compare(&b, &current(0.85)).unwrap()[0].status,
            Status::Regressed
        );
        assert_eq!(compare(&b, &current(0.90)).unwrap()[0].status, Status::Ok);
    }

    #[test]
    fn lower_is_better_metrics_improve_downwards() {
        let b = baseline(500.0, Direction::Lower, Tolerance::Absolute(100.0));
        assert_eq!(
            compare(&b, &current(100.0)).unwrap()[0].status,
            Status::Improved
        );
        assert_eq!(
            compare(&b, &current(700.0)).unwrap()[0].status,
            Status::Regressed
        );
    }

    #[test]
    fn an_unknown_metric_name_is_an_error_naming_it() {
        let b = baseline(1.0, Direction::Higher, Tolerance::Relative(0.1));
        let other = BTreeMap::from([("C.async@100.efficiency".to_string(), 1.0)]);
        let err = compare(&b, &other).unwrap_err().to_string();
        assert!(
            err.contains("C.async@100.in_flight_ratio: not in the results"),
            "{err}"
        );
    }

    #[test]
    fn tolerance_used_is_zero_at_the_baseline_and_one_at_the_edge() {
        let b = baseline(1.0, Direction::Higher, Tolerance::Relative(0.1));
        let rows = compare(&b, &current(1.0)).unwrap();
        assert_eq!(rows[0].tolerance_used(), 0.0);
        let rows = compare(&b, &current(0.9)).unwrap();
        assert!((rows[0].tolerance_used() - 1.0).abs() < 1e-9);
        let rows = compare(&b, &current(1.05)).unwrap();
        assert!(rows[0].tolerance_used() < 0.0);
    }

    #[test]
    fn a_first_failure_that_passes_on_re_measurement_is_not_a_regression() {
        let b = baseline(1.0, Direction::Higher, Tolerance::Relative(0.1));
        let mut row = compare(&b, &current(0.85)).unwrap().remove(0);
        assert!(row.fails(), "unconfirmed, a gated regression fails");
        row.confirmation = Some(Confirmation::of(
            &b.metrics[&row.name],
            vec![0.99, 0.85, 1.0],
        ));
        assert_eq!(row.confirmation.as_ref().unwrap().regressed, 1);
        assert!(!row.fails());
    }

    #[test]
    fn a_failure_that_persists_on_re_measurement_is_a_regression() {
        let b = baseline(1.0, Direction::Higher, Tolerance::Relative(0.1));
        let mut row = compare(&b, &current(0.8)).unwrap().remove(0);
        row.confirmation = Some(Confirmation::of(
            &b.metrics[&row.name],
            vec![0.8, 0.95, 0.79],
        ));
        assert_eq!(row.confirmation.as_ref().unwrap().regressed, 2);
        assert!(row.fails());
    }

    #[test]
    fn a_tracked_metric_never_fails_the_gate() {
        let mut b = baseline(1.0, Direction::Higher, Tolerance::Relative(0.1));
        b.metrics.values_mut().for_each(|m| m.gate = false);
        let row = compare(&b, &current(0.1)).unwrap().remove(0);
        assert_eq!(row.status, Status::Regressed);
        assert!(!row.fails());
    }
}
