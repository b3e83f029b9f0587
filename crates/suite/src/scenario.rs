//! Scenario files (`fixtures/scenarios/*.toml`, built into the binary by
//! [`crate::builtin`]): one per claim, each a set of series (strategy + settings)
//! measured at one or more concurrencies. Parsing is strict: unknown keys and bad values
//! are rejected with the file, the line and the accepted form.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;
use waitbench_core::units::{ByteRate, HumanDuration, Probability};

use crate::error::{Result, SuiteError};
use waitbench_core::{
    ErrorPolicy, InjectedConditions, LoadModel, PathPlan, Timeouts, Variant, Workload,
};
use waitbench_mockserver::{Conditions, FailFault, Faults, LatencySpec, PauseFault};
use waitbench_strategies::{
    AwaitWith, IdlePerHost, PoolSize, RuntimeFlavor, StrategyKind, StrategyOptions,
};

/// A value parsed with its type's `FromStr` during deserialisation, so that a bad value
/// is reported with its line. Numbers are read as their text (`reset = 0.01`,
/// `threads = 8`), so every value goes through the one grammar its type owns.
#[derive(Debug, Clone, Deserialize)]
#[serde(
    try_from = "toml::Value",
    bound = "T: std::str::FromStr, T::Err: std::fmt::Display"
)]
pub struct Parsed<T>(pub T);

impl<T: std::str::FromStr> TryFrom<toml::Value> for Parsed<T>
where
    T::Err: std::fmt::Display,
{
    type Error = String;
    fn try_from(value: toml::Value) -> Result<Self, String> {
        let text = match value {
            toml::Value::String(s) => s,
            toml::Value::Integer(n) => n.to_string(),
            toml::Value::Float(x) => x.to_string(),
            other => return Err(format!("expected a string or a number, found {other}")),
        };
        text.parse::<T>().map(Parsed).map_err(|e| e.to_string())
    }
}

/// The load model named in a scenario.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ModelName {
    /// N requests at C in flight.
    Batch,
    /// C workers for a duration.
    ClosedLoop,
    /// A constant arrival rate for a duration.
    OpenLoop,
}

/// Settings that a scenario's `[workload]`, `[quick]`, and each series' `set` and
/// `quick` tables may give; later tables override earlier ones.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// Load model.
    pub model: Option<ModelName>,
    /// Batch size.
    pub requests: Option<u64>,
    /// Concurrencies to measure (one point each).
    pub concurrency: Option<Vec<usize>>,
    /// Closed/open loop duration.
    pub duration: Option<Parsed<HumanDuration>>,
    /// Warm-up.
    pub warmup: Option<Parsed<HumanDuration>>,
    /// Open-loop rate, req/s.
    pub rate: Option<f64>,
    /// Batch to N distinct endpoints.
    pub distinct_endpoints: Option<bool>,
    /// Injected latency spec.
    pub latency: Option<Parsed<LatencySpec>>,
    /// Connection-setup delay spec.
    pub connect_delay: Option<Parsed<LatencySpec>>,
    /// Error status at a probability.
    pub fail: Option<Parsed<FailFault>>,
    /// Connection reset probability.
    pub reset: Option<Parsed<Probability>>,
    /// Stall probability.
    pub stall: Option<Parsed<Probability>>,
    /// Slow bodies, e.g. `64KiB/s`.
    pub bandwidth: Option<Parsed<ByteRate>>,
    /// Periodic server pause.
    pub pause: Option<Parsed<PauseFault>>,
    /// Error policy: `wait-all` or `cancel`.
    pub on_error: Option<Parsed<ErrorPolicy>>,
    /// ureq-rayon pool size: a number, `concurrency` or `library` (the library's own).
    pub threads: Option<Parsed<PoolSize>>,
    /// Idle connections per host: a number, `sized` or `library` (the library's own).
    pub idle_per_host: Option<Parsed<IdlePerHost>>,
    /// Tokio worker threads.
    pub runtime_threads: Option<usize>,
    /// Tokio runtime flavour: `multi-thread` or `current-thread`.
    pub runtime: Option<Parsed<RuntimeFlavor>>,
    /// CPU work per response.
    pub cpu_work: Option<Parsed<HumanDuration>>,
    /// Run the 1 ms ticker.
    pub ticker: Option<bool>,
    /// How py-aiohttp awaits its requests (claim G): `workers`, `gather`,
    /// `gather-return-exceptions` or `taskgroup`.
    pub await_with: Option<Parsed<AwaitWith>>,
    /// Trials for this series (overrides the suite's).
    pub trials: Option<usize>,
    /// Request timeout.
    pub timeout: Option<Parsed<HumanDuration>>,
}

