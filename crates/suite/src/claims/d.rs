//! Claim D: throughput and p99 at saturation, async against a thread pool.

use std::fmt::Write;

use waitbench_core::units::{format_micros, format_rps, format_significant};
use waitbench_core::{
    ClaimRow, Explanation, Point, ScenarioResult, Stack, StackFinding, Verdict, claim_ids,
};

use super::a::A_BAND;
use super::explain::{self, Prediction};
use super::{
    ASYNC, Claim, Emitted, Figure, GO_GOROUTINES, GO_POOL, JAVA_ASYNC, JAVA_THREADS, Missing,
    NODE_ASYNC, PY_ASYNC, PY_ASYNC_UVLOOP, PY_GREENLETS, PY_THREADS, RUST, RowText, StackFigures,
    THREADS, WITH_GO, client_cpu, finding, higher, last, lower, median_run, points, series,
    threads_peak, unpaired,
};

pub(super) const ASYNC_LEAN: &str = "async-lean";

const THROUGHPUT_GAIN: Figure = higher("throughput_gain", "ratio", WITH_GO);
const P99_CHANGE: Figure = lower("p99_change", "ratio", WITH_GO);
const LEAN_THROUGHPUT_GAIN: Figure = higher("lean_throughput_gain", "ratio", RUST);
const LEAN_P99_CHANGE: Figure = lower("lean_p99_change", "ratio", RUST);

pub(super) const CLAIM: Claim = Claim {
    id: claim_ids::D,
    claim: "saturation throughput and p99",
    claimed: "+41% throughput, −22% p99",
    required_roles: &[ASYNC, THREADS],
    optional_roles: &[
        ASYNC_LEAN,
        PY_ASYNC,
        PY_THREADS,
        PY_GREENLETS,
        PY_ASYNC_UVLOOP,
        JAVA_ASYNC,
        JAVA_THREADS,
        GO_GOROUTINES,
        GO_POOL,
        NODE_ASYNC,
    ],
    figures: &[
        THROUGHPUT_GAIN,
        P99_CHANGE,
        LEAN_THROUGHPUT_GAIN,
        LEAN_P99_CHANGE,
    ],
    rule: rule_d,
    assess,
};

/// Claim D: the throughput gain and the p99 drop that count: three quarters of the
/// claimed +41% and −22%, the same 25% band claim A allows around its figure. A p99 at
/// saturation on two shared cores moves by ±20% from trial to trial, so "any drop at
/// all" (or half the claimed one) lets noise alone decide the verdict.
const D_CLAIMED_GAIN: f64 = 0.41;
const D_CLAIMED_P99_DROP: f64 = 0.22;
const D_GAIN: f64 = D_CLAIMED_GAIN * (1.0 - A_BAND);
const D_P99_DROP: f64 = D_CLAIMED_P99_DROP * (1.0 - A_BAND);
/// How far an async client's throughput over the threads' may be from the ratio of their
/// CPU per request and still be explained by it (relative).
const D_EXPLAINED_WITHIN: f64 = 0.15;

