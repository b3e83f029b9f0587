//! Waiting for an open-loop ticket's intended send time, to within tens of microseconds.
//!
//! An open-loop latency runs from the intended send time, which is what keeps it free of
//! coordinated omission; so every microsecond a request leaves late is charged to the
//! target. Each worker waits for its own ticket (the [`Dispatcher`](crate::Dispatcher)
//! only says when), in one of two ways written here once:
//!
//! - **Blocking workers** (threads, rayon jobs) sleep the thread, after cutting its timer
//!   slack to 1 ns. Linux lets a sleeping thread's wake-up slip by up to its slack (50 µs
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
    /// Whether this thread's timer slack has been cut already (one syscall per thread).
    static PRECISE_THREAD: Cell<bool> = const { Cell::new(false) };
}

/// Blocks the calling thread until `at` (returns at once if it has passed), waking within
/// the scheduler's wake-up latency of it rather than within the default 50 µs slack.
///
/// The first call on a thread sets that thread's timer slack to 1 ns for the rest of its
/// life: worker threads belong to their run, and sleeping precisely costs nothing more.
pub fn sleep_until(at: Instant) {
    let now = Instant::now();
    if now >= at {
        return;
    }
    PRECISE_THREAD.with(|done| {
        if !done.get() {
            cut_timer_slack();
            done.set(true);
        }
    });
    // `thread::sleep` sleeps at least the duration (resuming after signals), never less.
    std::thread::sleep(at - now);
}

#[cfg(target_os = "linux")]
fn cut_timer_slack() {
    // SAFETY: PR_SET_TIMERSLACK takes one integer argument and changes only the calling
    // thread's slack; it cannot fail for a positive value.
    unsafe {
        libc::prctl(libc::PR_SET_TIMERSLACK, 1 as libc::c_ulong, 0, 0, 0);
    }
}

#[cfg(not(target_os = "linux"))]
fn cut_timer_slack() {}

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

    #[test]
    fn a_passed_time_does_not_touch_the_thread() {
        std::thread::spawn(|| {
            sleep_until(Instant::now() - Duration::from_millis(1));
            assert!(!PRECISE_THREAD.with(Cell::get));
        })
        .join()
        .unwrap();
    }
}
