//! The run as the client reports it, replayed into core's [`Recorder`]: each `r` line is
//! matched to the ticket it answers (so its intended and taken times are waitbench's own,
//! never the client's), its times are moved onto waitbench's clock, and the recorder
//! applies the same rules as to a Rust worker's request (warm-up, latency origin, send
//! lag, busy time, a cancelled request has no latency). A failure is settled with the
//! dispatcher, which stops the hand-out under `--on-error cancel`.
//!
//! A closed loop measures the requests whose tickets were handed out after the warm-up
//! (a self-paced client's: sent after it) and that were sent before the window's end: a
//! ticket a client held ahead (`tickets_ahead`) and sent after the end is recorded but
//! left out of the window. The end goes by the client's send time, the start by the
//! hand-out's, so a client whose clock is off is still measured (and fails only
//! `client-check`'s row about times).

use std::collections::BTreeMap;
use std::time::SystemTime;

use waitbench_core::{
    Dispatcher, ErrorPolicy, ErrorSamples, LoadModel, Outcome, Recorder, Ticket, Timeline, Window,
    Workload,
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
    /// A closed loop's window, which the send times are measured against.
    closed_loop: Option<Window>,
    /// A self-paced client's numbering; `None` when waitbench hands out the tickets.
    self_paced: Option<SelfPaced>,
}

/// What a self-paced client's `r` lines are checked against: it numbers its requests
/// itself, so each index is new, and below a batch's size.
struct SelfPaced {
    /// A batch's size; `None` for a closed loop.
    requests: Option<u64>,
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
    /// A replay of a run of `workload` whose tickets `dispatcher` decides and
    /// `outstanding` holds.
    pub(crate) fn new(
        clock: ClientClock,
        outstanding: &'a Outstanding,
        dispatcher: &'a Dispatcher,
        workload: &Workload,
    ) -> Self {
        let window = dispatcher.measured_window();
        Replay {
            clock,
            outstanding,
            dispatcher,
            policy: workload.on_error,
            recorder: Recorder::with_window(window),
            samples: ErrorSamples::default(),
            extras: BTreeMap::new(),
            timeline: Timeline::default(),
            closed_loop: matches!(workload.load, LoadModel::ClosedLoop { .. }).then_some(window),
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
                reported: Vec::with_capacity(1024),
            }),
            ..self
        }
    }

    /// The ticket an `r` line answers: the one handed out, or, for a self-paced client,
    /// one of its own numbering (sent after a closed loop's warm-up); a closed loop
    /// leaves out what was sent after its window.
    fn ticket(&mut self, index: u64, sent: std::time::Instant) -> Option<Ticket> {
        let ticket = match &mut self.self_paced {
            None => self.outstanding.report(index)?,
            Some(paced) => paced.first_report(index).then(|| {
                let warmup_over = self.closed_loop.is_none_or(|window| sent >= window.start);
                Ticket::unpaced(index, warmup_over)
            })?,
        };
        Some(match self.closed_loop {
            Some(window) => Ticket {
                recorded: ticket.recorded && window.end.is_none_or(|end| sent < end),
                ..ticket
            },
            None => ticket,
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
    use super::super::workload;
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

    /// What a replay of one run needs: its dispatcher, its outstanding tickets, its
    /// workload.
    struct Run {
        dispatcher: Dispatcher,
        outstanding: Outstanding,
        workload: Workload,
    }

    impl Run {
        /// A run of `load` under `policy`, with room for `credits` tickets.
        fn new(load: LoadModel, policy: ErrorPolicy, credits: usize) -> Self {
            Run {
                dispatcher: Dispatcher::new(&load),
                outstanding: Outstanding::new(credits),
                workload: workload(load, policy),
            }
        }

        fn replay(&self) -> Replay<'_> {
            Replay::new(
                same_clock(),
                &self.outstanding,
                &self.dispatcher,
                &self.workload,
            )
        }

        /// Hands out `n` tickets, as the hand-out does with `n` credits.
        fn hand(&self, n: usize) {
            for _ in 0..n {
                assert!(self.outstanding.hand(self.dispatcher.next().unwrap()));
            }
        }
    }

    #[test]
    fn a_self_paced_client_numbers_its_requests_once_each_and_inside_the_batch() {
        let load = LoadModel::Batch {
            requests: 3,
            concurrency: 2,
        };
        let run = Run::new(load.clone(), ErrorPolicy::WaitAll, 2);
        let dispatcher = &run.dispatcher;
        let mut replay = run.replay().self_paced(&load);
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
        let load = LoadModel::Batch {
            requests: 10,
            concurrency: 2,
        };
        let run = Run::new(load, ErrorPolicy::Cancel, 2);
        let dispatcher = &run.dispatcher;
        let mut replay = run.replay();
        run.hand(2);
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

    #[test]
    fn a_closed_loop_measures_what_was_sent_in_its_window_and_a_ticket_held_past_its_end_is_left_out()
     {
        // C = 1 with 2 tickets ahead: 3 handed out before the window closes.
        let load = LoadModel::ClosedLoop {
            duration: Duration::from_secs(60),
            warmup: Duration::ZERO,
            concurrency: 1,
        };
        let run = Run::new(load, ErrorPolicy::WaitAll, 3);
        let mut replay = run.replay();
        run.hand(3);
        let ms: u64 = 1_000_000;
        replay
            .line(&format!("r 0 {} {} http 200", ms, 2 * ms))
            .unwrap();
        replay
            .line(&format!("r 1 {} {} http 200", 2 * ms, 3 * ms))
            .unwrap();
        // Sent 61 s in, after the window's end: its ticket was held ahead.
        let late = 61_000 * ms;
        replay
            .line(&format!("r 2 {} {} http 200", late, late + ms))
            .unwrap();
        let counters = &replay.recorder.counters;
        assert_eq!((counters.sent, counters.warmup_sent), (2, 1));
        assert_eq!(counters.ok, 2, "the late one is in no measured count");
        counters.check_accounting().unwrap();
        assert_eq!(replay.recorder.latency.len(), 2);
    }

    #[test]
    fn a_ticket_held_ahead_and_dropped_at_stop_is_never_counted_as_sent() {
        let load = LoadModel::Batch {
            requests: 100,
            concurrency: 1,
        };
        let run = Run::new(load, ErrorPolicy::WaitAll, 3);
        let mut replay = run.replay();
        run.hand(3);
        // `stop`: the one in flight is reported, the two held ahead are dropped.
        replay.line("r 0 1000 2000 http 200").unwrap();
        assert_eq!(replay.line("done").unwrap(), Step::Done);
        let counters = &replay.recorder.counters;
        assert_eq!(
            (counters.sent, counters.warmup_sent, counters.ok),
            (1, 0, 1)
        );
        counters.check_accounting().unwrap();
        assert_eq!(run.dispatcher.issued(), 3, "handed out, never sent");
        // A held ticket reported after all is a request like any other.
        assert!(run.outstanding.report(1).is_some());
    }
}