pub(super) fn rule_d() -> String {
    format!(
        "as stated: reproduced if the async client (reqwest) saturates at ≥ {:.1}% more \
         throughput than the thread pool with a p99 ≥ {:.1}% lower (three quarters of the \
         claimed +{:.0}% and −{:.0}%, the band claim A allows, so that trial-to-trial noise \
         alone cannot decide); only under stated conditions if only the bare-hyper async \
         client does; otherwise not reproduced. Explained if, at zero latency, each async \
         client's throughput over the threads' is the threads' client + server CPU per \
         request over its own, within ±{:.0}%",
        D_GAIN * 100.0,
        D_P99_DROP * 100.0,
        D_CLAIMED_GAIN * 100.0,
        D_CLAIMED_P99_DROP * 100.0,
        D_EXPLAINED_WITHIN * 100.0
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

/// The series each stack saturates: its async client, its thread pool and (Rust's) the
/// async model without the library's pool and service stack.
struct Roles {
    async_: &'static str,
    async_name: &'static str,
    threads: &'static str,
    lean: Option<&'static str>,
    /// The threads' own code on cheap threads (Python's greenlets), judged beside them.
    cheap_threads: Option<&'static str>,
    /// The async client on a faster event loop (Python's uvloop), judged beside it.
    faster_loop: Option<&'static str>,
}

const fn roles(stack: Stack) -> Option<Roles> {
    match stack {
        Stack::Rust => Some(Roles {
            async_: ASYNC,
            async_name: "reqwest",
            threads: THREADS,
            lean: Some(ASYNC_LEAN),
            cheap_threads: None,
            faster_loop: None,
        }),
        Stack::Python => Some(Roles {
            async_: PY_ASYNC,
            async_name: "aiohttp",
            threads: PY_THREADS,
            lean: None,
            cheap_threads: Some(PY_GREENLETS),
            faster_loop: Some(PY_ASYNC_UVLOOP),
        }),
        Stack::Java => Some(Roles {
            async_: JAVA_ASYNC,
            async_name: "java.net.http sendAsync",
            threads: JAVA_THREADS,
            lean: None,
            cheap_threads: None,
            faster_loop: None,
        }),
        // No Go client holds an OS thread per request: a fixed pool of 100 worker
        // goroutines is Go's thread pool.
        Stack::Go => Some(Roles {
            async_: GO_GOROUTINES,
            async_name: "a goroutine per request",
            threads: GO_POOL,
            lean: None,
            cheap_threads: None,
            faster_loop: None,
        }),
        // A stack with no series in this claim (a user's own client, a runtime that has
        // not joined it) has nothing to say about it.
        _ => None,
    }
}

/// Claim D's figures on one stack: the saturation points and each async client's gain
/// over the thread pool.
struct Figures<'a> {
    async_: &'a Point,
    /// The async client's name in the explanation.
    async_name: &'static str,
    threads: &'a Point,
    lean: Option<&'a Point>,
    gain: SaturationGain,
    lean_gain: Option<SaturationGain>,
    /// The threads' code on cheap threads, if the stack has such a row.
    cheap_threads: Option<&'a Point>,
    /// The async client on a faster event loop, if the stack has such a row.
    faster_loop: Option<&'a Point>,
}

impl<'a> StackFigures<'a> for Figures<'a> {
    fn extract(s: &'a ScenarioResult, stack: Stack) -> Result<Self, Missing> {
        let Some(roles) = roles(stack) else {
            return Err(Missing::Absent);
        };
        let found = points(s, &[roles.async_, roles.threads])?;
        let (async_, threads) = (found[0], found[1]);
        let gain_over_threads = |p: &Point| SaturationGain {
            throughput: p.trials.throughput_rps.median / threads.trials.throughput_rps.median - 1.0,
            p99: p.trials.p99_us.median / threads.trials.p99_us.median - 1.0,
        };
        let lean = roles.lean.and_then(|role| last(series(s, role)));
        let beside = |role: Option<&str>| role.and_then(|role| last(series(s, role)));
        Ok(Figures {
            async_,
            async_name: roles.async_name,
            threads,
            lean,
            gain: gain_over_threads(async_),
            lean_gain: lean.map(gain_over_threads),
            cheap_threads: beside(roles.cheap_threads),
            faster_loop: beside(roles.faster_loop),
        })
    }

    fn explain(&self) -> Option<Explanation> {
        let ratio = |x: f64| format!("{}×", format_significant(x, 3));
        let threads = self.threads;
        let each = [
            (Some(self.async_), self.async_name),
            (self.lean, "bare hyper"),
        ]
        .into_iter()
        .filter_map(|(p, name)| Some((p?, name)))
        .map(|(p, name)| {
            Prediction {
                predicted: cpu_per_request(threads) / cpu_per_request(p),
                measured: p.trials.throughput_rps.median / threads.trials.throughput_rps.median,
                tolerance: D_EXPLAINED_WITHIN,
            }
            .explain(
                &format!(
                    "by CPU per request, {name}'s throughput over the threads' is theirs \
                         over its"
                ),
                ratio,
            )
        });
        explain::all(each.collect())
    }

    fn emit(&self, out: &mut Emitted) {
        out.put(&THROUGHPUT_GAIN, self.gain.throughput);
        out.put(&P99_CHANGE, self.gain.p99);
        if let Some(gain) = self.lean_gain {
            out.put(&LEAN_THROUGHPUT_GAIN, gain.throughput);
            out.put(&LEAN_P99_CHANGE, gain.p99);
        }
    }
}

/// Client + server CPU per request, µs, over the whole run (warm-up included, as are its
/// request counts); NaN without a trial.
fn cpu_per_request(p: &Point) -> f64 {
    median_run(p).map_or(f64::NAN, |r| {
        let server = r
            .server
            .as_ref()
            .map_or(0.0, |s| s.cpu_s * 1e6 / s.requests.max(1) as f64);
        r.client.client_cpu_per_request_us + server
    })
}

