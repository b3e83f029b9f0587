//! Measuring a client that runs outside waitbench, in any language: the driver side of
//! client protocol 1 (`docs/client-protocol.md`).
//!
//! waitbench decides when each request leaves, the client only sends and reports, and
//! waitbench records every request itself. So the load models stay written once, in
//! core's [`Dispatcher`](waitbench_core::Dispatcher), and an external client is measured
//! by the same code as a Rust one: the same clock (its times moved onto waitbench's by
//! the [`clock`] handshake), the same [`Recorder`](waitbench_core::Recorder) rules, the
//! same accounting check, its CPU, memory and threads sampled from outside with core's
//! [`ResourceSampler`], from its `ready` to its `done`.
//!
//! One concept per file: the line grammar ([`lines`]), the clock handshake ([`clock`]),
//! the `job` line ([`job`]), the tickets outstanding ([`outstanding`]), their hand-out
//! ([`handout`]), the replay of the client's records ([`replay`]), and the child process
//! ([`child`]), and a user's command line ([`command`]). Nothing here knows a runtime: the built-in runtimes
//! ([`crate::runtimes`]) and a user's own program (`run --client`) are all driven by
//! [`drive`].

mod child;
mod clock;
mod command;
mod error;
mod handout;
mod job;
mod lines;
mod outstanding;
mod replay;

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::process::{ChildStdin, ChildStdout};
use std::sync::Arc;
use std::time::Instant;

use waitbench_core::{Dispatcher, Measurement, ResourceSampler, Workload, extras, interrupt};

pub use child::{PROTOCOL_VARIABLE, Program};
pub use command::BadCommand;
pub use error::{ExternalError, Fault};
pub use job::PROTOCOL;
pub use lines::{BadLine, Problem};

use clock::{ClientClock, EXCHANGES, Exchange};
use lines::ClientLine;
use outstanding::{Outstanding, POLL};
use replay::{Replay, Step};

/// What a client says of itself in its `ready` line; every field is optional.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize)]
#[serde(default)]
pub struct Described {
    /// Library and version, e.g. `aiohttp 3.10.5`.
    pub client: Option<String>,
    /// Runtime and version, e.g. `CPython 3.11.2`.
    pub runtime: Option<String>,
    /// The most requests it can really have in flight for this job (default: C).
    pub in_flight: Option<usize>,
    /// Tickets it queues beyond C, keeping at most C in flight itself: waitbench then
    /// keeps that many more outstanding where it may (see [`handout::credits`]); 0 by
    /// default.
    pub tickets_ahead: usize,
    /// Further lines shown with the run.
    pub info: BTreeMap<String, String>,
}

impl Described {
    /// The `ready` line's object; an unknown field is ignored (a later protocol's), a
    /// known one of the wrong type or out of bounds is an error that says which.
    fn parse(json: &str) -> Result<Described, Fault> {
        let described =
            serde_json::from_str::<Described>(json).map_err(|e| Fault::Ready(e.to_string()))?;
        if described.tickets_ahead > handout::MAX_TICKETS_AHEAD {
            return Err(Fault::Ready(format!(
                "tickets_ahead is {}, above the {} waitbench hands out ahead; declare at most \
                 that many",
                described.tickets_ahead,
                handout::MAX_TICKETS_AHEAD
            )));
        }
        Ok(described)
    }
}

/// One external run: the measurement, and what the client said of itself.
#[derive(Debug)]
pub struct Driven {
    /// The measurement, its accounting not yet checked.
    pub measurement: Measurement,
    /// The client's `ready` object.
    pub described: Described,
}

/// What to run and how.
#[derive(Debug, Clone)]
pub struct Session<'a> {
    /// The client's name in messages (a pattern's name, or the user's command).
    pub client: &'a str,
    /// The command that runs it.
    pub program: &'a Program,
    /// The pattern's options, an object the client defines (`{}` for none).
    pub options: &'a serde_json::Value,
    /// Tickets outstanding at most: C, or fewer when the client has fewer takers (a
    /// sequential pattern takes one ticket at a time).
    pub credits: usize,
    /// The client paces itself (protocol 1's self-paced mode): no tickets are handed out,
    /// it numbers its requests and keeps C in flight; a batch or a closed loop only.
    pub self_paced: bool,
}

impl Session<'_> {
    /// Refuses what self-paced mode cannot do: an open loop's schedule is waitbench's,
    /// and only the hand-out can stop at a first failure.
    pub fn check(&self, workload: &Workload) -> Result<(), crate::RunError> {
        if !self.self_paced {
            return Ok(());
        }
        let unsupported = |needs| crate::RunError::Unsupported {
            strategy: "an external client",
            option: "--self-paced".into(),
            needs,
        };
        if matches!(workload.load, waitbench_core::LoadModel::OpenLoop { .. }) {
            return Err(unsupported(
                "a batch or a closed loop: an open loop's send times are waitbench's",
            ));
        }
        if workload.on_error != waitbench_core::ErrorPolicy::WaitAll {
            return Err(unsupported(
                "--on-error wait-all: only the hand-out stops at a first failure",
            ));
        }
        Ok(())
    }
}

