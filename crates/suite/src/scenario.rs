//! Scenario files (`fixtures/scenarios/*.toml`, built into the binary by
//! [`crate::builtin`]): one per claim, each a set of series (strategy + settings)
//! measured at one or more concurrencies. Parsing is strict: unknown keys and bad values
//! are rejected with the file, the line and the accepted form.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;
use waitbench_core::units::HumanDuration;

use crate::error::{Result, SuiteError};
use crate::load_spec::{LoadSpec, Missing};
use waitbench_core::{
    ErrorPolicy, InjectedConditions, LoadModel, PathPlan, Timeouts, Variant, Workload,
};
use waitbench_mockserver::{Conditions, Parameter};
use waitbench_strategies::external::Program;
use waitbench_strategies::{OptionKey, StrategyKind, StrategyOptions};

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

/// A key of a settings table that shapes the plan itself rather than the server's
/// conditions ([`Conditions`]) or the strategy ([`StrategyOptions`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PlanKey {
    /// `model`: the load model ([`ModelName`]).
    Model,
    /// `requests`: a batch's size.
    Requests,
    /// `concurrency`: the concurrencies to measure, one point each.
    Concurrency,
    /// `duration`: a loop's measured window.
    Duration,
    /// `warmup`: a loop's unrecorded warm-up.
    Warmup,
    /// `rate`: an open loop's rate, req/s.
    Rate,
    /// `distinct_endpoints`: a batch to N distinct endpoints.
    DistinctEndpoints,
    /// `on_error`: `wait-all` or `cancel`.
    OnError,
    /// `trials`: trials for this series (overrides the suite's).
    Trials,
    /// `timeout`: the request timeout.
    Timeout,
}

impl PlanKey {
    const ALL: [PlanKey; 10] = [
        PlanKey::Model,
        PlanKey::Requests,
        PlanKey::Concurrency,
        PlanKey::Duration,
        PlanKey::Warmup,
        PlanKey::Rate,
        PlanKey::DistinctEndpoints,
        PlanKey::OnError,
        PlanKey::Trials,
        PlanKey::Timeout,
    ];

    fn name(self) -> &'static str {
        match self {
            PlanKey::Model => "model",
            PlanKey::Requests => "requests",
            PlanKey::Concurrency => "concurrency",
            PlanKey::Duration => "duration",
            PlanKey::Warmup => "warmup",
            PlanKey::Rate => "rate",
            PlanKey::DistinctEndpoints => "distinct_endpoints",
            PlanKey::OnError => "on_error",
            PlanKey::Trials => "trials",
            PlanKey::Timeout => "timeout",
        }
    }

    fn from_name(name: &str) -> Option<PlanKey> {
        PlanKey::ALL.into_iter().find(|k| k.name() == name)
    }
}

