//! Progress on stderr, in the form the place it lands in can show: a bar as wide as the
//! terminal when stderr is one, and one plain line per finished run when it is not, so
//! that a 12-minute suite in a CI log is never silent. `--quiet` silences both.
//!
//! Bars appear only on runs longer than a second; a line is written whatever the length,
//! because a log has no way to redraw and each line is a record of a finished run.

use std::fmt;
use std::io::IsTerminal;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use indicatif::{FormattedDuration, ProgressBar, ProgressDrawTarget, ProgressStyle};
use waitbench_core::units::{format_rps, format_significant};
use waitbench_suite::Progress;

/// How long a run goes before its progress bar appears.
const SHOW_AFTER: Duration = Duration::from_secs(1);

/// How often a bar's position is polled.
const POLL_EVERY: Duration = Duration::from_millis(100);

/// How progress is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Nothing (`--quiet`).
    Quiet,
    /// A bar redrawn in place: stderr is a terminal.
    Bar,
    /// One line per finished run: stderr is a log or a pipe.
    Lines,
}

impl Mode {
    /// The mode for this process: nothing when `quiet`, else a bar when stderr is a
    /// terminal and lines when it is not.
    pub fn detect(quiet: bool) -> Mode {
        if quiet {
            Mode::Quiet
        } else if std::io::stderr().is_terminal() {
            Mode::Bar
        } else {
            Mode::Lines
        }
    }
}

/// A progress bar fed by a polling closure on its own thread.
pub struct Bar {
    bar: ProgressBar,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Bar {
    /// Starts a bar of `total` units whose position `poll` reports every 100 ms; the
    /// message line and the bar line each take the terminal's whole width.
    pub fn start(
        message: String,
        total: u64,
        unit: &'static str,
        hidden: bool,
        poll: impl Fn() -> u64 + Send + 'static,
    ) -> Self {
        let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::hidden());
        // `wide_msg` and `wide_bar` are sized by indicatif from the terminal stderr is, on
        // every redraw, so a resized window or a long series label never wraps the line.
        bar.set_style(
            ProgressStyle::with_template(&format!(
                "{{spinner}} {{wide_msg}}\n  [{{wide_bar}}] {{pos}}/{{len}} {unit} \
                 {{elapsed_precise}}"
            ))
            .expect("static template is valid")
            .progress_chars("=> "),
        );
        bar.set_message(message);
        let stop = Arc::new(AtomicBool::new(false));
        let thread = {
            let bar = bar.clone();
            let stop = Arc::clone(&stop);
            std::thread::spawn(move || {
                let started = Instant::now();
                let mut shown = false;
                while !stop.load(Ordering::Relaxed) {
                    if !shown && !hidden && started.elapsed() >= SHOW_AFTER {
                        // Hidden by indicatif itself when stderr is not a terminal.
                        bar.set_draw_target(ProgressDrawTarget::stderr());
                        shown = true;
                    }
                    bar.set_position(poll().min(total));
                    std::thread::sleep(POLL_EVERY);
                }
            })
        };
        Bar {
            bar,
            stop,
            thread: Some(thread),
        }
    }

    /// Changes the message (e.g. the current scenario and trial).
    pub fn set_message(&self, message: String) {
        self.bar.set_message(message);
    }

    /// Removes the bar.
    pub fn finish(mut self) {
        self.close();
    }

    /// Stops the poller and clears the bar; a second call does nothing more.
    fn close(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
        self.bar.finish_and_clear();
    }
}

impl Drop for Bar {
    fn drop(&mut self) {
        self.close();
    }
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
    let eta = eta(elapsed, done, planned)
        .map_or("–".to_string(), |eta| FormattedDuration(eta).to_string());
    format!(
        "[{done}/{planned}] {label} · {} · elapsed {} · ETA {eta}",
        format_rps(throughput_rps),
        FormattedDuration(elapsed)
    )
}

/// A suite's progress, fed by the runner's [`Progress`] events and shown in a [`Mode`].
pub struct SuiteProgress {
    mode: Mode,
    started: Instant,
    planned: u64,
    done: Arc<AtomicU64>,
    current: Option<RunLabel>,
    bar: Option<Bar>,
}

impl SuiteProgress {
    /// Progress shown as `mode` says, timed from now.
    pub fn new(mode: Mode) -> Self {
        SuiteProgress {
            mode,
            started: Instant::now(),
            planned: 0,
            done: Arc::new(AtomicU64::new(0)),
            current: None,
            bar: None,
        }
    }

    /// Takes in one event of the runner.
    pub fn on(&mut self, event: Progress<'_>) {
        match event {
            Progress::Planned { runs } => {
                self.planned = runs;
                match self.mode {
                    Mode::Bar => {
                        let done = Arc::clone(&self.done);
                        self.bar = Some(Bar::start(
                            "starting".into(),
                            runs,
                            "runs",
                            false,
                            move || done.load(Ordering::Relaxed),
                        ));
                    }
                    Mode::Lines => eprintln!("{runs} runs planned"),
                    Mode::Quiet => {}
                }
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
                if let Some(bar) = &self.bar {
                    let done = self.done.load(Ordering::Relaxed);
                    let eta = eta(self.started.elapsed(), done, self.planned);
                    bar.set_message(match eta {
                        Some(eta) => format!("{label} · ETA {}", FormattedDuration(eta)),
                        None => label.to_string(),
                    });
                }
                self.current = Some(label);
            }
            Progress::RunFinished { result } => {
                let done = self.done.fetch_add(1, Ordering::Relaxed) + 1;
                if let (Mode::Lines, Some(label)) = (self.mode, &self.current) {
                    eprintln!(
                        "{}",
                        finished_line(
                            label,
                            done,
                            self.planned,
                            result.throughput_rps,
                            self.started.elapsed()
                        )
                    );
                }
            }
        }
    }

    /// Removes the bar, if one was drawn.
    pub fn finish(self) {
        if let Some(bar) = self.bar {
            bar.finish();
        }
    }
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
    fn quiet_wins_over_whatever_stderr_is() {
        assert_eq!(Mode::detect(true), Mode::Quiet);
    }
}
