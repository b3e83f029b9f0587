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

use waitbench_core::units::{
    format_bytes, format_micros, format_rps, format_seconds, format_significant,
};
use waitbench_core::{
    ClaimRow, Point, RunResult, ScenarioResult, Series, StackFinding, TrialSet, Verdict,
};
use waitbench_mockserver::LatencySpec;
use waitbench_strategies::Stack;

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
// against the claims that read them.
const SEQUENTIAL: &str = "sequential";
const ASYNC: &str = "async";
const ASYNC_UNCAPPED: &str = "async-uncapped";
const ASYNC_CAP_13: &str = "async-cap-13";
const ASYNC_CAP_100: &str = "async-cap-100";
const ASYNC_HEAVY_TAIL: &str = "async-heavy-tail";
const ASYNC_LEAN: &str = "async-lean";
const THREADS: &str = "threads";
const THREADS_RIGHT_SIZED: &str = "threads-right-sized";
const THREADS_DEFAULTS: &str = "threads-defaults";
const RAYON_RIGHT_SIZED: &str = "rayon-right-sized";
const UREQ_SHARED: &str = "ureq-shared";
const UREQ_PER_REQUEST: &str = "ureq-per-request";
const REQWEST_SHARED: &str = "reqwest-shared";
const REQWEST_PER_REQUEST: &str = "reqwest-per-request";
const REQWEST_SHARED_LOOPBACK: &str = "reqwest-shared-loopback";
const REQWEST_PER_REQUEST_LOOPBACK: &str = "reqwest-per-request-loopback";
const BLOCKING_CURRENT_THREAD: &str = "blocking-current-thread";
const SPAWN_BLOCKING_CURRENT_THREAD: &str = "spawn-blocking-current-thread";
const BLOCKING_MULTI_THREAD: &str = "blocking-multi-thread";
const WAIT_ALL: &str = "wait-all";
const CANCEL: &str = "cancel";
const PY_SHARED: &str = "py-shared";
const PY_PER_REQUEST: &str = "py-per-request";
const PY_SHARED_LOOPBACK: &str = "py-shared-loopback";
const PY_PER_REQUEST_LOOPBACK: &str = "py-per-request-loopback";
const PY_ASYNC: &str = "py-async";
const PY_THREADS: &str = "py-threads";
const PY_BLOCKING: &str = "py-blocking";
const PY_EXECUTOR: &str = "py-executor";
const PY_GATHER: &str = "py-gather";
const PY_GATHER_RETURN_EXCEPTIONS: &str = "py-gather-return-exceptions";
const PY_TASKGROUP: &str = "py-taskgroup";
const PY_SEQUENTIAL: &str = "py-sequential";
const PY_ASYNC_UNCAPPED: &str = "py-async-uncapped";
const PY_ASYNC_CAP_13: &str = "py-async-cap-13";
const PY_ASYNC_CAP_100: &str = "py-async-cap-100";
const PY_THREADS_DEFAULTS: &str = "py-threads-defaults";
const PY_THREADS_RIGHT_SIZED: &str = "py-threads-right-sized";
const PY_PROCESSES: &str = "py-processes";
const CLOSED_LOOP: &str = "closed-loop";
const OPEN_LOOP: &str = "open-loop";

/// Every claim, in the order of the claims table.
pub static CLAIMS: [Claim; 9] = [
    Claim {
        id: "A",
        claim: "500 endpoints: sequential 4 min vs async 18 s",
        claimed: "13.3× (240 s → 18 s)",
        required_roles: &[SEQUENTIAL, ASYNC_UNCAPPED],
        optional_roles: &[
            ASYNC_CAP_13,
            ASYNC_CAP_100,
            ASYNC_HEAVY_TAIL,
            PY_SEQUENTIAL,
            PY_ASYNC_UNCAPPED,
            PY_ASYNC_CAP_13,
            PY_ASYNC_CAP_100,
            PY_THREADS_DEFAULTS,
        ],
        figures: &[
            higher("speedup_uncapped", "ratio"),
            higher("speedup_cap_13", "ratio"),
            higher("speedup_cap_100", "ratio"),
            lower("sequential_s", "s"),
            lower("uncapped_s", "s"),
            higher("python_speedup_uncapped", "ratio").python(),
            higher("python_speedup_cap_13", "ratio").python(),
            higher("python_speedup_cap_100", "ratio").python(),
            higher("python_speedup_threads_defaults", "ratio").python(),
            lower("python_sequential_s", "s").python(),
            lower("python_uncapped_s", "s").python(),
        ],
        rule: rule_a,
        judge: claim_a,
    },
    Claim {
        id: "B",
        claim: "reusing one session cuts per-request latency",
        claimed: "30–50%",
        required_roles: &[
            UREQ_SHARED,
            UREQ_PER_REQUEST,
            REQWEST_SHARED,
            REQWEST_PER_REQUEST,
        ],
        optional_roles: &[
            REQWEST_SHARED_LOOPBACK,
            REQWEST_PER_REQUEST_LOOPBACK,
            PY_SHARED,
            PY_PER_REQUEST,
            PY_SHARED_LOOPBACK,
            PY_PER_REQUEST_LOOPBACK,
        ],
        figures: &[
            higher("saving_ureq", "ratio"),
            higher("saving_reqwest", "ratio"),
            higher("saving_loopback", "ratio"),
            higher("python_saving", "ratio").python(),
            higher("python_saving_loopback", "ratio").python(),
        ],
        rule: rule_b,
        judge: claim_b,
    },
    Claim {
        id: "C",
        claim: "async vs threads at 300+ concurrent requests",
        claimed: "1.5–5×",
        required_roles: &[ASYNC, THREADS_RIGHT_SIZED],
        optional_roles: &[
            THREADS_DEFAULTS,
            RAYON_RIGHT_SIZED,
            PY_ASYNC,
            PY_THREADS_RIGHT_SIZED,
            PY_THREADS_DEFAULTS,
        ],
        figures: &[
            higher("concurrency", "requests"),
            higher("speedup_right_sized", "ratio"),
            higher("speedup_right_sized@", "ratio"),
            higher("speedup_defaults", "ratio"),
            higher("python_speedup_right_sized@", "ratio").python(),
            higher("python_speedup_defaults", "ratio").python(),
        ],
        rule: rule_c,
        judge: claim_c,
    },
    Claim {
        id: "D",
        claim: "saturation throughput and p99",
        claimed: "+41% throughput, −22% p99",
        required_roles: &[ASYNC, THREADS],
        optional_roles: &[ASYNC_LEAN, PY_ASYNC, PY_THREADS],
        figures: &[
            higher("throughput_gain", "ratio"),
            lower("p99_change", "ratio"),
            higher("lean_throughput_gain", "ratio"),
            lower("lean_p99_change", "ratio"),
            higher("python_throughput_gain", "ratio").python(),
            lower("python_p99_change", "ratio").python(),
        ],
        rule: rule_d,
        judge: claim_d,
    },
    Claim {
        id: "E",
        claim: "memory: thread vs coroutine",
        claimed: "thread ~1 MB, coroutine a few KB",
        required_roles: &[THREADS, ASYNC],
        optional_roles: &[PY_THREADS, PY_ASYNC],
        figures: &[
            lower("thread_rss_per_request_bytes", "bytes"),
            lower("thread_vm_per_request_bytes", "bytes"),
            lower("async_rss_per_request_bytes", "bytes"),
            lower("python_thread_rss_per_request_bytes", "bytes").python(),
            lower("python_thread_vm_per_request_bytes", "bytes").python(),
            lower("python_async_rss_per_request_bytes", "bytes").python(),
        ],
        rule: rule_e,
        judge: claim_e,
    },
    Claim {
        id: "F1",
        claim: "CPU-bound work: async gives nothing",
        claimed: "≈ 1× (use processes)",
        required_roles: &[SEQUENTIAL, ASYNC, THREADS],
        optional_roles: &[PY_SEQUENTIAL, PY_ASYNC, PY_THREADS, PY_PROCESSES],
        figures: &[
            higher("async_ratio", "ratio"),
            higher("threads_ratio", "ratio"),
            higher("python_async_ratio", "ratio").python(),
            higher("python_threads_ratio", "ratio").python(),
            higher("python_processes_ratio", "ratio").python(),
        ],
        rule: rule_f1,
        judge: claim_f1,
    },
    Claim {
        id: "F2",
        claim: "a blocking call inside async freezes the loop",
        claimed: "freezes; fix with run_in_executor",
        required_roles: &[BLOCKING_CURRENT_THREAD, SPAWN_BLOCKING_CURRENT_THREAD],
        optional_roles: &[BLOCKING_MULTI_THREAD, PY_BLOCKING, PY_EXECUTOR],
        figures: &[
            lower("throughput_ratio", "ratio"),
            higher("blocking_ticker_p99_us", "µs"),
            lower("fixed_ticker_p99_us", "µs"),
            lower("python_throughput_ratio", "ratio").python(),
            higher("python_blocking_ticker_p99_us", "µs").python(),
            lower("python_fixed_ticker_p99_us", "µs").python(),
        ],
        rule: rule_f2,
        judge: claim_f2,
    },
    Claim {
        id: "G",
        claim: "gather cancels the rest on the first error",
        claimed: "cancels unless return_exceptions=True",
        required_roles: &[WAIT_ALL, CANCEL],
        optional_roles: &[PY_GATHER, PY_GATHER_RETURN_EXCEPTIONS, PY_TASKGROUP],
        figures: &[
            higher("wait_all_issued_after", "requests"),
            lower("cancel_issued_after", "requests"),
            higher("accounting_balanced", "bool"),
            higher("python_gather_issued_after", "requests").python(),
            higher("python_return_exceptions_issued_after", "requests").python(),
            lower("python_taskgroup_issued_after", "requests").python(),
        ],
        rule: rule_g,
        judge: claim_g,
    },
    Claim {
        id: "CO",
        claim: "method: closed-loop load hides server pauses",
        claimed: "coordinated omission",
        required_roles: &[CLOSED_LOOP, OPEN_LOOP],
        optional_roles: &[],
        figures: &[lower("closed_p99_us", "µs"), higher("open_p99_us", "µs")],
        rule: rule_co,
        judge: claim_co,
    },
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

/// Claim A: the article's speedup, and how far from it still counts as the same.
const A_SPEEDUP: f64 = 13.3;
const A_BAND: f64 = 0.25;

fn rule_a() -> String {
    format!(
        "reproduced if uncapped async is {A_SPEEDUP}× (±{:.0}%) faster than sequential; only \
         under stated conditions if a series capped at 13 in flight is; otherwise not reproduced",
        A_BAND * 100.0
    )
}

/// Claim A's verdict from the uncapped and capped-at-13 speedups over sequential.
pub fn judge_a(uncapped: f64, capped_13: Option<f64>) -> Verdict {
    let near = |x: f64| (x / A_SPEEDUP - 1.0).abs() <= A_BAND;
    if near(uncapped) {
        Verdict::Reproduced
    } else if capped_13.is_some_and(near) {
        Verdict::OnlyUnderConditions
    } else {
        Verdict::NotReproduced
    }
}

/// Claim B: the saving the article claims.
const B_SAVING: std::ops::RangeInclusive<f64> = 0.30..=0.50;

fn rule_b() -> String {
    format!(
        "reproduced if reusing connections saves {:.0}–{:.0}% for both libraries on plain \
         loopback; only under stated conditions if it does so only with an injected \
         connection-setup delay; otherwise not reproduced",
        B_SAVING.start() * 100.0,
        B_SAVING.end() * 100.0
    )
}

/// Claim B's verdict from the savings with a setup delay and on plain loopback.
pub fn judge_b(with_delay: &[f64], loopback: Option<f64>) -> Verdict {
    let in_range = |x: f64| B_SAVING.contains(&x);
    if with_delay.is_empty() {
        Verdict::Inconclusive
    } else if !with_delay.iter().all(|&x| in_range(x)) {
        Verdict::NotReproduced
    } else if loopback.is_some_and(in_range) {
        Verdict::Reproduced
    } else {
        Verdict::OnlyUnderConditions
    }
}

/// Claim C: the speedup range the article claims, from which concurrency on.
const C_SPEEDUP: std::ops::RangeInclusive<f64> = 1.5..=5.0;
const C_FROM: f64 = 300.0;

fn rule_c() -> String {
    format!(
        "reproduced if async is {}–{}× the right-sized thread pool's throughput at every \
         measured C ≥ {C_FROM}; only under stated conditions if it is at some C ≥ {C_FROM} \
         only, or only the library-default pool is ≥ {}× slower; otherwise not reproduced",
        C_SPEEDUP.start(),
        C_SPEEDUP.end(),
        C_SPEEDUP.start()
    )
}

/// Claim C's verdict from the async/right-sized-pool throughput ratios at each measured
/// C ≥ 300 and the async/library-default-pool ratio, if measured.
pub fn judge_c(right_sized: &[f64], defaults: Option<f64>) -> Verdict {
    let in_range = |r: &f64| C_SPEEDUP.contains(r);
    if !right_sized.is_empty() && right_sized.iter().all(in_range) {
        Verdict::Reproduced
    } else if right_sized.iter().any(in_range) || defaults.is_some_and(|d| d >= *C_SPEEDUP.start())
    {
        Verdict::OnlyUnderConditions
    } else {
        Verdict::NotReproduced
    }
}

/// Claim D: the throughput gain and the p99 drop that count: three quarters of the
/// claimed +41% and −22%, the same 25% band claim A allows around its figure. A p99 at
/// saturation on two shared cores moves by ±20% from trial to trial, so "any drop at
/// all" (or half the claimed one) lets noise alone decide the verdict.
const D_CLAIMED_GAIN: f64 = 0.41;
const D_CLAIMED_P99_DROP: f64 = 0.22;
const D_GAIN: f64 = D_CLAIMED_GAIN * (1.0 - A_BAND);
const D_P99_DROP: f64 = D_CLAIMED_P99_DROP * (1.0 - A_BAND);

fn rule_d() -> String {
    format!(
        "reproduced if the async client (reqwest) saturates at ≥ {:.1}% more throughput than \
         the thread pool with a p99 ≥ {:.1}% lower (three quarters of the claimed +{:.0}% and \
         −{:.0}%, the band claim A allows, so that trial-to-trial noise alone cannot decide); \
         only under stated conditions if only the bare-hyper async client does; otherwise not \
         reproduced",
        D_GAIN * 100.0,
        D_P99_DROP * 100.0,
        D_CLAIMED_GAIN * 100.0,
        D_CLAIMED_P99_DROP * 100.0
    )
}

/// How one async client's saturation point compares with the thread pool's.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SaturationGain {
    /// Relative throughput change (0.41 = +41%).
    pub throughput: f64,
    /// Relative p99 change (−0.22 = 22% lower).
    pub p99: f64,
}

