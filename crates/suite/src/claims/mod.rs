//! The claim registry: for each claim of `docs/claims.md`, one declaration of its id, the
//! series roles its scenario must provide, the figures it reports (with the way each gets
//! better and the stacks it is measured on), the thresholds its verdict rule uses, and
//! how its row is assessed. Everything else (the rule text printed in the report, the
//! check that a scenario file supplies the roles, the direction of each exported metric)
//! is derived from these declarations.
//!
//! Each claim is one file (`a.rs` … `co.rs`): its roles, its declaration, its rule and
//! judge, its figures as a typed struct with the one function that extracts them from a
//! scenario for any stack, and the prose that explains them. This module holds what
//! every claim shares: the registry, the figure declarations, finding series by role,
//! and judging every trial alone. Adding a claim is a new file, its `mod` line and its
//! entry in [`CLAIMS`] (with its id in `waitbench_core::claim_ids`).
//!
//! Extraction (finding a scenario's numbers by series role) is kept apart from judging (a
//! pure function of numbers), so every rule is unit-tested on synthetic numbers. A
//! verdict stands only when every trial, judged alone, gives it: a verdict that depends
//! on which trial you look at is not a finding, so it reads "inconclusive" instead, with
//! each trial's verdict shown.

use std::collections::BTreeMap;
use std::fmt::Write;

use waitbench_core::units::format_significant;
use waitbench_core::{ClaimRow, Point, RunResult, ScenarioResult, Series, Stack, StackFinding};
use waitbench_core::{TrialSet, Verdict};

use crate::check::metrics::Direction;

mod a;
mod b;
mod c;
mod co;
mod d;
mod e;
mod f1;
mod f2;
mod g;
#[cfg(test)]
mod test_support;

pub use a::judge_a;
pub use b::judge_b;
pub use c::judge_c;
pub use co::judge_co;
pub use d::{SaturationGain, judge_d};
pub use e::judge_e;
pub use f1::judge_f1;
pub use f2::judge_f2;
pub use g::{judge_g, judge_g_python};

/// Every claim, in the order of the claims table.
pub static CLAIMS: &[Claim] = &[
    a::CLAIM,
    b::CLAIM,
    c::CLAIM,
    d::CLAIM,
    e::CLAIM,
    f1::CLAIM,
    f2::CLAIM,
    g::CLAIM,
    co::CLAIM,
];

// Series roles more than one claim reads, each written once here; scenario files name
// them and are checked against the claims that read them. A role one claim alone reads
// is declared in that claim's file.
const SEQUENTIAL: &str = "sequential";
const ASYNC: &str = "async";
const THREADS: &str = "threads";
const PY_SEQUENTIAL: &str = "py-sequential";
const PY_ASYNC: &str = "py-async";
const PY_THREADS: &str = "py-threads";
const PY_THREADS_DEFAULTS: &str = "py-threads-defaults";
/// Python's third way, an extra row of claims C, D and E: the threads' `requests` code
/// on greenlets after gevent's monkey-patching.
const PY_GREENLETS: &str = "py-greenlets";
/// The asyncio row's code on uvloop's loop, an extra row of claims C, D and E.
const PY_ASYNC_UVLOOP: &str = "py-async-uvloop";

/// One claim of the article, declared once.
#[derive(Debug, Clone, Copy)]
pub struct Claim {
    /// Claim id (`A` … `G`, `CO`).
    pub id: &'static str,
    /// The claim in a few words.
    pub claim: &'static str,
    /// The figure the article gives.
    pub claimed: &'static str,
    /// Roles its scenario must have a series for.
    pub required_roles: &'static [&'static str],
    /// Roles its scenario may add (shown, and used where present).
    pub optional_roles: &'static [&'static str],
    /// Figures it reports.
    pub figures: &'static [Figure],
    /// The verdict rule, printed from the thresholds the judge uses.
    pub rule: fn() -> String,
    /// Its row of the claims table from its scenario: each stack's figures extracted,
    /// judged by the rule and explained.
    assess: fn(&Claim, &ScenarioResult) -> ClaimRow,
}

impl Claim {
    /// Whether `role` is one this claim knows.
    pub fn knows_role(&self, role: &str) -> bool {
        self.required_roles.contains(&role) || self.optional_roles.contains(&role)
    }

    /// The declaration of the figure with metric key `key`, and the stack it is measured
    /// on; `None` for a key that no declaration gives.
    pub fn figure(&self, key: &str) -> Option<(&'static Figure, Stack)> {
        self.figures.iter().find_map(|f| {
            f.stacks
                .iter()
                .find(|&&stack| f.is(key, stack))
                .map(|&stack| (f, stack))
        })
    }
}