/// Every key a settings table takes: the plan's, the conditions' and the strategy's.
fn accepted_keys() -> String {
    let plan = PlanKey::ALL.iter().map(|k| k.name());
    let conditions = Parameter::ALL.iter().map(|p| p.name());
    let options = OptionKey::ALL.iter().map(|k| k.name());
    plan.chain(conditions)
        .chain(options)
        .map(|name| format!("`{name}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// One key of a settings table as written: its value and where it stands.
#[derive(Debug, Clone)]
struct Entry {
    value: toml::Value,
    /// The byte offset of the value in its file, until [`ScenarioFile::locate`] makes
    /// it a line number.
    at: usize,
}

/// A settings table as written (`[workload]`, `[quick]`, and each series' `set` and
/// `quick`): its keys and values, each read later by the one parser its owner has (the
/// plan's keys here, [`Conditions::set`], [`StrategyOptions::set`]), so that a value
/// means the same in a scenario as on the command line. Later tables override earlier
/// ones key by key.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(try_from = "BTreeMap<String, toml::Spanned<toml::Value>>")]
pub struct Settings(BTreeMap<String, Entry>);

impl TryFrom<BTreeMap<String, toml::Spanned<toml::Value>>> for Settings {
    type Error = String;

    fn try_from(table: BTreeMap<String, toml::Spanned<toml::Value>>) -> Result<Self, String> {
        Ok(Settings(
            table
                .into_iter()
                .map(|(key, value)| {
                    let at = value.span().start;
                    (
                        key,
                        Entry {
                            value: value.into_inner(),
                            at,
                        },
                    )
                })
                .collect(),
        ))
    }
}

impl Settings {
    /// `self` with every key `top` gives replacing ours.
    fn overlaid(mut self, top: &Settings) -> Settings {
        self.0
            .extend(top.0.iter().map(|(k, e)| (k.clone(), e.clone())));
        self
    }

    /// Turns byte offsets into line numbers of `text`.
    fn locate(&mut self, text: &str) {
        for entry in self.0.values_mut() {
            entry.at = line_of(text, entry.at);
        }
    }
}

/// The line (from 1) of byte `offset` in `text`.
fn line_of(text: &str, offset: usize) -> usize {
    text.get(..offset)
        .map_or(0, |before| before.matches('\n').count())
        + 1
}

/// A value as the text its parser reads: numbers and booleans are read as their text
/// (`reset = 0.01`, `threads = 8`, `ticker = true`), so every value goes through the one
/// grammar its type owns.
fn text_of(value: &toml::Value) -> Result<String, String> {
    match value {
        toml::Value::String(s) => Ok(s.clone()),
        toml::Value::Integer(n) => Ok(n.to_string()),
        toml::Value::Float(x) => Ok(x.to_string()),
        toml::Value::Boolean(b) => Ok(b.to_string()),
        other => Err(format!("expected a string or a number, found {other}")),
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
    /// Strategy name; left out for a user's own client (`client`).
    #[serde(default = "own_client")]
    pub strategy: Parsed<StrategyKind>,
    /// A user's own client program, instead of a strategy: its command, split as a shell
    /// would split it (`run --client`'s grammar).
    #[serde(default)]
    pub client: Option<String>,
    /// Artifact on or off.
    pub variant: Variant,
    /// Settings for this series.
    #[serde(default)]
    pub set: Settings,
    /// Settings for this series in quick mode.
    #[serde(default)]
    pub quick: Settings,
}

/// The strategy of a series that names none: a user's own client, which then needs its
/// command (checked when the file loads).
fn own_client() -> Parsed<StrategyKind> {
    Parsed(StrategyKind::Client)
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
    /// The server the scenario needs when not the plain HTTP/1.1 one (`[server]`): it
    /// gets an embedded server of its own.
    #[serde(default)]
    pub server: Option<ServerProtocol>,
}

/// A scenario's `[server]` table: the protocols its embedded server speaks (the flags of
/// `waitbench serve` of the same names).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServerProtocol {
    /// HTTPS with a certificate from waitbench's CA; ALPN offers h2 and http/1.1.
    #[serde(default)]
    pub tls: bool,
    /// HTTP/2 only (h2c in cleartext).
    #[serde(default)]
    pub http2: bool,
    /// No session tickets or cache: every connection a full handshake.
    #[serde(default)]
    pub no_resumption: bool,
    /// Streams in flight per HTTP/2 connection (the server's default when absent).
    #[serde(default)]
    pub max_concurrent_streams: Option<u32>,
}

impl ServerProtocol {
    /// The mock server's protocol settings for this table.
    pub fn config(&self) -> waitbench_mockserver::ProtocolConfig {
        let defaults = waitbench_mockserver::ProtocolConfig::default();
        waitbench_mockserver::ProtocolConfig {
            tls: self.tls,
            http2: self.http2,
            no_resumption: self.no_resumption,
            max_concurrent_streams: self
                .max_concurrent_streams
                .unwrap_or(defaults.max_concurrent_streams),
            ..defaults
        }
    }
}

impl SeriesSpec {
    /// The program of a user's own client, checked against its strategy: a series runs
    /// either a strategy or a client.
    fn program(&self) -> std::result::Result<Option<Program>, String> {
        match (self.strategy.0, &self.client) {
            (StrategyKind::Client, None) => Err(
                "give the strategy it runs (strategy = \"NAME\") or your own client's \
                 command (client = \"CMD ARGS…\")"
                    .into(),
            ),
            (StrategyKind::Client, Some(command)) => Program::from_command_line(command)
                .map(Some)
                .map_err(|e| e.to_string()),
            (kind, Some(_)) => Err(format!(
                "it gives both strategy = \"{kind}\" and client = …; a series runs one of them"
            )),
            (_, None) => Ok(None),
        }
    }
}

impl ScenarioFile {
    /// Gives every settings value its line in `text`, the file it was read from.
    fn locate(&mut self, text: &str) {
        self.workload.locate(text);
        self.quick.locate(text);
        for series in &mut self.series {
            series.set.locate(text);
            series.quick.locate(text);
        }
    }
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
    /// The program a user's own client runs ([`StrategyKind::Client`]); `None` otherwise.
    pub client: Option<Program>,
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
    let mut file: ScenarioFile = toml::from_str(text).map_err(|e| bad(e.to_string()))?;
    file.locate(text);
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
    // Its own claim and any claim judged on its runs (claim K reads claim E's).
    let claims: Vec<&crate::claims::Claim> = crate::claims::judged_on(&file.claim).collect();
    if crate::claims::claim(&file.claim).is_none() || claims.is_empty() {
        let known: Vec<&str> = crate::claims::CLAIMS
            .iter()
            .map(|c| c.id)
            .filter(|id| crate::claims::scenario_claim(id) == *id)
            .collect();
        return Err(format!(
            "claim {:?} is not one waitbench judges on a scenario of its own; use one of {}",
            file.claim,
            known.join(", ")
        ));
    }
    let ids = || {
        let ids: Vec<&str> = claims.iter().map(|c| c.id).collect();
        match ids.len() {
            1 => format!("claim {} does", ids[0]),
            _ => format!("claims {} do", ids.join(" and ")),
        }
    };
    let roles = || {
        let mut all: Vec<&str> = Vec::new();
        for role in claims
            .iter()
            .flat_map(|c| c.required_roles.iter().chain(c.optional_roles))
        {
            if !all.contains(role) {
                all.push(role);
            }
        }
        all.join(", ")
    };
    for series in &file.series {
        if !claims.iter().any(|c| c.knows_role(&series.role)) {
            return Err(format!(
                "series {:?} has role {:?}, which {} not read; {} roles are {}",
                series.label,
                series.role,
                ids(),
                if claims.len() > 1 { "their" } else { "its" },
                roles()
            ));
        }
    }
    // A claim judged on another's runs is judged where they hold its series, and only
    // there: a file of claim E need not hold claim K's.
    let own = claims
        .iter()
        .filter(|c| crate::claims::scenario_claim(c.id) == c.id);
    for claim in own {
        for role in claim.required_roles {
            if !file.series.iter().any(|s| s.role == *role) {
                return Err(format!(
                    "claim {} needs a series with role {role:?}, and none has it (roles: {})",
                    claim.id,
                    roles()
                ));
            }
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
            let in_series = |message: String| SuiteError::Scenario {
                path: self.path.clone(),
                message: format!(
                    "series {:?}{}: {message}",
                    series.label,
                    if quick { " (quick mode)" } else { "" }
                ),
            };
            let client = series.program().map_err(in_series)?;
            let mut points =
                resolve(&settings, series.strategy.0, target, default_trials).map_err(in_series)?;
            for point in &mut points {
                point.client.clone_from(&client);
            }
            planned.push((index, points));
        }
        Ok(planned)
    }
}

/// The plan's own settings, read from a combined settings table.
#[derive(Debug, Default)]
struct PlanSettings {
    load: LoadSpec,
    concurrencies: Option<Vec<usize>>,
    distinct_endpoints: bool,
    on_error: ErrorPolicy,
    trials: Option<usize>,
    timeout: Option<Duration>,
}

impl PlanSettings {
    fn set(&mut self, key: PlanKey, value: &toml::Value) -> Result<(), String> {
        fn parse<T: std::str::FromStr>(value: &toml::Value) -> Result<T, String>
        where
            T::Err: std::fmt::Display,
        {
            text_of(value)?
                .trim()
                .parse()
                .map_err(|e: T::Err| e.to_string())
        }
        let duration = |value| parse::<HumanDuration>(value).map(Duration::from);
        match key {
            PlanKey::Model => self.load.model = Some(parse(value)?),
            PlanKey::Requests => self.load.requests = Some(parse(value)?),
            PlanKey::Concurrency => {
                let list = value
                    .as_array()
                    .ok_or("expected a list of concurrencies, e.g. concurrency = [10, 100]")?;
                let concurrencies = list
                    .iter()
                    .map(|v| parse::<usize>(v).ok().filter(|&c| c > 0))
                    .collect::<Option<Vec<usize>>>()
                    .filter(|c| !c.is_empty())
                    .ok_or(
                        "`concurrency` must list positive numbers, e.g. concurrency = [10, 100]",
                    )?;
                self.concurrencies = Some(concurrencies);
            }
            PlanKey::Duration => self.load.duration = Some(duration(value)?),
            PlanKey::Warmup => self.load.warmup = duration(value)?,
            PlanKey::Rate => self.load.rate = Some(parse(value)?),
            PlanKey::DistinctEndpoints => self.distinct_endpoints = parse(value)?,
            PlanKey::OnError => self.on_error = parse(value)?,
            PlanKey::Trials => self.trials = Some(parse(value)?),
            PlanKey::Timeout => self.timeout = Some(duration(value)?),
        }
        Ok(())
    }
}

fn missing(key: &str, example: &str) -> String {
    format!("missing `{key}`; add it to [workload] or the series, e.g. {key} = {example}")
}

/// Reads each key of `settings` with its owner's parser: the plan's keys, the server's
/// conditions ([`Conditions::set`]) and the strategy's settings
/// ([`StrategyOptions::set`]); an error names the line and the key.
fn read(settings: &Settings) -> Result<(PlanSettings, Conditions, StrategyOptions), String> {
    let mut plan = PlanSettings::default();
    let mut conditions = Conditions::default();
    // A scenario's threads are one per request unless it says otherwise: the flags'
    // defaults, which `StrategyOptions::default()` also has.
    let mut options = StrategyOptions::default();
    for (key, entry) in &settings.0 {
        let set = if let Some(key) = PlanKey::from_name(key) {
            plan.set(key, &entry.value)
        } else if let Some(parameter) = Parameter::from_name(key) {
            text_of(&entry.value)
                .and_then(|text| conditions.set(parameter, &text).map_err(|e| e.to_string()))
        } else if let Some(option) = OptionKey::from_name(key) {
            text_of(&entry.value).and_then(|text| options.set(option, &text))
        } else {
            Err(format!(
                "unknown field `{key}`, expected one of {}",
                accepted_keys()
            ))
        };
        set.map_err(|e| format!("line {}: `{key}`: {e}", entry.at))?;
    }
    Ok((plan, conditions, options))
}

fn resolve(
    s: &Settings,
    kind: StrategyKind,
    target: &str,
    default_trials: usize,
) -> Result<Vec<PlannedPoint>, String> {
    let (plan, conditions, options) = read(s)?;
    if plan.load.model.is_none() {
        return Err(missing("model", "\"closed-loop\""));
    }
    let concurrencies = plan
        .concurrencies
        .ok_or_else(|| missing("concurrency", "[10, 100]"))?;
    let injected = conditions.to_injected(true);
    let query_string = conditions.to_query();
    let trials = plan.trials.unwrap_or(default_trials).max(1);
    concurrencies
        .iter()
        .map(|&concurrency| {
            let load = plan.load.model(concurrency).map_err(|lacks| match lacks {
                Missing::Requests => missing("requests", "500"),
                Missing::Duration => missing("duration", "\"3s\""),
                Missing::Rate => missing("rate", "500"),
            })?;
            let paths = match (plan.distinct_endpoints, &load) {
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
                on_error: plan.on_error,
                request: Default::default(),
                timeouts: Timeouts {
                    request: plan.timeout.unwrap_or(Timeouts::default().request),
                    ..Timeouts::default()
                },
            };
            workload.validate().map_err(|e| e.to_string())?;
            Ok(PlannedPoint {
                x: concurrency as f64,
                workload,
                kind,
                options: options.clone(),
                client: None,
                injected: injected.clone(),
                trials,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use waitbench_strategies::{IdlePerHost, PoolSize};

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
    fn a_bad_strategy_setting_names_its_line_key_and_accepted_form() {
        let (_dir, path) = write(&GOOD.replace("threads = \"library\"", "threads = \"lots\""));
        let err = format!("{:#}", load(&path).unwrap_err());
        assert!(
            err.contains("series \"threads\": line 23: `threads`"),
            "{err}"
        );
        assert!(err.contains("a positive thread count"), "{err}");
    }

    #[test]
    fn numbers_and_booleans_read_as_their_text_through_each_owners_parser() {
        let text = GOOD.replace(
            "latency = \"20ms\"",
            "latency = \"20ms\"\nreset = 0.01\nticker = true\nruntime_threads = 2",
        );
        let (_dir, path) = write(&text);
        let plan = load(&path)
            .unwrap()
            .plan("http://127.0.0.1:9", false, 1)
            .unwrap();
        let point = &plan[0].1[0];
        assert_eq!(
            point.workload.query.as_deref(),
            Some("latency=20ms&reset=0.01")
        );
        assert!(point.options.ticker);
        assert_eq!(point.options.runtime_threads, Some(2));
    }

    #[test]
    fn a_series_may_run_a_users_own_client_by_its_command() {
        let text = GOOD.replace(
            "strategy = \"reqwest-tokio\"",
            "client = \"python3 'my client.py' --fast\"",
        );
        let (_dir, path) = write(&text);
        let scenario = load(&path).unwrap();
        let (_, points) = &scenario.plan("http://127.0.0.1:1", false, 1).unwrap()[0];
        assert_eq!(points[0].kind, StrategyKind::Client);
        let program = points[0].client.as_ref().expect("the client's program");
        assert_eq!(program.program, PathBuf::from("python3"));
        assert_eq!(program.args, ["my client.py", "--fast"]);
        let (_, others) = &scenario.plan("http://127.0.0.1:1", false, 1).unwrap()[1];
        assert_eq!(others[0].client, None);
    }

    #[test]
    fn a_series_runs_a_strategy_or_a_client_never_both_nor_neither() {
        let neither = GOOD.replace("strategy = \"reqwest-tokio\"\n", "");
        let (_dir, path) = write(&neither);
        let err = format!("{:#}", load(&path).unwrap_err());
        assert!(err.contains("series \"async\""), "{err}");
        assert!(err.contains("client = \"CMD ARGS…\""), "{err}");
        let both = GOOD.replace(
            "strategy = \"reqwest-tokio\"",
            "strategy = \"reqwest-tokio\"\nclient = \"./c\"",
        );
        let (_dir, path) = write(&both);
        let err = format!("{:#}", load(&path).unwrap_err());
        assert!(err.contains("a series runs one of them"), "{err}");
        let unclosed = GOOD.replace("strategy = \"reqwest-tokio\"", "client = \"python3 'x\"");
        let (_dir, path) = write(&unclosed);
        let err = format!("{:#}", load(&path).unwrap_err());
        assert!(err.contains("a quote is not closed"), "{err}");
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

    /// Claim E's file with a third series of `role`.
    fn memory_file(role: &str) -> String {
        GOOD.replace("claim = \"C\"", "claim = \"E\"")
            .replace("role = \"threads-defaults\"", &format!("role = {role:?}"))
            .replace("role = \"threads-right-sized\"", "role = \"threads\"")
    }

    #[test]
    fn a_file_of_claim_e_takes_the_roles_of_claim_k_judged_on_it_but_needs_none() {
        let (_dir, path) = write(&memory_file("go-goroutines"));
        assert!(load(&path).is_ok(), "{:#}", load(&path).unwrap_err());
        // Without any of claim K's series, claim E's file still loads: K is not judged.
        let (_dir, path) = write(&memory_file("threads"));
        assert!(load(&path).is_ok(), "{:#}", load(&path).unwrap_err());
        let (_dir, path) = write(&memory_file("goroutine"));
        let err = format!("{:#}", load(&path).unwrap_err());
        assert!(err.contains("which claims E and K do not read"), "{err}");
        assert!(err.contains("jep-pool"), "{err}");
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
