//! `waitbench run` as a library: one strategy, one workload, K trials, against the
//! embedded mock server or a target, and the documents it writes.
//!
//! The binary turns flags into a [`SingleRun`] and draws a progress bar from
//! [`Prepared::position`]; everything that decides what is measured lives here, so a test
//! can run exactly what `waitbench run` runs. The order of events matters for honesty:
//! the server starts and the target is probed before any trial, so the header can say
//! what the server injects; trials stop at an interruption, and the trials measured so
//! far are kept, each marking whether it was cut short.

use std::path::PathBuf;
use std::time::Instant;

use hdrhistogram::Histogram;
use waitbench_core::units::WallClock;
use waitbench_core::{
    ErrorPolicy, InjectedConditions, LoadModel, PathPlan, Placement, RequestSpec, RunDocument,
    RunResult, Timeline, Timeouts, TrialSet, Workload,
};
use waitbench_mockserver::SERVER_HEADER;
use waitbench_mockserver::{AppState, Conditions, MockServer};
use waitbench_strategies::external::Program;
use waitbench_strategies::{PlantSpec, Strategy, StrategyKind, StrategyOptions, UserClient};

use waitbench_core::capacity::Demand;

use waitbench_core::units::format_percent;

use crate::error::{Result, SuiteError};
use crate::exit::Conclusion;
use crate::measure::{Target, WaitbenchServer, measure_placed};
use crate::output::{Destination, check_writable};
use crate::preflight::preflight;
use crate::target_url::TargetUrl;

/// The flags of one `waitbench run`, as values.
#[derive(Debug, Clone)]
pub struct SingleRun {
    /// The strategies to run, each on the same workload (the first is the reference
    /// the others are compared with).
    pub strategies: Vec<StrategyKind>,
    /// A user's own client program (`--client`), run as the strategy
    /// [`StrategyKind::Client`] wherever that is in `strategies`.
    pub client: Option<Program>,
    /// Their settings.
    pub options: StrategyOptions,
    /// Planted regressions, each for its strategy.
    pub plants: Vec<PlantSpec>,
    /// The load model.
    pub load: LoadModel,
    /// Send a batch's requests to distinct `/item/{i}` paths instead of `path`.
    pub distinct_endpoints: bool,
    /// The path every request goes to (`--path`); `None`: the target URL's, or `/`.
    pub path: Option<String>,
    /// Method, headers and body of every request.
    pub request: RequestSpec,
    /// Conditions: the embedded server's defaults, or per request to a waitbench target.
    pub conditions: Conditions,
    /// A server to measure instead of the embedded one: a full URL, sent as given.
    pub target: Option<String>,
    /// Send the request once before the clock starts (to a target), and stop at once
    /// when it fails.
    pub preflight: bool,
    /// The embedded server's worker threads (`None`: one per core).
    pub server_threads: Option<usize>,
    /// The embedded server serves HTTPS (`run --tls`): ALPN offers h2 and http/1.1, and
    /// the clients trust its generated CA. Without it, the embedded server speaks h2c
    /// when every strategy speaks HTTP/2, else HTTP/1.1.
    pub tls: bool,
    /// What a failure does to the rest of a batch.
    pub on_error: ErrorPolicy,
    /// Connect and request timeouts.
    pub timeouts: Timeouts,
    /// Independent trials.
    pub trials: usize,
    /// The share of failed requests a trial may have before the run counts as failed;
    /// `None`: see [`InjectedConditions::error_budget`].
    pub max_error_rate: Option<f64>,
    /// The token a target waitbench server's control requests need.
    pub control_token: Option<String>,
    /// CPUs to pin the client and the embedded server to (`None`: not pinned).
    pub placement: Option<Placement>,
    /// When the first trial starts, so that N client hosts start together.
    pub start_at: Option<WallClock>,
}

