//! The claims table as one model, drawn by two renderers: the terminal's
//! (`claims_text`) and the page's (`html::claims`), as hyperfine's exporters share one
//! markup model. A row is one claim; its findings are its verdicts, one per client
//! stack, the row's own (Rust) first. Both renderers and the page's headline read the
//! same findings, so a stack shown in one is shown in all.

use waitbench_core::{ClaimRow, Explained, Explanation, Stack, Verdict};

/// The stack whose clients a row's own figures come from.
pub(crate) const OWN_STACK: &str = Stack::Rust.name();

/// What one stack's clients measured for one claim, and the verdict by the row's rule.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Finding<'a> {
    /// The client stack (`Rust`, `Python`).
    pub(crate) stack: &'a str,
    /// The figure measured with it, or `not measured: REASON`.
    pub(crate) measured: &'a str,
    /// The verdict; `None` when the stack was not measured.
    pub(crate) verdict: Option<Verdict>,
    /// Why this stack's figure differs from the row's own (empty for the row's own stack).
    pub(crate) why_they_differ: &'a str,
    /// Whether the mechanism the row names predicts this stack's figure.
    pub(crate) explained: Option<&'a Explanation>,
}

impl Finding<'_> {
    /// The verdict's label, `no verdict` for a stack whose row has nothing to set against
    /// (its mechanism alone is tested), or `not measured`.
    pub(crate) fn verdict_label(&self) -> &'static str {
        match self.verdict {
            Some(verdict) => verdict.label(),
            None if self.unpaired() => NO_VERDICT,
            None => NOT_MEASURED,
        }
    }

    /// A stack measured with nothing the claim's rule could set it against (Node.js's one
    /// event loop, no thread pool): no verdict, but its mechanism is tested.
    pub(crate) fn unpaired(&self) -> bool {
        self.verdict.is_none() && self.explained.is_some()
    }

    /// Both answers in words: "as stated: not reproduced; explained by 13 in flight:
    /// predicted 4.68 s, measured 4.73 s (within ±10%)", or the verdict's label alone
    /// for a claim that names no mechanism to test (or a stack not measured).
    pub(crate) fn verdict_text(&self) -> String {
        match (self.verdict, self.explained) {
            (_, Some(explained)) => format!(
                "as stated: {}; {}",
                self.verdict_label(),
                explained_text(explained)
            ),
            _ => self.verdict_label().to_string(),
        }
    }
}

/// An explanation in words: its outcome, then the mechanism with its prediction.
pub(crate) fn explained_text(explained: &Explanation) -> String {
    match explained.outcome {
        Explained::Inconclusive => format!("{}: {}", explained.outcome.label(), explained.text),
        outcome => format!("{} {}", outcome.label(), explained.text),
    }
}

/// What a table shows for a stack that was not measured.
pub(crate) const NOT_MEASURED: &str = "not measured";

/// What a table shows for a stack measured with nothing to judge it against.
pub(crate) const NO_VERDICT: &str = "no verdict (nothing to set against)";

/// One claim: what the article says, what was predicted, and each stack's finding.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ClaimLine<'a> {
    /// Claim id (`A`, `F1`, `CO`).
    pub(crate) id: &'a str,
    /// The claim in a few words.
    pub(crate) claim: &'a str,
    /// The article's figure.
    pub(crate) claimed: &'a str,
    /// What Little's law (or the stated mechanism) predicts.
    pub(crate) predicted: &'a str,
    /// The rule every verdict of the row came from.
    pub(crate) rule: &'a str,
    /// Why the row's own figure came out as it did.
    pub(crate) why: &'a str,
    /// One finding per stack, the row's own first.
    pub(crate) findings: Vec<Finding<'a>>,
}

impl<'a> ClaimLine<'a> {
    /// The finding for `stack`, if the claim was judged on it.
    pub(crate) fn finding(&self, stack: &str) -> Option<&Finding<'a>> {
        self.findings.iter().find(|f| f.stack == stack)
    }
}

/// The claims of a run, one line each, in the order the suite judged them.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ClaimsTable<'a> {
    /// The claims.
    pub(crate) lines: Vec<ClaimLine<'a>>,
}

impl<'a> ClaimsTable<'a> {
    /// The table of `rows`, each row's own finding first, then its other stacks'.
    pub(crate) fn of(rows: &'a [ClaimRow]) -> Self {
        let lines = rows
            .iter()
            .map(|row| {
                let own = Finding {
                    stack: OWN_STACK,
                    measured: &row.measured,
                    verdict: Some(row.verdict),
                    why_they_differ: "",
                    explained: row.explained.as_ref(),
                };
                let others = row.stacks.iter().map(|s| Finding {
                    stack: s.stack.name(),
                    measured: &s.measured,
                    verdict: s.verdict,
                    why_they_differ: &s.why_they_differ,
                    explained: s.explained.as_ref(),
                });
                ClaimLine {
                    id: &row.id,
                    claim: &row.claim,
                    claimed: &row.claimed,
                    predicted: &row.predicted,
                    rule: &row.rule,
                    why: &row.why,
                    findings: std::iter::once(own).chain(others).collect(),
                }
            })
            .collect();
        ClaimsTable { lines }
    }

