//! `waitbench check`: parse, run the gate (with a progress bar), print the table, write
//! the requested files, and turn the verdict into an exit code. The baseline and the
//! scenarios default to the built-in copies; only rewriting a baseline needs a file.

use std::path::Path;

use anyhow::Context;
use waitbench_suite::check::baseline::{Selection, make_baseline_from_files};
use waitbench_suite::check::export::exported;
use waitbench_suite::check::gate;
use waitbench_suite::exit::Conclusion;
use waitbench_suite::output::{write_atomic, write_json};

use crate::args::CheckArgs;

/// Runs `waitbench check`.
pub fn check(args: CheckArgs) -> anyhow::Result<Conclusion> {
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
