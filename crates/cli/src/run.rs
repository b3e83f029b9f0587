//! `waitbench run`: one strategy, one workload, K trials, a summary, and optional
//! `--json` / `--hgrm` outputs. Either output may be stdout (`-`), so that the run can be
//! piped; the summary then goes to stderr and stdout carries that document alone.

use std::io::Write;
use std::time::Instant;

use anyhow::{Context, bail};
use waitbench_core::{LoadModel, PathPlan, RunDocument, Timeouts, TrialSet, Workload};
use waitbench_mockserver::{Conditions, MockServer, ServerConfig};
use waitbench_strategies::{StrategyKind, StrategyOptions};

use crate::args::{Destination, RunArgs};
use crate::progress::Bar;
use waitbench_suite::output::write_atomic;
use waitbench_suite::{Target, measure};

/// The embedded server for these conditions.
fn server_config(conditions: Conditions, threads: Option<usize>) -> ServerConfig {
    let defaults = ServerConfig::default();
    ServerConfig {
        worker_threads: threads.unwrap_or(defaults.worker_threads),
        ..defaults
    }
    .with_conditions(conditions)
}

fn load_model(args: &RunArgs) -> anyhow::Result<LoadModel> {
    Ok(match (args.rate, args.duration) {
        (Some(rate), duration) => LoadModel::OpenLoop {
            rate_per_s: rate,
            duration: duration
                .context("--rate needs --duration, e.g. --rate 500 --duration 10s")?,
            warmup: args.warmup,
            max_in_flight: args.concurrency,
        },
        (None, Some(duration)) => LoadModel::ClosedLoop {
            concurrency: args.concurrency,
            duration,
            warmup: args.warmup,
        },
        (None, None) => LoadModel::Batch {
            requests: args.requests.unwrap_or(1000),
            concurrency: args.concurrency,
        },
    })
}

/// The strategy settings from the flags.
pub fn strategy_options(args: &RunArgs) -> StrategyOptions {
    StrategyOptions {
        threads: args.threads,
        idle_per_host: args.idle_per_host,
        runtime_threads: args.runtime_threads,
        runtime_flavor: args.runtime,
        cpu_work: args.cpu_work,
        ticker: args.ticker,
        plant: args
            .plant
            .filter(|spec| Some(spec.strategy) == args.strategy)
            .map(|spec| spec.plant),
    }
}

fn list() {
    println!("strategies (waitbench run --strategy NAME):");
    for kind in StrategyKind::ALL {
        println!("  {:<22} {}", kind.name(), kind.description());
    }
}