impl SingleRun {
    /// What the embedded server speaks: HTTPS with `tls` (each client picks its protocol
    /// by ALPN), else h2c when every strategy speaks HTTP/2, else HTTP/1.1. Strategies
    /// of both protocols in cleartext cannot share one server.
    fn embedded_protocol(&self) -> Result<waitbench_mockserver::ProtocolConfig> {
        let http2 = |kind: &StrategyKind| kind.speaks_http2(self.options.http2);
        let protocol = waitbench_mockserver::ProtocolConfig::default();
        if self.tls {
            return Ok(waitbench_mockserver::ProtocolConfig::tls());
        }
        match self.strategies.iter().filter(|k| http2(k)).count() {
            0 => Ok(protocol),
            n if n == self.strategies.len() => Ok(waitbench_mockserver::ProtocolConfig {
                http2: true,
                ..protocol
            }),
            _ => Err(SuiteError::Usage(
                "these strategies speak HTTP/1.1 and HTTP/2, which one cleartext server \
                 cannot both serve; add --tls (the embedded server then offers both by \
                 ALPN) or run them apart"
                    .into(),
            )),
        }
    }

    /// The settings of `kind`: the shared ones, with its planted regression if any.
    fn options_for(&self, kind: StrategyKind) -> StrategyOptions {
        StrategyOptions {
            plant: self
                .plants
                .iter()
                .find(|s| s.strategy == kind)
                .map(|s| s.plant),
            ..self.options.clone()
        }
    }
}

/// A run whose server is up, target checked, workload checked and strategies built:
/// only the trials are left.
pub struct Prepared {
    server: Option<MockServer>,
    target: Target<'static>,
    workload: Workload,
    injected: InjectedConditions,
    strategies: Vec<Box<dyn Strategy>>,
    trials: usize,
    error_budget: f64,
    placement: Option<Placement>,
    start_at: Option<WallClock>,
}

/// What the trials measured; fewer than asked when an interruption stopped them.
pub struct SingleOutcome {
    /// The trials measured (the last one marked `interrupted` if it was cut short).
    pub set: TrialSet,
    /// Each trial's latency histogram, in microseconds.
    pub histograms: Vec<Histogram<u64>>,
    /// Each trial's per-second histograms (for `--hlog`).
    pub timelines: Vec<Timeline>,
    /// Whether an interruption stopped the run before every trial ran in full.
    pub interrupted: bool,
    /// The share of failed requests allowed ([`InjectedConditions::error_budget`]).
    pub error_budget: f64,
}

impl SingleOutcome {
    /// How the run ends: interrupted, over its error budget (with the line that says
    /// so), or fine.
    pub fn conclusion(&self) -> (Conclusion, Option<String>) {
        if self.interrupted {
            let why = "interrupted: the results above cover the measured window only";
            return (Conclusion::Interrupted, Some(why.into()));
        }
        match self.over_error_budget() {
            Some(rate) => (
                Conclusion::TooManyErrors,
                Some(format!(
                    "error: {} of requests failed, over --max-error-rate {} (raise it, or \
                     --max-error-rate 1 to accept any)",
                    format_percent(rate),
                    format_percent(self.error_budget)
                )),
            ),
            None => (Conclusion::Ok, None),
        }
    }

    /// The worst trial's error rate, when it is over the budget.
    pub fn over_error_budget(&self) -> Option<f64> {
        self.set
            .trials
            .iter()
            .map(|t| t.error_rate)
            .max_by(f64::total_cmp)
            .filter(|&rate| rate > self.error_budget)
    }

    /// The result document `--json` writes.
    pub fn json(&self, command: Vec<String>) -> Result<Vec<u8>> {
        let doc = RunDocument::new(command, &self.set);
        let mut text = serde_json::to_vec_pretty(&doc).map_err(|source| SuiteError::Serialize {
            what: "the run's JSON document",
            source,
        })?;
        text.push(b'\n');
        Ok(text)
    }

    /// The index of the median-throughput trial, the one `.hgrm` and `.hlog` describe.
    fn median(&self) -> Result<usize> {
        self.set
            .median_trial()
            .and_then(|m| self.set.trials.iter().position(|t| std::ptr::eq(t, m)))
            .ok_or_else(|| SuiteError::Usage("no trial was measured: no distribution".into()))
    }

