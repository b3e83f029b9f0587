//! Waiting for an open-loop ticket's intended send time, to within tens of microseconds.
//!
//! An open-loop latency runs from the intended send time, which is what keeps it free of
//! coordinated omission; so every microsecond a request leaves late is charged to the
//! target. Each worker waits for its own ticket (the [`Dispatcher`](crate::Dispatcher)
//! only says when), in one of two ways written here once:
//!
//! - **Blocking workers** (threads, rayon jobs) sleep the thread, after cutting its timer
//!   slack to 1 ns for as long as the worker loop runs ([`SlackRestore`]). Linux lets a sleeping thread's wake-up slip by up to its slack (50 µs
//!   by default) so that it can be merged with other wake-ups; that slip, plus the
//!   wake-up itself, made blocking strategies' p99 send lag about 170 µs.
//! - **Async workers** wait on a [`PreciseTimer`](crate::precise_timer::PreciseTimer):
//!   a `timerfd` in the runtime's own epoll, the timer the mock server already uses for
//!   its injected delays. tokio's own timer rounds every wait up to its next 1 ms tick,
//!   which sent async strategies' requests about a millisecond late.
//!
//! Neither spins: both cost one timer wake-up per wait, as the sleeps they replace did.
//! Spinning the last stretch of every wait would have bought a few microseconds for a
//! core's worth of CPU at high rates (50 µs per request at 50,000 req/s is 2.5 cores), and
//! a pacing thread releasing tickets adds two context switches per request (the mock
//! server measured that design at more than twice a plain sleep's CPU per request).

use std::cell::Cell;
use std::time::{Duration, Instant};

/// The grid step of the async send-time timer while several sends are pending: an open
/// loop at 50,000 req/s has a deadline every 20 µs, so one wake-up serves about one send
/// there and every send of a step at lower rates' bursts, and no send waits more than
/// this for its step, leaving most of a 100 µs lag budget to the wake-up itself.
pub const SEND_GRID: Duration = Duration::from_micros(20);

thread_local! {
    /// The slack this thread had before a wait cut it to 1 ns; `None` while uncut.
    static SLACK_BEFORE: Cell<Option<libc::c_ulong>> = const { Cell::new(None) };
}

/// Blocks the calling thread until `at` (returns at once if it has passed), waking within
/// the scheduler's wake-up latency of it rather than within the default 50 µs slack.
///
/// The first call on a thread cuts that thread's timer slack to 1 ns (one syscall), and
/// it stays cut, for the next waits, until a [`SlackRestore`] held by the caller drops.
pub fn sleep_until(at: Instant) {
    let now = Instant::now();
    if now >= at {
        return;
    }
    SLACK_BEFORE.with(|before| {
        if before.get().is_none() {
            before.set(Some(set_timer_slack(1)));
        }
    });
    // `thread::sleep` sleeps at least the duration (resuming after signals), never less.
    std::thread::sleep(at - now);
}

/// Gives the thread back the timer slack it had, when dropped, if [`sleep_until`] cut it
/// meanwhile. A worker loop holds one, so that a thread it borrows (the caller's own, for
/// a sequential strategy) does not keep, or pass on to the threads it spawns later, a
/// slack that only the loop needed.
#[derive(Debug)]
pub struct SlackRestore(());

impl SlackRestore {
    /// Starts the scope on the calling thread.
    pub fn new() -> Self {
        SlackRestore(())
    }
}

impl Default for SlackRestore {
    fn default() -> Self {
        Self::new()
    }
}

impl Drop for SlackRestore {
    fn drop(&mut self) {
        if let Some(before) = SLACK_BEFORE.with(Cell::take) {
            set_timer_slack(before);
        }
    }
}

/// Sets the calling thread's timer slack to `nanoseconds`; returns the one it had.
#[cfg(target_os = "linux")]
fn set_timer_slack(nanoseconds: libc::c_ulong) -> libc::c_ulong {
    // SAFETY: PR_GET_TIMERSLACK takes no argument and PR_SET_TIMERSLACK one integer; both
    // concern the calling thread only and cannot fail for a positive value.
    unsafe {
        let before = libc::prctl(libc::PR_GET_TIMERSLACK, 0, 0, 0, 0);
        libc::prctl(libc::PR_SET_TIMERSLACK, nanoseconds, 0, 0, 0);
        before.max(1) as libc::c_ulong
    }
}

#[cfg(not(target_os = "linux"))]
fn set_timer_slack(_nanoseconds: libc::c_ulong) -> libc::c_ulong {
    1
}

/// The timer async workers wait on for their send times.
#[cfg(feature = "tokio")]
pub fn send_timer() -> std::io::Result<crate::precise_timer::PreciseTimer> {
    crate::precise_timer::PreciseTimer::new(SEND_GRID)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_blocking_wait_never_returns_before_its_time() {
        for i in 0..20u64 {
            let at = Instant::now() + Duration::from_micros(37 * i);
            sleep_until(at);
            assert!(Instant::now() >= at);
        }
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn the_first_wait_on_a_thread_cuts_that_thread_s_timer_slack_only() {
        // SAFETY: PR_GET_TIMERSLACK takes no argument and reads the calling thread's.
        let slack = || unsafe { libc::prctl(libc::PR_GET_TIMERSLACK, 0, 0, 0, 0) };
        let before = slack();
        let worker = std::thread::spawn(move || {
            sleep_until(Instant::now() + Duration::from_micros(10));
            slack()
        });
        assert_eq!(worker.join().unwrap(), 1);
        assert_eq!(slack(), before, "the spawning thread keeps its own slack");
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn a_restore_scope_gives_the_thread_its_slack_back() {
        std::thread::spawn(|| {
            // SAFETY: PR_GET_TIMERSLACK takes no argument and reads the calling thread's.
            let slack = || unsafe { libc::prctl(libc::PR_GET_TIMERSLACK, 0, 0, 0, 0) };
            let before = slack();
            {
                let _restore = SlackRestore::new();
                sleep_until(Instant::now() + Duration::from_micros(10));
                sleep_until(Instant::now() + Duration::from_micros(10));
                assert_eq!(slack(), 1);
            }
            assert_eq!(slack(), before);
            assert_eq!(SLACK_BEFORE.with(Cell::get), None);
        })
        .join()
        .unwrap();
    }

    #[test]
    fn a_passed_time_does_not_touch_the_thread() {
        std::thread::spawn(|| {
            sleep_until(Instant::now() - Duration::from_millis(1));
            assert_eq!(SLACK_BEFORE.with(Cell::get), None);
        })
        .join()
        .unwrap();
    }
}
