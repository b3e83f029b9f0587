//! The suite runner, shared by `reproduce` and `check`: every planned point of every
//! selected scenario is measured against one mock server (embedded, or a standalone
//! `waitbench serve` on another host), the claims are judged from the results, and
//! `results.json` plus the rendered report are written atomically.
//!
//! A remote server needs nothing the embedded one does not: every condition a scenario
//! sets travels in each request's query string, its counters are reset through its
//! (token-guarded) control endpoint before each run, and its CPU is read from its
//! `/stats`.
//!
//! The runner reports progress through a [`Progress`] callback instead of drawing it, so
//! that the binary decides how progress looks (a bar in a terminal, lines in a log) and
//! tests can run the suite silently.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use waitbench_core::{
    Environment, Placement, Point, RunResult, SUITE_SCHEMA_VERSION, ScenarioResult, Series, Stack,
    SuiteResults, TrialSet,
};
use waitbench_strategies::PlantSpec;
use waitbench_strategies::runtimes::{Runtime, runtime_of};
use waitbench_strategies::{RunError, UserClient};

use waitbench_core::capacity::Demand;

use crate::error::{Result, SuiteError};
use crate::journal::{Journal, RunKey};
use crate::measure::{Target, measure_placed};
use crate::output::{replace_dir_atomic, write_atomic};
pub use crate::progress::Progress;
use crate::scenario::{self, PlannedPoint, Scenario, SeriesSpec};

/// Trials per point in a full run.
pub const FULL_TRIALS: usize = 3;

/// What the suite should run.
#[derive(Debug, Clone)]
pub struct SuitePlan {
    /// Scaled-down mode.
    pub quick: bool,
    /// Claims to run (all when empty).
    pub only: Vec<String>,
    /// The scenarios to choose from.
    pub scenarios: Vec<Scenario>,
    /// Trials per point (default: [`FULL_TRIALS`], or 1 in quick mode, unless a scenario
    /// sets its own); given, it is every point's, whatever the scenario says.
    pub trials: Option<usize>,
    /// Deliberate regressions to plant (a debugging option: empty by default).
    pub plants: Vec<PlantSpec>,
    /// Measure only one point of one series (re-measuring a metric that failed).
    pub focus: Option<Focus>,
    /// Record every finished run in this [journal](crate::journal) file.
    pub journal: Option<PathBuf>,
    /// Continue the journal's suite: measure only the runs it does not hold.
    pub resume: bool,
    /// Where the server runs.
    pub server: ServerChoice,
    /// CPUs to pin the client and the embedded server to (`None`: not pinned).
    pub placement: Option<Placement>,
    /// Which scenarios' Python series (the article's own stack) to measure.
    pub python: PythonSeries,
    /// The runtimes of reference clients left out (`--no-runtime go,java`): their series
    /// are not measured, and each says so with the flag.
    pub left_out: Vec<Stack>,
}

/// Which scenarios' Python series a suite measures.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum PythonSeries {
    /// None (`reproduce --no-python`, or a gate whose baseline reads no Python figure).
    #[default]
    None,
    /// Every scenario's (`reproduce`).
    All,
    /// Only these claims' scenarios: the gate's, so that it measures the Python series
    /// its baseline reads and no others.
    Of(Vec<String>),
}

impl PythonSeries {
    /// Every scenario's, unless `leave_out` (`--no-python`).
    pub fn all_unless(leave_out: bool) -> Self {
        if leave_out {
            PythonSeries::None
        } else {
            PythonSeries::All
        }
    }

    /// Whether the Python series of `claim`'s scenario are measured.
    pub fn of(&self, claim: &str) -> bool {
        match self {
            PythonSeries::None => false,
            PythonSeries::All => true,
            PythonSeries::Of(claims) => claims.iter().any(|c| c == claim),
        }
    }

    /// Whether any Python series is measured.
    pub fn any(&self) -> bool {
        match self {
            PythonSeries::None => false,
            PythonSeries::All => true,
            PythonSeries::Of(claims) => !claims.is_empty(),
        }
    }
}

/// Why the Python series cannot be measured on this machine, if they cannot: the Python
/// runtime's [`runtime_unavailable`].
pub fn python_unavailable() -> Result<Option<String>> {
    runtime_unavailable(&waitbench_strategies::runtimes::python::Python)
}