/// A figure a claim reports: its name in metric keys (`claim.{id}.{key}`, the key being
/// the name behind its stack's prefix: `speedup_uncapped` on Rust,
/// `python_speedup_uncapped` on Python; a name ending in `@` stands for a family such as
/// `speedup_right_sized@300`), which way is better, its unit and the stacks it is
/// measured on. A claim file declares each figure once, as a constant it lists in its
/// claim's `figures` and emits through [`Emitted`]: a key is never typed twice, and a
/// test fails on a figure emitted without its declaration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Figure {
    /// Name without the stack's prefix, or name prefix ending in `@`.
    pub name: &'static str,
    /// Which way is better.
    pub direction: Direction,
    /// Unit as tracking services show it.
    pub unit: &'static str,
    /// The client stacks it is measured on: a Python figure exists only where Python
    /// does, so the gate skips it (saying why) on a machine without it.
    pub stacks: &'static [Stack],
}

/// A figure measured on the Rust clients alone.
const RUST: &[Stack] = &[Stack::Rust];
/// A figure measured on the Python clients alone.
const PYTHON: &[Stack] = &[Stack::Python];
/// A figure measured on both stacks, by the same extractor.
const BOTH: &[Stack] = &[Stack::Rust, Stack::Python];

const fn higher(name: &'static str, unit: &'static str, stacks: &'static [Stack]) -> Figure {
    Figure {
        name,
        direction: Direction::Higher,
        unit,
        stacks,
    }
}

const fn lower(name: &'static str, unit: &'static str, stacks: &'static [Stack]) -> Figure {
    Figure {
        name,
        direction: Direction::Lower,
        unit,
        stacks,
    }
}

impl Figure {
    /// Its key on `stack`: the name behind the stack's prefix (none for Rust, whose
    /// figures are the row's own; the stack's name in lower case and `_` for another).
    pub fn key(&self, stack: Stack) -> String {
        match stack {
            Stack::Rust => self.name.to_string(),
            other => format!("{}_{}", other.name().to_lowercase(), self.name),
        }
    }

    /// Whether `key` is this figure on `stack` (exact, or a member of its `name@` family).
    fn is(&self, key: &str, stack: Stack) -> bool {
        let own = self.key(stack);
        own == key || (own.ends_with('@') && key.starts_with(&own))
    }
}

/// The declaration of claim `id`.
pub fn claim(id: &str) -> Option<&'static Claim> {
    CLAIMS.iter().find(|c| c.id == id)
}

/// The declaration of claim `claim_id`'s figure with metric key `key`, and its stack:
/// `None` when no claim declares it, so a misspelt key is an error, never a default.
pub fn declared_figure(claim_id: &str, key: &str) -> Option<(&'static Figure, Stack)> {
    claim(claim_id)?.figure(key)
}

/// Why no figure `claim.{claim_id}.…` is declared, naming what is: the end of an error
/// about a metric key.
pub fn undeclared_figure(claim_id: &str) -> String {
    match claim(claim_id) {
        None => {
            let known: Vec<&str> = CLAIMS.iter().map(|c| c.id).collect();
            format!(
                "names a claim, but there is no claim {claim_id} (known: {})",
                known.join(", ")
            )
        }
        Some(c) => {
            let known: Vec<String> = c
                .figures
                .iter()
                .flat_map(|f| f.stacks.iter().map(|&stack| f.key(stack)))
                .collect();
            format!(
                "names a figure, but claim {claim_id} declares no such figure (its figures: {})",
                known.join(", ")
            )
        }
    }
}

/// The figures one stack's series give a claim's row, keyed by their declarations. A
/// figure not declared on this stack is not one of its figures and is left out, so one
/// extractor serves every stack and the declaration alone says what each reports.
struct Emitted {
    stack: Stack,
    figures: BTreeMap<String, f64>,
}

impl Emitted {
    /// No figures yet, of `stack`.
    fn new(stack: Stack) -> Self {
        Emitted {
            stack,
            figures: BTreeMap::new(),
        }
    }

    /// Records `figure`'s value, if the figure is declared on this stack.
    fn put(&mut self, figure: &Figure, value: f64) {
        if figure.stacks.contains(&self.stack) {
            self.figures.insert(figure.key(self.stack), value);
        }
    }

    /// Records the member of `family` (a `name@` figure) at `x`.
    fn put_at(&mut self, family: &Figure, x: f64, value: f64) {
        debug_assert!(family.name.ends_with('@'), "{} is no family", family.name);
        if family.stacks.contains(&self.stack) {
            let key = format!("{}{x}", family.key(self.stack));
            self.figures.insert(key, value);
        }
    }
}

