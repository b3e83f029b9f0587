//! The gate cannot pass a flipped verdict: a claim figure that a rule reads declares the
//! value its verdict flips at, and no tolerance (committed, rebuilt or applied) reaches
//! past it. Metrics that never moved in the runs a baseline came from are marked as
//! invariants, so that holding them is not read as evidence of a stable measurement.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use waitbench_core::SuiteResults;
use waitbench_suite::check::baseline::{Selection, TOLERANCE_POLICY, make_baseline};
use waitbench_suite::check::compare::{Status, compare};
use waitbench_suite::check::metrics::Direction;
use waitbench_suite::check::read_baseline;

fn repo(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(path)
}

#[test]
fn no_committed_tolerance_admits_a_value_past_its_claims_threshold() {
    let baseline = read_baseline(&repo("fixtures/baselines/ci.json")).unwrap();
    let mut with_edges = Vec::new();
    for (name, metric) in &baseline.metrics {
        let Some(edge) = metric.edge else { continue };
        with_edges.push(name.as_str());
        let worst = match metric.direction {
            Direction::Higher => metric.value - metric.tolerance.allowance(metric.value),
            Direction::Lower => metric.value + metric.tolerance.allowance(metric.value),
        };
        let on_its_side = match metric.direction {
            Direction::Higher => worst >= edge - 1e-9,
            Direction::Lower => worst <= edge + 1e-9,
        };
        assert!(
            on_its_side,
            "{name}: {} ± its tolerance passes {worst}, past the verdict's edge {edge}",
            metric.value
        );
    }
    for figure in [
        "claim.B.python_saving",
        "claim.B.saving_ureq",
        "claim.F2.throughput_ratio",
        "claim.G.cancel_issued_after",
        "claim.G.python_taskgroup_issued_after",
    ] {
        assert!(with_edges.contains(&figure), "{figure} declares no edge");
    }
}

#[test]
fn a_value_past_the_edge_regresses_whatever_the_stored_tolerance() {
    let text = r#"{"schema_version": 1, "metrics": {
        "claim.G.python_taskgroup_issued_after": {"value": 2, "direction": "lower",
            "tolerance": {"absolute": 14}, "gate": true}}}"#;
    let baseline =
        waitbench_suite::check::baseline::parse_baseline(text, Path::new("test.json")).unwrap();
    let metric = &baseline.metrics["claim.G.python_taskgroup_issued_after"];
    assert_eq!(metric.edge, Some(10.0));
    assert!(metric.reaches_past_edge());
    assert_eq!(metric.allowance(), 8.0);
    let status = |value: f64| {
        let current = BTreeMap::from([("claim.G.python_taskgroup_issued_after".into(), value)]);
        compare(&baseline, &current).unwrap()[0].status
    };
    assert_eq!(status(10.0), Status::Ok);
    assert_eq!(status(11.0), Status::Regressed);
    let current = BTreeMap::from([("claim.G.python_taskgroup_issued_after".into(), 9.0)]);
    let table = waitbench_suite::check::render::table_text(&compare(&baseline, &current).unwrap());
    assert!(
        table.contains("±14 → ±8 (the verdict flips at 10)"),
        "{table}"
    );
}

fn recorded() -> SuiteResults {
    let path = repo("crates/suite/tests/fixtures/unchanged.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[test]
fn a_rebuilt_baseline_caps_tolerances_at_the_edge_and_marks_what_never_moved() {
    let template = read_baseline(&repo("fixtures/baselines/ci.json")).unwrap();
    let template = waitbench_suite::check::Baseline {
        metrics: template
            .metrics
            .into_iter()
            .filter(|(name, _)| !name.contains("python"))
            .collect(),
        ..template
    };
    // Every run the same but ureq's saving, which spreads from 0.25 to 0.40: twice the
    // distance to the worst run would reach 0.16, past the 0.30 where B's saving is no
    // longer explained by the setup delay.
    let runs: Vec<SuiteResults> = (0..TOLERANCE_POLICY.min_runs)
        .map(|i| {
            let mut run = recorded();
            let b = run.claims.iter_mut().find(|c| c.id == "B").unwrap();
            let saving = if i == 0 {
                0.25
            } else {
                0.36 + (i % 5) as f64 * 0.01
            };
            b.figures.insert("saving_ureq".into(), saving);
            run
        })
        .collect();
    let rebuilt = make_baseline(&template, &runs, TOLERANCE_POLICY, &Selection::default()).unwrap();
    let ureq = &rebuilt.metrics["claim.B.saving_ureq"];
    assert!(!ureq.invariant);
    assert!(
        ureq.value - ureq.tolerance.allowance(ureq.value) >= 0.30 - 1e-12,
        "{ureq:?}"
    );
    assert!(
        ureq.note.ends_with("(capped at the verdict's edge)"),
        "{}",
        ureq.note
    );
    assert!(rebuilt.metrics["C.async@100.in_flight_ratio"].invariant);
}
