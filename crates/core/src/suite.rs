//! The reproduction suite's result document (`results.json`): every scenario's measured
//! series and the claims table. `waitbench reproduce` writes it; `waitbench report` and
//! `waitbench check` read it, so a report can be re-rendered without re-running.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::environment::Environment;
use crate::result::TrialSet;
use crate::stack::Stack;

/// Version of the suite document; bumped on any incompatible change.
pub const SUITE_SCHEMA_VERSION: u32 = 1;

/// The whole reproduction run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct SuiteResults {
    /// [`SUITE_SCHEMA_VERSION`] of the writer.
    #[schemars(extend("const" = SUITE_SCHEMA_VERSION))]
    pub schema_version: u32,
    /// Whether this was a `--quick` run (latencies and counts scaled down).
    pub quick: bool,
    /// Independent trials per point.
    pub trials: usize,
    /// Machine description.
    pub environment: Environment,
    /// Wall time of the whole suite, seconds.
    pub duration_s: f64,
    /// One entry per scenario that ran.
    pub scenarios: Vec<ScenarioResult>,
    /// The claims table, one row per claim.
    pub claims: Vec<ClaimRow>,
    /// Why the suite is not complete (e.g. "interrupted by Ctrl-C after 12 of 48 runs");
    /// absent for a complete run. Claims of an incomplete suite are judged on what was
    /// measured, and a missing series makes its claim inconclusive.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub incomplete: Option<String>,
    /// The standalone server the suite ran against; `None`: the server was embedded in
    /// the client's process.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server_url: Option<String>,
    /// The CPUs the client and the embedded server were pinned to (`None`: not pinned).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub placement: Option<crate::placement::Placement>,
}

/// One scenario: the measurements behind one claim.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ScenarioResult {
    /// Claim id from `docs/claims.md` (`A` … `G`), or another id for extra scenarios.
    pub claim: String,
    /// Scenario file stem, e.g. `c-concurrency-sweep`.
    pub name: String,
    /// Title for charts and the report.
    pub title: String,
    /// What the scenario does and why, from the scenario file.
    pub description: String,
    /// What the x value of each point means (e.g. `concurrency`), with its unit.
    pub x_label: String,
    /// The measured series.
    pub series: Vec<Series>,
}

/// Whether a series runs with library defaults or right-sized settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Variant {
    /// Library defaults: the artifact is on.
    Defaults,
    /// Right-sized settings: the artifact is off.
    RightSized,
    /// Not an artifact comparison.
    Plain,
}

/// One line on a chart: a strategy and its settings, measured at several x values.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Series {
    /// Legend label, e.g. `ureq-rayon (rayon default pool)`.
    pub label: String,
    /// The part this series plays in its claim's verdict rule (e.g. `sequential`,
    /// `threads-right-sized`), as named in the scenario file.
    pub role: String,
    /// Strategy name.
    pub strategy: String,
    /// The client stack the strategy belongs to (`Rust` or `Python`), so that reports can
    /// draw the two apart.
    #[serde(default)]
    pub stack: Stack,
    /// Artifact on or off.
    pub variant: Variant,
    /// Points in increasing x.
    pub points: Vec<Point>,
    /// Why the series has no points (e.g. "no python3 on PATH"); absent when measured.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not_measured: Option<String>,
}

/// One configuration measured over independent trials.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Point {
    /// The swept value (concurrency, latency in ms, …), as described by `x_label`.
    pub x: f64,
    /// Little's-law prediction for this point in the unit of `predicted_unit`.
    pub predicted: Option<f64>,
    /// Unit of `predicted` (`req/s` or `s`).
    pub predicted_unit: String,
    /// The trials and their statistics.
    pub trials: TrialSet,
}

/// A claim's verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    /// The measured figure falls within what the article claims.
    Reproduced,
    /// Reproduced only under conditions the row states (e.g. library defaults only).
    OnlyUnderConditions,
    /// The measured figure contradicts the claim.
    NotReproduced,
    /// The scenario did not produce the numbers needed (e.g. it was not run).
    Inconclusive,
}

impl Verdict {
    /// The verdict as printed in tables.
    pub fn label(self) -> &'static str {
        match self {
            Verdict::Reproduced => "reproduced",
            Verdict::OnlyUnderConditions => "only under stated conditions",
            Verdict::NotReproduced => "not reproduced",
            Verdict::Inconclusive => "inconclusive",
        }
    }
}

/// Whether the mechanism a claim's row names predicts its figure under the conditions
/// that produce it: the second question of every claim, beside the verdict on the claim
/// as stated. It is falsifiable: a measurement outside the stated tolerance of the
/// prediction reads "not explained".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Explained {
    /// The measured figure is within the stated tolerance of the mechanism's prediction.
    Explained,
    /// The measured figure is outside it: the named mechanism does not account for it.
    NotExplained,
    /// The conditions that produce the figure were not measured, or the trials disagree.
    Inconclusive,
}

impl Explained {
    /// The outcome as printed in tables.
    pub fn label(self) -> &'static str {
        match self {
            Explained::Explained => "explained",
            Explained::NotExplained => "not explained",
            Explained::Inconclusive => "explanation inconclusive",
        }
    }
}

/// One stack's answer to "does the named mechanism predict the figure?".
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Explanation {
    /// The outcome.
    pub outcome: Explained,
    /// The mechanism, its prediction, the measurement and the tolerance, e.g. "by 13 in
    /// flight: predicted 4.68 s, measured 4.73 s (within ±10%)".
    pub text: String,
    /// The outcome each trial alone gives (empty with one trial).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub trial_outcomes: Vec<Explained>,
}

/// One row of the claims table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ClaimRow {
    /// Claim id (`A` … `G`).
    pub id: String,
    /// The claim in a few words.
    pub claim: String,
    /// The figure the article gives.
    pub claimed: String,
    /// The figure measured here.
    pub measured: String,
    /// The figure Little's law (or the stated mechanism) predicts.
    pub predicted: String,
    /// The verdict.
    pub verdict: Verdict,
    /// The explicit rule the verdict came from.
    pub rule: String,
    /// One sentence on the mechanism: why the number came out as it did.
    pub why: String,
    /// The measured figures the verdict used (e.g. `speedup_right_sized`), for tracking.
    #[serde(default)]
    pub figures: std::collections::BTreeMap<String, f64>,
    /// The verdict each trial alone gives (empty with one trial): a verdict stands only
    /// when every trial gives it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub trial_verdicts: Vec<Verdict>,
    /// Whether the mechanism the row names predicts the Rust figure (`None` for a row
    /// whose claim declares no mechanism to test, or in results made before it did).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub explained: Option<Explanation>,
    /// The same claim judged on another client stack (the article's own, Python) by the
    /// same rule; the row's own figures are the Rust clients'.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub stacks: Vec<StackFinding>,
}

/// One claim judged on one more client stack, beside its row's Rust figures.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct StackFinding {
    /// The stack, e.g. `Python`.
    pub stack: Stack,
    /// The figure measured with this stack, or `not measured: REASON`.
    pub measured: String,
    /// The verdict by the row's rule; `None` when the stack was not measured.
    pub verdict: Option<Verdict>,
    /// Why this stack's figure differs from the Rust one, computed from the measured
    /// client CPU per request and pool sizes.
    pub why_they_differ: String,
    /// The verdict each trial alone gives (empty with one trial).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub trial_verdicts: Vec<Verdict>,
    /// Whether the mechanism the row names predicts this stack's figure.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub explained: Option<Explanation>,
}
