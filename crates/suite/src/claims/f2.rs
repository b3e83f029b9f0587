//! Claim F2: a blocking call inside async freezes the event loop.

use waitbench_core::extras::{TICKER_LATENESS_MAX_US, TICKER_LATENESS_P99_US, TICKER_TICKS};
use waitbench_core::units::{format_micros, format_rps, format_significant};
use waitbench_core::{ClaimRow, Point, ScenarioResult, Stack, Verdict, claim_ids};

use super::{
    BOTH, Claim, Emitted, Figure, Missing, RowText, StackFigures, higher, lower, median_run, points,
};

const BLOCKING_CURRENT_THREAD: &str = "blocking-current-thread";
const SPAWN_BLOCKING_CURRENT_THREAD: &str = "spawn-blocking-current-thread";
const BLOCKING_MULTI_THREAD: &str = "blocking-multi-thread";
const PY_BLOCKING: &str = "py-blocking";
const PY_EXECUTOR: &str = "py-executor";

const THROUGHPUT_RATIO: Figure = lower("throughput_ratio", "ratio", BOTH);
const BLOCKING_TICKER_P99: Figure = higher("blocking_ticker_p99_us", "µs", BOTH);
const FIXED_TICKER_P99: Figure = lower("fixed_ticker_p99_us", "µs", BOTH);

pub(super) const CLAIM: Claim = Claim {
    id: claim_ids::F2,
    claim: "a blocking call inside async freezes the loop",
    claimed: "freezes; fix with run_in_executor",
    required_roles: &[BLOCKING_CURRENT_THREAD, SPAWN_BLOCKING_CURRENT_THREAD],
    optional_roles: &[BLOCKING_MULTI_THREAD, PY_BLOCKING, PY_EXECUTOR],
    figures: &[THROUGHPUT_RATIO, BLOCKING_TICKER_P99, FIXED_TICKER_P99],
    rule: rule_f2,
    assess,
};

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

fn ticker_p99(p: &Point) -> f64 {
    ticker_figure(p, TICKER_LATENESS_P99_US)
}

/// The series each stack runs with a blocking call inside async, and with its fix.
const fn roles(stack: Stack) -> &'static [&'static str] {
    match stack {
        Stack::Rust => &[BLOCKING_CURRENT_THREAD, SPAWN_BLOCKING_CURRENT_THREAD],
        Stack::Python => &[PY_BLOCKING, PY_EXECUTOR],
        // A stack with no series in this claim (a user's own client, a runtime that has
        // not joined it) has nothing to say about it.
        _ => &[],
    }
}

/// Claim F2's figures on one stack: the blocking series' point and the fixed one's.
struct Figures<'a> {
    blocking: &'a Point,
    fixed: &'a Point,
}

impl<'a> StackFigures<'a> for Figures<'a> {
    fn extract(s: &'a ScenarioResult, stack: Stack) -> Result<Self, Missing> {
        let found = points(s, roles(stack))?;
        Ok(Figures {
            blocking: found[0],
            fixed: found[1],
        })
    }

    fn emit(&self, out: &mut Emitted) {
        out.put(&THROUGHPUT_RATIO, self.throughput_ratio());
        out.put(&BLOCKING_TICKER_P99, ticker_p99(self.blocking));
        out.put(&FIXED_TICKER_P99, ticker_p99(self.fixed));
    }
}

impl Figures<'_> {
    /// The blocking series' throughput over the fixed one's.
    fn throughput_ratio(&self) -> f64 {
        self.blocking.trials.throughput_rps.median / self.fixed.trials.throughput_rps.median
    }

    fn verdict(&self) -> Verdict {
        judge_f2(
            self.throughput_ratio(),
            ticker_p99(self.blocking),
            ticker_p99(self.fixed),
        )
    }
}

/// What the row says is missing when the Rust series do not give the figures.
const MISSING: &str = "blocking and spawn-blocking series";

fn assess(claim: &Claim, s: &ScenarioResult) -> ClaimRow {
    super::assess(claim, s, MISSING, row_text, explain_python)
}

/// The row's words from the Rust figures.
fn row_text(rust: &Figures) -> RowText {
    let (b, f) = (rust.blocking, rust.fixed);
    let latency = median_run(b).map_or(0.0, |r| r.injected.mean_latency_us);
    RowText {
        measured: format!(
            "blocking: {}, ticker p99 late {}; spawn_blocking: {}, ticker p99 late {}",
            format_rps(b.trials.throughput_rps.median),
            format_micros(ticker_p99(b)),
            format_rps(f.trials.throughput_rps.median),
            format_micros(ticker_p99(f))
        ),
        predicted: format!(
            "blocking serialises: 1/L = {}, and the ticker starves: late ≥ L = {}, for as long as tasks stay ready; spawn_blocking: C/L = {}",
            format_rps(1e6 / latency.max(1.0)),
            format_micros(latency),
            format_rps(f.x * 1e6 / latency.max(1.0))
        ),
        verdict: rust.verdict(),
        why: "A blocking call holds the only runtime thread for a whole L, and while tasks stay \
         ready tokio runs them before it polls its timers, so the ticker starves for many \
         L; spawn_blocking moves the call to the blocking pool."
            .into(),
    }
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
/// from tokio computed from the ticker's figures.
fn explain_python(python: &Figures, rust: &Figures) -> (String, Verdict, String) {
    let (b, f) = (python.blocking, python.fixed);
    let (rust_blocking, rust_fixed) = (rust.blocking, rust.fixed);
    let measured = format!(
        "requests inside async def: {}, ticker p99 late {}; run_in_executor: {}, ticker \
         p99 late {}",
        format_rps(b.trials.throughput_rps.median),
        format_micros(ticker_p99(b)),
        format_rps(f.trials.throughput_rps.median),
        format_micros(ticker_p99(f))
    );
    let wall_us = |p: &Point| median_run(p).map_or(f64::NAN, |r| r.wall_time_s * 1e6);
    let frozen = |p: &Point| ticker_figure(p, TICKER_LATENESS_MAX_US) / wall_us(p);
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
        times(ticker_figure(b, TICKER_TICKS)),
        format_micros(wall_us(b)),
        format_micros(ticker_figure(b, TICKER_LATENESS_MAX_US)),
        frozen(b) * 100.0,
        times(ticker_figure(rust_blocking, TICKER_TICKS)),
        format_micros(ticker_figure(rust_blocking, TICKER_LATENESS_MAX_US)),
        frozen(rust_blocking) * 100.0,
        threads,
        format_micros(ticker_p99(f)),
        format_micros(ticker_p99(rust_fixed)),
        format_significant(
            f.trials.throughput_rps.median / rust_fixed.trials.throughput_rps.median,
            2
        ),
    );
    (measured, python.verdict(), why)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::claims::test_support::*;

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
                        (TICKER_LATENESS_P99_US.to_string(), p99_us),
                        (TICKER_LATENESS_MAX_US.to_string(), max_us),
                        (TICKER_TICKS.to_string(), ticks),
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
        assert_eq!(python.stack, Stack::Python);
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
}