fn series<'a>(s: &'a ScenarioResult, role: &str) -> Option<&'a Series> {
    s.series.iter().find(|x| x.role == role)
}

fn last(series: Option<&Series>) -> Option<&Point> {
    series.and_then(|s| s.points.last())
}

fn at(series: Option<&Series>, x: f64) -> Option<&Point> {
    series.and_then(|s| s.points.iter().find(|p| p.x == x))
}

fn median_run(point: &Point) -> Option<&RunResult> {
    point.trials.median_trial()
}

/// A run's client CPU per request, µs (NaN without a trial).
fn client_cpu(p: &Point) -> f64 {
    median_run(p).map_or(f64::NAN, |r| r.client.client_cpu_per_request_us)
}

/// Why a stack's figures could not be extracted from a scenario.
#[derive(Debug, Clone, PartialEq)]
enum Missing {
    /// The scenario has none of the stack's series: there is nothing to say about it.
    Absent,
    /// A series of the stack could not run (e.g. "no python3 on PATH").
    NotMeasured(String),
    /// The series ran but do not give the figures (what is missing).
    Inconclusive(String),
}

impl Missing {
    /// The finding to show for another stack than Rust (none when it is absent).
    fn finding(self, stack: Stack) -> Option<StackFinding> {
        match self {
            Missing::Absent => None,
            Missing::NotMeasured(reason) => Some(finding(
                stack,
                format!("not measured: {reason}"),
                None,
                String::new(),
            )),
            Missing::Inconclusive(what) => Some(finding(
                stack,
                format!("inconclusive: {what}"),
                Some(Verdict::Inconclusive),
                String::new(),
            )),
        }
    }
}

/// The last point of each series in `roles`, or why there is none: [`Missing::Absent`]
/// when the scenario has none of them, `NotMeasured` when one could not run,
/// `Inconclusive` when one has no point.
fn points<'a>(s: &'a ScenarioResult, roles: &[&str]) -> Result<Vec<&'a Point>, Missing> {
    let found: Vec<Option<&Series>> = roles.iter().map(|role| series(s, role)).collect();
    if found.iter().all(Option::is_none) {
        return Err(Missing::Absent);
    }
    if let Some(reason) = found.iter().flatten().find_map(|x| x.not_measured.as_ref()) {
        return Err(Missing::NotMeasured(reason.clone()));
    }
    found
        .into_iter()
        .map(last)
        .collect::<Option<Vec<&Point>>>()
        .ok_or_else(|| {
            Missing::Inconclusive(format!("a series of {} has no point", roles.join(", ")))
        })
}

/// A claim's row from its Rust figures; the other stacks' findings are added after.
fn row(
    claim: &Claim,
    measured: String,
    predicted: String,
    verdict: Verdict,
    why: String,
    figures: Emitted,
) -> ClaimRow {
    ClaimRow {
        id: claim.id.into(),
        claim: claim.claim.into(),
        claimed: claim.claimed.into(),
        measured,
        predicted,
        verdict,
        rule: (claim.rule)(),
        why,
        figures: figures.figures,
        trial_verdicts: Vec::new(),
        stacks: Vec::new(),
    }
}

/// A claim row's words, from its Rust figures.
struct RowText {
    measured: String,
    predicted: String,
    verdict: Verdict,
    why: String,
}

/// A claim's row from its scenario, the same way for every claim: the Rust figures
/// extracted, emitted and put in words by `row_text` (or the row is inconclusive, saying
/// what is `missing`), then the Python figures by the same extractor, emitted and put in
/// words beside Rust's by `python_text`.
fn assess<'a, F: StackFigures<'a>>(
    claim: &Claim,
    s: &'a ScenarioResult,
    missing: &str,
    row_text: fn(&F) -> RowText,
    python_text: fn(&F, &F) -> (String, Verdict, String),
) -> ClaimRow {
    let Ok(rust) = F::extract(s, Stack::Rust) else {
        return inconclusive(claim, missing);
    };
    let text = row_text(&rust);
    let mut row = row(
        claim,
        text.measured,
        text.predicted,
        text.verdict,
        text.why,
        rust.emitted(Stack::Rust),
    );
    add_stack(&mut row, s, Stack::Python, |python: &F| {
        python_text(python, &rust)
    });
    row
}

/// A claim's row when its Rust series do not give its figures.
fn inconclusive(claim: &Claim, missing: &str) -> ClaimRow {
    row(
        claim,
        "—".into(),
        "—".into(),
        Verdict::Inconclusive,
        format!("not measured: {missing}"),
        Emitted::new(Stack::Rust),
    )
}

