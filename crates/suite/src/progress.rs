//! The words progress is shown in: which run is under way, how long the rest will take,
//! and the one line a finished run leaves in a log. Kept apart from the drawing (the
//! binary's bars) so the text a CI log records is tested as text.

use std::fmt;
use std::time::Duration;

use waitbench_core::units::{format_rps, format_significant};

/// The run under way: which claim, series, point and trial.
#[derive(Debug, Clone, PartialEq)]
pub struct RunLabel {
    /// Claim id.
    pub claim: String,
    /// Series label.
    pub series: String,
    /// The point's x.
    pub x: f64,
    /// Trial number from 1.
    pub trial: usize,
    /// Trials of this point.
    pub trials: usize,
}

impl fmt::Display for RunLabel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} · {} · x={} · trial {}/{}",
            self.claim,
            self.series,
            format_significant(self.x, 4),
            self.trial,
            self.trials
        )
    }
}

/// The time the runs not yet done will take if each takes the mean of those done;
/// `None` before the first run ends, when there is nothing to extrapolate from.
pub fn eta(elapsed: Duration, done: u64, planned: u64) -> Option<Duration> {
    if done == 0 {
        return None;
    }
    let remaining = planned.saturating_sub(done);
    Some(elapsed.mul_f64(remaining as f64 / done as f64))
}

/// The log line of a finished run: how far the suite is, which run, its throughput, the
/// time so far and the estimated time left.
pub fn finished_line(
    label: &RunLabel,
    done: u64,
    planned: u64,
    throughput_rps: f64,
    elapsed: Duration,
) -> String {
    let eta = eta(elapsed, done, planned).map_or("–".to_string(), clock);
    format!(
        "[{done}/{planned}] {label} · {} · elapsed {} · ETA {eta}",
        format_rps(throughput_rps),
        clock(elapsed)
    )
}

/// A duration as a clock reads, `HH:MM:SS`, as progress bars show elapsed time.
pub fn clock(d: Duration) -> String {
    let s = d.as_secs();
    format!("{:02}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn label() -> RunLabel {
        RunLabel {
            claim: "C".into(),
            series: "ureq on threads (right-sized)".into(),
            x: 300.0,
            trial: 2,
            trials: 3,
        }
    }

    #[test]
    fn eta_extrapolates_the_mean_run_to_the_runs_left() {
        let eta = eta(Duration::from_secs(120), 12, 48);
        assert_eq!(eta, Some(Duration::from_secs(360)));
    }

    #[test]
    fn eta_is_unknown_before_the_first_run_and_zero_after_the_last() {
        assert_eq!(eta(Duration::from_secs(5), 0, 48), None);
        assert_eq!(eta(Duration::from_secs(700), 48, 48), Some(Duration::ZERO));
        // A re-measurement can finish more runs than a stale plan counted.
        assert_eq!(eta(Duration::from_secs(700), 50, 48), Some(Duration::ZERO));
    }

    #[test]
    fn a_finished_run_is_one_line_with_claim_series_x_trial_throughput_elapsed_and_eta() {
        let line = finished_line(&label(), 12, 48, 14_812.4, Duration::from_secs(133));
        assert_eq!(
            line,
            "[12/48] C · ureq on threads (right-sized) · x=300 · trial 2/3 · 14,812 req/s · \
             elapsed 00:02:13 · ETA 00:06:39"
        );
        assert!(!line.contains('\n'));
    }

    #[test]
    fn the_first_line_has_an_eta_and_fractional_x_keeps_its_digits() {
        let label = RunLabel { x: 0.5, ..label() };
        let line = finished_line(&label, 1, 4, 97.34, Duration::from_secs(10));
        assert!(line.contains("x=0.5"), "{line}");
        assert!(line.contains("97.3 req/s"), "{line}");
        assert!(line.ends_with("ETA 00:00:30"), "{line}");
    }

    #[test]
    fn a_clock_counts_hours_past_a_day() {
        assert_eq!(clock(Duration::from_secs(133)), "00:02:13");
        assert_eq!(clock(Duration::from_secs(90_061)), "25:01:01");
    }
}
