//! `reqwest-per-request`: a new reqwest client for every request, so a new TCP connection
//! for every request — the async half of claim B ("reuse one session").
//!
//! Execution: like `reqwest-tokio` (own runtime, C worker tasks, `effective_concurrency`
//! C), but each request builds its own client and drops it afterwards, closing its
//! connection.
//!
//! Timing model: the runtime is built before the clock starts; building the client is
//! inside each request's timed section (from just before the client is built to the last
//! body chunk), because that — plus the new connection, and any connection-setup delay
//! the server injects — is the cost the comparison is about. A client that cannot be
//! built counts as an `other` error for that request.

use waitbench_core::{ErrorKind, HttpVersion, Measurement, Outcome, StrategyInfo, Workload};

use crate::Strategy;
use crate::error::RunError;
use crate::kind::StrategyKind;
use crate::options::{IdlePerHost, StrategyOptions};
use crate::reqwest_client::{ReqwestConnector, ReqwestSettings, fetch};
use crate::run::AsyncSend;
use crate::runtime::RuntimePlan;
use crate::settings::common;
use crate::target::RequestTarget;
use crate::transport::Transport;

/// A new reqwest client (and connection) per request, on C tokio tasks.
#[derive(Debug, Clone)]
pub struct ReqwestPerRequest {
    options: StrategyOptions,
}

/// Builds a fresh client for every request.
#[derive(Debug, Clone)]
struct FreshClient(ReqwestSettings, ReqwestConnector);

impl AsyncSend for FreshClient {
    /// The settings, shared; each request builds its own client from them.
    fn for_worker(&self) -> Self {
        self.clone()
    }

    async fn send(&mut self, target: &RequestTarget) -> Outcome {
        match self.0.client(&self.1) {
            Ok(client) => fetch(&client, target).await,
            Err(_) => Outcome::Error(ErrorKind::Other),
        }
    }
}

impl ReqwestPerRequest {
    /// The strategy with `options` (uses the runtime options, `cpu_work` and `ticker`).
    pub fn new(options: &StrategyOptions) -> Self {
        ReqwestPerRequest {
            options: options.clone(),
        }
    }
}

impl Strategy for ReqwestPerRequest {
    fn kind(&self) -> StrategyKind {
        StrategyKind::ReqwestPerRequest
    }

    fn info(&self, workload: &Workload) -> StrategyInfo {
        let workers = workload.load.concurrency();
        let mut info = common(self.kind(), workload, &self.options, workers, workers);
        RuntimePlan::new(&self.options, None).describe(&mut info);
        settings(workload).describe(&mut info, false);
        info
    }

    fn run(&self, workload: &Workload) -> Result<Measurement, RunError> {
        let settings = settings(workload);
        let transport = Transport::new(workload, &self.options)?;
        let connector = settings.connector(&transport)?;
        let measurement =
            RuntimePlan::new(&self.options, None).run(workload, &self.options, || {
                Ok(FreshClient(settings, connector))
            });
        transport.attach(HttpVersion::Http1, measurement)
    }
}

/// A client per request keeps no idle connections of its own: reqwest's defaults.
fn settings(workload: &Workload) -> ReqwestSettings {
    ReqwestSettings::new(
        workload.timeouts,
        IdlePerHost::LibraryDefault,
        HttpVersion::Http1,
    )
}
