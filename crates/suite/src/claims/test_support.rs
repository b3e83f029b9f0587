//! Scenarios for the claims' tests, made from one measured claim D run.

pub(super) use std::collections::BTreeMap;

pub(super) use waitbench_core::{Point, RunResult, ScenarioResult, Series, TrialSet};

pub(super) use super::{ASYNC, THREADS, evaluate, series};

/// Claim D as measured in a full run: 3 trials of reqwest, bare hyper and threads.
pub(super) fn saturation() -> ScenarioResult {
    serde_json::from_str(include_str!(
        "../../tests/fixtures/d-saturation-3-trials.json"
    ))
    .expect("the fixture is a scenario result")
}

/// Claim `claim`'s scenario, made from the saturation fixture with its series taken
/// out, and the fixture's `like` series to copy new ones from.
pub(super) fn emptied(claim: &str, like: &str) -> (ScenarioResult, Series) {
    let mut scenario = saturation();
    scenario.claim = claim.into();
    let template = series(&scenario, like).unwrap().clone();
    scenario.series.clear();
    (scenario, template)
}

/// Changes every trial of `point` with `change`, keeping the point's trial set whole.
pub(super) fn each_trial(point: &mut Point, change: impl FnMut(&mut RunResult)) {
    let mut trials = point.trials.trials.clone();
    trials.iter_mut().for_each(change);
    point.trials = TrialSet::new(trials);
}

pub(super) fn series_mut<'a>(s: &'a mut ScenarioResult, role: &str) -> &'a mut Series {
    s.series.iter_mut().find(|x| x.role == role).unwrap()
}

/// The stack a series of `role` runs on, as the scenario files name them: `py-` roles
/// are Python's, `java-`, `go-` and `node-` roles their runtime's.
pub(super) fn stack_of(role: &str) -> waitbench_core::Stack {
    use waitbench_core::Stack;
    [
        ("py-", Stack::Python),
        ("java-", Stack::Java),
        ("go-", Stack::Go),
        ("node-", Stack::Node),
    ]
    .into_iter()
    .find(|(prefix, _)| role.starts_with(prefix))
    .map_or(Stack::Rust, |(_, stack)| stack)
}

/// Every point the built-in scenario of `claim` plans for the series of `role`, in quick
/// and full mode: what a figure's declared edge is checked against.
pub(super) fn planned(claim: &str, role: &str) -> Vec<crate::scenario::PlannedPoint> {
    let scenario = crate::builtin::scenarios()
        .unwrap()
        .into_iter()
        .find(|s| s.file.claim == claim)
        .unwrap();
    let mut points = Vec::new();
    for quick in [false, true] {
        for (index, planned) in scenario.plan("http://127.0.0.1:1", quick, 3).unwrap() {
            if scenario.file.series[index].role == role {
                points.extend(planned);
            }
        }
    }
    assert!(!points.is_empty(), "{claim} plans no {role} series");
    points
}
