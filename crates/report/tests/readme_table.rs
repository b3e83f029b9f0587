//! The README's reference table is generated from the committed reference run: this
//! fails when one changed without the other, and names the command that regenerates it.

use std::path::PathBuf;

#[test]
fn the_readme_reference_table_is_the_one_the_reference_run_gives() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let suite = waitbench_report::read_results(&root.join("reports/reference/results.json"))
        .expect("the reference run reads");
    let readme = std::fs::read_to_string(root.join("README.md")).expect("README.md");
    let table = waitbench_report::claims_table_markdown(&suite.claims);
    let spliced = waitbench_report::splice_table(&readme, &table).expect("README has the markers");
    assert!(
        spliced == readme,
        "README.md's claims table differs from reports/reference/results.json: run \
         `cargo run -p waitbench-report --example readme_table -- --write`"
    );
}
