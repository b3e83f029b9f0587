//! The run as the client reports it, replayed into core's [`Recorder`]: each `r` line is
//! matched to the ticket it answers (so its intended and taken times are waitbench's own,
//! never the client's), its times are moved onto waitbench's clock, and the recorder
//! applies the same rules as to a Rust worker's request (warm-up, latency origin, send
//! lag, busy time, a cancelled request has no latency). A failure is settled with the
//! dispatcher, which stops the hand-out under `--on-error cancel`.

use std::collections::BTreeMap;

use waitbench_core::{Dispatcher, ErrorPolicy, ErrorSamples, Outcome, Recorder};

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
        }
    }

    /// Takes one line.
    pub(crate) fn line(&mut self, text: &str) -> Result<Step, Fault> {
        match ClientLine::parse(text)? {
            ClientLine::Record(record) => {
                let ticket =
                    self.outstanding
                        .report(record.index)
                        .ok_or_else(|| Fault::UnknownTicket {
                            index: record.index,
                            line: text.trim_end().to_string(),
                        })?;
                self.recorder.replay(
                    ticket,
                    self.clock.instant(record.sent_ns),
                    self.clock.instant(record.ended_ns),
                    record.outcome,
                );
                if record.outcome != Outcome::Success {
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

    use waitbench_core::{ErrorKind, LoadModel, Ticket};

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
    }
}