    /// Every stack any claim was judged on, in order of first appearance.
    pub(crate) fn stacks(&self) -> Vec<&'a str> {
        let mut stacks: Vec<&'a str> = Vec::new();
        for finding in self.lines.iter().flat_map(|l| &l.findings) {
            if !stacks.contains(&finding.stack) {
                stacks.push(finding.stack);
            }
        }
        stacks
    }

    /// The verdicts of one stack, grouped: each verdict (in [`TALLY_ORDER`], then not
    /// measured as `None`) with the ids of the claims that got it; empty groups are left
    /// out.
    pub(crate) fn tally(&self, stack: &str) -> Vec<(Option<Verdict>, Vec<&'a str>)> {
        let order = TALLY_ORDER.iter().copied().map(Some).chain([None]);
        order
            .map(|verdict| {
                let ids = self
                    .lines
                    .iter()
                    .filter(|l| {
                        l.finding(stack)
                            .is_some_and(|f| f.verdict == verdict && !f.unpaired())
                    })
                    .map(|l| l.id)
                    .collect::<Vec<_>>();
                (verdict, ids)
            })
            .filter(|(_, ids)| !ids.is_empty())
            .collect()
    }
}

/// The order verdicts are counted in: the strongest finding first.
pub(crate) const TALLY_ORDER: [Verdict; 4] = [
    Verdict::Reproduced,
    Verdict::OnlyUnderConditions,
    Verdict::NotReproduced,
    Verdict::Inconclusive,
];

#[cfg(test)]
mod tests {
    use waitbench_core::StackFinding;

    use super::*;

    fn row(id: &str, verdict: Verdict, python: Option<Option<Verdict>>) -> ClaimRow {
        ClaimRow {
            id: id.into(),
            claim: "a claim".into(),
            claimed: "13.3×".into(),
            measured: format!("{id} measured"),
            predicted: "C/L".into(),
            verdict,
            rule: "within 25 %".into(),
            why: "Little's law".into(),
            figures: Default::default(),
            trial_verdicts: Vec::new(),
            explained: None,
            stacks: python
                .map(|verdict| StackFinding {
                    stack: Stack::Python,
                    measured: "aiohttp".into(),
                    verdict,
                    why_they_differ: "the GIL".into(),
                    trial_verdicts: Vec::new(),
                    explained: None,
                })
                .into_iter()
                .collect(),
        }
    }

    #[test]
    fn a_stack_with_nothing_to_set_against_reads_no_verdict_and_is_not_tallied() {
        let mut rows = [row("C", Verdict::NotReproduced, Some(None))];
        rows[0].stacks[0].explained = Some(Explanation {
            outcome: Explained::Explained,
            text: "one event loop keeps C in flight".into(),
            trial_outcomes: Vec::new(),
        });
        let table = ClaimsTable::of(&rows);
        let python = table.lines[0].finding("Python").unwrap();
        assert!(python.unpaired());
        assert_eq!(
            python.verdict_text(),
            "as stated: no verdict (nothing to set against); explained one event loop keeps \
             C in flight"
        );
        assert!(table.tally("Python").is_empty());
        rows[0].stacks[0].explained = None;
        let table = ClaimsTable::of(&rows);
        assert_eq!(
            table.lines[0].finding("Python").unwrap().verdict_label(),
            NOT_MEASURED
        );
        assert_eq!(table.tally("Python"), vec![(None, vec!["C"])]);
    }

    #[test]
    fn each_row_has_its_own_finding_first_then_its_other_stacks() {
        let rows = [
            row("A", Verdict::Reproduced, Some(Some(Verdict::NotReproduced))),
            row("CO", Verdict::Reproduced, None),
        ];
        let table = ClaimsTable::of(&rows);
        assert_eq!(table.stacks(), ["Rust", "Python"]);
        let a = &table.lines[0];
        assert_eq!(a.findings[0].stack, "Rust");
        assert_eq!(a.findings[0].measured, "A measured");
        assert_eq!(
            a.finding("Python").map(|f| (f.verdict, f.why_they_differ)),
            Some((Some(Verdict::NotReproduced), "the GIL"))
        );
        assert_eq!(table.lines[1].finding("Python"), None);
    }

    #[test]
    fn a_finding_with_an_explanation_says_both_answers() {
        let mut rows = [row("A", Verdict::NotReproduced, None)];
        rows[0].explained = Some(Explanation {
            outcome: Explained::Explained,
            text: "by 13 in flight: predicted 4.68 s, measured 4.73 s (within ±10%)".into(),
            trial_outcomes: Vec::new(),
        });
        let table = ClaimsTable::of(&rows);
        assert_eq!(
            table.lines[0].findings[0].verdict_text(),
            "as stated: not reproduced; explained by 13 in flight: predicted 4.68 s, \
             measured 4.73 s (within ±10%)"
        );
        let plain = [row("CO", Verdict::Reproduced, Some(None))];
        let table = ClaimsTable::of(&plain);
        assert_eq!(table.lines[0].findings[0].verdict_text(), "reproduced");
        assert_eq!(table.lines[0].findings[1].verdict_text(), NOT_MEASURED);
    }

    #[test]
    fn the_tally_groups_a_stacks_claims_by_verdict_strongest_first() {
        let rows = [
            row("A", Verdict::OnlyUnderConditions, Some(None)),
            row("B", Verdict::Reproduced, Some(Some(Verdict::Reproduced))),
            row("D", Verdict::Inconclusive, Some(Some(Verdict::Reproduced))),
            row("F2", Verdict::Reproduced, None),
        ];
        let table = ClaimsTable::of(&rows);
        assert_eq!(
            table.tally("Rust"),
            [
                (Some(Verdict::Reproduced), vec!["B", "F2"]),
                (Some(Verdict::OnlyUnderConditions), vec!["A"]),
                (Some(Verdict::Inconclusive), vec!["D"]),
            ]
        );
        assert_eq!(
            table.tally("Python"),
            [
                (Some(Verdict::Reproduced), vec!["B", "D"]),
                (None, vec!["A"])
            ]
        );
    }
}
