//! `ureq-threads`: one shared ureq agent on a plain pool of OS threads, one thread per
//! in-flight request: the classic thread-per-request model (Python's
//! `ThreadPoolExecutor`, a Java fixed pool), and the right-sized blocking baseline.
//!
//! Why not rayon for this: rayon is a work-stealing pool for about one CPU-bound thread
//! per core. With thousands of blocking threads its idle threads keep scanning each
//! other's deques; measured here, starting a 1,000-thread rayon pool cost ~7 s of CPU and
//! a 3,000-thread one 76 s. `ureq-rayon` keeps that behaviour visible; this strategy
//! measures threads without it.
//!
//! Execution: C OS threads (`std::thread::scope`), started before the clock, each a worker
//! looping on the dispatcher; the agent keeps an idle connection for every thread unless
//! `idle_per_host` says otherwise (ureq's default of 3 makes threads reconnect).
//!
//! Timing model: threads and agent are built before the clock starts; each request is
//! timed from just before `call()` to the end of the body read, on its thread.

use waitbench_core::{HttpVersion, Measurement, StrategyInfo, Workload};

use crate::Strategy;
use crate::error::RunError;
use crate::kind::StrategyKind;
use crate::options::StrategyOptions;
use crate::run::{Run, run_on_threads};
use crate::settings::{common, set};
use crate::transport::Transport;
use crate::ureq_client::{UreqSettings, fetch};

/// ureq on C plain OS threads sharing one agent.
#[derive(Debug, Clone)]
pub struct UreqThreads {
    options: StrategyOptions,
}

impl UreqThreads {
    /// The strategy with these settings.
    pub fn new(options: &StrategyOptions) -> Self {
        UreqThreads {
            options: options.clone(),
        }
    }

    fn agent_settings(&self, workload: &Workload) -> UreqSettings {
        UreqSettings::pooled(
            workload.timeouts,
            self.options.idle_per_host,
            workload.load.concurrency(),
        )
    }
}

impl Strategy for UreqThreads {
    fn kind(&self) -> StrategyKind {
        StrategyKind::UreqThreads
    }

    fn info(&self, workload: &Workload) -> StrategyInfo {
        let workers = workload.load.concurrency();
        let mut info = common(self.kind(), workload, &self.options, workers, workers);
        set(
            &mut info,
            "threads",
            format!("{workers} OS threads, one per worker"),
        );
        self.agent_settings(workload).describe(&mut info);
        info
    }

    fn run(&self, workload: &Workload) -> Result<Measurement, RunError> {
        let ready = Run::prepare(workload, &self.options)?;
        let transport = Transport::new(workload, &self.options)?;
        let agent = self.agent_settings(workload).agent(&transport)?;
        let run = run_on_threads(workload.load.concurrency(), ready, |target| {
            fetch(&agent, target)
        })?;
        transport.attach(HttpVersion::Http1, run.finish(Default::default()))
    }
}
