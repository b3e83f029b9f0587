//! Recording: latency histograms and outcome counters.
//!
//! Per-worker state is kept small on purpose, because claim E measures memory per
//! in-flight request and a recorder must not be what it measures: each worker owns only
//! its [`Counters`] and a buffer of [`SAMPLE_BUFFER`] compact samples (0.5 KiB).
//! Full buffers are flushed into one of a few histogram shards held by the
//! [`RecorderPool`] (a lock once per 32 requests, never per request, and no allocation on
//! the hot path). A [`WorkerRecorder`] hands its counters back to the pool when dropped,
//! so a worker that is cancelled mid-request (a dropped future under `try_join_all`)
//! still reports what it did, and its in-flight request counts as
//! [`ErrorKind::Cancelled`] rather than being lost.
//!
//! Each worker also adds up how long it had a request in flight inside the run's measured
//! [`Window`], so a run knows its time-averaged in-flight count exactly. That is the
//! figure Little's law needs: counting completions between two instants loses up to L/d
//! of a closed-loop run of d seconds at latency L to the window's edges (and how much
//! depends on whether the workers happen to run in step), while the time-averaged
//! in-flight count has no edges to lose.
//!
//! A pool made [`with_timeline`](RecorderPool::with_timeline) also keeps the run second by
//! second ([`Timeline`]): each sample carries the second it finished in, and the shard it is
//! flushed into records it there, warm-up included.

use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use hdrhistogram::Histogram;

use crate::dispatch::Ticket;
use crate::outcome::{ErrorKind, Outcome, Tally};
use crate::timeline::Timeline;
use crate::workload::LoadModel;

/// Highest latency the histograms track, in microseconds (one hour); larger values saturate.
pub const MAX_TRACKABLE_US: u64 = 3_600_000_000;

/// A send later than this after its intended time counts as a late send (open loop).
pub const LATE_SEND_THRESHOLD: Duration = Duration::from_millis(5);

/// Samples a worker buffers before flushing them into a histogram shard.
pub const SAMPLE_BUFFER: usize = 32;

fn new_histogram() -> Histogram<u64> {
    Histogram::new_with_bounds(1, MAX_TRACKABLE_US, 3)
        .expect("fixed bounds 1..1h with 3 significant digits are valid")
}

fn micros(duration: Duration) -> u64 {
    (duration.as_micros() as u64).clamp(1, MAX_TRACKABLE_US)
}

/// The span of time a run measures: from the end of the warm-up to the end of the load
/// (open-ended for a batch, which ends with its last request).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    /// When the measured window opens.
    pub start: Instant,
    /// When it closes; `None` for a batch, which runs until its last response.
    pub end: Option<Instant>,
}

impl Window {
    /// The measured window of `load` when its clock started at `start`: the warm-up is
    /// left out, and a batch stays open until its last response.
    pub fn of(load: &LoadModel, start: Instant) -> Window {
        match *load {
            LoadModel::Batch { .. } => Window { start, end: None },
            LoadModel::ClosedLoop {
                duration, warmup, ..
            }
            | LoadModel::OpenLoop {
                duration, warmup, ..
            } => Window {
                start: start + warmup,
                end: Some(start + warmup + duration),
            },
        }
    }

    /// How much of `[from, to]` falls inside the window.
    fn overlap(&self, from: Instant, to: Instant) -> Duration {
        let to = self.end.map_or(to, |end| to.min(end));
        to.saturating_duration_since(from.max(self.start))
    }
}

#[derive(Debug, Clone, Copy)]
struct Pending {
    ticket: Ticket,
    sent_at: Instant,
    lag_us: Option<u64>,
}

/// The one request a recorder has in flight, shared by [`Recorder`] and
/// [`WorkerRecorder`].
#[derive(Debug, Clone, Copy, Default)]
struct InFlight(Option<Pending>);

impl InFlight {
    fn begin(&mut self, counters: &mut Counters, ticket: Ticket) -> Instant {
        debug_assert!(self.0.is_none(), "begin called twice without end");
        let pending = counters.begin(ticket, Instant::now());
        self.0 = Some(pending);
        pending.sent_at
    }

