//! Claim G: gather cancels the rest on the first error.

use super::*;

pub(super) const WAIT_ALL: &str = "wait-all";
pub(super) const CANCEL: &str = "cancel";
pub(super) const PY_GATHER: &str = "py-gather";
pub(super) const PY_GATHER_RETURN_EXCEPTIONS: &str = "py-gather-return-exceptions";
pub(super) const PY_TASKGROUP: &str = "py-taskgroup";

pub(super) const CLAIM: Claim = Claim {
    id: "G",
    claim: "gather cancels the rest on the first error",
    claimed: "cancels unless return_exceptions=True",
    required_roles: &[WAIT_ALL, CANCEL],
    optional_roles: &[PY_GATHER, PY_GATHER_RETURN_EXCEPTIONS, PY_TASKGROUP],
    figures: &[
        higher("wait_all_issued_after", "requests"),
        lower("cancel_issued_after", "requests"),
        higher("accounting_balanced", "bool"),
        higher("python_gather_issued_after", "requests").python(),
        higher("python_return_exceptions_issued_after", "requests").python(),
        lower("python_taskgroup_issued_after", "requests").python(),
    ],
    rule: rule_g,
    judge: claim_g,
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

fn claim_g(text: &Claim, s: &ScenarioResult) -> ClaimRow {
    let (Some(w), Some(c)) = (last(series(s, WAIT_ALL)), last(series(s, CANCEL))) else {
        return inconclusive(text, "wait-all and cancel series");
    };
    let (Some(wr), Some(cr)) = (median_run(w), median_run(c)) else {
        return inconclusive(text, "trials");
    };
    let after = |r: &RunResult| r.counts.issued_after_first_failure;
    let balanced = wr.counts.balanced() && cr.counts.balanced();
    let fmt = |x: Option<u64>| x.map_or("—".into(), |x| x.to_string());
    let mut figures = BTreeMap::from([
        (
            "wait_all_issued_after".into(),
            after(wr).unwrap_or(0) as f64,
        ),
        ("cancel_issued_after".into(), after(cr).unwrap_or(0) as f64),
        (
            "accounting_balanced".into(),
            if balanced { 1.0 } else { 0.0 },
        ),
    ]);
    let python = python_g(s, wr, cr, &mut figures);
    let mut row = row(
        text,
        format!(
            "issued after first failure: wait-all {}, cancel {} ({} in flight dropped); accounting {}",
            fmt(after(wr)),
            fmt(after(cr)),
            cancelled(cr),
            if balanced { "balanced" } else { "BROKEN" }
        ),
        format!(
            "wait-all issues the rest of the {}; cancel 0",
            wr.counts.sent
        ),
        judge_g(after(wr), after(cr), c.x as u64, balanced),
        "join_all (like CPython's gather) lets every sibling finish; only try_join_all (like \
         TaskGroup) drops the rest, and a detached tokio::spawn keeps running either way."
            .into(),
        figures,
    );
    row.stacks.extend(python);
    row
}

/// Requests cancelled in flight in a run.
fn cancelled(r: &RunResult) -> u64 {
    r.counts
        .by_error
        .get(&waitbench_core::ErrorKind::Cancelled)
        .copied()
        .unwrap_or(0)
}

/// The extra a `gather` run reports: requests issued between the first failure and the
/// moment `gather` raised it to its caller.
const RAISED_AFTER: &str = "raised_after_first_failure";

/// Claim G on the article's own constructs (a task per request under `gather`,
/// `gather(return_exceptions=True)` and a `TaskGroup`), judged by [`judge_g_python`],
/// with why it differs from Rust computed from what each construct let through after the
/// first failure; `None` when the scenario has no Python series.
fn python_g(
    s: &ScenarioResult,
    rust_wait_all: &RunResult,
    rust_cancel: &RunResult,
    figures: &mut BTreeMap<String, f64>,
) -> Option<StackFinding> {
    let points = match python_points(s, &[PY_GATHER, PY_GATHER_RETURN_EXCEPTIONS, PY_TASKGROUP])? {
        Ok(points) => points,
        Err(unjudged) => return Some(unjudged),
    };
    let Some(runs) = points
        .iter()
        .map(|p| median_run(p))
        .collect::<Option<Vec<_>>>()
    else {
        return Some(python_finding(
            "inconclusive: a Python series has no trial".into(),
            Some(Verdict::Inconclusive),
            String::new(),
        ));
    };
    let (gather, collect, group) = (runs[0], runs[1], runs[2]);
    let after = |r: &RunResult| r.counts.issued_after_first_failure;
    let count = |x: Option<u64>| x.map_or("—".into(), |x| x.to_string());
    for (name, r) in [
        ("python_gather_issued_after", gather),
        ("python_return_exceptions_issued_after", collect),
        ("python_taskgroup_issued_after", group),
    ] {
        figures.insert(name.into(), after(r).unwrap_or(0) as f64);
    }
    let balanced = runs.iter().all(|r| r.counts.balanced());
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
    let raised = gather.extras.get(RAISED_AFTER).map_or(String::new(), |&n| {
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
    let verdict = judge_g_python(
        after(gather),
        after(collect),
        after(group),
        points[2].x as u64,
        balanced,
    );
    Some(python_finding(measured, Some(verdict), why))
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
                    trial.extras.insert(RAISED_AFTER.into(), 0.0);
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
