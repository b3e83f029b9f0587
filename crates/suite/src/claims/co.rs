//! The method check: closed-loop load hides server pauses (coordinated omission).

use waitbench_core::units::format_micros;
use waitbench_core::{ClaimRow, Point, ScenarioResult, Stack, Verdict, claim_ids};

use super::{
    Claim, Emitted, Figure, Missing, RUST, StackFigures, higher, inconclusive, lower, median_run,
    points, row,
};

const CLOSED_LOOP: &str = "closed-loop";
const OPEN_LOOP: &str = "open-loop";

const CLOSED_P99: Figure = lower("closed_p99_us", "µs", RUST);
const OPEN_P99: Figure = higher("open_p99_us", "µs", RUST);

pub(super) const CLAIM: Claim = Claim {
    id: claim_ids::CO,
    claim: "method: closed-loop load hides server pauses",
    claimed: "coordinated omission",
    required_roles: &[CLOSED_LOOP, OPEN_LOOP],
    optional_roles: &[],
    figures: &[CLOSED_P99, OPEN_P99],
    rule: rule_co,
    assess,
};

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

/// The series each stack loads a pausing server with: closed loop, then open loop. The
/// check is of the method, so it runs on Rust's clients alone.
const fn roles(stack: Stack) -> &'static [&'static str] {
    match stack {
        Stack::Rust => &[CLOSED_LOOP, OPEN_LOOP],
        Stack::Python => &[],
        // A stack with no series in this claim (a user's own client, a runtime that has
        // not joined it) has nothing to say about it.
        _ => &[],
    }
}

/// The check's figures: both loops' points under the same pause.
struct Figures<'a> {
    closed: &'a Point,
    open: &'a Point,
}

impl<'a> StackFigures<'a> for Figures<'a> {
    fn extract(s: &'a ScenarioResult, stack: Stack) -> Result<Self, Missing> {
        let found = points(s, roles(stack))?;
        Ok(Figures {
            closed: found[0],
            open: found[1],
        })
    }

    fn emit(&self, out: &mut Emitted) {
        out.put(&CLOSED_P99, self.closed.trials.p99_us.median);
        out.put(&OPEN_P99, self.open.trials.p99_us.median);
    }
}

fn assess(claim: &Claim, s: &ScenarioResult) -> ClaimRow {
    let Ok(rust) = Figures::extract(s, Stack::Rust) else {
        return inconclusive(claim, "closed-loop and open-loop series");
    };
    let (c, o) = (rust.closed, rust.open);
    let pause = median_run(o)
        .and_then(|r| r.injected.faults.get("pause").cloned())
        .unwrap_or_else(|| "none".into());
    row(
        claim,
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
        rust.emitted(Stack::Rust),
    )
}
