//! `waitbench run`: flags into a [`SingleRun`], a progress bar, the summary, and the
//! `--json` / `--hgrm` outputs. Either output may be stdout (`-`), so that the run can be
//! piped; the summary then goes to stderr and stdout carries that document alone.

use waitbench_core::units::Probability;
use waitbench_strategies::{StrategyKind, StrategyOptions};
use waitbench_suite::exit::Conclusion;
use waitbench_suite::single::{Outputs, Prepared, SingleRun};

use crate::args::RunArgs;
use crate::progress::Bar;

/// Runs `waitbench run`: interrupted or over its error budget, it still prints and writes
/// what it measured, and says so in its conclusion.
pub fn run(args: RunArgs) -> anyhow::Result<Conclusion> {
    if args.list {
        println!("strategies (waitbench run --strategy NAME):");
        for kind in StrategyKind::ALL {
            println!("  {:<22} {}", kind.name(), kind.description());
        }
        return Ok(Conclusion::Ok);
    }
    let kind = args
        .strategy
        .expect("clap requires --strategy unless --list is given");
    let outputs = Outputs {
        json: args.json.clone(),
        hgrm: args.hgrm.clone(),
        hlog: args.hlog.clone(),
    };
    outputs.check()?;
    let prepared = Prepared::new(&SingleRun {
        strategy: kind,
        options: StrategyOptions {
            plant: args
                .plant
                .specs
                .iter()
                .find(|s| s.strategy == kind)
                .map(|s| s.plant),
            ..args.options.clone()
        },
        load: args.load.model()?,
        distinct_endpoints: args.distinct_endpoints,
        path: args.path.clone(),
        conditions: args.conditions.clone(),
        target: args.target.clone(),
        server_threads: args.server_threads,
        on_error: args.on_error,
        timeouts: args.timeouts,
        trials: args.trials,
        max_error_rate: args.max_error_rate.map(Probability::get),
        control_token: args.token.control_token.clone(),
        placement: args.placement.placement()?,
        start_at: args.start_at,
    })?;
    let (total, unit) = prepared.total();
    let trials = args.trials;
    let label = |trial| format!("{} trial {trial}/{trials}", kind.name());
    let progress = Bar::start(label(1), total, unit, args.quiet, prepared.position());
    let outcome = prepared.run(&mut |trial| progress.set_message(label(trial)));
    progress.finish();
    let outcome = outcome?;
    if outcome.set.trials.is_empty() {
        eprintln!("interrupted before the first trial: nothing was measured");
        return Ok(Conclusion::Interrupted);
    }
    let summary = waitbench_report::summary(&outcome.set);
    if outputs.uses_stdout() {
        eprint!("{summary}");
    } else {
        print!("{summary}");
    }
    let command: Vec<String> = std::env::args().collect();
    for path in outputs.write(&outcome, &command)? {
        eprintln!("wrote {}", path.display());
    }
    let (conclusion, line) = outcome.conclusion();
    if let Some(line) = line {
        eprintln!("{line}");
    }
    Ok(conclusion)
}
