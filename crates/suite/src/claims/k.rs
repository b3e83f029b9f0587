//! Claim K (beyond the article): synchronous code on cheap threads. Goroutines, Java's
//! virtual threads and gevent's greenlets keep blocking code and make the thread cheap;
//! the claim, in JEP 444's words, is that they then reach the throughput Little's law
//! allows (C/L) as async does. Judged on claim E's scenario: the runs whose memory E
//! reads are the runs that show how much of C/L each way keeps, so nothing is measured
//! twice.
//!
//! Each runtime with cheap threads is judged on its own: Java's virtual threads against
//! its `sendAsync`, Python's greenlets against its asyncio tasks, and Go's goroutines,
//! which have no async of their own to set against, against C/L itself. The row holds
//! when every runtime measured holds. Rust's threads and tasks, Java's platform threads,
//! Python's threads and Node's promises are shown beside them, unjudged. JEP 444's
//! arithmetic (a pool of 200 platform threads against a virtual thread per task, 10,000
//! tasks that each wait 100 ms) is Java's finding too, predicted against measured.

use waitbench_core::units::{format_bytes, format_micros, format_rps, format_seconds};
use waitbench_core::{
    ClaimRow, Explanation, RunResult, ScenarioResult, Series, Stack, StackFinding, Verdict,
    claim_ids,
};

use super::e::{RSS, VM, slope};
use super::explain::{self, Prediction};
use super::{
    ASYNC, Claim, Emitted, Figure, GO_GOROUTINES, JAVA_ASYNC, JAVA_THREADS, JAVA_VIRTUAL, Missing,
    NODE_ASYNC, PY_ASYNC, PY_ASYNC_UVLOOP, PY_GREENLETS, PY_THREADS, THREADS, finding, higher,
    lower, median_run, series,
};

/// JEP 444's batch on a fixed pool of platform threads.
pub(super) const JEP_POOL: &str = "jep-pool";
/// JEP 444's batch on one virtual thread per task.
pub(super) const JEP_VIRTUAL: &str = "jep-virtual";

/// The runtimes with cheap threads, whose figures the rule reads.
const JUDGED_STACKS: &[Stack] = &[Stack::Java, Stack::Python, Stack::Go];
const JAVA: &[Stack] = &[Stack::Java];

const CHEAP_KEEPS: Figure =
    higher("cheap_to_reference_min", "ratio", JUDGED_STACKS).flips_at(K_WITHIN);
const JEP_POOL_S: Figure = lower("jep_pool_batch_s", "s", JAVA);
const JEP_VIRTUAL_S: Figure = lower("jep_virtual_batch_s", "s", JAVA);

pub(super) const CLAIM: Claim = Claim {
    id: claim_ids::K,
    claim: "sync code on cheap threads keeps C/L like async",
    claimed: "JEP 444: 10,000 tasks × 1 s, ~200/s on 200 threads, ~10,000/s virtual",
    // The cheap threads: claim E's runs are judged for claim K only where they hold one.
    required_roles: &[GO_GOROUTINES, JAVA_VIRTUAL, PY_GREENLETS],
    optional_roles: &[
        JAVA_ASYNC,
        PY_ASYNC,
        THREADS,
        ASYNC,
        PY_THREADS,
        PY_ASYNC_UVLOOP,
        JAVA_THREADS,
        NODE_ASYNC,
        JEP_POOL,
        JEP_VIRTUAL,
    ],
    figures: &[CHEAP_KEEPS, JEP_POOL_S, JEP_VIRTUAL_S],
    rule: rule_k,
    assess,
};

/// How close to its reference a runtime's cheap threads must keep C/L (the ratio of the
/// two shares of C/L).
const K_WITHIN: f64 = 0.95;
/// The smallest C the rule reads: below it C/L is small enough for any client.
const K_FROM: f64 = 1000.0;
/// How far from Little's law (capped by the client's CPU) the cheap threads' throughput
/// may be and still be explained by it (relative).
const K_EXPLAINED_WITHIN: f64 = 0.10;
/// How far from the predicted batch times JEP 444's rows may be (relative): a batch's
/// time also holds the start-up of 10,000 requests, which the prediction counts only as
/// their CPU.
const JEP_EXPLAINED_WITHIN: f64 = 0.25;