    /// The median trial's seconds as HdrHistogram's interval log, headed by `command`.
    pub fn hlog(&self, command: &[String]) -> Result<Vec<u8>> {
        let timeline = &self.timelines[self.median()?];
        let mut text = Vec::new();
        waitbench_core::hlog::write_hlog(timeline, &command.join(" "), &mut text)
            .map_err(|e| SuiteError::Usage(format!("formatting the interval log: {e}")))?;
        Ok(text)
    }

    /// The median trial's latency distribution in HdrHistogram's `.hgrm` text format.
    pub fn hgrm(&self) -> Result<Vec<u8>> {
        let median = &self.histograms[self.median()?];
        let mut text = Vec::new();
        waitbench_core::hgrm::write_hgrm(median, 5, &mut text)
            .map_err(|e| SuiteError::Usage(format!("formatting the .hgrm distribution: {e}")))?;
        Ok(text)
    }
}

/// Formats one output document, only when it is asked for.
type Document<'a> = dyn Fn() -> Result<Vec<u8>> + 'a;

/// Where a run's documents go (`--json`, `--hgrm`, `--hlog`).
#[derive(Debug, Clone, Default)]
pub struct Outputs {
    /// The result document.
    pub json: Option<Destination>,
    /// The median trial's latency distribution, `.hgrm` text.
    pub hgrm: Option<Destination>,
    /// The median trial's interval log.
    pub hlog: Option<PathBuf>,
}

impl Outputs {
    /// Refuses two documents on stdout, and finds a path that cannot be written now,
    /// not after a long run has measured everything. Returns the folders that do not
    /// exist yet and will be created for the outputs (the summary says so).
    pub fn check(&self) -> Result<Vec<PathBuf>> {
        if self.json == Some(Destination::Stdout) && self.hgrm == Some(Destination::Stdout) {
            return Err(SuiteError::Usage(
                "--json - and --hgrm - would both write to stdout; send one of them to a file"
                    .into(),
            ));
        }
        let mut missing = Vec::new();
        for path in self.files() {
            check_writable(path)?;
            if let Some(folder) = path.parent().filter(|p| !p.as_os_str().is_empty())
                && !folder.exists()
                && !missing.iter().any(|m: &PathBuf| m == folder)
            {
                missing.push(folder.to_path_buf());
            }
        }
        Ok(missing)
    }

    /// The files asked for.
    fn files(&self) -> impl Iterator<Item = &PathBuf> {
        [&self.json, &self.hgrm]
            .into_iter()
            .filter_map(|d| match d {
                Some(Destination::File(path)) => Some(path),
                _ => None,
            })
            .chain(&self.hlog)
    }

    /// The outputs of one of several strategies: each file gets the strategy's name
    /// before its extension (`out.json` → `out.hyper-tokio.json`); stdout cannot take
    /// several documents, so it is refused.
    pub fn for_strategy(&self, kind: StrategyKind) -> Result<Outputs> {
        if self.uses_stdout() {
            return Err(SuiteError::Usage(
                "--json - or --hgrm - writes one document to stdout, and several strategies \
                 make one each; give a file name (each strategy gets its own, \
                 e.g. out.hyper-tokio.json)"
                    .into(),
            ));
        }
        let named = |path: &PathBuf| {
            let stem = path
                .file_stem()
                .map_or_else(String::new, |s| s.to_string_lossy().into_owned());
            let name = match path.extension() {
                Some(ext) => format!("{stem}.{}.{}", kind.name(), ext.to_string_lossy()),
                None => format!("{stem}.{}", kind.name()),
            };
            path.with_file_name(name)
        };
        let file = |d: &Option<Destination>| match d {
            Some(Destination::File(path)) => Some(Destination::File(named(path))),
            other => other.clone(),
        };
        Ok(Outputs {
            json: file(&self.json),
            hgrm: file(&self.hgrm),
            hlog: self.hlog.as_ref().map(named),
        })
    }

