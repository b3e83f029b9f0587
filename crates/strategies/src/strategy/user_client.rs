//! `client`: a user's own client program (`run --client 'CMD ARGS…'`), any language, any
//! library, measured by the same harness as waitbench's own strategies.
//!
//! Execution: whatever the program does; it speaks client protocol 1
//! (`docs/client-protocol.md`) and [`crate::external`] drives it: it is handed the job
//! and options `{}`, tickets at their intended times with at most C outstanding (C + N
//! in a batch or closed loop when its `ready` line takes N tickets ahead), and every
//! request it reports is recorded by waitbench. What the program says of itself in
//! its `ready` line (library, runtime, the requests it can really have in flight, further
//! lines) is reported with the result, beside the command that ran it.
//!
//! Timing model: the program starts and builds its client untimed; the clock starts at
//! `go`; each request's sent and ended times are the program's, moved onto waitbench's
//! clock by the handshake (`clock_offset_bound_us` says how far they may be off).

use std::sync::Mutex;

use waitbench_core::{Measurement, StrategyInfo, Workload};

use crate::Strategy;
use crate::error::RunError;
use crate::external::{Described, Program, Session, measure};
use crate::kind::StrategyKind;
use crate::options::StrategyOptions;
use crate::settings::{common, set};

/// A user's client program.
#[derive(Debug)]
pub struct UserClient {
    program: Option<Program>,
    /// Whether it paces itself (`--self-paced`).
    self_paced: bool,
    /// What the program said of itself in its last run's `ready` line.
    described: Mutex<Option<Described>>,
}

impl UserClient {
    /// The client `program` runs.
    pub fn new(program: Program) -> Self {
        UserClient {
            program: Some(program),
            self_paced: false,
            described: Mutex::new(None),
        }
    }

    /// This client, pacing itself when `self_paced` (protocol 1's self-paced mode).
    pub fn self_paced(self, self_paced: bool) -> Self {
        UserClient { self_paced, ..self }
    }

    /// A client chosen by name alone, which has no command to run: running it says so.
    pub fn without_command() -> Self {
        UserClient {
            program: None,
            self_paced: false,
            described: Mutex::new(None),
        }
    }

    fn described(&self) -> Option<Described> {
        self.described
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }
}

impl Strategy for UserClient {
    fn kind(&self) -> StrategyKind {
        StrategyKind::Client
    }

    fn info(&self, workload: &Workload) -> StrategyInfo {
        let c = workload.load.concurrency();
        let described = self.described().unwrap_or_default();
        let in_flight = described.in_flight.unwrap_or(c).clamp(1, c.max(1));
        let mut info = common(
            StrategyKind::Client,
            workload,
            &StrategyOptions::default(),
            c,
            in_flight,
        );
        set(
            &mut info,
            "command",
            self.program
                .as_ref()
                .map_or(String::new(), Program::display),
        );
        set(
            &mut info,
            "protocol",
            format!("client protocol {}", crate::external::PROTOCOL),
        );
        set(&mut info, "cpu_work", "none (the program's own)");
        if self.self_paced {
            set(
                &mut info,
                "self_paced",
                "yes: the program numbers its own requests",
            );
        }
        if let Some(client) = described.client {
            set(&mut info, "client", client);
        }
        if let Some(runtime) = described.runtime {
            set(&mut info, "runtime", runtime);
        }
        for (key, value) in described.info {
            // The program's own lines never replace what waitbench reports.
            info.settings.entry(key).or_insert(value);
        }
        info
    }

    fn run(&self, workload: &Workload) -> Result<Measurement, RunError> {
        let Some(program) = &self.program else {
            return Err(RunError::Unsupported {
                strategy: StrategyKind::Client.name(),
                option: "a name alone".into(),
                needs: "its command: --client 'CMD ARGS…'",
            });
        };
        let command = program.display();
        let session = Session {
            client: &command,
            program,
            options: &serde_json::json!({}),
            credits: workload.load.concurrency(),
            self_paced: self.self_paced,
        };
        let driven = measure(&session, workload)?;
        *self.described.lock().unwrap_or_else(|e| e.into_inner()) = Some(driven.described);
        Ok(driven.measurement)
    }
}
