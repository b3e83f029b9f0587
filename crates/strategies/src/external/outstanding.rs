//! The tickets a client holds: handed out and not yet reported. Their count is the credit
//! protocol 1 runs on (waitbench hands out a ticket only while fewer than C are
//! outstanding), and each keeps the [`Ticket`] its `r` line is replayed with (intended
//! and taken times, whether it is in the measured window).
//!
//! One lock guards the table and the end of the conversation, with one condition
//! variable: the hand-out thread waits on it for a credit, the watchdog for the end.
//! The table is sized for C up front, so handing out and reporting never allocate.

use std::collections::HashMap;
use std::sync::{Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use waitbench_core::Ticket;

/// How often a wait looks at the interruption flag.
pub(crate) const POLL: Duration = Duration::from_millis(20);

/// The outstanding tickets and whether the conversation has ended.
#[derive(Debug)]
pub(crate) struct Outstanding {
    state: Mutex<State>,
    changed: Condvar,
}

#[derive(Debug)]
struct State {
    tickets: HashMap<u64, Ticket>,
    ended: bool,
}

impl Outstanding {
    /// An empty table for up to `credits` tickets.
    pub(crate) fn new(credits: usize) -> Self {
        Outstanding {
            state: Mutex::new(State {
                tickets: HashMap::with_capacity(credits),
                ended: false,
            }),
            changed: Condvar::new(),
        }
    }

    /// Makes room for `credits` tickets (C and the tickets a client takes ahead), so
    /// that handing them out never allocates.
    pub(crate) fn reserve(&self, credits: usize) {
        let mut state = self.lock();
        let more = credits.saturating_sub(state.tickets.len());
        state.tickets.reserve(more);
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Waits until fewer than `credits` tickets are outstanding and returns how many
    /// credits are free; 0 when the conversation ended or the process was interrupted
    /// first.
    pub(crate) fn wait_for_credit(&self, credits: usize) -> usize {
        let mut state = self.lock();
        loop {
            if state.ended || waitbench_core::interrupt::requested() {
                return 0;
            }
            if state.tickets.len() < credits {
                return credits - state.tickets.len();
            }
            state = self
                .changed
                .wait_timeout(state, POLL)
                .unwrap_or_else(|e| e.into_inner())
                .0;
        }
    }

    /// Records `ticket` as handed out; `false` (and nothing recorded) when the
    /// conversation has ended.
    pub(crate) fn hand(&self, ticket: Ticket) -> bool {
        let mut state = self.lock();
        if state.ended {
            return false;
        }
        state.tickets.insert(ticket.index, ticket);
        true
    }

    /// Takes back ticket `index` (its `r` line arrived); `None` if it is not outstanding.
    /// The credit is free at once, but the hand-out is woken only by [`Self::wake`]: the
    /// reader calls it once for the lines one read brought, so that the credits they
    /// return go out as one write of several tickets, not one wake-up and one write each.
    pub(crate) fn report(&self, index: u64) -> Option<Ticket> {
        self.lock().tickets.remove(&index)
    }

    /// Wakes the hand-out to the credits reported since the last call.
    pub(crate) fn wake(&self) {
        self.changed.notify_all();
    }

    /// Ends the conversation: no ticket is handed out after this.
    pub(crate) fn end(&self) {
        self.lock().ended = true;
        self.changed.notify_all();
    }

    /// Waits up to `within` for the conversation to end; returns whether it did.
    pub(crate) fn wait_end(&self, within: Duration) -> bool {
        let deadline = Instant::now() + within;
        let mut state = self.lock();
        while !state.ended {
            let now = Instant::now();
            if now >= deadline {
                return false;
            }
            state = self
                .changed
                .wait_timeout(state, deadline - now)
                .unwrap_or_else(|e| e.into_inner())
                .0;
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ticket(index: u64) -> Ticket {
        Ticket::unpaced(index, true)
    }

    #[test]
    fn a_credit_comes_back_with_its_report_and_a_report_counts_once() {
        let outstanding = Outstanding::new(3);
        assert_eq!(outstanding.wait_for_credit(3), 3);
        for index in 0..3 {
            assert!(outstanding.hand(ticket(index)));
        }
        let waiter = std::thread::scope(|scope| {
            let waiting = scope.spawn(|| outstanding.wait_for_credit(3));
            std::thread::sleep(Duration::from_millis(30));
            assert_eq!(outstanding.report(1), Some(ticket(1)));
            assert_eq!(outstanding.report(2), Some(ticket(2)));
            outstanding.wake();
            waiting.join().unwrap()
        });
        assert_eq!(waiter, 2, "the reports returned two credits");
        assert_eq!(outstanding.report(1), None, "reported twice");
        assert_eq!(outstanding.report(7), None, "never handed out");
        outstanding.end();
        assert_eq!(outstanding.wait_for_credit(3), 0);
        assert!(!outstanding.hand(ticket(2)));
        assert!(outstanding.wait_end(Duration::ZERO));
    }
}
