//! The server's own counters (lock-free on the request path) and the CPU time of its
//! threads, which is what `/stats` publishes.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use waitbench_core::{Http2Streams, ServerStats, TlsHandshakes};

use crate::faults::FaultKind;

/// Request, connection and fault counters, updated with relaxed atomics: each is an
/// independent tally, and readers only need eventually consistent totals.
#[derive(Debug, Default)]
pub(crate) struct Counters {
    requests_served: AtomicU64,
    in_flight: AtomicU64,
    max_in_flight: AtomicU64,
    connections_accepted: AtomicU64,
    faults: [AtomicU64; FaultKind::ALL.len()],
    /// `requests_served` when the current stats window began.
    window_requests: AtomicU64,
    /// The server's CPU time in nanoseconds when the current stats window began.
    window_cpu_ns: AtomicU64,
    /// The delay timer's wake-ups when the current stats window began.
    window_timer_wakeups: AtomicU64,
    /// Whether the server speaks TLS, and so publishes [`TlsHandshakes`].
    tls: AtomicBool,
    /// Whether the server may speak HTTP/2, and so publishes [`Http2Streams`].
    http2: AtomicBool,
    /// Handshakes by kind ([`Handshake`] order: full, resumed, failed).
    handshakes: [AtomicU64; 3],
    /// CPU nanoseconds of the handshakes, same order.
    handshake_cpu_ns: [AtomicU64; 3],
    h2_connections: AtomicU64,
    h2_streams: AtomicU64,
}

/// How a TLS handshake ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Handshake {
    /// A new session.
    Full = 0,
    /// A session resumed from a ticket or the cache.
    Resumed = 1,
    /// Failed or timed out.
    Failed = 2,
}

/// What the server has used so far, read when a stats window starts or is published.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(crate) struct Usage {
    /// CPU time of the server's threads, seconds.
    pub(crate) cpu_seconds: f64,
    /// Times the delay timer woke the runtime (see `PreciseTimer::wakeups`).
    pub(crate) timer_wakeups: u64,
}

impl Counters {
    /// Counts a request as in flight until the returned guard drops, when it counts as
    /// served (whether it was answered, failed, reset or stalled).
    pub(crate) fn begin_request(self: &Arc<Self>) -> InFlight {
        let now = self.in_flight.fetch_add(1, Ordering::Relaxed) + 1;
        self.max_in_flight.fetch_max(now, Ordering::Relaxed);
        InFlight {
            counters: Arc::clone(self),
        }
    }

    pub(crate) fn connection_accepted(&self) {
        self.connections_accepted.fetch_add(1, Ordering::Relaxed);
    }

    /// Says which protocols' counters `/stats` publishes.
    pub(crate) fn speaks(&self, tls: bool, http2: bool) {
        self.tls.store(tls, Ordering::Relaxed);
        self.http2.store(http2, Ordering::Relaxed);
    }

    /// Counts a handshake that ended `kind` after `cpu_ns` of server CPU.
    pub(crate) fn handshake(&self, kind: Handshake, cpu_ns: u64) {
        self.handshakes[kind as usize].fetch_add(1, Ordering::Relaxed);
        self.handshake_cpu_ns[kind as usize].fetch_add(cpu_ns, Ordering::Relaxed);
    }

    /// Counts a connection that speaks HTTP/2.
    pub(crate) fn h2_connection(&self) {
        self.h2_connections.fetch_add(1, Ordering::Relaxed);
    }

    /// Counts a stream opened on an HTTP/2 connection.
    pub(crate) fn h2_stream(&self) {
        self.h2_streams.fetch_add(1, Ordering::Relaxed);
    }

    fn tls_snapshot(&self) -> Option<TlsHandshakes> {
        if !self.tls.load(Ordering::Relaxed) {
            return None;
        }
        let count = |kind: Handshake| self.handshakes[kind as usize].load(Ordering::Relaxed);
        let cpu = |kind: Handshake| {
            self.handshake_cpu_ns[kind as usize].load(Ordering::Relaxed) as f64 / 1e9
        };
        let per = |kind: Handshake| (count(kind) > 0).then(|| cpu(kind) * 1e6 / count(kind) as f64);
        Some(TlsHandshakes {
            full: count(Handshake::Full),
            resumed: count(Handshake::Resumed),
            failed: count(Handshake::Failed),
            full_cpu_seconds: cpu(Handshake::Full),
            resumed_cpu_seconds: cpu(Handshake::Resumed),
            cpu_per_full_us: per(Handshake::Full),
            cpu_per_resumed_us: per(Handshake::Resumed),
        })
    }

    fn http2_snapshot(&self) -> Option<Http2Streams> {
        self.http2.load(Ordering::Relaxed).then(|| Http2Streams {
            connections: self.h2_connections.load(Ordering::Relaxed),
            streams: self.h2_streams.load(Ordering::Relaxed),
        })
    }

