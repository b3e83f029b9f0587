//! The README's reference table from the committed reference run: prints it, or with
//! `--write` puts it between the README's markers, or with `--check` exits 1 when the
//! README's table differs from what `reports/reference/results.json` gives.
//!
//! `cargo run -p waitbench-report --example readme_table -- [--write | --check]
//! [RESULTS.json [README.md]]` (defaults: the repository's reference run and README).

use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> Result<ExitCode, Box<dyn std::error::Error>> {
    let mut mode = None;
    let mut paths = Vec::new();
    for arg in std::env::args().skip(1) {
        match arg.as_str() {
            "--write" | "--check" => mode = Some(arg),
            "-h" | "--help" => {
                println!("readme_table [--write | --check] [RESULTS.json [README.md]]");
                return Ok(ExitCode::SUCCESS);
            }
            other if other.starts_with('-') => {
                return Err(format!("unknown option {other}: use --write or --check").into());
            }
            _ => paths.push(PathBuf::from(arg)),
        }
    }
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let results = paths
        .first()
        .cloned()
        .unwrap_or_else(|| root.join("reports/reference/results.json"));
    let readme = paths
        .get(1)
        .cloned()
        .unwrap_or_else(|| root.join("README.md"));
    let suite = waitbench_report::read_results(&results)?;
    let table = waitbench_report::claims_table_markdown(&suite.claims);
    let Some(mode) = mode else {
        print!("{table}");
        return Ok(ExitCode::SUCCESS);
    };
    let text = std::fs::read_to_string(&readme)
        .map_err(|e| format!("reading {}: {e}", readme.display()))?;
    let spliced = waitbench_report::splice_table(&text, &table)
        .map_err(|e| format!("{}: {e}", readme.display()))?;
    if spliced == text {
        println!(
            "{}: the claims table matches {}",
            readme.display(),
            results.display()
        );
        return Ok(ExitCode::SUCCESS);
    }
    if mode == "--check" {
        eprintln!(
            "{}: the claims table differs from {}; rerun with --write",
            readme.display(),
            results.display()
        );
        return Ok(ExitCode::FAILURE);
    }
    // Written beside and renamed, so that an interrupted write leaves the old README.
    let temporary = readme.with_extension("md.tmp");
    std::fs::write(&temporary, &spliced)?;
    std::fs::rename(&temporary, &readme)?;
    println!(
        "{}: claims table written from {}",
        readme.display(),
        results.display()
    );
    Ok(ExitCode::SUCCESS)
}