/// A claim's finding on another stack than Rust.
fn finding(stack: Stack, measured: String, verdict: Option<Verdict>, why: String) -> StackFinding {
    StackFinding {
        stack,
        measured,
        verdict,
        why_they_differ: why,
        trial_verdicts: Vec::new(),
    }
}

/// A claim's figures on one stack, as a typed struct that one function extracts from a
/// scenario whatever the stack: the stack only chooses the series roles it reads.
trait StackFigures<'a>: Sized {
    /// The figures `stack`'s series of `s` give, or why there are none.
    fn extract(s: &'a ScenarioResult, stack: Stack) -> Result<Self, Missing>;

    /// Records each figure under its declaration.
    fn emit(&self, out: &mut Emitted);

    /// Every figure, as `stack`'s.
    fn emitted(&self, stack: Stack) -> Emitted {
        let mut out = Emitted::new(stack);
        self.emit(&mut out);
        out
    }
}

/// Adds `stack`'s figures to `row` and its finding to the row's stacks: `explain` gives
/// the finding's measured text, verdict and why it differs from Rust. A stack whose
/// series are absent adds nothing; one that could not run or gives no figures says so.
fn add_stack<'a, F: StackFigures<'a>>(
    row: &mut ClaimRow,
    s: &'a ScenarioResult,
    stack: Stack,
    explain: impl FnOnce(&F) -> (String, Verdict, String),
) {
    match F::extract(s, stack) {
        Ok(figures) => {
            row.figures.extend(figures.emitted(stack).figures);
            let (measured, verdict, why) = explain(&figures);
            row.stacks
                .push(finding(stack, measured, Some(verdict), why));
        }
        Err(missing) => row.stacks.extend(missing.finding(stack)),
    }
}

/// The claims table for the scenarios that ran, in claim order.
pub fn evaluate(scenarios: &[ScenarioResult]) -> Vec<ClaimRow> {
    CLAIMS
        .iter()
        .filter_map(|c| {
            let scenario = scenarios.iter().find(|s| s.claim == c.id)?;
            Some(judge_every_trial(c, scenario))
        })
        .collect()
}

/// Judges the scenario as a whole (medians across trials) and each trial alone; the
/// verdict stands only if every trial gives the same one.
fn judge_every_trial(claim: &Claim, scenario: &ScenarioResult) -> ClaimRow {
    let mut row = (claim.assess)(claim, scenario);
    let trials = scenario
        .series
        .iter()
        .flat_map(|s| &s.points)
        .map(|p| p.trials.trials.len())
        .max()
        .unwrap_or(0);
    if trials < 2 {
        return row;
    }
    let per_trial: Vec<ClaimRow> = (0..trials)
        .map(|i| (claim.assess)(claim, &trial_view(scenario, i)))
        .collect();
    row.trial_verdicts = per_trial.iter().map(|r| r.verdict).collect();
    // Each stack's verdict, too, stands only if every trial gives it; a trial's finding
    // is the one of the same stack, wherever it sits in that trial's list.
    for stack in row.stacks.iter_mut() {
        let verdicts: Vec<Option<Verdict>> = per_trial
            .iter()
            .map(|r| {
                r.stacks
                    .iter()
                    .find(|f| f.stack == stack.stack)
                    .and_then(|f| f.verdict)
            })
            .collect();
        stack.trial_verdicts = verdicts.iter().flatten().copied().collect();
        if stack.verdict.is_some() && verdicts.iter().any(|v| *v != verdicts[0]) {
            stack.verdict = Some(Verdict::Inconclusive);
        } else if stack.verdict.is_some() {
            stack.verdict = verdicts[0];
        }
    }
    let first = row.trial_verdicts[0];
    if row.trial_verdicts.iter().all(|v| *v == first) {
        row.verdict = first;
        return row;
    }
    let mut spread = String::new();
    for name in row.figures.keys() {
        let values: Vec<f64> = per_trial
            .iter()
            .filter_map(|r| r.figures.get(name).copied())
            .collect();
        let (lo, hi) = values
            .iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
                (lo.min(*v), hi.max(*v))
            });
        if values.len() == trials && lo < hi {
            let _ = write!(
                spread,
                "; {name} {} to {}",
                format_significant(lo, 3),
                format_significant(hi, 3)
            );
        }
    }
    let verdicts: Vec<&str> = row.trial_verdicts.iter().map(|v| v.label()).collect();
    row.why = format!(
        "inconclusive: trials straddle the threshold (trial verdicts: {}{spread}). {}",
        verdicts.join(", "),
        row.why
    );
    row.verdict = Verdict::Inconclusive;
    row
}

