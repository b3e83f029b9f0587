//! A timer precise to tens of microseconds, for injected delays.
//!
//! tokio's timer wheel rounds every deadline up to the next millisecond tick, so a 1 ms
//! delay measures about 2.1 ms. Here one dedicated thread keeps the pending deadlines in
//! a binary heap and sleeps on a futex until the earliest (`thread::park_timeout`), with
//! its timer slack lowered from the default 50 µs to 1 ns so the kernel wakes it on time.
//! It then completes every due entry's oneshot channel, which wakes the waiting task.
//! Nothing spins: an idle timer thread is parked with no timeout.

use std::cmp::Ordering;
use std::collections::BinaryHeap;
use std::sync::atomic::{AtomicBool, Ordering as AtomicOrdering};
use std::sync::{Arc, Mutex};
use std::thread::{self, JoinHandle, Thread};
use std::time::Instant;

use tokio::sync::oneshot;

use crate::stats::ThreadCpu;

/// A pending delay: completed (by sending) once `deadline` has passed.
struct Entry {
    deadline: Instant,
    done: oneshot::Sender<()>,
}

// Ordered by deadline only, reversed so that std's max-heap pops the earliest first.
impl Ord for Entry {
    fn cmp(&self, other: &Self) -> Ordering {
        other.deadline.cmp(&self.deadline)
    }
}

impl PartialOrd for Entry {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Entry {
    fn eq(&self, other: &Self) -> bool {
        self.deadline == other.deadline
    }
}

impl Eq for Entry {}

#[derive(Default)]
struct Shared {
    heap: Mutex<BinaryHeap<Entry>>,
    stop: AtomicBool,
}

/// The timer thread and the handle tasks use to sleep on it; stops the thread on drop.
pub(crate) struct PreciseTimer {
    shared: Arc<Shared>,
    thread: Thread,
    join: Option<JoinHandle<()>>,
}

impl std::fmt::Debug for PreciseTimer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PreciseTimer").finish_non_exhaustive()
    }
}

impl PreciseTimer {
    /// Starts the timer thread; its CPU time is counted in `cpu`.
    pub(crate) fn start(cpu: Arc<ThreadCpu>) -> std::io::Result<PreciseTimer> {
        let shared = Arc::new(Shared::default());
        let for_thread = Arc::clone(&shared);
        let join = thread::Builder::new()
            .name("waitbench-timer".into())
            .spawn(move || {
                cpu.register_current_thread();
                run(&for_thread);
                cpu.retire_current_thread();
            })?;
        Ok(PreciseTimer {
            shared,
            thread: join.thread().clone(),
            join: Some(join),
        })
    }

    /// Completes at `deadline` or within tens of microseconds after it; never before.
    pub(crate) async fn sleep_until(&self, deadline: Instant) {
        if deadline <= Instant::now() {
            return;
        }
        let (done, fired) = oneshot::channel();
        let becomes_earliest = {
            let mut heap = self
                .shared
                .heap
                .lock()
                .expect("no panic while holding the lock");
            let earliest = heap.peek().map(|entry| entry.deadline);
            heap.push(Entry { deadline, done });
            earliest.is_none_or(|earliest| deadline < earliest)
        };
        // The timer thread sleeps toward the earliest deadline it saw; only a new earliest
        // needs to wake it. unpark before park makes park return, so nothing is missed.
        if becomes_earliest {
            self.thread.unpark();
        }
        if fired.await.is_err() {
            // The timer stopped (server shutting down): still honour the deadline.
            tokio::time::sleep_until(deadline.into()).await;
        }
    }
}

impl Drop for PreciseTimer {
    fn drop(&mut self) {
        self.shared.stop.store(true, AtomicOrdering::Release);
        self.thread.unpark();
        if let Some(join) = self.join.take() {
            let _ = join.join();
        }
    }
}

/// The timer thread: fire what is due, then sleep until the next deadline.
fn run(shared: &Shared) {
    // Timer slack lets the kernel defer a wake-up by up to 50 µs to batch it with
    // others; we want ours on time. Affects only this thread.
    // SAFETY: PR_SET_TIMERSLACK takes one integer argument and touches nothing else.
    unsafe { libc::prctl(libc::PR_SET_TIMERSLACK, 1 as libc::c_ulong) };
    let mut due = Vec::new();
    while !shared.stop.load(AtomicOrdering::Acquire) {
        let now = Instant::now();
        let next = {
            let mut heap = shared.heap.lock().expect("no panic while holding the lock");
            while heap.peek().is_some_and(|entry| entry.deadline <= now) {
                due.push(heap.pop().expect("peeked an entry").done);
            }
            heap.peek().map(|entry| entry.deadline)
        };
        for done in due.drain(..) {
            // The waiter may be gone (request cancelled): nothing to wake then.
            let _ = done.send(());
        }
        match next {
            None => thread::park(),
            Some(deadline) => {
                let now = Instant::now();
                if deadline > now {
                    thread::park_timeout(deadline - now);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[tokio::test]
    async fn sleeps_never_end_before_their_deadline() {
        let timer = PreciseTimer::start(Arc::default()).unwrap();
        for i in 0..50u64 {
            let deadline = Instant::now() + Duration::from_micros(20 * i);
            timer.sleep_until(deadline).await;
            assert!(Instant::now() >= deadline);
        }
    }

    #[tokio::test]
    async fn an_idle_timer_thread_does_not_spin() {
        let cpu = Arc::new(ThreadCpu::default());
        let timer = PreciseTimer::start(Arc::clone(&cpu)).unwrap();
        timer
            .sleep_until(Instant::now() + Duration::from_millis(1))
            .await;
        let before = cpu.seconds();
        std::thread::sleep(Duration::from_millis(300));
        // A spinning thread would burn ~0.3 s here; a parked one close to nothing.
        assert!(cpu.seconds() - before < 0.15, "{}", cpu.seconds() - before);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn concurrent_sleeps_all_complete_after_their_deadlines() {
        let timer = Arc::new(PreciseTimer::start(Arc::default()).unwrap());
        let start = Instant::now();
        let handles: Vec<_> = (0..200u64)
            .map(|i| {
                let timer = Arc::clone(&timer);
                // Deadlines registered out of order, so new entries often become earliest.
                let deadline = start + Duration::from_micros((i * 7919) % 20_000);
                tokio::spawn(async move {
                    timer.sleep_until(deadline).await;
                    Instant::now() >= deadline
                })
            })
            .collect();
        for handle in handles {
            assert!(handle.await.unwrap());
        }
    }
}