/// Why a runtime's series cannot be measured on this machine, if they cannot (this makes
/// its environment or builds its client on first use). An interrupted setup is an error,
/// not a reason, because the user asked to stop rather than to go on without the
/// runtime; so is a missing runtime when it is required (CI).
pub fn runtime_unavailable(runtime: &dyn Runtime) -> Result<Option<String>> {
    let reason = match runtime.prepare().map_err(RunError::into_interrupted_setup) {
        Ok(()) => return Ok(None),
        Err(Ok(setup)) => return Err(SuiteError::Setup(setup)),
        Err(Err(other)) => other.to_string(),
    };
    if runtime.required() {
        return Err(SuiteError::RuntimeRequired {
            runtime: runtime.stack().name(),
            env: runtime.require_env(),
            reason,
        });
    }
    Ok(Some(reason))
}

/// What a series of a runtime left out with `--no-runtime` says instead of figures.
fn left_out(stack: Stack) -> String {
    format!(
        "left out (--no-runtime {})",
        waitbench_strategies::runtimes::flag_name(stack)
    )
}

/// Where the suite's mock server runs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum ServerChoice {
    /// In this process (its CPU is subtracted from the client's).
    #[default]
    Embedded,
    /// A standalone `waitbench serve` at this URL, on this host or another.
    Remote {
        /// Its base URL.
        url: String,
        /// The token its control endpoint needs, if it was started with one.
        control_token: Option<String>,
    },
}

/// One point of one series: the unit `check` re-measures.
#[derive(Debug, Clone, PartialEq)]
pub struct Focus {
    /// The series' role.
    pub role: String,
    /// The point's x.
    pub x: f64,
}

fn select(all: Vec<Scenario>, only: &[String]) -> Result<Vec<Scenario>> {
    if only.is_empty() {
        return Ok(all);
    }
    // A claim judged on another's scenario (K on E's) selects that scenario.
    let covered: Vec<&str> = crate::claims::CLAIMS
        .iter()
        .map(|c| c.id)
        .filter(|id| {
            let scenario = crate::claims::scenario_claim(id);
            all.iter()
                .any(|s| s.file.claim.eq_ignore_ascii_case(scenario))
        })
        .collect();
    for id in only {
        if !covered.iter().any(|k| k.eq_ignore_ascii_case(id)) {
            return Err(SuiteError::Usage(format!(
                "--only {id}: no scenario for claim {id:?}; the scenarios cover {}",
                covered.join(", ")
            )));
        }
    }
    Ok(all
        .into_iter()
        .filter(|s| {
            only.iter()
                .any(|id| crate::claims::scenario_claim(id).eq_ignore_ascii_case(&s.file.claim))
        })
        .collect())
}

