//! Claim G: gather cancels the rest on the first error.

use waitbench_core::extras::RAISED_AFTER_FIRST_FAILURE;
use waitbench_core::units::format_significant;
use waitbench_core::{ClaimRow, RunResult, ScenarioResult, Stack, Verdict, claim_ids};

use super::{
    Claim, Emitted, Figure, Missing, PYTHON, RUST, RowText, StackFigures, higher, lower,
    median_run, points,
};

const WAIT_ALL: &str = "wait-all";
const CANCEL: &str = "cancel";
const PY_GATHER: &str = "py-gather";
const PY_GATHER_RETURN_EXCEPTIONS: &str = "py-gather-return-exceptions";
const PY_TASKGROUP: &str = "py-taskgroup";

const WAIT_ALL_ISSUED_AFTER: Figure = higher("wait_all_issued_after", "requests", RUST);
const CANCEL_ISSUED_AFTER: Figure = lower("cancel_issued_after", "requests", RUST);
const ACCOUNTING_BALANCED: Figure = higher("accounting_balanced", "bool", RUST);
const GATHER_ISSUED_AFTER: Figure = higher("gather_issued_after", "requests", PYTHON);
const RETURN_EXCEPTIONS_ISSUED_AFTER: Figure =
    higher("return_exceptions_issued_after", "requests", PYTHON);
const TASKGROUP_ISSUED_AFTER: Figure = lower("taskgroup_issued_after", "requests", PYTHON);

pub(super) const CLAIM: Claim = Claim {
    id: claim_ids::G,
    claim: "gather cancels the rest on the first error",
    claimed: "cancels unless return_exceptions=True",
    required_roles: &[WAIT_ALL, CANCEL],
    optional_roles: &[PY_GATHER, PY_GATHER_RETURN_EXCEPTIONS, PY_TASKGROUP],
    figures: &[
        WAIT_ALL_ISSUED_AFTER,
        CANCEL_ISSUED_AFTER,
        ACCOUNTING_BALANCED,
        GATHER_ISSUED_AFTER,
        RETURN_EXCEPTIONS_ISSUED_AFTER,
        TASKGROUP_ISSUED_AFTER,
    ],
    rule: rule_g,
    assess,
};

fn rule_g() -> String {
    "only under stated conditions if cancel-on-error issues at most C requests after the \
     first failure while wait-all issues the rest (the claim describes \
     try_join_all/TaskGroup, not join_all/gather); not reproduced if cancel keeps issuing; \
     inconclusive if no failure happened. Python, by the same test of stopping against \
     gather(return_exceptions=True): reproduced if gather (default) stops so (the claim as \
     written); only under stated conditions if only TaskGroup does"
        .into()
}

/// Claim G's verdict from requests issued after the first failure.
pub fn judge_g(
    wait_all_after: Option<u64>,
    cancel_after: Option<u64>,
    concurrency: u64,
    balanced: bool,
) -> Verdict {
    match (wait_all_after, cancel_after) {
        (Some(w), Some(c)) if balanced && c <= concurrency && w > c => Verdict::OnlyUnderConditions,
        (Some(_), Some(_)) => Verdict::NotReproduced,
        _ => Verdict::Inconclusive,
    }
}

/// Claim G on Python's own constructs, by [`judge_g`]'s test of stopping with
/// `gather(return_exceptions=True)` as the one that waits for all: reproduced if `gather`
/// (default) stops, as the article says; only under stated conditions if only
/// `TaskGroup` does.
pub fn judge_g_python(
    gather_after: Option<u64>,
    return_exceptions_after: Option<u64>,
    taskgroup_after: Option<u64>,
    concurrency: u64,
    balanced: bool,
) -> Verdict {
    let stops = |after| judge_g(return_exceptions_after, after, concurrency, balanced);
    match (stops(gather_after), stops(taskgroup_after)) {
        (Verdict::OnlyUnderConditions, _) => Verdict::Reproduced,
        (Verdict::Inconclusive, _) => Verdict::Inconclusive,
        (_, verdict) => verdict,
    }
}