impl SaturationGain {
    /// The claim's shape: clearly more throughput and a clearly lower p99.
    fn holds(self) -> bool {
        self.throughput >= D_GAIN && self.p99 <= -D_P99_DROP
    }
}

/// Claim D's verdict from the reqwest client's gain over threads and, if measured, the
/// bare-hyper client's.
pub fn judge_d(reqwest: SaturationGain, lean: Option<SaturationGain>) -> Verdict {
    if reqwest.holds() {
        Verdict::Reproduced
    } else if lean.is_some_and(SaturationGain::holds) {
        Verdict::OnlyUnderConditions
    } else {
        Verdict::NotReproduced
    }
}

/// Claim E: how much memory per request counts as "about 1 MB", and as "much more".
const E_LARGE_KIB: f64 = 512.0;
const E_LARGE_BYTES: f64 = E_LARGE_KIB * 1024.0;
const E_FACTOR: f64 = 5.0;

fn rule_e() -> String {
    format!(
        "reproduced if a thread's resident memory per in-flight request is ≥ {E_LARGE_KIB} KiB \
         and ≥ {E_FACTOR}× a task's; only under stated conditions if ~1 MB holds only for \
         virtual memory (VM ≥ {E_LARGE_KIB} KiB per thread); otherwise not reproduced"
    )
}

/// Claim E's verdict from per-in-flight memory slopes (bytes).
pub fn judge_e(thread_rss: f64, thread_vm: f64, task_rss: f64) -> Verdict {
    if thread_rss >= E_LARGE_BYTES && thread_rss >= E_FACTOR * task_rss.max(1.0) {
        Verdict::Reproduced
    } else if thread_vm >= E_LARGE_BYTES {
        Verdict::OnlyUnderConditions
    } else {
        Verdict::NotReproduced
    }
}

/// Claim F1: the gain over sequential that separates "nothing" from "more cores".
const F1_GAIN: f64 = 1.3;

fn rule_f1() -> String {
    format!(
        "reproduced if async gains ≤ {F1_GAIN}× over sequential on CPU-bound work while a \
         thread pool gains ≥ {F1_GAIN}×; otherwise not reproduced. On Python the pool that \
         must gain ≥ {F1_GAIN}× is the process pool, the article's advice (its threads \
         share one GIL; their gain is reported beside)"
    )
}

/// Claim F1's verdict from throughput ratios over sequential: async's, and the pool's
/// that spreads the work over the cores (Rust's threads, Python's processes).
pub fn judge_f1(async_ratio: f64, pool_ratio: f64) -> Verdict {
    if async_ratio <= F1_GAIN && pool_ratio >= F1_GAIN {
        Verdict::Reproduced
    } else {
        Verdict::NotReproduced
    }
}

/// Claim F2: how much throughput a frozen loop loses, and how much later its ticker runs.
const F2_THROUGHPUT: f64 = 0.5;
const F2_LATENESS: f64 = 5.0;

fn rule_f2() -> String {
    format!(
        "reproduced if blocking inside a current-thread runtime cuts throughput to ≤ \
         {F2_THROUGHPUT}× of spawn_blocking's and makes a 1 ms ticker ≥ {F2_LATENESS}× later \
         at p99; otherwise not reproduced"
    )
}

/// Claim F2's verdict from the throughput ratio and ticker lateness (µs) of both.
pub fn judge_f2(
    throughput_ratio: f64,
    blocking_ticker_p99_us: f64,
    fixed_ticker_p99_us: f64,
) -> Verdict {
    if throughput_ratio <= F2_THROUGHPUT
        && blocking_ticker_p99_us >= F2_LATENESS * fixed_ticker_p99_us.max(1.0)
    {
        Verdict::Reproduced
    } else {
        Verdict::NotReproduced
    }
}

fn rule_g() -> String {
    "only under stated conditions if cancel-on-error issues at most C requests after the \
     first failure while wait-all issues the rest (the claim describes \
     try_join_all/TaskGroup, not join_all/gather); not reproduced if cancel keeps issuing; \
     inconclusive if no failure happened. Python, by the same test of stopping against \
     gather(return_exceptions=True): reproduced if gather (default) stops so (the claim as \
     written); only under stated conditions if only TaskGroup does"
        .into()
}

/// Claim G's verdict from requests issued after the first failure.
pub fn judge_g(
    wait_all_after: Option<u64>,
    cancel_after: Option<u64>,
    concurrency: u64,
    balanced: bool,
) -> Verdict {
    match (wait_all_after, cancel_after) {
        (Some(w), Some(c)) if balanced && c <= concurrency && w > c => Verdict::OnlyUnderConditions,
        (Some(_), Some(_)) => Verdict::NotReproduced,
        _ => Verdict::Inconclusive,
    }
}

/// Claim G on Python's own constructs, by [`judge_g`]'s test of stopping with
/// `gather(return_exceptions=True)` as the one that waits for all: reproduced if `gather`
/// (default) stops, as the article says; only under stated conditions if only
/// `TaskGroup` does.
pub fn judge_g_python(
    gather_after: Option<u64>,
    return_exceptions_after: Option<u64>,
    taskgroup_after: Option<u64>,
    concurrency: u64,
    balanced: bool,
) -> Verdict {
    let stops = |after| judge_g(return_exceptions_after, after, concurrency, balanced);
    match (stops(gather_after), stops(taskgroup_after)) {
        (Verdict::OnlyUnderConditions, _) => Verdict::Reproduced,
        (Verdict::Inconclusive, _) => Verdict::Inconclusive,
        (_, verdict) => verdict,
    }
}

/// The coordinated-omission check: how much higher the open-loop p99 must be.
const CO_FACTOR: f64 = 3.0;

fn rule_co() -> String {
    format!(
        "reproduced if the open-loop p99 (from intended send times) is ≥ {CO_FACTOR}× the \
         closed-loop p99 under the same server pause; otherwise not reproduced"
    )
}

