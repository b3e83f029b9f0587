//! The words progress is shown in: which run is under way, how long the rest will take,
//! and the one line a finished run leaves in a log. Kept apart from the drawing (the
//! binary's bars) so the text a CI log records is tested as text.

use std::fmt;
use std::time::{Duration, Instant};

use waitbench_core::units::{format_rps, format_significant};

use crate::runner::Progress;

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

/// What a suite's progress display should show after one runner event.
#[derive(Debug, Clone, PartialEq)]
pub enum Shown {
    /// The suite is planned: this many runs to go.
    Planned(u64),
    /// A run started: the message for a bar (label and ETA).
    Started(String),
    /// A run finished: how many are done, and its line for a log.
    Finished(u64, String),
}

/// A suite's progress as words: counts the runner's [`Progress`] events and turns each
/// into what a bar or a log shows, timed from when it was made.
#[derive(Debug)]
pub struct SuiteTally {
    started: Instant,
    planned: u64,
    done: u64,
    current: Option<RunLabel>,
}

impl Default for SuiteTally {
    fn default() -> Self {
        SuiteTally {
            started: Instant::now(),
            planned: 0,
            done: 0,
            current: None,
        }
    }
}

impl SuiteTally {
    /// Takes in one event of the runner and says what to show for it.
    pub fn on(&mut self, event: Progress<'_>) -> Shown {
        let elapsed = self.started.elapsed();
        match event {
            Progress::Planned { runs } => {
                self.planned = runs;
                Shown::Planned(runs)
            }
            Progress::RunStarted {
                claim,
                series,
                x,
                trial,
                trials,
            } => {
                let label = RunLabel {
                    claim: claim.to_string(),
                    series: series.to_string(),
                    x,
                    trial,
                    trials,
                };
                let message = match eta(elapsed, self.done, self.planned) {
                    Some(eta) => format!("{label} · ETA {}", clock(eta)),
                    None => label.to_string(),
                };
                self.current = Some(label);
                Shown::Started(message)
            }
            Progress::RunFinished { result } => {
                self.done += 1;
                let line = self.current.as_ref().map_or_else(String::new, |label| {
                    finished_line(
                        label,
                        self.done,
                        self.planned,
                        result.throughput_rps,
                        elapsed,
                    )
                });
                Shown::Finished(self.done, line)
            }
        }
    }
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
    fn the_tally_numbers_finished_runs_against_the_plan_and_labels_them() {
        let text = include_str!("../../report/tests/fixtures/small-results.json");
        let suite: waitbench_core::SuiteResults = serde_json::from_str(text).unwrap();
        let result = &suite.scenarios[0].series[0].points[0].trials.trials[0];
        let mut tally = SuiteTally::default();
        assert_eq!(tally.on(Progress::Planned { runs: 4 }), Shown::Planned(4));
        let started = tally.on(Progress::RunStarted {
            claim: "C",
            series: "async",
            x: 100.0,
            trial: 1,
            trials: 2,
        });
        // No run has finished: nothing to extrapolate an ETA from.
        assert_eq!(
            started,
            Shown::Started("C · async · x=100 · trial 1/2".into())
        );
        match tally.on(Progress::RunFinished { result }) {
            Shown::Finished(1, line) => {
                assert!(
                    line.starts_with("[1/4] C · async · x=100 · trial 1/2 · "),
                    "{line}"
                );
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_clock_counts_hours_past_a_day() {
        assert_eq!(clock(Duration::from_secs(133)), "00:02:13");
        assert_eq!(clock(Duration::from_secs(90_061)), "25:01:01");
    }
}