/// What a strategy does with an external client: checks `session` against `workload`,
/// drives the run, and checks its accounting.
pub fn measure(session: &Session<'_>, workload: &Workload) -> Result<Driven, crate::RunError> {
    workload.validate()?;
    session.check(workload)?;
    let driven = drive(session, workload)?;
    driven
        .measurement
        .recorder
        .counters
        .check_accounting()
        .map_err(crate::RunError::Accounting)?;
    Ok(driven)
}

/// Drives one run of `workload` through `session`'s client, from start to exit.
pub fn drive(session: &Session<'_>, workload: &Workload) -> Result<Driven, ExternalError> {
    let failed = |fault, last_words| ExternalError {
        client: session.client.to_string(),
        fault: Box::new(fault),
        last_words,
    };
    let (process, stdin, stdout) =
        child::ClientProcess::start(session.program).map_err(|f| failed(f, None))?;
    let pid = process.id();
    let outstanding = Arc::new(Outstanding::new(session.credits));
    let watchdog = {
        let outstanding = Arc::clone(&outstanding);
        std::thread::spawn(move || stop_when_interrupted(pid, &outstanding))
    };
    let driven = converse(session, workload, pid, stdin, stdout, &outstanding);
    outstanding.end();
    if driven.is_err() {
        child::signal(pid, libc::SIGKILL);
    }
    let _ = watchdog.join();
    let (status, last_words) = process.finish();
    match (driven, status) {
        (Ok(driven), Some(status)) if status.success() || driven.measurement.interrupted => {
            Ok(driven)
        }
        (Ok(_), Some(status)) => Err(failed(Fault::Exit(status), last_words)),
        (Ok(driven), None) => Ok(driven),
        (Err(fault), _) => Err(failed(fault, last_words)),
    }
}

/// Ends the conversation of an interrupted run: the hand-out writes `stop`; a client that
/// has not written `done` a second later is sent SIGTERM, a second after that SIGKILL.
fn stop_when_interrupted(pid: u32, outstanding: &Outstanding) {
    while !outstanding.wait_end(POLL) {
        if interrupt::requested() {
            for signal in [libc::SIGTERM, libc::SIGKILL] {
                if outstanding.wait_end(child::GRACE) {
                    return;
                }
                child::signal(pid, signal);
            }
            return;
        }
    }
}

/// The most lines the reader takes before it wakes the hand-out to the credits they
/// returned, when one read brought more: a bound on how long a returned credit waits.
const WAKE_EVERY: u32 = 64;

/// Reads the client's lines, one at a time, into a buffer reused for each.
struct Lines {
    reader: BufReader<ChildStdout>,
    line: String,
}

impl Lines {
    /// The next line; `None` when the client's output ended.
    fn next(&mut self) -> Result<Option<&str>, Fault> {
        self.line.clear();
        match self.reader.read_line(&mut self.line) {
            Ok(0) => Ok(None),
            Ok(_) => Ok(Some(&self.line)),
            Err(e) => Err(Fault::Pipe(e)),
        }
    }

    /// Whether a whole line is already buffered, so the next one costs no read.
    fn more_without_reading(&self) -> bool {
        self.reader.buffer().last() == Some(&b'\n')
    }

    /// The next line, which must be there.
    fn expect(&mut self, expected: &'static str) -> Result<&str, Fault> {
        self.next()?.ok_or(Fault::Ended { expected })
    }
}

fn send(stdin: &mut ChildStdin, line: &str) -> Result<(), Fault> {
    stdin
        .write_all(line.as_bytes())
        .and_then(|()| stdin.write_all(b"\n"))
        .and_then(|()| stdin.flush())
        .map_err(Fault::Pipe)
}

