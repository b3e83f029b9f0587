//! `waitbench check`: parse, run the gate (with a progress bar), print the table, write
//! the requested files, and turn the verdict into an exit code. The baseline and the
//! scenarios default to the built-in copies; only rewriting a baseline needs a file.

use std::path::Path;

use anyhow::Context;
use waitbench_core::threshold::table;
use waitbench_suite::check::baseline::{Selection, make_baseline_from_files};
use waitbench_suite::check::export::exported;
use waitbench_suite::check::gate;
use waitbench_suite::check::own;
use waitbench_suite::exit::Conclusion;
use waitbench_suite::merge::read_document;
use waitbench_suite::output::{write_atomic, write_json};

use crate::args::CheckArgs;

/// Runs `waitbench check`.
pub fn check(args: CheckArgs) -> anyhow::Result<Conclusion> {
    if let Some(results) = &args.results
        && own::is_run_document(results)?
    {
        return check_own(&args, results);
    }
    if !args.thresholds.is_empty() || !args.tolerances.is_empty() {
        anyhow::bail!(
            "--threshold and --tolerance judge a `waitbench run --json` document; give one \
             as the results file (a suite's results are judged by the baseline's metrics)"
        );
    }
    let baseline = waitbench_suite::load_baseline(args.baseline.as_deref())?;
    if !args.make_baseline.is_empty() {
        let path = baseline_file(&args, "--make-baseline")?;
        let only = Selection {
            prefixes: args.only_metrics.clone(),
        };
        let rebuilt = make_baseline_from_files(&baseline, &args.make_baseline, &only)?;
        write_json(path, &rebuilt)?;
        println!(
            "wrote {} from {} runs ({} metrics)",
            path.display(),
            args.make_baseline.len(),
            rebuilt.metrics.len()
        );
        return Ok(Conclusion::Ok);
    }
    let checked = match &args.results {
        Some(path) => gate::stored(&baseline, waitbench_report::read_results(path)?)?,
        None => {
            let scenarios = waitbench_suite::load_scenarios(args.scenarios.as_deref())?;
            let (server, placement) = (args.server.choice(), args.server.placement.placement()?);
            eprintln!(
                "no results file given: running the quick suite for claims {}",
                baseline.claims().join(", ")
            );
            let checked = gate::live(
                &baseline,
                &scenarios,
                &args.plant.specs,
                &mut |plan, hide| {
                    let plan = waitbench_suite::SuitePlan {
                        server: server.clone(),
                        placement: placement.clone(),
                        ..plan.clone()
                    };
                    crate::reproduce::run_suite(&plan, args.quiet || hide)
                },
                &mut |note| eprintln!("{note}"),
            );
            if waitbench_core::interrupt::requested() {
                eprintln!("interrupted: the check is not complete and has no verdict");
                return Ok(Conclusion::Interrupted);
            }
            let checked = checked?;
            waitbench_suite::write_report(&checked.results, &args.out)?;
            eprintln!(
                "report: {}",
                args.out.join(waitbench_report::INDEX_FILE).display()
            );
            checked
        }
    };
    print!("{}", checked.text());
    checked.require_python()?;
    if let Some(path) = &args.markdown {
        write_atomic(path, checked.markdown().as_bytes())?;
    }
    if let Some(path) = &args.json {
        write_json(path, &checked.json())?;
    }
    if let Some(format) = args.export {
        let written = format.write(&exported(&checked.results, &baseline), &args.export_file)?;
        for file in written {
            eprintln!("wrote {} ({format})", file.display());
        }
    }
    if args.update_baseline {
        let path = baseline_file(&args, "--update-baseline")?;
        write_json(path, &baseline.updated_from(&checked.results))?;
        println!("updated {} from the current results", path.display());
        return Ok(Conclusion::Ok);
    }
    Ok(checked.verdict.into())
}

/// `check RUN.json`: the thresholds given and those a `--baseline` run sets, judged on the
/// median trial; exit 1 when one fails. `--update-baseline` makes this run the baseline.
fn check_own(args: &CheckArgs, results: &Path) -> anyhow::Result<Conclusion> {
    let result = own::median(&read_document(results)?, results)?;
    let mut thresholds = args.thresholds.clone();
    if let Some(path) = &args.baseline {
        if !own::is_run_document(path)? {
            anyhow::bail!(
                "--baseline {} is not a `waitbench run --json` document; a run's result is \
                 checked against an earlier run of the same service",
                path.display()
            );
        }
        let baseline = own::median(&read_document(path)?, path)?;
        // The embedded server's port changes from run to run; a target's URL does not.
        let foreign = !baseline.injected.embedded_server && !result.injected.embedded_server;
        if baseline.workload.load != result.workload.load
            || baseline.workload.request != result.workload.request
            || (foreign && baseline.url != result.url)
        {
            eprintln!(
                "note: the baseline's workload differs from this run's ({} vs {}): the \
                 comparison is only as fair as the workloads are alike",
                baseline.url, result.url
            );
        }
        thresholds.extend(own::baseline_thresholds(&baseline, &args.tolerances));
    } else if !args.tolerances.is_empty() {
        anyhow::bail!("--tolerance moves a metric from its --baseline: give --baseline RUN.json");
    }
    if thresholds.is_empty() {
        anyhow::bail!(
            "nothing to check {} against: give --threshold (e.g. 'p99<200ms') or \
             --baseline RUN.json",
            results.display()
        );
    }
    let judged = own::judge(&result, &thresholds);
    print!("{}", table(&result.strategy.name, &judged));
    if args.update_baseline {
        let path = baseline_file(args, "--update-baseline")?;
        write_atomic(path, &std::fs::read(results)?)?;
        println!("updated {} from {}", path.display(), results.display());
        return Ok(Conclusion::Ok);
    }
    Ok(if judged.iter().all(|j| j.passed) {
        Conclusion::Ok
    } else {
        Conclusion::Regression
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
