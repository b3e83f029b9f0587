//! Latency above the injected delay. When the mock server injects a fixed delay L, every
//! request takes at least L, and what strategies differ by (timer overshoot, queueing, a
//! late thread wake-up) is a few ms on top of it; on an axis from 0 that disappears under
//! L. So the latency charts plot what comes on top of L, on a log scale. With a
//! distribution of delays there is no floor to subtract, and latency is drawn as measured.

use waitbench_core::RunResult;

use crate::figures::fmt_us;

/// How far below L the fastest request may be recorded with L still a floor:
/// HdrHistogram's 3 significant digits record a value up to 0.1 % low, while a
/// distribution of delays puts its fastest request far below its mean.
const FLOOR_TOLERANCE: f64 = 0.01;

/// The delay in µs that every one of `trials` was injected and that each of their
/// requests took at least; `None` for no delay, different delays, or a distribution.
pub(crate) fn fixed_delay_us<'a>(trials: impl IntoIterator<Item = &'a RunResult>) -> Option<f64> {
    let mut delay: Option<f64> = None;
    for trial in trials {
        let l = trial.injected.mean_latency_us;
        let same = delay.is_none_or(|d| (d - l).abs() <= d * 1e-6);
        let floor = trial.latency.count == 0 || trial.latency.min_us >= l * (1.0 - FLOOR_TOLERANCE);
        if !(l > 0.0 && l.is_finite() && same && floor) {
            return None;
        }
        delay = Some(l);
    }
    delay
}

/// The y-axis description of `figure` (e.g. `p99`) above the delay `delay_us`, in ms.
pub(crate) fn axis_desc(figure: &str, delay_us: f64) -> String {
    format!("{figure} above the injected {} (ms, log)", fmt_us(delay_us))
}

/// The note that says what such a chart plots.
pub(crate) fn note(delay_us: f64) -> String {
    format!(
        "Plotted: latency minus the {} delay the server injects into every request, on a \
         log scale, so that the milliseconds the client and its runtime add can be compared.",
        fmt_us(delay_us)
    )
}

#[cfg(test)]
mod tests {
    use waitbench_core::{LatencySummary, RunResult};

    use super::*;

    /// A trial with `injected_us` injected whose fastest request took `min_us`.
    fn trial(injected_us: f64, min_us: f64) -> RunResult {
        let suite: waitbench_core::SuiteResults =
            serde_json::from_str(include_str!("../../tests/fixtures/small-results.json"))
                .expect("the test fixture parses");
        let mut trial = suite.scenarios[0].series[0].points[0].trials.trials[0].clone();
        trial.injected.mean_latency_us = injected_us;
        trial.latency = LatencySummary {
            count: 100,
            min_us,
            ..LatencySummary::default()
        };
        trial
    }

    #[test]
    fn a_fixed_delay_every_request_waits_is_a_floor() {
        // HdrHistogram records 500 ms as 499.968 ms: still the floor.
        let trials = [trial(500_000.0, 499_968.0), trial(500_000.0, 500_200.0)];
        assert_eq!(fixed_delay_us(&trials), Some(500_000.0));
    }

    #[test]
    fn a_distribution_of_delays_or_none_is_no_floor() {
        // lognormal(median=20ms, p99=120ms): the fastest request is far below the mean.
        assert_eq!(fixed_delay_us(&[trial(36_000.0, 4_000.0)]), None);
        assert_eq!(fixed_delay_us(&[trial(0.0, 150.0)]), None);
    }

    #[test]
    fn trials_with_different_delays_share_no_floor() {
        let trials = [trial(500_000.0, 500_100.0), trial(20_000.0, 20_100.0)];
        assert_eq!(fixed_delay_us(&trials), None);
    }
}
