//! Python metrics in the gate: a machine without Python, or results made with
//! `--no-python`, still check every Rust metric and name the Python ones not checked; a
//! baseline rebuilt from runs that lack the Python series keeps their entries. Shown on
//! the recorded results of a Rust-only `waitbench check` run.

use std::path::{Path, PathBuf};

use waitbench_core::SuiteResults;
use waitbench_suite::PythonSeries;
use waitbench_suite::check::baseline::{Selection, TOLERANCE_POLICY, make_baseline};
use waitbench_suite::check::{Baseline, GateVerdict, gate, metrics, read_baseline};

fn repo(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(path)
}

fn recorded() -> SuiteResults {
    let path = repo("crates/suite/tests/fixtures/unchanged.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

const PYTHON_METRIC: &str = "claim.F2.python_throughput_ratio";

/// The committed baseline's Rust metrics, plus one Python metric copied from a Rust
/// entry, so the test does not depend on which Python metrics the baseline gates today.
fn with_python() -> Baseline {
    let mut baseline = read_baseline(&repo("fixtures/baselines/ci.json")).unwrap();
    baseline.metrics.retain(|name, _| !name.contains("python"));
    assert!(!baseline.needs_python());
    let entry = baseline.metrics["claim.F2.throughput_ratio"].clone();
    baseline.metrics.insert(PYTHON_METRIC.into(), entry);
    assert!(baseline.needs_python());
    assert_eq!(baseline.python_claims(), vec!["F2".to_string()]);
    baseline
}

#[test]
fn results_without_python_check_rust_and_name_the_python_metrics_not_checked() {
    let baseline = with_python();
    let checked = gate::stored(&baseline, recorded()).expect("only a Python metric is missing");
    assert_eq!(checked.unmeasured, vec![PYTHON_METRIC.to_string()]);
    assert_eq!(checked.rows.len(), baseline.metrics.len() - 1);
    assert_eq!(checked.verdict, GateVerdict::Pass);
    assert!(
        checked.text().contains(&format!(
            "not checked (the results have no Python series): {PYTHON_METRIC}"
        )),
        "{}",
        checked.text()
    );
    assert_eq!(checked.json()["not_checked"][0], PYTHON_METRIC);
}

#[test]
fn a_missing_rust_metric_is_still_an_error_naming_it() {
    let mut baseline = with_python();
    let entry = baseline.metrics["claim.B.saving_ureq"].clone();
    baseline.metrics.insert("claim.B.saving_typo".into(), entry);
    let error = gate::stored(&baseline, recorded()).unwrap_err().to_string();
    assert!(
        error.contains("claim.B.saving_typo: not in the results"),
        "{error}"
    );
}

#[test]
fn a_rebuild_from_runs_without_python_keeps_the_python_entry_and_rebuilds_the_rest() {
    let template = with_python();
    let run = recorded();
    let measured = metrics(&run);
    let runs = vec![run; TOLERANCE_POLICY.min_runs];
    let rebuilt = make_baseline(&template, &runs, TOLERANCE_POLICY, &Selection::default()).unwrap();
    assert_eq!(
        rebuilt.metrics[PYTHON_METRIC].note,
        template.metrics[PYTHON_METRIC].note
    );
    assert_eq!(
        rebuilt.metrics[PYTHON_METRIC].value,
        template.metrics[PYTHON_METRIC].value
    );
    let rust = "C.async@100.efficiency";
    let value = rebuilt.metrics[rust].value;
    assert!(
        (value - measured[rust]).abs() < 1e-3 * measured[rust],
        "{value}"
    );
    assert!(rebuilt.metrics[rust].note.contains("30 runs"));
}

#[test]
fn a_metric_in_some_runs_but_not_all_is_refused() {
    let template = with_python();
    let mut runs = vec![recorded(); TOLERANCE_POLICY.min_runs];
    runs[3].claims.retain(|row| row.id != "F2");
    let error = make_baseline(&template, &runs, TOLERANCE_POLICY, &Selection::default())
        .unwrap_err()
        .to_string();
    assert!(
        error.contains("claim.F2.throughput_ratio is in 29 of the 30 runs"),
        "{error}"
    );
}

#[test]
fn a_selection_rebuilds_only_the_metrics_it_names() {
    let template = read_baseline(&repo("fixtures/baselines/ci.json")).unwrap();
    let runs = vec![recorded(); TOLERANCE_POLICY.min_runs];
    let only = Selection {
        prefixes: vec!["claim.F2.".into()],
    };
    let rebuilt = make_baseline(&template, &runs, TOLERANCE_POLICY, &only).unwrap();
    for (name, entry) in &rebuilt.metrics {
        let rebuilt_here = entry.note != template.metrics[name].note;
        assert_eq!(rebuilt_here, name == "claim.F2.throughput_ratio", "{name}");
    }
}

#[test]
fn a_selection_that_matches_nothing_is_refused_by_name() {
    let template = read_baseline(&repo("fixtures/baselines/ci.json")).unwrap();
    let runs = vec![recorded(); TOLERANCE_POLICY.min_runs];
    let only = Selection {
        prefixes: vec!["claim.Z.".into()],
    };
    let error = make_baseline(&template, &runs, TOLERANCE_POLICY, &only)
        .unwrap_err()
        .to_string();
    assert!(
        error.contains("--only-metrics claim.Z. selects none"),
        "{error}"
    );
}

#[test]
fn the_gate_measures_python_only_for_the_claims_its_baseline_reads() {
    let series = PythonSeries::Of(with_python().python_claims());
    assert!(series.of("F2"));
    assert!(!series.of("A") && !series.of("C"));
    assert!(PythonSeries::all_unless(false).of("A"));
    assert!(!PythonSeries::all_unless(true).any());
}