/// Runs the suite and returns its results (nothing is written); `progress` hears of
/// every run as it starts and ends.
pub fn run_suite(plan: &SuitePlan, progress: &mut dyn FnMut(Progress<'_>)) -> Result<SuiteResults> {
    let started = Instant::now();
    let scenarios = select(plan.scenarios.clone(), &plan.only)?;
    let trials = plan
        .trials
        .unwrap_or(if plan.quick { 1 } else { FULL_TRIALS })
        .max(1);
    let placement = plan.placement.as_ref();
    let embedded;
    let target = match &plan.server {
        ServerChoice::Embedded => {
            let cpus = placement.and_then(|p| p.server_cpus.as_ref());
            let config = crate::placement::server_config(None, cpus);
            embedded = crate::placement::start_server(config, cpus)?;
            Target::Embedded(&embedded)
        }
        ServerChoice::Remote { url, control_token } => remote(url, control_token.clone())?,
    };
    // A scenario that asks for its own protocols (`[server]`) gets an embedded server of
    // its own, started before any client is pinned.
    let mut own_servers = Vec::new();
    for scenario in &scenarios {
        let Some(protocol) = &scenario.file.server else {
            continue;
        };
        if !matches!(plan.server, ServerChoice::Embedded) {
            return Err(SuiteError::Usage(format!(
                "scenario {} needs a server of its own ([server] in its file), which only \
                 the embedded server can be; run it without --server-url",
                scenario.name
            )));
        }
        let cpus = placement.and_then(|p| p.server_cpus.as_ref());
        let config = waitbench_mockserver::ServerConfig {
            protocol: protocol.config(),
            ..crate::placement::server_config(None, cpus)
        };
        own_servers.push((
            scenario.name.clone(),
            crate::placement::start_server(config, cpus)?,
        ));
    }
    let targets: Vec<Target<'_>> = scenarios
        .iter()
        .map(
            |scenario| match own_servers.iter().find(|(name, _)| *name == scenario.name) {
                Some((_, server)) => Target::Embedded(server),
                None => target.clone(),
            },
        )
        .collect();
    crate::placement::pin_client(placement)?;

    // Every point to measure, per scenario, with its strategy built and any plant set.
    let mut planned: Vec<(&Scenario, &Target<'_>, Vec<Cell<'_>>)> = Vec::new();
    // Series that cannot be measured here, by scenario: (series index, why).
    let mut unmeasured: Vec<Vec<(usize, String)>> = Vec::new();
    for (scenario, target) in scenarios.iter().zip(&targets) {
        let mut cells = Vec::new();
        let mut missing = Vec::new();
        // A TLS server's clients trust the CA that signed its certificate.
        let ca_file = match target {
            Target::Embedded(server) => server.ca_file().map(std::path::Path::to_path_buf),
            _ => None,
        };
        for (index, points) in scenario.plan(&target.url(), plan.quick, trials)? {
            let spec = &scenario.file.series[index];
            if let Some(runtime) = runtime_of(spec.strategy.0) {
                if runtime.stack() == Stack::Python && !plan.python.of(&scenario.file.claim) {
                    continue;
                }
                if plan.left_out.contains(&runtime.stack()) {
                    missing.push((index, left_out(runtime.stack())));
                    continue;
                }
                if let Some(reason) = runtime_unavailable(runtime)? {
                    missing.push((index, reason));
                    continue;
                }
            }
            for mut point in points {
                // Asked for on the command line (or by the gate's re-measurement), a
                // trial count overrides the scenario's own.
                if let Some(asked) = plan.trials {
                    point.trials = asked.max(1);
                }
                let focused = plan
                    .focus
                    .as_ref()
                    .is_none_or(|f| f.role == spec.role && f.x == point.x);
                if !focused {
                    continue;
                }
                if point.options.cacert.is_none() && !point.options.insecure {
                    point.options.cacert = ca_file.clone();
                }
                point.options.plant = plan
                    .plants
                    .iter()
                    .find(|p| p.strategy == point.kind)
                    .map(|p| p.plant);
                // The plan writes the conditions into the query either way; only where the
                // server ran differs.
                point.injected.embedded_server = matches!(target, Target::Embedded(_));
                let strategy: Box<dyn waitbench_strategies::Strategy> = match &point.client {
                    Some(program) => Box::new(
                        UserClient::new(program.clone()).self_paced(point.options.self_paced),
                    ),
                    None => waitbench_strategies::build(point.kind, &point.options),
                };
                let expected = expected_run(&point, strategy.as_ref());
                cells.push(Cell {
                    index,
                    spec,
                    point,
                    strategy,
                    expected,
                    runs: Vec::new(),
                });
            }
        }
        planned.push((scenario, target, cells));
        unmeasured.push(missing);
    }
    // Trial-major order: trial i of every series is measured side by side, so a ratio
    // between two series in one trial is not skewed by drift between their runs.
    let order = |cells: &[Cell<'_>]| -> Vec<(usize, usize)> {
        let rounds = cells.iter().map(|c| c.point.trials).max().unwrap_or(0);
        (0..rounds)
            .flat_map(|trial| {
                cells
                    .iter()
                    .enumerate()
                    .filter(move |(_, c)| trial < c.point.trials)
                    .map(move |(i, _)| (i, trial))
            })
            .collect()
    };
    // The biggest point decides whether the machine can take the suite: better to say so
    // now than as connect errors twenty minutes in.
    // Each run alone: a run whose client is a child process holds only the server's
    // ends here, so it may go further than one whose client shares this process.
    let capacity = waitbench_core::capacity::Capacity::read();
    for c in planned.iter().flat_map(|(_, _, cells)| cells) {
        let concurrency = c.point.workload.load.concurrency();
        let threads = c.point.options.client_threads(c.point.kind, concurrency);
        // A remote server's connections are its own host's.
        let demand = Demand::of_run(
            concurrency,
            threads,
            matches!(target, Target::Embedded(_)),
            c.point.kind.stack() != Stack::Rust,
        );
        waitbench_core::capacity::check(&demand, &capacity)?;
    }
    let keys: Vec<RunKey> = planned
        .iter()
        .flat_map(|(scenario, _, cells)| {
            order(cells).into_iter().map(|(i, trial)| RunKey {
                scenario: scenario.name.clone(),
                series: cells[i].spec.label.clone(),
                x: cells[i].point.x,
                trial: trial + 1,
            })
        })
        .collect();
    // What each run is expected to take, in the keys' order.
    let expected: Vec<Duration> = planned
        .iter()
        .flat_map(|(_, _, cells)| order(cells).into_iter().map(|(i, _)| cells[i].expected))
        .collect();
    let (mut journal, mut done) = match (&plan.journal, plan.resume) {
        (Some(path), true) => {
            let (journal, done) = Journal::resume(path, plan.quick, &keys)?;
            (Some(journal), done)
        }
        (Some(path), false) => (Some(Journal::create(path, plan.quick, &keys)?), Vec::new()),
        (None, _) => (None, Vec::new()),
    };
    progress(Progress::Planned {
        runs: (keys.len() - done.len()) as u64,
        expected: keys
            .iter()
            .zip(&expected)
            .filter(|(key, _)| !done.iter().any(|(k, _)| k == *key))
            .map(|(_, expected)| *expected)
            .sum(),
    });

    let planned_runs = keys.len();
    // Runs recorded in the journal (and taken from it) or measured now.
    let mut results = Vec::new();
    let mut keys = keys.into_iter();
    let mut measured_runs = done.len();
    for ((scenario, target, mut cells), missing) in planned.into_iter().zip(unmeasured) {
        for (i, trial) in order(&cells) {
            let key = keys.next().expect("one key per planned run");
            let cell = &mut cells[i];
            if let Some(at) = done.iter().position(|(k, _)| *k == key) {
                cell.runs.push(done.swap_remove(at).1);
                continue;
            }
            // Once interrupted, the rest of the plan is skipped, to be resumed.
            if waitbench_core::interrupt::requested() {
                continue;
            }
            progress(Progress::RunStarted {
                claim: &scenario.file.claim,
                series: &cell.spec.label,
                x: cell.point.x,
                trial: trial + 1,
                trials: cell.point.trials,
                expected: cell.expected,
            });
            let measured = measure_placed(
                cell.strategy.as_ref(),
                &cell.point.workload,
                target,
                &cell.point.injected,
                placement,
            )
            .map_err(|source| SuiteError::Run {
                scenario: scenario.name.clone(),
                series: cell.spec.label.clone(),
                strategy: cell.point.kind.name(),
                source,
            })?;
            if measured.result.interrupted {
                // Cut short: not a finished run, so neither kept nor journaled; a resumed
                // suite measures it again in full.
                continue;
            }
            progress(Progress::RunFinished {
                result: &measured.result,
            });
            if let Some(journal) = journal.as_mut() {
                journal.record(&key, &measured.result)?;
            }
            cell.runs.push(measured.result);
            measured_runs += 1;
        }
        // Cells come in series order: consecutive cells of one series make its points. A
        // point not measured at all (the suite was interrupted) is left out.
        let mut series: Vec<(usize, Series)> = Vec::new();
        for cell in cells.into_iter().filter(|c| !c.runs.is_empty()) {
            let point = point_result(cell.point.x, TrialSet::new(cell.runs));
            match series.last_mut() {
                Some((index, last)) if *index == cell.index => last.points.push(point),
                _ => series.push((
                    cell.index,
                    Series {
                        label: cell.spec.label.clone(),
                        role: cell.spec.role.clone(),
                        strategy: cell.spec.strategy.0.name().to_string(),
                        stack: cell.spec.strategy.0.stack(),
                        variant: cell.spec.variant,
                        points: vec![point],
                        not_measured: None,
                    },
                )),
            }
        }
        for (index, reason) in missing {
            let spec = &scenario.file.series[index];
            series.push((
                index,
                Series {
                    label: spec.label.clone(),
                    role: spec.role.clone(),
                    strategy: spec.strategy.0.name().to_string(),
                    stack: spec.strategy.0.stack(),
                    variant: spec.variant,
                    points: Vec::new(),
                    not_measured: Some(reason),
                },
            ));
        }
        series.sort_by_key(|(index, _)| *index);
        let series: Vec<Series> = series.into_iter().map(|(_, s)| s).collect();
        results.push(ScenarioResult {
            claim: scenario.file.claim.clone(),
            name: scenario.name.clone(),
            title: scenario.file.title.clone(),
            description: scenario.file.description.trim().to_string(),
            x_label: match scenario.file.x {
                scenario::XAxis::Concurrency => "concurrency (requests in flight)".into(),
                scenario::XAxis::None => "requests in flight".into(),
            },
            series,
        });
    }
    let claims = crate::claims::evaluate(&results);
    let incomplete = (measured_runs < planned_runs).then(|| {
        format!(
            "interrupted after {measured_runs} of {planned_runs} runs{}",
            journal.as_ref().map_or(String::new(), |j| format!(
                "; `waitbench reproduce --resume` with the same flags measures the rest \
                 (journal: {})",
                j.path().display()
            ))
        )
    });
    Ok(SuiteResults {
        incomplete,
        schema_version: SUITE_SCHEMA_VERSION,
        quick: plan.quick,
        trials,
        environment: Environment::capture(),
        duration_s: started.elapsed().as_secs_f64(),
        scenarios: results,
        claims,
        server_url: match &plan.server {
            ServerChoice::Embedded => None,
            ServerChoice::Remote { url, .. } => Some(url.clone()),
        },
        placement: plan.placement.clone(),
    })
}

/// The standalone server at `url`, refused unless it is a waitbench server whose control
/// endpoint accepts us: the scenarios' conditions and counters need one.
fn remote(url: &str, control_token: Option<String>) -> Result<Target<'static>> {
    let target = Target::remote_with_token(url, control_token);
    if !matches!(target, Target::Waitbench(_)) {
        return Err(SuiteError::Usage(format!(
            "--server {url}: no waitbench server answers there (its /health did not say so); \
             start one on that host with `waitbench serve --listen 0.0.0.0:8080` and give its \
             address, e.g. --server http://HOST:8080"
        )));
    }
    target.check_control()?;
    Ok(target)
}