/// The conversation: job, ready, the clock handshake, go, the run, done.
fn converse(
    session: &Session<'_>,
    workload: &Workload,
    pid: u32,
    mut stdin: ChildStdin,
    stdout: ChildStdout,
    outstanding: &Arc<Outstanding>,
) -> Result<Driven, Fault> {
    let mut lines = Lines {
        reader: BufReader::with_capacity(1 << 16, stdout),
        line: String::with_capacity(128),
    };
    send(
        &mut stdin,
        &job::job_line(workload, session.options, session.self_paced),
    )?;
    let described = match ClientLine::parse(lines.expect("ready")?)? {
        ClientLine::Ready(json) => Described::parse(json)?,
        ClientLine::Fail(reason) => return Err(Fault::Failed(reason.to_string())),
        _ => {
            return Err(Fault::OutOfTurn {
                line: lines.line.trim_end().to_string(),
                when: "before ready",
            });
        }
    };
    // The baseline: the client is built; its requests have not started.
    let sampler = ResourceSampler::start_child(pid);
    let clock = handshake(&mut stdin, &mut lines)?;
    send(&mut stdin, "go")?;
    let credits = handout::credits(session.credits, described.tickets_ahead, workload);
    outstanding.reserve(credits);
    let dispatcher = Arc::new(Dispatcher::new(&workload.load));
    let handout = handout::start(
        stdin,
        Arc::clone(&dispatcher),
        Arc::clone(outstanding),
        (!session.self_paced).then_some(credits),
    );
    let mut replay = Replay::new(clock, outstanding, &dispatcher, workload);
    if session.self_paced {
        replay = replay.self_paced(&workload.load);
    }
    let mut unannounced = 0;
    let read = loop {
        match lines.next() {
            Ok(Some(line)) => match replay.line(line) {
                Ok(Step::More) => {
                    unannounced += 1;
                    if unannounced == WAKE_EVERY || !lines.more_without_reading() {
                        outstanding.wake();
                        unannounced = 0;
                    }
                }
                Ok(Step::Done) => break Ok(()),
                Err(fault) => break Err(fault),
            },
            // A client stopped by the watchdog after an interruption: keep what it
            // reported.
            Ok(None) if interrupt::requested() => break Ok(()),
            Ok(None) => break Err(Fault::Ended { expected: "done" }),
            Err(fault) => break Err(fault),
        }
    };
    let usage = sampler.stop();
    outstanding.end();
    if read.is_err() {
        child::signal(pid, libc::SIGKILL);
    }
    let handed = handout.join().expect("the hand-out thread does not panic");
    drop(handed.stdin);
    read?;
    let timeline = replay.timeline();
    let Replay {
        recorder,
        samples,
        extras: mut figures,
        ..
    } = replay;
    // A client that counts what it issued itself (a task per request takes its ticket
    // only when it gets a slot) knows better than the hand-out.
    let issued_after_first_failure = figures
        .remove(extras::ISSUED_AFTER_FIRST_FAILURE)
        .map(|n| n as u64)
        .or_else(|| dispatcher.issued_after_first_failure());
    figures.insert(
        extras::CLOCK_OFFSET_BOUND_US.to_string(),
        clock.bound.as_secs_f64() * 1e6,
    );
    figures.insert(
        extras::HANDOUT_ROUND_TRIP_US.to_string(),
        clock.round_trip.as_secs_f64() * 1e6,
    );
    let mut measurement = Measurement::from_recorder(
        recorder,
        dispatcher.measured_window(),
        issued_after_first_failure,
        handed.interrupted || dispatcher.interrupted() || interrupt::requested(),
    );
    measurement.extras = figures;
    measurement.timeline = timeline;
    measurement.error_samples = samples.messages();
    measurement.client_process = Some(usage);
    Ok(Driven {
        measurement,
        described,
    })
}

/// Writes `clock SEQ` [`EXCHANGES`] times, one at a time, and relates the clocks.
fn handshake(stdin: &mut ChildStdin, lines: &mut Lines) -> Result<ClientClock, Fault> {
    let mut exchanges = Vec::with_capacity(EXCHANGES as usize);
    for seq in 0..EXCHANGES {
        let written = Instant::now();
        send(stdin, &format!("clock {seq}"))?;
        let line = lines.expect("its answer to clock")?;
        let read = Instant::now();
        match ClientLine::parse(line)? {
            ClientLine::Clock {
                seq: answered,
                now_ns,
            } if answered == seq => {
                exchanges.push(Exchange {
                    written,
                    client_ns: now_ns,
                    read,
                });
            }
            ClientLine::Fail(reason) => return Err(Fault::Failed(reason.to_string())),
            _ => {
                return Err(Fault::OutOfTurn {
                    line: line.trim_end().to_string(),
                    when: "in answer to clock",
                });
            }
        }
    }
    Ok(ClientClock::from_exchanges(&exchanges).expect("at least one exchange"))
}

/// A workload of `load` against a closed port, for the tests of this module's parts.
#[cfg(test)]
fn workload(load: waitbench_core::LoadModel, on_error: waitbench_core::ErrorPolicy) -> Workload {
    Workload {
        target: "http://127.0.0.1:9".into(),
        paths: waitbench_core::PathPlan::DistinctItems { count: 1 },
        query: None,
        load,
        on_error,
        request: Default::default(),
        timeouts: Default::default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ready_takes_tickets_ahead_ignores_unknown_fields_and_bounds_what_it_takes() {
        let described = Described::parse(r#"{"client":"x","tickets_ahead":8,"later":true}"#);
        assert_eq!(described.unwrap().tickets_ahead, 8);
        assert_eq!(
            Described::parse("{}").unwrap().tickets_ahead,
            0,
            "today's behaviour"
        );
        let error = Described::parse(r#"{"tickets_ahead":100000}"#).unwrap_err();
        assert!(
            error
                .to_string()
                .contains("tickets_ahead is 100000, above the 1024"),
            "{error}"
        );
        let error = Described::parse(r#"{"tickets_ahead":-1}"#).unwrap_err();
        assert!(matches!(error, Fault::Ready(_)), "{error}");
    }
}
