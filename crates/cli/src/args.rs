//! Command-line interface: every subcommand and flag, parsed by clap. Parsing only;
//! each subcommand's module does the work.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::str::FromStr;
use std::time::Duration;

use clap::{Args, Parser, Subcommand, ValueEnum};
use waitbench_mockserver::{FailFault, LatencySpec, PauseFault};

/// waitbench: when does async I/O beat blocking I/O and thread pools, by how much, and why.
#[derive(Debug, Parser)]
#[command(name = "waitbench", version, about, long_about = None, propagate_version = true)]
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
}

/// Parses a value with its type's `FromStr`, keeping the type's own error message.
fn spec<T: FromStr>(value: &str) -> Result<T, String>
where
    T::Err: std::fmt::Display,
{
    value.parse::<T>().map_err(|e| e.to_string())
}

/// Parses a duration flag (`250us`, `1.5s`, `2m`).
pub fn duration(value: &str) -> Result<Duration, String> {
    waitbench_core::units::parse_duration(value).ok_or_else(|| {
        format!("{value:?} is not a duration; use a number with a unit: 250us, 20ms, 1.5s, 2m")
    })
}

fn probability(value: &str) -> Result<f64, String> {
    match value.parse::<f64>() {
        Ok(p) if (0.0..=1.0).contains(&p) => Ok(p),
        _ => Err(format!(
            "{value:?} is not a probability; use a number from 0 to 1, e.g. 0.01"
        )),
    }
}

fn bandwidth(value: &str) -> Result<u64, String> {
    let bytes = value
        .strip_suffix("/s")
        .and_then(waitbench_core::units::parse_bytes);
    match bytes {
        Some(b) if b > 0 => Ok(b),
        _ => Err(format!(
            "{value:?} is not a bandwidth; use a size per second, e.g. 64KiB/s"
        )),
    }
}

/// Server-side conditions shared by `serve` and `run`: injected latency and faults.
#[derive(Debug, Clone, Default, Args)]
pub struct ConditionArgs {
    /// Injected latency per request: 250us, 1ms, uniform(10ms,30ms), normal(mean=20ms,sd=5ms),
    /// lognormal(median=20ms,p99=120ms), pareto(min=5ms,alpha=1.5,max=2s), mix(0.9:5ms,0.1:1s).
    #[arg(long, value_name = "SPEC", value_parser = spec::<LatencySpec>)]
    pub latency: Option<LatencySpec>,
    /// Extra delay on the first request of each new connection (models TCP/TLS handshakes).
    #[arg(long, value_name = "SPEC", value_parser = spec::<LatencySpec>)]
    pub connect_delay: Option<LatencySpec>,
    /// Answer with a status at a probability, e.g. 0.05:503.
    #[arg(long, value_name = "P:STATUS", value_parser = spec::<FailFault>)]
    pub fail: Option<FailFault>,
    /// Abort the connection with a TCP RST at a probability, e.g. 0.01.
    #[arg(long, value_name = "P", value_parser = probability)]
    pub reset: Option<f64>,
    /// Never answer (until the client gives up) at a probability, e.g. 0.001.
    #[arg(long, value_name = "P", value_parser = probability)]
    pub stall: Option<f64>,
    /// Send bodies slowly, e.g. 64KiB/s.
    #[arg(long, value_name = "RATE", value_parser = bandwidth)]
    pub bandwidth: Option<u64>,
    /// Stop answering periodically, e.g. 10s/1s (every 10 s, for 1 s).
    #[arg(long, value_name = "EVERY/FOR", value_parser = spec::<PauseFault>)]
    pub pause: Option<PauseFault>,
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
    /// Server-side conditions.
    #[command(flatten)]
    pub conditions: ConditionArgs,
}

/// How big the rayon pool of `ureq-rayon` is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ThreadsArg {
    /// One thread per in-flight request (the default).
    Concurrency,
    /// rayon's default: one thread per core (the artifact).
    RayonDefault,
    /// A fixed number.
    Fixed(usize),
}

pub fn threads(value: &str) -> Result<ThreadsArg, String> {
    match value {
        "concurrency" => Ok(ThreadsArg::Concurrency),
        "default" => Ok(ThreadsArg::RayonDefault),
        n => match n.parse::<usize>() {
            Ok(n) if n > 0 => Ok(ThreadsArg::Fixed(n)),
            _ => Err(format!(
                "{value:?} is not a pool size; use a positive number, `concurrency` or `default` (one per core)"
            )),
        },
    }
}

