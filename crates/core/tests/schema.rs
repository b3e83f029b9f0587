//! The published JSON Schemas in `docs/schema/` are generated from the serde types, so
//! that a reader of `results.json` or `waitbench run --json` can validate what they
//! parse. This test regenerates both and fails when the committed copies are stale;
//! `WAITBENCH_BLESS=1` rewrites them. It also validates the committed reference run and a
//! run document built from it, so a schema that disagrees with what serde writes fails here.

use std::path::{Path, PathBuf};

use schemars::JsonSchema;
use schemars::generate::SchemaSettings;
use serde_json::Value;
use waitbench_core::{RunDocument, SuiteResults};

/// The schema of what waitbench reads, pretty-printed with a final newline. It is the
/// deserialize contract, so a field added later with a default is optional and files
/// written before it (such as the reference run) still validate; every file waitbench
/// writes validates too.
fn schema_text<T: JsonSchema>() -> String {
    let schema = SchemaSettings::draft2020_12()
        .into_generator()
        .into_root_schema_for::<T>();
    serde_json::to_string_pretty(&schema).expect("a schema serialises") + "\n"
}

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Writes `generated` to `relative` under `WAITBENCH_BLESS`, then checks the committed
/// file equals it, naming the first line that differs.
fn check_committed(relative: &str, generated: &str) {
    let path = workspace_root().join(relative);
    if std::env::var_os("WAITBENCH_BLESS").is_some() {
        std::fs::create_dir_all(path.parent().expect("a schema path has a folder"))
            .expect("schema folder");
        std::fs::write(&path, generated).expect("schema written");
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    if committed != generated {
        let first_difference = committed
            .lines()
            .zip(generated.lines())
            .position(|(a, b)| a != b)
            .unwrap_or_else(|| committed.lines().count().min(generated.lines().count()));
        panic!(
            "{relative} is stale; rerun with WAITBENCH_BLESS=1 (first difference at line {})",
            first_difference + 1
        );
    }
}

#[test]
fn committed_results_schema_matches_the_suite_types() {
    check_committed(
        "docs/schema/results.schema.json",
        &schema_text::<SuiteResults>(),
    );
}

#[test]
fn committed_run_schema_matches_the_run_document_type() {
    check_committed(
        "docs/schema/run.schema.json",
        &schema_text::<RunDocument<'static>>(),
    );
}

fn reference_run() -> Value {
    let path = workspace_root().join("reports/reference/results.json");
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
    serde_json::from_str(&text).expect("the reference run is JSON")
}

/// Every way `instance` breaks the schema in `schema_text`, one line each.
fn violations(schema_text: &str, instance: &Value) -> Vec<String> {
    let schema: Value = serde_json::from_str(schema_text).expect("a schema is JSON");
    let validator = jsonschema::validator_for(&schema).expect("the schema compiles");
    validator
        .iter_errors(instance)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect()
}

#[test]
fn reference_run_matches_the_results_schema() {
    let errors = violations(&schema_text::<SuiteResults>(), &reference_run());
    assert!(errors.is_empty(), "{}", errors.join("\n"));
}

#[test]
fn results_schema_rejects_a_document_without_its_claims_table() {
    let mut run = reference_run();
    run.as_object_mut()
        .expect("the reference run is an object")
        .remove("claims");
    let errors = violations(&schema_text::<SuiteResults>(), &run);
    assert!(
        errors.iter().any(|e| e.contains("claims")),
        "no error names the missing claims: {errors:?}"
    );
}

#[test]
fn run_document_of_reference_trials_matches_the_run_schema_and_reads_back() {
    let suite: SuiteResults =
        serde_json::from_value(reference_run()).expect("the reference run parses");
    let trials = &suite
        .scenarios
        .iter()
        .flat_map(|s| &s.series)
        .flat_map(|s| &s.points)
        .next()
        .expect("the reference run has a point")
        .trials;
    let command = ["waitbench", "run", "-s", "reqwest-tokio", "--json", "-"].map(String::from);
    let document = RunDocument::new(command.to_vec(), trials);
    let written = serde_json::to_value(&document).expect("a run document serialises");

    let errors = violations(&schema_text::<RunDocument<'static>>(), &written);
    assert!(errors.is_empty(), "{}", errors.join("\n"));
    let read: RunDocument<'static> =
        serde_json::from_value(written).expect("a run document reads back");
    assert_eq!(read, document);
}