    /// Ends the request; the sample is stamped with its second after `origin`, if given.
    fn end(
        &mut self,
        counters: &mut Counters,
        outcome: Outcome,
        window: Option<Window>,
        origin: Option<Instant>,
    ) -> Option<Sample> {
        let Some(pending) = self.0.take() else {
            debug_assert!(false, "end called without begin");
            return None;
        };
        let finished = Instant::now();
        counters.add_busy(window, pending.sent_at, finished);
        let mut sample = counters.end(pending, outcome, finished);
        if let Some(origin) = origin {
            let second = finished.saturating_duration_since(origin).as_secs();
            sample.second = second.min(u64::from(NO_SECOND - 1)) as u16;
        }
        Some(sample)
    }

    /// Counts a request that never finished as cancelled.
    fn cancel(&mut self, counters: &mut Counters, window: Option<Window>) {
        if let Some(pending) = self.0.take() {
            counters.add_busy(window, pending.sent_at, Instant::now());
            counters.cancel(pending);
        }
    }
}

/// [`Sample::second`] of a sample kept out of any timeline.
const NO_SECOND: u16 = u16::MAX;

/// One finished request's timings in microseconds, packed small for worker buffers.
#[derive(Debug, Clone, Copy)]
struct Sample {
    latency_us: u32,
    service_us: u32,
    /// Open-loop send lag; `u32::MAX` when the request had no intended time.
    lag_us: u32,
    /// The second of the run it finished in, for the timeline; [`NO_SECOND`] for none.
    second: u16,
    /// Whether it falls in the measured window (warm-up samples feed the timeline only).
    recorded: bool,
}

fn pack(us: u64) -> u32 {
    us.min(u64::from(u32::MAX - 1)) as u32
}

/// Every outcome count of a run or a worker. Invariant: `sent == ok + http_errors + errors`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Counters {
    /// Requests sent in the measured window.
    pub sent: u64,
    /// Requests sent outside the measured window (during the warm-up, or after a closed
    /// loop's end by a client that held tickets ahead): not recorded, but the run's CPU
    /// includes them.
    pub warmup_sent: u64,
    /// 2xx responses.
    pub ok: u64,
    /// Non-2xx responses by status code (a handful of codes at most, so a small vector).
    pub statuses: Vec<(u16, u64)>,
    /// Typed errors, indexed by [`ErrorKind::index`].
    pub errors: [u64; ErrorKind::ALL.len()],
    /// Open loop: sends later than [`LATE_SEND_THRESHOLD`].
    pub late_sends: u64,
    /// Open loop: requests due while every worker was busy, which waited for a free one
    /// (their wait is in their latency, not in the harness's send lag).
    pub queued_sends: u64,
    /// When the first recorded request was sent.
    pub first_send: Option<Instant>,
    /// When the last recorded request finished.
    pub last_finish: Option<Instant>,
    /// When the first recorded error or error status happened.
    pub first_error: Option<Instant>,
    /// Time with a request in flight inside the measured [`Window`], summed over workers
    /// (warm-up requests that reach into the window count for their part inside it).
    pub busy_in_window: Duration,
}

impl Counters {
    fn begin(&mut self, ticket: Ticket, sent_at: Instant) -> Pending {
        let mut lag_us = None;
        if ticket.recorded {
            self.sent += 1;
            self.first_send = min_opt(self.first_send, Some(sent_at));
            if let Some(intended) = ticket.intended {
                if sent_at.saturating_duration_since(intended) > LATE_SEND_THRESHOLD {
                    self.late_sends += 1;
                }
                // The harness is late only from when it had a free worker for the request.
                let ready = match ticket.taken {
                    Some(taken) if taken > intended => {
                        self.queued_sends += 1;
                        taken
                    }
                    _ => intended,
                };
                lag_us = Some(micros(sent_at.saturating_duration_since(ready)));
            }
        } else {
            self.warmup_sent += 1;
        }
        Pending {
            ticket,
            sent_at,
            lag_us,
        }
    }

