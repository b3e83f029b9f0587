//! Claim A: a batch of 500 requests, sequential against async, and the in-flight count
//! that turns the article's 13× into a measurement of Little's law.

use std::fmt::Write;

use waitbench_core::units::{format_micros, format_seconds, format_significant};
use waitbench_core::{ClaimRow, Point, ScenarioResult, Stack, Verdict, claim_ids};

use super::{
    BOTH, Claim, Emitted, Figure, Missing, PY_SEQUENTIAL, PY_THREADS_DEFAULTS, PYTHON, RowText,
    SEQUENTIAL, StackFigures, client_cpu, higher, last, lower, median_run, points, series,
};

const ASYNC_UNCAPPED: &str = "async-uncapped";
const ASYNC_CAP_13: &str = "async-cap-13";
const ASYNC_CAP_100: &str = "async-cap-100";
const ASYNC_HEAVY_TAIL: &str = "async-heavy-tail";
const PY_ASYNC_UNCAPPED: &str = "py-async-uncapped";
const PY_ASYNC_CAP_13: &str = "py-async-cap-13";
const PY_ASYNC_CAP_100: &str = "py-async-cap-100";

const SPEEDUP_UNCAPPED: Figure = higher("speedup_uncapped", "ratio", BOTH);
const SPEEDUP_CAP_13: Figure = higher("speedup_cap_13", "ratio", BOTH);
const SPEEDUP_CAP_100: Figure = higher("speedup_cap_100", "ratio", BOTH);
const SPEEDUP_THREADS_DEFAULTS: Figure = higher("speedup_threads_defaults", "ratio", PYTHON);
const SEQUENTIAL_S: Figure = lower("sequential_s", "s", BOTH);
const UNCAPPED_S: Figure = lower("uncapped_s", "s", BOTH);

pub(super) const CLAIM: Claim = Claim {
    id: claim_ids::A,
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
        SPEEDUP_UNCAPPED,
        SPEEDUP_CAP_13,
        SPEEDUP_CAP_100,
        SPEEDUP_THREADS_DEFAULTS,
        SEQUENTIAL_S,
        UNCAPPED_S,
    ],
    rule: rule_a,
    assess,
};

/// Claim A: the article's speedup, and how far from it still counts as the same.
const A_SPEEDUP: f64 = 13.3;
pub(super) const A_BAND: f64 = 0.25;

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

/// The series each stack runs claim A's batch with: one after another, all at once,
/// capped at 13 and 100 in flight, and (Python's) the default thread pool.
struct Roles {
    sequential: &'static str,
    uncapped: &'static str,
    cap_13: &'static str,
    cap_100: &'static str,
    threads_defaults: Option<&'static str>,
}

const fn roles(stack: Stack) -> Option<Roles> {
    match stack {
        Stack::Rust => Some(Roles {
            sequential: SEQUENTIAL,
            uncapped: ASYNC_UNCAPPED,
            cap_13: ASYNC_CAP_13,
            cap_100: ASYNC_CAP_100,
            threads_defaults: None,
        }),
        Stack::Python => Some(Roles {
            sequential: PY_SEQUENTIAL,
            uncapped: PY_ASYNC_UNCAPPED,
            cap_13: PY_ASYNC_CAP_13,
            cap_100: PY_ASYNC_CAP_100,
            threads_defaults: Some(PY_THREADS_DEFAULTS),
        }),
        // A stack with no series in this claim (a user's own client, a runtime that has
        // not joined it) has nothing to say about it.
        _ => None,
    }
}

/// Claim A's figures on one stack: the batch's point in each series that ran.
struct Figures<'a> {
    sequential: &'a Point,
    uncapped: &'a Point,
    cap_13: Option<&'a Point>,
    cap_100: Option<&'a Point>,
    threads_defaults: Option<&'a Point>,
}

/// A batch's median wall time, seconds.
fn wall(p: &Point) -> f64 {
    p.trials.wall_time_s.median
}

impl<'a> StackFigures<'a> for Figures<'a> {
    fn extract(s: &'a ScenarioResult, stack: Stack) -> Result<Self, Missing> {
        let Some(roles) = roles(stack) else {
            return Err(Missing::Absent);
        };
        let found = points(s, &[roles.sequential, roles.uncapped])?;
        let optional = |role: Option<&str>| role.and_then(|role| last(series(s, role)));
        Ok(Figures {
            sequential: found[0],
            uncapped: found[1],
            cap_13: optional(Some(roles.cap_13)),
            cap_100: optional(Some(roles.cap_100)),
            threads_defaults: optional(roles.threads_defaults),
        })
    }

    fn emit(&self, out: &mut Emitted) {
        out.put(&SPEEDUP_UNCAPPED, self.speedup(self.uncapped));
        out.put(&SEQUENTIAL_S, wall(self.sequential));
        out.put(&UNCAPPED_S, wall(self.uncapped));
        for (figure, point) in [
            (&SPEEDUP_CAP_13, self.cap_13),
            (&SPEEDUP_CAP_100, self.cap_100),
            (&SPEEDUP_THREADS_DEFAULTS, self.threads_defaults),
        ] {
            if let Some(p) = point {
                out.put(figure, self.speedup(p));
            }
        }
    }
}

