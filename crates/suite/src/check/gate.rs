//! One check from start to verdict: run the baseline's scenarios (or take stored
//! results), compare, re-measure what failed, and weigh the machine's load. The caller
//! supplies the function that runs a suite, so that it decides how progress is shown.

use waitbench_core::{Stack, SuiteResults};
use waitbench_strategies::PlantSpec;
use waitbench_strategies::runtimes::python::python_required;

use super::baseline::Baseline;
use super::compare::{Comparison, Confirmation, Status, compare};
use super::metrics::{MetricKey, metrics};
use crate::contention::Contention;
use crate::error::{Result, SuiteError};
use crate::runner::{Focus, PythonSeries, SuitePlan};
use crate::scenario::Scenario;

/// Fresh trials measured for each gated metric that fails the first time.
pub const CONFIRMATION_TRIALS: usize = 3;

/// What a check concludes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GateVerdict {
    /// Every gated metric holds (or its first failure was cleared on a quiet machine).
    Pass,
    /// A gated metric regressed, and re-measurement on a quiet machine confirmed it (or,
    /// for stored results, nothing could be re-measured).
    Regression,
    /// Other processes were using the CPU, and that could explain what the run saw: a
    /// first failure that did not confirm on a contended machine, or one that did confirm
    /// while the machine was still contended. Run the check again on a quieter machine.
    Inconclusive,
}

impl GateVerdict {
    /// The verdict from the compared rows (re-measured where they failed) and the
    /// machine's load while the suite ran and while the failures were re-measured.
    ///
    /// A failure confirmed under contention is not trusted: the same busy machine that
    /// made it fail the first time can make it fail again, so only a confirmation on a
    /// quiet machine makes a regression. A first failure that re-measured clean is noise
    /// on a quiet machine, and cannot be told from noise on a busy one.
    pub fn of(
        rows: &[Comparison],
        suite: Option<&Contention>,
        confirmation: Option<&Contention>,
    ) -> GateVerdict {
        let contended = |load: Option<&Contention>| load.is_some_and(Contention::contended);
        let failed_first = rows
            .iter()
            .any(|r| r.status == Status::Regressed && r.baseline.gate);
        if rows.iter().any(Comparison::fails) {
            if contended(confirmation) {
                GateVerdict::Inconclusive
            } else {
                GateVerdict::Regression
            }
        } else if failed_first && (contended(suite) || contended(confirmation)) {
            GateVerdict::Inconclusive
        } else {
            GateVerdict::Pass
        }
    }

    /// A heading for the table.
    pub fn headline(self, rows: &[Comparison]) -> String {
        let gated = rows.iter().filter(|r| r.baseline.gate).count();
        let invariants = rows
            .iter()
            .filter(|r| r.baseline.gate && r.baseline.invariant)
            .count();
        match self {
            GateVerdict::Pass if invariants > 0 => format!(
                "all {gated} gated metrics hold ({} measured, {invariants} invariants that \
                 move only with a change)",
                gated - invariants
            ),
            GateVerdict::Pass => format!("all {gated} gated metrics hold"),
            GateVerdict::Regression => {
                let failed: Vec<&str> = rows
                    .iter()
                    .filter(|r| r.fails())
                    .map(|r| r.name.as_str())
                    .collect();
                format!("regression: {}", failed.join(", "))
            }
            GateVerdict::Inconclusive => "inconclusive: a metric failed while other processes \
                 were using the CPU, so noise cannot be told from a regression; run the check \
                 again on a quieter machine"
                .to_string(),
        }
    }
}

/// Re-measures every gated metric of `rows` that regressed, with `remeasure` giving the
/// metric's value in each of [`CONFIRMATION_TRIALS`] fresh trials.
pub fn confirm(
    rows: &mut [Comparison],
    mut remeasure: impl FnMut(&MetricKey) -> Result<Vec<f64>>,
) -> Result<()> {
    for row in rows
        .iter_mut()
        .filter(|r| r.status == Status::Regressed && r.baseline.gate)
    {
        let key: MetricKey = row.name.parse().map_err(SuiteError::Metrics)?;
        let values = remeasure(&key)?;
        row.confirmation = Some(Confirmation::of(&row.baseline, values));
    }
    Ok(())
}

/// A finished check.
#[derive(Debug, Clone)]
pub struct Checked {
    /// The results compared.
    pub results: SuiteResults,
    /// One row per baseline metric, re-measured where it failed.
    pub rows: Vec<Comparison>,
    /// Python metrics of the baseline that these results do not have (no Python here,
    /// or `--no-python`), and so were not checked.
    pub unmeasured: Vec<String>,
    /// Other processes' load around the suite (`None` for stored results).
    pub suite_load: Option<Contention>,
    /// Other processes' load around the re-measurement (`None` when nothing failed).
    pub confirmation_load: Option<Contention>,
    /// The verdict.
    pub verdict: GateVerdict,
}