    fn add_busy(&mut self, window: Option<Window>, from: Instant, to: Instant) {
        if let Some(window) = window {
            self.busy_in_window += window.overlap(from, to);
        }
    }

    fn end(&mut self, pending: Pending, outcome: Outcome, finished: Instant) -> Sample {
        let Pending {
            ticket,
            sent_at,
            lag_us,
        } = pending;
        if ticket.recorded {
            self.last_finish = max_opt(self.last_finish, Some(finished));
            self.count(outcome, finished);
        }
        let origin = ticket.intended.map_or(sent_at, |t| t.min(sent_at));
        Sample {
            latency_us: pack(micros(finished.saturating_duration_since(origin))),
            service_us: pack(micros(finished.saturating_duration_since(sent_at))),
            lag_us: lag_us.map_or(u32::MAX, pack),
            second: NO_SECOND,
            recorded: ticket.recorded,
        }
    }

    fn cancel(&mut self, pending: Pending) {
        if pending.ticket.recorded {
            self.errors[ErrorKind::Cancelled.index()] += 1;
        }
    }

    fn count(&mut self, outcome: Outcome, at: Instant) {
        match outcome {
            Outcome::Success => {
                self.ok += 1;
                return;
            }
            Outcome::HttpStatus(code) => add_status(&mut self.statuses, code, 1),
            Outcome::Error(kind) => self.errors[kind.index()] += 1,
        }
        self.first_error = min_opt(self.first_error, Some(at));
    }

    /// Adds another worker's counts into these.
    pub fn merge(&mut self, other: &Counters) {
        self.sent += other.sent;
        self.warmup_sent += other.warmup_sent;
        self.ok += other.ok;
        for &(code, n) in &other.statuses {
            add_status(&mut self.statuses, code, n);
        }
        for (mine, theirs) in self.errors.iter_mut().zip(other.errors) {
            *mine += theirs;
        }
        self.late_sends += other.late_sends;
        self.queued_sends += other.queued_sends;
        self.first_send = min_opt(self.first_send, other.first_send);
        self.last_finish = max_opt(self.last_finish, other.last_finish);
        self.first_error = min_opt(self.first_error, other.first_error);
        self.busy_in_window += other.busy_in_window;
    }

    /// Responses with a non-2xx status.
    pub fn http_errors(&self) -> u64 {
        self.statuses.iter().map(|(_, n)| n).sum()
    }

    /// Typed errors of every kind.
    pub fn error_total(&self) -> u64 {
        self.errors.iter().sum()
    }

    /// This worker's or run's outcome tally.
    pub fn tally(&self) -> Tally {
        Tally {
            sent: self.sent,
            ok: self.ok,
            http_errors: self.http_errors(),
            errors: self.error_total(),
        }
    }

    /// Checks `sent == ok + http_errors + errors`; the error names the imbalance.
    pub fn check_accounting(&self) -> Result<(), String> {
        self.tally().check()
    }
}

