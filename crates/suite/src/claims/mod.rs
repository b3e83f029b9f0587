//! The claim registry: for each claim of `CLAIMS.md`, one declaration of its id, the
//! series roles its scenario must provide, the figures it reports (with the way each gets
//! better), the thresholds its verdict rule uses, and the judge. Everything else (the rule
//! text printed in the report, the check that a scenario file supplies the roles, the
//! direction of each exported metric) is derived from these declarations.
//!
//! Extraction (finding a scenario's numbers by series role) is kept apart from judging (a
//! pure function of numbers), so every rule is unit-tested on synthetic numbers. A
//! verdict stands only when every trial, judged alone, gives it: a verdict that depends
//! on which trial you look at is not a finding, so it reads "inconclusive" instead, with
//! each trial's verdict shown.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::time::Duration;

use waitbench_core::Stack;
use waitbench_core::units::{
    format_bytes, format_micros, format_rps, format_seconds, format_significant,
};
use waitbench_core::{
    ClaimRow, Point, RunResult, ScenarioResult, Series, StackFinding, TrialSet, Verdict,
};
use waitbench_mockserver::LatencySpec;

use crate::check::metrics::Direction;

/// A figure a claim reports: its name in metric keys (`claim.{id}.{name}`; a name ending
/// in `@` stands for a family such as `speedup_right_sized@300`), which way is better,
/// and its unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Figure {
    /// Name, or name prefix ending in `@`.
    pub name: &'static str,
    /// Which way is better.
    pub direction: Direction,
    /// Unit as tracking services show it.
    pub unit: &'static str,
    /// The client stack it is measured on: a Python figure exists only where Python
    /// does, so the gate skips it (saying why) on a machine without it.
    pub stack: Stack,
}

const fn higher(name: &'static str, unit: &'static str) -> Figure {
    Figure {
        name,
        direction: Direction::Higher,
        unit,
        stack: Stack::Rust,
    }
}

const fn lower(name: &'static str, unit: &'static str) -> Figure {
    Figure {
        name,
        direction: Direction::Lower,
        unit,
        stack: Stack::Rust,
    }
}

impl Figure {
    /// The same figure, measured on the Python series.
    const fn python(self) -> Figure {
        Figure {
            stack: Stack::Python,
            ..self
        }
    }
}

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
    judge: fn(&Claim, &ScenarioResult) -> ClaimRow,
}

impl Claim {
    /// Whether `role` is one this claim knows.
    pub fn knows_role(&self, role: &str) -> bool {
        self.required_roles.contains(&role) || self.optional_roles.contains(&role)
    }

    /// The declaration of `figure` (exact, or by its `name@` family).
    pub fn figure(&self, figure: &str) -> Option<&'static Figure> {
        self.figures
            .iter()
            .find(|f| f.name == figure || (f.name.ends_with('@') && figure.starts_with(f.name)))
    }
}

// Series roles, each written once here; scenario files name them and are checked

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

// Series roles more than one claim reads, each written once here; scenario files name
// them and are checked against the claims that read them. A role one claim alone reads
// is declared in that claim's file.
pub(super) const SEQUENTIAL: &str = "sequential";
pub(super) const ASYNC: &str = "async";
pub(super) const THREADS: &str = "threads";
pub(super) const THREADS_DEFAULTS: &str = "threads-defaults";
pub(super) const PY_SEQUENTIAL: &str = "py-sequential";
pub(super) const PY_ASYNC: &str = "py-async";
pub(super) const PY_THREADS: &str = "py-threads";
pub(super) const PY_THREADS_DEFAULTS: &str = "py-threads-defaults";

/// Every claim, in the order of the claims table.
pub static CLAIMS: [Claim; 9] = [
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

/// The declaration of claim `id`.
pub fn claim(id: &str) -> Option<&'static Claim> {
    CLAIMS.iter().find(|c| c.id == id)
}

/// Which way is better for a claim's figure (higher when undeclared).
pub fn figure_direction(claim_id: &str, figure: &str) -> Direction {
    claim(claim_id)
        .and_then(|c| c.figure(figure))
        .map_or(Direction::Higher, |f| f.direction)
}

