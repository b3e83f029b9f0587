//! `waitbench check`: compare results with the committed baseline, print the table, and
//! turn the verdict into an exit code.

use std::path::Path;

use waitbench_suite::SuitePlan;
use waitbench_suite::check::{
    Status, compare, export, metrics, read_baseline, table_markdown, table_text,
};
use waitbench_suite::output::{write_atomic, write_json};

use crate::Conclusion;
use crate::args::CheckArgs;

/// Runs `waitbench check`.
pub fn check(args: CheckArgs) -> anyhow::Result<Conclusion> {
    let baseline = read_baseline(&args.baseline)?;
    if let Some(export_args) = &args.export
        && !matches!(
            export_args[0].as_str(),
            "github-action-benchmark" | "bencher"
        )
    {
        anyhow::bail!(
            "--export {}: unknown format; use github-action-benchmark or bencher",
            export_args[0]
        );
    }
    let results = match &args.results {
        Some(path) => waitbench_report::read_results(path)?,
        None => {
            eprintln!("no results file given: running the quick suite first");
            let plan = SuitePlan {
                quick: true,
                only: Vec::new(),
                scenarios: waitbench_suite::load_dir(&args.scenarios)?,
                trials: None,
            };
            let results = crate::reproduce::run_suite(&plan, false)?;
            waitbench_suite::write_report(&results, &args.out)?;
            eprintln!("report: {}", args.out.join("index.html").display());
            results
        }
    };
    let current = metrics(&results);
    let rows = compare(&baseline, &current)?;
    print!("{}", table_text(&rows));
    if let Some(path) = &args.markdown {
        write_atomic(path, table_markdown(&rows).as_bytes())?;
    }
    if let Some(export_args) = &args.export {
        export(&export_args[0], Path::new(&export_args[1]), &current)?;
    }
    if args.update_baseline {
        let mut updated = baseline.clone();
        for (name, metric) in updated.metrics.iter_mut() {
            metric.value = current[name];
        }
        write_json(&args.baseline, &updated)?;
        println!(
            "updated {} from the current results",
            args.baseline.display()
        );
        return Ok(Conclusion::Ok);
    }
    let regressed: Vec<&str> = rows
        .iter()
        .filter(|c| c.status == Status::Regressed && c.baseline.gate)
        .map(|c| c.name.as_str())
        .collect();
    if regressed.is_empty() {
        println!(
            "all {} gated metrics hold",
            rows.iter().filter(|c| c.baseline.gate).count()
        );
        Ok(Conclusion::Ok)
    } else {
        println!("regression: {}", regressed.join(", "));
        Ok(Conclusion::Regression)
    }
}