pub(super) fn rule_k() -> String {
    format!(
        "as stated (cheap threads keep C/L as the same runtime's async does): a runtime \
         holds if its cheap threads' share of C/L is ≥ {K_WITHIN} × its async's at every \
         measured C ≥ {K_FROM} (Java: virtual threads against sendAsync; Python: gevent's \
         greenlets against asyncio; Go, which has no async of its own: goroutines against \
         C/L itself). Reproduced if every runtime measured holds, only under conditions if \
         some do, not reproduced if none does. Explained if each runtime's cheap threads \
         reach what Little's law allows under the client's CPU, min(C/L, cores ÷ CPU per \
         request), within ±{:.0}% at the largest C, and JEP 444's batch times are the \
         pool's max(ceil(N ÷ pool) × L, N × CPU per request ÷ cores) and the virtual \
         threads' L + N × CPU per request ÷ cores, within ±{:.0}%",
        K_EXPLAINED_WITHIN * 100.0,
        JEP_EXPLAINED_WITHIN * 100.0
    )
}

/// One runtime's verdict as stated, from its cheap threads' share of C/L divided by its
/// reference's at each measured C ≥ 1,000: none measured is inconclusive.
pub fn judge_k(ratios: &[f64]) -> Verdict {
    if ratios.is_empty() || ratios.iter().any(|r| r.is_nan()) {
        Verdict::Inconclusive
    } else if ratios.iter().all(|&r| r >= K_WITHIN) {
        Verdict::Reproduced
    } else {
        Verdict::NotReproduced
    }
}

/// The row's verdict from each judged runtime's: every one holds, some do, or none; a
/// runtime that was not judged (inconclusive) neither holds nor fails.
pub fn combine_k(runtimes: &[Verdict]) -> Verdict {
    let judged: Vec<Verdict> = runtimes
        .iter()
        .copied()
        .filter(|v| matches!(v, Verdict::Reproduced | Verdict::NotReproduced))
        .collect();
    if judged.is_empty() {
        Verdict::Inconclusive
    } else if judged.iter().all(|v| *v == Verdict::Reproduced) {
        Verdict::Reproduced
    } else if judged.iter().all(|v| *v == Verdict::NotReproduced) {
        Verdict::NotReproduced
    } else {
        Verdict::OnlyUnderConditions
    }
}

/// What a runtime's cheap threads are judged against.
#[derive(Debug, Clone, Copy)]
enum Reference {
    /// The same runtime's async series.
    Async(&'static str),
    /// C/L itself: a share of 1.
    LittlesLaw,
}

/// A runtime the rule judges: its cheap threads, their reference, the series shown
/// beside them, and the cores its client can use at once.
struct Judged {
    stack: Stack,
    cheap: &'static str,
    reference: Reference,
    shown: &'static [&'static str],
    /// One interpreter's GIL runs Python's greenlets and tasks one at a time.
    one_core: bool,
}

const JUDGED: [Judged; 3] = [
    Judged {
        stack: Stack::Java,
        cheap: JAVA_VIRTUAL,
        reference: Reference::Async(JAVA_ASYNC),
        shown: &[JAVA_THREADS],
        one_core: false,
    },
    Judged {
        stack: Stack::Python,
        cheap: PY_GREENLETS,
        reference: Reference::Async(PY_ASYNC),
        shown: &[PY_THREADS, PY_ASYNC_UVLOOP],
        one_core: true,
    },
    Judged {
        stack: Stack::Go,
        cheap: GO_GOROUTINES,
        reference: Reference::LittlesLaw,
        shown: &[],
        one_core: false,
    },
];

/// The runtimes shown unjudged, no cheap threads of their own: Node's findings, and
/// Rust's, which are the row's own.
const SHOWN: [(Stack, &[&str]); 1] = [(Stack::Node, &[NODE_ASYNC])];
const RUST_SHOWN: &[&str] = &[THREADS, ASYNC];