fn add_status(statuses: &mut Vec<(u16, u64)>, code: u16, n: u64) {
    match statuses.iter_mut().find(|(c, _)| *c == code) {
        Some((_, m)) => *m += n,
        None => statuses.push((code, n)),
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

/// A run's (or a single thread's) measurements: latency, service time and send lag
/// histograms in microseconds, and the outcome counters.
#[derive(Debug, Clone)]
pub struct Recorder {
    /// Latency: from the intended send time (open loop) or the actual send, to the end of
    /// the body.
    pub latency: Histogram<u64>,
    /// Service time: from the actual send to the end of the body.
    pub service: Histogram<u64>,
    /// Open loop: how late each send left after its intended time.
    pub send_lag: Histogram<u64>,
    /// Outcome counts.
    pub counters: Counters,
    pending: InFlight,
    window: Option<Window>,
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
            counters: Counters::default(),
            pending: InFlight::default(),
            window: None,
        }
    }

    /// An empty recorder that adds up in-flight time inside `window`.
    pub fn with_window(window: Window) -> Self {
        Recorder {
            window: Some(window),
            ..Recorder::new()
        }
    }

    /// Marks `ticket` as sent now and returns the send instant; call [`end`](Self::end)
    /// with its outcome. A recorder has one request in flight at a time.
    pub fn begin(&mut self, ticket: Ticket) -> Instant {
        self.pending.begin(&mut self.counters, ticket)
    }

    /// Records the outcome of the request started by the last [`begin`](Self::begin).
    pub fn end(&mut self, outcome: Outcome) {
        if let Some(sample) = self
            .pending
            .end(&mut self.counters, outcome, self.window, None)
        {
            self.record(sample);
        }
    }

    /// Records a request that a client outside this process timed: sent at `sent_at`,
    /// ended at `finished` with `outcome`. The same rules as [`begin`](Self::begin) and
    /// [`end`](Self::end) apply (warm-up, intended time, busy time, a cancelled request
    /// has no latency), so an out-of-process client is measured by the same code.
    pub fn replay(
        &mut self,
        ticket: Ticket,
        sent_at: Instant,
        finished: Instant,
        outcome: Outcome,
    ) {
        let pending = self.counters.begin(ticket, sent_at);
        self.counters.add_busy(self.window, sent_at, finished);
        if outcome == Outcome::Error(ErrorKind::Cancelled) {
            self.counters.cancel(pending);
        } else {
            let sample = self.counters.end(pending, outcome, finished);
            self.record(sample);
        }
    }

    /// Records a measured sample into the histograms; a warm-up sample is left out.
    fn record(&mut self, sample: Sample) {
        if !sample.recorded {
            return;
        }
        self.latency.saturating_record(u64::from(sample.latency_us));
        self.service.saturating_record(u64::from(sample.service_us));
        if sample.lag_us != u32::MAX {
            self.send_lag.saturating_record(u64::from(sample.lag_us));
        }
    }

    /// Adds another recorder's histograms and counts into this one.
    pub fn merge(&mut self, other: &Recorder) {
        self.add_histograms(other);
        self.counters.merge(&other.counters);
    }

    fn add_histograms(&mut self, other: &Recorder) {
        for (mine, theirs) in [
            (&mut self.latency, &other.latency),
            (&mut self.service, &other.service),
            (&mut self.send_lag, &other.send_lag),
        ] {
            mine.add(theirs).expect("histograms share the same bounds");
        }
    }
}

/// Collects one run's measurements: a few histogram shards that workers flush into, and
/// the counters of every worker that has finished (or been dropped).
#[derive(Debug)]
pub struct RecorderPool {
    shards: Vec<Mutex<Shard>>,
    next_shard: AtomicUsize,
    finished: Mutex<Counters>,
    window: Window,
    /// When the run started, if it keeps a [`Timeline`].
    origin: Option<Instant>,
}

/// What one shard holds: the run's histograms and, optionally, its seconds.
#[derive(Debug, Default)]
struct Shard {
    recorder: Recorder,
    timeline: Timeline,
}

impl RecorderPool {
    /// An empty pool for a run measured over `window`, with a histogram shard per core
    /// (so flushes rarely contend).
    pub fn new(window: Window) -> Self {
        let shards = std::thread::available_parallelism()
            .map_or(2, |n| n.get())
            .max(2);
        RecorderPool {
            shards: (0..shards).map(|_| Mutex::new(Shard::default())).collect(),
            next_shard: AtomicUsize::new(0),
            finished: Mutex::new(Counters::default()),
            window,
            origin: None,
        }
    }

    /// This pool, also keeping the run second by second from `origin`, the run's start.
    pub fn with_timeline(self, origin: Instant) -> Self {
        RecorderPool {
            origin: Some(origin),
            ..self
        }
    }