fn pct(x: f64) -> String {
    format!("{:+.0}%", x * 100.0)
}

impl Figures<'_> {
    /// The threads' pool size (its C when the run does not say).
    fn pool_size(&self) -> f64 {
        median_run(self.threads).map_or(self.threads.x, |r| r.strategy.effective_concurrency as f64)
    }

    /// "aiohttp +540% throughput, -50% p99 (9418 req/s vs 1147 req/s on 100 threads)".
    fn gain_text(&self, async_name: &str, pool: &str) -> String {
        format!(
            "{async_name} {} throughput, {} p99 ({} vs {} on {} {pool})",
            pct(self.gain.throughput),
            pct(self.gain.p99),
            format_rps(self.async_.trials.throughput_rps.median),
            format_rps(self.threads.trials.throughput_rps.median),
            self.pool_size()
        )
    }

    /// `p`'s saturation point against the threads'.
    fn over_threads(&self, p: &Point) -> SaturationGain {
        SaturationGain {
            throughput: p.trials.throughput_rps.median / self.threads.trials.throughput_rps.median
                - 1.0,
            p99: p.trials.p99_us.median / self.threads.trials.p99_us.median - 1.0,
        }
    }

    /// The rows beside the stack's pair, each judged by the rule against the same threads:
    /// the threads' code on cheap threads, and the async client on a faster loop, with
    /// whether the faster loop moves the claim's throughput ratio.
    fn beside_text(&self) -> String {
        let mut out = String::new();
        if let Some(g) = self.cheap_threads {
            let gain = self.over_threads(g);
            let _ = write!(
                out,
                " By the same rule, the threads' `requests` code on gevent's greenlets: {} \
                 throughput, {} p99 ({}), {}, at {} of client CPU per request against the \
                 threads' {}: one OS thread, so no GIL to hand from thread to thread.",
                pct(gain.throughput),
                pct(gain.p99),
                format_rps(g.trials.throughput_rps.median),
                judge_d(gain, None).label(),
                format_micros(client_cpu(g)),
                format_micros(client_cpu(self.threads)),
            );
        }
        if let Some(u) = self.faster_loop {
            let gain = self.over_threads(u);
            let (before, after) = (1.0 + self.gain.throughput, 1.0 + gain.throughput);
            let moved = (after / before - 1.0).abs() > D_EXPLAINED_WITHIN;
            let _ = write!(
                out,
                " On uvloop the same aiohttp code spends {} of client CPU per request \
                 against {} on asyncio's loop: uvloop {} the throughput ratio over the \
                 threads, {}× on asyncio's loop and {}× on uvloop ({}; p99 {}), and by the \
                 same rule it is {}.",
                format_micros(client_cpu(u)),
                format_micros(client_cpu(self.async_)),
                if moved {
                    format!("moves (by more than ±{:.0}%)", D_EXPLAINED_WITHIN * 100.0)
                } else {
                    format!("does not move (within ±{:.0}%)", D_EXPLAINED_WITHIN * 100.0)
                },
                format_significant(before, 3),
                format_significant(after, 3),
                pct(after / before - 1.0),
                pct(gain.p99),
                judge_d(gain, None).label(),
            );
        }
        out
    }
}

/// What the row says is missing when the Rust series do not give the figures.
const MISSING: &str = "async and threads series";

fn assess(claim: &Claim, s: &ScenarioResult) -> ClaimRow {
    let mut row = super::assess_stacks(
        claim,
        s,
        MISSING,
        row_text,
        &[
            (Stack::Python, explain_python),
            (Stack::Java, explain_java),
            (Stack::Go, explain_go),
        ],
    );
    row.stacks.extend(node_finding(s));
    row
}

