//! `waitbench run`: flags into a [`SingleRun`], a progress bar, the summary, and the
//! `--json` / `--hgrm` outputs. Either output may be stdout (`-`), so that the run can be
//! piped; the summary then goes to stderr and stdout carries that document alone. With
//! several strategies, each gets its summary and its own files, and a comparison ends
//! the output.

use waitbench_core::units::Probability;
use waitbench_strategies::StrategyKind;
use waitbench_strategies::external::Program;
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
    let client = args
        .client
        .as_deref()
        .map(Program::from_command_line)
        .transpose()
        .map_err(|e| waitbench_suite::SuiteError::Usage(e.to_string()))?;
    let kinds: Vec<StrategyKind> = client
        .as_ref()
        .map(|_| StrategyKind::Client)
        .into_iter()
        .chain(args.strategy.iter().copied())
        .collect();
    let outputs = Outputs {
        json: args.json.clone(),
        hgrm: args.hgrm.clone(),
        hlog: args.hlog.clone(),
    };
    let per_strategy: Vec<Outputs> = match kinds.as_slice() {
        [_] => vec![outputs.clone()],
        many => many
            .iter()
            .map(|&kind| outputs.for_strategy(kind))
            .collect::<Result<_, _>>()?,
    };
    let mut created = Vec::new();
    for outputs in &per_strategy {
        for folder in outputs.check()? {
            if !created.contains(&folder) {
                created.push(folder);
            }
        }
    }
    let prepared = Prepared::new(&SingleRun {
        strategies: kinds.clone(),
        client,
        options: args.options.clone(),
        plants: args.plant.specs.clone(),
        load: args.load.model()?,
        distinct_endpoints: args.distinct_endpoints,
        path: args.path.clone(),
        request: args.request.spec()?,
        conditions: args.conditions.clone(),
        target: args.target.clone(),
        preflight: !args.no_preflight,
        server_threads: args.server_threads,
        tls: args.tls,
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
    let label = |trial, kind: StrategyKind| format!("{} trial {trial}/{trials}", kind.name());
    let progress = Bar::start(
        label(1, kinds[0]),
        total,
        unit,
        args.quiet,
        prepared.position(),
    );
    let outcomes = prepared.run(&mut |trial, kind| progress.set_message(label(trial, kind)));
    progress.finish();
    let outcomes = outcomes?;
    if outcomes.iter().all(|o| o.set.trials.is_empty()) {
        eprintln!("interrupted before the first trial: nothing was measured");
        return Ok(Conclusion::Interrupted);
    }
    let to_stderr = outputs.uses_stdout();
    let say = |text: &str| {
        if to_stderr {
            eprint!("{text}");
        } else {
            print!("{text}");
        }
    };
    let command: Vec<String> = std::env::args().collect();
    let mut conclusions = Vec::new();
    for (outcome, outputs) in outcomes.iter().zip(&per_strategy) {
        if outcome.set.trials.is_empty() {
            continue;
        }
        say(&waitbench_report::summary(&outcome.set));
        for path in outputs.write(outcome, &command)? {
            eprintln!("wrote {}", path.display());
        }
        conclusions.push(outcome.conclusion());
        if let Some(median) = outcome.set.median_trial()
            && !args.thresholds.is_empty()
        {
            let judged: Vec<_> = args.thresholds.iter().map(|t| t.judge(median)).collect();
            say(&waitbench_core::threshold::table(
                &median.strategy.name,
                &judged,
            ));
            if let Some(failed) = judged.iter().find(|j| !j.passed) {
                let line = format!(
                    "threshold failed: {} but measured {} ({})",
                    failed.threshold,
                    failed.shown(),
                    median.strategy.name
                );
                conclusions.push((Conclusion::Regression, Some(line)));
            }
        }
    }
    for folder in &created {
        eprintln!("created folder {} for the outputs", folder.display());
    }
    let sets: Vec<_> = outcomes.iter().map(|o| &o.set).collect();
    say(&waitbench_report::comparison(&sets));
    // An interruption says the most about the figures, then an error budget broken
    // (the figures measure failures), then a threshold.
    let rank = |c: Conclusion| match c {
        Conclusion::Interrupted => 3,
        Conclusion::TooManyErrors => 2,
        Conclusion::Regression | Conclusion::Nonconforming => 1,
        _ => 0,
    };
    let mut worst = Conclusion::Ok;
    for (conclusion, line) in conclusions {
        if let Some(line) = line {
            eprintln!("{line}");
        }
        if rank(conclusion) > rank(worst) {
            worst = conclusion;
        }
    }
    Ok(worst)
}