macro_rules! overlay {
    ($base:expr, $top:expr, $($field:ident),*) => {
        $( if $top.$field.is_some() { $base.$field = $top.$field.clone(); } )*
    };
}

impl Settings {
    /// The server conditions these settings ask for.
    fn conditions(&self) -> Conditions {
        Conditions {
            latency: self.latency.as_ref().map(|l| l.0.clone()),
            connect_delay: self.connect_delay.as_ref().map(|l| l.0.clone()),
            faults: Faults {
                fail: self.fail.as_ref().map(|f| f.0),
                reset: self.reset.as_ref().map(|p| p.0),
                stall: self.stall.as_ref().map(|p| p.0),
                bandwidth: self.bandwidth.as_ref().map(|b| b.0),
                pause: self.pause.as_ref().map(|p| p.0),
            },
        }
    }

    /// `self` with every value `top` gives replacing ours.
    fn overlaid(mut self, top: &Settings) -> Settings {
        overlay!(
            self,
            top,
            model,
            requests,
            concurrency,
            duration,
            warmup,
            rate,
            distinct_endpoints,
            latency,
            connect_delay,
            fail,
            reset,
            stall,
            bandwidth,
            pause,
            on_error,
            threads,
            idle_per_host,
            runtime_threads,
            runtime,
            cpu_work,
            ticker,
            await_with,
            trials,
            timeout
        );
        self
    }
}

/// What a scenario's x axis is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum XAxis {
    /// Points are concurrencies (swept).
    Concurrency,
    /// One point per series; x is its concurrency but not compared.
    None,
}

/// One series of a scenario file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeriesSpec {
    /// Legend label.
    pub label: String,
    /// Role in the claim's verdict rule.
    pub role: String,
    /// Strategy name.
    pub strategy: Parsed<StrategyKind>,
    /// Artifact on or off.
    pub variant: Variant,
    /// Settings for this series.
    #[serde(default)]
    pub set: Settings,
    /// Settings for this series in quick mode.
    #[serde(default)]
    pub quick: Settings,
}

/// A scenario file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScenarioFile {
    /// Claim id (`A` … `G`, or `CO`).
    pub claim: String,
    /// Title.
    pub title: String,
    /// What and why.
    pub description: String,
    /// What the x value is.
    pub x: XAxis,
    /// Settings shared by every series.
    pub workload: Settings,
    /// Overrides in quick mode.
    #[serde(default)]
    pub quick: Settings,
    /// The series.
    pub series: Vec<SeriesSpec>,
}

/// A scenario file as loaded: its name (file stem), path and contents.
#[derive(Debug, Clone)]
pub struct Scenario {
    /// File stem, e.g. `c-concurrency-sweep`.
    pub name: String,
    /// Where it came from: a file, or a built-in copy's label (see [`crate::builtin`]).
    pub path: PathBuf,
    /// Parsed contents.
    pub file: ScenarioFile,
}

/// One configuration to measure: a series at one concurrency, resolved.
#[derive(Debug, Clone)]
pub struct PlannedPoint {
    /// x value.
    pub x: f64,
    /// What to run.
    pub workload: Workload,
    /// Strategy.
    pub kind: StrategyKind,
    /// Strategy settings.
    pub options: StrategyOptions,
    /// Conditions, for the result.
    pub injected: InjectedConditions,
    /// Trials.
    pub trials: usize,
}

/// Reads and validates one scenario file.
pub fn load(path: &Path) -> Result<Scenario> {
    let text = std::fs::read_to_string(path).map_err(|source| SuiteError::Read {
        path: path.to_path_buf(),
        hint: "",
        source,
    })?;
    from_text(&text, path)
}