    pub(crate) fn fault_injected(&self, kind: FaultKind) {
        let index = FaultKind::ALL
            .iter()
            .position(|k| *k == kind)
            .expect("ALL lists every fault kind");
        self.faults[index].fetch_add(1, Ordering::Relaxed);
    }

    /// Starts a new stats window at `usage`: the max-in-flight high-water mark restarts
    /// from the current level, and CPU and timer wake-ups per request from zero.
    pub(crate) fn reset_window(&self, usage: Usage) {
        let now = self.in_flight.load(Ordering::Relaxed);
        self.max_in_flight.store(now, Ordering::Relaxed);
        let served = self.requests_served.load(Ordering::Relaxed);
        self.window_requests.store(served, Ordering::Relaxed);
        self.window_cpu_ns
            .store((usage.cpu_seconds * 1e9) as u64, Ordering::Relaxed);
        self.window_timer_wakeups
            .store(usage.timer_wakeups, Ordering::Relaxed);
    }

    /// The counters, with what the server has used so far.
    pub(crate) fn snapshot(&self, usage: Usage) -> ServerStats {
        let cpu_seconds = usage.cpu_seconds;
        let faults: BTreeMap<String, u64> = FaultKind::ALL
            .iter()
            .zip(&self.faults)
            .map(|(kind, count)| (kind.name().to_string(), count.load(Ordering::Relaxed)))
            .collect();
        let requests_served = self.requests_served.load(Ordering::Relaxed);
        let requests_since_reset =
            requests_served.saturating_sub(self.window_requests.load(Ordering::Relaxed));
        let window_cpu_s = self.window_cpu_ns.load(Ordering::Relaxed) as f64 / 1e9;
        let cpu_seconds_since_reset = (cpu_seconds - window_cpu_s).max(0.0);
        let timer_wakeups_since_reset = usage
            .timer_wakeups
            .saturating_sub(self.window_timer_wakeups.load(Ordering::Relaxed));
        ServerStats {
            requests_served,
            in_flight: self.in_flight.load(Ordering::Relaxed),
            max_in_flight: self.max_in_flight.load(Ordering::Relaxed),
            faults,
            connections_accepted: self.connections_accepted.load(Ordering::Relaxed),
            cpu_seconds,
            defaults: Default::default(),
            requests_since_reset,
            cpu_seconds_since_reset,
            cpu_per_request_us: (requests_since_reset > 0)
                .then(|| cpu_seconds_since_reset * 1e6 / requests_since_reset as f64),
            timer_wakeups: usage.timer_wakeups,
            timer_wakeups_per_request: (requests_since_reset > 0)
                .then(|| timer_wakeups_since_reset as f64 / requests_since_reset as f64),
            tls: self.tls_snapshot(),
            http2: self.http2_snapshot(),
        }
    }
}

/// A request in flight; dropping it (answer sent, or connection gone) ends the request.
#[derive(Debug)]
pub(crate) struct InFlight {
    counters: Arc<Counters>,
}

impl Drop for InFlight {
    fn drop(&mut self) {
        self.counters.in_flight.fetch_sub(1, Ordering::Relaxed);
        self.counters
            .requests_served
            .fetch_add(1, Ordering::Relaxed);
    }
}

/// CPU time of a set of threads: the server's when it shares a process with the client,
/// so that server and client CPU can be reported apart.
///
/// Live threads are read through their CPU clocks; a thread that exits adds its final
/// time to `retired_ns` first, so nothing is lost when the runtime retires a thread.
#[derive(Debug, Default)]
pub(crate) struct ThreadCpu {
    live: Mutex<Vec<libc::pthread_t>>,
    retired_ns: AtomicU64,
}

impl ThreadCpu {
    /// Adds the calling thread to the set.
    pub(crate) fn register_current_thread(&self) {
        // SAFETY: pthread_self has no preconditions.
        let me = unsafe { libc::pthread_self() };
        self.live
            .lock()
            .expect("no panic while holding the lock")
            .push(me);
    }

    /// Moves the calling thread's CPU time to the retired total; call as it exits.
    pub(crate) fn retire_current_thread(&self) {
        // SAFETY: pthread_self has no preconditions.
        let me = unsafe { libc::pthread_self() };
        let mut live = self.live.lock().expect("no panic while holding the lock");
        let spent = clock_nanos(libc::CLOCK_THREAD_CPUTIME_ID).unwrap_or(0);
        self.retired_ns.fetch_add(spent, Ordering::Relaxed);
        live.retain(|thread| *thread != me);
    }

