//! The process-wide request to stop a run early, made by the first Ctrl-C or SIGTERM.
//!
//! A signal arrives on whatever thread the OS picks, while the load is spread over
//! threads, pool jobs and tasks that know nothing of each other; what they all share is
//! the [`Dispatcher`](crate::Dispatcher), which asks [`requested`] before every ticket.
//! So an interruption stops the load where it is made, within one request of each
//! worker, and the run then ends as any run does: its recorders are collected, its
//! accounting checked, and what was measured is kept and marked interrupted. One flag per
//! process is the right scope, because a signal is addressed to the process.

use std::sync::atomic::{AtomicBool, Ordering};

static REQUESTED: AtomicBool = AtomicBool::new(false);

/// Asks every run in this process to stop handing out requests; returns whether a stop
/// had already been asked for (a second Ctrl-C, which the caller may treat as "quit now").
pub fn request() -> bool {
    REQUESTED.swap(true, Ordering::SeqCst)
}

/// Whether a stop has been asked for. One relaxed load: cheap enough for every ticket.
pub fn requested() -> bool {
    REQUESTED.load(Ordering::Relaxed)
}
