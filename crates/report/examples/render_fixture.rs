//! Renders a results file into a folder: `cargo run -p waitbench-report --example
//! render_fixture -- RESULTS.json OUT_DIR` (defaults: the test fixture, `target/report-preview`).

use std::path::PathBuf;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args_os().skip(1);
    let results = args.next().map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/small-results.json"),
        PathBuf::from,
    );
    let out = args
        .next()
        .map_or_else(|| PathBuf::from("target/report-preview"), PathBuf::from);
    let suite = waitbench_report::read_results(&results)?;
    let report = waitbench_report::render(&suite, &out)?;
    for file in report.files() {
        println!("{}", file.display());
    }
    for skipped in &report.skipped {
        println!("skipped {}: {}", skipped.file_name, skipped.reason);
    }
    print!(
        "{}",
        waitbench_report::claims_table_text(&suite.claims, 100)
    );
    Ok(())
}