/// The constructs each stack runs its batch under, each with the figure of what it let
/// out after the first failure: the one that waits for all first, the one that stops
/// last (Rust's two; Python's gather, gather(return_exceptions=True) and TaskGroup).
const fn roles(stack: Stack) -> &'static [(&'static str, &'static Figure)] {
    match stack {
        Stack::Rust => &[
            (WAIT_ALL, &WAIT_ALL_ISSUED_AFTER),
            (CANCEL, &CANCEL_ISSUED_AFTER),
        ],
        Stack::Python => &[
            (PY_GATHER, &GATHER_ISSUED_AFTER),
            (PY_GATHER_RETURN_EXCEPTIONS, &RETURN_EXCEPTIONS_ISSUED_AFTER),
            (PY_TASKGROUP, &TASKGROUP_ISSUED_AFTER),
        ],
        // A stack with no series in this claim (a user's own client, a runtime that has
        // not joined it) has nothing to say about it.
        _ => &[],
    }
}

/// Claim G's figures on one stack: each construct's median run, in its roles' order.
struct Figures<'a> {
    stack: Stack,
    runs: Vec<&'a RunResult>,
    /// The batch's concurrency (the last construct's x).
    concurrency: u64,
    /// Whether every run's accounting balances.
    balanced: bool,
}

fn after(r: &RunResult) -> Option<u64> {
    r.counts.issued_after_first_failure
}

impl<'a> StackFigures<'a> for Figures<'a> {
    fn extract(s: &'a ScenarioResult, stack: Stack) -> Result<Self, Missing> {
        let roles: Vec<&str> = roles(stack).iter().map(|(role, _)| *role).collect();
        let found = points(s, &roles)?;
        let runs = found
            .iter()
            .map(|p| median_run(p))
            .collect::<Option<Vec<_>>>()
            .ok_or_else(|| {
                Missing::Inconclusive(format!("a {} series has no trial", stack.name()))
            })?;
        Ok(Figures {
            stack,
            balanced: runs.iter().all(|r| r.counts.balanced()),
            concurrency: found.last().map_or(0, |p| p.x as u64),
            runs,
        })
    }

    fn emit(&self, out: &mut Emitted) {
        for ((_, figure), run) in roles(self.stack).iter().zip(&self.runs) {
            out.put(figure, after(run).unwrap_or(0) as f64);
        }
        out.put(&ACCOUNTING_BALANCED, if self.balanced { 1.0 } else { 0.0 });
    }
}

impl Figures<'_> {
    /// By the stack's rule: [`judge_g`] on Rust's two constructs, [`judge_g_python`] on
    /// Python's three.
    fn verdict(&self) -> Verdict {
        let after = |i: usize| self.runs.get(i).and_then(|r| after(r));
        match self.stack {
            Stack::Rust => judge_g(after(0), after(1), self.concurrency, self.balanced),
            Stack::Python => judge_g_python(
                after(0),
                after(1),
                after(2),
                self.concurrency,
                self.balanced,
            ),
            // Figures exist only for a stack with the claim's series (see `roles`).
            _ => Verdict::Inconclusive,
        }
    }
}

/// What the row says is missing when the Rust series do not give the figures.
const MISSING: &str = "wait-all and cancel series";

fn assess(claim: &Claim, s: &ScenarioResult) -> ClaimRow {
    super::assess(claim, s, MISSING, row_text, explain_python)
}

/// The row's words from the Rust figures.
fn row_text(rust: &Figures) -> RowText {
    let (wr, cr) = (rust.runs[0], rust.runs[1]);
    let fmt = |x: Option<u64>| x.map_or("—".into(), |x| x.to_string());
    RowText {
        measured: format!(
            "issued after first failure: wait-all {}, cancel {} ({} in flight dropped); accounting {}",
            fmt(after(wr)),
            fmt(after(cr)),
            cancelled(cr),
            if rust.balanced { "balanced" } else { "BROKEN" }
        ),
        predicted: format!(
            "wait-all issues the rest of the {}; cancel 0",
            wr.counts.sent
        ),
        verdict: rust.verdict(),
        why: "join_all (like CPython's gather) lets every sibling finish; only try_join_all (like \
         TaskGroup) drops the rest, and a detached tokio::spawn keeps running either way."
            .into(),
    }
}

