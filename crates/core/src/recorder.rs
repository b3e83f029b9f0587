//! Per-worker recording: latency histograms and outcome counters, merged at the end.
//!
//! Each worker owns a [`Recorder`] (no lock, no allocation per request: hdrhistogram's
//! buckets are allocated up front). A [`WorkerRecorder`] hands its recorder back to the
//! run's [`RecorderPool`] when dropped, so a worker that is cancelled mid-request (a
//! dropped future under `try_join_all`) still reports what it did, and its in-flight
//! request is counted as [`ErrorKind::Cancelled`] rather than lost.

use std::ops::{Deref, DerefMut};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use hdrhistogram::Histogram;

use crate::dispatch::Ticket;
use crate::outcome::{ErrorKind, Outcome};

/// Highest latency the histograms track, in microseconds (one hour); larger values saturate.
pub const MAX_TRACKABLE_US: u64 = 3_600_000_000;

/// A send later than this after its intended time counts as a late send (open loop).
pub const LATE_SEND_THRESHOLD: Duration = Duration::from_millis(5);

fn new_histogram() -> Histogram<u64> {
    Histogram::new_with_bounds(1, MAX_TRACKABLE_US, 3)
        .expect("fixed bounds 1..1h with 3 significant digits are valid")
}

fn micros(duration: Duration) -> u64 {
    (duration.as_micros() as u64).clamp(1, MAX_TRACKABLE_US)
}

#[derive(Debug, Clone, Copy)]
struct Pending {
    ticket: Ticket,
    sent_at: Instant,
}

/// One worker's measurements: latency, service time and send lag in microseconds, and
/// the count of every outcome.
#[derive(Debug, Clone)]
pub struct Recorder {
    /// Latency: from the intended send time (open loop) or the actual send, to the end of
    /// the body.
    pub latency: Histogram<u64>,
    /// Service time: from the actual send to the end of the body.
    pub service: Histogram<u64>,
    /// Open loop: how late each send left after its intended time.
    pub send_lag: Histogram<u64>,
    /// Requests sent in the measured window.
    pub sent: u64,
    /// 2xx responses.
    pub ok: u64,
    /// Non-2xx responses by status code (a handful of codes at most, so a small vector).
    pub statuses: Vec<(u16, u64)>,
    /// Typed errors, indexed by [`ErrorKind::index`].
    pub errors: [u64; ErrorKind::ALL.len()],
    /// Open loop: sends later than [`LATE_SEND_THRESHOLD`].
    pub late_sends: u64,
    /// When the first recorded request was sent.
    pub first_send: Option<Instant>,
    /// When the last recorded request finished.
    pub last_finish: Option<Instant>,
    /// When the first recorded error or error status happened (for cancel-on-error).
    pub first_error: Option<Instant>,
    pending: Option<Pending>,
}

impl Default for Recorder {
    fn default() -> Self {
        Self::new()
    }
}

impl Recorder {
    /// An empty recorder.
    pub fn new() -> Self {
        Recorder {
            latency: new_histogram(),
            service: new_histogram(),
            send_lag: new_histogram(),
            sent: 0,
            ok: 0,
            statuses: Vec::new(),
            errors: [0; ErrorKind::ALL.len()],
            late_sends: 0,
            first_send: None,
            last_finish: None,
            first_error: None,
            pending: None,
        }
    }

    /// Marks `ticket` as sent now and returns the send instant; call [`end`](Self::end)
    /// with its outcome. A worker has one request in flight at a time.
    pub fn begin(&mut self, ticket: Ticket) -> Instant {
        let sent_at = Instant::now();
        debug_assert!(self.pending.is_none(), "begin called twice without end");
        self.pending = Some(Pending { ticket, sent_at });
        if ticket.recorded {
            self.sent += 1;
            self.first_send = Some(self.first_send.map_or(sent_at, |t| t.min(sent_at)));
            if let Some(intended) = ticket.intended {
                let lag = sent_at.saturating_duration_since(intended);
                self.send_lag.saturating_record(micros(lag));
                if lag > LATE_SEND_THRESHOLD {
                    self.late_sends += 1;
                }
            }
        }
        sent_at
    }

    /// Records the outcome of the request started by the last [`begin`](Self::begin).
    pub fn end(&mut self, outcome: Outcome) {
        let Some(Pending { ticket, sent_at }) = self.pending.take() else {
            debug_assert!(false, "end called without begin");
            return;
        };
        if !ticket.recorded {
            return;
        }
        let finished = Instant::now();
        let origin = ticket.intended.map_or(sent_at, |t| t.min(sent_at));
        self.latency
            .saturating_record(micros(finished.saturating_duration_since(origin)));
        self.service
            .saturating_record(micros(finished.saturating_duration_since(sent_at)));
        self.last_finish = Some(self.last_finish.map_or(finished, |t| t.max(finished)));
        self.count(outcome, finished);
    }

