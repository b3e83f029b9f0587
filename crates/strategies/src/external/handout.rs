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
//! the client is told `stop`; otherwise `end`. Tickets due together leave in one write
//! (see [`hand_out`]).

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

/// Starts handing out `dispatcher`'s tickets to `stdin`, at most `credits` outstanding;
/// with no credits (a self-paced client) it only ends the run: `end` at a closed loop's
/// deadline, `stop` on an interruption.
pub(crate) fn start(
    mut stdin: ChildStdin,
    dispatcher: Arc<Dispatcher>,
    outstanding: Arc<Outstanding>,
    credits: Option<usize>,
) -> JoinHandle<HandedOut> {
    std::thread::Builder::new()
        .name("waitbench-handout".into())
        .spawn(move || {
            let interrupted = match credits {
                Some(credits) => hand_out(&mut stdin, &dispatcher, &outstanding, credits),
                None => pace_nothing(&dispatcher, &outstanding),
            };
            let last: &[u8] = if interrupted { b"stop\n" } else { b"end\n" };
            // A client that is gone has nothing to be told; the reader says why.
            let _ = stdin.write_all(last).and_then(|()| stdin.flush());
            HandedOut { stdin, interrupted }
        })
        .expect("a thread for the ticket hand-out")
}

/// The longest ticket line: `t `, a `u64`'s 20 digits, the newline.
const TICKET_LINE: usize = 23;

/// Writes tickets until the load is over; returns whether an interruption ended it.
///
/// The tickets due at once (every free credit of a batch or a closed loop, an open
/// loop's tickets whose time has come) go out in one write, so a client reads them with
/// one read and waitbench wakes once for them; a ticket not yet due first sends those
/// before it, then waits for its time, so batching never delays a send.
fn hand_out(
    stdin: &mut ChildStdin,
    dispatcher: &Dispatcher,
    outstanding: &Outstanding,
    credits: usize,
) -> bool {
    let _slack = SlackRestore::new();
    // Sized for C tickets up front: the loop never allocates.
    let mut lines: Vec<u8> = Vec::with_capacity(credits * TICKET_LINE);
    let mut send = |lines: &mut Vec<u8>| {
        let sent = lines.is_empty() || stdin.write_all(lines).and_then(|()| stdin.flush()).is_ok();
        lines.clear();
        sent
    };
    loop {
        let free = outstanding.wait_for_credit(credits);
        if free == 0 {
            return interrupt::requested();
        }
        for _ in 0..free {
            let Some(ticket) = dispatcher.next() else {
                send(&mut lines);
                return dispatcher.interrupted();
            };
            if let Some(at) = ticket.intended
                && at > Instant::now()
            {
                if !send(&mut lines) {
                    return false;
                }
                if !wait_until(at) {
                    return true;
                }
            }
            // A failure under cancel-on-error may have arrived while this ticket waited.
            if dispatcher.is_stopped() || !outstanding.hand(ticket) {
                send(&mut lines);
                return false;
            }
            // Writing into a Vec with room for it cannot fail.
            let _ = writeln!(lines, "t {}", ticket.index);
        }
        if !send(&mut lines) {
            // The client is gone: the reader sees its output end and says so.
            return false;
        }
    }
}

/// A self-paced run: waits for the window's end (a closed loop's deadline; a batch has
/// none), the conversation's end or an interruption; returns whether it was interrupted.
fn pace_nothing(dispatcher: &Dispatcher, outstanding: &Outstanding) -> bool {
    let deadline = dispatcher.measured_window().end;
    loop {
        let left = deadline.map_or(POLL, |end| end.saturating_duration_since(Instant::now()));
        if outstanding.wait_end(left.min(POLL)) {
            return false;
        }
        if interrupt::requested() {
            return true;
        }
        if deadline.is_some_and(|end| Instant::now() >= end) {
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