    /// Whether a document goes to stdout (the summary then goes to stderr).
    pub fn uses_stdout(&self) -> bool {
        [&self.json, &self.hgrm].contains(&&Some(Destination::Stdout))
    }

    /// Writes every document asked for; returns the files written.
    pub fn write(&self, outcome: &SingleOutcome, command: &[String]) -> Result<Vec<PathBuf>> {
        let mut written = Vec::new();
        let hlog = self.hlog.clone().map(Destination::File);
        let documents: [(&Option<Destination>, &Document<'_>); 3] = [
            (&self.json, &|| outcome.json(command.to_vec())),
            (&self.hgrm, &|| outcome.hgrm()),
            // Formatted only when asked for: an hour-long run has 3,600 histograms.
            (&hlog, &|| outcome.hlog(command)),
        ];
        for (destination, document) in documents {
            if let Some(destination) = destination {
                destination.write(&document()?)?;
                if let Destination::File(path) = destination {
                    written.push(path.clone());
                }
            }
        }
        Ok(written)
    }
}

impl Prepared {
    /// Starts the embedded server (or sends the target its preflight request), builds
    /// the workload and the strategies; nothing is measured yet.
    pub fn new(run: &SingleRun) -> Result<Self> {
        if run.trials == 0 {
            return Err(SuiteError::Usage("--trials must be at least 1".into()));
        }
        if run.strategies.is_empty() {
            return Err(SuiteError::Usage("give at least one --strategy".into()));
        }
        if let Some(program) = &run.client {
            program
                .check_found()
                .map_err(|e| SuiteError::Usage(e.to_string()))?;
        }
        let concurrency = run.load.concurrency();
        let threads = run
            .strategies
            .iter()
            .map(|&kind| run.options.client_threads(kind, concurrency))
            .max()
            .unwrap_or(1);
        let in_child = run
            .strategies
            .iter()
            .all(|kind| kind.stack() != waitbench_core::Stack::Rust);
        waitbench_core::capacity::check_machine(&Demand::of_run(
            concurrency,
            threads,
            run.target.is_none(),
            in_child,
        ))?;
        let server_cpus = run.placement.as_ref().and_then(|p| p.server_cpus.as_ref());
        if run.target.is_some() && server_cpus.is_some() {
            return Err(SuiteError::Usage(
                "--server-cpus pins the embedded server; with --target the server runs \
                 elsewhere (pin it there with taskset)"
                    .into(),
            ));
        }
        let (base, target_path) = match &run.target {
            Some(url) => {
                let (base, path) = TargetUrl::split(url)?;
                (Some(base), path)
            }
            None => (None, None),
        };
        let path = match (target_path, run.path.clone()) {
            (Some(_), Some(_)) => {
                return Err(SuiteError::Usage(
                    "--target's URL has a path and --path gives another; give the path in \
                     one of them"
                        .into(),
                ));
            }
            (Some(path), None) | (None, Some(path)) => path,
            (None, None) => "/".to_string(),
        };
        let paths = match (run.distinct_endpoints, &run.load) {
            (false, _) => PathPlan::Single { path },
            (true, LoadModel::Batch { requests, .. }) => {
                PathPlan::DistinctItems { count: *requests }
            }
            (true, _) => {
                return Err(SuiteError::Usage(
                    "--distinct-endpoints needs a batch (--requests N), not a duration or rate"
                        .into(),
                ));
            }
        };
        let mut workload = Workload {
            target: base.clone().unwrap_or_else(|| "http://127.0.0.1:1".into()),
            paths,
            query: None,
            load: run.load.clone(),
            on_error: run.on_error,
            timeouts: run.timeouts,
            request: run.request.clone(),
        };
        // Checked before anything is sent or started: a bad scheme, a zero count.
        workload
            .validate()
            .map_err(|e| SuiteError::Usage(e.to_string()))?;
        let server = match &base {
            Some(_) => None,
            None => {
                let config = waitbench_mockserver::ServerConfig {
                    protocol: run.embedded_protocol()?,
                    ..crate::placement::server_config(run.server_threads, server_cpus)
                        .with_conditions(run.conditions.clone())
                };
                Some(crate::placement::start_server(config, server_cpus)?)
            }
        };
        let target = match (&server, &base) {
            (Some(server), _) => Target::Waitbench(WaitbenchServer {
                url: server.url(),
                control_token: None,
            }),
            (None, Some(base)) => {
                let url = workload.urls()[0].clone();
                let is_waitbench = match run.preflight {
                    true => {
                        let options = run.options_for(run.strategies[0]);
                        if workload.is_https() {
                            crate::measure::trust_control_as(&options)?;
                        }
                        preflight(&url, &run.request, run.timeouts, &options)?.waitbench
                    }
                    false => false,
                };
                refuse_foreign_conditions(is_waitbench, run, &url)?;
                Target::identified(base, is_waitbench, run.control_token.clone())
            }
            (None, None) => unreachable!("a server is started when no target is given"),
        };
        workload.target = target.url();
        // The embedded server applies the conditions itself; a remote waitbench server
        // is asked per request (a foreign one was refused them above).
        if base.is_some() {
            workload.query = run.conditions.to_query();
        }
        // What the run really had: a waitbench target applies its own defaults wherever
        // a request asks for nothing; a foreign target's conditions are unknown (the
        // summary says so).
        let injected = match (&server, target.stats()) {
            (None, Some(stats)) => Conditions::from_injected(&stats.defaults)
                .map_err(|e| SuiteError::Usage(format!("the target's /stats defaults: {e}")))?
                .overlaid(&run.conditions)
                .to_injected(false),
            _ => run.conditions.to_injected(server.is_some()),
        };
        let strategies: Vec<Box<dyn Strategy>> = run
            .strategies
            .iter()
            .map(|&kind| match (kind, &run.client) {
                (StrategyKind::Client, Some(program)) => {
                    Box::new(UserClient::new(program.clone()).self_paced(run.options.self_paced))
                }
                _ => waitbench_strategies::build(kind, &run.options_for(kind)),
            })
            .collect();
        // First-use setups (the Python clients) happen now, visibly and before anything
        // is measured.
        for strategy in &strategies {
            strategy.ready()?;
        }
        Ok(Prepared {
            strategies,
            server,
            target,
            workload,
            error_budget: injected.error_budget(run.max_error_rate),
            injected,
            trials: run.trials,
            placement: run.placement.clone(),
            start_at: run.start_at,
        })
    }

