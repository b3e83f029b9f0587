//! How many trials each point runs: the suite's default, unless a scenario (or one of its
//! series) sets its own `trials`; a count asked for on the command line, or by the gate
//! re-measuring a metric, is every point's whatever the scenario says.

use std::path::Path;

use waitbench_suite::runner::{PythonSeries, ServerChoice, SuitePlan};
use waitbench_suite::scenario::from_text;

const SCENARIO: &str = r#"
claim = "CO"
title = "trials, small"
description = "two series"
x = "none"

[workload]
model = "batch"
requests = 4
concurrency = [2]
latency = "1ms"
trials = 2

[quick]
trials = 1

[[series]]
label = "closed"
role = "closed-loop"
strategy = "reqwest-tokio"
variant = "plain"

[[series]]
label = "open"
role = "open-loop"
strategy = "reqwest-tokio"
variant = "plain"
set = { trials = 3 }
"#;

/// The trials each series' point ran, in series order.
fn trials_run(quick: bool, asked: Option<usize>) -> Vec<usize> {
    let scenario = from_text(SCENARIO, Path::new("trials-small.toml")).expect("a valid scenario");
    let plan = SuitePlan {
        quick,
        only: vec![],
        scenarios: vec![scenario],
        trials: asked,
        plants: vec![],
        focus: None,
        journal: None,
        resume: false,
        server: ServerChoice::Embedded,
        placement: None,
        python: PythonSeries::None,
        left_out: vec![],
    };
    let results = waitbench_suite::run_suite(&plan, &mut |_| {}).expect("the suite runs");
    results.scenarios[0]
        .series
        .iter()
        .map(|s| s.points[0].trials.trials.len())
        .collect()
}

#[test]
fn a_scenario_and_a_series_set_their_own_trials_in_a_full_run() {
    assert_eq!(trials_run(false, None), vec![2, 3]);
}

#[test]
fn a_quick_table_sets_the_quick_runs_trials_where_the_series_does_not() {
    assert_eq!(trials_run(true, None), vec![1, 3]);
}

#[test]
fn trials_asked_for_override_every_scenarios_own() {
    assert_eq!(trials_run(false, Some(1)), vec![1, 1]);
    assert_eq!(trials_run(true, Some(2)), vec![2, 2]);
}