/// A point's share of C/L (NaN when the run has no bound).
fn share(run: &RunResult) -> f64 {
    run.littles_law.efficiency.unwrap_or(f64::NAN)
}

/// The cheap threads' share of C/L over the reference's at each C ≥ [`K_FROM`] both
/// measured (against C/L itself, the share alone).
fn ratios(cheap: &Series, reference: Option<&Series>) -> Vec<(f64, f64)> {
    cheap
        .points
        .iter()
        .filter(|p| p.x >= K_FROM)
        .filter_map(|p| {
            let own = share(median_run(p)?);
            let against = match reference {
                None => 1.0,
                Some(r) => share(median_run(r.points.iter().find(|q| q.x == p.x)?)?),
            };
            Some((p.x, own / against))
        })
        .collect()
}

/// One series in words at its largest C: its share of C/L, p99, CPU per request, memory
/// per in-flight request (the slope across C) and OS threads.
fn describe(s: &Series) -> String {
    let Some((point, run)) = s.points.last().and_then(|p| Some((p, median_run(p)?))) else {
        return format!("{}: no point", s.strategy);
    };
    let rss = slope(Some(s), RSS);
    let vm = slope(Some(s), VM);
    format!(
        "{} {:.2} of C/L at C = {}, p99 {}, {} CPU/request, {} resident and {} virtual per \
         in-flight request, {} OS threads",
        s.strategy,
        share(run),
        point.x,
        format_micros(run.latency.p99_us),
        format_micros(run.client.client_cpu_per_request_us),
        rss.map_or("—".into(), format_bytes),
        vm.map_or("—".into(), format_bytes),
        run.client
            .threads_peak
            .map_or("—".to_string(), |t| t.to_string()),
    )
}

/// The series of `roles` that `s` has, in words, joined.
fn shown(s: &ScenarioResult, roles: &[&str]) -> Vec<String> {
    roles
        .iter()
        .filter_map(|role| series(s, role))
        .filter(|x| x.not_measured.is_none())
        .map(describe)
        .collect()
}

/// Whether the cheap threads reach what Little's law allows under the client's CPU at
/// their largest C: min(C/L, cores ÷ CPU per request).
fn littles_law_explains(cheap: &Series, one_core: bool) -> Explanation {
    let Some((point, run)) = cheap.points.last().and_then(|p| Some((p, median_run(p)?))) else {
        return explain::untested("the cheap threads have no point");
    };
    // The cores of the machine that ran it, not of the one reading the results.
    let cores = if one_core {
        1.0
    } else {
        run.environment.cores.max(1) as f64
    };
    let bound = run.littles_law.bound_rps.unwrap_or(f64::NAN);
    let cpu_s = run.client.client_cpu_per_request_us / 1e6;
    let ceiling = if cpu_s > 0.0 {
        cores / cpu_s
    } else {
        f64::INFINITY
    };
    Prediction {
        predicted: bound.min(ceiling),
        measured: run.throughput_rps,
        tolerance: K_EXPLAINED_WITHIN,
    }
    .explain(
        &format!(
            "{} at C = {}, by Little's law under {} of CPU per request on {cores} core(s)",
            cheap.strategy,
            point.x,
            format_micros(run.client.client_cpu_per_request_us)
        ),
        format_rps,
    )
}