    /// The strategies, in the order they run within a trial.
    pub fn strategies(&self) -> Vec<StrategyKind> {
        self.strategies.iter().map(|s| s.kind()).collect()
    }

    /// The workload every strategy runs: the URL as sent, the request.
    pub fn workload(&self) -> &Workload {
        &self.workload
    }

    /// How much work the trials are, and in what unit: requests for a batch, seconds
    /// (warm-up included) for a timed run.
    pub fn total(&self) -> (u64, &'static str) {
        let runs = (self.trials * self.strategies.len()) as f64;
        match self.workload.load {
            LoadModel::Batch { requests, .. } => ((requests as f64 * runs) as u64, "requests"),
            LoadModel::ClosedLoop {
                duration, warmup, ..
            }
            | LoadModel::OpenLoop {
                duration, warmup, ..
            } => (
                ((duration + warmup).as_secs_f64() * runs).ceil() as u64,
                "s",
            ),
        }
    }

    /// How far the trials are, in [`total`](Self::total)'s unit, readable from another
    /// thread: requests served by the server (read in-process from the embedded one, over
    /// `/stats` from a remote waitbench server; a foreign server is never polled), or
    /// seconds elapsed.
    pub fn position(&self) -> impl Fn() -> u64 + Send + 'static {
        enum Source {
            Embedded(AppState),
            Remote(Target<'static>),
            None,
        }
        let source = match (&self.server, &self.target) {
            (Some(server), _) => Source::Embedded(server.state()),
            (None, Target::Waitbench(url)) => Source::Remote(Target::Waitbench(url.clone())),
            _ => Source::None,
        };
        let served = move || match &source {
            Source::Embedded(state) => Some(state.stats().requests_served),
            Source::Remote(target) => target.stats().map(|s| s.requests_served),
            Source::None => None,
        };
        let before = served().unwrap_or(0);
        let started = Instant::now();
        let in_requests = matches!(self.workload.load, LoadModel::Batch { .. });
        move || {
            if in_requests {
                served().map_or(0, |n| n.saturating_sub(before))
            } else {
                started.elapsed().as_secs()
            }
        }
    }