    fn count(&mut self, outcome: Outcome, at: Instant) {
        match outcome {
            Outcome::Success => {
                self.ok += 1;
                return;
            }
            Outcome::HttpStatus(code) => match self.statuses.iter_mut().find(|(c, _)| *c == code) {
                Some((_, n)) => *n += 1,
                None => self.statuses.push((code, 1)),
            },
            Outcome::Error(kind) => self.errors[kind.index()] += 1,
        }
        self.first_error = Some(self.first_error.map_or(at, |t| t.min(at)));
    }

    /// Ends a request that was dropped before it finished as [`ErrorKind::Cancelled`]
    /// (not timed: it has no end).
    pub fn cancel_pending(&mut self) {
        if let Some(Pending { ticket, .. }) = self.pending.take()
            && ticket.recorded
        {
            self.errors[ErrorKind::Cancelled.index()] += 1;
        }
    }

    /// Adds another worker's measurements into this one.
    pub fn merge(&mut self, other: &Recorder) {
        self.latency
            .add(&other.latency)
            .expect("histograms share the same bounds");
        self.service
            .add(&other.service)
            .expect("histograms share the same bounds");
        self.send_lag
            .add(&other.send_lag)
            .expect("histograms share the same bounds");
        self.sent += other.sent;
        self.ok += other.ok;
        for &(code, n) in &other.statuses {
            match self.statuses.iter_mut().find(|(c, _)| *c == code) {
                Some((_, m)) => *m += n,
                None => self.statuses.push((code, n)),
            }
        }
        for (mine, theirs) in self.errors.iter_mut().zip(other.errors) {
            *mine += theirs;
        }
        self.late_sends += other.late_sends;
        self.first_send = min_opt(self.first_send, other.first_send);
        self.last_finish = max_opt(self.last_finish, other.last_finish);
        self.first_error = min_opt(self.first_error, other.first_error);
    }

    /// Responses with a non-2xx status.
    pub fn http_errors(&self) -> u64 {
        self.statuses.iter().map(|(_, n)| n).sum()
    }

    /// Typed errors of every kind.
    pub fn error_total(&self) -> u64 {
        self.errors.iter().sum()
    }

    /// Checks `sent == ok + http_errors + errors`; the error names the imbalance.
    pub fn check_accounting(&self) -> Result<(), String> {
        let accounted = self.ok + self.http_errors() + self.error_total();
        if accounted == self.sent {
            Ok(())
        } else {
            Err(format!(
                "accounting broken: sent {} but ok {} + http errors {} + errors {} = {}",
                self.sent,
                self.ok,
                self.http_errors(),
                self.error_total(),
                accounted
            ))
        }
    }
}

fn min_opt(a: Option<Instant>, b: Option<Instant>) -> Option<Instant> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

fn max_opt(a: Option<Instant>, b: Option<Instant>) -> Option<Instant> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.max(b)),
        (a, b) => a.or(b),
    }
}

/// Collects the recorders of one run's workers as they finish (or are dropped).
#[derive(Debug, Default)]
pub struct RecorderPool {
    finished: Mutex<Vec<Recorder>>,
}

impl RecorderPool {
    /// An empty pool.
    pub fn new() -> Self {
        Self::default()
    }

    /// A recorder for one worker; it returns to this pool when dropped.
    pub fn worker(&self) -> WorkerRecorder<'_> {
        WorkerRecorder {
            pool: self,
            recorder: Recorder::new(),
        }
    }

    /// Merges every returned recorder. Call after all workers have finished or been dropped.
    pub fn merged(&self) -> Recorder {
        let finished = self.finished.lock().unwrap_or_else(|e| e.into_inner());
        let mut total = Recorder::new();
        for recorder in finished.iter() {
            total.merge(recorder);
        }
        total
    }
}

/// A worker's [`Recorder`] that hands itself back to its [`RecorderPool`] on drop,
/// counting a request still in flight as cancelled.
#[derive(Debug)]
pub struct WorkerRecorder<'pool> {
    pool: &'pool RecorderPool,
    recorder: Recorder,
}

impl Deref for WorkerRecorder<'_> {
    type Target = Recorder;
    fn deref(&self) -> &Recorder {
        &self.recorder
    }
}

