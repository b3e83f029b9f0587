//! Claim E: memory per in-flight request, a thread against a task.

use waitbench_core::units::{format_bytes, format_significant};
use waitbench_core::{ClaimRow, RunResult, ScenarioResult, Series, Stack, Verdict, claim_ids};

use super::{
    ASYNC, BOTH, Claim, Emitted, Figure, Missing, PY_ASYNC, PY_ASYNC_UVLOOP, PY_GREENLETS,
    PY_THREADS, RowText, StackFigures, THREADS, last, lower, median_run, points, series,
};

const THREAD_RSS: Figure = lower("thread_rss_per_request_bytes", "bytes", BOTH);
const THREAD_VM: Figure = lower("thread_vm_per_request_bytes", "bytes", BOTH);
const ASYNC_RSS: Figure = lower("async_rss_per_request_bytes", "bytes", BOTH);

pub(super) const CLAIM: Claim = Claim {
    id: claim_ids::E,
    claim: "memory: thread vs coroutine",
    claimed: "thread ~1 MB, coroutine a few KB",
    required_roles: &[THREADS, ASYNC],
    optional_roles: &[PY_THREADS, PY_ASYNC, PY_GREENLETS, PY_ASYNC_UVLOOP],
    figures: &[THREAD_RSS, THREAD_VM, ASYNC_RSS],
    rule: rule_e,
    assess,
};

/// Claim E: how much memory per request counts as "about 1 MB", and as "much more".
const E_LARGE_KIB: f64 = 512.0;
const E_LARGE_BYTES: f64 = E_LARGE_KIB * 1024.0;
const E_FACTOR: f64 = 5.0;

pub(super) fn rule_e() -> String {
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

/// The series each stack sweeps C with: a thread per request, and a task per request.
const fn roles(stack: Stack) -> &'static [&'static str] {
    match stack {
        Stack::Rust => &[THREADS, ASYNC],
        Stack::Python => &[PY_THREADS, PY_ASYNC],
        // A stack with no series in this claim (a user's own client, a runtime that has
        // not joined it) has nothing to say about it.
        _ => &[],
    }
}

/// Claim E's figures on one stack: memory per in-flight request, sloped over C.
struct Figures<'a> {
    threads: Option<&'a Series>,
    tasks: Option<&'a Series>,
    thread_rss: f64,
    thread_vm: f64,
    task_rss: f64,
    task_vm: f64,
}

impl<'a> StackFigures<'a> for Figures<'a> {
    fn extract(s: &'a ScenarioResult, stack: Stack) -> Result<Self, Missing> {
        let roles = roles(stack);
        // points only to learn whether both series ran; the slopes use every point.
        points(s, roles)?;
        let (threads, tasks) = (series(s, roles[0]), series(s, roles[1]));
        let (Some(thread_rss), Some(thread_vm), Some(task_rss)) = (
            slope(threads, |r| r.client.rss_steady_bytes),
            slope(threads, |r| r.client.vm_steady_bytes),
            slope(tasks, |r| r.client.rss_steady_bytes),
        ) else {
            return Err(Missing::Inconclusive("no memory figures".into()));
        };
        Ok(Figures {
            threads,
            tasks,
            thread_rss,
            thread_vm,
            task_rss,
            task_vm: slope(tasks, |r| r.client.vm_steady_bytes).unwrap_or(f64::NAN),
        })
    }

    fn emit(&self, out: &mut Emitted) {
        out.put(&THREAD_RSS, self.thread_rss);
        out.put(&THREAD_VM, self.thread_vm);
        out.put(&ASYNC_RSS, self.task_rss);
    }
}

impl Figures<'_> {
    fn verdict(&self) -> Verdict {
        judge_e(self.thread_rss, self.thread_vm, self.task_rss)
    }
}

/// What the row says is missing when the Rust series do not give the figures.
const MISSING: &str = "threads and async series";

fn assess(claim: &Claim, s: &ScenarioResult) -> ClaimRow {
    super::assess(claim, s, MISSING, row_text, explain_python)
}

/// The row's words from the Rust figures.
fn row_text(rust: &Figures) -> RowText {
    RowText {
        measured: format!(
            "per in-flight request: thread RSS {} (VM {}), async RSS {} (VM {})",
            format_bytes(rust.thread_rss),
            format_bytes(rust.thread_vm),
            format_bytes(rust.task_rss),
            format_bytes(rust.task_vm)
        ),
        predicted: "thread: 2 MiB stack reserved (VM), tens of KiB resident + connection buffers; task: a few KiB + buffers".into(),
        verdict: rust.verdict(),
        why: "A Rust thread reserves a 2 MiB stack but touches only a few pages; most of the \
         resident cost per request is the HTTP client's connection buffers, not the thread."
            .into(),
    }
}

/// Claim E on the article's own stack: `requests` on a pool of C threads against
/// aiohttp's tasks, sloped over C as Rust's are and judged by the same rule. Why it
/// differs is computed from the slopes, the threads each in-flight request added, and
/// how many of the C requests were really in flight at the largest C.
fn explain_python(python: &Figures, rust: &Figures) -> (String, Verdict, String) {
    let measured = format!(
        "per in-flight request: thread RSS {} (VM {}), asyncio task RSS {} (VM {})",
        format_bytes(python.thread_rss),
        format_bytes(python.thread_vm),
        format_bytes(python.task_rss),
        format_bytes(python.task_vm)
    );
    let threads_per_request = slope(python.threads, |r| r.client.threads_peak).unwrap_or(f64::NAN);
    let in_flight = |series: Option<&Series>| {
        last(series)
            .and_then(median_run)
            .and_then(|r| r.littles_law.in_flight_ratio)
            .map_or("—".to_string(), |ratio| format!("{:.0}%", ratio * 100.0))
    };
    let largest = last(python.threads).map_or(f64::NAN, |p| p.x);
    let why = format!(
        "OS threads the thread pool added per in-flight request: {}; each reserves its \
         stack as virtual memory ({} per request) and keeps resident only what it touched \
         plus its Python thread state and connection: {}, against {} for a Rust thread. An \
         asyncio task and its aiohttp request hold {} resident, against {} for a tokio \
         task. At C = {largest}, {} (threads) and {} (tasks) of the C requests were in \
         flight on average over the measured window.",
        format_significant(threads_per_request, 2),
        format_bytes(python.thread_vm),
        format_bytes(python.thread_rss),
        format_bytes(rust.thread_rss),
        format_bytes(python.task_rss),
        format_bytes(rust.task_rss),
        in_flight(python.threads),
        in_flight(python.tasks),
    );
    (measured, python.verdict(), why)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::claims::test_support::*;

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
        assert_eq!(python.stack, Stack::Python);
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
}