/// Parses and validates a scenario from its text. `path` is what errors name (a file,
/// or a built-in copy's label) and its stem is the scenario's name.
pub fn from_text(text: &str, path: &Path) -> Result<Scenario> {
    let bad = |message: String| SuiteError::Scenario {
        path: path.to_path_buf(),
        message,
    };
    let file: ScenarioFile = toml::from_str(text).map_err(|e| bad(e.to_string()))?;
    let name = path
        .file_stem()
        .map_or_else(String::new, |s| s.to_string_lossy().into_owned());
    if file.series.is_empty() {
        return Err(bad("a scenario needs at least one [[series]]".into()));
    }
    check_roles(&file).map_err(bad)?;
    let scenario = Scenario {
        name,
        path: path.to_path_buf(),
        file,
    };
    // Resolve both modes now so that a bad combination fails before anything runs.
    for quick in [false, true] {
        scenario.plan("http://127.0.0.1:1", quick, 1)?;
    }
    Ok(scenario)
}

/// Checks the scenario's series against its claim's declaration: every role the claim
/// needs is there, and no series plays a role the claim does not know (a renamed role
/// would otherwise turn the claim "inconclusive" without a word).
fn check_roles(file: &ScenarioFile) -> Result<(), String> {
    let Some(claim) = crate::claims::claim(&file.claim) else {
        let known: Vec<&str> = crate::claims::CLAIMS.iter().map(|c| c.id).collect();
        return Err(format!(
            "claim {:?} is not one waitbench judges; use one of {}",
            file.claim,
            known.join(", ")
        ));
    };
    let roles = || {
        claim
            .required_roles
            .iter()
            .chain(claim.optional_roles)
            .copied()
            .collect::<Vec<_>>()
            .join(", ")
    };
    for series in &file.series {
        if !claim.knows_role(&series.role) {
            return Err(format!(
                "series {:?} has role {:?}, which claim {} does not read; its roles are {}",
                series.label,
                series.role,
                claim.id,
                roles()
            ));
        }
    }
    for role in claim.required_roles {
        if !file.series.iter().any(|s| s.role == *role) {
            return Err(format!(
                "claim {} needs a series with role {role:?}, and none has it (roles: {})",
                claim.id,
                roles()
            ));
        }
    }
    Ok(())
}

/// Loads every `*.toml` in `dir`, sorted by file name.
pub fn load_dir(dir: &Path) -> Result<Vec<Scenario>> {
    let entries = std::fs::read_dir(dir).map_err(|source| SuiteError::Read {
        path: dir.to_path_buf(),
        hint: " (the --scenarios folder: check the path, or leave the flag out to use the built-in scenarios)",
        source,
    })?;
    let mut paths: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    paths.sort();
    if paths.is_empty() {
        return Err(SuiteError::Usage(format!(
            "no scenario files (*.toml) in {}; pass a folder that has them to --scenarios, \
             or leave the flag out to use the built-in scenarios",
            dir.display()
        )));
    }
    paths.iter().map(|p| load(p)).collect()
}

impl Scenario {
    /// Resolves every series into planned points for the given target and mode.
    pub fn plan(
        &self,
        target: &str,
        quick: bool,
        default_trials: usize,
    ) -> Result<Vec<(usize, Vec<PlannedPoint>)>> {
        let base = if quick {
            self.file.workload.clone().overlaid(&self.file.quick)
        } else {
            self.file.workload.clone()
        };
        let mut planned = Vec::new();
        for (index, series) in self.file.series.iter().enumerate() {
            let mut settings = base.clone().overlaid(&series.set);
            if quick {
                settings = settings.overlaid(&series.quick);
            }
            let points = resolve(&settings, series.strategy.0, target, default_trials).map_err(
                |message| SuiteError::Scenario {
                    path: self.path.clone(),
                    message: format!(
                        "series {:?}{}: {message}",
                        series.label,
                        if quick { " (quick mode)" } else { "" }
                    ),
                },
            )?;
            planned.push((index, points));
        }
        Ok(planned)
    }
}

fn require<T: Clone>(value: &Option<T>, key: &str, example: &str) -> Result<T, String> {
    value.clone().ok_or_else(|| {
        format!("missing `{key}`; add it to [workload] or the series, e.g. {key} = {example}")
    })
}

