//! Claim F1: on CPU-bound work async gains nothing; more cores do.

use waitbench_core::extras::POOL_PROCESSES;
use waitbench_core::units::format_micros;
use waitbench_core::{ClaimRow, Point, ScenarioResult, Stack, Verdict, claim_ids};

use super::{
    ASYNC, BOTH, Claim, Emitted, Figure, Missing, PY_ASYNC, PY_SEQUENTIAL, PY_THREADS, PYTHON,
    RowText, SEQUENTIAL, StackFigures, THREADS, client_cpu, higher, median_run, points,
};

const PY_PROCESSES: &str = "py-processes";

const ASYNC_RATIO: Figure = higher("async_ratio", "ratio", BOTH);
const THREADS_RATIO: Figure = higher("threads_ratio", "ratio", BOTH);
const PROCESSES_RATIO: Figure = higher("processes_ratio", "ratio", PYTHON);

pub(super) const CLAIM: Claim = Claim {
    id: claim_ids::F1,
    claim: "CPU-bound work: async gives nothing",
    claimed: "≈ 1× (use processes)",
    required_roles: &[SEQUENTIAL, ASYNC, THREADS],
    optional_roles: &[PY_SEQUENTIAL, PY_ASYNC, PY_THREADS, PY_PROCESSES],
    figures: &[ASYNC_RATIO, THREADS_RATIO, PROCESSES_RATIO],
    rule: rule_f1,
    assess,
};

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

/// The series each stack runs the CPU-bound work with: one request after another, async,
/// a thread pool and (Python's, the article's advice) a process pool.
const fn roles(stack: Stack) -> &'static [&'static str] {
    match stack {
        Stack::Rust => &[SEQUENTIAL, ASYNC, THREADS],
        Stack::Python => &[PY_SEQUENTIAL, PY_ASYNC, PY_THREADS, PY_PROCESSES],
        // A stack with no series in this claim (a user's own client, a runtime that has
        // not joined it) has nothing to say about it.
        _ => &[],
    }
}

/// Claim F1's figures on one stack: each series' point, and its throughput over
/// sequential.
struct Figures<'a> {
    sequential: &'a Point,
    async_: &'a Point,
    threads: &'a Point,
    processes: Option<&'a Point>,
}

impl<'a> StackFigures<'a> for Figures<'a> {
    fn extract(s: &'a ScenarioResult, stack: Stack) -> Result<Self, Missing> {
        let found = points(s, roles(stack))?;
        Ok(Figures {
            sequential: found[0],
            async_: found[1],
            threads: found[2],
            processes: found.get(3).copied(),
        })
    }

    fn emit(&self, out: &mut Emitted) {
        out.put(&ASYNC_RATIO, self.ratio(self.async_));
        out.put(&THREADS_RATIO, self.ratio(self.threads));
        if let Some(p) = self.processes {
            out.put(&PROCESSES_RATIO, self.ratio(p));
        }
    }
}

impl Figures<'_> {
    /// `p`'s throughput over sequential's.
    fn ratio(&self, p: &Point) -> f64 {
        p.trials.throughput_rps.median / self.sequential.trials.throughput_rps.median
    }

    /// By [`judge_f1`], with the pool that spreads the work over the cores: the process
    /// pool where the stack has one (Python's threads share one GIL), else the threads.
    fn verdict(&self) -> Verdict {
        let pool = self.processes.unwrap_or(self.threads);
        judge_f1(self.ratio(self.async_), self.ratio(pool))
    }
}

/// What the row says is missing when the Rust series do not give the figures.
const MISSING: &str = "sequential, async and threads series";

fn assess(claim: &Claim, s: &ScenarioResult) -> ClaimRow {
    super::assess(claim, s, MISSING, row_text, explain_python)
}

/// The row's words from the Rust figures.
fn row_text(rust: &Figures) -> RowText {
    let (ra, rt) = (rust.ratio(rust.async_), rust.ratio(rust.threads));
    let cores = median_run(rust.sequential).map_or(1, |r| r.environment.cores);
    let pool = median_run(rust.threads).map_or(1, |r| r.strategy.effective_concurrency);
    RowText {
        measured: format!("async {ra:.2}×, thread pool {rt:.2}× sequential throughput"),
        predicted: format!(
            "async on one runtime thread ≈ 1×; a pool of {} on {cores} cores ≤ {}×",
            pool,
            pool.min(cores)
        ),
        verdict: rust.verdict(),
        why: "CPU work done inline holds the runtime thread as surely as a blocking call: only \
         more cores (threads, rayon, processes) add throughput."
            .into(),
    }
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
fn explain_python(python: &Figures, rust: &Figures) -> (String, Verdict, String) {
    let rust_threads = rust.threads;
    let (seq, asy, thr) = (python.sequential, python.async_, python.threads);
    let procs = python.processes;
    let (ra, rt) = (python.ratio(asy), python.ratio(thr));
    let rp = procs.map_or(f64::NAN, |p| python.ratio(p));
    let threads = median_run(thr).map_or(thr.x, |r| r.strategy.effective_concurrency as f64);
    let processes = procs
        .and_then(median_run)
        .and_then(|r| r.extras.get(POOL_PROCESSES).copied())
        .unwrap_or(f64::NAN);
    let cores = median_run(seq).map_or(1, |r| r.environment.cores);
    let measured = format!(
        "aiohttp {ra:.2}×, thread pool {rt:.2}×, process pool {rp:.2}× requests' \
         sequential throughput"
    );
    let nan = f64::NAN;
    let why = format!(
        "Client CPU per request, the work included: {} sequential, {} for aiohttp, {} for \
         the threads, {} for the process pool (its workers counted). One request after \
         another keeps {:.2} cores busy; aiohttp runs the work on its one thread: {:.2} cores \
         busy. The {} threads share one GIL, so only one of them runs Python at a time: \
         {:.2} cores busy, where Rust's {} threads kept {:.2} busy. The {} pool processes \
         each have a GIL of their own: {:.2} cores busy of {}.",
        format_micros(client_cpu(seq)),
        format_micros(client_cpu(asy)),
        format_micros(client_cpu(thr)),
        format_micros(procs.map_or(nan, client_cpu)),
        cores_busy(seq),
        cores_busy(asy),
        threads,
        cores_busy(thr),
        median_run(rust_threads)
            .map_or(rust_threads.x, |r| r.strategy.effective_concurrency as f64),
        cores_busy(rust_threads),
        processes,
        procs.map_or(nan, cores_busy),
        cores,
    );
    (measured, python.verdict(), why)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::claims::test_support::*;

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
                        trial.extras = BTreeMap::from([(POOL_PROCESSES.to_string(), 2.0)]);
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
        assert_eq!(python.stack, Stack::Python);
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
}