impl Figures<'_> {
    /// How many times faster than one after another `p`'s batch ran.
    fn speedup(&self, p: &Point) -> f64 {
        wall(self.sequential) / wall(p).max(1e-9)
    }

    fn verdict(&self) -> Verdict {
        judge_a(
            self.speedup(self.uncapped),
            self.cap_13.map(|p| self.speedup(p)),
        )
    }
}

/// What the row says is missing when the Rust series do not give the figures.
const MISSING: &str = "sequential and async-uncapped series";

fn assess(claim: &Claim, s: &ScenarioResult) -> ClaimRow {
    super::assess(claim, s, MISSING, row_text, explain_python)
}

/// The row's words from the Rust figures.
fn row_text(rust: &Figures) -> RowText {
    let seconds = |t: Option<f64>| format_seconds(t.unwrap_or(f64::NAN));
    let mut measured = format!(
        "sequential {}; uncapped async {} ({:.0}×)",
        format_seconds(wall(rust.sequential)),
        format_seconds(wall(rust.uncapped)),
        rust.speedup(rust.uncapped)
    );
    let mut predicted = format!(
        "{} vs {}",
        seconds(rust.sequential.predicted),
        seconds(rust.uncapped.predicted)
    );
    for (name, point) in [("cap 13", rust.cap_13), ("cap 100", rust.cap_100)] {
        if let Some(p) = point {
            let _ = write!(
                measured,
                "; {name} {} ({:.1}×)",
                format_seconds(wall(p)),
                rust.speedup(p)
            );
            let _ = write!(predicted, "; {name} {}", seconds(p.predicted));
        }
    }
    RowText {
        measured,
        predicted,
        verdict: rust.verdict(),
        why: "By Little's law a batch of N at latency L with C in flight takes ceil(N/C)·L: a 13× \
         speedup means about 13 requests in flight, while uncapped async finishes in about \
         one L."
            .into(),
    }
}

/// Requests a batch kept waiting at once on average, by Little's law: N·L / T.
fn waiting_in_flight(p: &Point) -> f64 {
    median_run(p).map_or(f64::NAN, |r| {
        r.counts.sent as f64 * r.injected.mean_latency_us / 1e6 / r.wall_time_s.max(1e-9)
    })
}

/// Claim A on the article's own stack: a `requests.Session` loop against aiohttp (and the
/// default `ThreadPoolExecutor`), judged by the same rule, with why the speed-up differs
/// from Rust's computed from how many requests each kept waiting at once, the client CPU
/// per request and the default pool's size.
fn explain_python(python: &Figures, rust: &Figures) -> (String, Verdict, String) {
    let rust_uncapped = rust.uncapped;
    let (seq, uncapped) = (python.sequential, python.uncapped);
    let speed = |p: &Point| python.speedup(p);
    let mut measured = format!(
        "requests.Session loop {}; aiohttp uncapped {} ({:.0}×)",
        format_seconds(wall(seq)),
        format_seconds(wall(uncapped)),
        speed(uncapped)
    );
    for (point, name) in [
        (python.cap_100, "aiohttp's default limit 100"),
        (python.cap_13, "cap 13"),
        (python.threads_defaults, "default ThreadPoolExecutor"),
    ] {
        if let Some(p) = point {
            let _ = write!(
                measured,
                "; {name} {} ({:.1}×)",
                format_seconds(wall(p)),
                speed(p)
            );
        }
    }
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
    if let Some(pool) = python.threads_defaults {
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
    (measured, python.verdict(), why)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::claims::test_support::*;

    #[test]
    fn a_reproduces_only_with_thirteen_in_flight() {
        assert_eq!(judge_a(13.0, None), Verdict::Reproduced);
        assert_eq!(judge_a(480.0, Some(12.8)), Verdict::OnlyUnderConditions);
        assert_eq!(judge_a(480.0, Some(100.0)), Verdict::NotReproduced);
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
        assert_eq!(python.stack, Stack::Python);
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
}