fn resolve(
    s: &Settings,
    kind: StrategyKind,
    target: &str,
    default_trials: usize,
) -> Result<Vec<PlannedPoint>, String> {
    let model = require(&s.model, "model", "\"closed-loop\"")?;
    let concurrencies = require(&s.concurrency, "concurrency", "[10, 100]")?;
    if concurrencies.is_empty() || concurrencies.contains(&0) {
        return Err(
            "`concurrency` must list positive numbers, e.g. concurrency = [10, 100]".into(),
        );
    }
    let conditions = s.conditions();
    let injected = conditions.to_injected(true);
    let query_string = conditions.to_query();
    let options = StrategyOptions {
        threads: s.threads.as_ref().map_or(PoolSize::Concurrency, |t| t.0),
        idle_per_host: s.idle_per_host.as_ref().map_or(IdlePerHost::Sized, |i| i.0),
        runtime_threads: s.runtime_threads,
        runtime_flavor: s.runtime.as_ref().map_or(RuntimeFlavor::default(), |r| r.0),
        cpu_work: s.cpu_work.as_ref().map_or(Duration::ZERO, |d| d.0.into()),
        ticker: s.ticker.unwrap_or(false),
        await_with: s.await_with.as_ref().map_or(AwaitWith::default(), |a| a.0),
        plant: None,
    };
    let trials = s.trials.unwrap_or(default_trials).max(1);
    concurrencies
        .iter()
        .map(|&concurrency| {
            let load = match model {
                ModelName::Batch => LoadModel::Batch {
                    requests: require(&s.requests, "requests", "500")?,
                    concurrency,
                },
                ModelName::ClosedLoop => LoadModel::ClosedLoop {
                    concurrency,
                    duration: require(&s.duration, "duration", "\"3s\"")?.0.into(),
                    warmup: s.warmup.as_ref().map_or(Duration::ZERO, |d| d.0.into()),
                },
                ModelName::OpenLoop => LoadModel::OpenLoop {
                    rate_per_s: require(&s.rate, "rate", "500")?,
                    duration: require(&s.duration, "duration", "\"3s\"")?.0.into(),
                    warmup: s.warmup.as_ref().map_or(Duration::ZERO, |d| d.0.into()),
                    max_in_flight: concurrency,
                },
            };
            let paths = match (s.distinct_endpoints.unwrap_or(false), &load) {
                (true, LoadModel::Batch { requests, .. }) => {
                    PathPlan::DistinctItems { count: *requests }
                }
                (true, _) => {
                    return Err("`distinct_endpoints = true` needs model = \"batch\"".into());
                }
                (false, _) => PathPlan::Single { path: "/".into() },
            };
            let workload = Workload {
                target: target.to_string(),
                paths,
                query: query_string.clone(),
                load,
                on_error: s.on_error.as_ref().map_or(ErrorPolicy::default(), |p| p.0),
                request: Default::default(),
                timeouts: Timeouts {
                    request: s
                        .timeout
                        .as_ref()
                        .map_or(Timeouts::default().request, |d| d.0.into()),
                    ..Timeouts::default()
                },
            };
            workload.validate().map_err(|e| e.to_string())?;
            Ok(PlannedPoint {
                x: concurrency as f64,
                workload,
                kind,
                options: options.clone(),
                injected: injected.clone(),
                trials,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(text: &str) -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x-test.toml");
        std::fs::write(&path, text).unwrap();
        (dir, path)
    }

    const GOOD: &str = r#"
claim = "C"
title = "t"
description = "d"
x = "concurrency"
[workload]
model = "closed-loop"
duration = "1s"
latency = "20ms"
concurrency = [1, 10]
[quick]
duration = "200ms"
[[series]]
label = "async"
role = "async"
strategy = "reqwest-tokio"
variant = "plain"
[[series]]
label = "threads"
role = "threads-defaults"
strategy = "ureq-rayon"
variant = "defaults"
set = { threads = "library", idle_per_host = 3 }
quick = { concurrency = [5] }
[[series]]
label = "right-sized"
role = "threads-right-sized"
strategy = "ureq-threads"
variant = "right-sized"
"#;

    #[test]
    fn a_good_file_plans_every_series_and_point() {
        let (_dir, path) = write(GOOD);
        let scenario = load(&path).unwrap();
        let plan = scenario.plan("http://127.0.0.1:9", false, 3).unwrap();
        assert_eq!(plan.len(), 3);
        assert_eq!(plan[0].1.len(), 2);
        let point = &plan[1].1[0];
        assert_eq!(point.options.threads, PoolSize::LibraryDefault);
        assert_eq!(point.options.idle_per_host, IdlePerHost::Fixed(3));
        assert_eq!(point.workload.query.as_deref(), Some("latency=20ms"));
        assert_eq!(point.injected.mean_latency_us, 20_000.0);
        let quick = scenario.plan("http://127.0.0.1:9", true, 1).unwrap();
        assert_eq!(quick[1].1.len(), 1);
        assert_eq!(quick[1].1[0].x, 5.0);
    }

    #[test]
    fn text_without_a_file_is_named_by_its_label_in_errors() {
        let label = Path::new("built-in fixtures/scenarios/c-test.toml");
        assert_eq!(from_text(GOOD, label).unwrap().name, "c-test");
        let err = from_text(&GOOD.replace("\"20ms\"", "\"20\""), label).unwrap_err();
        let err = err.to_string();
        assert!(
            err.starts_with("built-in fixtures/scenarios/c-test.toml: "),
            "{err}"
        );
        assert!(err.contains("line 9"), "{err}");
    }

    #[test]
    fn unknown_key_is_rejected_with_file_line_and_accepted_keys() {
        let (_dir, path) = write(&GOOD.replace("duration = \"1s\"", "durration = \"1s\""));
        let err = format!("{:#}", load(&path).unwrap_err());
        assert!(err.contains("x-test.toml"), "{err}");
        assert!(err.contains("line 8"), "{err}");
        assert!(err.contains("unknown field `durration`"), "{err}");
        assert!(err.contains("`duration`"), "{err}");
    }

    #[test]
    fn bad_latency_value_names_the_accepted_form() {
        let (_dir, path) = write(&GOOD.replace("\"20ms\"", "\"lognormal(20ms)\""));
        let err = format!("{:#}", load(&path).unwrap_err());
        assert!(err.contains("x-test.toml"), "{err}");
        assert!(err.contains("line 9"), "{err}");
        assert!(err.contains("lognormal"), "{err}");
    }

    #[test]
    fn unknown_strategy_lists_the_valid_ones() {
        let (_dir, path) = write(&GOOD.replace("\"reqwest-tokio\"", "\"reqwest-async\""));
        let err = format!("{:#}", load(&path).unwrap_err());
        assert!(err.contains("reqwest-async"), "{err}");
        assert!(err.contains("ureq-sequential"), "{err}");
    }

    #[test]
    fn a_role_the_claim_does_not_read_names_the_file_and_the_role() {
        let (_dir, path) = write(&GOOD.replace("role = \"async\"", "role = \"asynch\""));
        let err = format!("{:#}", load(&path).unwrap_err());
        assert!(err.contains("x-test.toml"), "{err}");
        assert!(err.contains("\"asynch\""), "{err}");
        assert!(err.contains("threads-right-sized"), "{err}");
    }

    #[test]
    fn a_missing_required_role_names_the_file_and_the_role() {
        let (_dir, path) = write(&GOOD.replace(
            "role = \"threads-right-sized\"",
            "role = \"rayon-right-sized\"",
        ));
        let err = format!("{:#}", load(&path).unwrap_err());
        assert!(err.contains("x-test.toml"), "{err}");
        assert!(
            err.contains("needs a series with role \"threads-right-sized\""),
            "{err}"
        );
    }

    #[test]
    fn missing_required_setting_says_where_to_add_it() {
        let (_dir, path) = write(&GOOD.replace("concurrency = [1, 10]\n", ""));
        let err = format!("{:#}", load(&path).unwrap_err());
        assert!(err.contains("missing `concurrency`"), "{err}");
        assert!(err.contains("series \"async\""), "{err}");
    }
}
