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
use waitbench_core::{Explained, Explanation, TrialSet, Verdict};

use crate::check::metrics::Direction;

mod a;
mod b;
mod bt;
mod c;
mod co;
mod d;
mod e;
mod explain;
mod f1;
mod f2;
mod g;
mod h2;
mod k;
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
pub use h2::judge_h2;
pub use k::{combine_k, judge_k};

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
    bt::CLAIM,
    h2::CLAIM,
    k::CLAIM,
];

/// Claims judged on another claim's scenario, and that claim: K (cheap threads keep C/L)
/// reads the runs of E (memory per in-flight request), which measure the same clients at
/// the same C, so that nothing is measured twice.
const JUDGED_ON: &[(&str, &str)] = &[(waitbench_core::claim_ids::K, waitbench_core::claim_ids::E)];

/// The claim whose scenario claim `id` is judged on: its own, unless [`JUDGED_ON`] names
/// another's.
pub fn scenario_claim(id: &str) -> &str {
    JUDGED_ON
        .iter()
        .find(|(claim, _)| claim.eq_ignore_ascii_case(id))
        .map_or(id, |&(_, scenario)| scenario)
}

/// The claims judged on the scenario of claim `scenario`: its own and any that read it.
pub fn judged_on(scenario: &str) -> impl Iterator<Item = &'static Claim> + '_ {
    CLAIMS
        .iter()
        .filter(move |c| scenario_claim(c.id).eq_ignore_ascii_case(scenario))
}

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
#[derive(Debug, Clone, Copy, PartialEq)]
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
    /// The value past which the claim's verdict or explanation flips (`None` for a
    /// figure no rule reads on its own): a gate tolerance never reaches past it.
    pub edge: Option<f64>,
}

/// A figure measured on the Rust clients alone.
const RUST: &[Stack] = &[Stack::Rust];
/// A figure measured on the Python clients alone.
const PYTHON: &[Stack] = &[Stack::Python];
/// A figure measured on both stacks, by the same extractor.
const BOTH: &[Stack] = &[Stack::Rust, Stack::Python];
/// A figure measured on Rust, Python and Java (whose platform threads, virtual threads
/// and `sendAsync` pair up as the other two stacks' threads and tasks do).
const WITH_JAVA: &[Stack] = &[Stack::Rust, Stack::Python, Stack::Java];

// The Java reference clients' roles.
const JAVA_THREADS: &str = "java-threads";
const JAVA_VIRTUAL: &str = "java-virtual-threads";
const JAVA_ASYNC: &str = "java-async";

/// A figure measured on Rust, Python, Java and Go (whose goroutine per request and pool
/// of worker goroutines pair up as the others' tasks and thread pools do).
const WITH_GO: &[Stack] = &[Stack::Rust, Stack::Python, Stack::Java, Stack::Go];

// The Go and Node.js reference clients' roles.
/// A goroutine per request in flight (`go-goroutines`, the transport sized for C):
/// judged in claims C and D, claim E's memory beside the others, claim K's cheap threads.
const GO_GOROUTINES: &str = "go-goroutines";
/// A fixed pool of worker goroutines (`go-pool`), Go's counterpart of a thread pool.
const GO_POOL: &str = "go-pool";
/// A promise per request on one event loop (`node-http`): no verdict in C and D, shown
/// in claims E and K.
const NODE_ASYNC: &str = "node-async";

const fn higher(name: &'static str, unit: &'static str, stacks: &'static [Stack]) -> Figure {
    Figure {
        name,
        direction: Direction::Higher,
        unit,
        stacks,
        edge: None,
    }
}

const fn lower(name: &'static str, unit: &'static str, stacks: &'static [Stack]) -> Figure {
    Figure {
        name,
        direction: Direction::Lower,
        unit,
        stacks,
        edge: None,
    }
}

