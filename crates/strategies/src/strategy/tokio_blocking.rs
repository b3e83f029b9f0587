//! `tokio-blocking`: a blocking ureq call made directly inside tokio tasks — the
//! anti-pattern of claim F2.
//!
//! Execution: the run builds its own runtime and one shared ureq agent, then spawns C
//! worker tasks whose "send" first yields to the scheduler (as a task that awaits
//! anything at all would) and then makes a blocking `ureq` call. Each call holds the
//! runtime worker thread that polls it until the response is read. On a current-thread
//! runtime that is the only thread: requests go one at a time and every other task — the
//! 1 ms ticker included — waits out each call (`effective_concurrency` 1). On a
//! multi-thread runtime each call stalls one worker (`effective_concurrency`
//! min(C, runtime threads)). Turn on `ticker` to see each stall as ticker lateness ≈ L.
//!
//! Timing model: runtime and agent are built before the clock starts; each request is
//! timed from just before its task yields to the end of its body read, so its latency
//! includes the blocking calls of the tasks that ran while it waited for the thread (on
//! a current-thread runtime ≈ C·L for C tasks): the collapse shows in latency as well as
//! throughput, as Little's law says it must with C requests begun and 1/L completing per
//! second. Under cancel-on-error siblings cannot be interrupted mid-call: they finish the
//! call and are dropped at their next `.await`.

use ureq::Agent;
use waitbench_core::{HttpVersion, Measurement, Outcome, StrategyInfo, Workload};

use crate::Strategy;
use crate::error::RunError;
use crate::kind::StrategyKind;
use crate::options::{RuntimeFlavor, StrategyOptions};
use crate::run::AsyncSend;
use crate::runtime::RuntimePlan;
use crate::settings::common;
use crate::target::RequestTarget;
use crate::transport::Transport;
use crate::ureq_client::{UreqSettings, fetch};

/// Blocking ureq calls inside tokio tasks.
#[derive(Debug, Clone)]
pub struct TokioBlocking {
    options: StrategyOptions,
}

/// Sends by blocking the runtime thread that polls the task.
#[derive(Debug, Clone)]
struct BlockingInline(Agent);

impl AsyncSend for BlockingInline {
    /// A handle on the one shared agent.
    fn for_worker(&self) -> Self {
        self.clone()
    }

    async fn send(&mut self, target: &RequestTarget) -> Outcome {
        // Without an await point the first task would run the whole batch in one poll;
        // a real task awaits something between blocking calls, giving others a turn.
        tokio::task::yield_now().await;
        fetch(&self.0, target)
    }
}

impl TokioBlocking {
    /// The strategy with `options` (uses the runtime options, `idle_per_host`, `cpu_work`
    /// and `ticker`).
    pub fn new(options: &StrategyOptions) -> Self {
        TokioBlocking {
            options: options.clone(),
        }
    }

    fn effective_concurrency(&self, workload: &Workload) -> usize {
        let plan = RuntimePlan::new(&self.options, None);
        match self.options.runtime_flavor {
            RuntimeFlavor::CurrentThread => 1,
            RuntimeFlavor::MultiThread => workload.load.concurrency().min(plan.task_threads()),
        }
    }

    fn agent_settings(&self, workload: &Workload) -> UreqSettings {
        let sharers = self.effective_concurrency(workload);
        UreqSettings::pooled(workload.timeouts, self.options.idle_per_host, sharers)
    }
}

impl Strategy for TokioBlocking {
    fn kind(&self) -> StrategyKind {
        StrategyKind::TokioBlocking
    }

    fn info(&self, workload: &Workload) -> StrategyInfo {
        let workers = workload.load.concurrency();
        let effective = self.effective_concurrency(workload);
        let mut info = common(self.kind(), workload, &self.options, workers, effective);
        RuntimePlan::new(&self.options, None).describe(&mut info);
        self.agent_settings(workload).describe(&mut info);
        info
    }

    fn run(&self, workload: &Workload) -> Result<Measurement, RunError> {
        let settings = self.agent_settings(workload);
        let transport = Transport::new(workload, &self.options)?;
        let measurement =
            RuntimePlan::new(&self.options, None).run(workload, &self.options, || {
                Ok(BlockingInline(settings.agent(&transport)?))
            });
        transport.attach(HttpVersion::Http1, measurement)
    }
}