/// One point of one series, with the runs measured so far.
struct Cell<'a> {
    index: usize,
    spec: &'a SeriesSpec,
    point: PlannedPoint,
    strategy: Box<dyn waitbench_strategies::Strategy>,
    /// What one run is expected to take, for the progress ETA.
    expected: Duration,
    runs: Vec<RunResult>,
}

/// What one run of `point` with `strategy` is expected to take, for the progress ETA.
fn expected_run(point: &PlannedPoint, strategy: &dyn waitbench_strategies::Strategy) -> Duration {
    let workload = &point.workload;
    crate::progress::expected_run(
        &workload.load,
        strategy.info(workload).effective_concurrency,
        Duration::from_secs_f64(point.injected.mean_latency_us / 1e6),
    )
}

fn point_result(x: f64, trials: TrialSet) -> Point {
    let first = &trials.trials[0].littles_law;
    let (predicted, unit) = match first.predicted_batch_time_s {
        Some(t) => (Some(t), "s"),
        None => (first.bound_rps, "req/s"),
    };
    Point {
        x,
        predicted,
        predicted_unit: unit.into(),
        trials,
    }
}

/// Writes the report of a suite into `out` and says how the suite ended, with the line
/// to print: an incomplete suite keeps its journal for `--resume`; a complete one's
/// journal is removed, since nothing is left to resume.
pub fn publish(results: &SuiteResults, out: &Path) -> Result<(crate::exit::Conclusion, String)> {
    write_report(results, out)?;
    let index = out.join(waitbench_report::INDEX_FILE);
    if let Some(why) = &results.incomplete {
        let line = format!("INCOMPLETE: {why}; partial report: {}", index.display());
        return Ok((crate::exit::Conclusion::Interrupted, line));
    }
    crate::journal::remove_for(out)?;
    let line = format!(
        "{} run in {} on {}; report: {}",
        if results.quick { "quick" } else { "full" },
        waitbench_core::units::format_seconds(results.duration_s),
        results.environment.label(),
        index.display()
    );
    Ok((crate::exit::Conclusion::Ok, line))
}

/// Writes `results.json` and the rendered report into `out`, replacing it atomically.
pub fn write_report(results: &SuiteResults, out: &Path) -> Result<()> {
    replace_dir_atomic(out, |dir| {
        // Compact: the full suite's file is mostly numbers, and the committed reference
        // run must stay small; `jq .` pretty-prints it.
        let json = serde_json::to_vec(results).map_err(|source| SuiteError::Serialize {
            what: "results.json",
            source,
        })?;
        write_atomic(&dir.join("results.json"), &json)?;
        waitbench_report::render(results, dir)?;
        Ok(())
    })
}
