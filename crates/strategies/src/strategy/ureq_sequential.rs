//! `ureq-sequential`: one ureq agent, one request after another on the calling thread.
//!
//! Execution: a single worker, whatever the workload's concurrency C — so
//! `effective_concurrency` is 1 and a batch of N takes about N·L. This is the article's
//! "sequential" baseline. Open-loop tickets are sent at their intended times when the one
//! worker is free; a slow response makes every later send late, which the open loop's
//! latency (measured from the intended time) shows.
//!
//! Timing model: the agent is built before the clock starts; each request is timed from
//! just before `call()` to the end of the body read. The connection is reused from the
//! agent's pool after the first request.

use waitbench_core::{HttpVersion, Measurement, StrategyInfo, Workload};

use crate::Strategy;
use crate::error::RunError;
use crate::kind::StrategyKind;
use crate::options::StrategyOptions;
use crate::run::{Run, blocking_worker, catch_worker_panic};
use crate::settings::common;
use crate::transport::Transport;
use crate::ureq_client::{UreqSettings, fetch};

/// One ureq agent, one request at a time on the calling thread.
#[derive(Debug, Clone)]
pub struct UreqSequential {
    options: StrategyOptions,
}

impl UreqSequential {
    /// The strategy with `options` (uses `idle_per_host` and `cpu_work`).
    pub fn new(options: &StrategyOptions) -> Self {
        UreqSequential {
            options: options.clone(),
        }
    }

    fn agent_settings(&self, workload: &Workload) -> UreqSettings {
        UreqSettings::pooled(workload.timeouts, self.options.idle_per_host, 1)
    }
}

impl Strategy for UreqSequential {
    fn kind(&self) -> StrategyKind {
        StrategyKind::UreqSequential
    }

    fn info(&self, workload: &Workload) -> StrategyInfo {
        let mut info = common(self.kind(), workload, &self.options, 1, 1);
        self.agent_settings(workload).describe(&mut info);
        info
    }

    fn run(&self, workload: &Workload) -> Result<Measurement, RunError> {
        let ready = Run::prepare(workload, &self.options)?;
        let transport = Transport::new(workload, &self.options)?;
        let agent = self.agent_settings(workload).agent(&transport)?;
        let run = ready.start();
        catch_worker_panic(|| blocking_worker(&run, |target| fetch(&agent, target)))?;
        transport.attach(HttpVersion::Http1, run.finish(Default::default()))
    }
}
