//! Whether an open loop kept its rate second by second, not only over the whole run.
//!
//! A whole-run figure (40,000 sends in 4 s) hides a harness that fell behind for a second
//! and caught up in a burst: the target then saw neither the requested rate nor a steady
//! one. The per-second timeline already counts the requests that finished in each second
//! of the run; over every whole second inside the measured window (once warm: the warm-up
//! and the partial last second are left out), the worst one's deviation from the
//! requested rate is the figure a run reports. Requests finish about one latency after
//! they leave, so a second's completions are the sends of a second shifted by that
//! latency: the same rate whenever the latency is steady.

use std::time::Duration;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::timeline::TimelineSecond;

/// The measured second whose achieved rate strayed furthest from the requested one.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct RateWindow {
    /// Seconds from the start of the run (warm-up included) to the start of the window.
    pub second: u32,
    /// Requests that finished in that second (a one-second window, so per second).
    pub achieved_rps: f64,
    /// (achieved − requested) ÷ requested: −0.01 is 1% short of the requested rate.
    pub deviation: f64,
}

/// The worst whole second of `timeline` inside the measured window, which opens after
/// `warmup` and lasts `duration`, against `requested_rps`; `None` when the window holds
/// no whole second (or no rate was requested).
pub fn worst_window(
    timeline: &[TimelineSecond],
    warmup: Duration,
    duration: Duration,
    requested_rps: f64,
) -> Option<RateWindow> {
    if requested_rps <= 0.0 {
        return None;
    }
    let end = warmup + duration;
    timeline
        .iter()
        .filter(|s| {
            let start = Duration::from_secs(u64::from(s.second));
            start >= warmup && start + Duration::from_secs(1) <= end
        })
        .map(|s| RateWindow {
            second: s.second,
            achieved_rps: s.completed as f64,
            deviation: (s.completed as f64 - requested_rps) / requested_rps,
        })
        .max_by(|a, b| a.deviation.abs().total_cmp(&b.deviation.abs()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seconds(completed: &[u64]) -> Vec<TimelineSecond> {
        completed
            .iter()
            .enumerate()
            .map(|(i, &n)| TimelineSecond {
                second: i as u32,
                completed: n,
                ..TimelineSecond::default()
            })
            .collect()
    }

    #[test]
    fn the_worst_whole_measured_second_is_reported_with_its_sign() {
        // Second 0 is warm-up, second 4 is partial: neither is judged, however far off.
        let timeline = seconds(&[10, 1_000, 990, 1_004, 3]);
        let worst = worst_window(
            &timeline,
            Duration::from_secs(1),
            Duration::from_millis(3_500),
            1_000.0,
        )
        .unwrap();
        assert_eq!(worst.second, 2);
        assert_eq!(worst.achieved_rps, 990.0);
        assert!((worst.deviation + 0.01).abs() < 1e-12);
    }

    #[test]
    fn a_window_without_a_whole_second_has_no_worst() {
        let timeline = seconds(&[500, 500]);
        let short = Duration::from_millis(900);
        assert_eq!(
            worst_window(&timeline, Duration::ZERO, short, 1_000.0),
            None
        );
        assert_eq!(
            worst_window(&timeline, Duration::ZERO, Duration::from_secs(2), 0.0),
            None
        );
    }

    #[test]
    fn a_fractional_warm_up_leaves_out_the_second_it_ends_in() {
        let timeline = seconds(&[100, 40, 100, 100]);
        let worst = worst_window(
            &timeline,
            Duration::from_millis(1_500),
            Duration::from_millis(2_500),
            100.0,
        )
        .unwrap();
        assert_eq!(worst.deviation, 0.0, "second 1 began in the warm-up");
    }
}