impl Figure {
    /// The figure with `edge`, the value its rule flips at.
    const fn flips_at(self, edge: f64) -> Figure {
        Figure {
            edge: Some(edge),
            ..self
        }
    }

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

/// The OS threads a point's median run peaked at, or "—".
fn threads_peak(p: &Point) -> String {
    median_run(p)
        .and_then(|r| r.client.threads_peak)
        .map_or("—".into(), |n| n.to_string())
}

/// The series of `role` of a runtime whose row has no pair to be judged by a claim's rule
/// (`None` when the scenario has none), or its "not measured" finding when it could not
/// run.
fn unpaired<'a>(
    s: &'a ScenarioResult,
    role: &str,
    stack: Stack,
) -> Option<Result<&'a Series, StackFinding>> {
    let found = series(s, role)?;
    Some(match &found.not_measured {
        Some(reason) => Err(finding(
            stack,
            format!("not measured: {reason}"),
            None,
            String::new(),
        )),
        None => Ok(found),
    })
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
        explained: None,
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
    python_text: Explain<F>,
) -> ClaimRow {
    assess_stacks(claim, s, missing, row_text, &[(Stack::Python, python_text)])
}

/// How another stack's figures are put in words beside Rust's: the measured text, the
/// verdict and why it differs.
type Explain<F> = fn(&F, &F) -> (String, Verdict, String);

/// [`assess`] with the findings of several stacks beside Rust's, each by its own words.
fn assess_stacks<'a, F: StackFigures<'a>>(
    claim: &Claim,
    s: &'a ScenarioResult,
    missing: &str,
    row_text: fn(&F) -> RowText,
    others: &[(Stack, Explain<F>)],
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
    row.explained = rust.explain();
    for &(stack, explain) in others {
        add_stack(&mut row, s, stack, |other: &F| explain(other, &rust));
    }
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
        explained: None,
    }
}

/// A claim's figures on one stack, as a typed struct that one function extracts from a
/// scenario whatever the stack: the stack only chooses the series roles it reads.
trait StackFigures<'a>: Sized {
    /// The figures `stack`'s series of `s` give, or why there are none.
    fn extract(s: &'a ScenarioResult, stack: Stack) -> Result<Self, Missing>;

    /// Records each figure under its declaration.
    fn emit(&self, out: &mut Emitted);

    /// Whether the mechanism the claim names predicts these figures under the
    /// conditions that produce them (`None` for a claim that names none to test).
    fn explain(&self) -> Option<Explanation> {
        None
    }

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
            let mut found = finding(stack, measured, Some(verdict), why);
            found.explained = figures.explain();
            row.stacks.push(found);
        }
        Err(missing) => row.stacks.extend(missing.finding(stack)),
    }
}

/// The claims table for the scenarios that ran, in claim order.
pub fn evaluate(scenarios: &[ScenarioResult]) -> Vec<ClaimRow> {
    CLAIMS
        .iter()
        .filter_map(|c| {
            let scenario = scenarios
                .iter()
                .find(|s| s.claim.eq_ignore_ascii_case(scenario_claim(c.id)))?;
            // On another claim's scenario, a claim is judged only where that scenario
            // holds a series it needs: an older run of it, or a user's file, may hold none.
            let borrowed = scenario_claim(c.id) != c.id;
            if borrowed
                && !c
                    .required_roles
                    .iter()
                    .any(|r| series(scenario, r).is_some())
            {
                return None;
            }
            Some(judge_every_trial(c, scenario))
        })
        .collect()
}

/// The fewest and the most trials `stack`'s series ran at any point (`None` when it ran
/// none), and the role of a series that ran the fewest.
fn trials_of(scenario: &ScenarioResult, stack: Stack) -> Option<(usize, usize, &str)> {
    let counts = scenario
        .series
        .iter()
        .filter(|s| s.stack == stack)
        .flat_map(|s| s.points.iter().map(move |p| (p.trials.trials.len(), s)));
    let mut found: Option<(usize, usize, &str)> = None;
    for (n, s) in counts {
        found = Some(match found {
            None => (n, n, &s.role),
            Some((lo, hi, _)) if n < lo => (n, hi, &s.role),
            Some((lo, hi, role)) => (lo, hi.max(n), role),
        });
    }
    found
}

