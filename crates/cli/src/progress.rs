//! Progress on stderr, in the form the place it lands in can show: a bar as wide as the
//! terminal when stderr is one, and one plain line per finished run when it is not, so
//! that a 12-minute suite in a CI log is never silent. `--quiet` silences both.
//!
//! Bars appear only on runs longer than a second; a line is written whatever the length,
//! because a log has no way to redraw and each line is a record of a finished run.

use std::io::IsTerminal;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use waitbench_suite::Progress;
use waitbench_suite::progress::{Shown, SuiteTally};

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

/// Clears a progress bar's line first when stderr is a terminal, so a message does not
/// run on from the bar.
pub fn clear_line() -> &'static str {
    if std::io::stderr().is_terminal() {
        "\r\x1b[2K"
    } else {
        ""
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
        if !hidden && !std::io::stderr().is_terminal() {
            // A log cannot show the bar: one line says the load has begun, so that a
            // long run is not taken for a hang (and a script can wait for it).
            eprintln!("measuring {message}…");
        }
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

/// A suite's progress, fed by the runner's [`Progress`] events and shown in a [`Mode`].
pub struct SuiteProgress {
    mode: Mode,
    tally: SuiteTally,
    done: Arc<AtomicU64>,
    bar: Option<Bar>,
}

impl SuiteProgress {
    /// Progress shown as `mode` says, timed from now.
    pub fn new(mode: Mode) -> Self {
        SuiteProgress {
            mode,
            tally: SuiteTally::default(),
            done: Arc::new(AtomicU64::new(0)),
            bar: None,
        }
    }

    /// Takes in one event of the runner.
    pub fn on(&mut self, event: Progress<'_>) {
        match (self.tally.on(event), self.mode) {
            (_, Mode::Quiet) => {}
            (Shown::Planned(runs), Mode::Bar) => {
                let done = Arc::clone(&self.done);
                let poll = move || done.load(Ordering::Relaxed);
                self.bar = Some(Bar::start("starting".into(), runs, "runs", false, poll));
            }
            (Shown::Planned(runs), Mode::Lines) => eprintln!("{runs} runs planned"),
            (Shown::Started(message), _) => {
                if let Some(bar) = &self.bar {
                    bar.set_message(message);
                }
            }
            (Shown::Finished(done, line), mode) => {
                self.done.store(done, Ordering::Relaxed);
                if mode == Mode::Lines {
                    eprintln!("{line}");
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

    #[test]
    fn quiet_wins_over_whatever_stderr_is() {
        assert_eq!(Mode::detect(true), Mode::Quiet);
    }
}
