//! A suite's progress: the events the runner reports ([`Progress`]) and the words they
//! are shown in: which run is under way, how long the rest will take, and the one line a
//! finished run leaves in a log. Kept apart from the drawing (the
//! binary's bars) so the text a CI log records is tested as text.

use std::fmt;
use std::time::{Duration, Instant};

use waitbench_core::littles_law::batch_time;
use waitbench_core::units::{format_rps, format_significant};
use waitbench_core::{LoadModel, RunResult};

/// Where the suite is: reported to the caller's progress callback.
#[derive(Debug, Clone)]
pub enum Progress<'a> {
    /// The suite is planned: this many runs (points × trials) will be measured.
    Planned {
        /// Runs in all.
        runs: u64,
        /// What they are expected to take, added up ([`crate::progress::expected_run`]).
        expected: Duration,
    },
    /// One run (a trial of a point) starts.
    RunStarted {
        /// Claim id.
        claim: &'a str,
        /// Series label.
        series: &'a str,
        /// The point's x.
        x: f64,
        /// Trial number from 1.
        trial: usize,
        /// Trials of this point.
        trials: usize,
        /// What it is expected to take.
        expected: Duration,
    },
    /// One run finished with this result.
    RunFinished {
        /// Its result.
        result: &'a RunResult,
    },
}

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

/// What one run costs beyond its load: the server's counters reset, the client's pools
/// and runtime built and dropped. The reference run spent 0.17 s per run outside its
/// warm-ups and windows (1,022 s in all, 980 s of them loaded, 242 runs); measured
/// runs correct it, so it only has to be of the right size for the first estimate.
pub const RUN_OVERHEAD: Duration = Duration::from_millis(200);

/// How long one run should take before any has been timed: its warm-up and window, or
/// for a batch the waves Little's law predicts (ceil(N / in-flight) × L), plus
/// [`RUN_OVERHEAD`]. A mean of runs would not do: a suite's runs differ a hundredfold
/// (A's 60 s sequential batch against a 120 ms fan-out).
pub fn expected_run(load: &LoadModel, in_flight: usize, latency: Duration) -> Duration {
    let load = match load {
        LoadModel::Batch { requests, .. } => batch_time(*requests, in_flight, latency),
        LoadModel::ClosedLoop {
            duration, warmup, ..
        }
        | LoadModel::OpenLoop {
            duration, warmup, ..
        } => *duration + *warmup,
    };
    load + RUN_OVERHEAD
}

/// The time the runs not yet done will take: what they were expected to take, scaled by
/// how long the finished runs took against what they were expected to take (a busy or a
/// slower machine stretches every run alike). Before the first run ends the expectation
/// stands alone.
pub fn eta(elapsed: Duration, expected_done: Duration, expected_total: Duration) -> Duration {
    let left = expected_total.saturating_sub(expected_done);
    if expected_done.is_zero() {
        return left;
    }
    left.mul_f64(elapsed.as_secs_f64() / expected_done.as_secs_f64())
}

