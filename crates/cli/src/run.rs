//! `waitbench run`: one strategy, one workload, K trials, a summary, and optional
//! `--json` / `--hgrm` files.

use std::time::Instant;

use anyhow::{Context, bail};
use waitbench_core::{
    ErrorPolicy, InjectedConditions, LoadModel, PathPlan, Timeouts, TrialSet, Workload,
};
use waitbench_mockserver::{MockServer, ServerConfig};
use waitbench_strategies::{PoolSize, RuntimeFlavor, StrategyKind, StrategyOptions};

use crate::args::{ConditionArgs, FlavorArg, OnErrorArg, RunArgs, ThreadsArg};
use crate::progress::Bar;
use crate::summary::summary;
use waitbench_suite::output::{write_atomic, write_json};
use waitbench_suite::{Target, measure};

/// The `--json` document of `waitbench run`.
#[derive(Debug, serde::Serialize)]
struct RunDocument<'a> {
    schema_version: u32,
    command: Vec<String>,
    result: &'a TrialSet,
}

/// The conditions as written into results, with the latency's mean for Little's law.
pub fn injected(conditions: &ConditionArgs, embedded: bool) -> InjectedConditions {
    InjectedConditions {
        latency: conditions.latency.as_ref().map(ToString::to_string),
        connect_delay: conditions.connect_delay.as_ref().map(ToString::to_string),
        faults: fault_params(conditions).into_iter().collect(),
        mean_latency_us: conditions
            .latency
            .as_ref()
            .map_or(0.0, |l| l.mean().as_secs_f64() * 1e6),
        embedded_server: embedded,
    }
}

fn fault_params(c: &ConditionArgs) -> Vec<(String, String)> {
    let mut params = Vec::new();
    if let Some(f) = &c.fail {
        params.push(("fail".into(), f.to_string()));
    }
    if let Some(p) = c.reset {
        params.push(("reset".into(), p.to_string()));
    }
    if let Some(p) = c.stall {
        params.push(("stall".into(), p.to_string()));
    }
    if let Some(b) = c.bandwidth {
        params.push(("bandwidth".into(), format!("{b}/s")));
    }
    if let Some(p) = &c.pause {
        params.push(("pause".into(), p.to_string()));
    }
    params
}

/// Query string that asks a waitbench server for these conditions per request.
fn condition_query(c: &ConditionArgs) -> Option<String> {
    let mut params = fault_params(c);
    if let Some(l) = &c.latency {
        params.push(("latency".into(), l.to_string()));
    }
    if let Some(d) = &c.connect_delay {
        params.push(("connect_delay".into(), d.to_string()));
    }
    (!params.is_empty()).then(|| {
        params
            .iter()
            .map(|(k, v)| format!("{k}={}", encode_query_value(v)))
            .collect::<Vec<_>>()
            .join("&")
    })
}

pub fn encode_query_value(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The embedded server for these conditions.
pub fn server_config(c: &ConditionArgs, threads: Option<usize>) -> ServerConfig {
    let default = ServerConfig::default();
    ServerConfig {
        latency: c.latency.clone(),
        connect_delay: c.connect_delay.clone(),
        faults: crate::serve::faults(c),
        worker_threads: threads.unwrap_or(default.worker_threads),
        ..default
    }
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
        threads: match args.threads {
            ThreadsArg::Concurrency => PoolSize::Concurrency,
            ThreadsArg::RayonDefault => PoolSize::RayonDefault,
            ThreadsArg::Fixed(n) => PoolSize::Fixed(n),
        },
        idle_per_host: args.idle_per_host,
        runtime_threads: args.runtime_threads,
        runtime_flavor: match args.runtime {
            FlavorArg::MultiThread => RuntimeFlavor::MultiThread,
            FlavorArg::CurrentThread => RuntimeFlavor::CurrentThread,
        },
        cpu_work: args.cpu_work,
        ticker: args.ticker,
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
    let name = args.strategy.as_deref().unwrap_or_default();
    let kind: StrategyKind = name.parse().map_err(|e| anyhow::anyhow!("{e}"))?;
    if args.trials == 0 {
        bail!("--trials must be at least 1");
    }
    let load = load_model(&args)?;
    let server = match &args.target {
        Some(_) => None,
        None => Some(
            MockServer::start(server_config(&args.conditions, args.server_threads))
                .context("starting the embedded mock server")?,
        ),
    };
    let target = match (&server, &args.target) {
        (Some(server), _) => Target::Embedded(server),
        (None, Some(url)) => Target::Remote(url.clone()),
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
        query: args
            .target
            .as_ref()
            .and_then(|_| condition_query(&args.conditions)),
        load,
        on_error: match args.on_error {
            OnErrorArg::WaitAll => ErrorPolicy::WaitAll,
            OnErrorArg::Cancel => ErrorPolicy::Cancel,
        },
        timeouts: Timeouts {
            connect: args.connect_timeout,
            request: args.timeout,
        },
    };
    workload.validate()?;
    let strategy = waitbench_strategies::build(kind, &strategy_options(&args));
    let injected = injected(&args.conditions, server.is_some());

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
    // and client CPU to the run being measured. A remote server is read over /stats.
    let embedded = server.as_ref().map(MockServer::state);
    let remote = Target::Remote(target.url());
    let progress = Bar::start(
        format!("{} trial 1/{}", kind.name(), args.trials),
        total,
        unit,
        args.quiet,
        move || match unit {
            "requests" => embedded
                .as_ref()
                .map(|state| state.stats())
                .or_else(|| remote.stats())
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
    print!("{}", summary(&set));

    if let Some(path) = &args.json {
        let doc = RunDocument {
            schema_version: waitbench_core::SCHEMA_VERSION,
            command: std::env::args().collect(),
            result: &set,
        };
        write_json(path, &doc)?;
        eprintln!("wrote {}", path.display());
    }
    if let Some(path) = &args.hgrm {
        let median = set
            .median_trial()
            .and_then(|m| set.trials.iter().position(|t| std::ptr::eq(t, m)))
            .unwrap_or(0);
        let mut text = Vec::new();
        waitbench_core::hgrm::write_hgrm(&histograms[median], 5, &mut text)
            .context("formatting the .hgrm distribution")?;
        write_atomic(path, &text)?;
        eprintln!("wrote {}", path.display());
    }
    Ok(())
}
