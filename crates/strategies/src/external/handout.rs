//! The ticket hand-out: core's [`Dispatcher`] decides what is sent and when (the load
//! models are written once, there), and this thread writes each ticket to the client as
//! `t INDEX` at its intended time, while fewer than C are outstanding.
//!
//! The accounting is the Rust workers': a ticket is taken from the dispatcher only once a
//! credit is free (its `taken` time, as a Rust worker takes one when it is free), the
//! thread sleeps to its intended time with core's precise pacing, and the client's sent
//! time completes the triple. So an open-loop request that waited for a credit is a
//! queued send (the target held C requests out: its wait stays in the latency), and only
//! the time from `max(intended, taken)` to the client's send is send lag: the pipe, and
//! any queue of the client's own pattern. Under `--on-error cancel` the reader stops the
//! dispatcher at the first failure and no ticket leaves after it. On an interruption
//! the client is told `stop`; otherwise `end`.

use std::io::Write;
use std::process::ChildStdin;
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Instant;

use waitbench_core::pacing::{SlackRestore, sleep_until};
use waitbench_core::{Dispatcher, interrupt};

use super::outstanding::{Outstanding, POLL};

/// How the hand-out ended.
pub(crate) struct HandedOut {
    /// The client's stdin, still open: closing it lets the client exit.
    pub(crate) stdin: ChildStdin,
    /// Whether an interruption ended it.
    pub(crate) interrupted: bool,
}

/// Starts handing out `dispatcher`'s tickets to `stdin`, at most `credits` outstanding.
pub(crate) fn start(
    mut stdin: ChildStdin,
    dispatcher: Arc<Dispatcher>,
    outstanding: Arc<Outstanding>,
    credits: usize,
) -> JoinHandle<HandedOut> {
    std::thread::Builder::new()
        .name("waitbench-handout".into())
        .spawn(move || {
            let interrupted = hand_out(&mut stdin, &dispatcher, &outstanding, credits);
            let last: &[u8] = if interrupted { b"stop\n" } else { b"end\n" };
            // A client that is gone has nothing to be told; the reader says why.
            let _ = stdin.write_all(last).and_then(|()| stdin.flush());
            HandedOut { stdin, interrupted }
        })
        .expect("a thread for the ticket hand-out")
}

/// Writes tickets until the load is over; returns whether an interruption ended it.
fn hand_out(
    stdin: &mut ChildStdin,
    dispatcher: &Dispatcher,
    outstanding: &Outstanding,
    credits: usize,
) -> bool {
    let _slack = SlackRestore::new();
    let mut line = [0u8; 32];
    loop {
        if !outstanding.wait_for_credit(credits) {
            return interrupt::requested();
        }
        let Some(ticket) = dispatcher.next() else {
            return dispatcher.interrupted();
        };
        if let Some(at) = ticket.intended
            && !wait_until(at)
        {
            return true;
        }
        // A failure under cancel-on-error may have arrived while this ticket waited.
        if dispatcher.is_stopped() || !outstanding.hand(ticket) {
            return false;
        }
        let mut cursor = &mut line[..];
        let written = writeln!(cursor, "t {}", ticket.index).is_ok();
        let len = 32 - cursor.len();
        if !written || stdin.write_all(&line[..len]).is_err() || stdin.flush().is_err() {
            // The client is gone: the reader sees its output end and says so.
            return false;
        }
    }
}

/// Sleeps until `at` (precisely, with core's pacing), looking at the interruption flag
/// on the way; `false` if interrupted.
fn wait_until(at: Instant) -> bool {
    loop {
        if interrupt::requested() {
            return false;
        }
        let left = at.saturating_duration_since(Instant::now());
        if left <= POLL {
            sleep_until(at);
            return true;
        }
        std::thread::sleep((left - POLL).min(POLL));
    }
}