/// The coordinated-omission check's verdict from both p99s (µs).
pub fn judge_co(closed_p99_us: f64, open_p99_us: f64) -> Verdict {
    if open_p99_us >= CO_FACTOR * closed_p99_us {
        Verdict::Reproduced
    } else {
        Verdict::NotReproduced
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

fn claim_a(text: &Claim, s: &ScenarioResult) -> ClaimRow {
    let time =
        |role: &str| last(series(s, role)).map(|p| (p.trials.wall_time_s.median, p.predicted));
    let (Some(seq), Some(uncapped)) = (time(SEQUENTIAL), time(ASYNC_UNCAPPED)) else {
        return inconclusive(text, "sequential and async-uncapped series");
    };
    let cap13 = time(ASYNC_CAP_13);
    let cap100 = time(ASYNC_CAP_100);
    let speed = |t: (f64, Option<f64>)| seq.0 / t.0.max(1e-9);
    let mut figures = BTreeMap::from([
        ("speedup_uncapped".to_string(), speed(uncapped)),
        ("sequential_s".to_string(), seq.0),
        ("uncapped_s".to_string(), uncapped.0),
    ]);
    let seconds = |t: Option<f64>| format_seconds(t.unwrap_or(f64::NAN));
    let mut measured = format!(
        "sequential {}; uncapped async {} ({:.0}×)",
        format_seconds(seq.0),
        format_seconds(uncapped.0),
        speed(uncapped)
    );
    let mut predicted = format!("{} vs {}", seconds(seq.1), seconds(uncapped.1));
    for (name, t) in [("cap 13", cap13), ("cap 100", cap100)] {
        if let Some(t) = t {
            figures.insert(format!("speedup_{}", name.replace(' ', "_")), speed(t));
            measured.push_str(&format!(
                "; {name} {} ({:.1}×)",
                format_seconds(t.0),
                speed(t)
            ));
            predicted.push_str(&format!("; {name} {}", seconds(t.1)));
        }
    }
    let verdict = judge_a(speed(uncapped), cap13.map(speed));
    let python = last(series(s, ASYNC_UNCAPPED)).and_then(|p| python_a(s, p, &mut figures));
    let mut row = row(
        text,
        measured,
        predicted,
        verdict,
        "By Little's law a batch of N at latency L with C in flight takes ceil(N/C)·L: a 13× \
         speedup means about 13 requests in flight, while uncapped async finishes in about \
         one L."
            .into(),
        figures,
    );
    row.stacks.extend(python);
    row
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

/// Claim A on the article's own stack: a `requests.Session` loop against aiohttp (and the
/// default `ThreadPoolExecutor`), judged by the same rule, with why the speed-up differs
/// from Rust's computed from how many requests each kept waiting at once, the client CPU
/// per request and the default pool's size; `None` without Python series.
fn python_a(
    s: &ScenarioResult,
    rust_uncapped: &Point,
    figures: &mut BTreeMap<String, f64>,
) -> Option<StackFinding> {
    let points = match python_points(s, &[PY_SEQUENTIAL, PY_ASYNC_UNCAPPED])? {
        Ok(points) => points,
        Err(unjudged) => return Some(unjudged),
    };
    let (seq, uncapped) = (points[0], points[1]);
    let wall = |p: &Point| p.trials.wall_time_s.median;
    let speed = |p: &Point| wall(seq) / wall(p).max(1e-9);
    figures.insert("python_speedup_uncapped".into(), speed(uncapped));
    figures.insert("python_sequential_s".into(), wall(seq));
    figures.insert("python_uncapped_s".into(), wall(uncapped));
    let mut measured = format!(
        "requests.Session loop {}; aiohttp uncapped {} ({:.0}×)",
        format_seconds(wall(seq)),
        format_seconds(wall(uncapped)),
        speed(uncapped)
    );
    let optional = [
        (PY_ASYNC_CAP_100, "aiohttp's default limit 100", "cap_100"),
        (PY_ASYNC_CAP_13, "cap 13", "cap_13"),
        (
            PY_THREADS_DEFAULTS,
            "default ThreadPoolExecutor",
            "threads_defaults",
        ),
    ];
    for (role, name, key) in optional {
        if let Some(p) = last(series(s, role)) {
            figures.insert(format!("python_speedup_{key}"), speed(p));
            let _ = write!(
                measured,
                "; {name} {} ({:.1}×)",
                format_seconds(wall(p)),
                speed(p)
            );
        }
    }
    let cap13 = last(series(s, PY_ASYNC_CAP_13)).map(speed);
    let run = median_run(uncapped);
    let requests = run.map_or(0, |r| r.counts.sent) as f64;
    let latency_us = run.map_or(f64::NAN, |r| r.injected.mean_latency_us);
    let cpu_s = requests * client_cpu(uncapped) / 1e6;
    let share = cpu_s / wall(uncapped).max(1e-9);
    // Whether the client's CPU explains the batch's time is measured, not assumed: on
    // shared cores opening N connections at once can cost more than either L or the CPU.
    let bound = if share >= 0.5 {
        "CPU, not waiting, bounds its speed-up at (L + CPU) ÷ CPU".to_string()
    } else {
        format!(
            "with L, {:.0}% of it: the rest is neither waiting on the server nor the \
             client's CPU",
            (share + latency_us / 1e6 / wall(uncapped).max(1e-9)) * 100.0
        )
    };
    let mut why = format!(
        "Python at L = {}: the requests.Session loop spends {} of client CPU per request on \
         top of L; uncapped aiohttp kept N·L/T = {} of {} requests waiting at once; its {} \
         of CPU per request, {} for the batch on one interpreter (the GIL), is {:.0}% of its \
         {}: {bound}.",
        format_micros(latency_us),
        format_micros(client_cpu(seq)),
        format_significant(waiting_in_flight(uncapped), 2),
        requests,
        format_micros(client_cpu(uncapped)),
        format_seconds(cpu_s),
        share * 100.0,
        format_seconds(wall(uncapped)),
    );
    if let Some(pool) = last(series(s, PY_THREADS_DEFAULTS)) {
        let workers = median_run(pool).map_or(0, |r| r.strategy.effective_concurrency);
        let cores = median_run(pool).map_or(0, |r| r.environment.cores);
        let _ = write!(
            why,
            " The default ThreadPoolExecutor has min(32, cores + 4) = {workers} workers on \
             {cores} cores: {workers} in flight, ceil(N/{workers})·L = {}, measured {}.",
            format_seconds(pool.predicted.unwrap_or(f64::NAN)),
            format_seconds(wall(pool)),
        );
    }
    let _ = write!(
        why,
        " Rust's uncapped reqwest kept {} waiting at {} of CPU per request.",
        format_significant(waiting_in_flight(rust_uncapped), 2),
        format_micros(client_cpu(rust_uncapped)),
    );
    Some(python_finding(
        measured,
        Some(judge_a(speed(uncapped), cap13)),
        why,
    ))
}

fn mean_latency(p: &Point) -> f64 {
    median_run(p).map_or(f64::NAN, |r| r.latency.mean_us)
}

fn claim_b(text: &Claim, s: &ScenarioResult) -> ClaimRow {
    let saving = |shared: &str, fresh: &str| -> Option<(f64, &Point)> {
        let a = last(series(s, shared))?;
        let b = last(series(s, fresh))?;
        Some((1.0 - mean_latency(a) / mean_latency(b), a))
    };
    let ureq = saving(UREQ_SHARED, UREQ_PER_REQUEST);
    let reqwest = saving(REQWEST_SHARED, REQWEST_PER_REQUEST);
    let loopback = saving(REQWEST_SHARED_LOOPBACK, REQWEST_PER_REQUEST_LOOPBACK);
    let with_delay: Vec<f64> = [ureq, reqwest].iter().flatten().map(|(x, _)| *x).collect();
    let Some((_, point)) = ureq.or(reqwest) else {
        return inconclusive(text, "shared and per-request series");
    };
    let run = median_run(point);
    let setup = spec_mean(run.and_then(|r| r.injected.connect_delay.as_deref()));
    let latency = spec_mean(run.and_then(|r| r.injected.latency.as_deref()));
    let predicted = waitbench_core::littles_law::reuse_saving(setup, latency);
    let mut figures = BTreeMap::new();
    let mut measured = Vec::new();
    for (name, value) in [("ureq", ureq), ("reqwest", reqwest), ("loopback", loopback)] {
        if let Some((x, _)) = value {
            figures.insert(format!("saving_{name}"), x);
            measured.push(format!("{name} {:.0}%", x * 100.0));
        }
    }
    let mut row = row(
        text,
        measured.join("; "),
        format!(
            "{:.0}% with a {} setup delay at L = {}; ≈ 0% on plain loopback",
            predicted * 100.0,
            format_micros(setup.as_secs_f64() * 1e6),
            format_micros(latency.as_secs_f64() * 1e6)
        ),
        judge_b(&with_delay, loopback.map(|(x, _)| x)),
        "A new connection costs a handshake: the saving is setup/(setup + L), tens of µs on \
         loopback, so the article's 30–50% needs a network-like setup delay."
            .into(),
        figures,
    );
    // Rust's loopback pair, like Python's: there the CPU is all a new client costs.
    let rust =
        last(series(s, REQWEST_SHARED_LOOPBACK)).zip(last(series(s, REQWEST_PER_REQUEST_LOOPBACK)));
    row.stacks.extend(python_b(s, rust, &mut row.figures));
    row
}

/// Claim B on the article's own stack: one aiohttp `ClientSession` against a new one per
/// request, with the setup delay and on plain loopback, judged by the same rule; why it
/// differs from Rust is computed from each client's CPU per request.
fn python_b(
    s: &ScenarioResult,
    rust: Option<(&Point, &Point)>,
    figures: &mut BTreeMap<String, f64>,
) -> Option<StackFinding> {
    let roles = [
        PY_SHARED,
        PY_PER_REQUEST,
        PY_SHARED_LOOPBACK,
        PY_PER_REQUEST_LOOPBACK,
    ];
    let points = match python_points(s, &roles)? {
        Ok(points) => points,
        Err(unjudged) => return Some(unjudged),
    };
    let saving = |shared: &Point, fresh: &Point| 1.0 - mean_latency(shared) / mean_latency(fresh);
    let with_delay = saving(points[0], points[1]);
    let loopback = saving(points[2], points[3]);
    figures.insert("python_saving".into(), with_delay);
    figures.insert("python_saving_loopback".into(), loopback);
    let cpu = |p: &Point| median_run(p).map_or(f64::NAN, |r| r.client.client_cpu_per_request_us);
    let measured = format!(
        "aiohttp {:.0}%; loopback {:.0}%",
        with_delay * 100.0,
        loopback * 100.0
    );
    let mut why = format!(
        "A new ClientSession costs a connection and the session itself: {} of client CPU per \
         request against {} with one session ({}× on loopback, where the setup delay is \
         absent and only that CPU remains).",
        format_micros(cpu(points[3])),
        format_micros(cpu(points[2])),
        format_significant(cpu(points[3]) / cpu(points[2]), 2)
    );
    if let Some((shared, fresh)) = rust {
        let _ = write!(
            why,
            " Rust's reqwest on loopback: {} against {} ({}×).",
            format_micros(cpu(fresh)),
            format_micros(cpu(shared)),
            format_significant(cpu(fresh) / cpu(shared), 2)
        );
    }
    Some(python_finding(
        measured,
        Some(judge_b(&[with_delay], Some(loopback))),
        why,
    ))
}

fn tput(series: Option<&Series>, x: f64) -> Option<f64> {
    at(series, x).map(|p| p.trials.throughput_rps.median)
}

/// Every C an async and a thread-pool series share, with async's speedup there.
fn speedups(async_s: Option<&Series>, pool: Option<&Series>) -> Vec<(f64, f64)> {
    async_s
        .map(|a| a.points.iter().map(|p| p.x).collect::<Vec<_>>())
        .unwrap_or_default()
        .into_iter()
        .filter_map(|x| Some((x, tput(async_s, x)? / tput(pool, x)?)))
        .collect()
}

/// Async's speedup over a library-default pool at the largest C ≥ 300 both reached: the
/// default pool is swept only as far as it finishes in reasonable time.
fn defaults_speedup(async_s: Option<&Series>, defaults: Option<&Series>) -> Option<(f64, f64)> {
    let x = defaults?
        .points
        .iter()
        .rev()
        .map(|p| p.x)
        .find(|&x| x >= C_FROM && at(async_s, x).is_some())?;
    Some((x, tput(async_s, x)? / tput(defaults, x)?))
}

fn claim_c(text: &Claim, s: &ScenarioResult) -> ClaimRow {
    let async_s = series(s, ASYNC);
    let defaults = series(s, THREADS_DEFAULTS);
    let shared = speedups(async_s, series(s, THREADS_RIGHT_SIZED));
    let Some(&(x, r)) = shared.last() else {
        return inconclusive(text, "async and threads-right-sized at a shared C");
    };
    let from_300: Vec<(f64, f64)> = shared
        .iter()
        .copied()
        .filter(|&(x, _)| x >= C_FROM)
        .collect();
    let (x_defaults, d) = defaults_speedup(async_s, defaults).unzip();
    let mut figures = BTreeMap::from([
        ("concurrency".to_string(), x),
        ("speedup_right_sized".to_string(), r),
    ]);
    for &(x, r) in &from_300 {
        figures.insert(format!("speedup_right_sized@{x}"), r);
    }
    let mut measured = format!(
        "vs right-sized pool: {}",
        from_300
            .iter()
            .map(|(x, r)| format!("{r:.2}× at C = {x}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    if let (Some(d), Some(xd)) = (d, x_defaults) {
        figures.insert("speedup_defaults".into(), d);
        measured.push_str(&format!("; at C = {xd}: {d:.0}× vs library-default pool"));
    }
    let default_in_flight = x_defaults
        .and_then(|xd| at(defaults, xd))
        .and_then(median_run)
        .map(|r| r.strategy.effective_concurrency);
    let predicted = match default_in_flight {
        Some(p) => format!(
            "1.0× (both C/L); default pool keeps {p} in flight → {:.0}× at C = {}",
            x_defaults.unwrap_or(x) / p.max(1) as f64,
            x_defaults.unwrap_or(x)
        ),
        None => "1.0× (both reach C/L)".into(),
    };
    let python = python_c(s, at(series(s, THREADS_RIGHT_SIZED), x), &mut figures);
    let mut row = row(
        text,
        measured,
        predicted,
        verdict_c(&from_300, d),
        "By Little's law throughput is C/L whoever holds the C requests: a gap appears when \
         the thread pool keeps fewer requests in flight (rayon's one thread per core, ureq's \
         3 idle connections per host), and at thousands of threads, when their CPU and \
         memory on two shared cores become the limit."
            .into(),
        figures,
    );
    row.stacks.extend(python);
    row
}

/// Claim C's verdict from the speedups at each C ≥ 300: inconclusive without one.
fn verdict_c(from_300: &[(f64, f64)], defaults: Option<f64>) -> Verdict {
    let speedups: Vec<f64> = from_300.iter().map(|&(_, r)| r).collect();
    if speedups.is_empty() {
        Verdict::Inconclusive
    } else {
        judge_c(&speedups, defaults)
    }
}

/// Claim C on the article's own stack: aiohttp against `requests` on a right-sized
/// `ThreadPoolExecutor` and on Python's default one, judged by the same rule, with why it
/// differs from Rust computed from the client CPU per request (the one interpreter's
/// ceiling, 1 ÷ CPU, under the GIL) and the default pool's size; `None` without Python
/// series.
fn python_c(
    s: &ScenarioResult,
    rust_threads: Option<&Point>,
    figures: &mut BTreeMap<String, f64>,
) -> Option<StackFinding> {
    if let Err(unjudged) = python_points(s, &[PY_ASYNC, PY_THREADS_RIGHT_SIZED])? {
        return Some(unjudged);
    }
    let (async_s, right) = (series(s, PY_ASYNC), series(s, PY_THREADS_RIGHT_SIZED));
    let defaults = series(s, PY_THREADS_DEFAULTS);
    let shared = speedups(async_s, right);
    let Some(&(x, _)) = shared.last() else {
        return Some(python_finding(
            "inconclusive: aiohttp and the right-sized pool share no C".into(),
            Some(Verdict::Inconclusive),
            String::new(),
        ));
    };
    let from_300: Vec<(f64, f64)> = shared.into_iter().filter(|&(x, _)| x >= C_FROM).collect();
    let defaults_at = defaults_speedup(async_s, defaults);
    for &(x, r) in &from_300 {
        figures.insert(format!("python_speedup_right_sized@{x}"), r);
    }
    let mut measured = format!(
        "aiohttp vs right-sized ThreadPoolExecutor: {}",
        from_300
            .iter()
            .map(|(x, r)| format!("{r:.2}× at C = {x}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    if let Some((xd, d)) = defaults_at {
        figures.insert("python_speedup_defaults".into(), d);
        let _ = write!(measured, "; at C = {xd}: {d:.0}× vs the default pool");
    }
    let (a, t) = (at(async_s, x)?, at(right, x)?);
    let latency_us = median_run(t).map_or(f64::NAN, |r| r.injected.mean_latency_us);
    let efficiency = |p: &Point| p.trials.efficiency.map_or(f64::NAN, |e| e.median);
    // One interpreter runs one request's Python at a time: 1 ÷ CPU per request is its
    // ceiling, reached at C = L ÷ CPU.
    let ceiling = |p: &Point| {
        format!(
            "{} of client CPU per request: a ceiling of {}, reached at C ≈ {}",
            format_micros(client_cpu(p)),
            format_rps(1e6 / client_cpu(p)),
            format_significant(latency_us / client_cpu(p), 2)
        )
    };
    let offered = x * 1e6 / latency_us;
    let under = |p: &Point| offered < 1e6 / client_cpu(p);
    let regime = match (under(t), under(a)) {
        (true, true) => "under both ceilings, so both can keep C/L",
        (false, true) => {
            "above the threads' ceiling and under aiohttp's, so only aiohttp can keep C/L"
        }
        (true, false) => "under the threads' ceiling and above aiohttp's",
        (false, false) => "above both ceilings, so CPU, not waiting, decides",
    };
    let mut why = format!(
        "At L = {} and C = {x} ({} offered) the {x} threads spend {}, aiohttp {}: {regime} \
         (they kept {:.2} and {:.2} of it). Under the GIL the threads' CPU per request, not \
         their number, is the limit.",
        format_micros(latency_us),
        format_rps(offered),
        ceiling(t),
        ceiling(a),
        efficiency(t),
        efficiency(a),
    );
    if let Some(pool) = defaults_at.and_then(|(xd, _)| at(defaults, xd)) {
        let workers = median_run(pool).map_or(0, |r| r.strategy.effective_concurrency);
        let cores = median_run(pool).map_or(0, |r| r.environment.cores);
        let _ = write!(
            why,
            " The default pool has min(32, cores + 4) = {workers} workers on {cores} cores: \
             {workers} in flight, so C/{workers} = {:.0}× slower at C = {}.",
            pool.x / workers.max(1) as f64,
            pool.x
        );
    }
    if let Some(rust) = rust_threads {
        let _ = write!(
            why,
            " Rust's threads spend {} per request, Python's {}× that.",
            format_micros(client_cpu(rust)),
            format_significant(client_cpu(t) / client_cpu(rust), 2)
        );
    }
    Some(python_finding(
        measured,
        Some(verdict_c(&from_300, defaults_at.map(|(_, d)| d))),
        why,
    ))
}

fn claim_d(text: &Claim, s: &ScenarioResult) -> ClaimRow {
    let (Some(a), Some(t)) = (last(series(s, ASYNC)), last(series(s, THREADS))) else {
        return inconclusive(text, "async and threads series");
    };
    let lean = last(series(s, ASYNC_LEAN));
    let gain_over_threads = |p: &Point| SaturationGain {
        throughput: p.trials.throughput_rps.median / t.trials.throughput_rps.median - 1.0,
        p99: p.trials.p99_us.median / t.trials.p99_us.median - 1.0,
    };
    // Both CPU figures span the whole run, warm-up included, as do their request counts.
    let cpu = |p: &Point| {
        median_run(p).map_or(f64::NAN, |r| {
            let server = r
                .server
                .as_ref()
                .map_or(0.0, |s| s.cpu_s * 1e6 / s.requests.max(1) as f64);
            r.client.client_cpu_per_request_us + server
        })
    };
    let cores = median_run(a).map_or(1, |r| r.environment.cores) as f64;
    let bound = |p: &Point| {
        format!(
            "{} (D = {})",
            format_rps(cores * 1e6 / cpu(p)),
            format_micros(cpu(p))
        )
    };
    let reqwest = gain_over_threads(a);
    let mut measured = format!(
        "reqwest {} throughput, {} p99 ({} vs {} at C = {})",
        pct(reqwest.throughput),
        pct(reqwest.p99),
        format_rps(a.trials.throughput_rps.median),
        format_rps(t.trials.throughput_rps.median),
        a.x
    );
    let mut predicted = format!(
        "CPU-bound: X ≤ cores/D, D = client+server CPU per request: reqwest {}, threads {}",
        bound(a),
        bound(t)
    );
    let mut figures = BTreeMap::from([
        ("throughput_gain".into(), reqwest.throughput),
        ("p99_change".into(), reqwest.p99),
    ]);
    let lean_gain = lean.map(gain_over_threads);
    if let (Some(p), Some(gain)) = (lean, lean_gain) {
        let _ = write!(
            measured,
            "; bare hyper {} throughput, {} p99 ({})",
            pct(gain.throughput),
            pct(gain.p99),
            format_rps(p.trials.throughput_rps.median)
        );
        let _ = write!(predicted, ", bare hyper {}", bound(p));
        figures.insert("lean_throughput_gain".into(), gain.throughput);
        figures.insert("lean_p99_change".into(), gain.p99);
    }
    let python = python_d(s, a, t, &mut figures);
    let mut row = row(
        text,
        measured,
        predicted,
        judge_d(reqwest, lean_gain),
        "At zero latency nothing waits: throughput is cores divided by CPU per request, so \
         the winner is the stack that burns the least CPU per request. The bare-hyper series \
         runs the same async model without reqwest's pool and service stack: the gap between \
         the two async rows is the library's cost, not async's."
            .into(),
        figures,
    );
    row.stacks.extend(python);
    row
}

/// Claim D on the article's own stack (aiohttp against `requests` on a thread pool),
/// judged by the same rule, with why it differs from Rust computed from the measured
/// client CPU per request and pool sizes; `None` when the scenario has no Python series.
fn python_d(
    s: &ScenarioResult,
    rust_async: &Point,
    rust_threads: &Point,
    figures: &mut BTreeMap<String, f64>,
) -> Option<StackFinding> {
    let points = match python_points(s, &[PY_ASYNC, PY_THREADS])? {
        Ok(points) => points,
        Err(unjudged) => return Some(unjudged),
    };
    let (a, t) = (points[0], points[1]);
    let gain = SaturationGain {
        throughput: a.trials.throughput_rps.median / t.trials.throughput_rps.median - 1.0,
        p99: a.trials.p99_us.median / t.trials.p99_us.median - 1.0,
    };
    figures.insert("python_throughput_gain".into(), gain.throughput);
    figures.insert("python_p99_change".into(), gain.p99);
    let threads = median_run(t).map_or(t.x, |r| r.strategy.effective_concurrency as f64);
    let measured = format!(
        "aiohttp {} throughput, {} p99 ({} vs {} on {} threads)",
        pct(gain.throughput),
        pct(gain.p99),
        format_rps(a.trials.throughput_rps.median),
        format_rps(t.trials.throughput_rps.median),
        threads
    );
    let cpu = |p: &Point| median_run(p).map_or(f64::NAN, |r| r.client.client_cpu_per_request_us);
    let (py_ratio, rust_ratio) = (cpu(t) / cpu(a), cpu(rust_threads) / cpu(rust_async));
    let why = format!(
        "At L = 0 throughput is cores ÷ CPU per request. Python: {} threads spend {} of client \
         CPU per request against aiohttp's {} ({}×): the threads share one GIL, so each \
         request also pays for handing it from thread to thread, and `requests` does more \
         per call than aiohttp on one event loop. Rust: threads {} against reqwest {} ({}×). Per request, aiohttp \
         costs {}× reqwest's CPU and Python's threads {}× Rust's: the less CPU a stack spends \
         per request, the less there is for async to save.",
        threads,
        format_micros(cpu(t)),
        format_micros(cpu(a)),
        format_significant(py_ratio, 2),
        format_micros(cpu(rust_threads)),
        format_micros(cpu(rust_async)),
        format_significant(rust_ratio, 2),
        format_significant(cpu(a) / cpu(rust_async), 2),
        format_significant(cpu(t) / cpu(rust_threads), 2),
    );
    Some(python_finding(measured, Some(judge_d(gain, None)), why))
}

/// A claim's finding on the Python clients.
fn python_finding(measured: String, verdict: Option<Verdict>, why: String) -> StackFinding {
    StackFinding {
        stack: Stack::Python.name().to_string(),
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

/// Per-in-flight memory slope between a series' smallest and largest concurrency.
fn slope(series: Option<&Series>, pick: fn(&RunResult) -> Option<u64>) -> Option<f64> {
    let s = series?;
    let (first, last) = (s.points.first()?, s.points.last()?);
    let (a, b) = (median_run(first)?, median_run(last)?);
    if last.x > first.x {
        Some((pick(b)? as f64 - pick(a)? as f64) / (last.x - first.x))
    } else {
        b.client.rss_per_in_flight_bytes
    }
}

fn claim_e(text: &Claim, s: &ScenarioResult) -> ClaimRow {
    let threads = series(s, THREADS);
    let tasks = series(s, ASYNC);
    let (Some(t_rss), Some(t_vm), Some(a_rss)) = (
        slope(threads, |r| r.client.rss_steady_bytes),
        slope(threads, |r| r.client.vm_steady_bytes),
        slope(tasks, |r| r.client.rss_steady_bytes),
    ) else {
        return inconclusive(text, "threads and async series");
    };
    let a_vm = slope(tasks, |r| r.client.vm_steady_bytes).unwrap_or(f64::NAN);
    let mut figures = BTreeMap::from([
        ("thread_rss_per_request_bytes".into(), t_rss),
        ("thread_vm_per_request_bytes".into(), t_vm),
        ("async_rss_per_request_bytes".into(), a_rss),
    ]);
    let python = python_e(s, (t_rss, a_rss), &mut figures);
    let mut row = row(
        text,
        format!(
            "per in-flight request: thread RSS {} (VM {}), async RSS {} (VM {})",
            format_bytes(t_rss),
            format_bytes(t_vm),
            format_bytes(a_rss),
            format_bytes(a_vm)
        ),
        "thread: 2 MiB stack reserved (VM), tens of KiB resident + connection buffers; task: a few KiB + buffers".into(),
        judge_e(t_rss, t_vm, a_rss),
        "A Rust thread reserves a 2 MiB stack but touches only a few pages; most of the \
         resident cost per request is the HTTP client's connection buffers, not the thread."
            .into(),
        figures,
    );
    row.stacks.extend(python);
    row
}

/// Claim E on the article's own stack: `requests` on a pool of C threads against
/// aiohttp's tasks, sloped over C as Rust's are and judged by the same rule. Why it
/// differs is computed from the slopes, the threads each in-flight request added, and
/// how many of the C requests were really in flight at the largest C.
fn python_e(
    s: &ScenarioResult,
    (rust_thread_rss, rust_task_rss): (f64, f64),
    figures: &mut BTreeMap<String, f64>,
) -> Option<StackFinding> {
    // python_points only to learn whether both series ran; the slopes use every point.
    if let Err(unjudged) = python_points(s, &[PY_THREADS, PY_ASYNC])? {
        return Some(unjudged);
    }
    let (threads, tasks) = (series(s, PY_THREADS), series(s, PY_ASYNC));
    let (Some(t_rss), Some(t_vm), Some(a_rss)) = (
        slope(threads, |r| r.client.rss_steady_bytes),
        slope(threads, |r| r.client.vm_steady_bytes),
        slope(tasks, |r| r.client.rss_steady_bytes),
    ) else {
        return Some(python_finding(
            "inconclusive: no memory figures".into(),
            Some(Verdict::Inconclusive),
            String::new(),
        ));
    };
    figures.insert("python_thread_rss_per_request_bytes".into(), t_rss);
    figures.insert("python_thread_vm_per_request_bytes".into(), t_vm);
    figures.insert("python_async_rss_per_request_bytes".into(), a_rss);
    let a_vm = slope(tasks, |r| r.client.vm_steady_bytes).unwrap_or(f64::NAN);
    let measured = format!(
        "per in-flight request: thread RSS {} (VM {}), asyncio task RSS {} (VM {})",
        format_bytes(t_rss),
        format_bytes(t_vm),
        format_bytes(a_rss),
        format_bytes(a_vm)
    );
    let threads_per_request = slope(threads, |r| r.client.threads_peak).unwrap_or(f64::NAN);
    let in_flight = |series: Option<&Series>| {
        last(series)
            .and_then(median_run)
            .and_then(|r| r.littles_law.in_flight_ratio)
            .map_or("—".to_string(), |ratio| format!("{:.0}%", ratio * 100.0))
    };
    let largest = last(threads).map_or(f64::NAN, |p| p.x);
    let why = format!(
        "OS threads the thread pool added per in-flight request: {}; each reserves its \
         stack as virtual memory ({} per request) and keeps resident only what it touched \
         plus its Python thread state and connection: {}, against {} for a Rust thread. An \
         asyncio task and its aiohttp request hold {} resident, against {} for a tokio \
         task. At C = {largest}, {} (threads) and {} (tasks) of the C requests were in \
         flight on average over the measured window.",
        format_significant(threads_per_request, 2),
        format_bytes(t_vm),
        format_bytes(t_rss),
        format_bytes(rust_thread_rss),
        format_bytes(a_rss),
        format_bytes(rust_task_rss),
        in_flight(threads),
        in_flight(tasks),
    );
    Some(python_finding(
        measured,
        Some(judge_e(t_rss, t_vm, a_rss)),
        why,
    ))
}

fn claim_f1(text: &Claim, s: &ScenarioResult) -> ClaimRow {
    let tput = |role| last(series(s, role)).map(|p| (p.trials.throughput_rps.median, p));
    let (Some(seq), Some(asy), Some(thr)) = (tput(SEQUENTIAL), tput(ASYNC), tput(THREADS)) else {
        return inconclusive(text, "sequential, async and threads series");
    };
    let (ra, rt) = (asy.0 / seq.0, thr.0 / seq.0);
    let run = median_run(seq.1);
    let cores = run.map_or(1, |r| r.environment.cores);
    let pool = median_run(thr.1).map_or(1, |r| r.strategy.effective_concurrency);
    let mut row = row(
        text,
        format!("async {ra:.2}×, thread pool {rt:.2}× sequential throughput"),
        format!(
            "async on one runtime thread ≈ 1×; a pool of {} on {cores} cores ≤ {}×",
            pool,
            pool.min(cores)
        ),
        judge_f1(ra, rt),
        "CPU work done inline holds the runtime thread as surely as a blocking call: only \
         more cores (threads, rayon, processes) add throughput."
            .into(),
        BTreeMap::from([("async_ratio".into(), ra), ("threads_ratio".into(), rt)]),
    );
    row.stacks.extend(python_f1(s, thr.1, &mut row.figures));
    row
}

/// Cores a run kept busy on the client: its client CPU over its wall time.
fn cores_busy(p: &Point) -> f64 {
    median_run(p).map_or(f64::NAN, |r| {
        r.client.client_cpu_s / r.wall_time_s.max(1e-9)
    })
}

/// Claim F1 on the article's own stack: aiohttp doing the work inline on its event loop
/// and the process pool it hands the work to, against `requests` one after another,
/// judged by the same rule; the thread pool is measured beside. Why it differs from Rust
/// is computed from each series' client CPU per request and the cores each kept busy,
/// which shows the GIL: however many threads, about one core.
fn python_f1(
    s: &ScenarioResult,
    rust_threads: &Point,
    figures: &mut BTreeMap<String, f64>,
) -> Option<StackFinding> {
    let points = match python_points(s, &[PY_SEQUENTIAL, PY_ASYNC, PY_THREADS, PY_PROCESSES])? {
        Ok(points) => points,
        Err(unjudged) => return Some(unjudged),
    };
    let (seq, asy, thr, procs) = (points[0], points[1], points[2], points[3]);
    let ratio = |p: &Point| p.trials.throughput_rps.median / seq.trials.throughput_rps.median;
    let (ra, rt, rp) = (ratio(asy), ratio(thr), ratio(procs));
    figures.insert("python_async_ratio".into(), ra);
    figures.insert("python_threads_ratio".into(), rt);
    figures.insert("python_processes_ratio".into(), rp);
    let threads = median_run(thr).map_or(thr.x, |r| r.strategy.effective_concurrency as f64);
    let processes = median_run(procs)
        .and_then(|r| r.extras.get("pool_processes").copied())
        .unwrap_or(f64::NAN);
    let cores = median_run(seq).map_or(1, |r| r.environment.cores);
    let measured = format!(
        "aiohttp {ra:.2}×, thread pool {rt:.2}×, process pool {rp:.2}× requests' \
         sequential throughput"
    );
    let cpu = |p: &Point| median_run(p).map_or(f64::NAN, |r| r.client.client_cpu_per_request_us);
    let why = format!(
        "Client CPU per request, the work included: {} sequential, {} for aiohttp, {} for \
         the threads, {} for the process pool (its workers counted). One request after \
         another keeps {:.2} cores busy; aiohttp runs the work on its one thread: {:.2} cores \
         busy. The {} threads share one GIL, so only one of them runs Python at a time: \
         {:.2} cores busy, where Rust's {} threads kept {:.2} busy. The {} pool processes \
         each have a GIL of their own: {:.2} cores busy of {}.",
        format_micros(cpu(seq)),
        format_micros(cpu(asy)),
        format_micros(cpu(thr)),
        format_micros(cpu(procs)),
        cores_busy(seq),
        cores_busy(asy),
        threads,
        cores_busy(thr),
        median_run(rust_threads)
            .map_or(rust_threads.x, |r| r.strategy.effective_concurrency as f64),
        cores_busy(rust_threads),
        processes,
        cores_busy(procs),
        cores,
    );
    Some(python_finding(measured, Some(judge_f1(ra, rp)), why))
}

fn ticker_p99(p: &Point) -> f64 {
    ticker_figure(p, "ticker_lateness_p99_us")
}

fn claim_f2(text: &Claim, s: &ScenarioResult) -> ClaimRow {
    let (Some(b), Some(f)) = (
        last(series(s, BLOCKING_CURRENT_THREAD)),
        last(series(s, SPAWN_BLOCKING_CURRENT_THREAD)),
    ) else {
        return inconclusive(text, "blocking and spawn-blocking series");
    };
    let ratio = b.trials.throughput_rps.median / f.trials.throughput_rps.median;
    let latency = median_run(b).map_or(0.0, |r| r.injected.mean_latency_us);
    let mut figures = BTreeMap::from([
        ("throughput_ratio".into(), ratio),
        ("blocking_ticker_p99_us".into(), ticker_p99(b)),
        ("fixed_ticker_p99_us".into(), ticker_p99(f)),
    ]);
    let python = python_f2(s, b, f, &mut figures);
    let mut row = row(
        text,
        format!(
            "blocking: {}, ticker p99 late {}; spawn_blocking: {}, ticker p99 late {}",
            format_rps(b.trials.throughput_rps.median),
            format_micros(ticker_p99(b)),
            format_rps(f.trials.throughput_rps.median),
            format_micros(ticker_p99(f))
        ),
        format!(
            "blocking serialises: 1/L = {}, and the ticker starves: late ≥ L = {}, for as long as tasks stay ready; spawn_blocking: C/L = {}",
            format_rps(1e6 / latency.max(1.0)),
            format_micros(latency),
            format_rps(f.x * 1e6 / latency.max(1.0))
        ),
        judge_f2(ratio, ticker_p99(b), ticker_p99(f)),
        "A blocking call holds the only runtime thread for a whole L, and while tasks stay \
         ready tokio runs them before it polls its timers, so the ticker starves for many \
         L; spawn_blocking moves the call to the blocking pool."
            .into(),
        figures,
    );
    row.stacks.extend(python);
    row
}

/// How many times something happened, in words ("once", "2,433 times").
fn times(n: f64) -> String {
    if n == 1.0 {
        "once".into()
    } else {
        format!("{} times", format_significant(n, 6))
    }
}

/// A run's ticker figure `key` (µs), NaN when the run has none.
fn ticker_figure(p: &Point, key: &str) -> f64 {
    median_run(p)
        .and_then(|r| r.extras.get(key).copied())
        .unwrap_or(f64::NAN)
}

/// Claim F2 on the article's own stack (`requests` inside `async def` against the same
/// call through `loop.run_in_executor`), judged by the same rule, with why it differs
/// from tokio computed from the ticker's figures; `None` without Python series.
fn python_f2(
    s: &ScenarioResult,
    rust_blocking: &Point,
    rust_fixed: &Point,
    figures: &mut BTreeMap<String, f64>,
) -> Option<StackFinding> {
    let points = match python_points(s, &[PY_BLOCKING, PY_EXECUTOR])? {
        Ok(points) => points,
        Err(unjudged) => return Some(unjudged),
    };
    let (b, f) = (points[0], points[1]);
    let ratio = b.trials.throughput_rps.median / f.trials.throughput_rps.median;
    figures.insert("python_throughput_ratio".into(), ratio);
    figures.insert("python_blocking_ticker_p99_us".into(), ticker_p99(b));
    figures.insert("python_fixed_ticker_p99_us".into(), ticker_p99(f));
    let measured = format!(
        "requests inside async def: {}, ticker p99 late {}; run_in_executor: {}, ticker \
         p99 late {}",
        format_rps(b.trials.throughput_rps.median),
        format_micros(ticker_p99(b)),
        format_rps(f.trials.throughput_rps.median),
        format_micros(ticker_p99(f))
    );
    let wall_us = |p: &Point| median_run(p).map_or(f64::NAN, |r| r.wall_time_s * 1e6);
    let frozen = |p: &Point| ticker_figure(p, "ticker_lateness_max_us") / wall_us(p);
    let threads = median_run(f).map_or(f.x, |r| r.strategy.effective_concurrency as f64);
    let why = format!(
        "Both stacks serialise the blocking calls and starve the ticker. Python: it woke {} \
         in the {} run and waited at most {} ({:.0}% of the run): an `await` on a \
         coroutine that never suspends does not hand the loop back, so the first coroutine \
         sends request after request and the ticker runs only when the batch is done. Rust: \
         it woke {}, at most {} late ({:.0}%): tokio runs ready tasks before it polls its \
         timers, so its ticker starves while tasks stay ready. The fix holds on both: \
         run_in_executor on {} threads keeps the ticker's p99 at {} (spawn_blocking: {}), \
         at {}× spawn_blocking's throughput, the GIL shared by the threads and the loop.",
        times(ticker_figure(b, "ticker_ticks")),
        format_micros(wall_us(b)),
        format_micros(ticker_figure(b, "ticker_lateness_max_us")),
        frozen(b) * 100.0,
        times(ticker_figure(rust_blocking, "ticker_ticks")),
        format_micros(ticker_figure(rust_blocking, "ticker_lateness_max_us")),
        frozen(rust_blocking) * 100.0,
        threads,
        format_micros(ticker_p99(f)),
        format_micros(ticker_p99(rust_fixed)),
        format_significant(
            f.trials.throughput_rps.median / rust_fixed.trials.throughput_rps.median,
            2
        ),
    );
    Some(python_finding(
        measured,
        Some(judge_f2(ratio, ticker_p99(b), ticker_p99(f))),
        why,
    ))
}

fn claim_g(text: &Claim, s: &ScenarioResult) -> ClaimRow {
    let (Some(w), Some(c)) = (last(series(s, WAIT_ALL)), last(series(s, CANCEL))) else {
        return inconclusive(text, "wait-all and cancel series");
    };
    let (Some(wr), Some(cr)) = (median_run(w), median_run(c)) else {
        return inconclusive(text, "trials");
    };
    let after = |r: &RunResult| r.counts.issued_after_first_failure;
    let balanced = wr.counts.balanced() && cr.counts.balanced();
    let fmt = |x: Option<u64>| x.map_or("—".into(), |x| x.to_string());
    let mut figures = BTreeMap::from([
        (
            "wait_all_issued_after".into(),
            after(wr).unwrap_or(0) as f64,
        ),
        ("cancel_issued_after".into(), after(cr).unwrap_or(0) as f64),
        (
            "accounting_balanced".into(),
            if balanced { 1.0 } else { 0.0 },
        ),
    ]);
    let python = python_g(s, wr, cr, &mut figures);
    let mut row = row(
        text,
        format!(
            "issued after first failure: wait-all {}, cancel {} ({} in flight dropped); accounting {}",
            fmt(after(wr)),
            fmt(after(cr)),
            cancelled(cr),
            if balanced { "balanced" } else { "BROKEN" }
        ),
        format!(
            "wait-all issues the rest of the {}; cancel 0",
            wr.counts.sent
        ),
        judge_g(after(wr), after(cr), c.x as u64, balanced),
        "join_all (like CPython's gather) lets every sibling finish; only try_join_all (like \
         TaskGroup) drops the rest, and a detached tokio::spawn keeps running either way."
            .into(),
        figures,
    );
    row.stacks.extend(python);
    row
}

/// Requests cancelled in flight in a run.
fn cancelled(r: &RunResult) -> u64 {
    r.counts
        .by_error
        .get(&waitbench_core::ErrorKind::Cancelled)
        .copied()
        .unwrap_or(0)
}

/// The extra a `gather` run reports: requests issued between the first failure and the
/// moment `gather` raised it to its caller.
const RAISED_AFTER: &str = "raised_after_first_failure";

/// Claim G on the article's own constructs (a task per request under `gather`,
/// `gather(return_exceptions=True)` and a `TaskGroup`), judged by [`judge_g_python`],
/// with why it differs from Rust computed from what each construct let through after the
/// first failure; `None` when the scenario has no Python series.
fn python_g(
    s: &ScenarioResult,
    rust_wait_all: &RunResult,
    rust_cancel: &RunResult,
    figures: &mut BTreeMap<String, f64>,
) -> Option<StackFinding> {
    let points = match python_points(s, &[PY_GATHER, PY_GATHER_RETURN_EXCEPTIONS, PY_TASKGROUP])? {
        Ok(points) => points,
        Err(unjudged) => return Some(unjudged),
    };
    let Some(runs) = points
        .iter()
        .map(|p| median_run(p))
        .collect::<Option<Vec<_>>>()
    else {
        return Some(python_finding(
            "inconclusive: a Python series has no trial".into(),
            Some(Verdict::Inconclusive),
            String::new(),
        ));
    };
    let (gather, collect, group) = (runs[0], runs[1], runs[2]);
    let after = |r: &RunResult| r.counts.issued_after_first_failure;
    let count = |x: Option<u64>| x.map_or("—".into(), |x| x.to_string());
    for (name, r) in [
        ("python_gather_issued_after", gather),
        ("python_return_exceptions_issued_after", collect),
        ("python_taskgroup_issued_after", group),
    ] {
        figures.insert(name.into(), after(r).unwrap_or(0) as f64);
    }
    let balanced = runs.iter().all(|r| r.counts.balanced());
    let planned = |r: &RunResult| match r.workload.load {
        waitbench_core::LoadModel::Batch { requests, .. } => requests,
        _ => r.counts.sent,
    };
    let measured = format!(
        "issued after the first failure: gather {} ({} cancelled), \
         gather(return_exceptions=True) {} ({} cancelled), TaskGroup {} ({} cancelled in \
         flight; {} of {} sent); accounting {}",
        count(after(gather)),
        cancelled(gather),
        count(after(collect)),
        cancelled(collect),
        count(after(group)),
        cancelled(group),
        group.counts.sent,
        planned(group),
        if balanced { "balanced" } else { "BROKEN" }
    );
    let raised = gather.extras.get(RAISED_AFTER).map_or(String::new(), |&n| {
        format!(
            " re-raised the first failure to its caller (requests issued in between: {}), and",
            format_significant(n, 6)
        )
    });
    let why = format!(
        "gather{raised} cancelled {} of its other tasks: {} requests went out after the first \
         failure, {} of {} in all (Rust's join_all: {} after it). With \
         return_exceptions=True: {} after it, {} cancelled. TaskGroup cancelled {} requests \
         in flight and let {} more out (Rust's try_join_all: {} dropped in flight, {} after \
         it).",
        cancelled(gather),
        count(after(gather)),
        gather.counts.sent,
        planned(gather),
        count(after(rust_wait_all)),
        count(after(collect)),
        cancelled(collect),
        cancelled(group),
        count(after(group)),
        cancelled(rust_cancel),
        count(after(rust_cancel)),
    );
    let verdict = judge_g_python(
        after(gather),
        after(collect),
        after(group),
        points[2].x as u64,
        balanced,
    );
    Some(python_finding(measured, Some(verdict), why))
}

fn claim_co(text: &Claim, s: &ScenarioResult) -> ClaimRow {
    let (Some(c), Some(o)) = (last(series(s, CLOSED_LOOP)), last(series(s, OPEN_LOOP))) else {
        return inconclusive(text, "closed-loop and open-loop series");
    };
    let pause = median_run(o)
        .and_then(|r| r.injected.faults.get("pause").cloned())
        .unwrap_or_else(|| "none".into());
    row(
        text,
        format!(
            "p99 closed {} vs open {}",
            format_micros(c.trials.p99_us.median),
            format_micros(o.trials.p99_us.median)
        ),
        format!(
            "open-loop p99 ≈ the pause length when pauses cover ≥ 1% of the time (pause {pause})"
        ),
        judge_co(c.trials.p99_us.median, o.trials.p99_us.median),
        "A closed loop stops sending while the server is paused, so only C requests see the \
         pause; an open loop keeps its schedule and every request sent during the pause waits."
            .into(),
        BTreeMap::from([
            ("closed_p99_us".into(), c.trials.p99_us.median),
            ("open_p99_us".into(), o.trials.p99_us.median),
        ]),
    )
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

    #[test]
    fn a_reproduces_only_with_thirteen_in_flight() {
        assert_eq!(judge_a(13.0, None), Verdict::Reproduced);
        assert_eq!(judge_a(480.0, Some(12.8)), Verdict::OnlyUnderConditions);
        assert_eq!(judge_a(480.0, Some(100.0)), Verdict::NotReproduced);
    }

    #[test]
    fn b_needs_the_saving_on_plain_loopback_to_be_reproduced() {
        assert_eq!(judge_b(&[0.4, 0.41], Some(0.35)), Verdict::Reproduced);
        assert_eq!(
            judge_b(&[0.4, 0.41], Some(0.01)),
            Verdict::OnlyUnderConditions
        );
        assert_eq!(judge_b(&[0.4, 0.1], Some(0.01)), Verdict::NotReproduced);
        assert_eq!(judge_b(&[], None), Verdict::Inconclusive);
    }

    #[test]
    fn c_separates_right_sized_from_default_pools() {
        assert_eq!(judge_c(&[2.0, 3.0], None), Verdict::Reproduced);
        assert_eq!(judge_c(&[1.02], Some(150.0)), Verdict::OnlyUnderConditions);
        assert_eq!(judge_c(&[1.02], Some(1.1)), Verdict::NotReproduced);
        assert_eq!(judge_c(&[9.0], None), Verdict::NotReproduced);
        assert_eq!(judge_c(&[0.9], None), Verdict::NotReproduced);
        // ≈ 1× at 300 and 1000, a gap only where 5,000 threads collapse.
        assert_eq!(
            judge_c(&[1.0, 1.01, 3.97], None),
            Verdict::OnlyUnderConditions
        );
        assert_eq!(judge_c(&[], None), Verdict::NotReproduced);
    }

    #[test]
    fn d_needs_both_more_throughput_and_lower_p99() {
        let gain = |throughput, p99| SaturationGain { throughput, p99 };
        assert_eq!(judge_d(gain(0.41, -0.22), None), Verdict::Reproduced);
        assert_eq!(judge_d(gain(0.41, 0.05), None), Verdict::NotReproduced);
        assert_eq!(judge_d(gain(0.05, -0.5), None), Verdict::NotReproduced);
        assert_eq!(
            judge_d(gain(0.05, 0.1), Some(gain(0.45, -0.2))),
            Verdict::OnlyUnderConditions
        );
        assert_eq!(
            judge_d(gain(0.05, 0.1), Some(gain(0.45, 0.1))),
            Verdict::NotReproduced
        );
        assert_eq!(
            judge_d(gain(0.35, -0.2), Some(gain(0.05, 0.1))),
            Verdict::Reproduced
        );
    }

    #[test]
    fn d_does_not_count_a_p99_drop_smaller_than_the_noise() {
        let gain = |throughput, p99| SaturationGain { throughput, p99 };
        assert_eq!(judge_d(gain(0.41, -0.05), None), Verdict::NotReproduced);
        assert_eq!(judge_d(gain(0.41, -0.11), None), Verdict::NotReproduced);
        assert_eq!(judge_d(gain(0.31, -0.17), None), Verdict::Reproduced);
    }

    /// Claim D as measured in a full run: 3 trials of reqwest, bare hyper and threads.
    fn saturation() -> ScenarioResult {
        serde_json::from_str(include_str!("../tests/fixtures/d-saturation-3-trials.json"))
            .expect("the fixture is a scenario result")
    }

    /// Claim `claim`'s scenario, made from the saturation fixture with its series taken
    /// out, and the fixture's `like` series to copy new ones from.
    fn emptied(claim: &str, like: &str) -> (ScenarioResult, Series) {
        let mut scenario = saturation();
        scenario.claim = claim.into();
        let template = series(&scenario, like).unwrap().clone();
        scenario.series.clear();
        (scenario, template)
    }

    /// Changes every trial of `point` with `change`, keeping the point's trial set whole.
    fn each_trial(point: &mut Point, change: impl FnMut(&mut RunResult)) {
        let mut trials = point.trials.trials.clone();
        trials.iter_mut().for_each(change);
        point.trials = TrialSet::new(trials);
    }

    fn series_mut<'a>(s: &'a mut ScenarioResult, role: &str) -> &'a mut Series {
        s.series.iter_mut().find(|x| x.role == role).unwrap()
    }

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

    /// `role` as a copy of the thread series, every trial's throughput, p99 and client
    /// CPU per request scaled by these factors.
    fn python_series(d: &ScenarioResult, role: &str, scale: [f64; 3]) -> Series {
        let mut copy = series(d, THREADS).unwrap().clone();
        copy.role = role.into();
        for point in &mut copy.points {
            each_trial(point, |trial| {
                trial.throughput_rps *= scale[0];
                trial.latency.p99_us *= scale[1];
                trial.client.client_cpu_per_request_us *= scale[2];
            });
        }
        copy
    }

    #[test]
    fn d_on_python_is_judged_by_the_same_rule_with_why_it_differs() {
        let mut d = saturation();
        // requests on threads at a 50th of Rust's throughput and 50× its CPU; aiohttp at
        // 6.4× that throughput, half its p99 and a ninth of its CPU per request.
        let threads = python_series(&d, PY_THREADS, [0.02, 3.0, 50.0]);
        let aiohttp = python_series(&d, PY_ASYNC, [0.128, 1.5, 50.0 / 9.0]);
        d.series.extend([threads, aiohttp]);
        let row = &evaluate(&[d])[0];
        assert_eq!(
            row.verdict,
            Verdict::NotReproduced,
            "Rust's row is unchanged"
        );
        let python = &row.stacks[0];
        assert_eq!(python.stack, "Python");
        assert_eq!(python.verdict, Some(Verdict::Reproduced));
        assert_eq!(python.trial_verdicts, vec![Verdict::Reproduced; 3]);
        assert!(
            python
                .measured
                .starts_with("aiohttp +540% throughput, -50% p99"),
            "{}",
            python.measured
        );
        assert!(
            python.why_they_differ.contains("(9×)"),
            "{}",
            python.why_they_differ
        );
        assert!((row.figures["python_throughput_gain"] - 5.4).abs() < 1e-9);
    }

    #[test]
    fn python_series_that_could_not_run_say_why_and_leave_rusts_verdict_alone() {
        let mut d = saturation();
        for role in [PY_ASYNC, PY_THREADS] {
            let mut missing = python_series(&d, role, [1.0; 3]);
            missing.points.clear();
            missing.not_measured = Some("no python3 on PATH".into());
            d.series.push(missing);
        }
        let row = &evaluate(&[d])[0];
        assert_eq!(row.verdict, Verdict::NotReproduced);
        assert_eq!(row.stacks[0].verdict, None);
        assert_eq!(row.stacks[0].measured, "not measured: no python3 on PATH");
        assert!(row.stacks[0].trial_verdicts.is_empty());
    }

    /// A claim A scenario made from the saturation fixture's thread series: one copy per
    /// role, every trial a batch of 500 at L = 10 ms with this wall time (s), client CPU
    /// per request (µs) and pool size.
    fn fan_out(runs: &[(&str, f64, f64, usize)]) -> ScenarioResult {
        let (mut a, template) = emptied("A", THREADS);
        for &(role, wall, cpu, pool) in runs {
            let mut copy = template.clone();
            copy.role = role.into();
            copy.points.truncate(1);
            for point in &mut copy.points {
                each_trial(point, |trial| {
                    trial.wall_time_s = wall;
                    trial.counts.sent = 500;
                    trial.injected.mean_latency_us = 10_000.0;
                    trial.client.client_cpu_per_request_us = cpu;
                    trial.strategy.effective_concurrency = pool;
                    trial.environment.cores = 2;
                });
                point.predicted = Some(500_usize.div_ceil(pool) as f64 * 0.010);
            }
            a.series.push(copy);
        }
        a
    }

    #[test]
    fn a_on_python_is_judged_by_the_same_rule_with_the_cpu_that_bounds_it() {
        let a = fan_out(&[
            (SEQUENTIAL, 5.0, 20.0, 1),
            (ASYNC_UNCAPPED, 0.0125, 30.0, 500),
            (PY_SEQUENTIAL, 5.5, 1_000.0, 1),
            (PY_ASYNC_UNCAPPED, 0.25, 400.0, 500),
            (PY_ASYNC_CAP_13, 0.44, 250.0, 13),
            (PY_THREADS_DEFAULTS, 0.92, 900.0, 6),
        ]);
        let row = &evaluate(&[a])[0];
        assert_eq!(row.verdict, Verdict::NotReproduced, "Rust: 400×");
        let python = &row.stacks[0];
        assert_eq!(python.stack, "Python");
        // 22× uncapped is outside 13.3× ± 25%; 12.5× at cap 13 is inside.
        assert_eq!(python.verdict, Some(Verdict::OnlyUnderConditions));
        assert_eq!(python.trial_verdicts, vec![Verdict::OnlyUnderConditions; 3]);
        assert_eq!(
            python.measured,
            "requests.Session loop 5.5 s; aiohttp uncapped 250 ms (22×); cap 13 440 ms \
             (12.5×); default ThreadPoolExecutor 920 ms (6.0×)"
        );
        let why = &python.why_they_differ;
        // 500 · 10 ms / 0.25 s = 20 waiting at once; 500 · 400 µs = 0.2 s of CPU = 80%.
        assert!(why.contains("N·L/T = 20 of 500"), "{why}");
        assert!(why.contains("200 ms for the batch"), "{why}");
        assert!(
            why.contains("is 80% of its 250 ms: CPU, not waiting, bounds"),
            "{why}"
        );
        assert!(
            why.contains("= 6 workers on 2 cores: 6 in flight, ceil(N/6)·L = 840 ms"),
            "{why}"
        );
        assert!(why.contains("reqwest kept 400 waiting"), "{why}");
        assert!((row.figures["python_speedup_uncapped"] - 22.0).abs() < 1e-9);
        assert!((row.figures["python_speedup_cap_13"] - 12.5).abs() < 1e-9);
        assert!(!row.figures.contains_key("python_speedup_cap_100"));
    }

    #[test]
    fn a_on_python_says_when_cpu_does_not_explain_the_time() {
        let a = fan_out(&[
            (SEQUENTIAL, 5.0, 20.0, 1),
            (ASYNC_UNCAPPED, 0.0125, 30.0, 500),
            (PY_SEQUENTIAL, 5.5, 1_000.0, 1),
            (PY_ASYNC_UNCAPPED, 1.0, 400.0, 500),
        ]);
        let why = &evaluate(&[a])[0].stacks[0].why_they_differ;
        // 0.2 s of CPU and one 10 ms L in a 1 s batch: 21% explained.
        assert!(
            why.contains("is 20% of its 1 s: with L, 21% of it: the rest is neither"),
            "{why}"
        );
    }

    #[test]
    fn a_without_python_series_has_no_python_line() {
        let a = fan_out(&[
            (SEQUENTIAL, 5.0, 20.0, 1),
            (ASYNC_UNCAPPED, 0.0125, 30.0, 500),
        ]);
        assert!(evaluate(&[a])[0].stacks.is_empty());
    }

    /// A swept series: role, (C, throughput) points, client CPU per request, pool size.
    type SweptSeries<'a> = (&'a str, &'a [(f64, f64)], f64, usize);

    /// A claim C scenario made from the saturation fixture's thread series: one copy per
    /// role, with a point per (C, throughput) at L = 1 s, each trial with this client CPU
    /// per request (µs) and pool size (0: one per request).
    fn sweep(runs: &[SweptSeries<'_>]) -> ScenarioResult {
        let mut c = saturation();
        c.claim = "C".into();
        let template = series(&c, THREADS).unwrap().points[0].clone();
        c.series.clear();
        for &(role, points, cpu, pool) in runs {
            let mut copy = series(&saturation(), THREADS).unwrap().clone();
            copy.role = role.into();
            copy.points = points
                .iter()
                .map(|&(x, throughput)| {
                    let mut point = template.clone();
                    point.x = x;
                    each_trial(&mut point, |trial| {
                        trial.throughput_rps = throughput;
                        trial.injected.mean_latency_us = 1e6;
                        trial.littles_law.efficiency = Some(throughput / x);
                        trial.client.client_cpu_per_request_us = cpu;
                        trial.strategy.effective_concurrency =
                            if pool == 0 { x as usize } else { pool };
                        trial.environment.cores = 2;
                    });
                    point
                })
                .collect();
            c.series.push(copy);
        }
        c
    }

    #[test]
    fn c_on_python_is_judged_by_the_same_rule_with_the_interpreters_ceiling() {
        let c = sweep(&[
            (ASYNC, &[(100.0, 99.0), (300.0, 297.0)], 20.0, 0),
            (
                THREADS_RIGHT_SIZED,
                &[(100.0, 99.0), (300.0, 297.0)],
                25.0,
                0,
            ),
            (PY_ASYNC, &[(10.0, 10.0), (300.0, 294.0)], 250.0, 0),
            (
                PY_THREADS_RIGHT_SIZED,
                &[(10.0, 10.0), (300.0, 280.0)],
                1_000.0,
                0,
            ),
            (
                PY_THREADS_DEFAULTS,
                &[(10.0, 6.0), (300.0, 5.88)],
                1_000.0,
                6,
            ),
        ]);
        let row = &evaluate(&[c])[0];
        assert_eq!(row.verdict, Verdict::NotReproduced, "Rust: 1× at C = 300");
        let python = &row.stacks[0];
        assert_eq!(python.stack, "Python");
        // 1.05× against the right-sized pool; 50× against the default one.
        assert_eq!(python.verdict, Some(Verdict::OnlyUnderConditions));
        assert_eq!(
            python.measured,
            "aiohttp vs right-sized ThreadPoolExecutor: 1.05× at C = 300; at C = 300: 50× vs \
             the default pool"
        );
        let why = &python.why_they_differ;
        assert!(
            why.contains("At L = 1 s and C = 300 (300 req/s offered)"),
            "{why}"
        );
        assert!(
            why.contains(
                "1 ms of client CPU per request: a ceiling of 1000 req/s, reached at C ≈ 1000"
            ),
            "{why}"
        );
        assert!(
            why.contains("under both ceilings, so both can keep C/L (they kept 0.93 and 0.98"),
            "{why}"
        );
        assert!(
            why.contains("= 6 workers on 2 cores: 6 in flight, so C/6 = 50× slower"),
            "{why}"
        );
        assert!(why.contains("Python's 40× that"), "{why}");
        assert!((row.figures["python_speedup_right_sized@300"] - 1.05).abs() < 1e-9);
        assert!((row.figures["python_speedup_defaults"] - 50.0).abs() < 1e-9);
    }

    /// A claim B scenario made from the saturation fixture's reqwest series: one copy per
    /// role, every trial's mean latency scaled (the Rust pairs save 1 − 1/1.6 = 37.5%, and
    /// 1% on loopback).
    fn reuse_with_python(scaled: &[(&str, f64)]) -> ScenarioResult {
        let (mut b, template) = emptied("B", ASYNC);
        for (role, factor) in [
            (UREQ_SHARED, 1.0),
            (UREQ_PER_REQUEST, 1.6),
            (REQWEST_SHARED, 1.0),
            (REQWEST_PER_REQUEST, 1.6),
            (REQWEST_SHARED_LOOPBACK, 1.0),
            (REQWEST_PER_REQUEST_LOOPBACK, 1.01),
        ]
        .into_iter()
        .chain(scaled.iter().copied())
        {
            let mut copy = template.clone();
            copy.role = role.into();
            for point in &mut copy.points {
                each_trial(point, |trial| {
                    trial.latency.mean_us *= factor;
                });
            }
            b.series.push(copy);
        }
        b
    }

    #[test]
    fn b_on_python_judges_aiohttps_sessions_by_the_same_rule() {
        let b = reuse_with_python(&[
            (PY_SHARED, 1.0),
            (PY_PER_REQUEST, 1.7),
            (PY_SHARED_LOOPBACK, 1.0),
            (PY_PER_REQUEST_LOOPBACK, 1.2),
        ]);
        let row = &evaluate(&[b])[0];
        let python = &row.stacks[0];
        // 1 − 1/1.7 = 41% with the setup delay, 1 − 1/1.2 = 17% on loopback.
        assert_eq!(python.measured, "aiohttp 41%; loopback 17%");
        assert_eq!(python.verdict, Some(Verdict::OnlyUnderConditions));
        assert!(
            python
                .why_they_differ
                .contains("Rust's reqwest on loopback"),
            "{}",
            python.why_they_differ
        );
        assert!((row.figures["python_saving_loopback"] - (1.0 - 1.0 / 1.2)).abs() < 1e-9);
    }

    /// A claim F2 scenario made from the saturation fixture's reqwest series: per role,
    /// every trial's throughput (req/s), wall time (s) and ticker p99 and max (µs).
    fn blocking_with_python(runs: &[(&str, f64, f64, f64, f64)]) -> ScenarioResult {
        let (mut f2, template) = emptied("F2", ASYNC);
        for &(role, rps, wall_s, p99_us, max_us) in runs {
            let mut copy = template.clone();
            copy.role = role.into();
            for point in &mut copy.points {
                each_trial(point, |trial| {
                    trial.throughput_rps = rps;
                    trial.wall_time_s = wall_s;
                    // A ticker frozen for the whole run wakes once.
                    let ticks = if max_us >= wall_s * 1e6 {
                        1.0
                    } else {
                        wall_s * 1e3
                    };
                    trial.extras = BTreeMap::from([
                        ("ticker_lateness_p99_us".to_string(), p99_us),
                        ("ticker_lateness_max_us".to_string(), max_us),
                        ("ticker_ticks".to_string(), ticks),
                    ]);
                });
            }
            f2.series.push(copy);
        }
        f2
    }

    #[test]
    fn f2_on_python_is_judged_by_the_same_rule_with_how_long_the_loop_froze() {
        let f2 = blocking_with_python(&[
            (BLOCKING_CURRENT_THREAD, 49.3, 8.1, 5_510_000.0, 7_000_000.0),
            (SPAWN_BLOCKING_CURRENT_THREAD, 973.0, 0.41, 1_420.0, 2_000.0),
            // requests inside async def: one coroutine sends the whole 8.6 s batch.
            (PY_BLOCKING, 46.5, 8.6, 8_600_000.0, 8_600_000.0),
            (PY_EXECUTOR, 680.0, 0.6, 5_160.0, 6_100.0),
        ]);
        let row = &evaluate(&[f2])[0];
        assert_eq!(row.verdict, Verdict::Reproduced, "Rust's row is unchanged");
        let python = &row.stacks[0];
        assert_eq!(python.stack, "Python");
        assert_eq!(python.verdict, Some(Verdict::Reproduced));
        assert_eq!(python.trial_verdicts, vec![Verdict::Reproduced; 3]);
        assert!(
            python
                .measured
                .starts_with("requests inside async def: 46.5 req/s, ticker p99 late 8.6 s"),
            "{}",
            python.measured
        );
        assert!(
            python
                .why_they_differ
                .contains("woke once in the 8.6 s run and waited at most 8.6 s (100% of"),
            "{}",
            python.why_they_differ
        );
        assert!(
            python.why_they_differ.contains("(86%)"),
            "{}",
            python.why_they_differ
        );
        assert!((row.figures["python_throughput_ratio"] - 46.5 / 680.0).abs() < 1e-9);
        assert_eq!(row.figures["python_fixed_ticker_p99_us"], 5_160.0);
    }

    #[test]
    fn f2_on_python_is_not_reproduced_when_its_ticker_stays_on_time() {
        let f2 = blocking_with_python(&[
            (BLOCKING_CURRENT_THREAD, 49.3, 8.1, 5_510_000.0, 7_000_000.0),
            (SPAWN_BLOCKING_CURRENT_THREAD, 973.0, 0.41, 1_420.0, 2_000.0),
            (PY_BLOCKING, 46.5, 8.6, 3_000.0, 4_000.0),
            (PY_EXECUTOR, 680.0, 0.6, 2_000.0, 3_000.0),
        ]);
        let row = &evaluate(&[f2])[0];
        assert_eq!(row.stacks[0].verdict, Some(Verdict::NotReproduced));
    }

    /// A claim F1 scenario made from the saturation fixture's reqwest series: per role,
    /// every trial's throughput (req/s), client CPU per request (µs) and cores kept busy
    /// (client CPU over a 1 s run); a process pool reports 2 processes.
    fn cpu_bound_with_python(runs: &[(&str, f64, f64, f64)]) -> ScenarioResult {
        let (mut f1, template) = emptied("F1", ASYNC);
        for &(role, rps, cpu_us, cores) in runs {
            let mut copy = template.clone();
            copy.role = role.into();
            for point in &mut copy.points {
                each_trial(point, |trial| {
                    trial.throughput_rps = rps;
                    trial.wall_time_s = 1.0;
                    trial.client.client_cpu_s = cores;
                    trial.client.client_cpu_per_request_us = cpu_us;
                    trial.environment.cores = 2;
                    trial.strategy.effective_concurrency = 8;
                    if role == PY_PROCESSES {
                        trial.extras = BTreeMap::from([("pool_processes".to_string(), 2.0)]);
                    }
                });
            }
            f1.series.push(copy);
        }
        f1
    }

    /// Rust's three series as measured: async ≈ sequential, the thread pool 1.9×.
    const RUST_F1: [(&str, f64, f64, f64); 3] = [
        (SEQUENTIAL, 480.0, 1_100.0, 0.55),
        (ASYNC, 500.0, 1_050.0, 0.55),
        (THREADS, 900.0, 1_100.0, 1.0),
    ];

    #[test]
    fn f1_on_python_needs_the_process_pool_to_gain_and_shows_the_gil_in_cores_busy() {
        let mut runs = RUST_F1.to_vec();
        runs.extend([
            (PY_SEQUENTIAL, 300.0, 2_400.0, 0.72),
            (PY_ASYNC, 360.0, 1_900.0, 0.68),
            (PY_THREADS, 310.0, 2_900.0, 0.9),
            (PY_PROCESSES, 520.0, 2_200.0, 1.14),
        ]);
        let row = &evaluate(&[cpu_bound_with_python(&runs)])[0];
        assert_eq!(row.verdict, Verdict::Reproduced, "Rust's row is unchanged");
        let python = &row.stacks[0];
        assert_eq!(python.stack, "Python");
        assert_eq!(python.verdict, Some(Verdict::Reproduced));
        assert_eq!(python.trial_verdicts, vec![Verdict::Reproduced; 3]);
        assert_eq!(
            python.measured,
            "aiohttp 1.20×, thread pool 1.03×, process pool 1.73× requests' sequential \
             throughput"
        );
        for part in [
            "The 8 threads share one GIL",
            "0.90 cores busy, where Rust's 8 threads kept 1.00 busy",
            "The 2 pool processes each have a GIL of their own: 1.14 cores busy of 2",
        ] {
            assert!(
                python.why_they_differ.contains(part),
                "{part}: {}",
                python.why_they_differ
            );
        }
        assert!((row.figures["python_processes_ratio"] - 520.0 / 300.0).abs() < 1e-9);
        assert!((row.figures["python_threads_ratio"] - 310.0 / 300.0).abs() < 1e-9);
    }

    #[test]
    fn f1_on_python_is_not_reproduced_when_the_process_pool_gains_nothing() {
        let mut runs = RUST_F1.to_vec();
        runs.extend([
            (PY_SEQUENTIAL, 300.0, 2_400.0, 0.72),
            (PY_ASYNC, 310.0, 1_900.0, 0.6),
            (PY_THREADS, 310.0, 2_900.0, 0.9),
            (PY_PROCESSES, 330.0, 2_200.0, 0.73),
        ]);
        let row = &evaluate(&[cpu_bound_with_python(&runs)])[0];
        assert_eq!(row.verdict, Verdict::Reproduced);
        assert_eq!(row.stacks[0].verdict, Some(Verdict::NotReproduced));
    }

    /// A claim E scenario made from the saturation fixture's reqwest point: per role, two
    /// points (C = 100 and 1000) whose steady RSS, VM and peak threads grow by these
    /// amounts per in-flight request (KiB, KiB, threads); the last point kept 98% in flight.
    fn memory_with_python(runs: &[(&str, f64, f64, f64)]) -> ScenarioResult {
        let (mut e, template) = emptied("E", ASYNC);
        for &(role, rss_kib, vm_kib, threads) in runs {
            let mut copy = template.clone();
            copy.role = role.into();
            let base = copy.points[0].clone();
            copy.points = [100.0, 1000.0]
                .into_iter()
                .map(|c: f64| {
                    let mut point = base.clone();
                    point.x = c;
                    each_trial(&mut point, |trial| {
                        let client = &mut trial.client;
                        client.rss_steady_bytes = Some((50_000.0 + c * rss_kib) as u64 * 1024);
                        client.vm_steady_bytes = Some((900_000.0 + c * vm_kib) as u64 * 1024);
                        client.threads_peak = Some((3.0 + c * threads) as u64);
                        trial.littles_law.in_flight_ratio = Some(0.98);
                    });
                    point
                })
                .collect();
            e.series.push(copy);
        }
        e
    }

    #[test]
    fn e_on_python_slopes_threads_against_tasks_by_the_same_rule() {
        let e = memory_with_python(&[
            (THREADS, 32.0, 2052.0, 1.0),
            (ASYNC, 8.0, 10.0, 0.0),
            (PY_THREADS, 40.0, 8200.0, 1.0),
            (PY_ASYNC, 12.0, 14.0, 0.0),
        ]);
        let row = &evaluate(&[e])[0];
        assert_eq!(row.verdict, Verdict::OnlyUnderConditions, "Rust's row");
        let python = &row.stacks[0];
        assert_eq!(python.stack, "Python");
        // ~1 MB holds for a Python thread's virtual memory (its 8 MiB stack), not its RSS.
        assert_eq!(python.verdict, Some(Verdict::OnlyUnderConditions));
        assert!(
            python
                .measured
                .starts_with("per in-flight request: thread RSS 40"),
            "{}",
            python.measured
        );
        for part in [
            "OS threads the thread pool added per in-flight request: 1;",
            "against 32",
            "At C = 1000, 98% (threads) and 98% (tasks)",
        ] {
            assert!(
                python.why_they_differ.contains(part),
                "{part}: {}",
                python.why_they_differ
            );
        }
        assert!((row.figures["python_thread_rss_per_request_bytes"] - 40.0 * 1024.0).abs() < 1e-6);
        assert!((row.figures["python_async_rss_per_request_bytes"] - 12.0 * 1024.0).abs() < 1e-6);
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
    fn e_distinguishes_resident_from_virtual_memory() {
        let kib = 1024.0;
        assert_eq!(
            judge_e(1024.0 * kib, 2048.0 * kib, 4.0 * kib),
            Verdict::Reproduced
        );
        assert_eq!(
            judge_e(20.0 * kib, 2048.0 * kib, 4.0 * kib),
            Verdict::OnlyUnderConditions
        );
        assert_eq!(
            judge_e(20.0 * kib, 30.0 * kib, 4.0 * kib),
            Verdict::NotReproduced
        );
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

    #[test]
    fn g_reads_cancellation_and_accounting() {
        assert_eq!(
            judge_g(Some(180), Some(3), 10, true),
            Verdict::OnlyUnderConditions
        );
        assert_eq!(
            judge_g(Some(180), Some(3), 10, false),
            Verdict::NotReproduced
        );
        assert_eq!(
            judge_g(Some(180), Some(150), 10, true),
            Verdict::NotReproduced
        );
        assert_eq!(judge_g(None, None, 10, true), Verdict::Inconclusive);
    }

    #[test]
    fn g_on_python_is_reproduced_only_if_gather_itself_stops() {
        // gather, gather(return_exceptions=True), TaskGroup: requests issued after.
        let judge = |g, r, t| judge_g_python(g, r, t, 10, true);
        assert_eq!(
            judge(Some(288), Some(262), Some(2)),
            Verdict::OnlyUnderConditions
        );
        assert_eq!(judge(Some(3), Some(262), Some(2)), Verdict::Reproduced);
        assert_eq!(
            judge(Some(288), Some(262), Some(150)),
            Verdict::NotReproduced
        );
        assert_eq!(judge(None, Some(262), Some(2)), Verdict::Inconclusive);
        assert_eq!(
            judge_g_python(Some(288), Some(262), Some(2), 10, false),
            Verdict::NotReproduced
        );
    }

    /// A claim G scenario (a batch of 300 at C = 10) made from the saturation fixture:
    /// one copy per role, every trial with these counts: sent, HTTP 500s, cancelled in
    /// flight, issued after the first failure.
    fn error_policy(roles: &[(&str, [u64; 4])]) -> ScenarioResult {
        let (mut g, template) = emptied("G", ASYNC);
        for &(role, [sent, failed, dropped, after]) in roles {
            let mut copy = template.clone();
            copy.role = role.into();
            copy.points.truncate(1);
            let point = &mut copy.points[0];
            point.x = 10.0;
            each_trial(point, |trial| {
                trial.workload.load = waitbench_core::LoadModel::Batch {
                    requests: 300,
                    concurrency: 10,
                };
                trial.counts = waitbench_core::Counts {
                    sent,
                    ok: sent - failed - dropped,
                    http_errors: failed,
                    errors: dropped,
                    by_status: BTreeMap::from([(500, failed)]),
                    by_error: BTreeMap::from([(waitbench_core::ErrorKind::Cancelled, dropped)]),
                    issued_after_first_failure: Some(after),
                    ..Default::default()
                };
                if role == PY_GATHER {
                    trial.extras.insert(RAISED_AFTER.into(), 0.0);
                }
            });
            g.series.push(copy);
        }
        g
    }

    #[test]
    fn g_on_python_says_what_gather_did_after_the_first_failure_with_why_it_differs() {
        let rust = [(WAIT_ALL, [300, 15, 0, 289]), (CANCEL, [19, 1, 9, 0])];
        let python = [
            (PY_GATHER, [300, 14, 0, 288]),
            (PY_GATHER_RETURN_EXCEPTIONS, [300, 16, 0, 262]),
            (PY_TASKGROUP, [22, 1, 9, 2]),
        ];
        let all: Vec<_> = rust.iter().chain(&python).copied().collect();
        let row = &evaluate(&[error_policy(&all)])[0];
        assert_eq!(row.verdict, Verdict::OnlyUnderConditions, "Rust's row");
        let finding = &row.stacks[0];
        assert_eq!(finding.stack, "Python");
        assert_eq!(finding.verdict, Some(Verdict::OnlyUnderConditions));
        assert_eq!(
            finding.trial_verdicts,
            vec![Verdict::OnlyUnderConditions; 3]
        );
        assert_eq!(
            finding.measured,
            "issued after the first failure: gather 288 (0 cancelled), \
             gather(return_exceptions=True) 262 (0 cancelled), TaskGroup 2 (9 cancelled in \
             flight; 22 of 300 sent); accounting balanced"
        );
        assert!(
            finding.why_they_differ.starts_with(
                "gather re-raised the first failure to its caller (requests issued in \
                 between: 0), and cancelled 0 of its other tasks: 288 requests went out after the \
                 first failure, 300 of 300 in all (Rust's join_all: 289 after it)."
            ),
            "{}",
            finding.why_they_differ
        );
        assert!(
            finding
                .why_they_differ
                .ends_with("(Rust's try_join_all: 9 dropped in flight, 0 after it)."),
            "{}",
            finding.why_they_differ
        );
        assert_eq!(row.figures["python_gather_issued_after"], 288.0);
        assert_eq!(row.figures["python_taskgroup_issued_after"], 2.0);

        // Had gather stopped as the article says, the same rule would reproduce it.
        let stopped = [
            (PY_GATHER, [20, 1, 9, 1]),
            (PY_GATHER_RETURN_EXCEPTIONS, [300, 16, 0, 262]),
            (PY_TASKGROUP, [22, 1, 9, 2]),
        ];
        let all: Vec<_> = rust.iter().chain(&stopped).copied().collect();
        let row = &evaluate(&[error_policy(&all)])[0];
        assert_eq!(row.stacks[0].verdict, Some(Verdict::Reproduced));
        // Without Python series there is no Python finding at all.
        assert!(evaluate(&[error_policy(&rust)])[0].stacks.is_empty());
    }
}