/// JEP 444's batch, predicted against measured. Little's law under the client's CPU
/// bounds both: the pool's time is ceil(N ÷ pool) × L unless the batch's CPU on the cores
/// takes longer, and the virtual threads' is L plus that CPU. Failed requests (10,000
/// connects at once can overflow the kernel's listen queue) are said beside the times.
fn jep(s: &ScenarioResult) -> Option<(f64, f64, String, Vec<Explanation>)> {
    let pool = median_run(series(s, JEP_POOL)?.points.last()?)?;
    let virt = median_run(series(s, JEP_VIRTUAL)?.points.last()?)?;
    let cores = virt.environment.cores.max(1) as f64;
    let latency_s = virt.injected.mean_latency_us / 1e6;
    let cpu_s = |run: &RunResult| {
        run.counts.sent as f64 * run.client.client_cpu_per_request_us / 1e6 / cores
    };
    let virt_predicted = latency_s + cpu_s(virt);
    let waves = pool.littles_law.predicted_batch_time_s.unwrap_or(f64::NAN);
    let pool_predicted = waves.max(cpu_s(pool));
    let failed = |run: &RunResult| {
        if run.counts.errors == 0 {
            return String::new();
        }
        let queue = run.environment.somaxconn.map_or(String::new(), |q| {
            format!("; the listen queue holds {q} connects")
        });
        format!(
            ", {} of {} failed{queue}",
            run.counts.errors, run.counts.sent
        )
    };
    let text = format!(
        "JEP 444's batch of {} tasks × {}: a pool of {} platform threads took {}{} \
         (predicted {}: ceil(N ÷ pool) × L = {}, the batch's CPU on {cores} cores {}), a \
         virtual thread per task {}{} (JEP 444: {}; with this client's {} of CPU per \
         request: {}): {:.2}× the pool's time",
        virt.counts.sent,
        format_seconds(latency_s),
        pool.littles_law.effective_concurrency,
        format_seconds(pool.wall_time_s),
        failed(pool),
        format_seconds(pool_predicted),
        format_seconds(waves),
        format_seconds(cpu_s(pool)),
        format_seconds(virt.wall_time_s),
        failed(virt),
        format_seconds(virt.littles_law.predicted_batch_time_s.unwrap_or(latency_s)),
        format_micros(virt.client.client_cpu_per_request_us),
        format_seconds(virt_predicted),
        virt.wall_time_s / pool.wall_time_s,
    );
    let explanations = vec![
        Prediction {
            predicted: pool_predicted,
            measured: pool.wall_time_s,
            tolerance: JEP_EXPLAINED_WITHIN,
        }
        .explain(
            "JEP 444's pool, by max(ceil(N ÷ pool) × L, N × CPU per request ÷ cores)",
            format_seconds,
        ),
        Prediction {
            predicted: virt_predicted,
            measured: virt.wall_time_s,
            tolerance: JEP_EXPLAINED_WITHIN,
        }
        .explain(
            "JEP 444's virtual threads, by L + N × CPU per request ÷ cores",
            format_seconds,
        ),
    ];
    Some((pool.wall_time_s, virt.wall_time_s, text, explanations))
}

/// Why a judged runtime has no figures: absent, not measured, or no point.
fn missing(s: &ScenarioResult, judged: &Judged) -> Option<Missing> {
    let roles: Vec<&str> = match judged.reference {
        Reference::Async(r) => vec![judged.cheap, r],
        Reference::LittlesLaw => vec![judged.cheap],
    };
    super::points(s, &roles).err()
}

/// One judged runtime's finding, its verdict, and its figures.
fn judge_runtime(
    s: &ScenarioResult,
    judged: &Judged,
    emitted: &mut Emitted,
) -> Option<(StackFinding, Verdict)> {
    if let Some(missing) = missing(s, judged) {
        let found = missing.finding(judged.stack)?;
        let verdict = found.verdict.unwrap_or(Verdict::Inconclusive);
        return Some((found, verdict));
    }
    let cheap = series(s, judged.cheap)?;
    let reference = match judged.reference {
        Reference::Async(role) => series(s, role),
        Reference::LittlesLaw => None,
    };
    let ratios = ratios(cheap, reference);
    let values: Vec<f64> = ratios.iter().map(|&(_, r)| r).collect();
    let verdict = judge_k(&values);
    let mut own = Emitted::new(judged.stack);
    let lowest = values.iter().copied().fold(f64::INFINITY, f64::min);
    if lowest.is_finite() {
        own.put(&CHEAP_KEEPS, lowest);
    }
    let against = match judged.reference {
        Reference::Async(_) => reference.map_or("its async".into(), |r| r.strategy.clone()),
        Reference::LittlesLaw => "C/L itself".into(),
    };
    let per_c: Vec<String> = ratios
        .iter()
        .map(|(x, r)| format!("{r:.2} at C = {x}"))
        .collect();
    let mut lines = vec![format!(
        "{} against {against}: {} (it holds at ≥ {K_WITHIN})",
        cheap.strategy,
        if per_c.is_empty() {
            "no C ≥ 1000 measured".to_string()
        } else {
            per_c.join(", ")
        }
    )];
    let roles: Vec<&str> = [judged.cheap]
        .into_iter()
        .chain(match judged.reference {
            Reference::Async(r) => Some(r),
            Reference::LittlesLaw => None,
        })
        .chain(judged.shown.iter().copied())
        .collect();
    lines.extend(shown(s, &roles));
    let mut explanations = vec![littles_law_explains(cheap, judged.one_core)];
    if judged.stack == Stack::Java
        && let Some((pool_s, virt_s, text, jep_explained)) = jep(s)
    {
        own.put(&JEP_POOL_S, pool_s);
        own.put(&JEP_VIRTUAL_S, virt_s);
        lines.push(text);
        explanations.extend(jep_explained);
    }
    emitted.figures.extend(own.figures);
    let mut found = finding(
        judged.stack,
        lines.join("; "),
        Some(verdict),
        why(judged, s),
    );
    found.explained = explain::all(explanations);
    Some((found, verdict))
}

