//! `ureq-per-request`: a new ureq agent for every request, so a new TCP connection for
//! every request — the blocking half of claim B ("reuse one session").
//!
//! Execution: C OS threads (`std::thread::scope`), each a worker looping on the
//! dispatcher, so `effective_concurrency` is C.
//!
//! Timing model: the threads start before the clock; the agent configuration is built
//! once, but creating the agent is inside each request's timed section (from just before
//! the agent is created to the end of the body read), because that — plus the new
//! connection it implies, and any connection-setup delay the server injects — is the cost
//! the comparison is about. The agent (and its connection) is dropped after the request.

use waitbench_core::{HttpVersion, Measurement, StrategyInfo, Workload};

use crate::Strategy;
use crate::error::RunError;
use crate::kind::StrategyKind;
use crate::options::StrategyOptions;
use crate::run::{Run, run_on_threads};
use crate::settings::common;
use crate::transport::Transport;
use crate::ureq_client::{UreqSettings, agent_with, connector, fetch};

/// A new ureq agent (and connection) per request, on C threads.
#[derive(Debug, Clone)]
pub struct UreqPerRequest {
    options: StrategyOptions,
}

impl UreqPerRequest {
    /// The strategy with `options` (uses `cpu_work`).
    pub fn new(options: &StrategyOptions) -> Self {
        UreqPerRequest {
            options: options.clone(),
        }
    }
}

impl Strategy for UreqPerRequest {
    fn kind(&self) -> StrategyKind {
        StrategyKind::UreqPerRequest
    }

    fn info(&self, workload: &Workload) -> StrategyInfo {
        let workers = workload.load.concurrency();
        let mut info = common(self.kind(), workload, &self.options, workers, workers);
        UreqSettings::per_request(workload.timeouts).describe(&mut info);
        info
    }

    fn run(&self, workload: &Workload) -> Result<Measurement, RunError> {
        let ready = Run::prepare(workload, &self.options)?;
        let workers = workload.load.concurrency();
        let transport = Transport::new(workload, &self.options)?;
        let connector = connector(&transport)?;
        let config = UreqSettings::per_request(workload.timeouts).config();
        let run = run_on_threads(workers, ready, |target| {
            fetch(&agent_with(config.clone(), &connector), target)
        })?;
        transport.attach(HttpVersion::Http1, run.finish(Default::default()))
    }
}
