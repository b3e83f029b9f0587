//! The run as the client reports it, replayed into core's [`Recorder`]: each `r` line is
//! matched to the ticket it answers (so its intended and taken times are waitbench's own,
//! never the client's), its times are moved onto waitbench's clock, and the recorder
//! applies the same rules as to a Rust worker's request (warm-up, latency origin, send
//! lag, busy time, a cancelled request has no latency). A failure is settled with the
//! dispatcher, which stops the hand-out under `--on-error cancel`.

use std::collections::BTreeMap;
use std::time::SystemTime;

use waitbench_core::{
    Dispatcher, ErrorPolicy, ErrorSamples, LoadModel, Outcome, Recorder, Ticket, Timeline,
};

use super::clock::ClientClock;
use super::error::Fault;
use super::lines::ClientLine;
use super::outstanding::Outstanding;

/// Whether the conversation goes on after a line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Step {
    /// Read the next line.
    More,
    /// The client wrote `done`.
    Done,
}

/// What the client's lines after `go` add up to.
pub(crate) struct Replay<'a> {
    clock: ClientClock,
    outstanding: &'a Outstanding,
    dispatcher: &'a Dispatcher,
    policy: ErrorPolicy,
    /// Every request reported.
    pub(crate) recorder: Recorder,
    /// The first few distinct error messages.
    pub(crate) samples: ErrorSamples,
    /// The client's own figures.
    pub(crate) extras: BTreeMap<String, f64>,
    /// The run second by second, warm-up included (`--hlog`, the worst second).
    timeline: Timeline,
    /// A self-paced client's numbering; `None` when waitbench hands out the tickets.
    self_paced: Option<SelfPaced>,
}

/// What a self-paced client's `r` lines are checked against: it numbers its requests
/// itself, so each index is new, and below a batch's size.
struct SelfPaced {
    /// A batch's size; `None` for a closed loop.
    requests: Option<u64>,
    /// Whether a closed loop left out requests sent before the window.
    warmup: bool,
    /// One bit per index reported (grows by doubling: rarely, never per request).
    reported: Vec<u64>,
}

impl SelfPaced {
    /// Notes `index` as reported; `false` if it is out of range or was already.
    fn first_report(&mut self, index: u64) -> bool {
        if self.requests.is_some_and(|n| index >= n) {
            return false;
        }
        let (word, bit) = ((index / 64) as usize, 1u64 << (index % 64));
        if word >= self.reported.len() {
            self.reported.resize((word + 1).next_power_of_two(), 0);
        }
        let new = self.reported[word] & bit == 0;
        self.reported[word] |= bit;
        new
    }
}

impl<'a> Replay<'a> {
    /// A replay of a run whose tickets `dispatcher` decides and `outstanding` holds.
    pub(crate) fn new(
        clock: ClientClock,
        outstanding: &'a Outstanding,
        dispatcher: &'a Dispatcher,
        policy: ErrorPolicy,
    ) -> Self {
        Replay {
            clock,
            outstanding,
            dispatcher,
            policy,
            recorder: Recorder::with_window(dispatcher.measured_window()),
            samples: ErrorSamples::default(),
            extras: BTreeMap::new(),
            timeline: Timeline::default(),
            self_paced: None,
        }
    }

    /// This replay for a client that numbers its own requests (self-paced mode) in a
    /// run of `load`: its records need no ticket, and a failure stops nothing.
    pub(crate) fn self_paced(self, load: &LoadModel) -> Self {
        let requests = match *load {
            LoadModel::Batch { requests, .. } => Some(requests),
            LoadModel::ClosedLoop { .. } | LoadModel::OpenLoop { .. } => None,
        };
        Replay {
            self_paced: Some(SelfPaced {
                requests,
                warmup: requests.is_none(),
                reported: Vec::with_capacity(1024),
            }),
            ..self
        }
    }

    /// The ticket an `r` line answers: the one handed out, or, for a self-paced client,
    /// the one the dispatcher's rules give it (a closed loop records what was sent inside
    /// the window).
    fn ticket(&mut self, index: u64, sent: std::time::Instant) -> Option<Ticket> {
        let Some(paced) = &mut self.self_paced else {
            return self.outstanding.report(index);
        };
        paced.first_report(index).then(|| {
            Ticket::unpaced(
                index,
                !paced.warmup || sent >= self.dispatcher.window_start(),
            )
        })
    }

    /// The run's seconds, stamped with its wall-clock start, as a pool's timeline is.
    pub(crate) fn timeline(&mut self) -> Timeline {
        let start = self.dispatcher.start();
        Timeline {
            started_at: SystemTime::now() - start.elapsed(),
            warmup: self
                .dispatcher
                .window_start()
                .saturating_duration_since(start),
            seconds: std::mem::take(&mut self.timeline.seconds),
        }
    }

