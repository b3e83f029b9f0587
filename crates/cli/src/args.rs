//! Command-line interface: every subcommand and flag, parsed by clap. Parsing only;
//! each subcommand's module does the work.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};
use clap_complete::Shell;
use waitbench_core::threshold::Threshold;
use waitbench_core::units::{Probability, WallClock};
use waitbench_core::{ErrorPolicy, Timeouts};
use waitbench_mockserver::{Conditions, ServerConfig};
use waitbench_strategies::{StrategyKind, StrategyOptions};
use waitbench_suite::check::export::ExportFormat;
use waitbench_suite::check::own::Tolerance;
use waitbench_suite::flags::{
    ControlTokenFlags, LoadFlags, PlacementFlags, PlantFlags, RequestFlags, SuiteServerFlags,
};
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
    /// Check that a client reports what the server saw, under every load model and
    /// failure class; exit 1 when a property fails.
    ClientCheck(ClientCheckArgs),
    /// Add up `run --json` documents that client hosts wrote at the same time.
    Merge(MergeArgs),
    /// Print a shell's completion script on stdout, e.g. `waitbench completions bash`.
    Completions(CompletionsArgs),
    /// Print the man page in roff (release packaging runs `waitbench man > waitbench.1`).
    Man,
}

/// `waitbench serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Where it listens, its limits and the conditions it injects by default.
    #[command(flatten)]
    pub config: ServerConfig,
}

/// `waitbench run`.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// List the strategies, one line each, and exit.
    #[arg(long)]
    pub list: bool,
    /// Strategy to run; several (`-s a,b` or `-s a -s b`) run on the same workload,
    /// trial by trial, and end with a comparison against the first.
    #[arg(
        long,
        short = 's',
        required_unless_present_any = ["list", "client"],
        value_enum,
        value_delimiter = ','
    )]
    pub strategy: Vec<StrategyKind>,
    /// Measure your own client program, which speaks client protocol 1
    /// (docs/client-protocol.md): the command and its arguments, split as a shell would
    /// split them but run without one. With --strategy too, it runs first and the
    /// strategies are compared with it.
    #[arg(long, value_name = "'CMD ARGS…'")]
    pub client: Option<String>,
    /// The load model.
    #[command(flatten)]
    pub load: LoadFlags,
    /// Send the batch's requests to N distinct /item/{i} URLs.
    #[arg(long)]
    pub distinct_endpoints: bool,
    /// Path to request on the default target [default: /]; with --target, the URL's own
    /// path is sent.
    #[arg(long)]
    pub path: Option<String>,
    /// Method, headers and body of every request.
    #[command(flatten)]
    pub request: RequestFlags,
    /// What a failed request does to the rest of a batch.
    #[arg(long, value_enum, default_value = "wait-all")]
    pub on_error: ErrorPolicy,
    /// Strategy settings (pools, idle connections, runtime, CPU work, ticker).
    #[command(flatten)]
    pub options: StrategyOptions,
    /// Client timeouts.
    #[command(flatten)]
    pub timeouts: Timeouts,
    /// Measure this URL instead of the embedded mock server; its path and query are sent
    /// exactly as given (http:// or https://; see --cacert, --insecure, --tls-resume).
    #[arg(long, value_name = "URL")]
    pub target: Option<String>,
    /// Do not send the one request that checks the target before the load (for a
    /// request that must not be sent once more); the target is then not known to be a
    /// waitbench server.
    #[arg(long)]
    pub no_preflight: bool,
    /// Embedded mock server worker threads (default: one per core).
    #[arg(long)]
    pub server_threads: Option<usize>,
    /// Serve the embedded mock server over HTTPS (a certificate from waitbench's local CA,
    /// made on first use; ALPN offers h2 and http/1.1). Without it, the embedded server
    /// speaks h2c when every strategy speaks HTTP/2, else HTTP/1.1.
    #[arg(long, conflicts_with = "target")]
    pub tls: bool,
    /// With --target: the server's control token.
    #[command(flatten)]
    pub token: ControlTokenFlags,
    /// CPU placement (--server-cpus applies to the embedded server only).
    #[command(flatten)]
    pub placement: PlacementFlags,
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
    /// Pass/fail criterion on the median trial, k6-style (repeatable): p99<200ms,
    /// error_rate<0.1%, throughput>=500; exit 1 when one fails.
    #[arg(long = "threshold", value_name = "METRIC<VALUE")]
    pub thresholds: Vec<Threshold>,
    /// Planted regressions (debugging).
    #[command(flatten)]
    pub plant: PlantFlags,
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
    /// Independent trials per point (default: 3, or 1 with --quick, or the scenario's own
    /// `trials`); given, every point runs this many
    #[arg(long)]
    pub trials: Option<usize>,
    /// Continue an interrupted suite (same flags): measure only the runs its journal,
    /// OUT.journal.jsonl beside the report folder, does not hold.
    #[arg(long)]
    pub resume: bool,
    /// Where the server runs and where the threads are pinned.
    #[command(flatten)]
    pub server: SuiteServerFlags,
    /// Leave out the Python series (the article's own stack), which otherwise run when
    /// python3 (3.11+) is on PATH.
    #[arg(long)]
    pub no_python: bool,
    /// Leave out these runtimes' series (comma-separated: python, go, java, node); the
    /// report shows each as left out.
    #[arg(
        long,
        value_name = "RUNTIMES",
        value_delimiter = ',',
        value_parser = waitbench_strategies::runtimes::stack_by_flag_name
    )]
    pub no_runtime: Vec<waitbench_strategies::Stack>,
    /// Planted regressions (debugging).
    #[command(flatten)]
    pub plant: PlantFlags,
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

