//! The load models, written once and shared by every strategy.
//!
//! Workers (threads, pool jobs or tasks: it does not matter) call [`Dispatcher::next`] in a
//! loop. Each [`Ticket`] says which request to send, whether it falls in the measured
//! window, and for the open loop when it was *meant* to be sent; the worker waits for that
//! instant itself ([`Ticket::wait_blocking`] or [`Ticket::wait`], both precise to tens of
//! microseconds, see [`pacing`](crate::pacing)), sends, and records. The number of
//! workers is the concurrency; the dispatcher only decides what and when.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use crate::outcome::Outcome;
use crate::recorder::Window;
use crate::workload::{ErrorPolicy, LoadModel};

/// One request to send.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ticket {
    /// Sequence number from 0; also selects the URL (`urls[index % urls.len()]`).
    pub index: u64,
    /// Open loop only: when the request should leave, the origin of its latency.
    pub intended: Option<Instant>,
    /// Open loop only: when a worker took the ticket. Later than `intended` when every
    /// worker was busy at the intended time: the request then queued for a free worker,
    /// which is the target's doing (its latency holds C requests out) and stays in the
    /// latency, while only the time from `max(intended, taken)` to the send is the
    /// harness's own send lag.
    pub taken: Option<Instant>,
    /// Whether the request falls in the measured window (false during warm-up).
    pub recorded: bool,
}

impl Ticket {
    /// A ticket with no send time (a batch's or a closed loop's), in the measured window
    /// or not.
    pub fn unpaced(index: u64, recorded: bool) -> Ticket {
        Ticket {
            index,
            intended: None,
            taken: None,
            recorded,
        }
    }

    /// Blocks the thread until the intended send time (open loop only; returns at once
    /// for other tickets or a time already passed).
    pub fn wait_blocking(&self) {
        if let Some(at) = self.intended {
            crate::pacing::sleep_until(at);
        }
    }

    /// Waits on `timer` until the intended send time (open loop only; ready at once for
    /// other tickets or a time already passed).
    #[cfg(feature = "tokio")]
    pub async fn wait(&self, timer: &crate::PreciseTimer) {
        if let Some(at) = self.intended
            && at > Instant::now()
        {
            timer.sleep_until(at).await;
        }
    }
}

#[derive(Debug)]
enum Schedule {
    Batch { requests: u64 },
    Closed { deadline: Instant },
    Open { interval: Duration, total: u64 },
}

/// Hands out tickets according to a [`LoadModel`]; shared by all workers of one run.
#[derive(Debug)]
pub struct Dispatcher {
    next: AtomicU64,
    issued_at_first_failure: AtomicU64,
    stopped: AtomicBool,
    interrupted: AtomicBool,
    start: Instant,
    window: Window,
    schedule: Schedule,
}

impl Dispatcher {
    /// Starts the clock for `load` now: build clients and pools before calling this.
    pub fn new(load: &LoadModel) -> Self {
        let start = Instant::now();
        let window = Window::of(load, start);
        let schedule = match *load {
            LoadModel::Batch { requests, .. } => Schedule::Batch { requests },
            LoadModel::ClosedLoop {
                duration, warmup, ..
            } => Schedule::Closed {
                deadline: start + warmup + duration,
            },
            LoadModel::OpenLoop {
                rate_per_s,
                duration,
                warmup,
                ..
            } => {
                let interval = Duration::from_secs_f64(1.0 / rate_per_s);
                // Float noise (1.1 s × 100/s = 110.00000000000001) must not add a request.
                let total = ((warmup + duration).as_secs_f64() * rate_per_s - 1e-9).ceil() as u64;
                Schedule::Open { interval, total }
            }
        };
        Dispatcher {
            next: AtomicU64::new(0),
            issued_at_first_failure: AtomicU64::new(u64::MAX),
            stopped: AtomicBool::new(false),
            interrupted: AtomicBool::new(false),
            start,
            window,
            schedule,
        }
    }