/// What a failed request does to the rest of a batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OnErrorArg {
    /// Keep going; every result is kept (join_all).
    WaitAll,
    /// Drop the rest at the first failure (try_join_all).
    Cancel,
}

/// Tokio runtime flavour for the async strategies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FlavorArg {
    /// Multi-threaded runtime (the default).
    MultiThread,
    /// Single-threaded runtime: one blocking call stops everything.
    CurrentThread,
}

/// `waitbench run`.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// List the strategies, one line each, and exit.
    #[arg(long)]
    pub list: bool,
    /// Strategy to run (see --list).
    #[arg(long, short = 's', required_unless_present = "list")]
    pub strategy: Option<String>,
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
    #[arg(long, value_enum, default_value_t = OnErrorArg::WaitAll)]
    pub on_error: OnErrorArg,
    /// ureq-rayon pool size: a number, `concurrency` (default) or `default` (rayon's one per core).
    #[arg(long, value_parser = threads, default_value = "concurrency")]
    pub threads: ThreadsArg,
    /// Idle connections kept per host (default: raised to the pool size; ureq's own default is 3).
    #[arg(long)]
    pub idle_per_host: Option<usize>,
    /// Tokio worker threads for the async strategies (default: one per core).
    #[arg(long)]
    pub runtime_threads: Option<usize>,
    /// Tokio runtime flavour.
    #[arg(long, value_enum, default_value_t = FlavorArg::MultiThread)]
    pub runtime: FlavorArg,
    /// CPU work done on each response, e.g. 200us (claim F1).
    #[arg(long, value_parser = duration, default_value = "0s")]
    pub cpu_work: Duration,
    /// Run a 1 ms ticker task beside the async workers and report its lateness (claim F2).
    #[arg(long)]
    pub ticker: bool,
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
    /// Server-side conditions (embedded server defaults; with --target, sent as query parameters).
    #[command(flatten)]
    pub conditions: ConditionArgs,
    /// Independent trials; the summary shows the median trial and the spread.
    #[arg(long, default_value_t = 1)]
    pub trials: usize,
    /// Write the result (versioned JSON schema) to this file.
    #[arg(long, value_name = "FILE")]
    pub json: Option<PathBuf>,
    /// Write the latency distribution in HdrHistogram's .hgrm text format.
    #[arg(long, value_name = "FILE")]
    pub hgrm: Option<PathBuf>,
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
    /// Report folder (replaced atomically).
    #[arg(long, default_value = "reports/latest")]
    pub out: PathBuf,
    /// Folder of scenario files.
    #[arg(long, default_value = "fixtures/scenarios")]
    pub scenarios: PathBuf,
    /// Independent trials per point (default: 3, or 1 with --quick).
    #[arg(long)]
    pub trials: Option<usize>,
    /// No progress bar.
    #[arg(long)]
    pub quiet: bool,
}

/// `waitbench report`.
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// A results.json written by `waitbench reproduce`.
    pub results: PathBuf,
    /// Report folder (replaced atomically).
    #[arg(long, default_value = "reports/latest")]
    pub out: PathBuf,
}

/// `waitbench check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// The committed baseline.
    #[arg(long, default_value = "fixtures/baselines/ci.json")]
    pub baseline: PathBuf,
    /// Results to check; without it the quick suite runs first.
    pub results: Option<PathBuf>,
    /// Also write the comparison as a Markdown table (for a pull-request comment).
    #[arg(long, value_name = "FILE")]
    pub markdown: Option<PathBuf>,
    /// Rewrite the baseline's values from the current results, keeping tolerances.
    #[arg(long)]
    pub update_baseline: bool,
    /// Export the metrics for a tracking service: FORMAT FILE
    /// (formats: github-action-benchmark, bencher).
    #[arg(long, num_args = 2, value_names = ["FORMAT", "FILE"])]
    pub export: Option<Vec<String>>,
    /// Where the quick suite writes its report when no results file is given.
    #[arg(long, default_value = "reports/check")]
    pub out: PathBuf,
    /// Folder of scenario files for the quick suite.
    #[arg(long, default_value = "fixtures/scenarios")]
    pub scenarios: PathBuf,
}
