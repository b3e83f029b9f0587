//! The second question of every claim: does the mechanism its row names predict the
//! figure under the conditions that produce it? The verdict answers the claim as the
//! article states it; an [`Explanation`] answers this one, for each stack, from a
//! prediction and a tolerance the claim declares. Both are falsifiable: a measurement
//! outside the tolerance reads "not explained", whatever the verdict.

use waitbench_core::{Explained, Explanation};

/// A mechanism's prediction of one figure, and how far from it still counts as the
/// same: `tolerance` is relative (0.10 = ±10% of the prediction).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Prediction {
    /// The predicted figure.
    pub(super) predicted: f64,
    /// The measured figure.
    pub(super) measured: f64,
    /// The relative distance from the prediction still explained.
    pub(super) tolerance: f64,
}

impl Prediction {
    /// Whether the measurement lies within the tolerance of the prediction; `None` when
    /// either is not a finite number (nothing was measured to compare).
    pub(super) fn holds(self) -> Option<bool> {
        let off = self.off()?;
        Some(off.abs() <= self.tolerance)
    }

    /// The measurement's relative distance from the prediction (+0.05 = 5% above).
    fn off(self) -> Option<f64> {
        let usable = self.predicted.is_finite() && self.measured.is_finite();
        (usable && self.predicted != 0.0).then(|| self.measured / self.predicted - 1.0)
    }

    /// The explanation "`mechanism`: predicted …, measured … (…)", the figures put in
    /// words by `format`.
    pub(super) fn explain(self, mechanism: &str, format: impl Fn(f64) -> String) -> Explanation {
        let outcome = match self.holds() {
            Some(true) => Explained::Explained,
            Some(false) => Explained::NotExplained,
            None => Explained::Inconclusive,
        };
        let distance = match self.off() {
            Some(off) if off.abs() <= self.tolerance => {
                format!("within ±{:.0}%", self.tolerance * 100.0)
            }
            Some(off) => format!(
                "{:+.0}%, beyond ±{:.0}%",
                off * 100.0,
                self.tolerance * 100.0
            ),
            None => "nothing to compare".into(),
        };
        Explanation {
            outcome,
            text: format!(
                "{mechanism}: predicted {}, measured {} ({distance})",
                format(self.predicted),
                format(self.measured)
            ),
            trial_outcomes: Vec::new(),
        }
    }
}

/// Every prediction of one mechanism must hold for it to explain the figures: the
/// explanation is the first that fails (or is inconclusive), else all of them joined.
pub(super) fn all(explanations: Vec<Explanation>) -> Option<Explanation> {
    if let Some(failed) = explanations
        .iter()
        .find(|e| e.outcome != Explained::Explained)
    {
        return Some(failed.clone());
    }
    let first = explanations.first()?;
    Some(Explanation {
        outcome: first.outcome,
        text: explanations
            .iter()
            .map(|e| e.text.as_str())
            .collect::<Vec<_>>()
            .join("; "),
        trial_outcomes: Vec::new(),
    })
}

/// An explanation that could not be tested: the conditions that produce the figure
/// (`what`) were not measured.
pub(super) fn untested(what: &str) -> Explanation {
    Explanation {
        outcome: Explained::Inconclusive,
        text: format!("not tested: {what}"),
        trial_outcomes: Vec::new(),
    }
}

/// Sets `whole`'s outcome from each trial's: it stands only when every trial gives it,
/// as a verdict does, and is inconclusive otherwise.
pub(super) fn agree(whole: &mut Option<Explanation>, per_trial: &[Option<Explained>]) {
    let Some(whole) = whole else { return };
    whole.trial_outcomes = per_trial.iter().flatten().copied().collect();
    let Some(&first) = per_trial.first() else {
        return;
    };
    if per_trial.iter().any(|o| *o != first) {
        whole.outcome = Explained::Inconclusive;
        whole.text = format!("trials disagree: {}", whole.text);
    } else if let Some(first) = first {
        whole.outcome = first;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seconds(x: f64) -> String {
        format!("{x:.2} s")
    }

    #[test]
    fn a_measurement_within_the_tolerance_is_explained_and_one_beyond_it_is_not() {
        let near = Prediction {
            predicted: 4.68,
            measured: 4.73,
            tolerance: 0.10,
        };
        let e = near.explain("by 13 in flight", seconds);
        assert_eq!(e.outcome, Explained::Explained);
        assert_eq!(
            e.text,
            "by 13 in flight: predicted 4.68 s, measured 4.73 s (within ±10%)"
        );
        let far = Prediction {
            measured: 6.0,
            ..near
        };
        let e = far.explain("by 13 in flight", seconds);
        assert_eq!(e.outcome, Explained::NotExplained);
        assert!(e.text.ends_with("(+28%, beyond ±10%)"), "{}", e.text);
    }

    #[test]
    fn nothing_measured_is_inconclusive_not_explained() {
        let e = Prediction {
            predicted: f64::NAN,
            measured: 1.0,
            tolerance: 0.1,
        }
        .explain("m", seconds);
        assert_eq!(e.outcome, Explained::Inconclusive);
    }

    #[test]
    fn one_failed_prediction_of_a_mechanism_is_its_explanation() {
        let ok = |m| {
            Prediction {
                predicted: 1.0,
                measured: m,
                tolerance: 0.1,
            }
            .explain("x", seconds)
        };
        let joined = all(vec![ok(1.0), ok(1.05)]).unwrap();
        assert_eq!(joined.outcome, Explained::Explained);
        assert_eq!(joined.text.matches("; ").count(), 1);
        assert_eq!(
            all(vec![ok(1.0), ok(2.0)]).unwrap().outcome,
            Explained::NotExplained
        );
        assert_eq!(all(Vec::new()), None);
    }

    #[test]
    fn trials_that_disagree_make_the_explanation_inconclusive() {
        let mut e = Some(untested("x"));
        agree(
            &mut e,
            &[Some(Explained::Explained), Some(Explained::NotExplained)],
        );
        let e = e.unwrap();
        assert_eq!(e.outcome, Explained::Inconclusive);
        assert_eq!(e.trial_outcomes.len(), 2);
        let mut e = Some(untested("x"));
        agree(&mut e, &[Some(Explained::Explained); 3]);
        assert_eq!(e.unwrap().outcome, Explained::Explained);
    }
}