impl Checked {
    /// Gated Python metrics the results lack are an error when the Python clients are
    /// required ([`python_required`]: CI): a gate that passes without them has not
    /// checked the article's stack. Elsewhere they are only named as not checked.
    pub fn require_python(&self) -> Result<()> {
        if self.unmeasured.is_empty() || !python_required() {
            return Ok(());
        }
        Err(SuiteError::PythonRequired {
            reason: format!(
                "the results have none of the gated Python metrics {}",
                self.unmeasured.join(", ")
            ),
        })
    }

    /// One line per measured stretch saying how busy other processes kept the machine.
    pub fn machine_lines(&self) -> Vec<String> {
        [
            ("the suite", &self.suite_load),
            ("the re-measurement", &self.confirmation_load),
        ]
        .into_iter()
        .filter_map(|(what, load)| {
            Some(format!(
                "machine during {what}: {}",
                load.as_ref()?.describe()
            ))
        })
        .collect()
    }

    /// One line per measured stretch saying how busy other processes kept the machine,
    /// then one naming the Python metrics that were not checked, if any.
    pub fn notes(&self) -> Vec<String> {
        let mut notes = self.machine_lines();
        if !self.unmeasured.is_empty() {
            notes.push(format!(
                "not checked (the results have no Python series): {}",
                self.unmeasured.join(", ")
            ));
        }
        notes
    }

    /// What `check` prints: the table, the notes, and the verdict's headline.
    pub fn text(&self) -> String {
        let mut out = super::render::table_text(&self.rows);
        for line in self.notes() {
            out.push_str(&line);
            out.push('\n');
        }
        out.push_str(&self.verdict.headline(&self.rows));
        out.push('\n');
        out
    }

    /// What `check --markdown` writes (a pull-request comment): the verdict as heading,
    /// the table and the notes.
    pub fn markdown(&self) -> String {
        let mut out = super::render::table_markdown(&self.rows, &self.verdict.headline(&self.rows));
        for line in self.notes() {
            out.push_str(&format!("\n{line}\n"));
        }
        out
    }

    /// What `check --json` writes.
    pub fn json(&self) -> serde_json::Value {
        let mut json = super::render::json(
            &self.rows,
            self.verdict,
            self.suite_load.as_ref(),
            self.confirmation_load.as_ref(),
        );
        json["not_checked"] = serde_json::json!(self.unmeasured);
        json
    }
}

impl From<GateVerdict> for crate::exit::Conclusion {
    fn from(verdict: GateVerdict) -> Self {
        match verdict {
            GateVerdict::Pass => crate::exit::Conclusion::Ok,
            GateVerdict::Regression => crate::exit::Conclusion::Regression,
            GateVerdict::Inconclusive => crate::exit::Conclusion::Inconclusive,
        }
    }
}

/// Checks stored results: nothing can be re-measured, so a failure stands.
pub fn stored(baseline: &Baseline, results: SuiteResults) -> Result<Checked> {
    let current = metrics(&results);
    let (measurable, unmeasured) = baseline.measurable(&current);
    let rows = compare(&measurable, &current)?;
    let verdict = GateVerdict::of(&rows, None, None);
    Ok(Checked {
        results,
        rows,
        unmeasured,
        suite_load: None,
        confirmation_load: None,
        verdict,
    })
}

/// Runs a suite for a live check: the plan, and whether to hide its progress.
pub type RunSuite<'a> = dyn FnMut(&SuitePlan, bool) -> Result<SuiteResults> + 'a;

/// Runs the quick suite for the baseline's claims through `run`, compares, re-measures
/// each gated failure ([`CONFIRMATION_TRIALS`] fresh trials of its point), and measures
/// other processes' load around both; `note` hears what is being re-measured.
pub fn live(
    baseline: &Baseline,
    scenarios: &[Scenario],
    plants: &[PlantSpec],
    run: &mut RunSuite<'_>,
    note: &mut dyn FnMut(&str),
) -> Result<Checked> {
    let plan = SuitePlan {
        quick: true,
        only: baseline.claims(),
        scenarios: scenarios.to_vec(),
        trials: None,
        plants: plants.to_vec(),
        focus: None,
        journal: None,
        resume: false,
        server: Default::default(),
        placement: None,
        // The baseline gates Rust's and Python's figures: the other runtimes' series
        // would cost the gate minutes and gate nothing.
        left_out: Stack::ALL
            .iter()
            .copied()
            .filter(|s| !matches!(s, Stack::Rust | Stack::Python))
            .collect(),
        // Only when the baseline gates Python figures, and Python can be had: without it
        // the Rust metrics are checked alone and the Python ones named as not checked.
        python: if baseline.needs_python() && python_missing(note)?.is_none() {
            PythonSeries::Of(baseline.python_claims())
        } else {
            PythonSeries::None
        },
    };
    let (results, suite_load) = Contention::around(|| run(&plan, false));
    let results = results?;
    let current = metrics(&results);
    let (measurable, unmeasured) = baseline.measurable(&current);
    let mut rows = compare(&measurable, &current)?;
    let (confirmed, load) = Contention::around(|| {
        confirm(&mut rows, |key| {
            note(&format!(
                "{key} failed: re-measuring it with {CONFIRMATION_TRIALS} fresh trials"
            ));
            remeasure(key, &plan, run)
        })
    });
    confirmed?;
    let confirmation_load = rows
        .iter()
        .any(|r| r.confirmation.is_some())
        .then_some(load);
    let verdict = GateVerdict::of(&rows, Some(&suite_load), confirmation_load.as_ref());
    Ok(Checked {
        results,
        rows,
        unmeasured,
        suite_load: Some(suite_load),
        confirmation_load,
        verdict,
    })
}