    /// Takes one line.
    pub(crate) fn line(&mut self, text: &str) -> Result<Step, Fault> {
        match ClientLine::parse(text)? {
            ClientLine::Record(record) => {
                let (sent, ended) = (
                    self.clock.instant(record.sent_ns),
                    self.clock.instant(record.ended_ns),
                );
                let ticket =
                    self.ticket(record.index, sent)
                        .ok_or_else(|| Fault::UnknownTicket {
                            index: record.index,
                            line: text.trim_end().to_string(),
                        })?;
                self.recorder.replay(ticket, sent, ended, record.outcome);
                if record.outcome != Outcome::Error(waitbench_core::ErrorKind::Cancelled) {
                    // The recorder's latency: from the intended time, or the send.
                    let from = ticket.intended.map_or(sent, |at| at.min(sent));
                    let second = ended.saturating_duration_since(self.dispatcher.start());
                    self.timeline.record(
                        second.as_secs() as usize,
                        (ended.saturating_duration_since(from).as_micros() as u64).max(1),
                    );
                }
                // A self-paced run has no hand-out to stop (it is wait-all only).
                if record.outcome != Outcome::Success && self.self_paced.is_none() {
                    self.dispatcher.settle(record.outcome, self.policy);
                }
                Ok(Step::More)
            }
            ClientLine::Message { text, .. } => {
                self.samples.note(|| text.to_string());
                Ok(Step::More)
            }
            ClientLine::Extra { key, value } => {
                self.extras.insert(key.to_string(), value);
                Ok(Step::More)
            }
            ClientLine::Done => Ok(Step::Done),
            ClientLine::Fail(reason) => Err(Fault::Failed(reason.to_string())),
            ClientLine::Ready(_) | ClientLine::Clock { .. } => Err(Fault::OutOfTurn {
                line: text.trim_end().to_string(),
                when: "after go",
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, Instant};

    use waitbench_core::ErrorKind;

    use super::super::clock::Exchange;
    use super::*;

    fn same_clock() -> ClientClock {
        let now = Instant::now();
        ClientClock::from_exchanges(&[Exchange {
            written: now,
            client_ns: 0,
            read: now,
        }])
        .unwrap()
    }

    #[test]
    fn a_self_paced_client_numbers_its_requests_once_each_and_inside_the_batch() {
        let load = LoadModel::Batch {
            requests: 3,
            concurrency: 2,
        };
        let dispatcher = Dispatcher::new(&load);
        let outstanding = Outstanding::new(2);
        let mut replay = Replay::new(
            same_clock(),
            &outstanding,
            &dispatcher,
            ErrorPolicy::WaitAll,
        )
        .self_paced(&load);
        replay.line("r 1 10 20 http 200").unwrap();
        replay.line("r 0 10 30 http 500").unwrap();
        assert!(!dispatcher.is_stopped(), "no hand-out to stop");
        assert!(matches!(
            replay.line("r 1 40 50 http 200"),
            Err(Fault::UnknownTicket { index: 1, .. })
        ));
        assert!(matches!(
            replay.line("r 3 40 50 http 200"),
            Err(Fault::UnknownTicket { index: 3, .. })
        ));
        replay.line("r 2 40 50 http 200").unwrap();
        let counters = &replay.recorder.counters;
        assert_eq!((counters.sent, counters.ok), (3, 2));
        counters.check_accounting().unwrap();
    }

    #[test]
    fn records_replay_against_their_tickets_and_a_failure_cancels_the_hand_out() {
        let dispatcher = Dispatcher::new(&LoadModel::Batch {
            requests: 10,
            concurrency: 2,
        });
        let outstanding = Outstanding::new(2);
        let mut replay = Replay::new(same_clock(), &outstanding, &dispatcher, ErrorPolicy::Cancel);
        for _ in 0..2 {
            let ticket: Ticket = dispatcher.next().unwrap();
            assert!(outstanding.hand(ticket));
        }
        assert_eq!(
            replay.line("r 0 1000 5001000 http 200\n").unwrap(),
            Step::More
        );
        assert!(!dispatcher.is_stopped());
        replay.line("r 1 2000 3000 reset 0").unwrap();
        replay
            .line("message reset connection reset by peer")
            .unwrap();
        replay.line("extra ticker_ticks 12").unwrap();
        assert!(dispatcher.is_stopped(), "cancel stops at the first failure");
        assert!(matches!(
            replay.line("r 1 2000 3000 http 200"),
            Err(Fault::UnknownTicket { index: 1, .. })
        ));
        assert!(matches!(
            replay.line("clock 1 5"),
            Err(Fault::OutOfTurn { .. })
        ));
        assert_eq!(replay.line("done").unwrap(), Step::Done);
        let counters = &replay.recorder.counters;
        assert_eq!((counters.sent, counters.ok), (2, 1));
        assert_eq!(counters.errors[ErrorKind::Reset.index()], 1);
        counters.check_accounting().unwrap();
        // 5 ms from send to end, on the client's clock.
        assert_eq!(
            replay.recorder.latency.max(),
            replay
                .recorder
                .latency
                .highest_equivalent(Duration::from_millis(5).as_micros() as u64)
        );
        assert_eq!(replay.samples.messages(), ["connection reset by peer"]);
        assert_eq!(replay.extras["ticker_ticks"], 12.0);
        // Both answers finished in the run's first second; the cancelled-free pair is kept.
        let timeline = replay.timeline();
        assert_eq!(timeline.seconds.len(), 1);
        assert_eq!(timeline.seconds[0].len(), 2);
    }
}