    /// Runs the trials, trial-major (trial 1 of every strategy, then trial 2…), so that
    /// a drift of the machine or the server over time falls on every strategy alike;
    /// tells `on_run` the trial number (from 1) and the strategy of each run as it
    /// starts. An interruption ends the run under way early (it is kept, marked) and
    /// starts no more. Returns one outcome per strategy, in order.
    ///
    /// The calling thread is pinned to the client's CPUs first (and stays so), so every
    /// client thread the strategy creates runs there; with a start time, it waits for it.
    pub fn run(&self, on_run: &mut dyn FnMut(usize, StrategyKind)) -> Result<Vec<SingleOutcome>> {
        crate::placement::pin_client(self.placement.as_ref())?;
        if let Some(at) = self.start_at {
            crate::start_at::sleep_until(at)?;
        }
        let n = self.strategies.len();
        let mut trials: Vec<Vec<RunResult>> = (0..n).map(|_| Vec::new()).collect();
        let mut histograms: Vec<Vec<Histogram<u64>>> = (0..n).map(|_| Vec::new()).collect();
        let mut timelines: Vec<Vec<Timeline>> = (0..n).map(|_| Vec::new()).collect();
        'trials: for trial in 1..=self.trials {
            for (i, strategy) in self.strategies.iter().enumerate() {
                if waitbench_core::interrupt::requested() {
                    break 'trials;
                }
                on_run(trial, strategy.kind());
                let target = match &self.server {
                    Some(server) => Target::Embedded(server),
                    None => self.target.clone(),
                };
                let measured = measure_placed(
                    strategy.as_ref(),
                    &self.workload,
                    &target,
                    &self.injected,
                    self.placement.as_ref(),
                )?;
                trials[i].push(measured.result);
                histograms[i].push(measured.latency);
                timelines[i].push(measured.timeline);
            }
        }
        let interrupted = waitbench_core::interrupt::requested();
        Ok(trials
            .into_iter()
            .zip(histograms)
            .zip(timelines)
            .map(|((trials, histograms), timelines)| SingleOutcome {
                set: TrialSet::new(trials),
                histograms,
                timelines,
                interrupted,
                error_budget: self.error_budget,
            })
            .collect())
    }
}

/// Refuses condition flags for a target that is not a waitbench server: only a
/// waitbench server reads them, and any other would receive them as its own query
/// parameters, measured as if they were the user's.
fn refuse_foreign_conditions(is_waitbench: bool, run: &SingleRun, url: &str) -> Result<()> {
    if is_waitbench || run.conditions.is_empty() {
        return Ok(());
    }
    let flags: Vec<String> = run
        .conditions
        .entries()
        .iter()
        .map(|(parameter, value)| format!("--{} {value}", parameter.name()))
        .collect();
    let how = if run.preflight {
        format!("its answer to the preflight request to {url} had no {SERVER_HEADER} header")
    } else {
        "with --no-preflight there is no answer to tell a waitbench server by".to_string()
    };
    Err(SuiteError::Usage(format!(
        "the condition flags ({}) ask the server to inject conditions, which only a \
         waitbench server does, and the target is not known to be one: {how}; drop those \
         flags to measure the server as it is, or point --target at `waitbench serve`",
        flags.join(" ")
    )))
}