/// Why the Python series cannot run here, said through `note`; `None` when they can.
fn python_missing(note: &mut dyn FnMut(&str)) -> Result<Option<String>> {
    let Some(reason) = crate::runner::python_unavailable()? else {
        return Ok(None);
    };
    note(&format!("not measured: {reason}"));
    Ok(Some(reason))
}

/// The metric's value in each of [`CONFIRMATION_TRIALS`] fresh trials: of its point alone
/// for a point metric, of its whole scenario for a claim figure.
fn remeasure(key: &MetricKey, plan: &SuitePlan, run: &mut RunSuite<'_>) -> Result<Vec<f64>> {
    let mut plan = SuitePlan {
        only: vec![key.claim().to_string()],
        ..plan.clone()
    };
    match key {
        MetricKey::Point { role, x, .. } => {
            plan.trials = Some(CONFIRMATION_TRIALS);
            plan.focus = Some(Focus {
                role: role.clone(),
                x: *x,
            });
            Ok(key.trial_values(&run(&plan, true)?))
        }
        MetricKey::Claim { .. } => {
            plan.trials = Some(1);
            let name = key.to_string();
            (0..CONFIRMATION_TRIALS)
                .map(|_| {
                    metrics(&run(&plan, true)?)
                        .get(&name)
                        .copied()
                        .ok_or_else(|| {
                            SuiteError::Metrics(format!("re-measuring {name}: the results lack it"))
                        })
                })
                .collect()
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::check::baseline::{BaselineMetric, Tolerance};
    use crate::check::metrics::Direction;

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
                    invariant: false,
                    edge: None,
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
    fn an_invariant_is_counted_apart_and_still_fails_when_it_moves() {
        let mut held = rows(1.0);
        held[0].baseline.invariant = true;
        assert_eq!(
            GateVerdict::Pass.headline(&held),
            "all 1 gated metrics hold (0 measured, 1 invariants that move only with a change)"
        );
        assert!(
            super::super::render::table_text(&held)
                .contains("ok (invariant: moves only with a change)")
        );
        let mut moved = rows(0.8);
        moved[0].baseline.invariant = true;
        assert_eq!(moved[0].status, Status::Regressed);
        assert_eq!(
            GateVerdict::Pass.headline(&rows(1.0)),
            "all 1 gated metrics hold"
        );
    }

    #[test]
    fn holding_metrics_pass_even_on_a_busy_machine() {
        let verdict = GateVerdict::of(&rows(0.99), Some(&BUSY), None);
        assert_eq!(verdict, GateVerdict::Pass);
    }

    #[test]
    fn a_failure_confirmed_on_a_quiet_machine_is_a_regression() {
        for suite in [QUIET, BUSY] {
            let mut r = rows(0.8);
            confirm(&mut r, |_| Ok(vec![0.8, 0.81, 0.79])).unwrap();
            let verdict = GateVerdict::of(&r, Some(&suite), Some(&QUIET));
            assert_eq!(verdict, GateVerdict::Regression);
        }
    }

    #[test]
    fn a_failure_confirmed_while_the_machine_is_still_busy_is_inconclusive() {
        let mut r = rows(0.8);
        confirm(&mut r, |_| Ok(vec![0.8, 0.81, 0.79])).unwrap();
        let verdict = GateVerdict::of(&r, Some(&BUSY), Some(&BUSY));
        assert_eq!(verdict, GateVerdict::Inconclusive);
    }

    #[test]
    fn a_cleared_failure_passes_on_a_quiet_machine_and_is_inconclusive_on_a_busy_one() {
        let mut r = rows(0.8);
        confirm(&mut r, |_| Ok(vec![1.0, 0.99, 0.8])).unwrap();
        let quiet = GateVerdict::of(&r, Some(&QUIET), Some(&QUIET));
        assert_eq!(quiet, GateVerdict::Pass);
        let busy = GateVerdict::of(&r, Some(&BUSY), Some(&QUIET));
        assert_eq!(busy, GateVerdict::Inconclusive);
    }

    #[test]
    fn without_re_measurement_a_failure_stands() {
        let verdict = GateVerdict::of(&rows(0.8), None, None);
        assert_eq!(verdict, GateVerdict::Regression);
    }

    #[test]
    fn only_gated_failures_are_re_measured() {
        let mut r = rows(0.99);
        confirm(&mut r, |_| panic!("nothing failed, nothing to re-measure")).unwrap();
        assert!(r[0].confirmation.is_none());
    }
}