    /// Total CPU seconds of every registered thread, live or exited.
    pub(crate) fn seconds(&self) -> f64 {
        // Holding the lock keeps every listed thread alive while its clock is read: a
        // thread must take the lock to leave the list, and it exits only after that.
        let live = self.live.lock().expect("no panic while holding the lock");
        let mut total = self.retired_ns.load(Ordering::Relaxed);
        for thread in live.iter() {
            let mut clock: libc::clockid_t = 0;
            // SAFETY: `thread` is a live thread (see above); `clock` is ours to write.
            if unsafe { libc::pthread_getcpuclockid(*thread, &mut clock) } == 0 {
                total += clock_nanos(clock).unwrap_or(0);
            }
        }
        total as f64 / 1e9
    }
}

/// The calling thread's CPU time so far, nanoseconds (0 if the clock cannot be read).
pub(crate) fn thread_cpu_nanos() -> u64 {
    clock_nanos(libc::CLOCK_THREAD_CPUTIME_ID).unwrap_or(0)
}

fn clock_nanos(clock: libc::clockid_t) -> Option<u64> {
    let mut now = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: clock_gettime writes into the timespec we own.
    if unsafe { libc::clock_gettime(clock, &mut now) } != 0 {
        return None;
    }
    Some(now.tv_sec as u64 * 1_000_000_000 + now.tv_nsec as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `seconds` of CPU and no timer wake-ups.
    fn cpu(seconds: f64) -> Usage {
        Usage {
            cpu_seconds: seconds,
            timer_wakeups: 0,
        }
    }

    #[test]
    fn in_flight_guards_track_the_high_water_mark() {
        let counters = Arc::new(Counters::default());
        let first = counters.begin_request();
        let second = counters.begin_request();
        drop(first);
        let stats = counters.snapshot(cpu(0.0));
        assert_eq!(
            (stats.in_flight, stats.max_in_flight, stats.requests_served),
            (1, 2, 1)
        );
        counters.reset_window(cpu(0.0));
        assert_eq!(counters.snapshot(cpu(0.0)).max_in_flight, 1);
        drop(second);
        counters.fault_injected(FaultKind::Stall);
        let stats = counters.snapshot(cpu(0.0));
        assert_eq!(stats.requests_served, 2);
        assert_eq!(stats.faults["stall"], 1);
        assert_eq!(stats.faults.len(), 5);
    }

    #[test]
    fn cpu_per_request_counts_from_the_last_reset() {
        let counters = Arc::new(Counters::default());
        assert_eq!(counters.snapshot(cpu(0.5)).cpu_per_request_us, None);
        for _ in 0..4 {
            drop(counters.begin_request());
        }
        // 4 requests in 0.5 s of CPU since start: 125 ms each.
        let stats = counters.snapshot(cpu(0.5));
        assert_eq!(stats.requests_since_reset, 4);
        assert!((stats.cpu_per_request_us.unwrap() - 125_000.0).abs() < 1e-6);
        counters.reset_window(cpu(0.5));
        assert_eq!(counters.snapshot(cpu(0.6)).cpu_per_request_us, None);
        for _ in 0..10 {
            drop(counters.begin_request());
        }
        // 10 requests in the 0.1 s since the reset; the totals still count everything.
        let stats = counters.snapshot(cpu(0.6));
        assert_eq!(
            (stats.requests_served, stats.requests_since_reset),
            (14, 10)
        );
        assert!((stats.cpu_seconds_since_reset - 0.1).abs() < 1e-6);
        assert!((stats.cpu_per_request_us.unwrap() - 10_000.0).abs() < 1e-3);
    }

    #[test]
    fn timer_wakeups_per_request_count_from_the_last_reset() {
        let counters = Arc::new(Counters::default());
        let at = |timer_wakeups| Usage {
            cpu_seconds: 0.0,
            timer_wakeups,
        };
        assert_eq!(counters.snapshot(at(3)).timer_wakeups_per_request, None);
        for _ in 0..6 {
            drop(counters.begin_request());
        }
        assert_eq!(
            counters.snapshot(at(3)).timer_wakeups_per_request,
            Some(0.5)
        );
        counters.reset_window(at(3));
        for _ in 0..8 {
            drop(counters.begin_request());
        }
        // One wake-up served the 8 delays since the reset; the total keeps counting.
        let stats = counters.snapshot(at(4));
        assert_eq!(stats.timer_wakeups, 4);
        assert_eq!(stats.timer_wakeups_per_request, Some(0.125));
    }

    #[test]
    fn cpu_of_a_busy_thread_is_counted_after_it_exits() {
        let cpu = Arc::new(ThreadCpu::default());
        let worker = Arc::clone(&cpu);
        std::thread::spawn(move || {
            worker.register_current_thread();
            // Spin until this thread's own clock shows 20 ms, however it is scheduled.
            while clock_nanos(libc::CLOCK_THREAD_CPUTIME_ID).unwrap() < 20_000_000 {
                std::hint::black_box(0u64);
            }
            worker.retire_current_thread();
        })
        .join()
        .unwrap();
        assert!(cpu.seconds() >= 0.02, "{}", cpu.seconds());
    }
}
