//! `reqwest-tokio`: one shared reqwest client on a tokio runtime, one task per worker.
//!
//! Execution: the run builds its own runtime (`runtime_flavor`, `runtime_threads` workers,
//! one per core by default) and one client, then spawns C worker tasks, each looping on
//! the dispatcher. Concurrency is bounded by the load model (C), not by any pool: reqwest
//! keeps as many connections as are in use and, by default, every idle one
//! (`idle_per_host` caps that). `effective_concurrency` is C.
//!
//! Timing model: runtime and client are built before the clock starts; each request is
//! timed from just before `send()` to the last body chunk, on whichever runtime worker
//! polls the task. Under cancel-on-error the first failure aborts the sibling tasks, whose
//! in-flight requests are dropped and counted as cancelled; under wait-all every task
//! runs to the end.

use reqwest::Client;
use waitbench_core::{HttpVersion, Measurement, Outcome, StrategyInfo, Workload};

use crate::Strategy;
use crate::error::RunError;
use crate::kind::StrategyKind;
use crate::options::StrategyOptions;
use crate::reqwest_client::{ReqwestSettings, fetch};
use crate::run::AsyncSend;
use crate::runtime::RuntimePlan;
use crate::settings::common;
use crate::target::RequestTarget;
use crate::transport::Transport;

/// One shared reqwest client on a tokio runtime, C worker tasks.
#[derive(Debug, Clone)]
pub struct ReqwestTokio {
    options: StrategyOptions,
}

/// Every task sends through the same client (and so the same connection pool).
#[derive(Debug, Clone)]
struct SharedClient(Client);

impl AsyncSend for SharedClient {
    /// A handle on the one shared client.
    fn for_worker(&self) -> Self {
        self.clone()
    }

    fn send(&mut self, target: &RequestTarget) -> impl Future<Output = Outcome> + Send {
        fetch(&self.0, target)
    }
}

impl ReqwestTokio {
    /// The strategy with `options` (uses the runtime options, `idle_per_host`, `cpu_work`
    /// and `ticker`).
    pub fn new(options: &StrategyOptions) -> Self {
        ReqwestTokio {
            options: options.clone(),
        }
    }

    fn client_settings(&self, workload: &Workload) -> ReqwestSettings {
        ReqwestSettings::new(
            workload.timeouts,
            self.options.idle_per_host,
            self.protocol(),
        )
    }

    /// HTTP/2 with `--http2`, else HTTP/1.1.
    fn protocol(&self) -> HttpVersion {
        if self.options.http2 {
            HttpVersion::Http2
        } else {
            HttpVersion::Http1
        }
    }
}

impl Strategy for ReqwestTokio {
    fn kind(&self) -> StrategyKind {
        StrategyKind::ReqwestTokio
    }

    fn info(&self, workload: &Workload) -> StrategyInfo {
        let workers = workload.load.concurrency();
        let mut info = common(self.kind(), workload, &self.options, workers, workers);
        RuntimePlan::new(&self.options, None).describe(&mut info);
        self.client_settings(workload).describe(&mut info, true);
        info
    }

    fn run(&self, workload: &Workload) -> Result<Measurement, RunError> {
        let settings = self.client_settings(workload);
        let transport = Transport::new(workload, &self.options)?;
        let connector = settings.connector(&transport)?;
        let measurement =
            RuntimePlan::new(&self.options, None).run(workload, &self.options, || {
                settings
                    .client(&connector)
                    .map(SharedClient)
                    .map_err(RunError::Client)
            });
        transport.attach(self.protocol(), measurement)
    }
}