/// The row's words from the Rust figures.
fn row_text(rust: &Figures) -> RowText {
    let (a, t) = (rust.async_, rust.threads);
    let cpu = cpu_per_request;
    let cores = median_run(a).map_or(1, |r| r.environment.cores) as f64;
    let bound = |p: &Point| {
        format!(
            "{} (D = {})",
            format_rps(cores * 1e6 / cpu(p)),
            format_micros(cpu(p))
        )
    };
    let mut measured = format!(
        "reqwest {} throughput, {} p99 ({} vs {} at C = {})",
        pct(rust.gain.throughput),
        pct(rust.gain.p99),
        format_rps(a.trials.throughput_rps.median),
        format_rps(t.trials.throughput_rps.median),
        a.x
    );
    let mut predicted = format!(
        "CPU-bound: X ≤ cores/D, D = client+server CPU per request: reqwest {}, threads {}",
        bound(a),
        bound(t)
    );
    if let (Some(p), Some(gain)) = (rust.lean, rust.lean_gain) {
        let _ = write!(
            measured,
            "; bare hyper {} throughput, {} p99 ({})",
            pct(gain.throughput),
            pct(gain.p99),
            format_rps(p.trials.throughput_rps.median)
        );
        let _ = write!(predicted, ", bare hyper {}", bound(p));
    }
    RowText {
        measured,
        predicted,
        verdict: judge_d(rust.gain, rust.lean_gain),
        why: "At zero latency nothing waits: throughput is cores divided by CPU per request, so \
         the winner is the stack that burns the least CPU per request. The bare-hyper series \
         runs the same async model without reqwest's pool and service stack: the gap between \
         the two async rows is the library's cost, not async's."
            .into(),
    }
}

/// Claim D on the article's own stack (aiohttp against `requests` on a thread pool),
/// judged by the same rule, with why it differs from Rust computed from the measured
/// client CPU per request and pool sizes.
fn explain_python(python: &Figures, rust: &Figures) -> (String, Verdict, String) {
    let (a, t, gain) = (python.async_, python.threads, python.gain);
    let threads = python.pool_size();
    let measured = python.gain_text("aiohttp", "threads");
    let cpu = client_cpu;
    let (rust_async, rust_threads) = (rust.async_, rust.threads);
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
    let why = why + &python.beside_text();
    (measured, judge_d(gain, python.lean_gain), why)
}

/// Claim D on Java (`sendAsync` against `send` on a pool of C platform threads), judged
/// by the same rule, with why it differs from Rust computed from the measured client CPU
/// per request.
fn explain_java(java: &Figures, rust: &Figures) -> (String, Verdict, String) {
    let (a, t, gain) = (java.async_, java.threads, java.gain);
    let threads = java.pool_size();
    let measured = java.gain_text("sendAsync", "platform threads");
    let cpu = client_cpu;
    let why = format!(
        "At L = 0 throughput is cores ÷ CPU per request. Java: {} platform threads spend {} \
         of client CPU per request against sendAsync's {} ({}×); Rust: threads {} against \
         reqwest {} ({}×). java.net.http's blocking send runs the same asynchronous \
         exchange and waits for it, so a thread adds its wake-up to the async path's cost \
         rather than replacing it. Per request, sendAsync costs {}× reqwest's CPU.",
        threads,
        format_micros(cpu(t)),
        format_micros(cpu(a)),
        format_significant(cpu(t) / cpu(a), 2),
        format_micros(cpu(rust.threads)),
        format_micros(cpu(rust.async_)),
        format_significant(cpu(rust.threads) / cpu(rust.async_), 2),
        format_significant(cpu(a) / cpu(rust.async_), 2),
    );
    (measured, judge_d(gain, None), why)
}

/// Claim D on Go (a goroutine per request against a pool of 100 worker goroutines),
/// judged by the same rule, with why computed from the measured client CPU per request
/// and the OS threads each ran on.
fn explain_go(go: &Figures, rust: &Figures) -> (String, Verdict, String) {
    let (g, p, gain) = (go.async_, go.threads, go.gain);
    let workers = go.pool_size();
    let measured = go.gain_text("goroutine per request", "worker goroutines");
    let threads = threads_peak;
    let cpu = client_cpu;
    let why = format!(
        "At L = 0 throughput is cores ÷ CPU per request. Go: the goroutines spend {} of \
         client CPU per request on {} OS threads, the pool of {workers} worker goroutines {} \
         on {} ({}×): both run net/http on goroutines over GOMAXPROCS OS threads, so no \
         OS thread per request is saved or spent, and what differs is the CPU each spends \
         per request. Per request Go costs {}× reqwest's CPU.",
        format_micros(cpu(g)),
        threads(g),
        format_micros(cpu(p)),
        threads(p),
        format_significant(cpu(p) / cpu(g), 2),
        format_significant(cpu(g) / cpu(rust.async_), 2),
    );
    (measured, judge_d(gain, None), why)
}