/// How many trials a stack's verdict is judged on alone: the number every one of its
/// series ran, and what the row says when its series ran different numbers.
struct TrialCount {
    judged: usize,
    note: Option<String>,
}

impl TrialCount {
    fn of(scenario: &ScenarioResult, stack: Stack) -> TrialCount {
        let Some((fewest, most, role)) = trials_of(scenario, stack) else {
            return TrialCount {
                judged: 0,
                note: None,
            };
        };
        let note = (fewest < most).then(|| {
            if fewest < 2 {
                format!(
                    "{role} ran {fewest} trial, other series {most}, so no trial is judged \
                     alone: the verdict is the medians'"
                )
            } else {
                format!(
                    "{role} ran {fewest} trials, other series {most}: each trial is judged \
                     alone over the first {fewest} only"
                )
            }
        });
        TrialCount {
            judged: fewest,
            note,
        }
    }
}

/// Judges the scenario as a whole (medians across trials) and each trial alone; the
/// verdict stands only if every trial gives the same one. Each stack is judged alone
/// only on the trials every one of its series ran: a point measured once is never
/// counted as agreeing with itself in three trials.
fn judge_every_trial(claim: &Claim, scenario: &ScenarioResult) -> ClaimRow {
    let mut row = (claim.assess)(claim, scenario);
    let own = TrialCount::of(scenario, Stack::Rust);
    let others: Vec<(Stack, TrialCount)> = row
        .stacks
        .iter()
        .map(|f| (f.stack, TrialCount::of(scenario, f.stack)))
        .collect();
    let views = others
        .iter()
        .map(|(_, c)| c.judged)
        .chain([own.judged])
        .max()
        .unwrap_or(0);
    if views < 2 {
        if let Some(note) = &own.note {
            row.why = format!("{}. {}", capitalised(note), row.why);
        }
        return row;
    }
    let per_trial: Vec<ClaimRow> = (0..views)
        .map(|i| (claim.assess)(claim, &trial_view(scenario, i)))
        .collect();
    // Each stack's verdict, too, stands only if every trial it ran gives it; a trial's
    // finding is the one of the same stack, wherever it sits in that trial's list.
    for (stack, (_, count)) in row.stacks.iter_mut().zip(&others) {
        if count.judged < 2 {
            if let Some(note) = &count.note {
                stack.why_they_differ = format!("{}. {}", capitalised(note), stack.why_they_differ);
            }
            continue;
        }
        let theirs: Vec<Option<&StackFinding>> = per_trial[..count.judged]
            .iter()
            .map(|r| r.stacks.iter().find(|f| f.stack == stack.stack))
            .collect();
        let verdicts: Vec<Option<Verdict>> =
            theirs.iter().map(|f| f.and_then(|f| f.verdict)).collect();
        stack.trial_verdicts = verdicts.iter().flatten().copied().collect();
        if stack.verdict.is_some() && verdicts.iter().any(|v| *v != verdicts[0]) {
            stack.verdict = Some(Verdict::Inconclusive);
        } else if stack.verdict.is_some() {
            stack.verdict = verdicts[0];
        }
        let outcomes: Vec<Option<Explained>> = theirs
            .iter()
            .map(|f| f.and_then(|f| f.explained.as_ref()).map(|e| e.outcome))
            .collect();
        explain::agree(&mut stack.explained, &outcomes);
        if let Some(note) = &count.note {
            stack.why_they_differ = format!("{}. {}", capitalised(note), stack.why_they_differ);
        }
    }
    if own.judged < 2 {
        if let Some(note) = &own.note {
            row.why = format!("{}. {}", capitalised(note), row.why);
        }
        return row;
    }
    let per_trial = &per_trial[..own.judged];
    row.trial_verdicts = per_trial.iter().map(|r| r.verdict).collect();
    let outcomes: Vec<Option<Explained>> = per_trial
        .iter()
        .map(|r| r.explained.as_ref().map(|e| e.outcome))
        .collect();
    explain::agree(&mut row.explained, &outcomes);
    if let Some(note) = &own.note {
        row.why = format!("{}. {}", capitalised(note), row.why);
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
        if values.len() == per_trial.len() && lo < hi {
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

/// `text` with its first letter in upper case.
fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map_or_else(String::new, |c| c.to_uppercase().chain(chars).collect())
}

/// The scenario as if only trial `i` had been run. A point with fewer trials keeps its
/// last one so that every view can be assessed, but [`judge_every_trial`] reads a
/// stack's verdict only from the views of trials every one of its series ran.
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
    use waitbench_core::Stack;

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
    fn a_series_measured_once_is_never_counted_as_three_agreeing_trials() {
        let mut d = saturation();
        // Trial 2 of bare hyper alone would flip the verdict; keep only its first trial.
        let lean = &mut series_mut(&mut d, ASYNC_LEAN).points[0].trials;
        *lean = TrialSet::new(lean.trials[..1].to_vec());
        let row = &evaluate(&[d])[0];
        assert!(row.trial_verdicts.is_empty(), "{:?}", row.trial_verdicts);
        assert!(
            row.why.starts_with(
                "Async-lean ran 1 trial, other series 3, so no trial is judged alone: the \
                 verdict is the medians'."
            ),
            "{}",
            row.why
        );
    }

    #[test]
    fn each_trial_is_judged_only_over_the_trials_every_series_ran() {
        let mut d = saturation();
        // Trial 3 of every series but bare hyper's would straddle; bare hyper ran 2.
        let lean = &mut series_mut(&mut d, ASYNC_LEAN).points[0].trials;
        *lean = TrialSet::new(lean.trials[..2].to_vec());
        let row = &evaluate(&[d])[0];
        assert_eq!(row.trial_verdicts.len(), 2);
        assert!(
            row.why.contains(
                "ran 2 trials, other series 3: each trial is judged alone over the first 2 only"
            ),
            "{}",
            row.why
        );
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

    /// For every claim and stack, inputs to its judge that give each verdict its rule
    /// names; "inconclusive" is reached for every claim by trials that disagree
    /// (`trials_on_both_sides_of_a_threshold_make_the_verdict_inconclusive`). A rule that
    /// cannot reach "reproduced" says in its text that it is a method self-check.
    #[test]
    fn every_verdict_each_rule_names_is_reachable_on_every_stack() {
        use Verdict::{
            Inconclusive as I, NotReproduced as N, OnlyUnderConditions as O, Reproduced as R,
        };
        let gain = |throughput, p99| SaturationGain { throughput, p99 };
        let kib = 1024.0;
        let reached: [(&str, Stack, Vec<Verdict>, &[Verdict]); 16] = [
            (
                "A",
                Stack::Rust,
                vec![judge_a(13.0), judge_a(390.0)],
                &[R, N],
            ),
            (
                "B",
                Stack::Rust,
                vec![judge_b(Some(0.4)), judge_b(Some(0.02)), judge_b(None)],
                &[R, N, I],
            ),
            (
                "C",
                Stack::Rust,
                vec![
                    judge_c(&[2.0]),
                    judge_c(&[1.0, 2.0]),
                    judge_c(&[1.0]),
                    judge_c(&[]),
                ],
                &[R, O, N, I],
            ),
            (
                "D",
                Stack::Rust,
                vec![
                    judge_d(gain(0.41, -0.22), None),
                    judge_d(gain(-0.04, 0.13), Some(gain(1.0, -0.2))),
                    judge_d(gain(-0.04, 0.13), Some(gain(1.0, -0.09))),
                ],
                &[R, O, N],
            ),
            // Python's D has no lean async client: reproduced or not.
            (
                "D",
                Stack::Python,
                vec![
                    judge_d(gain(7.2, -0.96), None),
                    judge_d(gain(0.1, 0.0), None),
                ],
                &[R, N],
            ),
            (
                "E",
                Stack::Rust,
                vec![
                    judge_e(1024.0 * kib, 4.0 * kib),
                    judge_e(299.0 * kib, 38.0 * kib),
                ],
                &[R, N],
            ),
            (
                "F1",
                Stack::Rust,
                vec![judge_f1(1.05, 2.0), judge_f1(1.45, 0.89)],
                &[R, N],
            ),
            (
                "F2",
                Stack::Rust,
                vec![judge_f2(0.05, 5e6, 3800.0), judge_f2(0.9, 5e6, 3800.0)],
                &[R, N],
            ),
            (
                "G",
                Stack::Rust,
                vec![
                    judge_g(Some(288), Some(0), 10, true),
                    judge_g(Some(288), Some(150), 10, true),
                    judge_g(None, None, 10, true),
                ],
                &[R, N, I],
            ),
            (
                "G",
                Stack::Python,
                vec![
                    judge_g_python(Some(3), Some(290), Some(5), 10, true),
                    judge_g_python(Some(237), Some(290), Some(5), 10, true),
                    judge_g_python(Some(237), Some(290), Some(150), 10, true),
                    judge_g_python(None, None, None, 10, true),
                ],
                &[R, O, N, I],
            ),
            (
                "CO",
                Stack::Rust,
                vec![judge_co(5_910.0, 193_000.0), judge_co(5_000.0, 6_000.0)],
                &[R, N],
            ),
            (
                "BT",
                Stack::Rust,
                vec![
                    bt::judge_bt(Some(0.35), &[0.46]),
                    bt::judge_bt(Some(0.05), &[0.46]),
                    bt::judge_bt(Some(0.05), &[0.6]),
                    bt::judge_bt(None, &[]),
                ],
                &[R, O, N, I],
            ),
            // Python's BT and H2 are judged by the same functions from its own series.
            (
                "BT",
                Stack::Python,
                vec![
                    bt::judge_bt(Some(0.42), &[0.45]),
                    bt::judge_bt(Some(0.12), &[0.38]),
                    bt::judge_bt(Some(0.12), &[0.7]),
                    bt::judge_bt(None, &[]),
                ],
                &[R, O, N, I],
            ),
            (
                "H2",
                Stack::Python,
                vec![
                    h2::judge_h2(0.93, 0.99, Some(1.0)),
                    h2::judge_h2(0.93, 0.99, None),
                    h2::judge_h2(0.4, 1.0, Some(1.0)),
                    h2::judge_h2(f64::NAN, f64::NAN, None),
                ],
                &[R, O, N, I],
            ),
            (
                "H2",
                Stack::Rust,
                vec![
                    h2::judge_h2(0.95, 1.0, Some(0.98)),
                    h2::judge_h2(0.95, 1.0, Some(0.5)),
                    h2::judge_h2(0.7, 1.0, Some(1.0)),
                    h2::judge_h2(f64::NAN, 1.0, None),
                ],
                &[R, O, N, I],
            ),
            // Each runtime holds or not; the row is every runtime's, some, or none.
            (
                "K",
                Stack::Java,
                vec![
                    judge_k(&[0.99, 0.97]),
                    combine_k(&[R, N]),
                    judge_k(&[0.99, 0.90]),
                    judge_k(&[]),
                ],
                &[R, O, N, I],
            ),
        ];
        for (id, stack, got, expected) in &reached {
            assert_eq!(got, expected, "claim {id} on {stack}");
            if !got.contains(&R) || ["F2", "CO"].contains(id) {
                let rule = (claim(id).unwrap().rule)();
                assert!(rule.contains("method self-check"), "claim {id}: {rule}");
            }
        }
        let judged: Vec<&str> = reached.iter().map(|(id, ..)| *id).collect();
        for c in CLAIMS {
            assert!(
                judged.contains(&c.id),
                "claim {} has no reachability case",
                c.id
            );
        }
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