    /// A recorder for one worker; its counts return to this pool when it is dropped.
    pub fn worker(&self) -> WorkerRecorder<'_> {
        WorkerRecorder {
            pool: self,
            shard: self.next_shard.fetch_add(1, Ordering::Relaxed) % self.shards.len(),
            counters: Counters::default(),
            pending: InFlight::default(),
            buffer: Vec::with_capacity(SAMPLE_BUFFER),
        }
    }

    /// Merges every shard and every returned worker. Call after all workers have
    /// finished or been dropped.
    pub fn merged(&self) -> Recorder {
        let mut total = Recorder::new();
        for shard in &self.shards {
            total.add_histograms(&shard.lock().unwrap_or_else(|e| e.into_inner()).recorder);
        }
        total.counters = self
            .finished
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        total
    }

    /// Every shard's seconds merged, stamped with the run's wall-clock start; empty
    /// unless the pool was made [`with_timeline`](Self::with_timeline).
    pub fn timeline(&self) -> Timeline {
        let mut total = Timeline::default();
        let Some(origin) = self.origin else {
            return total;
        };
        for shard in &self.shards {
            total.merge(&shard.lock().unwrap_or_else(|e| e.into_inner()).timeline);
        }
        total.started_at = std::time::SystemTime::now() - origin.elapsed();
        total.warmup = self.window.start.saturating_duration_since(origin);
        total
    }

    fn flush(&self, shard: usize, samples: &[Sample]) {
        let mut shard = self.shards[shard].lock().unwrap_or_else(|e| e.into_inner());
        for &sample in samples {
            if sample.second != NO_SECOND {
                shard
                    .timeline
                    .record(usize::from(sample.second), u64::from(sample.latency_us));
            }
            shard.recorder.record(sample);
        }
    }
}

/// One worker's recorder: its counters and a small sample buffer that flushes into the
/// pool's shards; on drop it counts a request still in flight as cancelled and returns
/// everything to its [`RecorderPool`].
#[derive(Debug)]
pub struct WorkerRecorder<'pool> {
    pool: &'pool RecorderPool,
    shard: usize,
    counters: Counters,
    pending: InFlight,
    buffer: Vec<Sample>,
}

impl WorkerRecorder<'_> {
    /// Marks `ticket` as sent now and returns the send instant; call [`end`](Self::end)
    /// with its outcome. A worker has one request in flight at a time.
    pub fn begin(&mut self, ticket: Ticket) -> Instant {
        self.pending.begin(&mut self.counters, ticket)
    }

    /// Records the outcome of the request started by the last [`begin`](Self::begin).
    pub fn end(&mut self, outcome: Outcome) {
        let window = Some(self.pool.window);
        let origin = self.pool.origin;
        if let Some(sample) = self
            .pending
            .end(&mut self.counters, outcome, window, origin)
        {
            // A warm-up sample is buffered only when a timeline wants it.
            if !sample.recorded && sample.second == NO_SECOND {
                return;
            }
            self.buffer.push(sample);
            if self.buffer.len() == SAMPLE_BUFFER {
                self.pool.flush(self.shard, &self.buffer);
                self.buffer.clear();
            }
        }
    }

    /// This worker's counts so far.
    pub fn counters(&self) -> &Counters {
        &self.counters
    }
}

impl Drop for WorkerRecorder<'_> {
    fn drop(&mut self) {
        self.pending
            .cancel(&mut self.counters, Some(self.pool.window));
        self.pool.flush(self.shard, &self.buffer);
        self.pool
            .finished
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .merge(&self.counters);
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
    /// Requests in flight on average over the measured window (busy time ÷ window).
    pub mean_in_flight: f64,
    /// Whether an interruption ended the load before its count or deadline.
    pub interrupted: bool,
    /// The run second by second (empty unless its pool kept a timeline).
    pub timeline: Timeline,
    /// What the client process used, when the client ran as a child process (the Python
    /// strategies) sampled from outside; `None` when it ran in this process.
    pub client_process: Option<crate::ResourceUsage>,
    /// The first few distinct error messages ([`crate::ErrorSamples`]); empty when none
    /// failed or the strategy does not collect them.
    pub error_samples: Vec<String>,
    /// What the client's connections were (protocol, TLS handshakes, connect time);
    /// `None` from a strategy that does not see its connections (the Python ones).
    pub connections: Option<crate::ConnectionReport>,
}