impl DerefMut for WorkerRecorder<'_> {
    fn deref_mut(&mut self) -> &mut Recorder {
        &mut self.recorder
    }
}

impl Drop for WorkerRecorder<'_> {
    fn drop(&mut self) {
        self.recorder.cancel_pending();
        let recorder = std::mem::take(&mut self.recorder);
        self.pool
            .finished
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(recorder);
    }
}

/// What a strategy hands back: the merged recorder and the measured window.
#[derive(Debug, Clone)]
pub struct Measurement {
    /// All workers' measurements merged.
    pub recorder: Recorder,
    /// Start of the measured window (after warm-up).
    pub window_start: Instant,
    /// End of the measured window (last recorded completion, or the window start if none).
    pub window_end: Instant,
    /// Tickets issued after the first failure (claim G), `None` if nothing failed.
    pub issued_after_first_failure: Option<u64>,
    /// Strategy-specific figures, e.g. `ticker_lateness_p99_us` (claim F2).
    pub extras: std::collections::BTreeMap<String, f64>,
}

impl Measurement {
    /// Builds the measurement from a finished run's pool and dispatcher.
    pub fn collect(pool: &RecorderPool, dispatcher: &crate::Dispatcher) -> Self {
        let recorder = pool.merged();
        let window_start = dispatcher.window_start();
        let window_end = recorder.last_finish.unwrap_or(window_start).max(window_start);
        Measurement {
            recorder,
            window_start,
            window_end,
            issued_after_first_failure: dispatcher.issued_after_first_failure(),
            extras: Default::default(),
        }
    }

    /// Length of the measured window.
    pub fn wall_time(&self) -> Duration {
        self.window_end - self.window_start
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ticket(index: u64) -> Ticket {
        Ticket {
            index,
            intended: None,
            recorded: true,
        }
    }

    #[test]
    fn every_outcome_is_counted_once_and_accounting_holds() {
        let mut recorder = Recorder::new();
        for (i, outcome) in [
            Outcome::Success,
            Outcome::HttpStatus(503),
            Outcome::HttpStatus(503),
            Outcome::Error(ErrorKind::Timeout),
        ]
        .into_iter()
        .enumerate()
        {
            recorder.begin(ticket(i as u64));
            recorder.end(outcome);
        }
        assert_eq!(recorder.sent, 4);
        assert_eq!(recorder.ok, 1);
        assert_eq!(recorder.statuses, vec![(503, 2)]);
        assert_eq!(recorder.errors[ErrorKind::Timeout.index()], 1);
        assert_eq!(recorder.latency.len(), 4);
        recorder.check_accounting().unwrap();
    }

    #[test]
    fn warmup_tickets_are_not_recorded() {
        let mut recorder = Recorder::new();
        recorder.begin(Ticket {
            recorded: false,
            ..ticket(0)
        });
        recorder.end(Outcome::Success);
        assert_eq!(recorder.sent, 0);
        assert_eq!(recorder.latency.len(), 0);
    }

    #[test]
    fn open_loop_latency_counts_from_the_intended_time() {
        let mut recorder = Recorder::new();
        let intended = Instant::now() - Duration::from_millis(50);
        recorder.begin(Ticket {
            intended: Some(intended),
            ..ticket(0)
        });
        recorder.end(Outcome::Success);
        assert!(recorder.latency.max() >= 50_000);
        assert!(recorder.service.max() < 50_000);
        assert_eq!(recorder.late_sends, 1);
    }

    #[test]
    fn dropped_worker_returns_its_recorder_and_counts_the_pending_request_cancelled() {
        let pool = RecorderPool::new();
        {
            let mut worker = pool.worker();
            worker.begin(ticket(0));
            worker.end(Outcome::Success);
            worker.begin(ticket(1));
        }
        let merged = pool.merged();
        assert_eq!(merged.sent, 2);
        assert_eq!(merged.ok, 1);
        assert_eq!(merged.errors[ErrorKind::Cancelled.index()], 1);
        merged.check_accounting().unwrap();
    }

    #[test]
    fn merge_adds_counts_and_statuses() {
        let mut a = Recorder::new();
        let mut b = Recorder::new();
        a.begin(ticket(0));
        a.end(Outcome::HttpStatus(500));
        b.begin(ticket(1));
        b.end(Outcome::HttpStatus(500));
        b.begin(ticket(2));
        b.end(Outcome::HttpStatus(404));
        a.merge(&b);
        assert_eq!(a.sent, 3);
        assert_eq!(a.statuses, vec![(500, 2), (404, 1)]);
        assert_eq!(a.latency.len(), 3);
    }
}
