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
    ErrorPolicy, InjectedConditions, LoadModel, PathPlan, Placement, RunDocument, RunResult,
    Timeline, Timeouts, TrialSet, Workload,
};
use waitbench_mockserver::{AppState, Conditions, MockServer};
use waitbench_strategies::{Strategy, StrategyKind, StrategyOptions};

use waitbench_core::capacity::Demand;

use waitbench_core::units::format_percent;

use crate::error::{Result, SuiteError};
use crate::exit::Conclusion;
use crate::measure::{Target, WaitbenchServer, measure_placed};
use crate::output::{Destination, check_writable};

/// The flags of one `waitbench run`, as values.
#[derive(Debug, Clone)]
pub struct SingleRun {
    /// The strategy to run.
    pub strategy: StrategyKind,
    /// Its settings.
    pub options: StrategyOptions,
    /// The load model.
    pub load: LoadModel,
    /// Send a batch's requests to distinct `/item/{i}` paths instead of `path`.
    pub distinct_endpoints: bool,
    /// The path every request goes to otherwise.
    pub path: String,
    /// Conditions: the embedded server's defaults, or per request to a target.
    pub conditions: Conditions,
    /// A server to measure instead of the embedded one.
    pub target: Option<String>,
    /// The embedded server's worker threads (`None`: one per core).
    pub server_threads: Option<usize>,
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

/// A run whose server is up, target probed, workload checked and strategy built: only
/// the trials are left.
pub struct Prepared {
    server: Option<MockServer>,
    target: Target<'static>,
    workload: Workload,
    injected: InjectedConditions,
    strategy: Box<dyn Strategy>,
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
    /// not after a long run has measured everything.
    pub fn check(&self) -> Result<()> {
        if self.json == Some(Destination::Stdout) && self.hgrm == Some(Destination::Stdout) {
            return Err(SuiteError::Usage(
                "--json - and --hgrm - would both write to stdout; send one of them to a file"
                    .into(),
            ));
        }
        let files = [&self.json, &self.hgrm]
            .into_iter()
            .filter_map(|d| match d {
                Some(Destination::File(path)) => Some(path),
                _ => None,
            })
            .chain(&self.hlog);
        files.into_iter().try_for_each(|p| check_writable(p))
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
    /// Starts the embedded server (or probes the target), builds the workload and the
    /// strategy; nothing is measured yet.
    pub fn new(run: &SingleRun) -> Result<Self> {
        if run.trials == 0 {
            return Err(SuiteError::Usage("--trials must be at least 1".into()));
        }
        let concurrency = run.load.concurrency();
        let threads = run.options.client_threads(run.strategy, concurrency);
        waitbench_core::capacity::check_machine(&Demand::of_run(
            concurrency,
            threads,
            run.target.is_none(),
        ))?;
        let server_cpus = run.placement.as_ref().and_then(|p| p.server_cpus.as_ref());
        if run.target.is_some() && server_cpus.is_some() {
            return Err(SuiteError::Usage(
                "--server-cpus pins the embedded server; with --target the server runs \
                 elsewhere (pin it there with taskset)"
                    .into(),
            ));
        }
        let server = match &run.target {
            Some(_) => None,
            None => {
                let config = crate::placement::server_config(run.server_threads, server_cpus)
                    .with_conditions(run.conditions.clone());
                Some(crate::placement::start_server(config, server_cpus)?)
            }
        };
        let target = match (&server, &run.target) {
            (Some(server), _) => Target::Waitbench(WaitbenchServer {
                url: server.url(),
                control_token: None,
            }),
            (None, Some(url)) => Target::remote_with_token(url, run.control_token.clone()),
            (None, None) => unreachable!("a server is started when no target is given"),
        };
        let paths = match (run.distinct_endpoints, &run.load) {
            (false, _) => PathPlan::Single {
                path: run.path.clone(),
            },
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
        let workload = Workload {
            target: target.url(),
            paths,
            // The embedded server applies the conditions itself; a remote one is asked
            // per request.
            query: run.target.as_ref().and_then(|_| run.conditions.to_query()),
            load: run.load.clone(),
            on_error: run.on_error,
            timeouts: run.timeouts,
        };
        workload
            .validate()
            .map_err(|e| SuiteError::Usage(e.to_string()))?;
        // What the run really had: a waitbench target applies its own defaults wherever
        // a request asks for nothing; a foreign target's conditions are unknown (the
        // summary says so), whatever the query asks.
        let injected = match (&server, target.stats()) {
            (None, Some(stats)) => Conditions::from_injected(&stats.defaults)
                .map_err(|e| SuiteError::Usage(format!("the target's /stats defaults: {e}")))?
                .overlaid(&run.conditions)
                .to_injected(false),
            _ => run.conditions.to_injected(server.is_some()),
        };
        let strategy = waitbench_strategies::build(run.strategy, &run.options);
        strategy.ready()?;
        Ok(Prepared {
            strategy,
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

    /// How much work the trials are, and in what unit: requests for a batch, seconds
    /// (warm-up included) for a timed run.
    pub fn total(&self) -> (u64, &'static str) {
        match self.workload.load {
            LoadModel::Batch { requests, .. } => (requests * self.trials as u64, "requests"),
            LoadModel::ClosedLoop {
                duration, warmup, ..
            }
            | LoadModel::OpenLoop {
                duration, warmup, ..
            } => (
                ((duration + warmup).as_secs_f64() * self.trials as f64).ceil() as u64,
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

    /// Runs the trials, telling `on_trial` the number (from 1) of each as it starts. An
    /// interruption ends the trial under way early (it is kept, marked) and starts no more.
    ///
    /// The calling thread is pinned to the client's CPUs first (and stays so), so every
    /// client thread the strategy creates runs there; with a start time, it waits for it.
    pub fn run(&self, on_trial: &mut dyn FnMut(usize)) -> Result<SingleOutcome> {
        crate::placement::pin_client(self.placement.as_ref())?;
        if let Some(at) = self.start_at {
            crate::start_at::sleep_until(at)?;
        }
        let mut trials: Vec<RunResult> = Vec::with_capacity(self.trials);
        let mut histograms = Vec::with_capacity(self.trials);
        let mut timelines = Vec::with_capacity(self.trials);
        for trial in 1..=self.trials {
            if waitbench_core::interrupt::requested() {
                break;
            }
            on_trial(trial);
            let target = match &self.server {
                Some(server) => Target::Embedded(server),
                None => self.target.clone(),
            };
            let measured = measure_placed(
                self.strategy.as_ref(),
                &self.workload,
                &target,
                &self.injected,
                self.placement.as_ref(),
            )?;
            trials.push(measured.result);
            histograms.push(measured.latency);
            timelines.push(measured.timeline);
        }
        Ok(SingleOutcome {
            set: TrialSet::new(trials),
            histograms,
            timelines,
            interrupted: waitbench_core::interrupt::requested(),
            error_budget: self.error_budget,
        })
    }
}

#[cfg(test)]
mod tests {
    use waitbench_mockserver::{MockServer, ServerConfig};

    use super::*;

    fn against(target: Option<String>, conditions: Conditions) -> SingleRun {
        SingleRun {
            strategy: StrategyKind::UreqSequential,
            options: StrategyOptions::default(),
            load: LoadModel::Batch {
                requests: 2,
                concurrency: 1,
            },
            distinct_endpoints: false,
            path: "/".into(),
            conditions,
            target,
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

    #[test]
    fn a_run_that_injects_failures_may_fail_and_one_that_does_not_may_not() {
        let failing = Conditions::from_query("fail=0.5:503").unwrap();
        let prepared = Prepared::new(&against(None, failing)).unwrap();
        assert_eq!(prepared.error_budget, 1.0);
        let prepared = Prepared::new(&against(None, Conditions::default())).unwrap();
        assert_eq!(prepared.error_budget, 0.0);
    }
}