/// Claim D on Node.js: one event loop and no thread pool to set against it, so no
/// verdict; whether its throughput is what its CPU per request allows is tested (one
/// loop runs at most 1 ÷ client CPU per request, and client and server together at most
/// cores ÷ their CPU per request), and the why-line puts it beside reqwest.
fn node_finding(s: &ScenarioResult) -> Option<StackFinding> {
    let node = match unpaired(s, NODE_ASYNC, Stack::Node)? {
        Ok(node) => node,
        Err(not_measured) => return Some(not_measured),
    };
    let p = last(Some(node))?;
    let cores = median_run(p).map_or(1, |r| r.environment.cores) as f64;
    let (client, both) = (client_cpu(p), cpu_per_request(p));
    let (one_loop, shared) = (1e6 / client, cores * 1e6 / both);
    let throughput = p.trials.throughput_rps.median;
    let measured = format!(
        "http.request on one event loop: {} at C = {}, p99 {} (no thread pool to compare)",
        format_rps(throughput),
        p.x,
        format_micros(p.trials.p99_us.median)
    );
    let why = format!(
        "Node.js has no thread per request to set against its promises, so the claim's \
         comparison has no counterpart. One event loop runs every request's JavaScript: at \
         {} of client CPU per request its ceiling is {}; client and server together spend \
         {}, {} on {cores} cores. The lower of the two, {}, bounds it.",
        format_micros(client),
        format_rps(one_loop),
        format_micros(both),
        format_rps(shared),
        if one_loop < shared {
            "the one loop"
        } else {
            "the shared cores"
        },
    );
    let mut found = finding(Stack::Node, measured, None, why);
    found.explained = Some(
        Prediction {
            predicted: one_loop.min(shared),
            measured: throughput,
            tolerance: D_EXPLAINED_WITHIN,
        }
        .explain(
            "by CPU per request, one event loop's throughput is the lower of 1 ÷ its CPU \
             and the cores ÷ client + server CPU",
            format_rps,
        ),
    );
    Some(found)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::claims::test_support::*;
    use waitbench_core::Explained;

    #[test]
    fn d_is_explained_only_when_cpu_per_request_predicts_the_throughput_ratio() {
        let outcome = |change: &dyn Fn(&mut ScenarioResult)| {
            let mut d = saturation();
            change(&mut d);
            let row = evaluate(&[d]).remove(0);
            row.explained.unwrap()
        };
        let measured = outcome(&|_| {});
        assert_eq!(measured.outcome, Explained::Explained, "{}", measured.text);
        assert!(
            measured.text.starts_with(
                "by CPU per request, reqwest's throughput over the threads' is theirs over its"
            ),
            "{}",
            measured.text
        );
        // The threads at half their throughput, their CPU per request unchanged.
        let halved = outcome(&|d| {
            for point in &mut series_mut(d, THREADS).points {
                each_trial(point, |trial| trial.throughput_rps /= 2.0);
            }
        });
        assert_eq!(halved.outcome, Explained::NotExplained, "{}", halved.text);
        let unmeasured = outcome(&|d| {
            for point in &mut series_mut(d, ASYNC).points {
                each_trial(point, |trial| {
                    trial.client.client_cpu_per_request_us = f64::NAN
                });
            }
        });
        assert_eq!(
            unmeasured.outcome,
            Explained::Inconclusive,
            "{}",
            unmeasured.text
        );
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

    /// `role` as a copy of the thread series, every trial's throughput, p99 and client
    /// CPU per request scaled by these factors.
    fn python_series(d: &ScenarioResult, role: &str, scale: [f64; 3]) -> Series {
        let mut copy = series(d, THREADS).unwrap().clone();
        copy.role = role.into();
        copy.stack = stack_of(role);
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
        assert_eq!(python.stack, Stack::Python);
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
    fn d_says_whether_uvloop_moves_the_ratio_and_judges_greenlets_by_the_same_rule() {
        let python = |uvloop_throughput: f64| {
            let mut d = saturation();
            let threads = python_series(&d, PY_THREADS, [0.02, 3.0, 50.0]);
            let aiohttp = python_series(&d, PY_ASYNC, [0.128, 1.5, 50.0 / 9.0]);
            let uvloop = python_series(&d, PY_ASYNC_UVLOOP, [uvloop_throughput, 1.2, 4.0]);
            // gevent at 1.5× the threads' throughput and half their CPU, same p99.
            let greenlets = python_series(&d, PY_GREENLETS, [0.03, 3.0, 25.0]);
            d.series.extend([threads, aiohttp, uvloop, greenlets]);
            let row = evaluate(&[d]).remove(0);
            row.stacks.into_iter().next().unwrap().why_they_differ
        };
        // aiohttp is 6.4× the threads on asyncio's loop; 9.6× on uvloop (+50%).
        let moved = python(0.192);
        assert!(
            moved.contains(
                "uvloop moves (by more than ±15%) the throughput ratio over the threads, 6.4× \
                 on asyncio's loop and 9.6× on uvloop (+50%; p99 -60%), and by the same rule \
                 it is reproduced"
            ),
            "{moved}"
        );
        assert!(
            moved.contains("on gevent's greenlets: +50% throughput, +0% p99 (",),
            "{moved}"
        );
        assert!(moved.contains("), not reproduced, at "), "{moved}");
        // 6.7× on uvloop: +5%, within the tolerance.
        let kept = python(0.134);
        assert!(
            kept.contains("uvloop does not move (within ±15%) the throughput ratio"),
            "{kept}"
        );
    }

    #[test]
    fn d_on_go_sets_a_goroutine_per_request_against_a_pool_of_worker_goroutines() {
        let mut d = saturation();
        d.series.push(python_series(&d, GO_POOL, [0.9, 1.1, 1.5]));
        d.series
            .push(python_series(&d, GO_GOROUTINES, [0.95, 1.0, 1.4]));
        let row = &evaluate(&[d])[0];
        let go = row
            .stacks
            .iter()
            .find(|f| f.stack == Stack::Go)
            .expect("a Go finding");
        assert_eq!(go.verdict, Some(Verdict::NotReproduced));
        assert_eq!(go.trial_verdicts, vec![Verdict::NotReproduced; 3]);
        assert!(
            go.measured
                .starts_with("goroutine per request +6% throughput, -9% p99"),
            "{}",
            go.measured
        );
        assert!(
            go.why_they_differ.contains("(1.1×)"),
            "{}",
            go.why_they_differ
        );
        assert!((row.figures["go_throughput_gain"] - (0.95 / 0.9 - 1.0)).abs() < 1e-9);
    }

    #[test]
    fn d_on_node_has_no_verdict_but_tests_what_one_loop_can_carry() {
        let node = |throughput: f64| {
            let mut d = saturation();
            let mut copy = python_series(&d, NODE_ASYNC, [1.0, 1.0, 1.0]);
            for point in &mut copy.points {
                each_trial(point, |trial| {
                    trial.throughput_rps = throughput;
                    trial.client.client_cpu_per_request_us = 100.0;
                    trial.server = None;
                    trial.environment.cores = 2;
                });
            }
            d.series.push(copy);
            evaluate(&[d])
                .remove(0)
                .stacks
                .into_iter()
                .find(|f| f.stack == Stack::Node)
                .expect("a Node.js finding")
        };
        // 100 µs per request: one loop carries 10,000 req/s, the two cores 20,000.
        let near = node(9_500.0);
        assert_eq!(near.verdict, None);
        let explained = near.explained.as_ref().unwrap();
        assert_eq!(
            explained.outcome,
            Explained::Explained,
            "{}",
            explained.text
        );
        assert!(
            near.why_they_differ
                .contains("The lower of the two, the one loop")
        );
        let far = node(5_000.0);
        assert_eq!(far.explained.unwrap().outcome, Explained::NotExplained);
    }

    #[test]
    fn d_on_java_is_judged_by_the_same_rule_with_its_cpu_per_request() {
        let mut d = saturation();
        // sendAsync at 60% more throughput and half the p99 of the platform threads, which
        // spend twice its CPU per request.
        d.series
            .push(python_series(&d, JAVA_THREADS, [0.5, 2.0, 4.0]));
        d.series
            .push(python_series(&d, JAVA_ASYNC, [0.8, 1.0, 2.0]));
        let row = &evaluate(&[d])[0];
        let java = row
            .stacks
            .iter()
            .find(|f| f.stack == Stack::Java)
            .expect("a Java finding");
        assert_eq!(java.verdict, Some(Verdict::Reproduced));
        assert!(
            java.measured
                .starts_with("sendAsync +60% throughput, -50% p99"),
            "{}",
            java.measured
        );
        assert!(
            java.why_they_differ.contains("(2×); Rust: threads"),
            "{}",
            java.why_they_differ
        );
        assert!((row.figures["java_throughput_gain"] - 0.6).abs() < 1e-9);
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
}
