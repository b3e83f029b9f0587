//! `waitbench run`: flags into a [`SingleRun`], a progress bar, the summary, and the
//! `--json` / `--hgrm` outputs. Either output may be stdout (`-`), so that the run can be
//! piped; the summary then goes to stderr and stdout carries that document alone.

use anyhow::bail;
use waitbench_core::Timeouts;
use waitbench_core::units::{Probability, format_percent};
use waitbench_strategies::{StrategyKind, StrategyOptions};
use waitbench_suite::exit::Conclusion;
use waitbench_suite::output::{Destination, check_writable};
use waitbench_suite::single::{Prepared, SingleRun, load_model};

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
    if args.json == Some(Destination::Stdout) && args.hgrm == Some(Destination::Stdout) {
        bail!("--json - and --hgrm - would both write to stdout; send one of them to a file");
    }
    // A bad output path is found now, not after a long run has measured everything.
    for destination in [&args.json, &args.hgrm].into_iter().flatten() {
        if let Destination::File(path) = destination {
            check_writable(path)?;
        }
    }
    if let Some(path) = &args.hlog {
        check_writable(path)?;
    }
    let prepared = Prepared::new(&SingleRun {
        strategy: kind,
        options: StrategyOptions {
            threads: args.threads,
            idle_per_host: args.idle_per_host,
            runtime_threads: args.runtime_threads,
            runtime_flavor: args.runtime,
            cpu_work: args.cpu_work,
            ticker: args.ticker,
            plant: args
                .plant
                .specs
                .iter()
                .find(|s| s.strategy == kind)
                .map(|s| s.plant),
        },
        load: load_model(
            args.requests,
            args.concurrency,
            args.duration,
            args.warmup,
            args.rate,
        )?,
        distinct_endpoints: args.distinct_endpoints,
        path: args.path.clone(),
        conditions: args.conditions.clone(),
        target: args.target.clone(),
        server_threads: args.server_threads,
        on_error: args.on_error,
        timeouts: Timeouts {
            connect: args.connect_timeout,
            request: args.timeout,
        },
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
    let to_stdout = [&args.json, &args.hgrm].contains(&&Some(Destination::Stdout));
    if to_stdout {
        eprint!("{summary}");
    } else {
        print!("{summary}");
    }
    let command: Vec<String> = std::env::args().collect();
    let hlog = args.hlog.clone().map(Destination::File);
    let outputs = [
        (&args.json, outcome.json(command.clone())),
        (&args.hgrm, outcome.hgrm()),
        // Formatted only when asked for: an hour-long run has 3,600 histograms.
        (
            &hlog,
            match hlog {
                Some(_) => outcome.hlog(&command),
                None => Ok(Vec::new()),
            },
        ),
    ];
    for (destination, document) in outputs {
        if let Some(destination) = destination {
            destination.write(&document?)?;
            if let Destination::File(path) = destination {
                eprintln!("wrote {}", path.display());
            }
        }
    }
    if outcome.interrupted {
        eprintln!("interrupted: the results above cover the measured window only");
        return Ok(Conclusion::Interrupted);
    }
    if let Some(rate) = outcome.over_error_budget() {
        eprintln!(
            "error: {} of requests failed, over --max-error-rate {} (raise it, or \
             --max-error-rate 1 to accept any)",
            format_percent(rate),
            format_percent(outcome.error_budget)
        );
        return Ok(Conclusion::TooManyErrors);
    }
    Ok(Conclusion::Ok)
}