    /// The next ticket, or `None` when the run is over (count reached, deadline passed,
    /// [`stop`](Self::stop) called, or the process [interrupted](crate::interrupt)).
    pub fn next(&self) -> Option<Ticket> {
        if self.stopped.load(Ordering::Relaxed) {
            return None;
        }
        if crate::interrupt::requested() {
            self.interrupted.store(true, Ordering::Relaxed);
            self.stop();
            return None;
        }
        match self.schedule {
            Schedule::Batch { requests } => {
                let index = self.next.fetch_add(1, Ordering::Relaxed);
                (index < requests).then_some(Ticket::unpaced(index, true))
            }
            Schedule::Closed { deadline } => {
                let now = Instant::now();
                if now >= deadline {
                    return None;
                }
                let index = self.next.fetch_add(1, Ordering::Relaxed);
                Some(Ticket::unpaced(index, now >= self.window.start))
            }
            Schedule::Open { interval, total } => {
                let index = self.next.fetch_add(1, Ordering::Relaxed);
                if index >= total {
                    return None;
                }
                let intended = self.start + interval.mul_f64(index as f64);
                Some(Ticket {
                    index,
                    intended: Some(intended),
                    taken: Some(Instant::now()),
                    recorded: intended >= self.window.start,
                })
            }
        }
    }

    /// Tells the dispatcher how a request ended: the first failure (error status or typed
    /// error) is remembered, and under [`ErrorPolicy::Cancel`] it stops the run. Returns
    /// `true` when the worker should stop (and, in async code, drop its siblings).
    pub fn settle(&self, outcome: Outcome, policy: ErrorPolicy) -> bool {
        if outcome == Outcome::Success {
            return false;
        }
        let issued = self.issued();
        let _ = self.issued_at_first_failure.compare_exchange(
            u64::MAX,
            issued,
            Ordering::Relaxed,
            Ordering::Relaxed,
        );
        if policy == ErrorPolicy::Cancel {
            self.stop();
            true
        } else {
            false
        }
    }

    /// Tickets handed out so far.
    pub fn issued(&self) -> u64 {
        let handed = self.next.load(Ordering::Relaxed);
        match self.schedule {
            Schedule::Batch { requests } => handed.min(requests),
            Schedule::Open { total, .. } => handed.min(total),
            Schedule::Closed { .. } => handed,
        }
    }

    /// Tickets handed out after the first failure was settled; `None` if nothing failed.
    pub fn issued_after_first_failure(&self) -> Option<u64> {
        let at = self.issued_at_first_failure.load(Ordering::Relaxed);
        (at != u64::MAX).then(|| self.issued().saturating_sub(at))
    }

    /// Stops handing out tickets (cancel-on-error); requests already out are unaffected.
    pub fn stop(&self) {
        self.stopped.store(true, Ordering::Relaxed);
    }

    /// Whether [`stop`](Self::stop) was called.
    pub fn is_stopped(&self) -> bool {
        self.stopped.load(Ordering::Relaxed)
    }

    /// Whether the run ended early because the process was interrupted.
    pub fn interrupted(&self) -> bool {
        self.interrupted.load(Ordering::Relaxed)
    }

    /// When the dispatcher was created.
    pub fn start(&self) -> Instant {
        self.start
    }

    /// When the measured window opens (after the warm-up).
    pub fn window_start(&self) -> Instant {
        self.window.start
    }

