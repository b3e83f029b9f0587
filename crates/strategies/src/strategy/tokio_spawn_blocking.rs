//! `tokio-spawn-blocking`: the blocking ureq call of `tokio-blocking` moved to
//! `tokio::task::spawn_blocking` — the fix of claim F2 (Python's `run_in_executor`).
//!
//! Execution: the run builds its own runtime, whose blocking pool has one thread per
//! worker by default (`threads`: [`PoolSize::Concurrency`]; `LibraryDefault` keeps tokio's
//! own 512; `Fixed(n)`), and one shared ureq agent. C worker tasks each hand their call to
//! the blocking pool and await it, so the runtime's workers stay free for other tasks
//! (the ticker stays on time). `effective_concurrency` is min(C, blocking threads).
//!
//! Timing model: runtime and agent are built before the clock starts (blocking threads
//! are started lazily by tokio, on first use); each request is timed from just before the
//! call is handed to the pool to the end of its body read, so the hand-off is inside it.
//! Each hand-off copies the URL (the closure must own it). Under cancel-on-error an
//! aborted task stops waiting at once and its request counts as cancelled, but the call
//! already on the blocking pool runs to completion (and reaches the server): a blocking
//! call cannot be cancelled.

use ureq::Agent;
use waitbench_core::{ErrorKind, HttpVersion, Measurement, Outcome, StrategyInfo, Workload};

use crate::Strategy;
use crate::error::RunError;
use crate::kind::StrategyKind;
use crate::options::{PoolSize, StrategyOptions};
use crate::run::AsyncSend;
use crate::runtime::{RuntimePlan, TOKIO_DEFAULT_BLOCKING_THREADS};
use crate::settings::common;
use crate::target::RequestTarget;
use crate::transport::Transport;
use crate::ureq_client::{UreqSettings, fetch};

/// Blocking ureq calls handed to tokio's blocking pool.
#[derive(Debug, Clone)]
pub struct TokioSpawnBlocking {
    options: StrategyOptions,
}

/// Sends on tokio's blocking pool and awaits the result.
#[derive(Debug, Clone)]
struct OnBlockingPool(Agent);

impl AsyncSend for OnBlockingPool {
    /// A handle on the one shared agent.
    fn for_worker(&self) -> Self {
        self.clone()
    }

    async fn send(&mut self, target: &RequestTarget) -> Outcome {
        let agent = self.0.clone();
        let target = target.clone();
        match tokio::task::spawn_blocking(move || fetch(&agent, &target)).await {
            Ok(outcome) => outcome,
            Err(err) if err.is_panic() => std::panic::resume_unwind(err.into_panic()),
            // Only when the runtime shuts down under the call.
            Err(_) => Outcome::Error(ErrorKind::Cancelled),
        }
    }
}

impl TokioSpawnBlocking {
    /// The strategy with `options` (uses `threads` for the blocking pool, the runtime
    /// options, `idle_per_host`, `cpu_work` and `ticker`).
    pub fn new(options: &StrategyOptions) -> Self {
        TokioSpawnBlocking {
            options: options.clone(),
        }
    }

    fn plan(&self, workload: &Workload) -> RuntimePlan {
        let concurrency = workload.load.concurrency();
        let blocking = self
            .options
            .threads
            .threads(concurrency, TOKIO_DEFAULT_BLOCKING_THREADS);
        RuntimePlan::new(&self.options, Some(blocking))
    }

    fn agent_settings(&self, workload: &Workload) -> UreqSettings {
        let sharers = self.plan(workload).blocking_threads();
        UreqSettings::pooled(workload.timeouts, self.options.idle_per_host, sharers)
    }
}

impl Strategy for TokioSpawnBlocking {
    fn kind(&self) -> StrategyKind {
        StrategyKind::TokioSpawnBlocking
    }

    fn info(&self, workload: &Workload) -> StrategyInfo {
        let workers = workload.load.concurrency();
        let plan = self.plan(workload);
        let effective = workers.min(plan.blocking_threads());
        let mut info = common(self.kind(), workload, &self.options, workers, effective);
        plan.describe(&mut info);
        if self.options.threads == PoolSize::LibraryDefault {
            crate::settings::set(&mut info, "runtime_blocking_pool", "tokio default");
        }
        self.agent_settings(workload).describe(&mut info);
        info
    }

    fn run(&self, workload: &Workload) -> Result<Measurement, RunError> {
        let settings = self.agent_settings(workload);
        let transport = Transport::new(workload, &self.options)?;
        let measurement = self.plan(workload).run(workload, &self.options, || {
            Ok(OnBlockingPool(settings.agent(&transport)?))
        });
        transport.attach(HttpVersion::Http1, measurement)
    }
}
