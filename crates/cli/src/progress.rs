//! Progress bars that appear only on runs longer than a second, drawn on stderr (and
//! not at all when stderr is not a terminal, so logs stay clean).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// How long a run goes before its progress bar appears.
const SHOW_AFTER: Duration = Duration::from_secs(1);

/// A progress bar fed by a polling closure on its own thread.
pub struct Bar {
    bar: ProgressBar,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Bar {
    /// Starts a bar of `total` units whose position `poll` reports every 100 ms.
    pub fn start(
        message: String,
        total: u64,
        unit: &'static str,
        hidden: bool,
        poll: impl Fn() -> u64 + Send + 'static,
    ) -> Self {
        let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::hidden());
        bar.set_style(
            ProgressStyle::with_template(&format!(
                "{{spinner}} {{msg}} [{{bar:30}}] {{pos}}/{{len}} {unit} ({{elapsed}})"
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
                        bar.set_draw_target(ProgressDrawTarget::stderr());
                        shown = true;
                    }
                    bar.set_position(poll().min(total));
                    std::thread::sleep(Duration::from_millis(100));
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
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
        self.bar.finish_and_clear();
    }
}

impl Drop for Bar {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
        self.bar.finish_and_clear();
    }
}