/// Why a judged runtime's cheap threads do or do not keep C/L, from its measured CPU per
/// request and OS threads.
fn why(judged: &Judged, s: &ScenarioResult) -> String {
    let Some(run) = series(s, judged.cheap)
        .and_then(|x| x.points.last())
        .and_then(median_run)
    else {
        return String::new();
    };
    let offered = run.littles_law.bound_rps.unwrap_or(f64::NAN);
    let busy = offered * run.client.client_cpu_per_request_us / 1e6;
    format!(
        "At the largest C the offered C/L of {} needs {busy:.2} core-seconds a second of \
         this client's CPU ({} per request){}; {} OS threads carried every request: the \
         runtime parks a blocked call's stack and runs another, so the waiting costs no \
         thread, only memory.",
        format_rps(offered),
        format_micros(run.client.client_cpu_per_request_us),
        if judged.one_core {
            " on one interpreter's core"
        } else {
            ""
        },
        run.client
            .threads_peak
            .map_or("—".to_string(), |t| t.to_string()),
    )
}

fn assess(claim: &Claim, s: &ScenarioResult) -> ClaimRow {
    let mut emitted = Emitted::new(Stack::Rust);
    let mut findings = Vec::new();
    let mut verdicts = Vec::new();
    let mut summary = Vec::new();
    for judged in &JUDGED {
        if let Some((found, verdict)) = judge_runtime(s, judged, &mut emitted) {
            summary.push(format!("{}: {}", judged.stack.name(), verdict.label()));
            verdicts.push(verdict);
            findings.push(found);
        }
    }
    for (stack, roles) in SHOWN {
        let lines = shown(s, roles);
        if !lines.is_empty() {
            let mut found = finding(
                stack,
                lines.join("; "),
                None,
                "No cheap threads of its own: shown beside the others, unjudged.".into(),
            );
            // Nothing to set it against, but Little's law under its CPU still predicts
            // what its one event loop keeps: "no verdict", its mechanism tested.
            found.explained = roles
                .iter()
                .find_map(|role| series(s, role))
                .map(|x| littles_law_explains(x, false));
            findings.push(found);
        }
    }
    let explanations: Vec<Explanation> = findings
        .iter()
        .filter_map(|f| f.explained.clone())
        .collect();
    let mut row = super::row(
        claim,
        if summary.is_empty() {
            "—".into()
        } else {
            summary
                .into_iter()
                .chain(
                    shown(s, RUST_SHOWN)
                        .into_iter()
                        .map(|l| format!("Rust (unjudged): {l}")),
                )
                .collect::<Vec<_>>()
                .join("; ")
        },
        "every cheap thread keeps C/L (Little's law) while the client's CPU is under the \
         cores; a pool of 200 takes max(ceil(N ÷ 200) × L, the batch's CPU ÷ cores)"
            .into(),
        combine_k(&verdicts),
        "A blocked call on a cheap thread parks its stack and frees the carrier, so C \
         requests need C stacks in memory, not C OS threads: throughput is C/L until the \
         client's CPU per request is the limit, as for async."
            .into(),
        emitted,
    );
    row.explained = explain::all(explanations);
    row.stacks = findings;
    row
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::claims::test_support::*;
    use waitbench_core::Explained;

    /// Claim E's scenario with series of `role` on `stack`, each point (C, share of C/L)
    /// at L = 4 s and 100 µs of client CPU per request.
    /// A swept series: its role, its stack, and its (C, share of C/L) points.
    type Swept<'a> = (&'a str, Stack, &'a [(f64, f64)]);

    fn sweep(runs: &[Swept<'_>]) -> ScenarioResult {
        let (mut e, template) = emptied("E", ASYNC);
        for &(role, stack, points) in runs {
            let mut copy = template.clone();
            copy.role = role.into();
            copy.stack = stack;
            copy.strategy = role.into();
            let base = copy.points[0].clone();
            copy.points = points
                .iter()
                .map(|&(c, efficiency)| {
                    let mut point = base.clone();
                    point.x = c;
                    each_trial(&mut point, |trial| {
                        let bound = c / 4.0;
                        trial.littles_law.bound_rps = Some(bound);
                        trial.littles_law.efficiency = Some(efficiency);
                        trial.throughput_rps = bound * efficiency;
                        trial.client.client_cpu_per_request_us = 100.0;
                        trial.client.threads_peak = Some(20);
                    });
                    point
                })
                .collect();
            e.series.push(copy);
        }
        e
    }

    fn row_of(s: ScenarioResult) -> ClaimRow {
        evaluate(&[s])
            .into_iter()
            .find(|r| r.id == "K")
            .expect("claim K judged on E's scenario")
    }

    #[test]
    fn k_holds_when_every_runtimes_cheap_threads_keep_its_async_share() {
        let row = row_of(sweep(&[
            (
                JAVA_VIRTUAL,
                Stack::Java,
                &[(100.0, 1.0), (1000.0, 0.99), (10_000.0, 0.97)],
            ),
            (
                JAVA_ASYNC,
                Stack::Java,
                &[(100.0, 1.0), (1000.0, 0.99), (10_000.0, 0.99)],
            ),
            (
                GO_GOROUTINES,
                Stack::Go,
                &[(1000.0, 0.99), (10_000.0, 0.98)],
            ),
        ]));
        assert_eq!(row.verdict, Verdict::Reproduced, "{}", row.measured);
        assert_eq!(row.measured, "Java: reproduced; Go: reproduced");
        let java = row.stacks.iter().find(|f| f.stack == Stack::Java).unwrap();
        assert!(
            java.measured.starts_with(
                "java-virtual-threads against java-async: 1.00 at C = 1000, 0.98 at C = 10000"
            ),
            "{}",
            java.measured
        );
        assert!((row.figures["java_cheap_to_reference_min"] - 0.97 / 0.99).abs() < 1e-9);
        assert!((row.figures["go_cheap_to_reference_min"] - 0.98).abs() < 1e-9);
        // C/L = 2,500 req/s at 100 µs per request is far under two cores: Little's law
        // predicts C/L, and 0.97 of it is within 10%.
        assert_eq!(
            java.explained.as_ref().map(|e| e.outcome),
            Some(Explained::Explained)
        );
    }

    #[test]
    fn k_fails_a_runtime_whose_cheap_threads_fall_behind_at_any_c_from_1000() {
        let row = row_of(sweep(&[
            (
                PY_GREENLETS,
                Stack::Python,
                &[(100.0, 0.5), (1000.0, 0.99), (3000.0, 0.80)],
            ),
            (
                PY_ASYNC,
                Stack::Python,
                &[(100.0, 1.0), (1000.0, 0.99), (3000.0, 0.98)],
            ),
            (
                GO_GOROUTINES,
                Stack::Go,
                &[(1000.0, 0.99), (10_000.0, 0.98)],
            ),
        ]));
        let python = row
            .stacks
            .iter()
            .find(|f| f.stack == Stack::Python)
            .unwrap();
        assert_eq!(python.verdict, Some(Verdict::NotReproduced));
        // Below C = 1,000 nothing is read: the 0.5 at C = 100 does not count.
        assert!(
            python
                .measured
                .contains("1.00 at C = 1000, 0.82 at C = 3000"),
            "{}",
            python.measured
        );
        assert_eq!(row.verdict, Verdict::OnlyUnderConditions);
    }

    #[test]
    fn go_is_judged_against_c_over_l_itself() {
        let row = row_of(sweep(&[(
            GO_GOROUTINES,
            Stack::Go,
            &[(1000.0, 0.99), (10_000.0, 0.90)],
        )]));
        let go = row.stacks.iter().find(|f| f.stack == Stack::Go).unwrap();
        assert!(
            go.measured.starts_with(
                "go-goroutines against C/L itself: 0.99 at C = 1000, 0.90 at C = 10000"
            ),
            "{}",
            go.measured
        );
        assert_eq!(row.verdict, Verdict::NotReproduced);
    }

    #[test]
    fn the_unjudged_runtimes_are_shown_without_a_verdict() {
        let row = row_of(sweep(&[
            (
                GO_GOROUTINES,
                Stack::Go,
                &[(1000.0, 0.99), (10_000.0, 0.99)],
            ),
            (NODE_ASYNC, Stack::Node, &[(100.0, 1.0), (10_000.0, 0.95)]),
            (THREADS, Stack::Rust, &[(100.0, 1.0), (9000.0, 0.9)]),
            (ASYNC, Stack::Rust, &[(100.0, 1.0), (9000.0, 0.99)]),
        ]));
        let node = row.stacks.iter().find(|f| f.stack == Stack::Node).unwrap();
        assert_eq!(node.verdict, None);
        assert!(
            node.measured
                .starts_with("node-async 0.95 of C/L at C = 10000"),
            "{}",
            node.measured
        );
        assert!(row.stacks.iter().all(|f| f.stack != Stack::Rust));
        assert!(
            row.measured
                .contains("Rust (unjudged): threads 0.90 of C/L at C = 9000"),
            "{}",
            row.measured
        );
        assert_eq!(row.verdict, Verdict::Reproduced);
    }

    #[test]
    fn a_memory_scenario_without_cheap_threads_gives_no_row_of_claim_k() {
        let rows = evaluate(&[sweep(&[(ASYNC, Stack::Rust, &[(100.0, 1.0)])])]);
        assert!(rows.iter().all(|r| r.id != "K"), "{rows:?}");
        assert!(rows.iter().any(|r| r.id == "E"));
    }

    #[test]
    fn a_runtime_without_its_async_series_is_inconclusive_and_the_others_decide() {
        let row = row_of(sweep(&[
            (
                JAVA_VIRTUAL,
                Stack::Java,
                &[(1000.0, 0.99), (10_000.0, 0.97)],
            ),
            (
                GO_GOROUTINES,
                Stack::Go,
                &[(1000.0, 0.99), (10_000.0, 0.98)],
            ),
        ]));
        // Java's async series is missing: Java is not judged, Go decides.
        let java = row.stacks.iter().find(|f| f.stack == Stack::Java).unwrap();
        assert_eq!(
            java.verdict,
            Some(Verdict::Inconclusive),
            "{}",
            java.measured
        );
        assert_eq!(row.verdict, Verdict::Reproduced, "{}", row.measured);
    }

    #[test]
    fn k_judges_one_runtime_from_its_ratios_alone() {
        assert_eq!(judge_k(&[1.0, 0.96]), Verdict::Reproduced);
        assert_eq!(judge_k(&[1.0, 0.94]), Verdict::NotReproduced);
        assert_eq!(judge_k(&[]), Verdict::Inconclusive);
        assert_eq!(judge_k(&[f64::NAN]), Verdict::Inconclusive);
        use Verdict::*;
        assert_eq!(combine_k(&[Reproduced, Reproduced]), Reproduced);
        assert_eq!(combine_k(&[Reproduced, NotReproduced]), OnlyUnderConditions);
        assert_eq!(combine_k(&[NotReproduced, Inconclusive]), NotReproduced);
        assert_eq!(combine_k(&[Inconclusive]), Inconclusive);
    }
}
