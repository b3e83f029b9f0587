//! Command-line interface: every subcommand and flag, parsed by clap. Parsing only;
//! each subcommand's module does the work.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};
use clap_complete::Shell;
use waitbench_core::units::{HumanDuration, Probability, UnitError, WallClock};
use waitbench_core::{CpuSet, ErrorPolicy, Placement, PlacementError};
use waitbench_mockserver::{CONTROL_TOKEN_ENV, Conditions, DEFAULT_MAX_CONNECTIONS};
use waitbench_strategies::{PlantSpec, StrategyKind, StrategyOptions};
use waitbench_suite::ServerChoice;
use waitbench_suite::check::export::ExportFormat;
use waitbench_suite::output::Destination;

/// waitbench: when does async I/O beat blocking I/O and thread pools, by how much, and why.
#[derive(Debug, Parser)]
#[command(
    name = "waitbench",
    version,
    about,
    long_about = None,
    propagate_version = true,
    after_help = waitbench_suite::exit::HELP
)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the mock server until Ctrl-C.
    Serve(ServeArgs),
    /// Measure one strategy on one workload.
    Run(Box<RunArgs>),
    /// Run the claims suite and write the report.
    Reproduce(ReproduceArgs),
    /// Re-render a report from a results file.
    Report(ReportArgs),
    /// Compare results with a committed baseline; exit 1 on regression.
    Check(CheckArgs),
    /// Add up `run --json` documents that client hosts wrote at the same time.
    Merge(MergeArgs),
    /// Print a shell's completion script on stdout, e.g. `waitbench completions bash`.
    Completions(CompletionsArgs),
    /// Print the man page in roff (release packaging runs `waitbench man > waitbench.1`).
    Man,
}

/// Parses a duration flag (`250us`, `1.5s`, `2min`) with core's grammar.
fn duration(value: &str) -> Result<Duration, UnitError> {
    value.parse::<HumanDuration>().map(Duration::from)
}

/// CPU placement shared by `run`, `reproduce` and `check`.
#[derive(Debug, Clone, Default, Args)]
pub struct PlacementArgs {
    /// Pin the client's threads (runtimes, pools, workers) to these CPUs, e.g. 1 or 2-3.
    #[arg(long, value_name = "LIST")]
    pub client_cpus: Option<CpuSet>,
    /// Pin the embedded server's threads to these CPUs, disjoint from --client-cpus, e.g. 0.
    #[arg(long, value_name = "LIST")]
    pub server_cpus: Option<CpuSet>,
}

impl PlacementArgs {
    /// The placement asked for, `None` when nothing is pinned; overlapping sets are refused.
    pub fn placement(&self) -> Result<Option<Placement>, PlacementError> {
        let placement = Placement::new(self.client_cpus.clone(), self.server_cpus.clone())?;
        Ok(placement.is_pinned().then_some(placement))
    }
}

/// The token a standalone server's control requests need.
#[derive(Debug, Clone, Default, Args)]
pub struct ControlTokenArgs {
    /// Token of a server started with `serve --control-token`: sent as
    /// `Authorization: Bearer TOKEN` on its control requests (stats reset).
    #[arg(long, value_name = "TOKEN", env = CONTROL_TOKEN_ENV, hide_env_values = true)]
    pub control_token: Option<String>,
}

/// Where the suite's server runs: `reproduce` and `check`.
#[derive(Debug, Clone, Default, Args)]
pub struct SuiteServerArgs {
    /// Run every scenario against a standalone `waitbench serve` at this URL (e.g. on
    /// another host) instead of the embedded server.
    #[arg(long, value_name = "URL", conflicts_with = "server_cpus")]
    pub server: Option<String>,
    /// The server's control token.
    #[command(flatten)]
    pub token: ControlTokenArgs,
    /// CPU placement.
    #[command(flatten)]
    pub placement: PlacementArgs,
}

impl SuiteServerArgs {
    /// The server these flags choose.
    pub fn choice(&self) -> ServerChoice {
        match &self.server {
            None => ServerChoice::Embedded,
            Some(url) => ServerChoice::Remote {
                url: url.clone(),
                control_token: self.token.control_token.clone(),
            },
        }
    }
}

/// `waitbench serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on; anything but loopback must be asked for and prints a warning.
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    /// Server worker threads (default: one per core).
    #[arg(long)]
    pub threads: Option<usize>,
    /// Most connections open at once; one more is answered 503 and closed.
    #[arg(long, value_name = "N", default_value_t = DEFAULT_MAX_CONNECTIONS)]
    pub max_connections: usize,
    /// Close a connection that has not sent a whole request head this long after it
    /// opened or went idle (idle keep-alive and slowloris connections).
    #[arg(long, value_name = "DURATION", value_parser = duration, default_value = "30s")]
    pub header_timeout: Duration,
    /// On Ctrl-C or SIGTERM, let requests in flight finish for at most this long.
    #[arg(long, value_name = "DURATION", value_parser = duration, default_value = "10s")]
    pub shutdown_timeout: Duration,
    /// Token that POST /stats/reset must carry as `Authorization: Bearer TOKEN`; off
    /// loopback one is generated and printed when none is given.
    #[arg(long, value_name = "TOKEN", env = CONTROL_TOKEN_ENV, hide_env_values = true)]
    pub control_token: Option<String>,
    /// Server-side conditions.
    #[command(flatten)]
    pub conditions: Conditions,
}