/// Requests cancelled in flight in a run.
fn cancelled(r: &RunResult) -> u64 {
    r.counts
        .by_error
        .get(&waitbench_core::ErrorKind::Cancelled)
        .copied()
        .unwrap_or(0)
}

/// Claim G on the article's own constructs (a task per request under `gather`,
/// `gather(return_exceptions=True)` and a `TaskGroup`), judged by [`judge_g_python`],
/// with why it differs from Rust computed from what each construct let through after the
/// first failure.
fn explain_python(python: &Figures, rust: &Figures) -> (String, Verdict, String) {
    let (rust_wait_all, rust_cancel) = (rust.runs[0], rust.runs[1]);
    let (gather, collect, group) = (python.runs[0], python.runs[1], python.runs[2]);
    let count = |x: Option<u64>| x.map_or("—".into(), |x| x.to_string());
    let balanced = python.balanced;
    let planned = |r: &RunResult| match r.workload.load {
        waitbench_core::LoadModel::Batch { requests, .. } => requests,
        _ => r.counts.sent,
    };
    let measured = format!(
        "issued after the first failure: gather {} ({} cancelled), \
         gather(return_exceptions=True) {} ({} cancelled), TaskGroup {} ({} cancelled in \
         flight; {} of {} sent); accounting {}",
        count(after(gather)),
        cancelled(gather),
        count(after(collect)),
        cancelled(collect),
        count(after(group)),
        cancelled(group),
        group.counts.sent,
        planned(group),
        if balanced { "balanced" } else { "BROKEN" }
    );
    let raised = gather
        .extras
        .get(RAISED_AFTER_FIRST_FAILURE)
        .map_or(String::new(), |&n| {
            format!(
                " re-raised the first failure to its caller (requests issued in between: {}), and",
                format_significant(n, 6)
            )
        });
    let why = format!(
        "gather{raised} cancelled {} of its other tasks: {} requests went out after the first \
         failure, {} of {} in all (Rust's join_all: {} after it). With \
         return_exceptions=True: {} after it, {} cancelled. TaskGroup cancelled {} requests \
         in flight and let {} more out (Rust's try_join_all: {} dropped in flight, {} after \
         it).",
        cancelled(gather),
        count(after(gather)),
        gather.counts.sent,
        planned(gather),
        count(after(rust_wait_all)),
        count(after(collect)),
        cancelled(collect),
        cancelled(group),
        count(after(group)),
        cancelled(rust_cancel),
        count(after(rust_cancel)),
    );
    (measured, python.verdict(), why)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::claims::test_support::*;

    #[test]
    fn g_reads_cancellation_and_accounting() {
        assert_eq!(
            judge_g(Some(180), Some(3), 10, true),
            Verdict::OnlyUnderConditions
        );
        assert_eq!(
            judge_g(Some(180), Some(3), 10, false),
            Verdict::NotReproduced
        );
        assert_eq!(
            judge_g(Some(180), Some(150), 10, true),
            Verdict::NotReproduced
        );
        assert_eq!(judge_g(None, None, 10, true), Verdict::Inconclusive);
    }

    #[test]
    fn g_on_python_is_reproduced_only_if_gather_itself_stops() {
        // gather, gather(return_exceptions=True), TaskGroup: requests issued after.
        let judge = |g, r, t| judge_g_python(g, r, t, 10, true);
        assert_eq!(
            judge(Some(288), Some(262), Some(2)),
            Verdict::OnlyUnderConditions
        );
        assert_eq!(judge(Some(3), Some(262), Some(2)), Verdict::Reproduced);
        assert_eq!(
            judge(Some(288), Some(262), Some(150)),
            Verdict::NotReproduced
        );
        assert_eq!(judge(None, Some(262), Some(2)), Verdict::Inconclusive);
        assert_eq!(
            judge_g_python(Some(288), Some(262), Some(2), 10, false),
            Verdict::NotReproduced
        );
    }

    /// A claim G scenario (a batch of 300 at C = 10) made from the saturation fixture:
    /// one copy per role, every trial with these counts: sent, HTTP 500s, cancelled in
    /// flight, issued after the first failure.
    fn error_policy(roles: &[(&str, [u64; 4])]) -> ScenarioResult {
        let (mut g, template) = emptied("G", ASYNC);
        for &(role, [sent, failed, dropped, after]) in roles {
            let mut copy = template.clone();
            copy.role = role.into();
            copy.points.truncate(1);
            let point = &mut copy.points[0];
            point.x = 10.0;
            each_trial(point, |trial| {
                trial.workload.load = waitbench_core::LoadModel::Batch {
                    requests: 300,
                    concurrency: 10,
                };
                trial.counts = waitbench_core::Counts {
                    sent,
                    ok: sent - failed - dropped,
                    http_errors: failed,
                    errors: dropped,
                    by_status: BTreeMap::from([(500, failed)]),
                    by_error: BTreeMap::from([(waitbench_core::ErrorKind::Cancelled, dropped)]),
                    issued_after_first_failure: Some(after),
                    ..Default::default()
                };
                if role == PY_GATHER {
                    trial.extras.insert(RAISED_AFTER_FIRST_FAILURE.into(), 0.0);
                }
            });
            g.series.push(copy);
        }
        g
    }

    #[test]
    fn g_on_python_says_what_gather_did_after_the_first_failure_with_why_it_differs() {
        let rust = [(WAIT_ALL, [300, 15, 0, 289]), (CANCEL, [19, 1, 9, 0])];
        let python = [
            (PY_GATHER, [300, 14, 0, 288]),
            (PY_GATHER_RETURN_EXCEPTIONS, [300, 16, 0, 262]),
            (PY_TASKGROUP, [22, 1, 9, 2]),
        ];
        let all: Vec<_> = rust.iter().chain(&python).copied().collect();
        let row = &evaluate(&[error_policy(&all)])[0];
        assert_eq!(row.verdict, Verdict::OnlyUnderConditions, "Rust's row");
        let finding = &row.stacks[0];
        assert_eq!(finding.stack, Stack::Python);
        assert_eq!(finding.verdict, Some(Verdict::OnlyUnderConditions));
        assert_eq!(
            finding.trial_verdicts,
            vec![Verdict::OnlyUnderConditions; 3]
        );
        assert_eq!(
            finding.measured,
            "issued after the first failure: gather 288 (0 cancelled), \
             gather(return_exceptions=True) 262 (0 cancelled), TaskGroup 2 (9 cancelled in \
             flight; 22 of 300 sent); accounting balanced"
        );
        assert!(
            finding.why_they_differ.starts_with(
                "gather re-raised the first failure to its caller (requests issued in \
                 between: 0), and cancelled 0 of its other tasks: 288 requests went out after the \
                 first failure, 300 of 300 in all (Rust's join_all: 289 after it)."
            ),
            "{}",
            finding.why_they_differ
        );
        assert!(
            finding
                .why_they_differ
                .ends_with("(Rust's try_join_all: 9 dropped in flight, 0 after it)."),
            "{}",
            finding.why_they_differ
        );
        assert_eq!(row.figures["python_gather_issued_after"], 288.0);
        assert_eq!(row.figures["python_taskgroup_issued_after"], 2.0);

        // Had gather stopped as the article says, the same rule would reproduce it.
        let stopped = [
            (PY_GATHER, [20, 1, 9, 1]),
            (PY_GATHER_RETURN_EXCEPTIONS, [300, 16, 0, 262]),
            (PY_TASKGROUP, [22, 1, 9, 2]),
        ];
        let all: Vec<_> = rust.iter().chain(&stopped).copied().collect();
        let row = &evaluate(&[error_policy(&all)])[0];
        assert_eq!(row.stacks[0].verdict, Some(Verdict::Reproduced));
        // Without Python series there is no Python finding at all.
        assert!(evaluate(&[error_policy(&rust)])[0].stacks.is_empty());
    }
}
