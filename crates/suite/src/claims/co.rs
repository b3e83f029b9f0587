//! The method check: closed-loop load hides server pauses (coordinated omission).

use super::*;

pub(super) const CLOSED_LOOP: &str = "closed-loop";
pub(super) const OPEN_LOOP: &str = "open-loop";

pub(super) const CLAIM: Claim = Claim {
    id: "CO",
    claim: "method: closed-loop load hides server pauses",
    claimed: "coordinated omission",
    required_roles: &[CLOSED_LOOP, OPEN_LOOP],
    optional_roles: &[],
    figures: &[lower("closed_p99_us", "µs"), higher("open_p99_us", "µs")],
    rule: rule_co,
    judge: claim_co,
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
