//! Ctrl-C and SIGTERM for a command that measures: the first signal asks the run to stop
//! and keep what it measured ([`waitbench_core::interrupt`]), a second one quits at once.
//!
//! A signal handler may do almost nothing safely, so the signals are received by a small
//! tokio runtime on a thread of its own, which then has the whole language to speak with.
//! Commands that measure nothing (re-rendering a report, printing completions) have
//! nothing to save and quit at the first signal.

use waitbench_core::interrupt;

/// What the first Ctrl-C or SIGTERM does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FirstSignal {
    /// Stop the load, keep and write what was measured, then exit 130; a second signal
    /// quits at once.
    Stop,
    /// Quit at once: there is nothing measured to keep.
    Quit,
}

/// Installs the handler: `say` is told the signal's name and what happens next (once per
/// signal); quitting exits the process with `code`.
pub fn install(
    first: FirstSignal,
    code: u8,
    say: impl Fn(&str) + Send + 'static,
) -> std::io::Result<()> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    // Registered before returning, so that a signal arriving during the run is ours
    // rather than the default handler's (which would end the process without a code).
    let mut signals = {
        let _context = runtime.enter();
        Signals::register()?
    };
    std::thread::Builder::new()
        .name("waitbench-signals".into())
        .spawn(move || {
            loop {
                let name = runtime.block_on(signals.next());
                if first == FirstSignal::Quit || interrupt::request() {
                    say(&format!("{name} again: quitting at once"));
                    std::process::exit(i32::from(code));
                }
                say(&format!(
                    "{name}: stopping; requests in flight finish and what was measured is \
                     kept (Ctrl-C again quits at once)"
                ));
            }
        })?;
    Ok(())
}

/// Completes on the first Ctrl-C or SIGTERM, naming it: how a long-lived process (the
/// standalone server) stops gracefully. Call it inside a tokio runtime; the signals are
/// registered at once, so one that arrives before the future is polled still counts.
pub fn stop_signal() -> std::io::Result<impl Future<Output = &'static str>> {
    let mut signals = Signals::register()?;
    Ok(async move { signals.next().await })
}

/// The signals that interrupt a run.
struct Signals {
    #[cfg(unix)]
    interrupt: tokio::signal::unix::Signal,
    #[cfg(unix)]
    terminate: tokio::signal::unix::Signal,
}

impl Signals {
    #[cfg(unix)]
    fn register() -> std::io::Result<Self> {
        use tokio::signal::unix::{SignalKind, signal};
        Ok(Signals {
            interrupt: signal(SignalKind::interrupt())?,
            terminate: signal(SignalKind::terminate())?,
        })
    }

    #[cfg(not(unix))]
    fn register() -> std::io::Result<Self> {
        Ok(Signals {})
    }

    /// Waits for the next signal and names it.
    #[cfg(unix)]
    async fn next(&mut self) -> &'static str {
        tokio::select! {
            _ = self.interrupt.recv() => "Ctrl-C (SIGINT)",
            _ = self.terminate.recv() => "SIGTERM",
        }
    }

    /// Waits for the next signal and names it.
    #[cfg(not(unix))]
    async fn next(&mut self) -> &'static str {
        let _ = tokio::signal::ctrl_c().await;
        "Ctrl-C"
    }
}