/// Deliberate regressions, to show the gate catches them; never on by default.
#[derive(Debug, Clone, Args)]
pub struct PlantArgs {
    /// Debugging: plant a regression in one strategy to show the gate catches it,
    /// e.g. reqwest-tokio:in-flight=80% or ureq-threads:delay=6ms (never on by default).
    #[arg(long = "plant", value_name = "STRATEGY:PLANT")]
    pub specs: Vec<PlantSpec>,
}

/// `waitbench run`.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// List the strategies, one line each, and exit.
    #[arg(long)]
    pub list: bool,
    /// Strategy to run.
    #[arg(long, short = 's', required_unless_present = "list", value_enum)]
    pub strategy: Option<StrategyKind>,
    /// Batch: this many requests, at most --concurrency in flight (default 1000).
    #[arg(long, short = 'n', conflicts_with_all = ["duration", "rate"])]
    pub requests: Option<u64>,
    /// Requests in flight (closed loop and batch), or the in-flight cap (open loop).
    #[arg(long, short = 'c', default_value_t = 10)]
    pub concurrency: usize,
    /// Closed loop for this long (or open loop with --rate).
    #[arg(long, short = 'd', value_parser = duration)]
    pub duration: Option<Duration>,
    /// Unrecorded warm-up before the measured window (closed and open loop).
    #[arg(long, value_parser = duration, default_value = "0s")]
    pub warmup: Duration,
    /// Open loop at this many requests per second (latency from the intended send time).
    #[arg(long, short = 'r')]
    pub rate: Option<f64>,
    /// Send the batch's requests to N distinct /item/{i} URLs.
    #[arg(long)]
    pub distinct_endpoints: bool,
    /// Path to request (default `/`).
    #[arg(long, default_value = "/")]
    pub path: String,
    /// What a failed request does to the rest of a batch.
    #[arg(long, value_enum, default_value = "wait-all")]
    pub on_error: ErrorPolicy,
    /// Strategy settings (pools, idle connections, runtime, CPU work, ticker).
    #[command(flatten)]
    pub options: StrategyOptions,
    /// Connect timeout.
    #[arg(long, value_parser = duration, default_value = "5s")]
    pub connect_timeout: Duration,
    /// Whole-request timeout.
    #[arg(long, value_parser = duration, default_value = "30s")]
    pub timeout: Duration,
    /// Measure this server instead of the embedded mock server.
    #[arg(long)]
    pub target: Option<String>,
    /// Embedded mock server worker threads (default: one per core).
    #[arg(long)]
    pub server_threads: Option<usize>,
    /// With --target: the server's control token.
    #[command(flatten)]
    pub token: ControlTokenArgs,
    /// CPU placement (--server-cpus applies to the embedded server only).
    #[command(flatten)]
    pub placement: PlacementArgs,
    /// Start the first trial at this wall-clock instant, so N client hosts start together:
    /// 2026-12-01T02:00:00Z or @UNIX_SECONDS.
    #[arg(long, value_name = "TIME")]
    pub start_at: Option<WallClock>,
    /// Server-side conditions (embedded server defaults; with --target, sent as query parameters).
    #[command(flatten)]
    pub conditions: Conditions,
    /// Independent trials; the summary shows the median trial and the spread.
    #[arg(long, default_value_t = 1)]
    pub trials: usize,
    /// Exit 4 when more than this share of a trial's requests fail, e.g. 0.01 [default: 0,
    /// any error; 1 when the run injects failures with --fail, --reset, --stall or --pause].
    #[arg(long, value_name = "P")]
    pub max_error_rate: Option<Probability>,
    /// Write the result (versioned JSON schema) to this file, or to stdout for `-` (the
    /// summary then goes to stderr).
    #[arg(long, value_name = "FILE")]
    pub json: Option<Destination>,
    /// Write the latency distribution in HdrHistogram's .hgrm text format to this file, or
    /// to stdout for `-` (the summary then goes to stderr).
    #[arg(long, value_name = "FILE")]
    pub hgrm: Option<Destination>,
    /// Write HdrHistogram's interval log (one histogram per second, warm-up included) of
    /// the median trial to this file.
    #[arg(long, value_name = "FILE")]
    pub hlog: Option<PathBuf>,
    /// Planted regressions (debugging).
    #[command(flatten)]
    pub plant: PlantArgs,
    /// No progress bar.
    #[arg(long)]
    pub quiet: bool,
}