#[cfg(test)]
mod tests {
    use waitbench_mockserver::{MockServer, ServerConfig};

    use super::*;

    fn against(target: Option<String>, conditions: Conditions) -> SingleRun {
        SingleRun {
            tls: false,
            strategies: vec![StrategyKind::UreqSequential],
            client: None,
            options: StrategyOptions::default(),
            plants: Vec::new(),
            load: LoadModel::Batch {
                requests: 2,
                concurrency: 1,
            },
            distinct_endpoints: false,
            path: None,
            request: RequestSpec::default(),
            conditions,
            target,
            preflight: true,
            server_threads: Some(1),
            on_error: ErrorPolicy::WaitAll,
            timeouts: Timeouts::default(),
            trials: 1,
            max_error_rate: None,
            control_token: None,
            placement: None,
            start_at: None,
        }
    }

    #[test]
    fn a_waitbench_target_s_own_latency_is_what_the_run_records() {
        let served = Conditions::from_query("latency=7ms&fail=0.01:503").unwrap();
        let server = MockServer::start(ServerConfig::default().with_conditions(served)).unwrap();
        let prepared = Prepared::new(&against(Some(server.url()), Conditions::default())).unwrap();
        assert_eq!(prepared.injected.latency.as_deref(), Some("7ms"));
        assert_eq!(prepared.injected.mean_latency_us, 7000.0);
        assert!(prepared.injected.injects_failures());
        // A request's own condition overrides the server's default.
        let asked = Conditions::from_query("latency=2ms").unwrap();
        let prepared = Prepared::new(&against(Some(server.url()), asked)).unwrap();
        assert_eq!(prepared.injected.latency.as_deref(), Some("2ms"));
    }

    fn plain_server() -> (String, std::sync::mpsc::Receiver<String>) {
        crate::test_server::plain_server("200 OK")
    }

    #[test]
    fn the_target_url_s_path_and_query_are_the_ones_sent() {
        let (url, lines) = plain_server();
        let prepared = Prepared::new(&against(
            Some(format!("{url}/index.html?a=1")),
            Conditions::default(),
        ))
        .unwrap();
        assert_eq!(
            prepared.workload.sent_url(),
            format!("{url}/index.html?a=1")
        );
        // The preflight is the measured request itself, and nothing else was sent.
        assert_eq!(lines.recv().unwrap(), "GET /index.html?a=1 HTTP/1.1");
        assert!(lines.try_recv().is_err());
        assert!(matches!(prepared.target, Target::Remote(_)));
    }

    #[test]
    fn conditions_for_a_foreign_server_are_refused_before_any_load() {
        let (url, lines) = plain_server();
        let latency = Conditions::from_query("latency=50ms").unwrap();
        let error = Prepared::new(&against(Some(url), latency))
            .err()
            .unwrap()
            .to_string();
        assert!(error.contains("--latency 50ms"), "{error}");
        assert!(error.contains("only a waitbench server"), "{error}");
        // Only the preflight, without the condition, reached it.
        assert_eq!(lines.recv().unwrap(), "GET / HTTP/1.1");
        assert!(lines.try_recv().is_err());
    }

    #[test]
    fn a_path_in_both_the_target_and_path_flag_is_refused() {
        let mut run = against(Some("http://127.0.0.1:9/a".into()), Conditions::default());
        run.path = Some("/b".into());
        let error = Prepared::new(&run).err().unwrap().to_string();
        assert!(error.contains("--path"), "{error}");
    }

    #[test]
    fn a_run_that_injects_failures_may_fail_and_one_that_does_not_may_not() {
        let failing = Conditions::from_query("fail=0.5:503").unwrap();
        let prepared = Prepared::new(&against(None, failing)).unwrap();
        assert_eq!(prepared.error_budget, 1.0);
        let prepared = Prepared::new(&against(None, Conditions::default())).unwrap();
        assert_eq!(prepared.error_budget, 0.0);
    }
}
