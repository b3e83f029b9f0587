//! `waitbench check`: parse, run the gate (with a progress bar), print the table, write
//! the requested files, and turn the verdict into an exit code. The baseline and the
//! scenarios default to the built-in copies; only rewriting a baseline needs a file.

use std::path::Path;

use anyhow::Context;
use waitbench_core::SuiteResults;
use waitbench_suite::check::export::exported;
use waitbench_suite::check::render::{json, table_markdown, table_text};
use waitbench_suite::check::{Baseline, GateVerdict, gate, make_baseline};
use waitbench_suite::output::{write_atomic, write_json};

use crate::Conclusion;
use crate::args::CheckArgs;

/// Runs `waitbench check`.
pub fn check(args: CheckArgs) -> anyhow::Result<Conclusion> {
    let baseline = waitbench_suite::load_baseline(args.baseline.as_deref())?;
    if !args.make_baseline.is_empty() {
        return rebuild_baseline(&args, &baseline, baseline_file(&args, "--make-baseline")?);
    }
    let checked = match &args.results {
        Some(path) => gate::stored(&baseline, waitbench_report::read_results(path)?)?,
        None => {
            let scenarios = waitbench_suite::load_scenarios(args.scenarios.as_deref())?;
            eprintln!(
                "no results file given: running the quick suite for claims {}",
                baseline.claims().join(", ")
            );
            let checked = gate::live(
                &baseline,
                &scenarios,
                &args.plant,
                &mut |plan, hide| crate::reproduce::run_suite(plan, args.quiet || hide),
                &mut |note| eprintln!("{note}"),
            )?;
            waitbench_suite::write_report(&checked.results, &args.out)?;
            eprintln!("report: {}", args.out.join("index.html").display());
            checked
        }
    };
    let headline = checked.verdict.headline(&checked.rows);
    let machine: Vec<String> = [
        ("the suite", &checked.suite_load),
        ("the re-measurement", &checked.confirmation_load),
    ]
    .into_iter()
    .filter_map(|(what, load)| {
        Some(format!(
            "machine during {what}: {}",
            load.as_ref()?.describe()
        ))
    })
    .collect();
    print!("{}", table_text(&checked.rows));
    for line in &machine {
        println!("{line}");
    }
    println!("{headline}");
    if let Some(path) = &args.markdown {
        let mut text = table_markdown(&checked.rows, &headline);
        for line in &machine {
            text.push_str(&format!("\n{line}\n"));
        }
        write_atomic(path, text.as_bytes())?;
    }
    if let Some(path) = &args.json {
        write_json(
            path,
            &json(
                &checked.rows,
                checked.verdict,
                checked.suite_load.as_ref(),
                checked.confirmation_load.as_ref(),
            ),
        )?;
    }
    if let Some(format) = args.export {
        let written = format.write(&exported(&checked.results, &baseline), &args.export_file)?;
        for file in written {
            eprintln!("wrote {} ({format})", file.display());
        }
    }
    if args.update_baseline {
        let path = baseline_file(&args, "--update-baseline")?;
        let mut updated = baseline.clone();
        let current = waitbench_suite::check::metrics(&checked.results);
        for (name, metric) in updated.metrics.iter_mut() {
            metric.value = current[name];
        }
        write_json(path, &updated)?;
        println!("updated {} from the current results", path.display());
        return Ok(Conclusion::Ok);
    }
    Ok(match checked.verdict {
        GateVerdict::Pass => Conclusion::Ok,
        GateVerdict::Regression => Conclusion::Regression,
        GateVerdict::Inconclusive => Conclusion::Inconclusive,
    })
}

/// The file a baseline-rewriting `flag` writes: the built-in baseline cannot be
/// rewritten, and no file is picked silently.
fn baseline_file<'a>(args: &'a CheckArgs, flag: &str) -> anyhow::Result<&'a Path> {
    args.baseline.as_deref().with_context(|| {
        format!(
            "{flag} rewrites a baseline file: name it with --baseline FILE \
             (e.g. --baseline fixtures/baselines/ci.json in the repository)"
        )
    })
}

/// `--make-baseline`: the baseline's metrics, re-derived from many runs' results, written
/// to `path`.
fn rebuild_baseline(
    args: &CheckArgs,
    template: &Baseline,
    path: &Path,
) -> anyhow::Result<Conclusion> {
    let runs: Vec<SuiteResults> = args
        .make_baseline
        .iter()
        .map(|p| waitbench_report::read_results(p))
        .collect::<Result<_, _>>()?;
    let baseline = make_baseline(
        template,
        &runs,
        waitbench_suite::check::baseline::TOLERANCE_POLICY,
    )?;
    write_json(path, &baseline)?;
    println!(
        "wrote {} from {} runs ({} metrics)",
        path.display(),
        runs.len(),
        baseline.metrics.len()
    );
    Ok(Conclusion::Ok)
}
