//! `waitbench client-check` as a library: puts a client through every load model and
//! every failure class against the embedded server, with conditions known in advance,
//! and judges what it reported against what the server saw.
//!
//! A client is measured by what it reports, so a client that reports wrongly is measured
//! wrongly, silently: a dropped record shrinks the error rate, a clock read at the wrong
//! place shortens every latency, a pool larger than C measures another concurrency. The
//! server is the independent witness: it counts requests and how many were in flight at
//! once, and it injected the delay and the faults, so each property compares the client's
//! account with a fact the client cannot influence. The check drives a
//! [`Strategy`](waitbench_strategies::Strategy), so the same table checks a built-in
//! strategy and a program on the client protocol (docs/client-protocol.md).

mod probe;
mod property;

use std::fmt::Write;

use waitbench_core::interrupt;
use waitbench_mockserver::{MockServer, ServerConfig};
use waitbench_strategies::Strategy;

pub use probe::{
    CONCURRENCY, DELAY, Observed, Probe, RATE_PER_S, Recorded, SEND_LAG_BOUND, STOP_BOUND, SendLag,
    observe,
};
pub use property::{Property, Row};

use crate::Result;

/// The check's verdict: one row per property, and the runs' errors in full.
#[derive(Debug, Clone)]
pub struct Report {
    /// One row per property, in [`Property::ALL`]'s order.
    pub rows: Vec<Row>,
    /// Each failed run's probe and error.
    pub errors: Vec<(Probe, String)>,
}

/// How the check ended.
#[derive(Debug, Clone)]
pub enum Checked {
    /// Every probe ran; the rows say what held.
    Judged(Report),
    /// Ctrl-C stopped it before the probes were done: nothing is judged.
    Interrupted,
}

impl Report {
    /// Whether every row passed.
    pub fn passed(&self) -> bool {
        self.rows.iter().all(|row| row.passed)
    }

    /// The table, one row per property, then each failed run's error.
    pub fn render(&self) -> String {
        let width = self
            .rows
            .iter()
            .map(|row| row.property.statement().chars().count())
            .max()
            .unwrap_or(0);
        let mut out = String::new();
        for row in &self.rows {
            let verdict = if row.passed { "pass" } else { "FAIL" };
            let statement = row.property.statement();
            let _ = writeln!(out, "{verdict}  {statement:<width$}  {}", row.detail);
        }
        let failed = self.rows.iter().filter(|row| !row.passed).count();
        let _ = match failed {
            0 => writeln!(out, "\nall {} properties hold", self.rows.len()),
            n => writeln!(out, "\n{n} of {} properties fail", self.rows.len()),
        };
        for (probe, error) in &self.errors {
            let _ = writeln!(
                out,
                "{} ({}) failed: {error}",
                probe.name(),
                probe.describe()
            );
        }
        out
    }
}

/// Runs every probe with `strategy` against a fresh embedded server, telling `on_probe`
/// each one as it starts, and judges every property. The interrupt probe interrupts this
/// process (the flag cannot be cleared), so call this once per process, last.
///
/// The first probe, a plain batch, is the simplest run there is: a client that cannot
/// finish it (a program that does not start, or never says `ready`) has nothing for the
/// other probes to show, so its error is returned rather than a table of the same
/// failure nine times.
pub fn check(strategy: &dyn Strategy, on_probe: &mut dyn FnMut(Probe)) -> Result<Checked> {
    strategy.ready()?;
    let server = MockServer::start(ServerConfig::default())?;
    let mut observed = Vec::with_capacity(Probe::ALL.len());
    for probe in Probe::ALL {
        if interrupt::requested() {
            return Ok(Checked::Interrupted);
        }
        on_probe(probe);
        let seen = observe(strategy, &server, probe);
        if probe == Probe::Batch
            && let Err(error) = seen.run
        {
            return Err(error.into());
        }
        observed.push(seen);
    }
    server.shutdown();
    Ok(Checked::Judged(judge(&observed)))
}

/// Judges every property on what the probes observed.
pub fn judge(observed: &[Observed]) -> Report {
    Report {
        rows: Property::ALL
            .into_iter()
            .map(|p| p.judge(observed))
            .collect(),
        errors: observed
            .iter()
            .filter_map(|o| o.run.as_ref().err().map(|e| (o.probe, e.to_string())))
            .collect(),
    }
}