/// The scenario as if only trial `i` had been run (a point with fewer trials keeps its
/// last one: a series measured once is shared by every trial of the others).
fn trial_view(scenario: &ScenarioResult, i: usize) -> ScenarioResult {
    let mut view = scenario.clone();
    for point in view.series.iter_mut().flat_map(|s| &mut s.points) {
        let n = point.trials.trials.len();
        if n > 0 {
            let trial = point.trials.trials[i.min(n - 1)].clone();
            point.trials = TrialSet::new(vec![trial]);
        }
    }
    view
}

#[cfg(test)]
mod tests {
    use super::*;
    use c::rule_c;
    use d::{ASYNC_LEAN, rule_d};
    use e::rule_e;
    use test_support::*;

    #[test]
    fn trials_on_one_side_of_every_threshold_keep_their_verdict() {
        let rows = evaluate(&[saturation()]);
        assert_eq!(rows[0].verdict, Verdict::NotReproduced);
        assert_eq!(rows[0].trial_verdicts, vec![Verdict::NotReproduced; 3]);
    }

    #[test]
    fn trials_on_both_sides_of_a_threshold_make_the_verdict_inconclusive() {
        let mut d = saturation();
        // Trial 2 of bare hyper alone gets a p99 far below the threads': it alone holds.
        let lean = &mut series_mut(&mut d, ASYNC_LEAN).points[0].trials;
        lean.trials[1].latency.p99_us /= 3.0;
        *lean = TrialSet::new(lean.trials.clone());
        let row = &evaluate(&[d])[0];
        assert_eq!(row.verdict, Verdict::Inconclusive);
        assert_eq!(
            row.trial_verdicts,
            vec![
                Verdict::NotReproduced,
                Verdict::OnlyUnderConditions,
                Verdict::NotReproduced
            ]
        );
        assert!(
            row.why.contains("trials straddle the threshold"),
            "{}",
            row.why
        );
        assert!(row.why.contains("lean_p99_change"), "{}", row.why);
    }

    #[test]
    fn rule_texts_print_the_thresholds_the_judges_use() {
        assert!(rule_d().contains("≥ 30.8% more throughput"), "{}", rule_d());
        assert!(rule_d().contains("≥ 16.5% lower"), "{}", rule_d());
        assert!(rule_c().contains("1.5–5×"), "{}", rule_c());
        assert!(rule_e().contains("≥ 512 KiB"), "{}", rule_e());
        for claim in CLAIMS {
            assert!(!(claim.rule)().is_empty(), "{}", claim.id);
            for role in claim.required_roles {
                assert!(claim.knows_role(role));
            }
        }
    }

    #[test]
    fn no_two_figures_of_a_claim_share_a_key_and_each_key_finds_its_declaration() {
        for claim in CLAIMS {
            let mut keys = Vec::new();
            for figure in claim.figures {
                assert!(!figure.stacks.is_empty(), "{}", figure.name);
                for &stack in figure.stacks {
                    let key = figure.key(stack);
                    let member = if key.ends_with('@') {
                        format!("{key}300")
                    } else {
                        key.clone()
                    };
                    assert_eq!(claim.figure(&member), Some((figure, stack)), "{key}");
                    assert!(
                        !keys.contains(&key),
                        "claim {} declares {key} twice",
                        claim.id
                    );
                    keys.push(key);
                }
            }
        }
        assert_eq!(
            declared_figure("C", "python_speedup_defaults").map(|(_, stack)| stack),
            Some(Stack::Python)
        );
        assert_eq!(declared_figure("C", "speedup_default"), None);
    }

    #[test]
    fn the_registry_declares_every_claim_id_once_in_table_order() {
        let ids: Vec<&str> = CLAIMS.iter().map(|c| c.id).collect();
        assert_eq!(ids, waitbench_core::claim_ids::ALL);
    }

    #[test]
    fn f1_and_f2_and_co_rules() {
        assert_eq!(judge_f1(1.05, 1.8), Verdict::Reproduced);
        assert_eq!(judge_f1(1.9, 1.8), Verdict::NotReproduced);
        assert_eq!(judge_f2(0.05, 20_000.0, 200.0), Verdict::Reproduced);
        assert_eq!(judge_f2(0.9, 20_000.0, 200.0), Verdict::NotReproduced);
        assert_eq!(judge_co(5_000.0, 450_000.0), Verdict::Reproduced);
        assert_eq!(judge_co(5_000.0, 6_000.0), Verdict::NotReproduced);
    }
}
