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
//!
//! A client that queues tickets and keeps at most C in flight itself may say so in its
//! `ready` line (`tickets_ahead`): in a batch or a closed loop waitbench then keeps that
//! many more outstanding ([`credits`]), so the next ticket is already in the client's
//! queue when a request ends. Without it a client one request at a time waits a pipe
//! round trip for each ticket, a sleep and a wake-up more per request.

use std::io::Write;
use std::process::ChildStdin;
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Instant;

use waitbench_core::pacing::{SlackRestore, sleep_until};
use waitbench_core::{Dispatcher, ErrorPolicy, LoadModel, Workload, interrupt};

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

/// The most tickets a client may take ahead: enough for any queue that saves a wake-up
/// per request, few enough that the hand-out's buffer stays small.
pub(crate) const MAX_TICKETS_AHEAD: usize = 1024;

/// The tickets outstanding at most: the session's `credits` (C, or its takers), and the
/// `tickets_ahead` the client declared in a batch or a closed loop that waits for every
/// request. Never in an open loop, whose tickets leave at their intended times (a ticket
/// queued in the client would leave when a slot frees, not on schedule, and waitbench
/// would no longer see C requests' worth of queueing), and never under `--on-error
/// cancel`, where a ticket held ahead could be sent after the first failure that stops
/// the hand-out.
pub(crate) fn credits(credits: usize, tickets_ahead: usize, workload: &Workload) -> usize {
    let ahead = match workload.load {
        LoadModel::Batch { .. } | LoadModel::ClosedLoop { .. } => tickets_ahead,
        LoadModel::OpenLoop { .. } => 0,
    };
    match workload.on_error {
        ErrorPolicy::WaitAll => credits + ahead,
        ErrorPolicy::Cancel => credits,
    }
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

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::super::workload;
    use super::*;

    #[test]
    fn tickets_ahead_are_granted_in_a_batch_and_a_closed_loop_only() {
        let batch = LoadModel::Batch {
            requests: 10,
            concurrency: 4,
        };
        let closed = LoadModel::ClosedLoop {
            duration: Duration::from_secs(1),
            warmup: Duration::ZERO,
            concurrency: 4,
        };
        let open = LoadModel::OpenLoop {
            rate_per_s: 100.0,
            duration: Duration::from_secs(1),
            warmup: Duration::ZERO,
            max_in_flight: 4,
        };
        let wait = ErrorPolicy::WaitAll;
        assert_eq!(credits(4, 8, &workload(batch.clone(), wait)), 12);
        assert_eq!(credits(4, 8, &workload(closed, wait)), 12);
        assert_eq!(
            credits(4, 0, &workload(batch.clone(), wait)),
            4,
            "none declared"
        );
        assert_eq!(
            credits(4, 8, &workload(open, wait)),
            4,
            "an open loop's schedule"
        );
        assert_eq!(
            credits(4, 8, &workload(batch, ErrorPolicy::Cancel)),
            4,
            "cancel stops at the first failure"
        );
    }
}