/// The log line of a finished run: how far the suite is, which run, its throughput, the
/// time so far and the estimated time left.
pub fn finished_line(
    label: &RunLabel,
    done: u64,
    planned: u64,
    throughput_rps: f64,
    elapsed: Duration,
    eta: Duration,
) -> String {
    format!(
        "[{done}/{planned}] {label} · {} · elapsed {} · ETA {}",
        format_rps(throughput_rps),
        clock(elapsed),
        clock(eta)
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
    /// What every planned run is expected to take, added up.
    expected_total: Duration,
    /// What the finished runs were expected to take, added up.
    expected_done: Duration,
    /// The run under way, and what it is expected to take.
    current: Option<(RunLabel, Duration)>,
}

impl Default for SuiteTally {
    fn default() -> Self {
        SuiteTally {
            started: Instant::now(),
            planned: 0,
            done: 0,
            expected_total: Duration::ZERO,
            expected_done: Duration::ZERO,
            current: None,
        }
    }
}

impl SuiteTally {
    /// Takes in one event of the runner and says what to show for it.
    pub fn on(&mut self, event: Progress<'_>) -> Shown {
        let elapsed = self.started.elapsed();
        match event {
            Progress::Planned { runs, expected } => {
                self.planned = runs;
                self.expected_total = expected;
                Shown::Planned(runs)
            }
            Progress::RunStarted {
                claim,
                series,
                x,
                trial,
                trials,
                expected,
            } => {
                let label = RunLabel {
                    claim: claim.to_string(),
                    series: series.to_string(),
                    x,
                    trial,
                    trials,
                };
                let eta = eta(elapsed, self.expected_done, self.expected_total);
                let message = format!("{label} · ETA {}", clock(eta));
                self.current = Some((label, expected));
                Shown::Started(message)
            }
            Progress::RunFinished { result } => {
                self.done += 1;
                let line = self
                    .current
                    .take()
                    .map_or_else(String::new, |(label, expected)| {
                        self.expected_done += expected;
                        let eta = eta(elapsed, self.expected_done, self.expected_total);
                        finished_line(
                            &label,
                            self.done,
                            self.planned,
                            result.throughput_rps,
                            elapsed,
                            eta,
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

    const S: fn(u64) -> Duration = Duration::from_secs;

    #[test]
    fn the_eta_of_an_untimed_plan_is_what_its_runs_are_expected_to_take() {
        assert_eq!(eta(S(0), S(0), S(1020)), S(1020));
    }

    #[test]
    fn the_eta_scales_the_runs_left_by_how_the_finished_ones_kept_time() {
        // The runs done were expected to take 100 s and took 150 s: the 900 s left will
        // take half as long again.
        assert_eq!(eta(S(150), S(100), S(1000)), S(1350));
        assert_eq!(eta(S(700), S(1000), S(1000)), S(0));
        // A re-measurement can finish more than a stale plan counted.
        assert_eq!(eta(S(700), S(1100), S(1000)), S(0));
    }

    #[test]
    fn a_long_first_batch_does_not_inflate_the_eta_of_short_runs() {
        // A's sequential batch: 500 requests one at a time at 120 ms, 60 s; then 100
        // closed-loop runs of 2 s each. A mean per run would say 99 × 60 s after the
        // first; the plan says what the runs left really are.
        let batch = LoadModel::Batch {
            requests: 500,
            concurrency: 1,
        };
        let first = expected_run(&batch, 1, Duration::from_millis(120));
        assert_eq!(first, S(60) + RUN_OVERHEAD);
        let closed = LoadModel::ClosedLoop {
            concurrency: 100,
            duration: S(1),
            warmup: S(1),
        };
        let each = expected_run(&closed, 100, Duration::from_millis(120));
        assert_eq!(each, S(2) + RUN_OVERHEAD);
        let total = first + each * 100;
        let after_first = eta(first, first, total);
        assert_eq!(after_first, each * 100);
        assert!(after_first < Duration::from_secs(5 * 60), "{after_first:?}");
    }

    #[test]
    fn a_batch_is_expected_to_take_its_waves() {
        let batch = LoadModel::Batch {
            requests: 500,
            concurrency: 100,
        };
        // A pool of 6 keeps 6 in flight: 84 waves of 50 ms.
        let expected = expected_run(&batch, 6, Duration::from_millis(50));
        assert_eq!(expected, Duration::from_millis(4200) + RUN_OVERHEAD);
    }

    #[test]
    fn a_finished_run_is_one_line_with_claim_series_x_trial_throughput_elapsed_and_eta() {
        let line = finished_line(&label(), 12, 48, 14_812.4, S(133), S(399));
        assert_eq!(
            line,
            "[12/48] C · ureq on threads (right-sized) · x=300 · trial 2/3 · 14,812 req/s · \
             elapsed 00:02:13 · ETA 00:06:39"
        );
        assert!(!line.contains('\n'));
    }

    #[test]
    fn fractional_x_keeps_its_digits() {
        let label = RunLabel { x: 0.5, ..label() };
        let line = finished_line(&label, 1, 4, 97.34, S(10), S(30));
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
        let planned = Progress::Planned {
            runs: 4,
            expected: S(4 * 60),
        };
        assert_eq!(tally.on(planned), Shown::Planned(4));
        let started = tally.on(Progress::RunStarted {
            claim: "C",
            series: "async",
            x: 100.0,
            trial: 1,
            trials: 2,
            expected: S(60),
        });
        // No run has finished: the plan's expectation stands alone.
        assert_eq!(
            started,
            Shown::Started("C · async · x=100 · trial 1/2 · ETA 00:04:00".into())
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