impl Measurement {
    /// Builds the measurement from a finished run's pool and dispatcher.
    pub fn collect(pool: &RecorderPool, dispatcher: &crate::Dispatcher) -> Self {
        Measurement {
            timeline: pool.timeline(),
            ..Measurement::from_recorder(
                pool.merged(),
                dispatcher.measured_window(),
                dispatcher.issued_after_first_failure(),
                dispatcher.interrupted(),
            )
        }
    }

    /// Builds the measurement from a merged recorder and the run's measured `window`;
    /// `interrupted` says the load was cut short before its count or deadline.
    pub fn from_recorder(
        recorder: Recorder,
        window: Window,
        issued_after_first_failure: Option<u64>,
        interrupted: bool,
    ) -> Self {
        let window_start = window.start;
        let window_end = recorder
            .counters
            .last_finish
            .unwrap_or(window_start)
            .max(window_start);
        // A batch's window closes with its last response; a timed run's with its load,
        // unless an interruption cut the load short: then nothing was in flight after the
        // last response, and the planned end would dilute the in-flight count.
        let busy_end = match window.end {
            Some(end) if !interrupted => end,
            _ => window_end,
        };
        let span = busy_end.saturating_duration_since(window_start);
        let mean_in_flight = if span.is_zero() {
            0.0
        } else {
            recorder.counters.busy_in_window.as_secs_f64() / span.as_secs_f64()
        };
        Measurement {
            recorder,
            window_start,
            window_end,
            issued_after_first_failure,
            extras: Default::default(),
            mean_in_flight,
            interrupted,
            timeline: Timeline::default(),
            client_process: None,
            error_samples: Vec::new(),
            connections: None,
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
        Ticket::unpaced(index, true)
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
        let c = &recorder.counters;
        assert_eq!(c.sent, 4);
        assert_eq!(c.ok, 1);
        assert_eq!(c.statuses, vec![(503, 2)]);
        assert_eq!(c.errors[ErrorKind::Timeout.index()], 1);
        assert_eq!(recorder.latency.len(), 4);
        c.check_accounting().unwrap();
    }

    #[test]
    fn warmup_tickets_are_not_recorded_but_counted_apart() {
        let mut recorder = Recorder::new();
        recorder.begin(Ticket {
            recorded: false,
            ..ticket(0)
        });
        recorder.end(Outcome::Success);
        assert_eq!(recorder.counters.sent, 0);
        assert_eq!(recorder.counters.warmup_sent, 1);
        assert_eq!(recorder.latency.len(), 0);
        let mut merged = Recorder::new();
        merged.merge(&recorder);
        merged.merge(&recorder);
        assert_eq!(merged.counters.warmup_sent, 2);
        assert!(merged.counters.check_accounting().is_ok());
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
        assert_eq!(recorder.send_lag.len(), 1);
        assert_eq!(recorder.counters.late_sends, 1);
    }

    #[test]
    fn a_request_that_waited_for_a_free_worker_keeps_the_wait_in_its_latency_not_the_send_lag() {
        let mut recorder = Recorder::new();
        let now = Instant::now();
        // Due 50 ms ago, taken by a worker just now: every worker was busy meanwhile.
        recorder.begin(Ticket {
            intended: Some(now - Duration::from_millis(50)),
            taken: Some(now),
            ..ticket(0)
        });
        recorder.end(Outcome::Success);
        // Taken 10 ms before it was due: the worker waited, so any lateness is the harness's.
        recorder.begin(Ticket {
            intended: Some(now - Duration::from_millis(30)),
            taken: Some(now - Duration::from_millis(40)),
            ..ticket(1)
        });
        recorder.end(Outcome::Success);
        assert_eq!(recorder.counters.queued_sends, 1);
        assert_eq!(
            recorder.counters.late_sends, 2,
            "both left late of their schedule"
        );
        assert!(
            recorder.latency.min() >= 30_000,
            "the waits stay in the latency"
        );
        assert!(
            recorder.send_lag.min() < 10_000,
            "the queued one's lag runs from when a worker was free"
        );
        assert!(
            recorder.send_lag.max() >= 30_000,
            "the other's from its intended time"
        );
    }

    #[test]
    fn dropped_worker_returns_its_counts_and_counts_the_pending_request_cancelled() {
        let pool = RecorderPool::new(open_window());
        {
            let mut worker = pool.worker();
            worker.begin(ticket(0));
            worker.end(Outcome::Success);
            worker.begin(ticket(1));
        }
        let merged = pool.merged();
        assert_eq!(merged.counters.sent, 2);
        assert_eq!(merged.counters.ok, 1);
        assert_eq!(merged.counters.errors[ErrorKind::Cancelled.index()], 1);
        assert_eq!(merged.latency.len(), 1);
        merged.counters.check_accounting().unwrap();
    }

    #[test]
    fn workers_flush_every_sample_into_the_shards() {
        let _serial = crate::THREAD_COUNTING
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        let pool = RecorderPool::new(open_window());
        std::thread::scope(|scope| {
            for w in 0..5u64 {
                let pool = &pool;
                scope.spawn(move || {
                    let mut worker = pool.worker();
                    // Not a multiple of the buffer size: the drop must flush the rest.
                    for i in 0..(SAMPLE_BUFFER as u64 * 3 + 7) {
                        worker.begin(ticket(w * 1000 + i));
                        worker.end(Outcome::Success);
                    }
                });
            }
        });
        let merged = pool.merged();
        let expected = 5 * (SAMPLE_BUFFER as u64 * 3 + 7);
        assert_eq!(merged.latency.len(), expected);
        assert_eq!(merged.service.len(), expected);
        assert_eq!(merged.send_lag.len(), 0);
        assert_eq!(merged.counters.sent, expected);
    }

    fn open_window() -> Window {
        Window {
            start: Instant::now(),
            end: None,
        }
    }

    #[test]
    fn only_the_part_of_a_request_inside_the_window_counts_as_busy() {
        let t0 = Instant::now();
        let ms = Duration::from_millis;
        let window = Window {
            start: t0 + ms(10),
            end: Some(t0 + ms(20)),
        };
        // Straddles the start, lies inside, straddles the end, lies wholly outside.
        assert_eq!(window.overlap(t0, t0 + ms(15)), ms(5));
        assert_eq!(window.overlap(t0 + ms(12), t0 + ms(14)), ms(2));
        assert_eq!(window.overlap(t0 + ms(18), t0 + ms(40)), ms(2));
        assert_eq!(window.overlap(t0 + ms(25), t0 + ms(30)), Duration::ZERO);
        let open = Window {
            end: None,
            ..window
        };
        assert_eq!(open.overlap(t0 + ms(18), t0 + ms(40)), ms(22));
    }

    #[test]
    fn warmup_and_cancelled_requests_count_their_busy_time_inside_the_window() {
        let pool = RecorderPool::new(Window {
            start: Instant::now() - Duration::from_millis(30),
            end: None,
        });
        {
            let mut worker = pool.worker();
            worker.begin(Ticket {
                recorded: false,
                ..ticket(0)
            });
            std::thread::sleep(Duration::from_millis(5));
            worker.end(Outcome::Success);
            worker.begin(ticket(1));
            std::thread::sleep(Duration::from_millis(5));
        }
        let busy = pool.merged().counters.busy_in_window;
        assert!(busy >= Duration::from_millis(10), "{busy:?}");
        assert!(busy < Duration::from_millis(30), "{busy:?}");
    }

    #[test]
    fn a_window_that_closed_before_the_request_counts_no_busy_time() {
        let mut recorder = Recorder::with_window(Window {
            start: Instant::now() - Duration::from_millis(20),
            end: Some(Instant::now() - Duration::from_millis(10)),
        });
        recorder.begin(ticket(0));
        recorder.end(Outcome::Success);
        assert_eq!(recorder.counters.busy_in_window, Duration::ZERO);
        assert_eq!(recorder.counters.sent, 1);
    }

    #[test]
    fn a_timeline_keeps_warmup_requests_by_second_but_the_histograms_do_not() {
        let origin = Instant::now() - Duration::from_millis(2_500);
        let pool = RecorderPool::new(Window {
            start: origin + Duration::from_secs(1),
            end: None,
        })
        .with_timeline(origin);
        {
            let mut worker = pool.worker();
            worker.begin(Ticket {
                recorded: false,
                ..ticket(0)
            });
            worker.end(Outcome::Success);
            worker.begin(ticket(1));
            worker.end(Outcome::HttpStatus(503));
        }
        let timeline = pool.timeline();
        let seconds = timeline.summary();
        // Both finished 2.5 s after the origin: second 2, after the 1 s warm-up.
        assert_eq!(seconds.len(), 3);
        assert_eq!(seconds[2].completed, 2);
        assert!(seconds[0].warmup && !seconds[2].warmup);
        assert_eq!(pool.merged().latency.len(), 1);
    }

    #[test]
    fn a_pool_without_a_timeline_keeps_no_seconds() {
        let pool = RecorderPool::new(open_window());
        {
            let mut worker = pool.worker();
            worker.begin(ticket(0));
            worker.end(Outcome::Success);
        }
        assert!(pool.timeline().seconds.is_empty());
        assert_eq!(pool.merged().latency.len(), 1);
    }

    #[test]
    fn replayed_requests_follow_the_same_rules_as_live_ones() {
        let t0 = Instant::now();
        let ms = Duration::from_millis;
        let mut recorder = Recorder::with_window(Window {
            start: t0 + ms(10),
            end: None,
        });
        // A warm-up request, an open-loop one sent 20 ms late, and a cancelled one.
        recorder.replay(
            Ticket {
                recorded: false,
                ..ticket(0)
            },
            t0,
            t0 + ms(5),
            Outcome::Success,
        );
        recorder.replay(
            Ticket {
                intended: Some(t0 + ms(10)),
                ..ticket(1)
            },
            t0 + ms(30),
            t0 + ms(40),
            Outcome::HttpStatus(503),
        );
        recorder.replay(
            ticket(2),
            t0 + ms(40),
            t0 + ms(45),
            Outcome::Error(ErrorKind::Cancelled),
        );
        let c = &recorder.counters;
        assert_eq!((c.warmup_sent, c.sent), (1, 2));
        assert_eq!(c.statuses, vec![(503, 1)]);
        assert_eq!(c.errors[ErrorKind::Cancelled.index()], 1);
        assert_eq!(c.late_sends, 1);
        assert_eq!(c.busy_in_window, ms(15));
        // The cancelled request has no latency; the late one counts from its intended time.
        assert_eq!(recorder.latency.len(), 1);
        assert!(recorder.latency.equivalent(recorder.latency.max(), 30_000));
        assert!(recorder.service.equivalent(recorder.service.max(), 10_000));
        c.check_accounting().unwrap();
    }

    #[test]
    fn a_timed_load_window_leaves_out_the_warmup_and_a_batch_stays_open() {
        let t0 = Instant::now();
        let closed = LoadModel::ClosedLoop {
            concurrency: 4,
            duration: Duration::from_secs(5),
            warmup: Duration::from_secs(1),
        };
        let window = Window::of(&closed, t0);
        assert_eq!(window.start, t0 + Duration::from_secs(1));
        assert_eq!(window.end, Some(t0 + Duration::from_secs(6)));
        let batch = LoadModel::Batch {
            requests: 10,
            concurrency: 2,
        };
        assert_eq!(
            Window::of(&batch, t0),
            Window {
                start: t0,
                end: None
            }
        );
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
        assert_eq!(a.counters.sent, 3);
        assert_eq!(a.counters.statuses, vec![(500, 2), (404, 1)]);
        assert_eq!(a.latency.len(), 3);
    }
}
