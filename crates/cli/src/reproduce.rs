//! `waitbench reproduce` and `waitbench report`: run the claims suite (or re-judge a stored
//! one), show progress, write the report and print the claims table.

use waitbench_core::SuiteResults;
use waitbench_suite::SuitePlan;
use waitbench_suite::exit::Conclusion;

use crate::args::{ReportArgs, ReproduceArgs};
use crate::progress::{Mode, SuiteProgress};

/// Width of the claims table when stdout is not a terminal (a file, a pipe, a CI log).
const FALLBACK_WIDTH: usize = 120;

/// Runs the suite with its progress on stderr: a bar in a terminal, a line per finished
/// run elsewhere, nothing when `quiet`.
pub fn run_suite(plan: &SuitePlan, quiet: bool) -> waitbench_suite::Result<SuiteResults> {
    let mut progress = SuiteProgress::new(Mode::detect(quiet));
    let results = waitbench_suite::run_suite(plan, &mut |event| progress.on(event));
    progress.finish();
    results
}

/// The width of the terminal stdout is, asked of the terminal itself: shells do not
/// export `$COLUMNS` to the programs they run.
fn terminal_width() -> usize {
    terminal_size::terminal_size_of(std::io::stdout())
        .map_or(FALLBACK_WIDTH, |(width, _)| usize::from(width.0))
}

fn print_claims(results: &SuiteResults) {
    println!(
        "{}",
        waitbench_report::claims_table_text(&results.claims, terminal_width())
    );
}

/// Runs `waitbench reproduce`.
pub fn reproduce(args: ReproduceArgs) -> anyhow::Result<Conclusion> {
    let plan = SuitePlan {
        quick: args.quick,
        only: args.only,
        scenarios: waitbench_suite::load_scenarios(args.scenarios.as_deref())?,
        trials: args.trials,
        plants: args.plant.specs,
        focus: None,
        journal: Some(waitbench_suite::journal::path_for(&args.out)),
        resume: args.resume,
        server: args.server.choice(),
        placement: args.server.placement.placement()?,
        python: waitbench_suite::PythonSeries::all_unless(
            args.no_python
                || args
                    .no_runtime
                    .contains(&waitbench_strategies::Stack::Python),
        ),
        left_out: args.no_runtime.clone(),
    };
    if plan.python.any()
        && let Some(reason) = waitbench_suite::runner::python_unavailable()?
    {
        eprintln!("not measured: {reason}");
    }
    let results = run_suite(&plan, args.quiet)?;
    let (conclusion, line) = waitbench_suite::runner::publish(&results, &args.out)?;
    print_claims(&results);
    println!("{line}");
    Ok(conclusion)
}

/// Runs `waitbench report`.
pub fn report(args: ReportArgs) -> anyhow::Result<()> {
    let mut results = waitbench_report::read_results(&args.results)?;
    // Claims are derived data: re-judge them from the stored measurements, so a fixed
    // rule or wording applies to results measured before the fix.
    results.claims = waitbench_suite::claims::evaluate(&results.scenarios);
    waitbench_suite::write_report(&results, &args.out)?;
    print_claims(&results);
    println!(
        "report: {}",
        args.out.join(waitbench_report::INDEX_FILE).display()
    );
    Ok(())
}