    /// The measured window: from the end of the warm-up to the end of the load.
    pub fn measured_window(&self) -> Window {
        self.window
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batch_hands_out_exactly_n_tickets_across_threads() {
        let _serial = crate::THREAD_COUNTING
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        let dispatcher = Dispatcher::new(&LoadModel::Batch {
            requests: 1000,
            concurrency: 4,
        });
        let counts: Vec<u64> = std::thread::scope(|scope| {
            let handles: Vec<_> = (0..4)
                .map(|_| scope.spawn(|| std::iter::from_fn(|| dispatcher.next()).count() as u64))
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        assert_eq!(counts.iter().sum::<u64>(), 1000);
    }

    #[test]
    fn open_loop_spaces_intended_times_by_the_rate_and_skips_warmup() {
        let dispatcher = Dispatcher::new(&LoadModel::OpenLoop {
            rate_per_s: 100.0,
            duration: Duration::from_secs(1),
            warmup: Duration::from_millis(100),
            max_in_flight: 1,
        });
        let tickets: Vec<Ticket> = std::iter::from_fn(|| dispatcher.next()).collect();
        assert_eq!(tickets.len(), 110);
        let gap = tickets[5].intended.unwrap() - tickets[4].intended.unwrap();
        assert_eq!(gap, Duration::from_millis(10));
        assert_eq!(tickets.iter().filter(|t| t.recorded).count(), 100);
    }

    fn paced(rate_per_s: f64) -> Dispatcher {
        Dispatcher::new(&LoadModel::OpenLoop {
            rate_per_s,
            duration: Duration::from_millis(30),
            warmup: Duration::ZERO,
            max_in_flight: 4,
        })
    }

    #[test]
    fn paced_tickets_are_released_in_order_and_never_before_their_time() {
        let dispatcher = paced(10_000.0);
        let released: Vec<Vec<(Ticket, Instant)>> = std::thread::scope(|scope| {
            let workers: Vec<_> = (0..4)
                .map(|_| {
                    scope.spawn(|| {
                        std::iter::from_fn(|| dispatcher.next())
                            .map(|ticket| {
                                ticket.wait_blocking();
                                (ticket, Instant::now())
                            })
                            .collect::<Vec<_>>()
                    })
                })
                .collect();
            workers.into_iter().map(|w| w.join().unwrap()).collect()
        });
        assert_eq!(released.iter().map(Vec::len).sum::<usize>(), 300);
        for worker in &released {
            for pair in worker.windows(2) {
                assert!(pair[0].0.index < pair[1].0.index);
                assert!(pair[0].0.intended < pair[1].0.intended);
            }
            for (ticket, left) in worker {
                assert!(*left >= ticket.intended.unwrap(), "{ticket:?} left early");
            }
        }
    }

    #[cfg(feature = "tokio")]
    #[test]
    fn paced_tickets_wait_on_the_precise_timer_in_order_and_never_early() {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let dispatcher = std::sync::Arc::new(paced(10_000.0));
        let timer = std::sync::Arc::new(crate::pacing::send_timer().unwrap());
        let released: Vec<Vec<(Ticket, Instant)>> = runtime.block_on(async {
            let tasks: Vec<_> = (0..4)
                .map(|_| {
                    let (dispatcher, timer) = (dispatcher.clone(), timer.clone());
                    tokio::spawn(async move {
                        let mut out = Vec::new();
                        while let Some(ticket) = dispatcher.next() {
                            ticket.wait(&timer).await;
                            out.push((ticket, Instant::now()));
                        }
                        out
                    })
                })
                .collect();
            let mut all = Vec::new();
            for task in tasks {
                all.push(task.await.unwrap());
            }
            all
        });
        assert_eq!(released.iter().map(Vec::len).sum::<usize>(), 300);
        for worker in &released {
            assert!(worker.windows(2).all(|p| p[0].0.index < p[1].0.index));
            for (ticket, left) in worker {
                assert!(*left >= ticket.intended.unwrap(), "{ticket:?} left early");
            }
        }
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn tickets_without_a_send_time_do_not_wait() {
        let dispatcher = Dispatcher::new(&LoadModel::Batch {
            requests: 1,
            concurrency: 1,
        });
        let ticket = dispatcher.next().unwrap();
        assert_eq!(ticket.intended, None);
        std::thread::spawn(move || {
            ticket.wait_blocking();
            // SAFETY: PR_GET_TIMERSLACK takes no argument and reads the calling thread's.
            let slack = unsafe { libc::prctl(libc::PR_GET_TIMERSLACK, 0, 0, 0, 0) };
            assert_ne!(slack, 1, "a ticket with no send time changed nothing");
        })
        .join()
        .unwrap();
    }

    #[test]
    fn first_failure_under_cancel_stops_and_counts_later_issues() {
        let dispatcher = Dispatcher::new(&LoadModel::Batch {
            requests: 10,
            concurrency: 1,
        });
        let policy = ErrorPolicy::Cancel;
        dispatcher.next().unwrap();
        assert!(!dispatcher.settle(Outcome::Success, policy));
        assert_eq!(dispatcher.issued_after_first_failure(), None);
        dispatcher.next().unwrap();
        assert!(dispatcher.settle(Outcome::HttpStatus(500), policy));
        assert_eq!(dispatcher.next(), None);
        assert_eq!(dispatcher.issued_after_first_failure(), Some(0));
    }

    #[test]
    fn wait_all_keeps_going_after_a_failure() {
        let dispatcher = Dispatcher::new(&LoadModel::Batch {
            requests: 5,
            concurrency: 1,
        });
        dispatcher.next().unwrap();
        assert!(!dispatcher.settle(Outcome::HttpStatus(503), ErrorPolicy::WaitAll));
        assert_eq!(std::iter::from_fn(|| dispatcher.next()).count(), 4);
        assert_eq!(dispatcher.issued_after_first_failure(), Some(4));
    }

    #[test]
    fn stop_ends_the_run() {
        let dispatcher = Dispatcher::new(&LoadModel::Batch {
            requests: 10,
            concurrency: 1,
        });
        assert!(dispatcher.next().is_some());
        dispatcher.stop();
        assert_eq!(dispatcher.next(), None);
    }
}
