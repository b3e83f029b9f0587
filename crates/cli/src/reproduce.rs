//! `waitbench reproduce` and `waitbench report`: run the claims suite (or re-judge a stored
//! one), show progress, write the report and print the claims table.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use waitbench_core::SuiteResults;
use waitbench_suite::{Progress, SuitePlan};

use crate::args::{ReportArgs, ReproduceArgs};
use crate::progress::Bar;

/// Runs the suite with a progress bar (unless `quiet`).
pub fn run_suite(plan: &SuitePlan, quiet: bool) -> waitbench_suite::Result<SuiteResults> {
    let done = Arc::new(AtomicU64::new(0));
    let mut bar: Option<Bar> = None;
    let results = waitbench_suite::run_suite(plan, &mut |event| match event {
        Progress::Planned { runs } => {
            let done = Arc::clone(&done);
            bar = Some(Bar::start(
                "starting".into(),
                runs,
                "runs",
                quiet,
                move || done.load(Ordering::Relaxed),
            ));
        }
        Progress::RunStarted {
            claim,
            series,
            x,
            trial,
            trials,
        } => {
            if let Some(bar) = &bar {
                bar.set_message(format!(
                    "{claim} · {series} · x={x} · trial {trial}/{trials}"
                ));
            }
        }
        Progress::RunFinished { .. } => {
            done.fetch_add(1, Ordering::Relaxed);
        }
    });
    if let Some(bar) = bar {
        bar.finish();
    }
    results
}

fn terminal_width() -> usize {
    std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(120)
}

fn print_claims(results: &SuiteResults) {
    println!(
        "{}",
        waitbench_report::claims_table_text(&results.claims, terminal_width())
    );
}

/// Runs `waitbench reproduce`.
pub fn reproduce(args: ReproduceArgs) -> anyhow::Result<()> {
    let plan = SuitePlan {
        quick: args.quick,
        only: args.only,
        scenarios: waitbench_suite::load_dir(&args.scenarios)?,
        trials: args.trials,
        plants: args.plant,
        focus: None,
    };
    let results = run_suite(&plan, args.quiet)?;
    waitbench_suite::write_report(&results, &args.out)?;
    print_claims(&results);
    println!(
        "{} in {:.0}s on {}; report: {}",
        if results.quick {
            "quick run"
        } else {
            "full run"
        },
        results.duration_s,
        results.environment.label(),
        index(&args.out)
    );
    Ok(())
}

fn index(out: &Path) -> String {
    out.join("index.html").display().to_string()
}

/// Runs `waitbench report`.
pub fn report(args: ReportArgs) -> anyhow::Result<()> {
    let mut results = waitbench_report::read_results(&args.results)?;
    // Claims are derived data: re-judge them from the stored measurements, so a fixed
    // rule or wording applies to results measured before the fix.
    results.claims = waitbench_suite::claims::evaluate(&results.scenarios);
    waitbench_suite::write_report(&results, &args.out)?;
    print_claims(&results);
    println!("report: {}", index(&args.out));
    Ok(())
}