/// The stack a claim figure is measured on (Rust when undeclared).
pub fn figure_stack(claim_id: &str, figure: &str) -> Stack {
    claim(claim_id)
        .and_then(|c| c.figure(figure))
        .map_or(Stack::Rust, |f| f.stack)
}

/// A claim figure's unit (`ratio` when undeclared).
pub fn figure_unit(claim_id: &str, figure: &str) -> &'static str {
    claim(claim_id)
        .and_then(|c| c.figure(figure))
        .map_or("ratio", |f| f.unit)
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

fn spec_mean(spec: Option<&str>) -> Duration {
    spec.and_then(|s| s.parse::<LatencySpec>().ok())
        .map_or(Duration::ZERO, |l| l.mean())
}

fn pct(x: f64) -> String {
    format!("{:+.0}%", x * 100.0)
}

fn row(
    claim: &Claim,
    measured: String,
    predicted: String,
    verdict: Verdict,
    why: String,
    figures: BTreeMap<String, f64>,
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
        figures,
        trial_verdicts: Vec::new(),
        stacks: Vec::new(),
    }
}

fn inconclusive(text: &Claim, missing: &str) -> ClaimRow {
    row(
        text,
        "—".into(),
        "—".into(),
        Verdict::Inconclusive,
        format!("not measured: {missing}"),
        BTreeMap::new(),
    )
}

/// Requests a batch kept waiting at once on average, by Little's law: N·L / T.
fn waiting_in_flight(p: &Point) -> f64 {
    median_run(p).map_or(f64::NAN, |r| {
        r.counts.sent as f64 * r.injected.mean_latency_us / 1e6 / r.wall_time_s.max(1e-9)
    })
}

/// A run's client CPU per request, µs (NaN without a trial).
fn client_cpu(p: &Point) -> f64 {
    median_run(p).map_or(f64::NAN, |r| r.client.client_cpu_per_request_us)
}

/// A claim's finding on the Python clients.
fn python_finding(measured: String, verdict: Option<Verdict>, why: String) -> StackFinding {
    StackFinding {
        stack: Stack::Python,
        measured,
        verdict,
        why_they_differ: why,
        trial_verdicts: Vec::new(),
    }
}

/// The last point of each Python series in `roles`: `None` when the scenario has none
/// of them (no Python finding), `Err` with the finding to show when one could not run
/// ("not measured: REASON") or has no point.
fn python_points<'a>(
    s: &'a ScenarioResult,
    roles: &[&str],
) -> Option<Result<Vec<&'a Point>, StackFinding>> {
    let found: Vec<Option<&Series>> = roles.iter().map(|role| series(s, role)).collect();
    if found.iter().all(Option::is_none) {
        return None;
    }
    if let Some(reason) = found.iter().flatten().find_map(|x| x.not_measured.as_ref()) {
        let finding = python_finding(format!("not measured: {reason}"), None, String::new());
        return Some(Err(finding));
    }
    match found.into_iter().map(last).collect::<Option<Vec<&Point>>>() {
        Some(points) => Some(Ok(points)),
        None => Some(Err(python_finding(
            format!(
                "inconclusive: a series of {} has no point",
                roles.join(", ")
            ),
            Some(Verdict::Inconclusive),
            String::new(),
        ))),
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
    let mut row = (claim.judge)(claim, scenario);
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
        .map(|i| (claim.judge)(claim, &trial_view(scenario, i)))
        .collect();
    row.trial_verdicts = per_trial.iter().map(|r| r.verdict).collect();
    // Each stack's verdict, too, stands only if every trial gives it.
    for (i, stack) in row.stacks.iter_mut().enumerate() {
        let verdicts: Vec<Option<Verdict>> = per_trial
            .iter()
            .map(|r| r.stacks.get(i).and_then(|f| f.verdict))
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
        for claim in &CLAIMS {
            assert!(!(claim.rule)().is_empty(), "{}", claim.id);
            for role in claim.required_roles {
                assert!(claim.knows_role(role));
            }
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