/// Runs `waitbench run`.
pub fn run(args: RunArgs) -> anyhow::Result<()> {
    if args.list {
        list();
        return Ok(());
    }
    let kind = args
        .strategy
        .expect("clap requires --strategy unless --list is given");
    if args.trials == 0 {
        bail!("--trials must be at least 1");
    }
    if args.json == Some(Destination::Stdout) && args.hgrm == Some(Destination::Stdout) {
        bail!("--json - and --hgrm - would both write to stdout; send one of them to a file");
    }
    let load = load_model(&args)?;
    let conditions = args.conditions.conditions();
    let server = match &args.target {
        Some(_) => None,
        None => Some(
            MockServer::start(server_config(conditions.clone(), args.server_threads))
                .context("starting the embedded mock server")?,
        ),
    };
    let target = match (&server, &args.target) {
        (Some(server), _) => Target::Embedded(server),
        (None, Some(url)) => Target::remote(url),
        (None, None) => unreachable!("a server is started when no target is given"),
    };
    let paths = if args.distinct_endpoints {
        let count = match load {
            LoadModel::Batch { requests, .. } => requests,
            _ => bail!("--distinct-endpoints needs a batch (--requests N), not a duration or rate"),
        };
        PathPlan::DistinctItems { count }
    } else {
        PathPlan::Single {
            path: args.path.clone(),
        }
    };
    let workload = Workload {
        target: target.url(),
        paths,
        // The embedded server applies the conditions itself; a remote one is asked per
        // request.
        query: args.target.as_ref().and_then(|_| conditions.to_query()),
        load,
        on_error: args.on_error,
        timeouts: Timeouts {
            connect: args.connect_timeout,
            request: args.timeout,
        },
    };
    workload.validate()?;
    let strategy = waitbench_strategies::build(kind, &strategy_options(&args));
    let injected = conditions.to_injected(server.is_some());

    let (total, unit) = match workload.load {
        LoadModel::Batch { requests, .. } => (requests * args.trials as u64, "requests"),
        LoadModel::ClosedLoop {
            duration, warmup, ..
        }
        | LoadModel::OpenLoop {
            duration, warmup, ..
        } => (
            ((duration + warmup).as_secs_f64() * args.trials as f64).ceil() as u64,
            "s",
        ),
    };
    let started = Instant::now();
    let served_before = target.stats().map_or(0, |s| s.requests_served);
    // The embedded server is read in-process: polling it over HTTP would add connections
    // and client CPU to the run being measured. A remote waitbench server is read over
    // /stats; any other target is sent nothing but the measured requests.
    let embedded = server.as_ref().map(MockServer::state);
    let remote = match &target {
        Target::Waitbench(url) => Some(Target::Waitbench(url.clone())),
        _ => None,
    };
    let progress = Bar::start(
        format!("{} trial 1/{}", kind.name(), args.trials),
        total,
        unit,
        args.quiet,
        move || match unit {
            "requests" => embedded
                .as_ref()
                .map(|state| state.stats())
                .or_else(|| remote.as_ref().and_then(Target::stats))
                .map_or(0, |s| s.requests_served.saturating_sub(served_before)),
            _ => started.elapsed().as_secs(),
        },
    );
    let mut trials = Vec::with_capacity(args.trials);
    let mut histograms = Vec::with_capacity(args.trials);
    for trial in 0..args.trials {
        progress.set_message(format!(
            "{} trial {}/{}",
            kind.name(),
            trial + 1,
            args.trials
        ));
        let measured = measure(strategy.as_ref(), &workload, &target, &injected)?;
        trials.push(measured.result);
        histograms.push(measured.latency);
    }
    progress.finish();
    let set = TrialSet::new(trials);
    let summary = waitbench_report::summary(&set);
    let to_stdout = [&args.json, &args.hgrm].contains(&&Some(Destination::Stdout));
    if to_stdout {
        eprint!("{summary}");
    } else {
        print!("{summary}");
    }

    if let Some(destination) = &args.json {
        let doc = RunDocument::new(std::env::args().collect(), &set);
        let mut text = serde_json::to_vec_pretty(&doc).map_err(|source| {
            waitbench_suite::SuiteError::Serialize {
                what: "the run's JSON document",
                source,
            }
        })?;
        text.push(b'\n');
        emit(destination, &text)?;
    }
    if let Some(destination) = &args.hgrm {
        let median = set
            .median_trial()
            .and_then(|m| set.trials.iter().position(|t| std::ptr::eq(t, m)))
            .unwrap_or(0);
        let mut text = Vec::new();
        waitbench_core::hgrm::write_hgrm(&histograms[median], 5, &mut text)
            .context("formatting the .hgrm distribution")?;
        emit(destination, &text)?;
    }
    Ok(())
}

/// Writes an output document: atomically to a file (and says so on stderr), or whole to
/// stdout.
fn emit(destination: &Destination, bytes: &[u8]) -> anyhow::Result<()> {
    match destination {
        Destination::File(path) => {
            write_atomic(path, bytes)?;
            eprintln!("wrote {}", path.display());
        }
        Destination::Stdout => {
            let mut stdout = std::io::stdout().lock();
            stdout
                .write_all(bytes)
                .and_then(|()| stdout.flush())
                .context("writing to stdout")?;
        }
    }
    Ok(())
}