/// `waitbench client-check`.
#[derive(Debug, Args)]
#[command(after_help = "The client's properties and the probes that test them: \
docs/client-protocol.md, \"Checking a client\".")]
pub struct ClientCheckArgs {
    /// Check a built-in strategy instead of a program.
    #[arg(long, short = 's', value_enum, conflicts_with = "command")]
    pub strategy: Option<StrategyKind>,
    /// The client program and its arguments, after `--`.
    #[arg(last = true, value_name = "CMD", required_unless_present = "strategy")]
    pub command: Vec<String>,
}

/// `waitbench check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Baseline file [default: built in, the repository's fixtures/baselines/ci.json].
    /// --update-baseline and --make-baseline rewrite it, so they need it given. For a
    /// `run --json` result, the baseline is an earlier `run --json` of the same service.
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// Results to check: a suite's results.json, or a `run --json` document of your own
    /// service (judged by --threshold and against a --baseline run). Without it the quick
    /// suite runs first (the baseline's claims only), and any gated metric that fails is
    /// re-measured before it counts.
    pub results: Option<PathBuf>,
    /// For a `run --json` result: a criterion on its median trial (repeatable), e.g.
    /// p99<200ms or error_rate<0.1%.
    #[arg(long = "threshold", value_name = "METRIC<VALUE")]
    pub thresholds: Vec<Threshold>,
    /// For a `run --json` result against a --baseline run: how far a metric may move,
    /// e.g. p99=20% (repeatable) [default: throughput=10%, p50=10%, p99=20%,
    /// error_rate=0.1% in points].
    #[arg(long = "tolerance", value_name = "METRIC=SHARE")]
    pub tolerances: Vec<Tolerance>,
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
    /// median and each tolerance twice the distance to the worst run (at least 30 runs);
    /// a metric none of the runs has keeps its entry.
    #[arg(
        long,
        value_name = "RESULTS",
        num_args = 1..,
        requires = "baseline",
        conflicts_with_all = ["results", "update_baseline"]
    )]
    pub make_baseline: Vec<PathBuf>,
    /// With --make-baseline: rebuild only the metrics whose names start with one of these
    /// prefixes (e.g. claim.F2.python_); the others keep their entries.
    #[arg(
        long,
        value_name = "PREFIX",
        value_delimiter = ',',
        requires = "make_baseline"
    )]
    pub only_metrics: Vec<String>,
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
    pub server: SuiteServerFlags,
    /// Planted regressions (debugging).
    #[command(flatten)]
    pub plant: PlantFlags,
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