/// `waitbench reproduce`.
#[derive(Debug, Args)]
pub struct ReproduceArgs {
    /// Scaled-down latencies and counts (same shapes), for a run of under two minutes.
    #[arg(long)]
    pub quick: bool,
    /// Only these claims, e.g. A,C.
    #[arg(long, value_delimiter = ',')]
    pub only: Vec<String>,
    /// Report folder, relative to the current directory (replaced atomically).
    #[arg(long, default_value = "reports/latest")]
    pub out: PathBuf,
    /// Folder of scenario files [default: built in, the repository's fixtures/scenarios/].
    #[arg(long, value_name = "DIR")]
    pub scenarios: Option<PathBuf>,
    /// Independent trials per point (default: 3, or 1 with --quick).
    #[arg(long)]
    pub trials: Option<usize>,
    /// Continue an interrupted suite (same flags): measure only the runs its journal,
    /// OUT.journal.jsonl beside the report folder, does not hold.
    #[arg(long)]
    pub resume: bool,
    /// Where the server runs and where the threads are pinned.
    #[command(flatten)]
    pub server: SuiteServerArgs,
    /// Leave out the Python series (the article's own stack), which otherwise run when
    /// python3 (3.11+) is on PATH.
    #[arg(long)]
    pub no_python: bool,
    /// Planted regressions (debugging).
    #[command(flatten)]
    pub plant: PlantArgs,
    /// No progress bar.
    #[arg(long)]
    pub quiet: bool,
}

/// `waitbench report`.
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// A results.json written by `waitbench reproduce`.
    pub results: PathBuf,
    /// Report folder, relative to the current directory (replaced atomically).
    #[arg(long, default_value = "reports/latest")]
    pub out: PathBuf,
}

/// `waitbench check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Baseline file [default: built in, the repository's fixtures/baselines/ci.json].
    /// --update-baseline and --make-baseline rewrite it, so they need it given.
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// Results to check; without it the quick suite runs first (the baseline's claims only),
    /// and any gated metric that fails is re-measured before it counts.
    pub results: Option<PathBuf>,
    /// Also write the comparison as a Markdown table (for a pull-request comment).
    #[arg(long, value_name = "FILE")]
    pub markdown: Option<PathBuf>,
    /// Also write the comparison, re-measurements and machine load as JSON.
    #[arg(long, value_name = "FILE")]
    pub json: Option<PathBuf>,
    /// Rewrite the --baseline file's values from the current results, keeping tolerances.
    #[arg(long, requires = "baseline")]
    pub update_baseline: bool,
    /// Rebuild the --baseline file from many runs' results.json: each value becomes the
    /// median and each tolerance twice the distance to the worst run (at least 30 runs).
    #[arg(
        long,
        value_name = "RESULTS",
        num_args = 1..,
        requires = "baseline",
        conflicts_with_all = ["results", "update_baseline"]
    )]
    pub make_baseline: Vec<PathBuf>,
    /// Export the metrics for a tracking service.
    #[arg(long, value_name = "FORMAT", value_enum)]
    pub export: Option<ExportFormat>,
    /// Where --export writes, relative to the current directory; github-action-benchmark
    /// also writes FILE's stem + `.smaller.json` for the smaller-is-better metrics.
    #[arg(
        long,
        value_name = "FILE",
        requires = "export",
        default_value = "reports/check/bench.json"
    )]
    pub export_file: PathBuf,
    /// Where the quick suite writes its report when no results file is given, relative to
    /// the current directory.
    #[arg(long, default_value = "reports/check")]
    pub out: PathBuf,
    /// Folder of scenario files for the quick suite [default: built in, the repository's
    /// fixtures/scenarios/].
    #[arg(long, value_name = "DIR")]
    pub scenarios: Option<PathBuf>,
    /// Where the quick suite's server runs and where the threads are pinned.
    #[command(flatten)]
    pub server: SuiteServerArgs,
    /// Planted regressions (debugging).
    #[command(flatten)]
    pub plant: PlantArgs,
    /// No progress bar.
    #[arg(long)]
    pub quiet: bool,
}

/// `waitbench merge`.
#[derive(Debug, Args)]
pub struct MergeArgs {
    /// `waitbench run --json` documents of the same workload, one per client host.
    #[arg(required = true, num_args = 2.., value_name = "RUN.json")]
    pub runs: Vec<PathBuf>,
    /// Where to write the merged document (written atomically), or `-` for stdout.
    #[arg(long, value_name = "FILE")]
    pub out: Destination,
}

/// `waitbench completions`.
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to complete for.
    #[arg(value_enum)]
    pub shell: Shell,
}
